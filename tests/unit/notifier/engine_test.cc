// The engine against a real SQLite store, a ManualClock and in-process
// receivers that the test completes by hand: time moves only when the test
// says so, and nothing sleeps.
#include "notifier/engine.h"

#include <gtest/gtest.h>

#include "../store/store_factory.h"
#include "inventory/vulnerability_changes.h"

namespace herald::notifier {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// A receiver whose attempts stay open until the test finishes them.
class ScriptedReceiver final : public Receiver {
 public:
  explicit ScriptedReceiver(std::string key) : key_(std::move(key)) {}
  std::string_view key() const override { return key_; }
  void Send(const Outgoing& notification, Done done) override {
    open_.emplace_back(notification.name, std::move(done));
    sent_.push_back(notification.name);
    rounds_.push_back(notification.round);
  }
  void Shutdown() override { open_.clear(); }

  // Finishes every open attempt with `result`.
  void FinishAll(const SendResult& result) {
    auto open = std::move(open_);
    open_.clear();
    for (auto& [name, done] : open) done(result);
  }
  std::size_t open() const { return open_.size(); }
  const std::vector<std::string>& sent() const { return sent_; }
  const std::vector<int>& rounds() const { return rounds_; }

 private:
  std::string key_;
  std::vector<std::pair<std::string, Done>> open_;
  std::vector<int> rounds_;
  std::vector<std::string> sent_;
};

SendResult Ok() {
  return {model::DeliveryOutcome::kSuccess, 200, "", 1, {}};
}
SendResult Fail() {
  return {model::DeliveryOutcome::kFailure, 500, "HTTP 500", 1, {}};
}

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { harness_ = store::testing::MakeSqliteHarness(clock_); }
  store::Store& store() { return harness_->store(); }

  // An engine with the given receivers (owned by the engine; raw pointers
  // returned for the test to drive).
  std::unique_ptr<Engine> MakeEngine(const std::string& owner, std::vector<ScriptedReceiver*>* out,
                                     std::vector<std::string> keys = {"http"},
                                     int concurrency = 64) {
    std::vector<std::unique_ptr<Receiver>> receivers;
    for (const auto& k : keys) {
      auto r = std::make_unique<ScriptedReceiver>(k);
      out->push_back(r.get());
      receivers.push_back(std::move(r));
    }
    Engine::Options options;
    options.owner = owner;
    options.concurrency = concurrency;
    options.lease = minutes(10);
    options.policy.attempts = 3;
    options.policy.renotify = minutes(60);
    return std::make_unique<Engine>(store(), clock_, std::move(receivers), options, &metrics_);
  }

  std::string Notify(const std::string& vuln) {
    model::Vulnerability v;
    v.namespace_name = "debian:8";
    v.name = vuln;
    v.severity = "Low";
    return *store()
                .ChangeVulnerability("debian:8", vuln, inventory::MergePosted(v))
                .notification_name;
  }
  model::NotificationStatus Status(const std::string& name) {
    return store().GetNotification(name)->summary.status;
  }

  util::ManualClock clock_;
  metrics::Metrics metrics_;
  std::unique_ptr<store::testing::StoreHarness> harness_;
};

TEST_F(EngineTest, DeliversAndSchedulesTheNextRound) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r);
  const std::string name = Notify("CVE-1");
  EXPECT_EQ(engine->Step(), 1);
  EXPECT_EQ(r[0]->sent(), std::vector<std::string>{name});
  r[0]->FinishAll(Ok());
  engine->Step();
  EXPECT_EQ(Status(name), model::NotificationStatus::kNotified);
  EXPECT_EQ(store().GetNotification(name)->summary.notified, clock_.NowMillis());
  EXPECT_EQ(store().NextDueMillis(), clock_.NowMillis() + 60 * 60'000);
  // Not again before renotifyInterval, again after it.
  clock_.Advance(minutes(59));
  EXPECT_EQ(engine->Step(), 0);
  clock_.Advance(minutes(1));
  EXPECT_EQ(engine->Step(), 1);
  EXPECT_EQ(Status(name), model::NotificationStatus::kPending);
  r[0]->FinishAll(Ok());
  engine->Step();
  auto attempts = *store().ListDeliveries(name);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].round, 2);
  EXPECT_EQ(attempts[1].attempt, 1);
  // Receivers hear which round they send, for ids such as webhook-id.
  EXPECT_EQ(r[0]->rounds(), (std::vector<int>{1, 2}));
}

TEST_F(EngineTest, BackoffIsStoredAndHoldsNoWorker) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r);
  const std::string name = Notify("CVE-2");
  engine->Step();
  r[0]->FinishAll(Fail());
  engine->Step();
  EXPECT_EQ(engine->InFlight(), 0u);  // waiting holds nothing
  EXPECT_EQ(Status(name), model::NotificationStatus::kPending);
  const std::int64_t due = *store().NextDueMillis() - clock_.NowMillis();
  EXPECT_GE(due, 750);
  EXPECT_LE(due, 1250);
  clock_.Advance(milliseconds(due - 1));
  EXPECT_EQ(engine->Step(), 0);
  clock_.Advance(milliseconds(1));
  EXPECT_EQ(engine->Step(), 1);
  EXPECT_EQ(r[0]->sent().size(), 2u);
}

TEST_F(EngineTest, WaitingRetrySurvivesARestart) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r);
  const std::string name = Notify("CVE-3");
  engine->Step();
  r[0]->FinishAll(Fail());
  engine->Step();
  const auto due = store().NextDueMillis();
  engine.reset();
  harness_->Reopen();
  EXPECT_EQ(store().NextDueMillis(), due);
  std::vector<ScriptedReceiver*> r2;
  auto second = MakeEngine("b", &r2);
  clock_.Set(*due);
  EXPECT_EQ(second->Step(), 1);
  r2[0]->FinishAll(Ok());
  second->Step();
  auto attempts = *store().ListDeliveries(name);
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].attempt, 2);  // the round's count survived
}

