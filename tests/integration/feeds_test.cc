// The feed updater through the real binary (SPEC §8): `herald update` on
// file:// sources, GET /v1/updater, the notification rules of a first
// import and of a later change, failing sources that change nothing, and the
// updater `herald serve` runs by itself. The tracker and secdb documents are
// built field by field from the published formats (no network here).
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "api_fixture.h"
#include "support/layer_builder.h"

namespace herald::testing {
namespace {

CommandResult Herald(std::vector<std::string> args) {
  args.insert(args.begin(), HeraldBinary());
  return RunCommand(args);
}

// Debian Security Tracker JSON: {package: {CVE: {description, scope,
// releases: {codename: {status, repositories, fixed_version, urgency}}}}}.
std::string DebianTracker(const std::string& openssl_fix_in_jessie) {
  return R"({
  "openssl": {
    "CVE-2016-2108": {
      "description": "The ASN.1 implementation in OpenSSL before 1.0.1o mishandles negative zero integers.",
      "scope": "remote",
      "releases": {
        "jessie": {"status": "resolved", "repositories": {"jessie": "1.0.1t-1+deb8u12"},
                   "fixed_version": ")" +
         openssl_fix_in_jessie + R"(", "urgency": "high"},
        "stretch": {"status": "resolved", "repositories": {"stretch": "1.1.0l-1~deb9u1"},
                    "fixed_version": "1.0.2h-1", "urgency": "high"}
      }
    }
  },
  "bash": {
    "CVE-2014-6271": {
      "description": "GNU Bash through 4.3 processes trailing strings after function definitions.",
      "scope": "remote",
      "releases": {
        "jessie": {"status": "resolved", "repositories": {"jessie": "4.3-11+deb8u2"},
                   "fixed_version": "4.3-9.1", "urgency": "high"}
      }
    }
  }
})";
}

class FeedsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.File("debian.json"), DebianTracker("1.0.1t-1"));
    WriteFile(dir_.File("alpine.json"), R"({"distroversion": "v3.18", "reponame": "main",
      "urlprefix": "https://dl-cdn.alpinelinux.org/alpine", "apkurl": "{{urlprefix}}/{{distroversion}}/{{reponame}}/{{arch}}/{{pkg.name}}-{{pkg.ver}}.apk",
      "archs": ["x86_64"], "packages": [{"pkg": {"name": "openssl",
        "secfixes": {"3.1.4-r1": ["CVE-2023-5678"], "3.1.2-r0": ["CVE-2023-3817"]}}}]})");
    WriteFile(dir_.File("herald.yaml"),
              "clair:\n  updater:\n    interval: 0s\n    sources:\n"
              "      - {name: debian, kind: debian-tracker, url: \"file://" +
                  dir_.File("debian.json") +
                  "\"}\n"
                  "      - {name: alpine-main, kind: alpine-secdb, url: \"file://" +
                  dir_.File("alpine.json") + "\"}\n");
    const CommandResult r = Herald({"migrate", "--database", dir_.File("herald.db")});
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }

  CommandResult Update(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "update", "--once", "-c", dir_.File("herald.yaml"), "--database", dir_.File("herald.db")};
    args.insert(args.end(), extra.begin(), extra.end());
    return Herald(args);
  }

  TempDir dir_;
};

