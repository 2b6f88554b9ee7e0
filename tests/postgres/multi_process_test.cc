// Several `herald serve` processes cooperating on one PostgreSQL database
// (SPEC §5 rules 6-7), and what they do when the database misbehaves.
#include "delivery_fixture.h"
#include "support/postgres.h"

namespace herald::testing {
namespace {

constexpr const char* kSharedKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

std::string Yaml(const std::string& endpoint, const std::string& notifier_extra = "") {
  return "clair:\n  api:\n    paginationKey: \"" + std::string(kSharedKey) + "\"\n" +
         "  notifier:\n    renotifyInterval: 1h\n" + notifier_extra +
         "    http:\n      endpoint: " + endpoint + "\n";
}

bool WaitForNotified(const std::string& conninfo, int n, std::chrono::seconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < give_up) {
    if (CountNotifications(conninfo, "status = 'notified'") == n) return true;
    std::this_thread::sleep_for(milliseconds(100));
  }
  return false;
}

std::vector<std::unique_ptr<HeraldServer>> StartProcesses(int count, const std::string& db,
                                                          const std::string& yaml) {
  std::vector<std::unique_ptr<HeraldServer>> out;
  for (int i = 0; i < count; ++i) {
    out.push_back(std::make_unique<HeraldServer>(HeraldServer::Options{
        .config_yaml = yaml, .args = {"--log-level", "warn"}, .database = db}));
    out.back()->Start();
  }
  return out;
}

TEST(MultiProcessTest, ThreeProcessesDeliverEachNotificationExactlyOnce) {
  ScratchDatabase db;
  TestReceiver receiver({.threads = 4});
  SeedNotifications(db.conninfo(), 10000);
  auto processes = StartProcesses(3, db.conninfo(), Yaml(receiver.Url()));
  ASSERT_TRUE(WaitForNotified(db.conninfo(), 10000, seconds(120)))
      << CountNotifications(db.conninfo(), "status = 'notified'");
  EXPECT_EQ(receiver.DistinctSucceeded(), 10000u);
  EXPECT_EQ(receiver.Requests().size(), 10000u);  // no duplicates
  // Each process took a share: every one counts successful deliveries.
  for (auto& p : processes) {
    HttpClient client;
    const std::string metrics = client.Get(p->ApiUrl() + "/v1/metrics").body;
    EXPECT_NE(metrics.find(R"(herald_notifier_deliveries_total{backend="http",outcome="success"})"),
              std::string::npos);
    EXPECT_EQ(p->Stop(SIGTERM), 0) << p->Log();
  }
}

TEST(MultiProcessTest, KillNineOfOneProcessLosesNothing) {
  ScratchDatabase db;
  TestReceiver receiver({.threads = 4});
  SeedNotifications(db.conninfo(), 5000);
  auto processes =
      StartProcesses(3, db.conninfo(), Yaml(receiver.Url(), "    leaseDuration: 2s\n"));
  ASSERT_TRUE(receiver.WaitUntil([](const auto& rs) { return rs.size() >= 500; }, seconds(60)));
  EXPECT_EQ(processes[1]->Stop(SIGKILL), 128 + SIGKILL);
  ASSERT_TRUE(WaitForNotified(db.conninfo(), 5000, seconds(120)))
      << CountNotifications(db.conninfo(), "status = 'notified'");
  EXPECT_GE(receiver.DistinctSucceeded(), 5000u);  // at least once each
  EXPECT_EQ(processes[0]->Stop(SIGTERM), 0);
  EXPECT_EQ(processes[2]->Stop(SIGTERM), 0);
}

TEST(MultiProcessTest, PageTokenFromOneProcessWorksOnAnother) {
  ScratchDatabase db;
  TestReceiver receiver({});
  auto processes = StartProcesses(2, db.conninfo(), Yaml(receiver.Url()));
  HttpClient a, b;
  const std::string api_a = processes[0]->ApiUrl(), api_b = processes[1]->ApiUrl();
  for (int i = 0; i < 5; ++i) {
    auto r = a.Post(api_a + "/v1/layers",
                    json{{"Layer",
                          {{"Name", "mp-" + std::to_string(i)},
                           {"NamespaceName", "debian:8"},
                           {"Features", {{{"Name", "libmp"}, {"Version", "1.0"}}}}}}}
                        .dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  ASSERT_EQ(a.Post(api_a + "/v1/namespaces/debian:8/vulnerabilities",
                   R"({"Vulnerability":{"Name":"CVE-MP","Severity":"Low",
                   "FixedIn":[{"Name":"libmp","Version":"2.0"}]}})")
                .status,
            201);
  auto list = json::parse(a.Get(api_a + "/v1/notifications?limit=1").body);
  const std::string name = list["Notifications"][0]["Name"];
  auto first = json::parse(a.Get(api_a + "/v1/notifications/" + name + "?limit=2").body);
  const std::string token = first["Notification"]["NextPage"];
  auto second = b.Get(api_b + "/v1/notifications/" + name + "?limit=2&page=" + UrlEncode(token));
  ASSERT_EQ(second.status, 200) << second.body;
  auto layers = json::parse(second.body)["Notification"]["New"]["LayersIntroducingVulnerability"];
  EXPECT_EQ(layers, json({"mp-2", "mp-3"}));
  // The listing token too: a second notification makes a second page, so
  // the listing has a NextPage for the other process to open.
  ASSERT_EQ(a.Post(api_a + "/v1/namespaces/debian:8/vulnerabilities",
                   R"({"Vulnerability":{"Name":"CVE-MP2","Severity":"Low"}})")
                .status,
            201);
  auto page = json::parse(a.Get(api_a + "/v1/notifications?limit=1").body);
  ASSERT_TRUE(page.contains("NextPage")) << page;
  auto listed = b.Get(
      api_b + "/v1/notifications?limit=1&page=" + UrlEncode(page["NextPage"].get<std::string>()));
  ASSERT_EQ(listed.status, 200) << listed.body;
  EXPECT_EQ(json::parse(listed.body)["Notifications"][0]["Name"], name);
}

// A process whose wall clock runs two hours ahead (libfaketime, Debian's
// faketime package, fakes only the wall clock here) must not take leases
// that another process holds: leases and due times on PostgreSQL follow the
// database's clock (SPEC §11, issue 9 fault 7).
TEST(MultiProcessTest, AProcessWithASkewedClockTakesNoLeaseAnotherHolds) {
  ScratchDatabase db;
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::vector<std::string> order;  // distinct names, in order of arrival
  std::map<std::string, int> arrivals;
  // The first three notifications stay in flight until the end; any later
  // one is answered at once.
  TestReceiver receiver({.policy =
                             [&](const ReceivedRequest& r, int) {
                               std::unique_lock lock(mu);
                               if (arrivals[r.notification]++ == 0) order.push_back(r.notification);
                               cv.notify_all();
                               const auto at =
                                   std::find(order.begin(), order.end(), r.notification);
                               if (at - order.begin() < 3) cv.wait(lock, [&] { return release; });
                               return ReceiverAnswer{};
                             },
                         .threads = 8});
  struct ReleaseAtExit {
    std::mutex& mu;
    std::condition_variable& cv;
    bool& release;
    ~ReleaseAtExit() {
      std::lock_guard lock(mu);
      release = true;
      cv.notify_all();
    }
  } release_at_exit{mu, cv, release};

  const std::string yaml = Yaml(receiver.Url(), "    leaseDuration: 10m\n");
  HeraldServer holder({.config_yaml = yaml, .database = db.conninfo()});
  holder.Start();
  Api api(holder);
  for (int i = 0; i < 3; ++i) api.MakeNotification("CVE-HELD-" + std::to_string(i));
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return order.size() == 3; }));
  }

  HeraldServer skewed({.config_yaml = yaml,
                       .command_prefix = {"env",
                                          "LD_PRELOAD=/usr/lib/x86_64-linux-gnu/faketime/"
                                          "libfaketimeMT.so.1",
                                          "FAKETIME=+2h", "FAKETIME_DONT_FAKE_MONOTONIC=1"},
                       .database = db.conninfo()});
  skewed.Start();
  // A fourth notification, made and claimed by the skewed process: once it
  // arrives, that process has made a claim pass, and the held notifications,
  // whose due times (their lease ends) are older, would have come first.
  Api(skewed).MakeNotification("CVE-MARKER");
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return order.size() >= 4; }));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(arrivals[order[i]], 1) << order[i] << " sent twice";
  }
  // Each held notification was claimed once: the lease token counts claims.
  EXPECT_EQ(
      QueryValue(db.conninfo(), "SELECT max(lease_token) FROM notifications WHERE name IN ('" +
                                    order[0] + "','" + order[1] + "','" + order[2] + "')"),
      "1");
}

