// Time as a seam: the notifier's backoff, leases and renotify schedule read a
// Clock, so tests move a ManualClock forward instead of sleeping.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace herald::util {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time in Unix milliseconds.
  virtual std::int64_t NowMillis() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::int64_t NowMillis() const override {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  // A process-wide instance.
  static SystemClock& Instance() {
    static SystemClock clock;
    return clock;
  }
};

// Wall time read once from a trusted source (the system, or the database
// that several processes share), then advanced by the monotonic clock: a
// step of the system's wall clock moves nothing until the next Anchor, and
// timers measured on it (lease renewal, backoff) are monotonic between
// anchors. Thread-safe.
class AnchoredClock final : public Clock {
 public:
  AnchoredClock() { Anchor(SystemClock::Instance().NowMillis(), std::chrono::steady_clock::now()); }
  std::int64_t NowMillis() const override {
    return SteadyMillis(std::chrono::steady_clock::now()) + offset_ms_.load();
  }
  // Makes `wall_ms` the time at the monotonic instant `at`.
  void Anchor(std::int64_t wall_ms, std::chrono::steady_clock::time_point at) {
    offset_ms_ = wall_ms - SteadyMillis(at);
  }

 private:
  static std::int64_t SteadyMillis(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  }
  std::atomic<std::int64_t> offset_ms_{0};
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::int64_t start_millis = 1'700'000'000'000) : now_(start_millis) {}
  std::int64_t NowMillis() const override { return now_.load(); }
  void Advance(std::chrono::milliseconds d) { now_ += d.count(); }
  void Set(std::int64_t millis) { now_ = millis; }

 private:
  std::atomic<std::int64_t> now_;
};

}  // namespace herald::util
