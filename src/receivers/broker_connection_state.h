// What the broker receivers (AMQP, STOMP) share about their one long-lived
// connection: how an attempt's result is made, the wait before connecting
// again, and the problem /health reports while the broker is away.
#pragma once

#include <algorithm>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "notifier/receiver.h"

namespace herald::receivers {

inline notifier::SendResult AttemptResult(model::DeliveryOutcome outcome, std::string error,
                                          std::chrono::steady_clock::duration took) {
  notifier::SendResult r;
  r.outcome = outcome;
  r.error = std::move(error);
  r.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(took).count();
  return r;
}

// 0.1 s after the first failure to connect, doubling up to 5 s while the
// broker stays away; back to 0.1 s once a connection is made.
class ReconnectBackoff {
 public:
  std::chrono::milliseconds Next() {
    wait_ = std::clamp(wait_ * 2, kFirst, kMax);
    return wait_;
  }
  void Reset() { wait_ = std::chrono::milliseconds(0); }

 private:
  static constexpr std::chrono::milliseconds kFirst{100};
  static constexpr std::chrono::milliseconds kMax{5000};
  std::chrono::milliseconds wait_{0};
};

// Why the receiver cannot deliver now, set by its connection thread and
// read by /health from any thread; "" when connected.
class ProblemSlot {
 public:
  void Set(std::string why) {
    std::lock_guard lock(mu_);
    why_ = std::move(why);
  }
  std::optional<std::string> Get() const {
    std::lock_guard lock(mu_);
    if (why_.empty()) return std::nullopt;
    return why_;
  }

 private:
  mutable std::mutex mu_;
  std::string why_;
};

}  // namespace herald::receivers