TEST(MultiProcessTest, CommitInOneProcessWakesAnIdleOneWithinASecond) {
  ScratchDatabase db;
  TestReceiver receiver({});
  // The API-only process has no receiver; the other delivers.
  HeraldServer api_only(
      {.config_yaml = "clair:\n  api:\n    paginationKey: \"" + std::string(kSharedKey) + "\"\n",
       .database = db.conninfo()});
  api_only.Start();
  auto notifiers = StartProcesses(1, db.conninfo(), Yaml(receiver.Url()));
  Api api(api_only);
  for (int i = 0; i < 5; ++i) {
    const auto posted = std::chrono::steady_clock::now();
    const std::string name = api.MakeNotification("CVE-WAKE-" + std::to_string(i));
    ASSERT_TRUE(receiver.WaitUntil(
        [&](const auto& rs) {
          return std::any_of(rs.begin(), rs.end(),
                             [&](const auto& r) { return r.notification == name; });
        },
        seconds(5)));
    EXPECT_LT(receiver.RequestsFor(name)[0].at - posted, seconds(1));
  }
}

TEST(DatabaseFaultTest, RestartMidRunReconnectsAndLosesNothing) {
  PrivateCluster cluster;
  TestReceiver receiver({.threads = 4});
  SeedNotifications(cluster.conninfo(), 3000);
  HeraldServer server({.config_yaml = Yaml(receiver.Url()), .database = cluster.conninfo()});
  server.Start();
  ASSERT_TRUE(receiver.WaitUntil([](const auto& rs) { return rs.size() >= 300; }, seconds(60)));
  cluster.Restart();

  // Acknowledged writes made right after the restart survive it.
  HttpClient client;
  std::vector<std::string> acknowledged;
  const auto give_up = std::chrono::steady_clock::now() + seconds(30);
  while (acknowledged.size() < 20 && std::chrono::steady_clock::now() < give_up) {
    const std::string vuln = "CVE-AFTER-" + std::to_string(acknowledged.size());
    auto r = client.Post(server.ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities",
                         R"({"Vulnerability":{"Name":")" + vuln + R"(","Severity":"Low"}})");
    if (r.status == 201) {
      acknowledged.push_back(vuln);
    } else {
      EXPECT_NE(r.status, 0) << "the server must answer, not drop the connection";
    }
  }
  ASSERT_EQ(acknowledged.size(), 20u);
  ASSERT_TRUE(WaitForNotified(cluster.conninfo(), 3020, seconds(120)))
      << CountNotifications(cluster.conninfo(), "status = 'notified'");
  for (const auto& vuln : acknowledged) {
    EXPECT_EQ(
        client.Get(server.ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities/" + vuln).status,
        200);
  }
  EXPECT_TRUE(server.Running());
  // The cut was noticed and logged, and the process carried on.
  EXPECT_NE(server.Log().find("connection"), std::string::npos) << server.Log();

  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(DatabaseFaultTest, UnreachableAtStartRetriesAndHealthIs503Meanwhile) {
  PrivateCluster cluster(/*serve=*/false);
  TestReceiver receiver({});
  HeraldServer server(
      {.config_yaml = Yaml(receiver.Url()), .database = cluster.conninfo(), .wait_healthy = false});
  server.Start();
  HttpClient client;
  EXPECT_EQ(client.Get(server.HealthUrl() + "/health").status, 503);
  EXPECT_NE(server.Log().find("database unreachable"), std::string::npos) << server.Log();
  cluster.Serve();
  const auto give_up = std::chrono::steady_clock::now() + seconds(30);
  long status = 0;
  while (std::chrono::steady_clock::now() < give_up &&
         (status = client.Get(server.HealthUrl() + "/health").status) != 200) {
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(status, 200) << server.Log();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-LATE-DB");
  EXPECT_TRUE(api.WaitForStatus(name, "notified", seconds(20)));
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace herald::testing
