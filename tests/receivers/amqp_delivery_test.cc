// A real `herald serve` delivering to the private RabbitMQ node over AMQP
// (SPEC §9, issue 10): the message on the wire, the broker's faults, and a
// broker killed mid-backlog.
#include <gtest/gtest.h>

#include <set>

#include "delivery_fixture.h"
#include "direct_chunks_check.h"
#include "support/rabbitmq.h"
#include "util/uuid.h"

namespace herald::testing {
namespace {

class AmqpDeliveryTest : public ::testing::Test {
 protected:
  AmqpDeliveryTest()
      : node_(RabbitMqNode::Shared()),
        exchange_("herald-e2e-" + util::NewUuid().substr(0, 8)),
        queue_(exchange_ + "-q"),
        client_(node_.AmqpUri()) {
    client_.DeclareExchange(exchange_);
  }
  ~AmqpDeliveryTest() override {
    try {
      AmqpTestClient client(node_.AmqpUri());
      client.DeleteQueue(queue_);
      client.DeleteExchange(exchange_);
    } catch (const std::exception&) {
      // The broker may be the one a failed test left down.
    }
  }

  std::string Yaml(const std::string& uri, const std::string& notifier_extra = "",
                   const std::string& amqp_extra = "") {
    return "clair:\n  notifier:\n" + notifier_extra + "    amqp:\n      uri: " + uri +
           "\n      exchange: " + exchange_ + "\n      routingKey: notifications\n" + amqp_extra;
  }

  RabbitMqNode& node_;
  const std::string exchange_;
  const std::string queue_;
  AmqpTestClient client_;
};

TEST_F(AmqpDeliveryTest, EachNotificationIsOnePersistentConfirmedMessage) {
  client_.DeclareQueue(queue_, exchange_, "notifications");
  HeraldServer server({.config_yaml = Yaml(node_.AmqpUri())});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-AMQP-1");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(20))) << server.Log();

  const std::vector<AmqpMessage> messages = client_.Drain(queue_);
  ASSERT_EQ(messages.size(), 1u);
  const AmqpMessage& m = messages[0];
  EXPECT_EQ(m.body, R"({"Notification":{"Name":")" + name + R"("}})");
  EXPECT_EQ(m.message_id, name + ".1");  // as webhook-id: <name>.<round>
  EXPECT_EQ(m.content_type, "application/json");
  EXPECT_EQ(m.delivery_mode, 2);  // persistent
  EXPECT_EQ(m.exchange, exchange_);
  EXPECT_EQ(m.routing_key, "notifications");

  json attempt = api.WaitForDeliveries(name, 1, seconds(10)).at(0);
  attempt.erase("Started");
  attempt.erase("DurationMs");
  EXPECT_EQ(attempt, json::parse(R"({"Receiver": "amqp", "Round": 1, "Attempt": 1,
                                     "Outcome": "success"})"));
  HttpClient http;
  const std::string metrics = http.Get(server.HealthUrl() + "/metrics").body;
  EXPECT_NE(metrics.find(R"(herald_notifier_deliveries_total{backend="amqp",outcome="success"} 1)"),
            std::string::npos)
      << metrics;
  EXPECT_EQ(http.Get(server.HealthUrl() + "/health").body, "");
}

// direct: true — the message is the notification itself, in chunks of
// 1,000 layer names, each its own confirmed message.
TEST_F(AmqpDeliveryTest, DirectDeliveryCarriesTheWholeNotificationInChunks) {
  client_.DeclareQueue(queue_, exchange_, "notifications");
  HeraldServer server({.config_yaml = Yaml(node_.AmqpUri(), "", "      direct: true\n")});
  server.Start();
  Api api(server);
  api.MakeLayers("direct-", "debian:8", "libdirect", 1500);
  auto r = api.client().Post(
      api.base() + "/v1/namespaces/debian:8/vulnerabilities",
      R"({"Vulnerability":{"Name":"CVE-DIRECT","Severity":"High","Description":"in every chunk",)"
      R"("FixedIn":[{"Name":"libdirect","Version":"2.0"}]}})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string name = api.Newest();
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(30))) << server.Log();

