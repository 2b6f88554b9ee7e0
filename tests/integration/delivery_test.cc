// Delivery through the real binary to a real HTTP receiver (SPEC §5).
#include <set>

#include "delivery_fixture.h"
#include "receivers/webhook/signature.h"
#include "util/crypto.h"

namespace herald::testing {
namespace {

// With no `proxy` in the config, the environment's proxy is used, as
// libcurl would (Herald reads it once at start instead of per request).
TEST(DeliveryTest, TheEnvironmentsProxyCarriesRequestsWhenTheConfigNamesNone) {
  TestReceiver proxy({});
  const std::string proxy_url = proxy.Url().substr(0, proxy.Url().size() - 5);  // without /hook
  HeraldServer server(
      {.config_yaml = NotifierYaml("http://hooks.herald-test.invalid/hook", ""),
       .command_prefix = {"env", "http_proxy=" + proxy_url, "no_proxy=", "NO_PROXY="}});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-PROXY");
  ASSERT_TRUE(proxy.WaitUntil(CountAtLeast(1), seconds(10))) << server.Log();
  const auto r = proxy.Requests().front();
  EXPECT_EQ(r.target, "http://hooks.herald-test.invalid/hook");  // a proxy request
  EXPECT_EQ(r.notification, name);
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
}

TEST(DeliveryTest, NoProxyInTheEnvironmentExemptsItsHosts) {
  TestReceiver proxy({});
  TestReceiver receiver({});
  const std::string proxy_url = proxy.Url().substr(0, proxy.Url().size() - 5);
  HeraldServer server(
      {.config_yaml = NotifierYaml(receiver.Url(), ""),
       .command_prefix = {"env", "http_proxy=" + proxy_url, "no_proxy=localhost,127.0.0.1"}});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-NOPROXY");
  ASSERT_TRUE(receiver.WaitUntil(CountAtLeast(1), seconds(10))) << server.Log();
  EXPECT_EQ(receiver.Requests().front().target, "/hook");
  EXPECT_TRUE(proxy.Requests().empty());
}

TEST(DeliveryTest, ExactPayloadAndHeaders) {
  TestReceiver receiver({});
  HeraldServer server(
      {.config_yaml = NotifierYaml(receiver.Url(), "", "      headers:\n        X-Team: sec\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-PAYLOAD");
  ASSERT_TRUE(receiver.WaitUntil(CountAtLeast(1), seconds(10)));
  auto r = receiver.Requests().front();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hook");
  EXPECT_EQ(r.body, R"({"Notification":{"Name":")" + name + R"("}})");
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers["x-team"], "sec");
  EXPECT_EQ(r.headers.count("webhook-signature"), 0u);  // no secret, no signature
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  auto listed = json::parse(api.client().Get(api.base() + "/v1/notifications?limit=1").body);
  EXPECT_TRUE(listed["Notifications"][0]["Notified"].is_string());
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(DeliveryTest, CallbackFieldWhenConfigured) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "",
                                                   "      callback: https://herald.example/\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-CALLBACK");
  ASSERT_TRUE(receiver.WaitUntil(CountAtLeast(1), seconds(10)));
  EXPECT_EQ(receiver.Requests().front().body,
            R"({"Notification":{"Name":")" + name +
                R"(","Callback":"https://herald.example/v1/notifications/)" + name + R"("}})");
}

