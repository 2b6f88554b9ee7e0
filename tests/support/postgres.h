// PostgreSQL for tests: the private cluster scripts/test.sh starts (its
// conninfo in HERALD_TEST_POSTGRES) and a fresh database per test.
#pragma once

#include <string>
#include <vector>

namespace herald::testing {

// The admin conninfo of the test cluster. Throws std::runtime_error with
// instructions when HERALD_TEST_POSTGRES is not set: the PostgreSQL suites
// fail rather than skip.
std::string AdminConninfo();

// True when HERALD_TEST_STORE=postgres: the integration suites then run
// every herald against PostgreSQL instead of SQLite.
bool UsePostgres();

// A database created for one test and dropped afterwards.
class ScratchDatabase {
 public:
  ScratchDatabase();
  ~ScratchDatabase();
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;
  const std::string& conninfo() const { return conninfo_; }

 private:
  std::string name_;
  std::string conninfo_;
};

// A private cluster for a test that must restart or stop its server
// (scripts/pg_cluster.sh), removed afterwards.
class PrivateCluster {
 public:
  // `serve` false: initialised but not running (see Serve()).
  explicit PrivateCluster(bool serve = true);
  ~PrivateCluster();
  PrivateCluster(const PrivateCluster&) = delete;
  PrivateCluster& operator=(const PrivateCluster&) = delete;
  const std::string& conninfo() const { return conninfo_; }
  void Serve();
  void Restart();
  // kill -9 of the server, then a start with crash recovery.
  void Crash();

 private:
  std::string dir_;
  std::string conninfo_;
};

// Runs one SQL statement on `conninfo` and returns the first column of the
// first row ("" when none). Throws std::runtime_error on failure.
std::string QueryValue(const std::string& conninfo, const std::string& sql);

// Creates the schema with `herald migrate`, then `n` pending notifications,
// on PostgreSQL (a conninfo) or SQLite (a file path),
// in one INSERT … generate_series (a fixture for delivery tests and
// benchmarks, where the delivery path is what is measured). Throws on failure.
void SeedNotifications(const std::string& conninfo, int n);

// The names of the notifications matching `where`, on SQLite (a file path)
// or PostgreSQL (a conninfo).
std::vector<std::string> NotificationNames(const std::string& database, const std::string& where);

// Counts notifications matching `where`, on SQLite (a file path) or
// PostgreSQL (a conninfo), the way the test's herald was started.
std::int64_t CountNotifications(const std::string& database, const std::string& where);

}  // namespace herald::testing