  const std::vector<AmqpMessage> messages = client_.Drain(queue_);
  std::vector<std::string> bodies;
  for (const AmqpMessage& m : messages) bodies.push_back(m.body);
  ExpectDirectChunks(api, name, bodies, 1500);
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].message_id, name + ".1.1");
  EXPECT_EQ(messages[1].message_id, name + ".1.2");
  for (const AmqpMessage& m : messages) EXPECT_EQ(m.delivery_mode, 2);
  // One attempt, confirmed once both chunks were.
  const json attempts = api.WaitForDeliveries(name, 1, seconds(10));
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0]["Outcome"], "success");
}

// No queue bound: the broker returns the message (mandatory), and the
// attempt fails even though the broker then acks it.
TEST_F(AmqpDeliveryTest, AnUnroutableMessageIsAFailedAttempt) {
  HeraldServer server({.config_yaml = Yaml(node_.AmqpUri(), "    attempts: 1\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-AMQP-NOQUEUE");
  ASSERT_TRUE(api.WaitForStatus(name, "failed", seconds(20))) << server.Log();
  const json attempt = api.WaitForDeliveries(name, 1, seconds(10)).at(0);
  EXPECT_EQ(attempt["Outcome"], "failure");
  EXPECT_NE(attempt["Error"].get<std::string>().find("312 NO_ROUTE"), std::string::npos) << attempt;
}

TEST_F(AmqpDeliveryTest, AFullQueueNacksAndNothingNackedIsMarkedNotified) {
  client_.DeclareQueue(queue_, exchange_, "notifications", /*max_length=*/1);
  HeraldServer server({.config_yaml = Yaml(node_.AmqpUri(), "    attempts: 2\n")});
  server.Start();
  Api api(server);
  std::vector<std::string> names;
  for (const char* cve : {"CVE-FULL-1", "CVE-FULL-2", "CVE-FULL-3"}) {
    names.push_back(api.MakeNotification(cve));
  }
  int notified = 0, failed = 0;
  for (const auto& name : names) {
    // Each round ends one way or the other; only one message fits.
    ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(1)) ||
                api.WaitForStatus(name, "failed", seconds(20)))
        << name << "\n"
        << server.Log();
    if (api.Status(name) == "notified") {
      ++notified;
    } else {
      ++failed;
      const json attempts = api.WaitForDeliveries(name, 2, seconds(10));
      ASSERT_EQ(attempts.size(), 2u);
      for (const json& a : attempts) {
        EXPECT_EQ(a["Outcome"], "failure");
        EXPECT_NE(a["Error"].get<std::string>().find("nacked"), std::string::npos) << a;
      }
    }
  }
  EXPECT_EQ(notified, 1);
  EXPECT_EQ(failed, 2);
  EXPECT_EQ(client_.Count(queue_), 1u);
}

TEST_F(AmqpDeliveryTest, ALoginTheBrokerRefusesIsReportedAndRetriedUntilItWorks) {
  client_.DeclareQueue(queue_, exchange_, "notifications");
  const std::string user = "herald-" + util::NewUuid().substr(0, 8);
  HeraldServer server({.config_yaml = Yaml(node_.AmqpUri(user, "s3cret"), "    attempts: 20\n")});
  server.Start();
  Api api(server);
  // At start-up: in the log, and in /health, which stays 200 (restarting
  // Herald would not help) but names the receiver and why.
  HttpClient http;
  json health;
  const auto give_up = std::chrono::steady_clock::now() + seconds(20);
  while (std::chrono::steady_clock::now() < give_up) {
    const auto r = http.Get(server.HealthUrl() + "/health");
    ASSERT_EQ(r.status, 200);
    if (!r.body.empty()) {
      health = json::parse(r.body);
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));  // an observation per poll
  }
  ASSERT_TRUE(health.contains("Receivers")) << server.Log();
  const std::string why = health["Receivers"]["amqp"];
  EXPECT_NE(why.find("login"), std::string::npos) << why;
  EXPECT_NE(server.Log().find(why), std::string::npos) << server.Log();
  EXPECT_EQ(why.find("s3cret"), std::string::npos) << why;

  const std::string name = api.MakeNotification("CVE-AMQP-LOGIN");
  ASSERT_GE(api.WaitForDeliveries(name, 1, seconds(20)).size(), 1u);
  EXPECT_EQ(api.Status(name), "pending");
  // Once the broker knows the user, the retries get through.
  node_.Ctl({"add_user", user, "s3cret"});
  node_.Ctl({"set_permissions", "-p", "/", user, ".*", ".*", ".*"});
  EXPECT_TRUE(api.WaitForStatus(name, "notified", seconds(60))) << server.Log();
  node_.Ctl({"delete_user", user});
  EXPECT_EQ(client_.Count(queue_), 1u);
}

