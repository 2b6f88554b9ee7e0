#include "updater/updater.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <stdexcept>

#include "updater/parsers/feed_parser.h"
#include "util/clock.h"

namespace herald::updater {

Updater::Updater(store::Store& store, config::UpdaterConfig config, metrics::Metrics* metrics,
                 FetchLimits limits)
    : store_(store), config_(std::move(config)), metrics_(metrics), limits_(limits) {
  if (metrics_ == nullptr) return;
  for (const auto& source : config_.sources) metrics_->DeclareFeedSource(source.name);
}

std::vector<SourceReport> Updater::RunOnce(
    const std::optional<std::string>& only,
    const std::function<void(const SourceReport&)>& on_source, const std::atomic<bool>* stop,
    const std::function<bool()>& keep_going) {
  if (only) {
    bool known = false;
    for (const auto& s : config_.sources) known = known || s.name == *only;
    if (!known) throw std::invalid_argument("no feed source named " + *only);
  }
  std::vector<SourceReport> reports;
  for (const auto& source : config_.sources) {
    if (only && source.name != *only) continue;
    if (stop != nullptr && stop->load()) break;
    if (keep_going && !keep_going()) {
      spdlog::warn("feed updater: lost its lease; stopping this run");
      break;
    }
    reports.push_back(RunSource(source, stop));
    if (on_source) on_source(reports.back());
  }
  return reports;
}

SourceReport Updater::RunSource(const config::FeedSource& source, const std::atomic<bool>* stop) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t now_ms = util::SystemClock::Instance().NowMillis();
  SourceReport report;
  report.name = source.name;
  report.kind = source.kind;

  store::FeedSourceState state;
  std::optional<store::FeedSourceState> previous;
  try {
    previous = store_.GetFeedSource(source.name);
  } catch (const std::exception& e) {
    report.outcome = "failure";
    report.error = std::string("database: ") + e.what();
  }
  if (previous) state = *previous;
  state.name = source.name;
  state.kind = source.kind;
  state.last_attempt_ms = now_ms;
  // Validators belong to the URL and kind they were answered for.
  if (previous && previous->kind != source.kind) state.etag = state.last_modified = "";
  report.first_import = !(previous && previous->last_success_ms);

  if (report.outcome.empty()) {
    try {
      const auto factory = FeedParsers().find(source.kind);
      if (factory == FeedParsers().end()) throw FetchError("unknown kind " + source.kind);
      std::unique_ptr<FeedParser> parser = factory->second();
      Validators current;
      FetchLimits limits = limits_;
      limits.stop = stop;
      const bool modified = ReadFeedDocuments(
          source.url, {state.etag, state.last_modified}, &current,
          [&](std::istream& document, const std::string& name) {
            if (stop != nullptr && stop->load()) throw FetchError("abandoned: herald is stopping");
            parser->Parse(document, name);
          },
          limits);
      if (!modified) {
        report.outcome = state.outcome = "not-modified";
        state.error.clear();
        state.last_success_ms = now_ms;
        store_.RecordFeedSource(state);
      } else {
        FeedResult result = parser->Finish();
        for (const auto& [reason, n] : result.skipped) report.skipped += n;
        state.outcome = "success";
        state.error.clear();
        state.last_success_ms = now_ms;
        state.etag = current.etag;
        state.last_modified = current.last_modified;
        state.skipped = report.skipped;
        store::NotificationPolicy policy;
        policy.notify = !report.first_import || config_.notify_first_update;
        policy.only_if_affected = !config_.notify_unaffected;
        report.counts = store_.ApplyFeed(
            state, [&result] { return result.vulnerabilities.Next(); }, result.metadata_by_name,
            policy);
        report.outcome = "success";
      }
    } catch (const std::exception& e) {
      report.outcome = "failure";
      report.error = e.what();
    }
  }
  if (report.outcome == "failure") {
    spdlog::error("feed source {} ({}) failed: {}", source.name, source.kind, report.error);
    state.outcome = "failure";
    state.error = report.error;
    try {
      store_.RecordFeedSource(state);
    } catch (const std::exception& e) {
      spdlog::error("feed source {}: cannot record the failure: {}", source.name, e.what());
    }
  } else {
    spdlog::info(
        "feed source {} ({}): {}, {} added, {} changed, {} unchanged, {} skipped, {} notifications",
        source.name, source.kind, report.outcome, report.counts.added, report.counts.changed,
        report.counts.unchanged, report.skipped, report.counts.notifications);
  }
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (metrics_ != nullptr) {
    metrics_->RecordFeedRun(
        source.name, report.outcome, report.seconds, report.counts.added + report.counts.changed,
        report.outcome == "failure" ? std::nullopt : std::optional<std::int64_t>(now_ms));
  }
  return report;
}

}  // namespace herald::updater
