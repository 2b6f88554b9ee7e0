#include "notifier/round.h"

#include <gtest/gtest.h>

namespace herald::notifier {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

SendResult Failure() {
  return {model::DeliveryOutcome::kFailure, 500, "HTTP 500", 1, {}};
}
SendResult Success() {
  return {model::DeliveryOutcome::kSuccess, 200, "", 1, {}};
}

TEST(BackoffTest, DoublesFromOneSecondUpToFifteenMinutes) {
  RoundPolicy p;
  const std::pair<int, milliseconds> table[] = {
      {1, seconds(1)},   {2, seconds(2)},    {3, seconds(4)},   {4, seconds(8)},
      {5, seconds(16)},  {6, seconds(32)},   {7, seconds(64)},  {8, seconds(128)},
      {9, seconds(256)}, {10, seconds(512)}, {11, minutes(15)}, {40, minutes(15)},
  };
  for (const auto& [failures, expected] : table) {
    EXPECT_EQ(BackoffDelay(p, failures, 0.5), expected) << failures;  // 0.5: no jitter
  }
}

TEST(BackoffTest, JitterStaysWithinQuarter) {
  RoundPolicy p;
  EXPECT_EQ(BackoffDelay(p, 3, 0.0), milliseconds(3000));
  EXPECT_EQ(BackoffDelay(p, 3, 0.999999), milliseconds(4999));
  EXPECT_EQ(BackoffDelay(p, 40, 0.0), milliseconds(675000));
}

TEST(RoundTest, FirstAttemptGoesToEveryReceiver) {
  RoundPolicy p;
  EXPECT_EQ(DueReceivers({}, {"amqp", "http"}, p, 0), (std::vector<std::string>{"amqp", "http"}));
}

TEST(RoundTest, FailureSchedulesTheNextTryAndHoldsUntilThen) {
  RoundPolicy p;
  model::RoundProgress progress;
  ApplyResult(progress, "http", Failure(), p, 10'000, 0.5);
  EXPECT_EQ(progress["http"].attempts, 1);
  EXPECT_EQ(progress["http"].next_attempt_ms, 11'000);
  EXPECT_TRUE(DueReceivers(progress, {"http"}, p, 10'999).empty());
  EXPECT_EQ(DueReceivers(progress, {"http"}, p, 11'000).size(), 1u);
  auto d = Decide(progress, {"http"}, p, 10'000);
  EXPECT_EQ(d.status, model::NotificationStatus::kPending);
  EXPECT_EQ(d.due_ms, 11'000);
}

TEST(RoundTest, RetryAfterOverridesBackoff) {
  RoundPolicy p;
  model::RoundProgress progress;
  SendResult busy = Failure();
  busy.retry_after = seconds(30);
  ApplyResult(progress, "http", busy, p, 0, 0.5);
  EXPECT_EQ(progress["http"].next_attempt_ms, 30'000);
  busy.retry_after = std::chrono::hours(5);  // capped like the backoff
  ApplyResult(progress, "http", busy, p, 0, 0.5);
  EXPECT_EQ(progress["http"].next_attempt_ms, 15 * 60'000);
}

TEST(RoundTest, SucceededReceiverIsNotSentAgainWhenAnotherFails) {
  RoundPolicy p;
  model::RoundProgress progress;
  ApplyResult(progress, "amqp", Success(), p, 0, 0.5);
  ApplyResult(progress, "http", Failure(), p, 0, 0.5);
  EXPECT_EQ(DueReceivers(progress, {"amqp", "http"}, p, 60'000), std::vector<std::string>{"http"});
  EXPECT_EQ(Decide(progress, {"amqp", "http"}, p, 0).status, model::NotificationStatus::kPending);
}

TEST(RoundTest, AllSucceededIsNotifiedAndRenotifiesLater) {
  RoundPolicy p;
  p.renotify = minutes(30);
  model::RoundProgress progress;
  ApplyResult(progress, "http", Success(), p, 5, 0.5);
  auto d = Decide(progress, {"http"}, p, 5);
  EXPECT_EQ(d.status, model::NotificationStatus::kNotified);
  EXPECT_TRUE(d.succeeded);
  EXPECT_EQ(d.due_ms, 5 + 30 * 60'000);
}

TEST(RoundTest, ExhaustedAttemptsFailTheRoundWithoutAHotLoop) {
  RoundPolicy p;
  p.attempts = 2;
  p.renotify = minutes(10);
  model::RoundProgress progress;
  ApplyResult(progress, "http", Failure(), p, 0, 0.5);
  ApplyResult(progress, "http", Failure(), p, 1000, 0.5);
  EXPECT_TRUE(DueReceivers(progress, {"http"}, p, 1'000'000).empty());
  auto d = Decide(progress, {"http"}, p, 1000);
  EXPECT_EQ(d.status, model::NotificationStatus::kFailed);
  EXPECT_EQ(d.due_ms, 1000 + 10 * 60'000);
}

// A receiver whose filter left the notification out is done with it.
TEST(RoundTest, FilteredCountsAsDoneForThatReceiver) {
  RoundPolicy p;
  model::RoundProgress progress;
  ApplyResult(progress, "amqp", {model::DeliveryOutcome::kFiltered, {}, "", 0, {}}, p, 0, 0.5);
  EXPECT_TRUE(DueReceivers(progress, {"amqp", "http"}, p, 0) == std::vector<std::string>{"http"});
  EXPECT_EQ(Decide(progress, {"amqp", "http"}, p, 0).status, model::NotificationStatus::kPending);
  ApplyResult(progress, "http", Success(), p, 0, 0.5);
  EXPECT_TRUE(Decide(progress, {"amqp", "http"}, p, 0).succeeded);
}

TEST(RoundTest, OneExhaustedAndOneSucceededIsFailed) {
  RoundPolicy p;
  p.attempts = 1;
  model::RoundProgress progress;
  ApplyResult(progress, "amqp", Success(), p, 0, 0.5);
  ApplyResult(progress, "http", Failure(), p, 0, 0.5);
  EXPECT_EQ(Decide(progress, {"amqp", "http"}, p, 0).status, model::NotificationStatus::kFailed);
}

}  // namespace
}  // namespace herald::notifier
