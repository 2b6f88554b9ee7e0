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
