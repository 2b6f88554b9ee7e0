// The receiver conformance suite (SPEC §9, issue 10 point 6): every receiver
// kind passes the same tests against its real far end — the test webhook
// server, and the private RabbitMQ node of scripts/test.sh for AMQP.
// Results are awaited as events (each Send's `done`); no test sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "config/config.h"
#include "notifier/receiver_filter.h"
#include "receivers/amqp/amqp_receiver.h"
#include "receivers/stomp/stomp_receiver.h"
#include "receivers/webhook/webhook_receiver.h"
#include "support/rabbitmq.h"
#include "support/test_receiver.h"
#include "util/uuid.h"

namespace herald::testing {
namespace {

using notifier::Outgoing;
using notifier::Receiver;
using notifier::SendResult;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr milliseconds kTimeout{1000};  // each receiver's attempt timeout

// One kind of receiver and its real far end.
class FarEnd {
 public:
  virtual ~FarEnd() = default;
  virtual std::unique_ptr<Receiver> MakeReceiver(const config::ReceiverFilter& filter) = 0;
  // The notification names that arrived so far, each time it arrived.
  virtual std::vector<std::string> Arrived() = 0;
  // From now on the far end refuses every notification (an HTTP 500; a
  // queue that is full and nacks).
  virtual void Refuse() = 0;
  // The far end stops answering, its connections open, until Thaw().
  virtual void Freeze() = 0;
  virtual void Thaw() = 0;
  // Stops the far end and starts it again on the same address.
  virtual void Restart() = 0;
};

class WebhookFarEnd final : public FarEnd {
 public:
  WebhookFarEnd() { Start(0); }
  ~WebhookFarEnd() override { Thaw(); }

  std::unique_ptr<Receiver> MakeReceiver(const config::ReceiverFilter& filter) override {
    config::HttpReceiverConfig c;
    c.endpoint = server_->Url();
    c.timeout = kTimeout;
    return notifier::WithFilter(
        std::make_unique<receivers::webhook::WebhookReceiver>("http", c, 16), filter);
  }
  std::vector<std::string> Arrived() override {
    std::vector<std::string> names = earlier_;
    for (const auto& r : server_->Requests()) {
      if (r.answered >= 200 && r.answered < 300) names.push_back(r.notification);
    }
    return names;
  }
  void Refuse() override { refuse_ = true; }
  void Freeze() override {
    std::lock_guard lock(mu_);
    frozen_ = true;
  }
  void Thaw() override {
    {
      std::lock_guard lock(mu_);
      frozen_ = false;
    }
    cv_.notify_all();
  }
  void Restart() override {
    const std::uint16_t port = server_->port();
    earlier_ = Arrived();
    server_.reset();
    Start(port);
  }

 private:
  void Start(std::uint16_t port) {
    server_ = std::make_unique<TestReceiver>(
        TestReceiver::Options{.policy =
                                  [this](const ReceivedRequest&, int) {
                                    std::unique_lock lock(mu_);
                                    cv_.wait(lock, [this] { return !frozen_; });
                                    return ReceiverAnswer{refuse_ ? 500 : 200, {}};
                                  },
                              .threads = 4,
                              .port = port});
  }

  std::atomic<bool> refuse_{false};
  std::mutex mu_;
  std::condition_variable cv_;
  bool frozen_ = false;
  std::vector<std::string> earlier_;  // what arrived before a restart
  std::unique_ptr<TestReceiver> server_;
};

// The far ends on the private RabbitMQ node: what arrived is read from a
// durable queue over AMQP; freezing and restarting act on the whole node.
class RabbitMqFarEnd : public FarEnd {
 public:
  // `exchange` "": the queue takes what is sent to its name (STOMP's
  // /queue/<name>); otherwise it is bound to `exchange` (created here).
  explicit RabbitMqFarEnd(std::string exchange)
      : node_(RabbitMqNode::Shared()),
        exchange_(std::move(exchange)),
        queue_("herald-test-" + util::NewUuid().substr(0, 8)) {
    AmqpTestClient client(node_.AmqpUri());
    if (!exchange_.empty()) client.DeclareExchange(exchange_);
    client.DeclareQueue(queue_, exchange_, RoutingKey());
  }
  ~RabbitMqFarEnd() override {
    Thaw();
    try {
      AmqpTestClient client(node_.AmqpUri());
      client.DeleteQueue(queue_);
      if (!exchange_.empty()) client.DeleteExchange(exchange_);
    } catch (const std::exception&) {
      // The node is shared: a test that failed mid-restart must not fail the rest.
    }
  }

