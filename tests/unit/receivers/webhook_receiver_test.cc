// The webhook receiver against a real HTTP server on loopback: how each
// kind of answer (or its absence) becomes an outcome.
#include "receivers/webhook/webhook_receiver.h"

#include <gtest/gtest.h>

#include <future>

#include "notifier/receiver_registry.h"
#include "support/process.h"
#include "support/test_receiver.h"

namespace herald::receivers::webhook {
namespace {

using herald::testing::ReceivedRequest;
using herald::testing::ReceiverAnswer;
using herald::testing::TestReceiver;
using std::chrono::milliseconds;

config::HttpReceiverConfig Config(const std::string& endpoint) {
  config::HttpReceiverConfig c;
  c.endpoint = endpoint;
  c.timeout = std::chrono::milliseconds(500);
  return c;
}

notifier::SendResult SendOne(WebhookReceiver& receiver, const std::string& name) {
  std::promise<notifier::SendResult> done;
  auto result = done.get_future();
  receiver.Send({name, 1}, [&done](notifier::SendResult r) { done.set_value(std::move(r)); });
  return result.get();
}

TEST(WebhookReceiverTest, Any2xxIsSuccess) {
  int status = 200;
  TestReceiver server({.policy = [&](const ReceivedRequest&, int) {
    return ReceiverAnswer{status, {}};
  }});
  WebhookReceiver receiver(kKey, Config(server.Url()), 4);
  for (int code : {200, 201, 202, 204, 299}) {
    status = code;
    auto r = SendOne(receiver, "n-" + std::to_string(code));
    EXPECT_EQ(r.outcome, model::DeliveryOutcome::kSuccess) << code;
    EXPECT_EQ(r.http_status, code);
    EXPECT_TRUE(r.error.empty());
  }
}

TEST(WebhookReceiverTest, OtherStatusesFailWithTheStatus) {
  int status = 0;
  TestReceiver server({.policy = [&](const ReceivedRequest&, int) {
    return ReceiverAnswer{status, {}};
  }});
  WebhookReceiver receiver(kKey, Config(server.Url()), 4);
  for (int code : {301, 400, 404, 410, 500, 502}) {
    status = code;
    auto r = SendOne(receiver, "n");
    EXPECT_EQ(r.outcome, model::DeliveryOutcome::kFailure) << code;
    EXPECT_EQ(r.http_status, code);
    EXPECT_EQ(r.error, "HTTP " + std::to_string(code));
    EXPECT_FALSE(r.retry_after.has_value());
  }
}

TEST(WebhookReceiverTest, RetryAfterOn429And503) {
  std::pair<int, std::string> answer;
  TestReceiver server({.policy = [&](const ReceivedRequest&, int) {
    return ReceiverAnswer{answer.first, {{"Retry-After", answer.second}}};
  }});
  WebhookReceiver receiver(kKey, Config(server.Url()), 4);
  answer = {429, "7"};
  EXPECT_EQ(SendOne(receiver, "n").retry_after, std::chrono::seconds(7));
  answer = {503, "120"};
  EXPECT_EQ(SendOne(receiver, "n").retry_after, std::chrono::seconds(120));
  answer = {503, "Wed, 21 Oct 2037 07:28:00 GMT"};  // a date: the seconds until it
  EXPECT_GT(SendOne(receiver, "n").retry_after, std::chrono::hours(23));
  answer = {503, "Wed, 21 Oct 2015 07:28:00 GMT"};  // a date in the past: the backoff decides
  EXPECT_FALSE(SendOne(receiver, "n").retry_after.has_value());
  answer = {503, "\xb2\xb3"};  // bytes that are digits in Latin-1 only
  EXPECT_FALSE(SendOne(receiver, "n").retry_after.has_value());
  answer = {500, "7"};  // only 429 and 503 carry a hint
  EXPECT_FALSE(SendOne(receiver, "n").retry_after.has_value());
  answer = {503, "soon"};  // unreadable: the backoff decides
  EXPECT_FALSE(SendOne(receiver, "n").retry_after.has_value());
}

// One receiver reuses its connections and curl handles: a hint from an
// earlier response must not leak into a later one that has none.
TEST(WebhookReceiverTest, RetryAfterIsReadFromTheAnswerItCameWith) {
  bool hint = true;
  TestReceiver server({.policy = [&](const ReceivedRequest&, int) {
    ReceiverAnswer answer{503, {}};
    if (hint) answer.headers["Retry-After"] = "42";
    return answer;
  }});
  WebhookReceiver receiver(kKey, Config(server.Url()), 1);
  EXPECT_EQ(SendOne(receiver, "n").retry_after, std::chrono::seconds(42));
  hint = false;
  EXPECT_FALSE(SendOne(receiver, "n").retry_after.has_value());
  EXPECT_FALSE(SendOne(receiver, "n").retry_after.has_value());
}

TEST(WebhookReceiverTest, ATimeoutIsAFailureOfItsOwnKind) {
  std::promise<void> release;
  auto released = release.get_future().share();
  TestReceiver server({.policy = [released](const ReceivedRequest&, int) {
    released.wait();  // answer only once the test is done with it
    return ReceiverAnswer{};
  }});
  WebhookReceiver receiver(kKey, Config(server.Url()), 4);
  auto r = SendOne(receiver, "slow");
  release.set_value();
  EXPECT_EQ(r.outcome, model::DeliveryOutcome::kTimeout);
  EXPECT_FALSE(r.http_status.has_value());
  EXPECT_FALSE(r.error.empty());
}

TEST(WebhookReceiverTest, ConnectionRefusedIsAFailureWithoutStatus) {
  const auto port = herald::testing::FreePort();  // nothing listens there
  WebhookReceiver receiver(kKey, Config("http://127.0.0.1:" + std::to_string(port) + "/hook"), 4);
  auto r = SendOne(receiver, "n");
  EXPECT_EQ(r.outcome, model::DeliveryOutcome::kFailure);
  EXPECT_FALSE(r.http_status.has_value());
  EXPECT_FALSE(r.error.empty());
}

TEST(WebhookReceiverTest, ManyInFlightAtOnce) {
  TestReceiver server({.threads = 4});
  WebhookReceiver receiver(kKey, Config(server.Url()), 16);
  std::vector<std::promise<notifier::SendResult>> done(200);
  std::vector<std::future<notifier::SendResult>> results;
  for (std::size_t i = 0; i < done.size(); ++i) {
    results.push_back(done[i].get_future());
    receiver.Send({"n-" + std::to_string(i), 1},
                  [&done, i](notifier::SendResult r) { done[i].set_value(std::move(r)); });
  }
  for (auto& r : results) EXPECT_EQ(r.get().outcome, model::DeliveryOutcome::kSuccess);
  EXPECT_EQ(server.DistinctSucceeded(), 200u);
}

TEST(WebhookReceiverTest, PayloadIsExact) {
  EXPECT_EQ(Payload("abc", ""), R"({"Notification":{"Name":"abc"}})");
  EXPECT_EQ(
      Payload("abc", "https://h.example/"),
      R"({"Notification":{"Name":"abc","Callback":"https://h.example/v1/notifications/abc"}})");
}

TEST(WebhookReceiverTest, MalformedSecretIsAConfigError) {
  auto c = Config("http://127.0.0.1:9/");
  c.secret = "whsec_not*base64";
  try {
    WebhookReceiver receiver(kKey, c, 1);
    FAIL() << "accepted a malformed secret";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key(), "clair.notifier.http.secret");
  }
  // A named webhook's errors name its own key.
  try {
    WebhookReceiver receiver("webhooks.security-team", c, 1);
    FAIL() << "accepted a malformed secret";
  } catch (const config::ConfigError& e) {
    EXPECT_EQ(e.key(), "clair.notifier.webhooks.security-team.secret");
  }
}

TEST(WebhookReceiverTest, TheRegistryMakesOneReceiverPerWebhook) {
  notifier::ReceiverRegistry registry;
  Register(registry);
  config::NotifierConfig cfg;
  EXPECT_TRUE(registry.CreateEnabled(cfg).empty());
  cfg.webhooks["b-team"] = Config("http://127.0.0.1:9/b");
  cfg.webhooks["a_team"] = Config("http://127.0.0.1:9/a");
  cfg.http = Config("http://127.0.0.1:9/clair");
  std::vector<std::string> keys;
  for (const auto& receiver : registry.CreateEnabled(cfg)) keys.emplace_back(receiver->key());
  EXPECT_EQ(keys, (std::vector<std::string>{"http", "webhooks.a_team", "webhooks.b-team"}));
}

}  // namespace
}  // namespace herald::receivers::webhook
