// The process's Prometheus registry and the metric families SPEC §5 names.
// Rendered by our own HTTP server (/v1/metrics and the health port's
// /metrics) with prometheus-cpp's text serializer.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/metric_family.h>
#include <prometheus/registry.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::metrics {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // clair_api_response_duration_milliseconds{route,code}
  void ObserveApiResponse(const std::string& route, int code, double milliseconds);

  // clair_notifier_latency_milliseconds: creation → successful round.
  void ObserveNotifierLatency(double milliseconds);
  // herald_notifier_deliveries_total{backend,outcome}, and
  // clair_notifier_backend_errors_total{backend} when it did not succeed.
  void CountDelivery(const std::string& backend, const std::string& outcome);
  // herald_notifier_pending
  void SetPending(double pending);
  // herald_notifier_lease_lost_total
  void CountLeaseLost(double n);

  // herald_analyzer_layers_total{outcome}: analyzed, already_indexed,
  // rejected (400), unprocessable (422), cancelled, error.
  void CountAnalysis(const std::string& outcome);
  // herald_analyzer_duration_seconds: fetch + analysis of one layer.
  void ObserveAnalysisSeconds(double seconds);
  // herald_analyzer_bytes_total: layer bytes read (compressed, as fetched).
  void AddAnalyzedBytes(double bytes);

  // One run of a feed source (SPEC §8): herald_updater_runs_total{source,
  // outcome}, herald_updater_duration_seconds{source},
  // herald_updater_vulnerabilities_changed_total{source}, and, when it
  // succeeded, herald_updater_last_success_timestamp_seconds{source}.
  void RecordFeedRun(const std::string& source, const std::string& outcome, double seconds,
                     std::int64_t changed, std::optional<std::int64_t> success_ms);

  // Every family is in /metrics from start-up (SPEC §10); these put its
  // series there at 0 for the label values known then, so that a
  // dashboard or an alert sees a series before the first event.
  // Deliveries of `backend` for every outcome, and its backend errors.
  void DeclareReceiver(const std::string& backend);
  // The runs of feed `source` for every outcome, and its changes.
  void DeclareFeedSource(const std::string& source);

  // The Prometheus text exposition of every family.
  std::string Render() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  // Registers a family and remembers it, so that Render shows it even
  // before its first series.
  template <typename Builder>
  auto& Declare(Builder builder, const char* name, const char* help);

  std::shared_ptr<prometheus::Registry> registry_;
  std::vector<prometheus::MetricFamily> declared_;  // each family, without series
  prometheus::Family<prometheus::Histogram>* api_duration_;
  prometheus::Histogram* notifier_latency_;
  prometheus::Family<prometheus::Counter>* backend_errors_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Gauge* pending_;
  prometheus::Counter* lease_lost_;
  prometheus::Family<prometheus::Counter>* analyzer_layers_;
  prometheus::Histogram* analyzer_duration_;
  prometheus::Counter* analyzer_bytes_;
  prometheus::Family<prometheus::Counter>* updater_runs_;
  prometheus::Family<prometheus::Gauge>* updater_last_success_;
  prometheus::Family<prometheus::Counter>* updater_changed_;
  prometheus::Family<prometheus::Histogram>* updater_duration_;
};

}  // namespace herald::metrics
