// The notifier benchmark (issue 3), a real release herald on SQLite
// delivering to a C++ sink on the same machine. One JSON line per run.
//
//   notifier_bench --workload=backlog [--backlog=100000] [--concurrency=256]
//                  [--store=sqlite|postgres] [--processes=1]   (postgres: a private
//                  cluster, backlog seeded by one INSERT … generate_series)
//                  [--webhooks=1]   (N: http plus N-1 named webhooks, each
//                  to a sink of its own; every notification goes to each)
//   notifier_bench --workload=amqp-backlog|stomp-backlog [--backlog=100000]
//                  [--concurrency=64] [--queue=classic|classic-v2|quorum]
//                  (to a private RabbitMQ node, AMQP with publisher confirms
//                  or STOMP with receipts, into a durable queue of that kind;
//                  the messages in the queue are counted and read back)
//   notifier_bench --workload=steady  [--rate=1000] [--seconds=60]
//   notifier_bench --workload=idle    [--samples=200]
//
// backlog: N pending notifications are written to the database first (with
// the store library, as the API would), then herald starts and delivers
// them; deliveries/s is N over first-to-last arrival, and herald's CPU
// seconds and peak RSS are read from /proc before it stops.
#include <signal.h>

#include <unistd.h>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "bench_util.h"
#include "http_sink.h"
#include "inventory/vulnerability_changes.h"
#include "store/sqlite/sqlite_store.h"
#include "support/http_client.h"
#include "support/postgres.h"
#include "support/process.h"
#include "support/rabbitmq.h"

namespace herald::bench {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct ProcessUsage {
  double cpu_seconds = 0;
  double peak_rss_mb = 0;
};

ProcessUsage Usage(pid_t pid) {
  ProcessUsage u;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), {});
  // Fields after the ")" that closes the command name: utime is the 12th,
  // stime the 13th.
  std::istringstream rest(content.substr(content.rfind(')') + 2));
  std::string field;
  long utime = 0, stime = 0;
  for (int i = 1; i <= 13 && rest >> field; ++i) {
    if (i == 12) utime = std::stol(field);
    if (i == 13) stime = std::stol(field);
  }
  u.cpu_seconds = static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) u.peak_rss_mb = std::stod(line.substr(6)) / 1024.0;
  }
  return u;
}

// The first sink is Clair v1's http receiver, the others named webhooks.
std::string Config(const std::vector<std::string>& sinks, long concurrency) {
  std::string yaml = "clair:\n  notifier:\n    concurrency: " + std::to_string(concurrency) +
                     "\n    http:\n      endpoint: " + sinks.front() + "\n";
  if (sinks.size() > 1) yaml += "    webhooks:\n";
  for (std::size_t i = 1; i < sinks.size(); ++i) {
    yaml += "      w" + std::to_string(i + 1) + ":\n        endpoint: " + sinks[i] + "\n";
  }
  return yaml;
}

// `backlog` pending notifications in a new SQLite file, written with the
// store library as the API would.
void WriteSqliteBacklog(const std::string& db, long backlog) {
  util::SystemClock& clock = util::SystemClock::Instance();
  store::sqlite::SqliteStore store(db, clock, store::OpenMode::kCreate);
  for (long i = 0; i < backlog; ++i) {
    model::Vulnerability v;
    v.namespace_name = "debian:8";
    v.name = "CVE-BACKLOG-" + std::to_string(i);
    v.severity = "Low";
    store.ChangeVulnerability(v.namespace_name, v.name, inventory::MergePosted(v));
  }
}

// "classic" is the broker's default classic queue.
std::string QueueKind(const std::string& flag) {
  if (flag == "classic") return "";
  if (flag == "classic-v2" || flag == "quorum") return flag;
  throw std::invalid_argument("--queue must be classic, classic-v2 or quorum");
}

