// The one RAII layer over libpq. Everything else in Herald talks to
// PostgreSQL through Connection, Rows, Transaction and Pool.
#pragma once

#include <libpq-fe.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace herald::store::postgres {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};

// A query parameter in text form; nullopt is SQL NULL.
using Param = std::optional<std::string>;

// The rows of one result.
class Rows {
 public:
  explicit Rows(std::unique_ptr<PGresult, PgResultDeleter> result) : r_(std::move(result)) {}
  int size() const { return PQntuples(r_.get()); }
  bool empty() const { return size() == 0; }
  bool IsNull(int row, int col) const { return PQgetisnull(r_.get(), row, col) != 0; }
  std::string Text(int row, int col) const {
    return {PQgetvalue(r_.get(), row, col),
            static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
  }
  std::int64_t Int(int row, int col) const;
  std::optional<std::int64_t> OptionalInt(int row, int col) const;
  // Rows changed by an INSERT/UPDATE/DELETE without RETURNING.
  std::int64_t Affected() const;

 private:
  std::unique_ptr<PGresult, PgResultDeleter> r_;
};

class Connection {
 public:
  // Connects; throws StoreError(kUnavailable) naming the server's complaint.
  explicit Connection(const std::string& conninfo);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs a statement with parameters, prepared once per connection and
  // cached by its SQL text. Every statement runs under a deadline (the
  // request's, else five minutes) and is cancelled when it passes. Throws
  // StoreError: kInvalidArgument for constraint violations, kDeadline past
  // the request deadline, kUnavailable otherwise (and the connection is
  // then marked broken when the server went away).
  Rows Exec(const std::string& sql, const std::vector<Param>& params = {});

  // Runs SQL text without parameters (transactions, migrations, LISTEN).
  void Simple(const std::string& sql);

  bool Broken() const;
  PGconn* handle() const { return conn_.get(); }

 private:
  [[noreturn]] void Fail(const PGresult* result, std::string_view what);
  // Collects the result of what was just sent, cancelling the statement
  // (PQcancel) at its deadline: the request's, or a background one.
  std::unique_ptr<PGresult, PgResultDeleter> Await(std::string_view what);
  // Reads until a result is ready; false when `until` passed first (or,
  // with end_when_abandoned, when AbandonDatabaseWork ran).
  bool WaitUntilReadable(std::chrono::steady_clock::time_point until, bool end_when_abandoned);

  std::unique_ptr<PGconn, PgConnDeleter> conn_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL → statement name
  bool broken_ = false;
};

// BEGIN on construction, ROLLBACK on destruction unless committed.
class Transaction {
 public:
  enum class Durability {
    kSynchronous,  // COMMIT returns once the WAL is on disk
    // COMMIT does not wait for the WAL flush. Only for writes whose loss in
    // a database crash is harmless: delivery bookkeeping, whose loss means
    // a notification is delivered again, never that one is lost.
    kAsynchronous,
  };
  explicit Transaction(Connection& conn, Durability durability = Durability::kSynchronous);

  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

// A fixed-size pool: connections are made on demand up to `size`, a broken
// one is dropped when returned, and a caller waits when all are in use, up
// to its deadline (or 30 s outside a request).
class Pool {
 public:
  Pool(std::string conninfo, int size);

  class Lease {
   public:
    Lease(Pool& pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    ~Lease() { pool_.Return(std::move(conn_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection* operator->() { return conn_.get(); }
    Connection& operator*() { return *conn_; }

   private:
    Pool& pool_;
    std::unique_ptr<Connection> conn_;
  };

  // Throws StoreError(kUnavailable) when a new connection cannot be made or
  // none frees up in time, kDeadline when the request's deadline passed.
  Lease Acquire();
  const std::string& conninfo() const { return conninfo_; }

 private:
  void Return(std::unique_ptr<Connection> conn);

  std::string conninfo_;
  int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by mu_
  int open_ = 0;                                   // guarded by mu_
};

// PostgreSQL array literals for unnest()-based batch statements.
std::string TextArray(const std::vector<std::string>& values);
// nullopt → NULL.
std::string TextArray(const std::vector<std::optional<std::string>>& values);
std::string IntArray(const std::vector<std::optional<std::int64_t>>& values);

}  // namespace herald::store::postgres