TEST(DeliveryTest, StandardWebhooksSignatureVerifies) {
  const std::string key = "a signing key of some length";
  const std::string secret = "whsec_" + util::Base64Encode(key);
  TestReceiver receiver({});
  HeraldServer server(
      {.config_yaml = NotifierYaml(receiver.Url(), "", "      secret: " + secret + "\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-SIGNED");
  ASSERT_TRUE(receiver.WaitUntil(CountAtLeast(1), seconds(10)));
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  // A redeliver is round 2: a receiver that de-duplicates on webhook-id must
  // still see it, so the id changes with the round (SPEC §5).
  ASSERT_EQ(api.client().Post(api.base() + "/v1/notifications/" + name + "/redeliver", "").status,
            202);
  ASSERT_TRUE(receiver.WaitUntil(CountAtLeast(2), seconds(10)));
  const auto requests = receiver.Requests();
  for (int round = 1; round <= 2; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    auto r = requests[round - 1];
    const std::string id = name + "." + std::to_string(round);
    EXPECT_EQ(r.headers["webhook-id"], id);
    const std::int64_t ts = std::stoll(r.headers["webhook-timestamp"]);
    const std::int64_t now =
        std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_LE(std::llabs(now - ts), 60);
    // Verify as a receiver would: HMAC-SHA256 over "id.timestamp.body".
    const std::string expected = "v1," + util::Base64Encode(util::HmacSha256(
                                             key, id + "." + std::to_string(ts) + "." + r.body));
    EXPECT_EQ(r.headers["webhook-signature"], expected);
    // A tampered body would not verify.
    EXPECT_NE(receivers::webhook::Sign(key, id, ts, r.body + " "), r.headers["webhook-signature"]);
  }
}

TEST(DeliveryTest, RetriesWithBackoffUntilSuccess) {
  TestReceiver receiver({.policy = [](const ReceivedRequest&, int seen) {
    return ReceiverAnswer{seen < 2 ? 500 : 200, {}};
  }});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "    attempts: 3\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-RETRY");
  ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 3), seconds(20)));
  auto rs = receiver.RequestsFor(name);
  // Backoff: 1 s then 2 s, each within ±25 %.
  EXPECT_GE(rs[1].at - rs[0].at, milliseconds(750));
  EXPECT_GE(rs[2].at - rs[1].at, milliseconds(1500));
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  auto d = api.WaitForDeliveries(name, 3, seconds(10));
  ASSERT_EQ(d.size(), 3u) << d;
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(d[i]["Receiver"], "http");
    EXPECT_EQ(d[i]["Round"], 1);
    EXPECT_EQ(d[i]["Attempt"], i + 1);
    EXPECT_TRUE(d[i]["Started"].is_string());
    EXPECT_TRUE(d[i]["DurationMs"].is_number_integer());
  }
  EXPECT_EQ(d[0]["Outcome"], "failure");
  EXPECT_EQ(d[0]["HTTPStatus"], 500);
  EXPECT_EQ(d[0]["Error"], "HTTP 500");
  EXPECT_EQ(d[2]["Outcome"], "success");
  EXPECT_EQ(d[2]["HTTPStatus"], 200);
  EXPECT_FALSE(d[2].contains("Error"));
}

TEST(DeliveryTest, RetryAfterIsHonoured) {
  TestReceiver receiver({.policy = [](const ReceivedRequest&, int seen) {
    if (seen == 0) return ReceiverAnswer{503, {{"Retry-After", "3"}}};
    return ReceiverAnswer{200, {}};
  }});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-RETRY-AFTER");
  ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 2), seconds(20)));
  auto rs = receiver.RequestsFor(name);
  // Without the hint the wait would be about 1 s.
  EXPECT_GE(rs[1].at - rs[0].at, milliseconds(2900));
}

TEST(DeliveryTest, AFailingNotificationDoesNotDelayOthers) {
  std::string poisoned;
  std::mutex mu;
  TestReceiver receiver({.policy = [&](const ReceivedRequest& r, int) {
    std::lock_guard lock(mu);
    return ReceiverAnswer{r.notification == poisoned ? 500 : 200, {}};
  }});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "    attempts: 4\n")});
  server.Start();
  Api api(server);
  {
    std::lock_guard lock(mu);
    poisoned = api.MakeNotification("CVE-POISON");
  }
  ASSERT_TRUE(receiver.WaitUntil(CountFor(poisoned, 1), seconds(10)));
  std::vector<std::string> others;
  for (int i = 0; i < 100; ++i)
    others.push_back(api.MakeNotification("CVE-OTHER-" + std::to_string(i)));
  ASSERT_TRUE(receiver.WaitUntil(
      [&](const std::vector<ReceivedRequest>& rs) {
        std::set<std::string> ok;
        for (const auto& r : rs) {
          if (r.answered == 200) ok.insert(r.notification);
        }
        return ok.size() >= 100;
      },
      seconds(20)));
  // All 100 went through while the failing one was still in its backoff:
  // it had not used its fourth attempt (due 1 + 2 + 4 s ± 25 % after the
  // first, so at least 5.25 s).
  EXPECT_LT(receiver.RequestsFor(poisoned).size(), 4u);
}

