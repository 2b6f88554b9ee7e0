// The delivery rules of SPEC §5 for one round, as pure functions of the
// round's progress and the time: which receivers to try now, what a result
// changes, and what the round's outcome is. No I/O, no clock of its own.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "model/delivery.h"
#include "model/notification.h"
#include "notifier/receiver.h"

namespace herald::notifier {

struct RoundPolicy {
  int attempts = 3;  // tries per receiver per round
  std::chrono::milliseconds renotify{std::chrono::hours(2)};
  std::chrono::milliseconds backoff_initial{std::chrono::seconds(1)};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(15)};
  double jitter = 0.25;  // each wait within ±25 %
};

// The wait after the `failures`-th failed attempt (1-based): initial ×
// 2^(failures-1), at most backoff_max, scaled by `unit_random` ∈ [0, 1)
// into [1 - jitter, 1 + jitter].
std::chrono::milliseconds BackoffDelay(const RoundPolicy& policy, int failures, double unit_random);

// Receivers (by key) to try at `now_ms`: not yet succeeded this round, tries
// left, and their next try due.
std::vector<std::string> DueReceivers(const model::RoundProgress& progress,
                                      const std::vector<std::string>& receivers,
                                      const RoundPolicy& policy, std::int64_t now_ms);

// Records one attempt's result in `progress`. A failure schedules the next
// try: the receiver's Retry-After when given, else the backoff.
void ApplyResult(model::RoundProgress& progress, const std::string& receiver,
                 const SendResult& result, const RoundPolicy& policy, std::int64_t now_ms,
                 double unit_random);

struct RoundDecision {
  model::NotificationStatus status = model::NotificationStatus::kPending;
  std::int64_t due_ms = 0;
  bool succeeded = false;  // notified: every receiver succeeded
};

// The round is notified when every receiver succeeded; failed when every
// receiver either succeeded or ran out of tries; otherwise pending until the
// earliest next try. Ended rounds are due again after `renotify`.
RoundDecision Decide(const model::RoundProgress& progress,
                     const std::vector<std::string>& receivers, const RoundPolicy& policy,
                     std::int64_t now_ms);

}  // namespace herald::notifier
