// The feed updater benchmark (issue 8): a generated Debian Security Tracker
// JSON of the real shape — 40,000 CVEs over 3 releases, about 60 MB — run
// through `herald update --once` (release build) on SQLite and, when
// HERALD_TEST_POSTGRES names a cluster (scripts/pg_cluster.sh), PostgreSQL:
// the first import, the same snapshot again, and a snapshot in which 1,000
// CVEs changed. Peak RSS comes from GNU time. Then every kind once on its
// test documents (tests/data/feeds).
//
//   feeds_bench [--cves=40000] [--workdir=/tmp/herald-feeds-bench]
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <regex>

#include "bench_util.h"
#include "support/postgres.h"
#include "support/process.h"

namespace herald::bench {
namespace {

using nlohmann::json;

// {package: {CVE: {description, scope, releases: {codename: {status,
// repositories, fixed_version, urgency}}}}}, written as a stream. The first
// `changed` CVEs that have a fix (every 11th is open) get a newer bookworm
// fix: exactly that many vulnerabilities differ from the base snapshot.
void WriteTracker(const std::string& path, long cves, long changed) {
  std::ofstream out(path);
  const char* urgencies[] = {"low", "medium", "high", "unimportant", "not yet assigned"};
  // Descriptions of the tracker's typical length bring the document to
  // about 60 MB.
  const std::string filler(1050, 'x');
  long changed_so_far = 0;
  out << "{";
  const long per_package = 2;
  for (long p = 0; p * per_package < cves; ++p) {
    out << (p ? "," : "") << "\"pkg" << p << "\":{";
    for (long k = 0; k < per_package && p * per_package + k < cves; ++k) {
      const long c = p * per_package + k;
      out << (k ? "," : "") << "\"CVE-20" << 10 + c % 15 << "-" << 10000 + c << "\":{"
          << "\"description\":\"A flaw in pkg" << p << " lets a remote attacker do harm " << filler
          << "\",\"scope\":\"remote\",\"releases\":{";
      const char* releases[] = {"bookworm", "bullseye", "buster"};
      for (int r = 0; r < 3; ++r) {
        std::string fixed = "1." + std::to_string(c % 97) + "-" + std::to_string(r + 1);
        const bool open = c % 11 == 0;
        if (r == 0 && !open && changed_so_far < changed) {
          fixed += "+deb12u1";
          ++changed_so_far;
        }
        out << (r ? "," : "") << "\"" << releases[r] << "\":{\"status\":\""
            << (open ? "open" : "resolved") << "\",\"repositories\":{\"" << releases[r] << "\":\""
            << fixed << "\"},\"fixed_version\":\"" << (open ? "" : fixed) << "\",\"urgency\":\""
            << urgencies[c % 5] << "\"}";
      }
      out << "}}";
    }
    out << "}";
  }
  out << "}";
}

struct Run {
  double seconds = 0;
  long peak_rss_kb = 0;
  std::string line;
};

Run Update(const std::string& config, const std::string& database) {
  const auto start = Clock::now();
  const testing::CommandResult r = testing::RunCommand(
      {"/usr/bin/time", "-f", "peak_rss_kb=%M", testing::HeraldBinary(), "update", "--once", "-c",
       config, "--database", database, "--log-level", "warn"});
  Run run;
  run.seconds = MillisSince(start) / 1000;
  if (r.exit_code != 0) throw std::runtime_error("herald update failed:\n" + r.output);
  std::smatch m;
  if (std::regex_search(r.output, m, std::regex("peak_rss_kb=([0-9]+)"))) {
    run.peak_rss_kb = std::stol(m[1]);
  }
  run.line = r.output.substr(0, r.output.find('\n'));
  return run;
}

// herald update never creates the database (SPEC §11): migrate it first, as
// an operator would.
void Migrate(const std::string& database) {
  const testing::CommandResult r =
      testing::RunCommand({testing::HeraldBinary(), "migrate", "--database", database});
  if (r.exit_code != 0) throw std::runtime_error("herald migrate failed:\n" + r.output);
}

json Scenario(const std::string& dir, const std::string& database, long cves) {
  const std::string feed = dir + "/tracker.json";
  const std::string config = dir + "/herald.yaml";
  testing::WriteFile(config,
                     "clair:\n  updater:\n    sources:\n"
                     "      - {name: debian, kind: debian-tracker, url: \"file://" +
                         feed + "\"}\n");
  WriteTracker(feed, cves, 0);
  const double feed_mb = static_cast<double>(std::filesystem::file_size(feed)) / 1e6;
  Migrate(database);
  const Run first = Update(config, database);
  const Run again = Update(config, database);
  WriteTracker(feed, cves, 1000);
  const Run changed = Update(config, database);
  return {{"feed_mb", feed_mb},
          {"first_import_s", first.seconds},
          {"first_import_line", first.line},
          {"first_import_peak_rss_mb", first.peak_rss_kb / 1024.0},
          {"reimport_s", again.seconds},
          {"reimport_line", again.line},
          {"reimport_peak_rss_mb", again.peak_rss_kb / 1024.0},
          {"changed_1000_s", changed.seconds},
          {"changed_1000_line", changed.line},
          {"changed_1000_peak_rss_mb", changed.peak_rss_kb / 1024.0}};
}

json PerKind(const std::string& dir) {
  const std::string data = std::string(HERALD_SOURCE_DIR) + "/tests/data/feeds";
  const std::vector<std::pair<std::string, std::string>> kinds = {
      {"debian-tracker", data + "/debian"},
      {"ubuntu-tracker", data + "/ubuntu"},
      {"rhel-oval", data + "/rhel"},
      {"alpine-secdb", data + "/alpine"},
      {"osv", data + "/osv"},
      {"nvd", data + "/nvd"}};
  json out = json::object();
  for (const auto& [kind, path] : kinds) {
    if (!std::filesystem::exists(path)) continue;
    const std::string config = dir + "/" + kind + ".yaml";
    testing::WriteFile(config, "clair:\n  updater:\n    sources:\n      - {name: " + kind +
                                   ", kind: " + kind + ", url: \"file://" + path + "\"}\n");
    Migrate(dir + "/" + kind + ".db");
    const Run run = Update(config, dir + "/" + kind + ".db");
    out[kind] = {{"s", run.seconds}, {"line", run.line}};
  }
  return out;
}

int Run(int argc, char** argv) {
  const long cves = FlagOr(argc, argv, "cves", 40000);
  const std::string dir = FlagStringOr(argc, argv, "workdir", "/tmp/herald-feeds-bench");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  json out = {{"bench", "feeds"}, {"cves", cves}};
  out["sqlite"] = Scenario(dir, dir + "/herald.db", cves);
  if (std::getenv("HERALD_TEST_POSTGRES") != nullptr) {
    testing::ScratchDatabase pg;
    out["postgres"] = Scenario(dir, pg.conninfo(), cves);
  }
  out["per_kind"] = PerKind(dir);
  std::cout << out.dump() << std::endl;
  return 0;
}

}  // namespace
}  // namespace herald::bench

int main(int argc, char** argv) {
  return herald::bench::Main("feeds_bench", herald::bench::Run, argc, argv);
}
