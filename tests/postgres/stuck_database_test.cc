// A database that stops answering API writes: another session holds a lock
// they wait for (SPEC §11 isolation; issue 9 fault 1, where /health went
// silent for 5 s, the write got its 503 after 39 s and SIGTERM took 39 s).
#include <libpq-fe.h>

#include <future>

#include "delivery_fixture.h"
#include "support/postgres.h"

namespace herald::testing {
namespace {

using Clock = std::chrono::steady_clock;

// A session of its own that takes a lock and keeps it until destroyed.
class LockHolder {
 public:
  LockHolder(const std::string& conninfo, const std::string& sql)
      : conn_(PQconnectdb(conninfo.c_str()), &PQfinish) {
    if (PQstatus(conn_.get()) != CONNECTION_OK) throw std::runtime_error("connect failed");
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn_.get(), sql.c_str()), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    }
  }

 private:
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

HttpResult PostVulnerability(const std::string& api, const std::string& name) {
  HttpClient client;
  return client.Post(api + "/v1/namespaces/debian:8/vulnerabilities",
                     R"({"Vulnerability":{"Name":")" + name + R"(","Severity":"Low"}})");
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

TEST(StuckDatabaseTest, HealthAnswersWritesGet503AtTheTimeoutAndSigtermExits) {
  ScratchDatabase db;
  HeraldServer server(
      {.config_yaml = "clair:\n  api:\n    timeout: 2s\n", .database = db.conninfo()});
  server.Start();
  ASSERT_EQ(PostVulnerability(server.ApiUrl(), "CVE-BEFORE").status, 201);

  LockHolder lock(db.conninfo(), "BEGIN; LOCK TABLE vulnerabilities IN ACCESS EXCLUSIVE MODE");
  // More writes than the pool has connections: every one of them is stuck.
  const auto started = Clock::now();
  std::vector<std::future<HttpResult>> writes;
  for (int i = 0; i < 12; ++i) {
    writes.push_back(std::async(std::launch::async, PostVulnerability, server.ApiUrl(),
                                "CVE-STUCK-" + std::to_string(i)));
  }
  // Wait until the writes are in: the lock shows waiters in pg_locks.
  for (int tries = 0; tries < 200; ++tries) {
    if (std::stoi(QueryValue(db.conninfo(), "SELECT count(*) FROM pg_locks WHERE NOT granted")) >=
        8) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_GE(std::stoi(QueryValue(db.conninfo(), "SELECT count(*) FROM pg_locks WHERE NOT granted")),
            8);

  // The health port answers at once, and says the database answers.
  HttpClient health;
  const auto asked = Clock::now();
  EXPECT_EQ(health.Get(server.HealthUrl() + "/health").status, 200);
  EXPECT_EQ(health.Get(server.HealthUrl() + "/metrics").status, 200);
  EXPECT_LT(SecondsSince(asked), 1.0) << "the health port waited on the stuck database";

  // Each write is cancelled at api.timeout and answered 503, with nothing
  // written: the statements waiting for the lock are cancelled (PQcancel)
  // or never get a connection before the deadline.
  for (auto& w : writes) {
    const HttpResult r = w.get();
    EXPECT_EQ(r.status, 503) << r.body << r.error;
  }
  EXPECT_LT(SecondsSince(started), 10.0) << "writes waited far past api.timeout (2 s)";
  EXPECT_EQ(QueryValue(db.conninfo(),
                       "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type "
                       "= 'Lock' AND datname = current_database()"),
            "0")
      << "a cancelled statement still waits on the lock";

  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
}

// With the default api.timeout (15 minutes) a stuck write would hold the
// process for as long: the stop abandons database work after the drain
// grace instead (SPEC §5 rule 8).
TEST(StuckDatabaseTest, SigtermExitsWhileWritesWaitOnTheDatabase) {
  ScratchDatabase db;
  HeraldServer server({.database = db.conninfo()});
  server.Start();
  ASSERT_EQ(PostVulnerability(server.ApiUrl(), "CVE-BEFORE").status, 201);
  LockHolder lock(db.conninfo(), "BEGIN; LOCK TABLE vulnerabilities IN ACCESS EXCLUSIVE MODE");
  std::vector<std::future<HttpResult>> writes;
  for (int i = 0; i < 4; ++i) {
    writes.push_back(std::async(std::launch::async, PostVulnerability, server.ApiUrl(),
                                "CVE-STUCK-" + std::to_string(i)));
  }
  for (int tries = 0; tries < 200; ++tries) {
    if (QueryValue(db.conninfo(), "SELECT count(*) FROM pg_locks WHERE NOT granted") == "4") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(QueryValue(db.conninfo(), "SELECT count(*) FROM pg_locks WHERE NOT granted"), "4");
  const auto term = Clock::now();
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  EXPECT_LT(SecondsSince(term), 20.0) << "SIGTERM waited on the stuck database";
  for (auto& w : writes) EXPECT_NE(w.get().status, 201);
}

}  // namespace
}  // namespace herald::testing
