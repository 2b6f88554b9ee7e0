// Named webhooks (SPEC §9, issue 10): notifier.webhooks.<name> beside
// Clair v1's http receiver, each a receiver of its own with its own outcome.
#include "delivery_fixture.h"
#include "util/crypto.h"

namespace herald::testing {
namespace {

// Each receiver's attempts in the delivery log, by receiver key.
std::map<std::string, std::vector<json>> ByReceiver(const json& deliveries) {
  std::map<std::string, std::vector<json>> out;
  for (const json& d : deliveries) out[d["Receiver"].get<std::string>()].push_back(d);
  return out;
}

TEST(NamedWebhooksTest, EachWebhookGetsEveryNotificationAndKeepsItsOwnOutcome) {
  TestReceiver clair_v1({});
  // The team's endpoint fails twice before it takes the notification.
  TestReceiver team({.policy = [](const ReceivedRequest&, int seen) {
    return ReceiverAnswer{seen < 2 ? 503 : 200, {}};
  }});
  const std::string secret = "whsec_" + util::Base64Encode("the team's signing key");
  HeraldServer server({.config_yaml = NotifierYaml(clair_v1.Url(), "    attempts: 3\n") +
                                      "    webhooks:\n"
                                      "      security-team:\n"
                                      "        endpoint: " +
                                      team.Url() + "\n        secret: " + secret + "\n"});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-NAMED");

  ASSERT_TRUE(team.WaitUntil(CountFor(name, 3), seconds(20)));
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  // The webhook that succeeded at once was not sent it again while the
  // other one retried.
  EXPECT_EQ(clair_v1.RequestsFor(name).size(), 1u);
  EXPECT_EQ(team.RequestsFor(name).size(), 3u);
  // Same body for both; only the named webhook with a secret signs.
  const ReceivedRequest first = clair_v1.RequestsFor(name).front();
  const ReceivedRequest signed_request = team.RequestsFor(name).back();
  EXPECT_EQ(first.body, signed_request.body);
  EXPECT_EQ(first.headers.count("webhook-signature"), 0u);
  EXPECT_EQ(signed_request.headers.at("webhook-id"), name + ".1");
  EXPECT_EQ(signed_request.headers.count("webhook-signature"), 1u);

  const auto by = ByReceiver(api.WaitForDeliveries(name, 4, seconds(10)));
  ASSERT_EQ(by.size(), 2u);
  ASSERT_EQ(by.at("http").size(), 1u);
  EXPECT_EQ(by.at("http")[0]["Outcome"], "success");
  const auto& attempts = by.at("webhooks.security-team");
  ASSERT_EQ(attempts.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(attempts[i]["Round"], 1);
    EXPECT_EQ(attempts[i]["Attempt"], i + 1);
    EXPECT_EQ(attempts[i]["Outcome"], i < 2 ? "failure" : "success");
  }
}

TEST(NamedWebhooksTest, ARoundFailsWhenOneWebhookRunsOutOfAttempts) {
  TestReceiver ok({});
  TestReceiver down({.policy = [](const ReceivedRequest&, int) {
    return ReceiverAnswer{500, {}};
  }});
  HeraldServer server(
      {.config_yaml = "clair:\n  notifier:\n    attempts: 2\n    webhooks:\n      ok:\n"
                      "        endpoint: " +
                      ok.Url() + "\n      down:\n        endpoint: " + down.Url() + "\n"});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-HALF");
  ASSERT_TRUE(api.WaitForStatus(name, "failed", seconds(20)));
  EXPECT_EQ(ok.RequestsFor(name).size(), 1u);
  EXPECT_EQ(down.RequestsFor(name).size(), 2u);
  const auto by = ByReceiver(api.WaitForDeliveries(name, 3, seconds(10)));
  EXPECT_EQ(by.at("webhooks.ok").size(), 1u);
  EXPECT_EQ(by.at("webhooks.down").size(), 2u);
  // The metrics carry each webhook under its own receiver key.
  HttpClient client;
  const std::string metrics = client.Get(server.HealthUrl() + "/metrics").body;
  EXPECT_NE(metrics.find("backend=\"webhooks.ok\""), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("backend=\"webhooks.down\""), std::string::npos) << metrics;
}

// Filters (SPEC §9): a webhook is sent only what its filter matches; what
// it leaves out is logged `filtered`, with no request, and counts as done.
TEST(NamedWebhooksTest, FiltersChooseWhatEachWebhookIsSent) {
  TestReceiver all({});
  TestReceiver critical({});
  TestReceiver alpine({});
  HeraldServer server(
      {.config_yaml = "clair:\n  notifier:\n    http:\n      endpoint: " + all.Url() +
                      "\n    webhooks:\n"
                      "      critical:\n        endpoint: " +
                      critical.Url() +
                      "\n        filter: {minSeverity: Critical}\n"
                      "      alpine:\n        endpoint: " +
                      alpine.Url() + "\n        filter: {namespaces: [\"alpine:*\"]}\n"});
  server.Start();
  Api api(server);
  const std::string high = api.MakeNotification("CVE-HIGH", "debian:8", "High");
  const std::string worst = api.MakeNotification("CVE-WORST", "alpine:v3.18", "Critical");

  ASSERT_TRUE(api.WaitForStatus(high, "notified", seconds(20)));
  ASSERT_TRUE(api.WaitForStatus(worst, "notified", seconds(20)));
  EXPECT_EQ(all.RequestsFor(high).size(), 1u);
  EXPECT_EQ(critical.RequestsFor(high).size(), 0u);
  EXPECT_EQ(alpine.RequestsFor(high).size(), 0u);
  for (TestReceiver* receiver : {&all, &critical, &alpine}) {
    EXPECT_EQ(receiver->RequestsFor(worst).size(), 1u);
  }

  const auto by = ByReceiver(api.WaitForDeliveries(high, 3, seconds(10)));
  ASSERT_EQ(by.at("webhooks.critical").size(), 1u);
  json filtered = by.at("webhooks.critical")[0];
  filtered.erase("Started");
  EXPECT_EQ(filtered, json::parse(R"({"Receiver": "webhooks.critical", "Round": 1, "Attempt": 1,
      "DurationMs": 0, "Outcome": "filtered",
      "Error": "severity High is below minSeverity Critical"})"));
  ASSERT_EQ(by.at("webhooks.alpine").size(), 1u);
  EXPECT_EQ(by.at("webhooks.alpine")[0]["Outcome"], "filtered");
  EXPECT_EQ(by.at("webhooks.alpine")[0]["Error"],
            "namespace debian:8 is not in the filter's namespaces");
  EXPECT_EQ(by.at("http")[0]["Outcome"], "success");

  HttpClient client;
  const std::string metrics = client.Get(server.HealthUrl() + "/metrics").body;
  EXPECT_NE(metrics.find("herald_notifier_deliveries_total{backend=\"webhooks.critical\","
                         "outcome=\"filtered\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("herald_notifier_deliveries_total{backend=\"webhooks.critical\","
                         "outcome=\"success\"} 1"),
            std::string::npos)
      << metrics;
}

TEST(NamedWebhooksTest, AMalformedNamedWebhookIsRefusedNamingItsKey) {
  TempDir dir;
  WriteFile(dir.File("config.yaml"),
            "clair:\n  notifier:\n    webhooks:\n      team:\n"
            "        endpoint: http://127.0.0.1:9/\n        secret: \"not base64!\"\n");
  for (const char* command : {"check-config", "serve"}) {
    SCOPED_TRACE(command);
    const CommandResult r = RunCommand(
        {HeraldBinary(), command, "-c", dir.File("config.yaml"), "--database", dir.File("x.db")});
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("clair.notifier.webhooks.team.secret"), std::string::npos) << r.output;
  }
}

}  // namespace
}  // namespace herald::testing
