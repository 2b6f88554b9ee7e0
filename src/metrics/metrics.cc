#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

#include <algorithm>
#include <type_traits>
#include <vector>

#include "model/delivery.h"

namespace herald::metrics {

template <typename Builder>
auto& Metrics::Declare(Builder builder, const char* name, const char* help) {
  auto& family = builder.Name(name).Help(help).Register(*registry_);
  prometheus::MetricFamily empty;
  empty.name = name;
  empty.help = help;
  empty.type = std::remove_reference_t<decltype(family.Add({}))>::metric_type;
  declared_.push_back(std::move(empty));
  return family;
}

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      api_duration_(&Declare(prometheus::BuildHistogram(),
                             "clair_api_response_duration_milliseconds",
                             "The duration of time it takes to receive and write a response to "
                             "an API request")) {
  // 1 ms to 1 h: Clair v1's default buckets (seconds-sized, on a
  // millisecond metric) put every sample in +Inf.
  notifier_latency_ = &Declare(prometheus::BuildHistogram(), "clair_notifier_latency_milliseconds",
                               "Time from a notification's creation to its successful delivery "
                               "round")
                           .Add({}, prometheus::Histogram::BucketBoundaries{
                                        1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
                                        30000, 60000, 300000, 900000, 1800000, 3600000});
  backend_errors_ = &Declare(prometheus::BuildCounter(), "clair_notifier_backend_errors_total",
                             "Delivery attempts that did not succeed, by receiver");
  deliveries_ = &Declare(prometheus::BuildCounter(), "herald_notifier_deliveries_total",
                         "Delivery attempts by receiver and outcome (success, failure, timeout)");
  pending_ = &Declare(prometheus::BuildGauge(), "herald_notifier_pending",
                      "Notifications whose current delivery round has not ended")
                  .Add({});
  lease_lost_ = &Declare(prometheus::BuildCounter(), "herald_notifier_lease_lost_total",
                         "Notifications this process could not mark because its lease had "
                         "lapsed or was revoked")
                     .Add({});
  analyzer_layers_ = &Declare(prometheus::BuildCounter(), "herald_analyzer_layers_total",
                              "Layers posted by Path, by outcome");
  analyzer_duration_ =
      &Declare(prometheus::BuildHistogram(), "herald_analyzer_duration_seconds",
               "Time to fetch and analyse one layer")
           .Add({}, prometheus::Histogram::BucketBoundaries{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
                                                            10, 30, 60, 120, 300, 600});
  analyzer_bytes_ = &Declare(prometheus::BuildCounter(), "herald_analyzer_bytes_total",
                             "Layer bytes read by the analyzer, as fetched (compressed)")
                         .Add({});
  updater_runs_ = &Declare(prometheus::BuildCounter(), "herald_updater_runs_total",
                           "Feed source runs by outcome (success, not-modified, failure)");
  updater_last_success_ =
      &Declare(prometheus::BuildGauge(), "herald_updater_last_success_timestamp_seconds",
               "Unix time of the last successful run of a feed source");
  updater_changed_ =
      &Declare(prometheus::BuildCounter(), "herald_updater_vulnerabilities_changed_total",
               "Vulnerabilities a feed source added or changed");
  updater_duration_ = &Declare(prometheus::BuildHistogram(), "herald_updater_duration_seconds",
                               "Time to fetch, parse and apply one feed source");
  for (const char* outcome :
       {"analyzed", "already_indexed", "rejected", "unprocessable", "cancelled", "error"}) {
    analyzer_layers_->Add({{"outcome", outcome}});
  }
}

void Metrics::DeclareReceiver(const std::string& backend) {
  using model::DeliveryOutcome;
  for (DeliveryOutcome outcome : {DeliveryOutcome::kSuccess, DeliveryOutcome::kFailure,
                                  DeliveryOutcome::kTimeout, DeliveryOutcome::kFiltered}) {
    deliveries_->Add({{"backend", backend}, {"outcome", std::string(model::ToString(outcome))}});
  }
  backend_errors_->Add({{"backend", backend}});
}

void Metrics::DeclareFeedSource(const std::string& source) {
  for (const char* outcome : {"success", "not-modified", "failure"}) {
    updater_runs_->Add({{"source", source}, {"outcome", outcome}});
  }
  updater_changed_->Add({{"source", source}});
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
  std::vector<prometheus::MetricFamily> families = registry_->Collect();
  // prometheus-cpp leaves out a family with no series yet; SPEC §10 wants
  // every family in /metrics from start-up, with its # TYPE line.
  for (const prometheus::MetricFamily& declared : declared_) {
    if (std::none_of(families.begin(), families.end(),
                     [&](const auto& f) { return f.name == declared.name; })) {
      families.push_back(declared);
    }
  }
  prometheus::TextSerializer serializer;
  return serializer.Serialize(families);
}

}  // namespace herald::metrics
