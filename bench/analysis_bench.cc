// The layer analysis benchmark (issue 7): a ~200 MB gzip layer made from
// this machine's real /usr/lib files, with etc/os-release and the dpkg
// status at the end of the stream, analysed by a real herald (release build,
// default configuration but for analyzer.localPaths) through
// POST /v1/layers. In the same run it times `igzip -dc | tar -t` on the same
// file, the floor any analysis has to read through.
//
//   analysis_bench [--runs=3] [--concurrent=8] [--layer-mb=650]
//   [--workdir=/tmp/herald-analysis-bench]
//
// The layer is built once and kept in the work directory.
#include <signal.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "bench_util.h"
#include "support/http_client.h"
#include "support/layer_builder.h"
#include "support/process.h"

namespace herald::bench {
namespace {

using nlohmann::json;

// kB from /proc/PID/status.
long ProcStatusKb(pid_t pid, const std::string& key) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + ":", 0) == 0) return std::stol(line.substr(key.size() + 1));
  }
  return -1;
}

// Real files, sorted, until `bytes`: a layer like an image's /usr/lib.
std::string BuildLayer(const std::string& dir, long megabytes) {
  const std::string layer = dir + "/layer.tar.gz";
  if (std::filesystem::exists(layer)) return layer;
  std::cerr << "building the layer (" << megabytes << " MB of /usr/lib, gzip -6)…" << std::endl;
  testing::Shell(
      "cd / && find usr/lib -xdev -type f -size -64M -printf '%P\\t%s\\n' | "
      "LC_ALL=C sort | awk -F '\\t' -v max=" +
      std::to_string(megabytes * 1000 * 1000) +
      " '{ if (total + $2 > max) exit; total += $2; print \"usr/lib/\" $1 }' > " + dir +
      "/files.txt");
  std::filesystem::create_directories(dir + "/tail/var/lib/dpkg");
  std::filesystem::create_directories(dir + "/tail/etc");
  std::filesystem::copy_file("/var/lib/dpkg/status", dir + "/tail/var/lib/dpkg/status",
                             std::filesystem::copy_options::overwrite_existing);
  std::filesystem::copy_file("/etc/os-release", dir + "/tail/etc/os-release",
                             std::filesystem::copy_options::overwrite_existing);
  // The package database comes last in the stream: nothing can stop early.
  testing::Shell("tar -C / -cf - --no-recursion -T " + dir + "/files.txt -C " + dir +
                 "/tail etc/os-release var/lib/dpkg/status | gzip -6 > " + layer + ".tmp && mv " +
                 layer + ".tmp " + layer);
  return layer;
}

double IgzipTarSeconds(const std::string& layer) {
  const auto start = Clock::now();
  testing::Shell("igzip -dc " + layer + " | tar -t > /dev/null");
  return MillisSince(start) / 1000;
}

