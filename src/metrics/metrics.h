// The process's Prometheus registry and the metric families SPEC §5 names.
// Rendered by our own HTTP server (/v1/metrics and the health port's
// /metrics) with prometheus-cpp's text serializer.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include <memory>
#include <string>

namespace herald::metrics {

class Metrics {
 public:
  Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // clair_api_response_duration_milliseconds{route,code}
  void ObserveApiResponse(const std::string& route, int code, double milliseconds);

  // The Prometheus text exposition of every family.
  std::string Render() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>* api_duration_;
};

}  // namespace herald::metrics
