// The feed updater (SPEC §8): runs each configured source — fetch, parse,
// apply in one transaction — and records how it went. One failing source
// changes nothing and does not stop the others.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "metrics/metrics.h"
#include "store/store.h"
#include "updater/sources/feed_documents.h"

namespace herald::updater {

struct SourceReport {
  std::string name;
  std::string kind;
  std::string outcome;  // "success", "not-modified" or "failure"
  std::string error;    // when it failed
  store::FeedCounts counts;
  std::int64_t skipped = 0;
  bool first_import = false;  // no earlier success: made no notifications unless asked
  double seconds = 0;
};

class Updater {
 public:
  // `metrics` may be null.
  Updater(store::Store& store, config::UpdaterConfig config, metrics::Metrics* metrics,
          FetchLimits limits = {});

  // Runs every source, or only `only` (unknown name → std::invalid_argument).
  // `on_source` sees each report as it is made (progress on a terminal).
  // With `stop` set, the run ends before the next source or document (the
  // source then changes nothing). `keep_going`, asked before each source,
  // renews the caller's lease; false ends the run.
  std::vector<SourceReport> RunOnce(const std::optional<std::string>& only = std::nullopt,
                                    const std::function<void(const SourceReport&)>& on_source = {},
                                    const std::atomic<bool>* stop = nullptr,
                                    const std::function<bool()>& keep_going = {});

 private:
  SourceReport RunSource(const config::FeedSource& source, const std::atomic<bool>* stop);

  store::Store& store_;
  config::UpdaterConfig config_;
  metrics::Metrics* metrics_;
  FetchLimits limits_;
};

}  // namespace herald::updater
