#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

namespace herald::metrics {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      api_duration_(&prometheus::BuildHistogram()
                         .Name("clair_api_response_duration_milliseconds")
                         .Help("The duration of time it takes to receive and write a response to "
                               "an API request")
                         .Register(*registry_)) {
  // 1 ms to 1 h: Clair v1's default buckets (seconds-sized, on a
  // millisecond metric) put every sample in +Inf.
  notifier_latency_ = &prometheus::BuildHistogram()
                           .Name("clair_notifier_latency_milliseconds")
                           .Help(
                               "Time from a notification's creation to its successful delivery "
                               "round")
                           .Register(*registry_)
                           .Add({}, prometheus::Histogram::BucketBoundaries{
                                        1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
                                        30000, 60000, 300000, 900000, 1800000, 3600000});
  backend_errors_ = &prometheus::BuildCounter()
                         .Name("clair_notifier_backend_errors_total")
                         .Help("Delivery attempts that did not succeed, by receiver")
                         .Register(*registry_);
  deliveries_ = &prometheus::BuildCounter()
                     .Name("herald_notifier_deliveries_total")
                     .Help("Delivery attempts by receiver and outcome (success, failure, timeout)")
                     .Register(*registry_);
  pending_ = &prometheus::BuildGauge()
                  .Name("herald_notifier_pending")
                  .Help("Notifications whose current delivery round has not ended")
                  .Register(*registry_)
                  .Add({});
  lease_lost_ = &prometheus::BuildCounter()
                     .Name("herald_notifier_lease_lost_total")
                     .Help(
                         "Notifications this process could not mark because its lease had "
                         "lapsed or was revoked")
                     .Register(*registry_)
                     .Add({});
  analyzer_layers_ = &prometheus::BuildCounter()
                          .Name("herald_analyzer_layers_total")
                          .Help("Layers posted by Path, by outcome")
                          .Register(*registry_);
  analyzer_duration_ =
      &prometheus::BuildHistogram()
           .Name("herald_analyzer_duration_seconds")
           .Help("Time to fetch and analyse one layer")
           .Register(*registry_)
           .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                            10, 30, 60, 120, 300, 600});
  analyzer_bytes_ = &prometheus::BuildCounter()
                         .Name("herald_analyzer_bytes_total")
                         .Help("Layer bytes read by the analyzer, as fetched (compressed)")
                         .Register(*registry_)
                         .Add({});
  updater_runs_ = &prometheus::BuildCounter()
                       .Name("herald_updater_runs_total")
                       .Help("Feed source runs by outcome (success, not-modified, failure)")
                       .Register(*registry_);
  updater_last_success_ = &prometheus::BuildGauge()
                               .Name("herald_updater_last_success_timestamp_seconds")
                               .Help("Unix time of the last successful run of a feed source")
                               .Register(*registry_);
  updater_changed_ = &prometheus::BuildCounter()
                          .Name("herald_updater_vulnerabilities_changed_total")
                          .Help("Vulnerabilities a feed source added or changed")
                          .Register(*registry_);
  updater_duration_ = &prometheus::BuildHistogram()
                           .Name("herald_updater_duration_seconds")
                           .Help("Time to fetch, parse and apply one feed source")
                           .Register(*registry_);
}

void Metrics::RecordFeedRun(const std::string& source, const std::string& outcome, double seconds,
                            std::int64_t changed, std::optional<std::int64_t> success_ms) {
  updater_runs_->Add({{"source", source}, {"outcome", outcome}}).Increment();
  updater_changed_->Add({{"source", source}}).Increment(static_cast<double>(changed));
  static const prometheus::Histogram::BucketBoundaries kBuckets = {0.1, 0.5, 1,   2.5, 5,   10,
                                                                   30,  60,  120, 300, 600, 1800};
  updater_duration_->Add({{"source", source}}, kBuckets).Observe(seconds);
  if (success_ms) {
    updater_last_success_->Add({{"source", source}}).Set(static_cast<double>(*success_ms) / 1000);
  }
}

void Metrics::CountAnalysis(const std::string& outcome) {
  analyzer_layers_->Add({{"outcome", outcome}}).Increment();
}

void Metrics::ObserveAnalysisSeconds(double seconds) {
  analyzer_duration_->Observe(seconds);
}

void Metrics::AddAnalyzedBytes(double bytes) {
  analyzer_bytes_->Increment(bytes);
}

void Metrics::ObserveNotifierLatency(double milliseconds) {
  notifier_latency_->Observe(milliseconds);
}

void Metrics::CountDelivery(const std::string& backend, const std::string& outcome) {
  deliveries_->Add({{"backend", backend}, {"outcome", outcome}}).Increment();
  if (outcome != "success") backend_errors_->Add({{"backend", backend}}).Increment();
}

void Metrics::SetPending(double pending) {
  pending_->Set(pending);
}

void Metrics::CountLeaseLost(double n) {
  lease_lost_->Increment(n);
}

void Metrics::ObserveApiResponse(const std::string& route, int code, double milliseconds) {
  // Millisecond buckets: Clair v1 used the library's default (seconds-sized)
  // buckets on a millisecond metric, which put nearly every sample in +Inf.
  static const prometheus::Histogram::BucketBoundaries kBuckets = {
      0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000};
  api_duration_->Add({{"route", route}, {"code", std::to_string(code)}}, kBuckets)
      .Observe(milliseconds);
}

std::string Metrics::Render() const {
  prometheus::TextSerializer serializer;
  return serializer.Serialize(registry_->Collect());
}

}  // namespace herald::metrics