  std::vector<std::string> Arrived() override {
    Messages();
    return arrived_;
  }
  // The messages that arrived since the last look, in the queue's order.
  std::vector<AmqpMessage> Messages() {
    AmqpTestClient client(node_.AmqpUri());
    std::vector<AmqpMessage> messages = client.Drain(queue_);
    for (const AmqpMessage& m : messages) {
      arrived_.push_back(nlohmann::json::parse(m.body)["Notification"]["Name"].get<std::string>());
    }
    return messages;
  }
  void Refuse() override {
    // A queue that is full and rejects publishes.
    Arrived();
    AmqpTestClient client(node_.AmqpUri());
    client.DeleteQueue(queue_);
    client.DeclareQueue(queue_, exchange_, RoutingKey(), 0);
  }
  void Freeze() override {
    node_.Freeze();
    frozen_ = true;
  }
  void Thaw() override {
    if (frozen_) node_.Thaw();
    frozen_ = false;
  }
  void Restart() override {
    Arrived();
    node_.Kill();
    node_.Serve();
    // The broker is back once it answers for the queue and its binding:
    // declaring both again is a no-op when the restart kept them, and
    // puts them back when a kill -9 right after their declaration lost
    // them (a broker matter, not the receiver's).
    AmqpTestClient client(node_.AmqpUri());
    if (!exchange_.empty()) client.DeclareExchange(exchange_);
    client.DeclareQueue(queue_, exchange_, RoutingKey());
  }

 protected:
  std::string RoutingKey() const { return exchange_.empty() ? queue_ : "notifications"; }

  RabbitMqNode& node_;
  const std::string exchange_;
  const std::string queue_;

 private:
  std::vector<std::string> arrived_;
  bool frozen_ = false;
};

class AmqpFarEnd final : public RabbitMqFarEnd {
 public:
  AmqpFarEnd() : RabbitMqFarEnd("herald-test-" + util::NewUuid().substr(0, 8)) {}
  std::unique_ptr<Receiver> MakeReceiver(const config::ReceiverFilter& filter) override {
    config::AmqpReceiverConfig c;
    c.uri = node_.AmqpUri();
    c.exchange = exchange_;
    c.routing_key = RoutingKey();
    c.timeout = kTimeout;
    return notifier::WithFilter(std::make_unique<receivers::amqp::AmqpReceiver>(c), filter);
  }
};

// RabbitMQ's STOMP plugin: SEND to /queue/<name> puts the message in the
// durable queue <name>.
class StompFarEnd final : public RabbitMqFarEnd {
 public:
  StompFarEnd() : RabbitMqFarEnd("") {}
  std::unique_ptr<Receiver> MakeReceiver(const config::ReceiverFilter& filter) override {
    config::StompReceiverConfig c;
    c.address = "127.0.0.1:" + std::to_string(node_.stomp_port());
    c.destination = "/queue/" + queue_;
    c.login = "guest";
    c.passcode = "guest";
    c.timeout = kTimeout;
    return notifier::WithFilter(std::make_unique<receivers::stomp::StompReceiver>(c), filter);
  }
};

struct Kind {
  std::string name;
  std::function<std::unique_ptr<FarEnd>()> make;
  friend void PrintTo(const Kind& k, std::ostream* os) { *os << k.name; }
};

class ReceiverConformanceTest : public ::testing::TestWithParam<Kind> {
 protected:
  void SetUp() override { far_ = GetParam().make(); }
  void TearDown() override {
    if (receiver_) receiver_->Shutdown();
  }

  Receiver& receiver(const config::ReceiverFilter& filter = {}) {
    if (!receiver_) receiver_ = far_->MakeReceiver(filter);
    return *receiver_;
  }

