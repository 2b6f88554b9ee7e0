// The registry's exposition (SPEC §10): every family from the start, and
// series at 0 for the label values known then.
#include "metrics/metrics.h"

#include <gtest/gtest.h>

namespace herald::metrics {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find(line) != std::string::npos;
}

TEST(MetricsTest, AFamilyWithoutSeriesStillHasItsHelpAndType) {
  const std::string text = Metrics().Render();
  EXPECT_TRUE(Has(text, "# TYPE clair_api_response_duration_milliseconds histogram\n")) << text;
  EXPECT_TRUE(Has(text, "# HELP herald_updater_runs_total Feed source runs")) << text;
  EXPECT_TRUE(Has(text, "# TYPE herald_updater_last_success_timestamp_seconds gauge\n")) << text;
  // Once it has a series, it is listed once.
  Metrics m;
  m.ObserveApiResponse("/v1/layers", 201, 3);
  const std::string after = m.Render();
  const std::string type = "# TYPE clair_api_response_duration_milliseconds histogram\n";
  EXPECT_EQ(after.find(type), after.rfind(type));
}

TEST(MetricsTest, DeclaredReceiversAndSourcesStartAtZero) {
  Metrics m;
  m.DeclareReceiver("amqp");
  m.DeclareFeedSource("debian");
  const std::string text = m.Render();
  for (const char* outcome : {"success", "failure", "timeout", "filtered"}) {
    EXPECT_TRUE(
        Has(text, std::string("herald_notifier_deliveries_total{backend=\"amqp\",outcome=\"") +
                      outcome + "\"} 0\n"))
        << text;
  }
  EXPECT_TRUE(Has(text, "clair_notifier_backend_errors_total{backend=\"amqp\"} 0\n")) << text;
  for (const char* outcome : {"success", "not-modified", "failure"}) {
    EXPECT_TRUE(Has(text, std::string("herald_updater_runs_total{outcome=\"") + outcome +
                              "\",source=\"debian\"} 0\n"))
        << text;
  }
  EXPECT_TRUE(Has(text, "herald_updater_vulnerabilities_changed_total{source=\"debian\"} 0\n"));
  // Counting afterwards adds to the declared series.
  m.CountDelivery("amqp", "success");
  EXPECT_TRUE(Has(m.Render(),
                  "herald_notifier_deliveries_total{backend=\"amqp\",outcome=\"success\"} 1\n"));
}

}  // namespace
}  // namespace herald::metrics
