// The herald command line (SPEC §1, §2): commands, --help, exit codes,
// configuration errors naming the key, migrations and schema refusal.
#include <sqlite3.h>

#include "api_fixture.h"

namespace herald::testing {
namespace {

CommandResult Herald(std::vector<std::string> args) {
  args.insert(args.begin(), HeraldBinary());
  return RunCommand(args);
}

// Clair v1.2's config.example.yaml, as its users have it.
constexpr const char* kClairV1Example = R"(# Copyright 2015 clair authors
clair:
  database:
    # PostgreSQL Connection string
    source: host=localhost port=5432 user=postgres sslmode=disable
    cacheSize: 16384
  api:
    port: 6060
    healthport: 6061
    timeout: 900s
    paginationkey:
    servername:
    cafile:
    keyfile:
    certfile:
  updater:
    interval: 2h
  notifier:
    attempts: 3
    renotifyInterval: 2h
    http:
      endpoint:
      servername:
      cafile:
      keyfile:
      certfile:
      proxy:
)";

TEST(CliTest, VersionPrintsTheVersion) {
  auto r = Herald({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.output.rfind("herald ", 0), 0u) << r.output;
}

TEST(CliTest, HelpDocumentsEveryCommandAndFlag) {
  auto top = Herald({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  for (const char* cmd : {"serve", "migrate", "check-config", "version"}) {
    EXPECT_NE(top.output.find(cmd), std::string::npos) << cmd;
  }
  for (const char* cmd : {"serve", "migrate", "check-config"}) {
    auto r = Herald({cmd, "--help"});
    EXPECT_EQ(r.exit_code, 0) << cmd;
    for (const char* flag : {"--config", "--database", "--api-port", "--health-port", "--webhook",
                             "--log-format", "--log-level"}) {
      EXPECT_NE(r.output.find(flag), std::string::npos) << cmd << " " << flag;
    }
  }
  EXPECT_EQ(Herald({"no-such-command"}).exit_code, 2);
}

TEST(CliTest, ClairV1ExampleConfigLoadsUnchanged) {
  TempDir dir;
  WriteFile(dir.File("config.yaml"), kClairV1Example);
  auto r = Herald({"check-config", "-c", dir.File("config.yaml")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("host=localhost port=5432 user=postgres sslmode=disable"),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("renotifyInterval: 2h"), std::string::npos) << r.output;
}

TEST(CliTest, UnknownKeyExits2NamingTheKey) {
  TempDir dir;
  WriteFile(dir.File("config.yaml"), "clair:\n  notifier:\n    atempts: 3\n");
  auto r = Herald({"check-config", "-c", dir.File("config.yaml")});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.output.find("clair.notifier.atempts"), std::string::npos) << r.output;
  // serve refuses the same file before doing anything.
  auto serve = Herald({"serve", "-c", dir.File("config.yaml"), "--database", dir.File("x.db")});
  EXPECT_EQ(serve.exit_code, 2);
  EXPECT_NE(serve.output.find("clair.notifier.atempts"), std::string::npos) << serve.output;
}

TEST(CliTest, BadValuesExit2NamingTheKey) {
  TempDir dir;
  const std::pair<const char*, const char*> cases[] = {
      {"clair:\n  api:\n    timeout: soon\n", "clair.api.timeout"},
      {"clair:\n  api:\n    port: http\n", "clair.api.port"},
      {"clair:\n  notifier:\n    attempts: 0\n", "clair.notifier.attempts"},
      {"clair:\n  api:\n    paginationKey: short\n", "clair.api.paginationKey"},
      {"clair: [1, 2\n", ""},
      {"clair:\n  database:\n    source: /var/lib/herald/data\n", "clair.database.source"},
      {"clair:\n  notifier:\n    http:\n      secret: whsec_!!\n", "clair.notifier.http.secret"},
      {"clair:\n  api:\n    tokens: [{name: a, sha256: abc, scope: read}]\n",
       "clair.api.tokens[0].sha256"},
      {"clair:\n  api:\n    tokens: [{name: a, sha256: "
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, scope: root}]\n",
       "clair.api.tokens[0].scope"},
      {"clair:\n  api:\n    tokens: [{name: a, sha256: "
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}]\n",
       "clair.api.tokens[0].scope"},
      {"clair:\n  api:\n    tokens: [{name: a, sha256: "
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, scope: read},\n"
       "             {name: a, sha256: "
       "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, scope: admin}]\n",
       "clair.api.tokens[1].name"},
      // Without the prefix a secret is still base64 (Standard Webhooks), never raw bytes.
      {"clair:\n  notifier:\n    http:\n      secret: hunter2!\n", "clair.notifier.http.secret"},

  };
  for (const auto& [yaml, key] : cases) {
    WriteFile(dir.File("config.yaml"), yaml);
    auto r = Herald({"check-config", "-c", dir.File("config.yaml")});
    EXPECT_EQ(r.exit_code, 2) << yaml;
    EXPECT_NE(r.output.find(key), std::string::npos) << r.output;
  }
  auto missing = Herald({"check-config", "-c", dir.File("absent.yaml")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("absent.yaml"), std::string::npos);
}

TEST(CliTest, FlagsOverrideTheFileAndSecretsAreRedacted) {
  TempDir dir;
  WriteFile(dir.File("config.yaml"),
            "clair:\n  api:\n    paginationKey: \"cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=\"\n"
            "  notifier:\n    http:\n      secret: dG9wc2VjcmV0\n");
  auto r = Herald({"check-config", "-c", dir.File("config.yaml"), "--api-port", "7070", "--webhook",
                   "http://127.0.0.1:9/hook", "--database", "/tmp/x.db"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("port: 7070"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("http://127.0.0.1:9/hook"), std::string::npos);
  EXPECT_NE(r.output.find("/tmp/x.db"), std::string::npos);
  EXPECT_EQ(r.output.find("dG9wc2VjcmV0"), std::string::npos);
  EXPECT_EQ(r.output.find("cw_0x689"), std::string::npos);
}

TEST(CliTest, MigrateCreatesTheSchemaAndANewerSchemaIsRefused) {
  TempDir dir;
  const std::string db = dir.File("herald.db");
  auto first = Herald({"migrate", "--database", db});
  EXPECT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(Herald({"migrate", "--database", db}).exit_code, 0);  // idempotent

  sqlite3* handle = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &handle), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(handle,
                         "INSERT INTO herald_schema_version (version, applied_ms) VALUES (999, 0)",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(handle);

  auto refused = Herald({"migrate", "--database", db});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("schema version 999"), std::string::npos) << refused.output;
  auto serve = Herald({"serve", "--database", db, "--api-port", std::to_string(FreePort()),
                       "--health-port", std::to_string(FreePort())});
  EXPECT_NE(serve.exit_code, 0);
  EXPECT_NE(serve.output.find("newer"), std::string::npos) << serve.output;
}

TEST(CliTest, JsonLogsAreOneObjectPerLine) {
  HeraldServer server({.args = {"--log-format", "json"}});
  server.Start();
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  std::istringstream lines(server.Log());
  std::string line;
  int count = 0;
  while (std::getline(lines, line)) {
    auto doc = json::parse(line, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << line;
    EXPECT_TRUE(doc["level"].is_string());
    EXPECT_TRUE(doc["msg"].is_string());
    ++count;
  }
  EXPECT_GE(count, 2);
}

TEST(CliTest, SigtermStopsServeWithExit0) {
  HeraldServer server({});
  server.Start();
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  HeraldServer second({});
  second.Start();
  EXPECT_EQ(second.Stop(SIGINT), 0) << second.Log();
}

}  // namespace
}  // namespace herald::testing
