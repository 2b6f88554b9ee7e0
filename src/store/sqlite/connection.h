// The one RAII layer over SQLite's C API. Everything else in Herald talks to
// SQLite through Connection, Statement and Transaction.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/open_mode.h"

namespace herald::store::sqlite {

// A prepared statement, reset on each Run so that cached statements can be
// reused. Bind indexes count from 1 as in SQLite.
class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Reset();
  Statement& Bind(int index, std::int64_t value);
  Statement& Bind(int index, std::string_view value);
  Statement& Bind(int index, std::nullopt_t);
  Statement& Bind(int index, const std::optional<std::int64_t>& value);

  // Advances to the next row; false when done. Throws StoreError on failure.
  bool Step();
  // Runs a statement that returns no rows.
  void Run();

  std::int64_t Int(int column) const;
  std::optional<std::int64_t> OptionalInt(int column) const;
  std::string Text(int column) const;
  std::string_view TextView(int column) const;  // valid until the next Step
  bool IsNull(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Connection {
 public:
  // Opens the database file with WAL, a busy timeout and a deadline-aware
  // progress handler. Throws StoreError(kUnavailable) when it cannot.
  Connection(const std::string& path, OpenMode mode);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs one or more statements without results (migrations, pragmas).
  void Exec(std::string_view sql);

  // A statement prepared once per connection and cached by its SQL text.
  Statement& Prepare(const std::string& sql);

  // Resets every statement still part-way through its rows, so that no
  // read snapshot outlives the call that made it (a lingering one would
  // pin the WAL and hide later commits from this connection).
  void ResetBusyStatements();

  std::vector<std::string> CachedSql() const;

  // Throws StoreError(kUnavailable) when the file this connection opened
  // was deleted or replaced since: writes would go to an unlinked inode and
  // be lost at the next start, reads would show a database nobody else sees.
  void CheckFileInPlace() const;

  std::int64_t LastInsertRowId() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  int Changes() const;
  sqlite3* handle() const { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<Statement>> cache_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless Commit()
// ran. IMMEDIATE takes the write lock up front so that two writers never
// deadlock upgrading from a read lock. A write transaction first checks
// that the file is still in place (Connection::CheckFileInPlace).
class Transaction {
 public:
  explicit Transaction(Connection& conn, bool write = true);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void Commit();

 private:
  Connection& conn_;
  bool open_ = true;
};

// The StoreError for a database file deleted or replaced under a running
// Herald.
[[noreturn]] void ThrowFileMoved(const std::string& path);

// Throws the StoreError matching an SQLite result code.
[[noreturn]] void ThrowError(sqlite3* db, int code, std::string_view what);

}  // namespace herald::store::sqlite