  // Sends each notification once and waits for every outcome.
  std::vector<SendResult> SendAll(const std::vector<Outgoing>& notifications) {
    std::vector<std::promise<SendResult>> promises(notifications.size());
    std::vector<std::future<SendResult>> futures;
    for (auto& p : promises) futures.push_back(p.get_future());
    for (std::size_t i = 0; i < notifications.size(); ++i) {
      receiver().Send(notifications[i],
                      [&promises, i](SendResult r) { promises[i].set_value(std::move(r)); });
    }
    std::vector<SendResult> results;
    for (auto& f : futures) {
      EXPECT_EQ(f.wait_for(seconds(30)), std::future_status::ready);
      results.push_back(f.get());
    }
    return results;
  }
  SendResult SendOne(const Outgoing& n) { return SendAll({n}).front(); }

  // What the notifier does with a failed attempt: tries again after a
  // backoff (here a short fixed one). Returns the attempts it took, or 0
  // when none succeeded by `give_up`; last_error_ says why the last failed.
  int SendUntilDelivered(const Outgoing& n, std::chrono::steady_clock::time_point give_up) {
    for (int attempt = 1; std::chrono::steady_clock::now() < give_up; ++attempt) {
      const SendResult r = SendOne(n);
      if (r.outcome == model::DeliveryOutcome::kSuccess) return attempt;
      last_error_ = r.error;
      std::this_thread::sleep_for(milliseconds(50));  // the backoff, not a synchronisation
    }
    return 0;
  }
  int SendUntilDelivered(const Outgoing& n, std::chrono::seconds within) {
    return SendUntilDelivered(n, std::chrono::steady_clock::now() + within);
  }

  static std::vector<Outgoing> Batch(const std::string& prefix, int n) {
    std::vector<Outgoing> out;
    for (int i = 0; i < n; ++i) out.push_back({prefix + std::to_string(i), 1, "debian:12", "High"});
    return out;
  }