// The backlog delivered to a private RabbitMQ node (a separate process, like
// a real broker) over AMQP with publisher confirms or over STOMP with
// receipts: deliveries/s is N over the time from the first message in the
// queue to the last, and the queue is read back at the end to count losses
// and duplicates.
int BrokerBacklog(const std::string& protocol, long backlog, long concurrency,
                  const std::string& queue_kind) {
  testing::TempDir dir;
  const std::string db = dir.File("backlog.db");
  auto created_at = Clock::now();
  WriteSqliteBacklog(db, backlog);
  const double setup_s = MillisSince(created_at) / 1000;

  testing::PrivateRabbitMq rabbit;
  testing::AmqpTestClient client(rabbit.node().AmqpUri());
  std::string receiver;
  if (protocol == "amqp") {
    client.DeclareExchange("herald");
    client.DeclareQueue("bench", "herald", "notifications", {}, QueueKind(queue_kind));
    receiver = "    amqp:\n      uri: " + rabbit.node().AmqpUri() + "\n";
  } else {
    client.DeclareQueue("bench", "", "bench", {}, QueueKind(queue_kind));
    receiver =
        "    stomp:\n      address: 127.0.0.1:" + std::to_string(rabbit.node().stomp_port()) +
        "\n      destination: /queue/bench\n      login: guest\n      passcode: guest\n";
  }
  testing::HeraldServer herald(testing::HeraldServer::Options{
      .config_yaml =
          "clair:\n  notifier:\n    concurrency: " + std::to_string(concurrency) + "\n" + receiver,
      .args = {"--log-level", "warn"},
      .database = db});
  const double broker_cpu_before = Usage(rabbit.node().pid()).cpu_seconds;
  const auto launched = Clock::now();
  herald.Start();
  std::optional<Clock::time_point> first;
  std::uint32_t count = 0;
  const auto give_up = launched + std::chrono::minutes(30);
  while (count < static_cast<std::uint32_t>(backlog) && Clock::now() < give_up) {
    count = client.Count("bench");
    if (count > 0 && !first) first = Clock::now();
    std::this_thread::sleep_for(milliseconds(10));  // sampling the queue's depth
  }
  const auto last = Clock::now();
  if (count < static_cast<std::uint32_t>(backlog)) {
    throw std::runtime_error("only " + std::to_string(count) + " of " + std::to_string(backlog) +
                             " messages arrived");
  }
  const ProcessUsage usage = Usage(herald.pid());
  const double broker_cpu_s = Usage(rabbit.node().pid()).cpu_seconds - broker_cpu_before;
  herald.Stop(SIGTERM);
  std::set<std::string> names;
  std::size_t messages = 0;
  for (const testing::AmqpMessage& m : client.Drain("bench")) {
    ++messages;
    names.insert(json::parse(m.body)["Notification"]["Name"].get<std::string>());
  }
  const double span_s = std::chrono::duration<double>(last - *first).count();
  json out = {
      {"bench", "notifier"},
      {"workload", protocol + "-backlog"},
      {"store", "sqlite"},
      {"backlog", backlog},
      {"concurrency", concurrency},
      {"queue", queue_kind},
      {"setup_s", setup_s},
      {"deliver_s", span_s},
      {"deliveries_per_s", static_cast<double>(backlog) / span_s},
      {"from_launch_s", std::chrono::duration<double>(last - launched).count()},
      {"messages", messages},
      {"lost", backlog - static_cast<long>(names.size())},
      {"duplicates", messages - names.size()},
      {"herald_cpu_s", usage.cpu_seconds},
      {"herald_cpu_us_per_notification", usage.cpu_seconds * 1e6 / static_cast<double>(backlog)},
      {"herald_peak_rss_mb", usage.peak_rss_mb},
      {"broker_cpu_s", broker_cpu_s}};
  std::cout << out.dump() << std::endl;
  return 0;
}

