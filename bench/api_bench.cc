// The foundation benchmark (issue 2): inventory scale, notification creation
// and paging latency, and GET throughput, against a real herald (release
// build) on an SQLite file, with the load generator on the same machine.
//
//   api_bench [--layers=100000] [--affected=10000] [--threads=8] [--wrk-seconds=10]
//
// Images are chains of 5 layers with 10 feature versions each. The first
// `affected` images carry the vulnerable version of `libtarget` in their base
// layer, so exactly that many layers introduce the vulnerability.
#include <signal.h>

#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench_util.h"
#include "support/http_client.h"
#include "support/process.h"

namespace herald::bench {
namespace {

using nlohmann::json;
constexpr int kChain = 5;
constexpr int kFeatures = 10;

json LayerBody(long image, int depth, long affected) {
  json features = json::array();
  // Nine common packages; each layer bumps one of them so that every layer
  // introduces something, and the set stays at ten.
  for (int p = 0; p < kFeatures - 1; ++p) {
    std::string version = "1." + std::to_string(image % 50);
    if (depth > 0 && p < depth) version += "+layer" + std::to_string(depth);
    features.push_back({{"Name", "pkg" + std::to_string(p)}, {"Version", version}});
  }
  features.push_back({{"Name", "libtarget"}, {"Version", image < affected ? "1.0-1" : "3.0-1"}});
  json layer = {{"Name", "img" + std::to_string(image) + "-l" + std::to_string(depth)},
                {"Features", std::move(features)}};
  if (depth == 0) {
    layer["NamespaceName"] = "debian:8";
  } else {
    layer["ParentName"] = "img" + std::to_string(image) + "-l" + std::to_string(depth - 1);
  }
  return {{"Layer", std::move(layer)}};
}

int Run(int argc, char** argv) {
  const long layers = FlagOr(argc, argv, "layers", 100000);
  const long affected = FlagOr(argc, argv, "affected", 10000);
  const int threads = static_cast<int>(FlagOr(argc, argv, "threads", 8));
  const int wrk_seconds = static_cast<int>(FlagOr(argc, argv, "wrk-seconds", 10));
  const long images = layers / kChain;

  testing::HeraldServer server({.args = {"--log-level", "warn"}});
  server.Start();
  const std::string api = server.ApiUrl();

  // 1. Register the layers, one image chain per request sequence.
  std::atomic<long> next_image{0};
  std::atomic<long> failures{0};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      testing::HttpClient client;
      for (long image = next_image++; image < images; image = next_image++) {
        for (int depth = 0; depth < kChain; ++depth) {
          auto r = client.Post(api + "/v1/layers", LayerBody(image, depth, affected).dump());
          if (r.status != 201) ++failures;
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  const double register_s = MillisSince(start) / 1000;
  if (failures > 0) throw std::runtime_error(std::to_string(failures) + " layer posts failed");

  // 2. One vulnerability whose fix affects `affected` layers.
  testing::HttpClient client;
  start = Clock::now();
  auto posted = client.Post(api + "/v1/namespaces/debian:8/vulnerabilities",
                            R"({"Vulnerability":{"Name":"CVE-BENCH","Severity":"High",
                            "FixedIn":[{"Name":"libtarget","Version":"2.0-1"}]}})");
  const double post_ms = MillisSince(start);
  if (posted.status != 201) throw std::runtime_error("vulnerability post failed: " + posted.body);
  auto list = json::parse(client.Get(api + "/v1/notifications?limit=1").body);
  const std::string name = list["Notifications"][0]["Name"];

  // 3. Page through it with limit=100.
  std::vector<double> page_ms;
  long seen = 0;
  std::string url = api + "/v1/notifications/" + name + "?limit=100";
  while (true) {
    start = Clock::now();
    auto r = client.Get(url);
    page_ms.push_back(MillisSince(start));
    if (r.status != 200) throw std::runtime_error("page failed: " + r.body);
    auto n = json::parse(r.body)["Notification"];
    seen += static_cast<long>(n["New"]["LayersIntroducingVulnerability"].size());
    if (!n.contains("NextPage")) break;
    url = api + "/v1/notifications/" + name +
          "?limit=100&page=" + testing::UrlEncode(n["NextPage"].get<std::string>());
  }
  if (seen != affected) {
    throw std::runtime_error("paged " + std::to_string(seen) + " layers, expected " +
                             std::to_string(affected));
  }

  // 4. GET throughput on one page with 64 keep-alive connections.
  std::string wrk_raw;
  const double rps = WrkRequestsPerSecond(api + "/v1/notifications/" + name + "?limit=100", 2, 64,
                                          wrk_seconds, &wrk_raw);

  server.Stop(SIGTERM);
  json out = {{"bench", "api"},
              {"layers", images * kChain},
              {"affected_layers", affected},
              {"register_s", register_s},
              {"register_layers_per_s", static_cast<double>(images * kChain) / register_s},
              {"post_vulnerability_ms", post_ms},
              {"pages", page_ms.size()},
              {"page_p50_ms", Quantile(page_ms, 0.50)},
              {"page_p99_ms", Quantile(page_ms, 0.99)},
              {"page_max_ms", Quantile(page_ms, 1.0)},
              {"get_page_req_per_s", rps},
              {"get_connections", 64}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace herald::bench

int main(int argc, char** argv) {
  return herald::bench::Main("api_bench", herald::bench::Run, argc, argv);
}