TEST_F(FeedsTest, FirstImportIsSilentThenEachChangeMakesOneNotification) {
  CommandResult r = Update();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("debian (debian-tracker): 3 added, 0 changed, 0 unchanged"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("alpine-main (alpine-secdb): 2 added"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("(first import)"), std::string::npos) << r.output;

  // Unchanged feed: nothing changes.
  r = Update();
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("debian (debian-tracker): 0 added, 0 changed, 3 unchanged, 0 skipped, "
                          "0 notifications"),
            std::string::npos)
      << r.output;

  // One fix moves: exactly one notification.
  WriteFile(dir_.File("debian.json"), DebianTracker("1.0.1t-1+deb8u1"));
  r = Update({"--source", "debian"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0 added, 1 changed, 2 unchanged, 0 skipped, 1 notifications"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("alpine-main"), std::string::npos) << r.output;

  HeraldServer server(
      {.config_yaml = ReadFile(dir_.File("herald.yaml")), .database = dir_.File("herald.db")});
  server.Start();
  HttpClient client;
  auto v =
      client.Get(server.ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-2108?fixedIn");
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(json::parse(v.body), json::parse(R"({"Vulnerability":{"Name":"CVE-2016-2108",
      "NamespaceName":"debian:8",
      "Description":"The ASN.1 implementation in OpenSSL before 1.0.1o mishandles negative zero integers.",
      "Link":"https://security-tracker.debian.org/tracker/CVE-2016-2108","Severity":"High",
      "FixedIn":[{"Name":"openssl","NamespaceName":"debian:8","Version":"1.0.1t-1+deb8u1"}]}})"));
  const json list = json::parse(client.Get(server.ApiUrl() + "/v1/notifications").body);
  EXPECT_EQ(list["Notifications"].size(), 1u);

  const json updater = json::parse(client.Get(server.ApiUrl() + "/v1/updater").body);
  ASSERT_EQ(updater["Sources"].size(), 2u);
  EXPECT_EQ(updater["Sources"][0]["Name"], "debian");
  EXPECT_EQ(updater["Sources"][0]["Kind"], "debian-tracker");
  EXPECT_EQ(updater["Sources"][0]["Outcome"], "success");
  EXPECT_EQ(updater["Sources"][0]["Changed"], 1);
  EXPECT_TRUE(updater["Sources"][0]["LastSuccess"].is_string());
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(FeedsTest, AFailingSourceChangesNothingAndTheOthersGoOn) {
  ASSERT_EQ(Update().exit_code, 0);
  // Truncated JSON and a missing file: each fails alone, with its name.
  WriteFile(dir_.File("debian.json"), DebianTracker("9.9").substr(0, 300));
  WriteFile(dir_.File("alpine.json"),
            R"({"distroversion": "v3.18", "packages": [{"pkg": {"name": "openssl",
            "secfixes": {"3.1.5-r0": ["CVE-2024-0727"]}}}]})");
  CommandResult r = Update();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("debian (debian-tracker): FAILED:"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("alpine-main (alpine-secdb): 1 added"), std::string::npos) << r.output;

  HeraldServer server(
      {.config_yaml = ReadFile(dir_.File("herald.yaml")), .database = dir_.File("herald.db")});
  server.Start();
  HttpClient client;
  // The debian data is what the last good run left.
  const auto v = json::parse(
      client.Get(server.ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities/CVE-2016-2108?fixedIn")
          .body);
  EXPECT_EQ(v["Vulnerability"]["FixedIn"][0]["Version"], "1.0.1t-1");
  const json updater = json::parse(client.Get(server.ApiUrl() + "/v1/updater").body);
  EXPECT_EQ(updater["Sources"][0]["Outcome"], "failure");
  EXPECT_FALSE(updater["Sources"][0]["Error"].get<std::string>().empty());
  EXPECT_TRUE(updater["Sources"][0]["LastSuccess"].is_string());
  EXPECT_EQ(server.Stop(SIGTERM), 0);

  std::filesystem::remove(dir_.File("debian.json"));
  r = Update({"--source", "debian"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("no such file"), std::string::npos) << r.output;
}

// An OSV zip (the form osv.dev publishes) with one member that is not JSON:
// the source fails naming the member, none of its other members is applied,
// and the other sources still are.
TEST_F(FeedsTest, AZipWithANonJsonMemberFailsItsSourceAlone) {
  std::filesystem::create_directories(dir_.File("osv"));
  WriteFile(dir_.File("osv/DSA-3566-1.json"), R"({"id": "DSA-3566-1",
    "modified": "2016-05-03T00:00:00Z", "summary": "openssl - security update",
    "aliases": ["CVE-2016-2108"],
    "affected": [{"package": {"ecosystem": "Debian:8", "name": "openssl"},
      "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "1.0.1t-1"}]}]}]})");
  WriteFile(dir_.File("osv/README.md"), "# OSV export\nNot a vulnerability.\n");
  Shell("cd " + dir_.File("osv") + " && python3 -c \"import zipfile\n" +
        "with zipfile.ZipFile('../all.zip','w',zipfile.ZIP_DEFLATED) as z:\n" +
        "  z.write('DSA-3566-1.json'); z.write('README.md')\"");
  std::string yaml = ReadFile(dir_.File("herald.yaml"));
  yaml += "      - {name: osv-debian, kind: osv, url: \"file://" + dir_.File("all.zip") + "\"}\n";
  WriteFile(dir_.File("herald.yaml"), yaml);

  CommandResult r = Update();
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("osv-debian (osv): FAILED: README.md: "), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("debian (debian-tracker): 3 added"), std::string::npos) << r.output;

  HeraldServer server(
      {.config_yaml = ReadFile(dir_.File("herald.yaml")), .database = dir_.File("herald.db")});
  server.Start();
  HttpClient client;
  const json updater = json::parse(client.Get(server.ApiUrl() + "/v1/updater").body);
  ASSERT_EQ(updater["Sources"].size(), 3u) << updater.dump();
  EXPECT_EQ(updater["Sources"][2]["Name"], "osv-debian");
  EXPECT_EQ(updater["Sources"][2]["Outcome"], "failure");
  EXPECT_EQ(updater["Sources"][2]["Added"], 0);
  // The debian tracker's own CVE-2016-2108 stands as that feed wrote it;
  // the OSV advisory of the zip was not applied.
  EXPECT_EQ(
      client.Get(server.ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities/DSA-3566-1").status,
      404);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(FeedsTest, UnknownSourcesAndKindsAreRefused) {
  CommandResult r = Update({"--source", "nope"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("no feed source named nope"), std::string::npos) << r.output;
  WriteFile(dir_.File("bad.yaml"),
            "clair:\n  updater:\n    sources: [{name: x, kind: debain-tracker, url: "
            "\"file:///tmp/x\"}]\n");
  r = Herald({"check-config", "-c", dir_.File("bad.yaml")});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("clair.updater.sources[0].kind"), std::string::npos) << r.output;
}

// Only migrate and the first serve create the SQLite file (SPEC §11): an
// update pointed at the wrong path says so and leaves no empty database.
TEST_F(FeedsTest, UpdateNeverCreatesTheDatabase) {
  const std::string absent = dir_.File("elsewhere/herald.db");
  std::filesystem::create_directories(dir_.File("elsewhere"));
  const CommandResult r =
      Herald({"update", "--once", "-c", dir_.File("herald.yaml"), "--database", absent});
  EXPECT_NE(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find(absent), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("herald migrate"), std::string::npos) << r.output;
  EXPECT_FALSE(std::filesystem::exists(absent));
}

TEST_F(FeedsTest, ServeRunsTheUpdaterAtStartAndEveryInterval) {
  std::string yaml = ReadFile(dir_.File("herald.yaml"));
  yaml.replace(yaml.find("interval: 0s"), 12, "interval: 1h");
  HeraldServer server({.config_yaml = yaml});
  server.Start();
  HttpClient client;
  json updater;
  // The first run starts with the process. Its only observable event is the
  // record it leaves, so the test polls for it, for at most 30 s.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    updater = json::parse(client.Get(server.ApiUrl() + "/v1/updater").body);
    if (updater["Sources"][1].contains("Outcome")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(updater["Sources"][0]["Outcome"], "success") << updater.dump();
  EXPECT_EQ(updater["Sources"][1]["Outcome"], "success") << updater.dump();
  const std::string metrics = client.Get(server.HealthUrl() + "/metrics").body;
  EXPECT_NE(metrics.find("herald_updater_runs_total{outcome=\"success\",source=\"debian\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("herald_updater_last_success_timestamp_seconds{source=\"debian\"}"),
            std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace herald::testing