// Writes the backlog, then starts `processes` herald serve on it.
int Backlog(long backlog, long concurrency, const std::string& store_kind, long processes,
            long webhooks) {
  if (webhooks < 1) throw std::invalid_argument("--webhooks must be at least 1");
  testing::TempDir dir;
  std::unique_ptr<testing::PrivateCluster> cluster;
  std::string db;
  auto created_at = Clock::now();
  if (store_kind == "postgres") {
    cluster = std::make_unique<testing::PrivateCluster>();
    db = cluster->conninfo();
    testing::SeedNotifications(db, static_cast<int>(backlog));
  } else {
    if (processes != 1) throw std::invalid_argument("several processes need --store=postgres");
    db = dir.File("backlog.db");
    WriteSqliteBacklog(db, backlog);
  }
  const double setup_s = MillisSince(created_at) / 1000;

  std::vector<std::unique_ptr<HttpSink>> sinks;
  std::vector<std::string> urls;
  for (long i = 0; i < webhooks; ++i) {
    sinks.push_back(std::make_unique<HttpSink>(1));
    urls.push_back(sinks.back()->Url());
  }
  std::vector<std::unique_ptr<testing::HeraldServer>> heralds;
  for (long i = 0; i < processes; ++i) {
    heralds.push_back(std::make_unique<testing::HeraldServer>(
        testing::HeraldServer::Options{.config_yaml = Config(urls, concurrency),
                                       .args = {"--log-level", "warn"},
                                       .database = db}));
  }
  const auto launched = Clock::now();
  for (auto& h : heralds) h->Start();
  for (auto& sink : sinks) {
    if (!sink->WaitForDistinct(static_cast<std::size_t>(backlog), std::chrono::minutes(30))) {
      throw std::runtime_error("only " + std::to_string(sink->distinct()) + " of " +
                               std::to_string(backlog) + " arrived");
    }
  }
  ProcessUsage usage;
  for (auto& h : heralds) {
    auto u = Usage(h->pid());
    usage.cpu_seconds += u.cpu_seconds;
    usage.peak_rss_mb = std::max(usage.peak_rss_mb, u.peak_rss_mb);
  }
  HttpSink::Clock::time_point first = sinks.front()->first_arrival();
  HttpSink::Clock::time_point last = sinks.front()->last_new_arrival();
  std::size_t requests = 0;
  for (auto& sink : sinks) {
    first = std::min(first, sink->first_arrival());
    last = std::max(last, sink->last_new_arrival());
    requests += sink->requests();
  }
  const double span_s = std::chrono::duration<double>(last - first).count();
  const double from_launch_s = std::chrono::duration<double>(last - launched).count();
  for (auto& h : heralds) h->Stop(SIGTERM);
  json out = {
      {"bench", "notifier"},
      {"workload", "backlog"},
      {"store", store_kind},
      {"processes", processes},
      {"backlog", backlog},
      {"concurrency", concurrency},
      {"setup_s", setup_s},
      {"deliver_s", span_s},
      {"deliveries_per_s", static_cast<double>(backlog) / span_s},
      {"from_launch_s", from_launch_s},
      {"webhooks", webhooks},
      {"requests", requests},
      {"duplicates", requests - static_cast<std::size_t>(backlog * webhooks)},
      {"herald_cpu_s", usage.cpu_seconds},
      {"herald_cpu_us_per_notification", usage.cpu_seconds * 1e6 / static_cast<double>(backlog)},
      {"herald_peak_rss_mb", usage.peak_rss_mb}};
  std::cout << out.dump() << std::endl;
  return 0;
}

// POSTs vulnerabilities; returns vulnerability name → time its POST began.
std::string PostVulnerability(testing::HttpClient& client, const std::string& api,
                              const std::string& name) {
  auto r = client.Post(api + "/v1/namespaces/debian:8/vulnerabilities",
                       R"({"Vulnerability":{"Name":")" + name + R"(","Severity":"Low"}})");
  if (r.status != 201) throw std::runtime_error("POST failed: " + r.body);
  return name;
}

// Notification name → vulnerability name, read back through the API.
std::unordered_map<std::string, std::string> NotificationVulnerabilities(
    testing::HttpClient& client, const std::string& api,
    const std::unordered_map<std::string, Clock::time_point>& arrivals) {
  std::unordered_map<std::string, std::string> out;
  for (const auto& [name, at] : arrivals) {
    auto doc = json::parse(client.Get(api + "/v1/notifications/" + name + "?limit=1").body);
    out[name] = doc["Notification"]["New"]["Vulnerability"]["Name"];
  }
  return out;
}

std::vector<double> Latencies(testing::HttpClient& client, const std::string& api, HttpSink& sink,
                              const std::unordered_map<std::string, Clock::time_point>& posted) {
  auto arrivals = sink.Arrivals();
  auto vulns = NotificationVulnerabilities(client, api, arrivals);
  std::vector<double> ms;
  for (const auto& [name, at] : arrivals) {
    auto it = posted.find(vulns[name]);
    if (it != posted.end()) {
      ms.push_back(std::chrono::duration<double, std::milli>(at - it->second).count());
    }
  }
  return ms;
}