int Run(int argc, char** argv) {
  const int runs = static_cast<int>(FlagOr(argc, argv, "runs", 3));
  const int concurrent = static_cast<int>(FlagOr(argc, argv, "concurrent", 8));
  const long layer_mb = FlagOr(argc, argv, "layer-mb", 650);
  const std::string dir = FlagStringOr(argc, argv, "workdir", "/tmp/herald-analysis-bench");
  std::filesystem::create_directories(dir);
  const std::string layer = BuildLayer(dir, layer_mb);
  const double layer_size_mb = static_cast<double>(std::filesystem::file_size(layer)) / 1e6;

  testing::HeraldServer server(
      {.config_yaml = "clair:\n  analyzer:\n    localPaths: [\"" + dir + "\"]\n",
       .args = {"--log-level", "warn"}});
  server.Start();
  const std::string api = server.ApiUrl();
  testing::HttpClient client;
  const long idle_rss_kb = ProcStatusKb(server.pid(), "VmRSS");
  auto post = [&](testing::HttpClient& c, const std::string& name) {
    const json body = {{"Layer", {{"Name", name}, {"Path", layer}, {"Format", "Docker"}}}};
    const auto start = Clock::now();
    const auto r = c.Post(api + "/v1/layers", body.dump());
    if (r.status != 201)
      throw std::runtime_error("POST answered " + std::to_string(r.status) + ": " + r.body);
    return MillisSince(start) / 1000;
  };

  // 1. One layer at a time, alternating with the igzip | tar floor.
  std::vector<double> herald_s, floor_s;
  for (int i = 0; i < runs; ++i) {
    floor_s.push_back(IgzipTarSeconds(layer));
    herald_s.push_back(post(client, "single-" + std::to_string(i)));
  }
  const long peak_rss_kb = ProcStatusKb(server.pid(), "VmHWM");
  const json features = json::parse(client.Get(api + "/v1/layers/single-0?features").body);
  const std::size_t packages = features["Layer"]["Features"].size();

  // 2. `concurrent` layers at once while other routes are measured.
  const auto v = client.Post(api + "/v1/namespaces/debian:12/vulnerabilities",
                             R"({"Vulnerability":{"Name":"CVE-BENCH","Severity":"Low"}})");
  if (v.status != 201) throw std::runtime_error("vulnerability POST failed: " + v.body);
  const std::string notification =
      json::parse(client.Get(api + "/v1/notifications?limit=1").body)["Notifications"][0]["Name"];
  std::atomic<bool> loading{true};
  std::vector<double> health_ms, notification_ms;
  std::thread prober([&] {
    testing::HttpClient probe;
    while (loading) {
      auto start = Clock::now();
      if (probe.Get(server.HealthUrl() + "/health").status != 200)
        throw std::runtime_error("health");
      health_ms.push_back(MillisSince(start));
      start = Clock::now();
      if (probe.Get(api + "/v1/notifications/" + notification).status != 200)
        throw std::runtime_error("notification GET");
      notification_ms.push_back(MillisSince(start));
      std::this_thread::sleep_for(std::chrono::milliseconds(5));  // pacing, not synchronisation
    }
  });
  const auto load_start = Clock::now();
  std::vector<std::thread> posters;
  std::mutex mu;
  std::vector<double> concurrent_s;
  for (int i = 0; i < concurrent; ++i) {
    posters.emplace_back([&, i] {
      testing::HttpClient c;
      const double s = post(c, "concurrent-" + std::to_string(i));
      std::lock_guard lock(mu);
      concurrent_s.push_back(s);
    });
  }
  for (auto& t : posters) t.join();
  const double load_s = MillisSince(load_start) / 1000;
  loading = false;
  prober.join();
  const long peak_rss_all_kb = ProcStatusKb(server.pid(), "VmHWM");
  server.Stop(SIGTERM);

  const double herald_median = Quantile(herald_s, 0.5);
  const double floor_median = Quantile(floor_s, 0.5);
  json out = {{"bench", "analysis"},
              {"layer_mb", layer_size_mb},
              {"packages", packages},
              {"herald_s", herald_s},
              {"igzip_tar_s", floor_s},
              {"herald_median_s", herald_median},
              {"igzip_tar_median_s", floor_median},
              {"ratio", herald_median / floor_median},
              {"idle_rss_mb", idle_rss_kb / 1024.0},
              {"peak_rss_above_idle_mb", (peak_rss_kb - idle_rss_kb) / 1024.0},
              {"concurrent", concurrent},
              {"concurrent_wall_s", load_s},
              {"concurrent_max_s", *std::max_element(concurrent_s.begin(), concurrent_s.end())},
              {"peak_rss_above_idle_concurrent_mb", (peak_rss_all_kb - idle_rss_kb) / 1024.0},
              {"health_p99_ms", Quantile(health_ms, 0.99)},
              {"notification_get_p99_ms", Quantile(notification_ms, 0.99)},
              {"probes", health_ms.size()}};
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace herald::bench

int main(int argc, char** argv) {
  return herald::bench::Main("analysis_bench", herald::bench::Run, argc, argv);
}