TEST_F(AmqpDeliveryTest, AmqpsWithACaAndAClientCertificate) {
  client_.DeclareQueue(queue_, exchange_, "notifications");
  HeraldServer server(
      {.config_yaml = Yaml(node_.AmqpsUri(), "",
                           "      cafile: " + node_.TlsFile("ca.pem") +
                               "\n      certfile: " + node_.TlsFile("client.pem") +
                               "\n      keyfile: " + node_.TlsFile("client.key") + "\n")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-AMQPS");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(20))) << server.Log();
  EXPECT_EQ(client_.Count(queue_), 1u);
}

// The broker killed with kill -9 mid-backlog: once it is back, every
// notification is in the queue. Duplicates are allowed (a message the
// broker stored but never confirmed is sent again); losses are not.
TEST_F(AmqpDeliveryTest, TheBrokerKilledMidBacklogLosesNothing) {
  client_.DeclareQueue(queue_, exchange_, "notifications");
  constexpr int kBacklog = 2000;
  TempDir dir;
  const std::string database = dir.File("herald.db");
  std::vector<std::string> names;
  {
    // The backlog is made with no receiver configured: it waits, pending.
    HeraldServer maker({.database = database});
    maker.Start();
    Api api(maker);
    for (int i = 0; i < kBacklog; ++i) {
      const auto r = api.client().Post(api.base() + "/v1/namespaces/debian:8/vulnerabilities",
                                       R"({"Vulnerability":{"Name":"CVE-BACKLOG-)" +
                                           std::to_string(i) + R"(","Severity":"Low"}})");
      ASSERT_EQ(r.status, 201) << r.body;
    }
    const json all =
        json::parse(api.client().Get(api.base() + "/v1/notifications?limit=10000").body);
    for (const json& n : all["Notifications"]) names.push_back(n["Name"]);
    ASSERT_EQ(names.size(), static_cast<std::size_t>(kBacklog));
    maker.Stop(SIGTERM);
  }

  HeraldServer server(
      {.config_yaml = Yaml(node_.AmqpUri(), "    attempts: 100\n"), .database = database});
  server.Start();
  Api api(server);
  // Kill the broker once part of the backlog is in.
  const auto give_up = std::chrono::steady_clock::now() + seconds(60);
  while (client_.Count(queue_) < kBacklog / 5 && std::chrono::steady_clock::now() < give_up) {
    std::this_thread::sleep_for(milliseconds(5));  // an observation per poll
  }
  ASSERT_LT(client_.Count(queue_), static_cast<std::uint32_t>(kBacklog)) << "too late to kill";
  node_.Kill();
  node_.Serve();

  const auto done = std::chrono::steady_clock::now() + seconds(120);
  std::size_t notified = 0;
  while (std::chrono::steady_clock::now() < done) {
    const json page = json::parse(
        api.client().Get(api.base() + "/v1/notifications?status=notified&limit=10000").body);
    notified = page["Notifications"].size();
    if (notified == static_cast<std::size_t>(kBacklog)) break;
    std::this_thread::sleep_for(milliseconds(100));  // an observation per poll
  }
  ASSERT_EQ(notified, static_cast<std::size_t>(kBacklog)) << server.Log();

  AmqpTestClient after(node_.AmqpUri());
  std::set<std::string> arrived;
  std::size_t messages = 0;
  for (const AmqpMessage& m : after.Drain(queue_)) {
    ++messages;
    arrived.insert(json::parse(m.body)["Notification"]["Name"].get<std::string>());
  }
  for (const auto& name : names) EXPECT_EQ(arrived.count(name), 1u) << name;
  RecordProperty("messages", static_cast<int>(messages));
  RecordProperty("duplicates", static_cast<int>(messages - arrived.size()));
}

}  // namespace
}  // namespace herald::testing
