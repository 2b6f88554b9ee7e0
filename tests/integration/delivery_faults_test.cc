// Crashes, graceful stops and TLS on the delivery path (SPEC §5 rules 7-8).
#include "delivery_fixture.h"
#include "support/pki.h"
#include "support/postgres.h"

namespace herald::testing {
namespace {

std::int64_t CountRows(const std::string& db, const std::string& where) {
  return CountNotifications(db, where);
}

bool WaitForCount(const std::string& db, const std::string& where, std::int64_t n,
                  milliseconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < give_up) {
    if (CountRows(db, where) == n) return true;
    std::this_thread::sleep_for(milliseconds(50));
  }
  return false;
}

// A gate that holds receiver requests until opened.
class Gate {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST(DeliveryFaultTest, KillNineWithFiveHundredInFlightLosesNothing) {
  Gate gate;
  TestReceiver receiver({.policy = [&](const ReceivedRequest&, int) {
    gate.Wait();
    return ReceiverAnswer{};
  }});
  // A failed assertion must not leave the receiver's threads waiting forever.
  struct OpenOnExit {
    Gate& gate;
    ~OpenOnExit() { gate.Open(); }
  } open_on_exit{gate};
  // The held requests must stay in flight until the kill: with the default
  // 5 s timeout, on a loaded machine the first ones timed out (and were
  // released for a retry) before the last of the 500 was claimed.
  const std::string yaml = NotifierYaml(
      receiver.Url(), "    concurrency: 500\n    leaseDuration: 2s\n", "      timeout: 120s\n");
  HeraldServer first({.config_yaml = yaml});
  first.Start();
  Api api(first);
  // Create them before the first claim can see them all at once is not
  // needed: claims follow creation, and the gate holds every request.
  for (int i = 0; i < 500; ++i) api.MakeNotification("CVE-K9-" + std::to_string(i));
  ASSERT_TRUE(WaitForCount(first.database(), "lease_owner IS NOT NULL", 500, seconds(30)))
      << CountRows(first.database(), "lease_owner IS NOT NULL");
  EXPECT_EQ(first.Stop(SIGKILL), 128 + SIGKILL);
  gate.Open();

  HeraldServer second({.config_yaml = yaml, .database = first.database()});
  second.Start();
  // Only the second process can mark them: every one ends notified once the
  // dead process's leases lapse.
  ASSERT_TRUE(WaitForCount(first.database(), "status = 'notified'", 500, seconds(60)))
      << CountRows(first.database(), "status = 'notified'");
  Api after(second);
  const std::string some = after.Newest();
  bool success = false;
  for (const auto& d : after.Deliveries(some)) success = success || d["Outcome"] == "success";
  EXPECT_TRUE(success);
  EXPECT_EQ(second.Stop(SIGTERM), 0);
}

TEST(DeliveryFaultTest, SigtermDuringDeliveriesExitsZeroAndLosesNothing) {
  TestReceiver receiver({.policy = [](const ReceivedRequest&, int) {
    std::this_thread::sleep_for(milliseconds(20));  // a slow receiver, to be stopped mid-way
    return ReceiverAnswer{};
  }});
  const std::string yaml = NotifierYaml(receiver.Url(), "");
  HeraldServer first({.config_yaml = yaml});
  first.Start();
  Api api(first);
  for (int i = 0; i < 150; ++i) api.MakeNotification("CVE-TERM-" + std::to_string(i));
  ASSERT_TRUE(receiver.WaitUntil([](const auto& rs) { return rs.size() >= 10; }, seconds(20)));
  const auto stop_started = std::chrono::steady_clock::now();
  EXPECT_EQ(first.Stop(SIGTERM), 0) << first.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - stop_started, seconds(15));
  EXPECT_EQ(CountRows(first.database(), "lease_owner IS NOT NULL"), 0);  // all released

