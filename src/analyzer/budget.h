// The limits one analysis runs under: its deadline (analyzer.timeout), the
// bytes it may read (analyzer.maxLayerSize) and the process's stop flag.
// Every stage that loops over input calls Check(), so a stalled server, an
// endless body or a gzip bomb ends in a clear error rather than a stuck
// worker.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "analyzer/analysis_error.h"

namespace herald::analyzer {

struct Limits {
  std::int64_t max_layer_size = 4LL << 30;
  std::int64_t max_file_size = 200LL << 20;
  std::chrono::nanoseconds timeout = std::chrono::minutes(10);
};

class Budget {
 public:
  // `cancelled` may be null (nothing stops the analysis but its limits).
  Budget(const Limits& limits, const std::atomic<bool>* cancelled)
      : limits_(limits),
        deadline_(std::chrono::steady_clock::now() + limits.timeout),
        cancelled_(cancelled) {}

  const Limits& limits() const { return limits_; }
  std::chrono::steady_clock::time_point deadline() const { return deadline_; }

  // Throws when the process is stopping or the deadline passed.
  void Check() const;

  // Counts `n` more compressed bytes read; throws past maxLayerSize.
  void CountRead(std::int64_t n);
  std::int64_t bytes_read() const { return bytes_read_; }

  // Counts `n` more bytes inflated from the layer; throws past
  // kMaxExpansion × maxLayerSize. Real layers inflate 2-5 times; a gzip bomb
  // inflates a thousand times and is cut here long before its timeout.
  void CountInflated(std::int64_t n);
  static constexpr std::int64_t kMaxExpansion = 16;

  bool cancelled() const { return cancelled_ != nullptr && cancelled_->load(); }

 private:
  Limits limits_;
  std::chrono::steady_clock::time_point deadline_;
  const std::atomic<bool>* cancelled_;
  std::int64_t bytes_read_ = 0;
  std::int64_t bytes_inflated_ = 0;
};

}  // namespace herald::analyzer