TEST(DeliveryTest, ExhaustedAttemptsFailTheRoundUntilRenotify) {
  TestReceiver receiver({.policy = [](const ReceivedRequest&, int) {
    return ReceiverAnswer{500, {}};
  }});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(),
                                                   "    attempts: 2\n"
                                                   "    renotifyInterval: 1h\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-EXHAUST");
  ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 2), seconds(20)));
  ASSERT_TRUE(api.WaitForStatus(name, "failed", seconds(10)));
  // A third attempt would come about 2 s later with backoff, or at once in a
  // hot loop; within the renotify interval none may come.
  EXPECT_FALSE(receiver.WaitUntil(CountFor(name, 3), seconds(4)));
  auto failed = json::parse(api.client().Get(api.base() + "/v1/notifications?status=failed").body);
  ASSERT_EQ(failed["Notifications"].size(), 1u);
  EXPECT_EQ(failed["Notifications"][0]["Name"], name);
}

TEST(DeliveryTest, RenotifiesUntilDeletedThenNeverAgain) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "    renotifyInterval: 1s\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-RENOTIFY");
  ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 2), seconds(10)));
  auto rs = receiver.RequestsFor(name);
  EXPECT_GE(rs[1].at - rs[0].at, milliseconds(900));
  auto d = api.WaitForDeliveries(name, 2, seconds(10));
  ASSERT_GE(d.size(), 2u);
  EXPECT_EQ(d[1]["Round"], 2);
  EXPECT_EQ(d[1]["Attempt"], 1);

  ASSERT_EQ(api.client().Delete(api.base() + "/v1/notifications/" + name).status, 200);
  const std::size_t after_delete = receiver.RequestsFor(name).size();
  // One request may have been in flight during the DELETE; after that, the
  // next renotify (every second) must never come.
  EXPECT_FALSE(receiver.WaitUntil(CountFor(name, after_delete + 2), seconds(3)));
  EXPECT_EQ(api.Status(name), "deleted");
}

TEST(DeliveryTest, RedeliverStartsANewRound) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-REDELIVER");
  ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 1), seconds(10)));
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  auto r = api.client().Post(api.base() + "/v1/notifications/" + name + "/redeliver", "");
  EXPECT_EQ(r.status, 202) << r.body;
  ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 2), seconds(10)));
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  EXPECT_EQ(api.WaitForDeliveries(name, 2, seconds(10))[1]["Round"], 2);

  EXPECT_EQ(api.client().Post(api.base() + "/v1/notifications/nope/redeliver", "").status, 404);
  ASSERT_EQ(api.client().Delete(api.base() + "/v1/notifications/" + name).status, 200);
  auto gone = api.client().Post(api.base() + "/v1/notifications/" + name + "/redeliver", "");
  EXPECT_EQ(gone.status, 409);
  EXPECT_TRUE(json::parse(gone.body)["Error"]["Message"].is_string());
  EXPECT_EQ(api.client().Get(api.base() + "/v1/notifications/nope/deliveries").status, 404);
}

TEST(DeliveryTest, IdleNotifierSendsWithinOneSecond) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  Api api(server);
  for (int i = 0; i < 5; ++i) {
    const auto posted = std::chrono::steady_clock::now();
    const std::string name = api.MakeNotification("CVE-IDLE-" + std::to_string(i));
    ASSERT_TRUE(receiver.WaitUntil(CountFor(name, 1), seconds(5)));
    EXPECT_LT(receiver.RequestsFor(name)[0].at - posted, seconds(1));
  }
}

TEST(DeliveryTest, WithoutReceiversTheNotifierIsDisabledAndTheApiServes) {
  HeraldServer server({});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-NO-RECEIVER");
  EXPECT_EQ(api.Status(name), "pending");
  EXPECT_NE(server.Log().find("notifier disabled"), std::string::npos) << server.Log();
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(DeliveryTest, MetricsCountDeliveries) {
  TestReceiver receiver({.policy = [](const ReceivedRequest&, int seen) {
    return ReceiverAnswer{seen == 0 ? 500 : 200, {}};
  }});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-METRICS");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(20)));
  const std::string text = api.client().Get(api.base() + "/v1/metrics").body;
  for (const char* line :
       {R"(herald_notifier_deliveries_total{backend="http",outcome="success"} 1)",
        R"(herald_notifier_deliveries_total{backend="http",outcome="failure"} 1)",
        R"(clair_notifier_backend_errors_total{backend="http"} 1)",
        R"(clair_notifier_latency_milliseconds_count 1)",
        R"(clair_notifier_latency_milliseconds_bucket{le="3600000"} 1)",
        "herald_notifier_lease_lost_total 0", "herald_notifier_pending"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line << "\n" << text;
  }
}

}  // namespace
}  // namespace herald::testing
