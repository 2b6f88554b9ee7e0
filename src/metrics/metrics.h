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

  // clair_notifier_latency_milliseconds: creation → successful round.
  void ObserveNotifierLatency(double milliseconds);
  // herald_notifier_deliveries_total{backend,outcome}, and
  // clair_notifier_backend_errors_total{backend} when it did not succeed.
  void CountDelivery(const std::string& backend, const std::string& outcome);
  // herald_notifier_pending
  void SetPending(double pending);
  // herald_notifier_lease_lost_total
  void CountLeaseLost(double n);

  // The Prometheus text exposition of every family.
  std::string Render() const;

  prometheus::Registry& registry() { return *registry_; }

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Histogram>* api_duration_;
  prometheus::Histogram* notifier_latency_;
  prometheus::Family<prometheus::Counter>* backend_errors_;
  prometheus::Family<prometheus::Counter>* deliveries_;
  prometheus::Gauge* pending_;
  prometheus::Counter* lease_lost_;
};

}  // namespace herald::metrics
