#include "notifier/round.h"

#include <algorithm>
#include <limits>

namespace herald::notifier {

std::chrono::milliseconds BackoffDelay(const RoundPolicy& policy, int failures,
                                       double unit_random) {
  double base = static_cast<double>(policy.backoff_initial.count());
  const double cap = static_cast<double>(policy.backoff_max.count());
  for (int i = 1; i < failures && base < cap; ++i) base *= 2;
  base = std::min(base, cap);
  const double scale = 1.0 - policy.jitter + 2.0 * policy.jitter * unit_random;
  return std::chrono::milliseconds(static_cast<std::int64_t>(base * scale));
}

namespace {
bool Exhausted(const model::ReceiverProgress& p, const RoundPolicy& policy) {
  return !p.succeeded && p.attempts >= policy.attempts;
}
}  // namespace

std::vector<std::string> DueReceivers(const model::RoundProgress& progress,
                                      const std::vector<std::string>& receivers,
                                      const RoundPolicy& policy, std::int64_t now_ms) {
  std::vector<std::string> due;
  for (const auto& key : receivers) {
    auto it = progress.find(key);
    if (it == progress.end()) {
      due.push_back(key);
      continue;
    }
    const auto& p = it->second;
    if (!p.succeeded && !Exhausted(p, policy) && p.next_attempt_ms <= now_ms) due.push_back(key);
  }
  return due;
}

void ApplyResult(model::RoundProgress& progress, const std::string& receiver,
                 const SendResult& result, const RoundPolicy& policy, std::int64_t now_ms,
                 double unit_random) {
  auto& p = progress[receiver];
  ++p.attempts;
  // A filtered notification is not for this receiver: done, like a success.
  if (result.outcome == model::DeliveryOutcome::kSuccess ||
      result.outcome == model::DeliveryOutcome::kFiltered) {
    p.succeeded = true;
    return;
  }
  std::chrono::milliseconds wait = BackoffDelay(policy, p.attempts, unit_random);
  if (result.retry_after) wait = std::min(*result.retry_after, policy.backoff_max);
  p.next_attempt_ms = now_ms + wait.count();
}

RoundDecision Decide(const model::RoundProgress& progress,
                     const std::vector<std::string>& receivers, const RoundPolicy& policy,
                     std::int64_t now_ms) {
  bool all_succeeded = true;
  bool all_ended = true;
  std::int64_t next = std::numeric_limits<std::int64_t>::max();
  for (const auto& key : receivers) {
    auto it = progress.find(key);
    model::ReceiverProgress p = it == progress.end() ? model::ReceiverProgress{} : it->second;
    if (p.succeeded) continue;
    all_succeeded = false;
    if (Exhausted(p, policy)) continue;
    all_ended = false;
    next = std::min(next, p.next_attempt_ms);
  }
  RoundDecision d;
  if (all_succeeded) {
    d.status = model::NotificationStatus::kNotified;
    d.succeeded = true;
    d.due_ms = now_ms + policy.renotify.count();
  } else if (all_ended) {
    d.status = model::NotificationStatus::kFailed;
    d.due_ms = now_ms + policy.renotify.count();
  } else {
    d.status = model::NotificationStatus::kPending;
    d.due_ms = std::max(next, now_ms);
  }
  return d;
}

}  // namespace herald::notifier
