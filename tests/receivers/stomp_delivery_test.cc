// A real `herald serve` delivering over STOMP 1.2 to the private RabbitMQ
// node's STOMP plugin (SPEC §9, issue 10); the queue is read over AMQP.
#include <gtest/gtest.h>

#include "delivery_fixture.h"
#include "direct_chunks_check.h"
#include "support/rabbitmq.h"
#include "util/uuid.h"

namespace herald::testing {
namespace {

class StompDeliveryTest : public ::testing::Test {
 protected:
  StompDeliveryTest()
      : node_(RabbitMqNode::Shared()),
        queue_("herald-stomp-e2e-" + util::NewUuid().substr(0, 8)),
        client_(node_.AmqpUri()) {
    client_.DeclareQueue(queue_, "", queue_);
  }
  ~StompDeliveryTest() override {
    try {
      client_.DeleteQueue(queue_);
    } catch (const std::exception&) {
    }
  }
  std::string Yaml(const std::string& passcode, const std::string& stomp_extra = "") {
    return "clair:\n  notifier:\n    attempts: 20\n    stomp:\n      address: 127.0.0.1:" +
           std::to_string(node_.stomp_port()) + "\n      destination: /queue/" + queue_ +
           "\n      login: guest\n      passcode: " + passcode + "\n" + stomp_extra;
  }

  RabbitMqNode& node_;
  const std::string queue_;
  AmqpTestClient client_;
};

TEST_F(StompDeliveryTest, EachNotificationIsOneSendConfirmedByItsReceipt) {
  HeraldServer server({.config_yaml = Yaml("guest")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-STOMP-1");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(20))) << server.Log();

  const std::vector<AmqpMessage> messages = client_.Drain(queue_);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, R"({"Notification":{"Name":")" + name + R"("}})");
  EXPECT_EQ(messages[0].content_type, "application/json");
  EXPECT_EQ(messages[0].delivery_mode, 2);  // persistent:true

  json attempt = api.WaitForDeliveries(name, 1, seconds(10)).at(0);
  attempt.erase("Started");
  attempt.erase("DurationMs");
  EXPECT_EQ(attempt, json::parse(R"({"Receiver": "stomp", "Round": 1, "Attempt": 1,
                                     "Outcome": "success"})"));
  HttpClient http;
  const std::string metrics = http.Get(server.HealthUrl() + "/metrics").body;
  EXPECT_NE(
      metrics.find(R"(herald_notifier_deliveries_total{backend="stomp",outcome="success"} 1)"),
      std::string::npos)
      << metrics;
}

// direct: true — each chunk of the notification is its own SEND, and the
// attempt succeeds on the last receipt.
TEST_F(StompDeliveryTest, DirectDeliverySendsEachChunkWithItsOwnReceipt) {
  HeraldServer server({.config_yaml = Yaml("guest", "      direct: true\n")});
  server.Start();
  Api api(server);
  api.MakeLayers("stomp-direct-", "debian:8", "libsd", 1001);
  auto r = api.client().Post(api.base() + "/v1/namespaces/debian:8/vulnerabilities",
                             R"({"Vulnerability":{"Name":"CVE-STOMP-DIRECT","Severity":"Low",)"
                             R"("FixedIn":[{"Name":"libsd","Version":"2.0"}]}})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string name = api.Newest();
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(30))) << server.Log();
  std::vector<std::string> bodies;
  for (const AmqpMessage& m : client_.Drain(queue_)) bodies.push_back(m.body);
  ExpectDirectChunks(api, name, bodies, 1001);
}

TEST_F(StompDeliveryTest, ALoginTheBrokerRefusesIsInHealthAndNothingIsNotified) {
  HeraldServer server({.config_yaml = Yaml("wrong")});
  server.Start();
  Api api(server);
  HttpClient http;
  std::string body;
  const auto give_up = std::chrono::steady_clock::now() + seconds(20);
  while (body.empty() && std::chrono::steady_clock::now() < give_up) {
    const auto r = http.Get(server.HealthUrl() + "/health");
    ASSERT_EQ(r.status, 200);
    body = r.body;
    if (body.empty()) std::this_thread::sleep_for(milliseconds(20));  // an observation per poll
  }
  ASSERT_FALSE(body.empty()) << server.Log();
  const std::string why = json::parse(body)["Receivers"]["stomp"];
  EXPECT_NE(why.find("ERROR"), std::string::npos) << why;
  EXPECT_EQ(why.find("wrong"), std::string::npos) << why;  // the passcode never shows
  const std::string name = api.MakeNotification("CVE-STOMP-LOGIN");
  ASSERT_GE(api.WaitForDeliveries(name, 1, seconds(20)).size(), 1u);
  EXPECT_EQ(api.Status(name), "pending");
  EXPECT_EQ(client_.Count(queue_), 0u);
}

}  // namespace
}  // namespace herald::testing