TEST_F(EngineTest, ExhaustedRoundFailsAndWaitsForRenotify) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r);
  const std::string name = Notify("CVE-4");
  for (int i = 0; i < 3; ++i) {
    clock_.Set(store().NextDueMillis().value());
    ASSERT_EQ(engine->Step(), 1) << i;
    r[0]->FinishAll(Fail());
    engine->Step();
  }
  EXPECT_EQ(Status(name), model::NotificationStatus::kFailed);
  EXPECT_EQ(store().NextDueMillis(), clock_.NowMillis() + 60 * 60'000);
  clock_.Advance(minutes(30));
  EXPECT_EQ(engine->Step(), 0);
  EXPECT_EQ(r[0]->sent().size(), 3u);
}

TEST_F(EngineTest, SucceededReceiverIsNotResentWhenAnotherFails) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r, {"amqp", "http"});
  Notify("CVE-5");
  engine->Step();
  ASSERT_EQ(r[0]->open(), 1u);
  ASSERT_EQ(r[1]->open(), 1u);
  r[0]->FinishAll(Ok());
  r[1]->FinishAll(Fail());
  engine->Step();
  clock_.Set(store().NextDueMillis().value());
  engine->Step();
  EXPECT_EQ(r[0]->sent().size(), 1u);
  EXPECT_EQ(r[1]->sent().size(), 2u);
}

TEST_F(EngineTest, LapsedLeaseIsFencedAndAnotherProcessDelivers) {
  std::vector<ScriptedReceiver*> ra, rb;
  auto a = MakeEngine("a", &ra);
  auto b = MakeEngine("b", &rb);
  const std::string name = Notify("CVE-6");
  EXPECT_EQ(a->Step(), 1);
  EXPECT_EQ(b->Step(), 0);      // leased to a
  clock_.Advance(minutes(10));  // a stalls past its lease without renewing
  EXPECT_EQ(b->Step(), 1);
  ra[0]->FinishAll(Ok());
  a->Step();  // a's result is logged but may not mark the notification
  EXPECT_EQ(Status(name), model::NotificationStatus::kPending);
  EXPECT_NE(metrics_.Render().find("herald_notifier_lease_lost_total 1"), std::string::npos);
  rb[0]->FinishAll(Ok());
  b->Step();
  EXPECT_EQ(Status(name), model::NotificationStatus::kNotified);
}

TEST_F(EngineTest, RenewalKeepsTheLeaseWhileWorkGoesOn) {
  std::vector<ScriptedReceiver*> ra, rb;
  auto a = MakeEngine("a", &ra);
  auto b = MakeEngine("b", &rb);
  Notify("CVE-7");
  a->Step();
  for (int i = 0; i < 6; ++i) {
    clock_.Advance(minutes(4));
    a->Step();  // renews
    EXPECT_EQ(b->Step(), 0) << i;
  }
}

TEST_F(EngineTest, DeleteFencesADeliveryInFlight) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r);
  const std::string name = Notify("CVE-8");
  engine->Step();
  ASSERT_EQ(store().DeleteNotification(name), store::DeleteOutcome::kDeleted);
  r[0]->FinishAll(Ok());
  engine->Step();
  EXPECT_EQ(Status(name), model::NotificationStatus::kDeleted);
  EXPECT_FALSE(store().NextDueMillis().has_value());
  clock_.Advance(std::chrono::hours(24));
  EXPECT_EQ(engine->Step(), 0);
}

TEST_F(EngineTest, RedeliverWhileInFlightTakesOverWithoutLosingTrack) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r);
  const std::string name = Notify("CVE-REDELIVER-FLIGHT");
  ASSERT_EQ(engine->Step(), 1);
  ASSERT_EQ(store().Redeliver(name, clock_.NowMillis()), store::RedeliverOutcome::kScheduled);
  ASSERT_EQ(engine->Step(), 1);  // claimed again while the first attempt is open
  EXPECT_EQ(r[0]->open(), 2u);
  r[0]->FinishAll(Ok());
  engine->Step();
  EXPECT_EQ(engine->InFlight(), 0u);
  EXPECT_EQ(Status(name), model::NotificationStatus::kNotified);
  auto log = *store().ListDeliveries(name);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].round, 1);  // the superseded attempt, still logged
  EXPECT_EQ(log[1].round, 2);  // redeliver started a new round
  EXPECT_EQ(log[1].attempt, 1);
  EXPECT_NE(metrics_.Render().find("herald_notifier_lease_lost_total 0"), std::string::npos);
}

TEST_F(EngineTest, ConcurrencyBoundsTheWorkInFlight) {
  std::vector<ScriptedReceiver*> r;
  auto engine = MakeEngine("a", &r, {"http"}, 3);
  for (int i = 0; i < 10; ++i) Notify("CVE-C" + std::to_string(i));
  EXPECT_EQ(engine->Step(), 3);
  EXPECT_EQ(engine->Step(), 0);
  EXPECT_EQ(r[0]->open(), 3u);
  r[0]->FinishAll(Ok());
  EXPECT_EQ(engine->Step(), 3);
}

TEST_F(EngineTest, StopReleasesWhatItHolds) {
  std::vector<ScriptedReceiver*> ra, rb;
  auto a = MakeEngine("a", &ra);
  Notify("CVE-9");
  a->Step();
  a->Stop(milliseconds(0));
  auto b = MakeEngine("b", &rb);
  EXPECT_EQ(b->Step(), 1);  // due at once, no lease to wait out
}

}  // namespace
}  // namespace herald::notifier