int Steady(long rate, long duration_s) {
  HttpSink sink(1);
  testing::HeraldServer herald(
      {.config_yaml = Config({sink.Url()}, 64), .args = {"--log-level", "warn"}});
  herald.Start();
  testing::HttpClient client;
  const std::string api = herald.ApiUrl();
  std::unordered_map<std::string, Clock::time_point> posted;
  const long total = rate * duration_s;
  const auto start = Clock::now();
  const auto period = std::chrono::nanoseconds(1'000'000'000 / rate);
  long late = 0;
  for (long i = 0; i < total; ++i) {
    const auto slot = start + period * i;
    if (Clock::now() < slot) {
      std::this_thread::sleep_until(slot);  // pacing the load, not synchronising
    } else if (Clock::now() - slot > milliseconds(10)) {
      ++late;
    }
    const std::string name = "CVE-STEADY-" + std::to_string(i);
    posted[name] = Clock::now();
    PostVulnerability(client, api, name);
  }
  const double offered_s = MillisSince(start) / 1000;
  if (!sink.WaitForDistinct(static_cast<std::size_t>(total), std::chrono::minutes(5))) {
    throw std::runtime_error("not every notification arrived");
  }
  auto ms = Latencies(client, api, sink, posted);
  herald.Stop(SIGTERM);
  json out = {{"bench", "notifier"},
              {"workload", "steady"},
              {"store", "sqlite"},
              {"rate_per_s", rate},
              {"seconds", duration_s},
              {"achieved_rate_per_s", static_cast<double>(total) / offered_s},
              {"posts_late_over_10ms", late},
              {"notifications", ms.size()},
              {"latency_p50_ms", Quantile(ms, 0.50)},
              {"latency_p99_ms", Quantile(ms, 0.99)},
              {"latency_max_ms", Quantile(ms, 1.0)}};
  std::cout << out.dump() << std::endl;
  return 0;
}

int Idle(long samples) {
  HttpSink sink(1);
  testing::HeraldServer herald(
      {.config_yaml = Config({sink.Url()}, 64), .args = {"--log-level", "warn"}});
  herald.Start();
  testing::HttpClient client;
  const std::string api = herald.ApiUrl();
  std::unordered_map<std::string, Clock::time_point> posted;
  for (long i = 0; i < samples; ++i) {
    // Let the notifier go idle between samples: this pause is the workload.
    std::this_thread::sleep_for(milliseconds(50));
    const std::string name = "CVE-IDLE-" + std::to_string(i);
    posted[name] = Clock::now();
    PostVulnerability(client, api, name);
    if (!sink.WaitForDistinct(static_cast<std::size_t>(i + 1), seconds(10))) {
      throw std::runtime_error("sample " + std::to_string(i) + " did not arrive");
    }
  }
  auto ms = Latencies(client, api, sink, posted);
  herald.Stop(SIGTERM);
  json out = {{"bench", "notifier"},
              {"workload", "idle"},
              {"store", "sqlite"},
              {"samples", ms.size()},
              {"latency_p50_ms", Quantile(ms, 0.50)},
              {"latency_p99_ms", Quantile(ms, 0.99)},
              {"latency_max_ms", Quantile(ms, 1.0)}};
  std::cout << out.dump() << std::endl;
  return 0;
}

std::string StringFlag(int argc, char** argv, const std::string& name,
                       const std::string& fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
  }
  return fallback;
}

int Run(int argc, char** argv) {
  const std::string workload = StringFlag(argc, argv, "workload", "backlog");
  if (workload == "backlog") {
    return Backlog(FlagOr(argc, argv, "backlog", 100000), FlagOr(argc, argv, "concurrency", 256),
                   StringFlag(argc, argv, "store", "sqlite"), FlagOr(argc, argv, "processes", 1),
                   FlagOr(argc, argv, "webhooks", 1));
  }
  if (workload == "amqp-backlog" || workload == "stomp-backlog") {
    return BrokerBacklog(
        workload.substr(0, workload.find('-')), FlagOr(argc, argv, "backlog", 100000),
        FlagOr(argc, argv, "concurrency", 64), StringFlag(argc, argv, "queue", "classic"));
  }
  if (workload == "steady") {
    return Steady(FlagOr(argc, argv, "rate", 1000), FlagOr(argc, argv, "seconds", 60));
  }
  if (workload == "idle") return Idle(FlagOr(argc, argv, "samples", 200));
  throw std::invalid_argument(
      "--workload must be backlog, amqp-backlog, stomp-backlog, steady or idle");
}

}  // namespace
}  // namespace herald::bench

int main(int argc, char** argv) {
  return herald::bench::Main("notifier_bench", herald::bench::Run, argc, argv);
}
