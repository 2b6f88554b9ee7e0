// The Grafana dashboard of SPEC §10 (contrib/grafana/herald-dashboard.json)
// against a live herald's /metrics: every metric a panel queries is one that
// Herald exports, and every family is there from start-up.
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "delivery_fixture.h"

namespace herald::testing {
namespace {

// Every series name a scrape of `metrics` can hold: each family's name, and
// for a histogram its _bucket, _sum and _count.
std::set<std::string> ExportedNames(const std::string& metrics) {
  std::set<std::string> names;
  std::istringstream lines(metrics);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string hash, keyword, name, type;
    if (!(words >> hash >> keyword >> name >> type) || hash != "#" || keyword != "TYPE") continue;
    names.insert(name);
    if (type == "histogram") {
      for (const char* suffix : {"_bucket", "_sum", "_count"}) names.insert(name + suffix);
    }
  }
  return names;
}

// Every panel, rows' nested panels included.
void CollectPanels(const json& panels, std::vector<json>& out) {
  for (const json& p : panels) {
    if (p.value("type", "") != "row") out.push_back(p);
    if (p.contains("panels")) CollectPanels(p["panels"], out);
  }
}

json Dashboard() {
  std::ifstream in(std::string(HERALD_SOURCE_DIR) + "/contrib/grafana/herald-dashboard.json");
  EXPECT_TRUE(in.good());
  return json::parse(in);
}

TEST(GrafanaDashboardTest, EveryQueryNamesAMetricHeraldExports) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  HttpClient http;
  const std::set<std::string> exported =
      ExportedNames(http.Get(server.HealthUrl() + "/metrics").body);

  std::vector<json> panels;
  CollectPanels(Dashboard()["panels"], panels);
  ASSERT_GE(panels.size(), 7u);
  const std::regex metric(R"((herald|clair)_[a-zA-Z0-9_:]*)");
  std::set<std::string> queried;
  for (const json& panel : panels) {
    ASSERT_TRUE(panel.contains("targets")) << panel["title"];
    for (const json& target : panel["targets"]) {
      const std::string expr = target["expr"];
      std::size_t found = 0;
      for (std::sregex_iterator it(expr.begin(), expr.end(), metric), end; it != end; ++it) {
        ++found;
        queried.insert(it->str());
        EXPECT_EQ(exported.count(it->str()), 1u)
            << "panel \"" << panel["title"].get<std::string>() << "\" queries " << it->str()
            << ", which /metrics does not export";
      }
      EXPECT_GT(found, 0u) << "panel \"" << panel["title"].get<std::string>()
                           << "\" queries no Herald metric: " << expr;
    }
  }
  // The panels SPEC §10 asks for, by the metric each one reads.
  for (const char* wanted :
       {"herald_notifier_deliveries_total", "clair_notifier_latency_milliseconds_bucket",
        "herald_notifier_pending", "clair_notifier_backend_errors_total",
        "clair_api_response_duration_milliseconds_bucket", "herald_updater_runs_total",
        "herald_analyzer_layers_total", "herald_analyzer_bytes_total"}) {
    EXPECT_EQ(queried.count(wanted), 1u) << "no panel reads " << wanted;
  }
}

// SPEC §10: every family in /metrics from start-up with its # TYPE line,
// and counters at 0 where the labels are known.
TEST(GrafanaDashboardTest, EveryFamilyIsExportedFromStartUp) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  HttpClient http;
  const std::string metrics = http.Get(server.HealthUrl() + "/metrics").body;
  for (const char* family :
       {"clair_api_response_duration_milliseconds", "clair_notifier_latency_milliseconds",
        "clair_notifier_backend_errors_total", "herald_notifier_deliveries_total",
        "herald_notifier_pending", "herald_notifier_lease_lost_total",
        "herald_analyzer_layers_total", "herald_analyzer_duration_seconds",
        "herald_analyzer_bytes_total", "herald_updater_runs_total",
        "herald_updater_last_success_timestamp_seconds",
        "herald_updater_vulnerabilities_changed_total", "herald_updater_duration_seconds"}) {
    EXPECT_NE(metrics.find(std::string("# TYPE ") + family + " "), std::string::npos) << family;
  }
  for (const char* zero :
       {R"(herald_notifier_deliveries_total{backend="http",outcome="success"} 0)",
        R"(herald_notifier_deliveries_total{backend="http",outcome="failure"} 0)",
        R"(clair_notifier_backend_errors_total{backend="http"} 0)",
        R"(herald_analyzer_layers_total{outcome="analyzed"} 0)"}) {
    EXPECT_NE(metrics.find(zero), std::string::npos) << zero << "\n" << metrics;
  }
}

}  // namespace
}  // namespace herald::testing
