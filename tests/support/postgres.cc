#include "support/postgres.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <stdexcept>

#include "support/process.h"
#include "util/uuid.h"

namespace herald::testing {
namespace {

struct Conn {
  explicit Conn(const std::string& conninfo) : c(PQconnectdb(conninfo.c_str())) {
    if (PQstatus(c) != CONNECTION_OK) {
      std::string message = PQerrorMessage(c);
      PQfinish(c);
      throw std::runtime_error("cannot connect to the test cluster: " + message);
    }
    PQsetNoticeProcessor(
        c, [](void*, const char*) {}, nullptr);
  }
  ~Conn() { PQfinish(c); }
  PGconn* c;
};

}  // namespace

std::string AdminConninfo() {
  const char* env = std::getenv("HERALD_TEST_POSTGRES");
  if (env == nullptr || *env == '\0') {
    throw std::runtime_error(
        "HERALD_TEST_POSTGRES is not set: the PostgreSQL suites need the private cluster that "
        "scripts/test.sh starts (or set it to a libpq conninfo of a scratch cluster)");
  }
  return env;
}

bool UsePostgres() {
  const char* env = std::getenv("HERALD_TEST_STORE");
  return env != nullptr && std::string(env) == "postgres";
}

std::string QueryValue(const std::string& conninfo, const std::string& sql) {
  Conn conn(conninfo);
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.c, sql.c_str()), &PQclear);
  auto status = PQresultStatus(r.get());
  if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
  }
  if (status == PGRES_TUPLES_OK && PQntuples(r.get()) > 0) return PQgetvalue(r.get(), 0, 0);
  return "";
}

ScratchDatabase::ScratchDatabase() {
  static std::atomic<int> counter{0};
  name_ = "herald_t_" + std::to_string(getpid()) + "_" + std::to_string(counter++) + "_" +
          util::NewUuid().substr(0, 8);
  const std::string admin = AdminConninfo();
  QueryValue(admin, "CREATE DATABASE " + name_);
  // A later keyword overrides an earlier one in a conninfo string.
  conninfo_ = admin + " dbname=" + name_;
}

ScratchDatabase::~ScratchDatabase() {
  try {
    QueryValue(AdminConninfo(), "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (...) {
    // The cluster is removed after the run anyway.
  }
}

namespace {
std::string Script(const std::string& command, const std::string& dir) {
  auto r =
      RunCommand({"bash", std::string(HERALD_SOURCE_DIR) + "/scripts/pg_cluster.sh", command, dir});
  if (r.exit_code != 0) throw std::runtime_error("pg_cluster.sh " + command + ": " + r.output);
  while (!r.output.empty() && r.output.back() == '\n') r.output.pop_back();
  return r.output;
}
}  // namespace

PrivateCluster::PrivateCluster(bool serve)
    : dir_("/tmp/herald-pgp-" + std::to_string(getpid()) + "-" + util::NewUuid().substr(0, 8)) {
  conninfo_ = Script("init", dir_);
  if (serve) Serve();
}

PrivateCluster::~PrivateCluster() {
  try {
    Script("stop", dir_);
  } catch (...) {
  }
}

void PrivateCluster::Serve() {
  Script("serve", dir_);
}
void PrivateCluster::Restart() {
  Script("restart", dir_);
}
void PrivateCluster::Crash() {
  Script("crash", dir_);
}

void SeedNotifications(const std::string& conninfo, int n) {
  auto r = RunCommand({HeraldBinary(), "migrate", "--database", conninfo});
  if (r.exit_code != 0) throw std::runtime_error("herald migrate failed: " + r.output);
  if (conninfo.find('=') == std::string::npos) {  // an SQLite file
    sqlite3* db = nullptr;
    const std::string sql =
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < " +
        std::to_string(n) +
        ") INSERT INTO notifications (name, created_ms, new_snapshot, old_layer_count, "
        "new_layer_count, status, due_ms) SELECT lower(hex(randomblob(16))), "
        "CAST(strftime('%s', 'now') AS INTEGER) * 1000, "
        "'{\"v\":1,\"namespace\":\"debian:8\",\"name\":\"CVE-SEED-' || n || '\","
        "\"description\":\"\",\"link\":\"\",\"severity\":\"Low\",\"metadata\":\"\","
        "\"fixed_in\":[]}', 0, 0, 'pending', 0 FROM g";
    char* error = nullptr;
    const bool ok = sqlite3_open(conninfo.c_str(), &db) == SQLITE_OK &&
                    sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK;
    const std::string message = error ? error : (db ? sqlite3_errmsg(db) : "open failed");
    sqlite3_free(error);
    sqlite3_close(db);
    if (!ok) throw std::runtime_error("seeding " + conninfo + ": " + message);
    return;
  }
  QueryValue(conninfo,
             "INSERT INTO notifications (name, created_ms, new_snapshot, old_layer_count, "
             "new_layer_count, status, due_ms) SELECT gen_random_uuid()::text, "
             "(extract(epoch from now()) * 1000)::bigint, "
             "'{\"v\":1,\"namespace\":\"debian:8\",\"name\":\"CVE-SEED-' || g || '\","
             "\"description\":\"\",\"link\":\"\",\"severity\":\"Low\",\"metadata\":\"\","
             "\"fixed_in\":[]}', 0, 0, 'pending', 0 FROM generate_series(1, " +
                 std::to_string(n) + ") AS g");
}

std::vector<std::string> NotificationNames(const std::string& database, const std::string& where) {
  const std::string sql = "SELECT name FROM notifications WHERE " + where;
  std::vector<std::string> out;
  if (database.find('=') != std::string::npos) {
    Conn conn(database);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.c, sql.c_str()), &PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
      throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
    }
    for (int i = 0; i < PQntuples(r.get()); ++i) out.push_back(PQgetvalue(r.get(), i, 0));
    return out;
  }
  sqlite3* db = nullptr;
  sqlite3_stmt* st = nullptr;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK &&
      sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    while (sqlite3_step(st) == SQLITE_ROW) {
      out.push_back(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    }
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return out;
}

std::int64_t CountNotifications(const std::string& database, const std::string& where) {
  const std::string sql = "SELECT COUNT(*) FROM notifications WHERE " + where;
  if (database.find('=') != std::string::npos) return std::stoll(QueryValue(database, sql));
  sqlite3* db = nullptr;
  std::int64_t n = -1;
  if (sqlite3_open_v2(database.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_busy_timeout(db, 5000);
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
      n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

}  // namespace herald::testing