  std::unique_ptr<FarEnd> far_;
  std::unique_ptr<Receiver> receiver_;
  std::string last_error_;  // of the last failed attempt of SendUntilDelivered
};

TEST_P(ReceiverConformanceTest, EveryNotificationArrivesOnceAndSucceeds) {
  const auto batch = Batch("ok-", 200);
  for (const SendResult& r : SendAll(batch)) {
    EXPECT_EQ(r.outcome, model::DeliveryOutcome::kSuccess) << r.error;
    EXPECT_TRUE(r.error.empty()) << r.error;
  }
  std::vector<std::string> arrived = far_->Arrived();
  std::sort(arrived.begin(), arrived.end());
  std::vector<std::string> sent;
  for (const auto& n : batch) sent.push_back(n.name);
  std::sort(sent.begin(), sent.end());
  EXPECT_EQ(arrived, sent);
}

TEST_P(ReceiverConformanceTest, ARefusedNotificationIsAFailedAttemptWithAReason) {
  ASSERT_EQ(SendOne({"before", 1}).outcome, model::DeliveryOutcome::kSuccess);
  far_->Refuse();
  for (const SendResult& r : SendAll(Batch("refused-", 5))) {
    EXPECT_EQ(r.outcome, model::DeliveryOutcome::kFailure);
    EXPECT_FALSE(r.error.empty());
  }
  EXPECT_EQ(far_->Arrived(), std::vector<std::string>{"before"});
}

TEST_P(ReceiverConformanceTest, AFarEndThatStopsAnsweringTimesOutAndIsUsedAgainAfter) {
  ASSERT_EQ(SendOne({"before", 1}).outcome, model::DeliveryOutcome::kSuccess);
  far_->Freeze();
  const SendResult stalled = SendOne({"stalled", 1});
  EXPECT_EQ(stalled.outcome, model::DeliveryOutcome::kTimeout) << stalled.error;
  EXPECT_GE(stalled.duration_ms, kTimeout.count() - 50);
  far_->Thaw();
  // Retried as the notifier would, it arrives.
  EXPECT_GT(SendUntilDelivered({"after", 1}, seconds(30)), 0) << last_error_;
  const auto arrived = far_->Arrived();
  EXPECT_EQ(std::count(arrived.begin(), arrived.end(), "after"), 1);
}

TEST_P(ReceiverConformanceTest, AFarEndRestartedMidRunLosesNothingThatSucceeded) {
  const auto first = Batch("first-", 50);
  for (const SendResult& r : SendAll(first)) ASSERT_EQ(r.outcome, model::DeliveryOutcome::kSuccess);
  far_->Restart();
  // The old connection is gone; attempts fail until a new one is made,
  // then every notification gets through.
  const auto second = Batch("second-", 50);
  // One deadline for the whole batch, within ctest's limit for the test.
  const auto give_up = std::chrono::steady_clock::now() + seconds(120);
  for (const Outgoing& n : second) {
    ASSERT_GT(SendUntilDelivered(n, give_up), 0) << n.name << ": " << last_error_;
  }
  const auto arrived = far_->Arrived();
  const std::set<std::string> distinct(arrived.begin(), arrived.end());
  for (const auto& batch : {first, second}) {
    for (const Outgoing& n : batch) EXPECT_EQ(distinct.count(n.name), 1u) << n.name;
  }
}

TEST_P(ReceiverConformanceTest, AFilterKeepsWhatItLeavesOutFromTheFarEnd) {
  receiver({.min_severity = "High", .namespaces = {"debian:*"}});
  const auto results = SendAll({{"high", 1, "debian:12", "High"},
                                {"low", 1, "debian:12", "Low"},
                                {"alpine", 1, "alpine:v3.18", "Critical"}});
  EXPECT_EQ(results[0].outcome, model::DeliveryOutcome::kSuccess);
  EXPECT_EQ(results[1].outcome, model::DeliveryOutcome::kFiltered);
  EXPECT_EQ(results[2].outcome, model::DeliveryOutcome::kFiltered);
  EXPECT_EQ(far_->Arrived(), std::vector<std::string>{"high"});
}

// Direct delivery (SPEC §9), for the kinds that offer it: every chunk is one
// message, and the attempt succeeds only when the broker confirmed them all.
class DirectDeliveryConformanceTest : public ReceiverConformanceTest {
 protected:
  static Outgoing WithChunks(const std::string& name, int chunks) {
    std::vector<std::string> bodies;
    for (int i = 1; i <= chunks; ++i) {
      bodies.push_back(
          nlohmann::json{{"Notification", {{"Name", name}}}, {"Chunk", i}, {"Chunks", chunks}}
              .dump());
    }
    return {name, 1, "debian:12", "High",
            std::make_shared<const std::vector<std::string>>(std::move(bodies))};
  }
  RabbitMqFarEnd& broker() { return dynamic_cast<RabbitMqFarEnd&>(*far_); }
};

TEST_P(DirectDeliveryConformanceTest, EveryChunkIsAMessageAndAllAreConfirmed) {
  const Outgoing three = WithChunks("direct-3", 3);
  const SendResult r = SendOne(three);
  EXPECT_EQ(r.outcome, model::DeliveryOutcome::kSuccess) << r.error;
  std::vector<std::string> bodies;
  for (const AmqpMessage& m : broker().Messages()) bodies.push_back(m.body);
  EXPECT_EQ(bodies, *three.chunks);  // in order, each once

  // Many chunked notifications in flight at once.
  std::vector<Outgoing> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(WithChunks("direct-b" + std::to_string(i), 4));
  for (const SendResult& each : SendAll(batch)) {
    EXPECT_EQ(each.outcome, model::DeliveryOutcome::kSuccess) << each.error;
  }
  EXPECT_EQ(broker().Messages().size(), 80u);
}

TEST_P(DirectDeliveryConformanceTest, ARefusedChunkFailsTheAttempt) {
  far_->Refuse();
  const SendResult r = SendOne(WithChunks("direct-refused", 2));
  EXPECT_EQ(r.outcome, model::DeliveryOutcome::kFailure);
  EXPECT_FALSE(r.error.empty());
  EXPECT_TRUE(broker().Messages().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Brokers, DirectDeliveryConformanceTest,
    ::testing::Values(Kind{"amqp", [] { return std::make_unique<AmqpFarEnd>(); }},
                      Kind{"stomp", [] { return std::make_unique<StompFarEnd>(); }}),
    [](const auto& info) { return info.param.name; });

INSTANTIATE_TEST_SUITE_P(
    Kinds, ReceiverConformanceTest,
    ::testing::Values(Kind{"webhook", [] { return std::make_unique<WebhookFarEnd>(); }},
                      Kind{"amqp", [] { return std::make_unique<AmqpFarEnd>(); }},
                      Kind{"stomp", [] { return std::make_unique<StompFarEnd>(); }}),
    [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace herald::testing