  HeraldServer second({.config_yaml = yaml, .database = first.database()});
  second.Start();
  ASSERT_TRUE(WaitForCount(first.database(), "status = 'notified'", 150, seconds(60)));
  EXPECT_EQ(second.Stop(SIGTERM), 0);
}

class DeliveryTlsTest : public ::testing::Test {
 protected:
  TempDir dir_;
  TestPki pki_ = MakeTestPki(dir_.path());
};

TEST_F(DeliveryTlsTest, MutualTlsWithClientCertificate) {
  TestReceiver receiver({.tls = {pki_.server_cert, pki_.server_key, pki_.ca_cert}});
  HeraldServer server({.config_yaml = NotifierYaml(
                           receiver.Url(), "",
                           "      cafile: " + pki_.ca_cert + "\n      certfile: " +
                               pki_.client_cert + "\n      keyfile: " + pki_.client_key + "\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-MTLS");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  EXPECT_EQ(receiver.RequestsFor(name).size(), 1u);
}

TEST_F(DeliveryTlsTest, MissingClientCertificateFails) {
  TestReceiver receiver({.tls = {pki_.server_cert, pki_.server_key, pki_.ca_cert}});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "    attempts: 1\n",
                                                   "      cafile: " + pki_.ca_cert + "\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-NO-CLIENT-CERT");
  ASSERT_TRUE(api.WaitForStatus(name, "failed", seconds(10)));
  auto d = api.WaitForDeliveries(name, 1, seconds(5));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0]["Outcome"], "failure");
  EXPECT_FALSE(d[0].contains("HTTPStatus"));
  EXPECT_FALSE(d[0]["Error"].get<std::string>().empty());
}

TEST_F(DeliveryTlsTest, ServerNameOverrideWithoutClientCertificate) {
  TestReceiver receiver({.tls = {pki_.named_server_cert, pki_.named_server_key, ""}});
  HeraldServer good({.config_yaml = NotifierYaml(
                         receiver.Url(), "",
                         "      cafile: " + pki_.ca_cert + "\n      servername: receiver.test\n")});
  good.Start();
  Api api(good);
  const std::string name = api.MakeNotification("CVE-SERVERNAME");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10))) << api.Deliveries(name);
  // The name is the handshake's, as with Go's tls.Config.ServerName: SNI
  // says it (a server choosing certificates by name gets it right), while
  // the Host header still names the endpoint.
  ASSERT_FALSE(receiver.ServerNames().empty());
  EXPECT_EQ(receiver.ServerNames().front(), "receiver.test");
  const auto requests = receiver.RequestsFor(name);
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].headers.at("host"), "127.0.0.1:" + std::to_string(receiver.port()));

  // Without the override the certificate does not match 127.0.0.1.
  HeraldServer bad({.config_yaml = NotifierYaml(receiver.Url(), "    attempts: 1\n",
                                                "      cafile: " + pki_.ca_cert + "\n")});
  bad.Start();
  Api bad_api(bad);
  const std::string refused = bad_api.MakeNotification("CVE-WRONG-NAME");
  ASSERT_TRUE(bad_api.WaitForStatus(refused, "failed", seconds(10)))
      << bad_api.Status(refused) << bad_api.Deliveries(refused) << bad.Log();
}

// An override naming something the certificate does not carry is refused:
// the name is checked, not just sent.
TEST_F(DeliveryTlsTest, AWrongServerNameIsRefused) {
  TestReceiver receiver({.tls = {pki_.named_server_cert, pki_.named_server_key, ""}});
  HeraldServer server({.config_yaml = NotifierYaml(
                           receiver.Url(), "    attempts: 1\n",
                           "      cafile: " + pki_.ca_cert + "\n      servername: other.test\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-OTHER-NAME");
  ASSERT_TRUE(api.WaitForStatus(name, "failed", seconds(10))) << api.Deliveries(name);
  auto d = api.WaitForDeliveries(name, 1, seconds(5));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_FALSE(d[0].contains("HTTPStatus"));
  EXPECT_NE(d[0]["Error"].get<std::string>().find("other.test"), std::string::npos) << d;
  EXPECT_TRUE(receiver.RequestsFor(name).empty());
}

}  // namespace
}  // namespace herald::testing
