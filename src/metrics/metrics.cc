#include "metrics/metrics.h"

#include <prometheus/text_serializer.h>

namespace herald::metrics {

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      api_duration_(&prometheus::BuildHistogram()
                         .Name("clair_api_response_duration_milliseconds")
                         .Help("The duration of time it takes to receive and write a response to "
                               "an API request")
                         .Register(*registry_)) {}

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
