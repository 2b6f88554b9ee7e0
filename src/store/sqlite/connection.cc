#include "store/sqlite/connection.h"

#include <sys/stat.h>

#include <cerrno>
#include <string>

#include "store/deadline.h"
#include "store/store.h"

namespace herald::store::sqlite {

void ThrowError(sqlite3* db, int code, std::string_view what) {
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(code));
  switch (code & 0xff) {
    case SQLITE_INTERRUPT:
      if (DeadlinePassed())
        throw StoreError(StoreError::Kind::kDeadline, "request deadline passed");
      break;
    case SQLITE_CONSTRAINT:
      throw StoreError(StoreError::Kind::kInvalidArgument, message);
    case SQLITE_FULL:
      throw StoreError(StoreError::Kind::kUnavailable,
                       "the database's disk is full, nothing was written: " + message);
    default:
      break;
  }
  throw StoreError(StoreError::Kind::kUnavailable, message);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr);
  if (rc != SQLITE_OK) ThrowError(db, rc, "prepare");
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  return *this;
}

Statement& Statement::Bind(int index, std::int64_t value) {
  int rc = sqlite3_bind_int64(stmt_, index, value);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::nullopt_t) {
  int rc = sqlite3_bind_null(stmt_, index);
  if (rc != SQLITE_OK) ThrowError(db_, rc, "bind");
  return *this;
}

Statement& Statement::Bind(int index, const std::optional<std::int64_t>& value) {
  return value ? Bind(index, *value) : Bind(index, std::nullopt);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3_reset(stmt_);
  ThrowError(db_, rc, "step");
}

void Statement::Run() {
  while (Step()) {
  }
}

std::int64_t Statement::Int(int column) const {
  return sqlite3_column_int64(stmt_, column);
}

std::optional<std::int64_t> Statement::OptionalInt(int column) const {
  if (IsNull(column)) return std::nullopt;
  return Int(column);
}

std::string_view Statement::TextView(int column) const {
  auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return {text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
}

std::string Statement::Text(int column) const {
  return std::string(TextView(column));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

namespace {
// Lets a query notice the request deadline: SQLite calls this every N
// virtual-machine steps, and a non-zero return interrupts the statement.
int ProgressHandler(void*) {
  return DeadlinePassed() || DatabaseWorkAbandoned() ? 1 : 0;
}
}  // namespace

Connection::Connection(const std::string& path, OpenMode mode) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (mode == OpenMode::kCreate) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    struct stat info {};
    if (mode == OpenMode::kExisting && ::stat(path.c_str(), &info) != 0 && errno == ENOENT) {
      message =
          "the file does not exist (herald migrate creates it, and so does the first "
          "herald serve)";
    }
    throw StoreError(StoreError::Kind::kUnavailable,
                     "cannot open SQLite database " + path + ": " + message);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 5000);
  sqlite3_progress_handler(db_, 1000, &ProgressHandler, nullptr);
  try {
    // WAL lets readers proceed while one writer commits; NORMAL sync is
    // durable across process crashes in WAL mode (only power loss can drop
    // the last commits). The store's writer checkpoints on a thread of its
    // own (Checkpointer); a WAL that a burst grew is cut back to 64 MiB
    // when it restarts.
    Exec(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA journal_size_limit=67108864;");

  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Connection::~Connection() {
  cache_.clear();  // statements must be finalized before the close
  sqlite3_close(db_);
}

void Connection::Exec(std::string_view sql) {
  std::string text(sql);
  char* error = nullptr;
  int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error);
  if (rc != SQLITE_OK) {
    std::string message = error ? error : sqlite3_errstr(rc);
    sqlite3_free(error);
    ThrowError(nullptr, rc, "exec: " + message);
  }
}

Statement& Connection::Prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    it = cache_.emplace(sql, std::make_unique<Statement>(db_, sql)).first;
  }
  return it->second->Reset();
}

void Connection::ResetBusyStatements() {
  for (sqlite3_stmt* st = sqlite3_next_stmt(db_, nullptr); st != nullptr;
       st = sqlite3_next_stmt(db_, st)) {
    if (sqlite3_stmt_busy(st)) sqlite3_reset(st);
  }
}

std::vector<std::string> Connection::CachedSql() const {
  std::vector<std::string> out;
  for (const auto& [sql, statement] : cache_) out.push_back(sql);
  return out;
}

void Connection::CheckFileInPlace() const {
  // SQLite's unix VFS compares the open file's inode with what the path
  // names now.
  int moved = 0;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
    ThrowFileMoved(path_);
  }
}

void ThrowFileMoved(const std::string& path) {
  throw StoreError(StoreError::Kind::kUnavailable,
                   "the SQLite database file " + path +
                       " was deleted or replaced while Herald ran; restore it, or restart Herald "
                       "to open what is there now");
}

std::int64_t Connection::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(db_);
}

int Connection::Changes() const {
  return sqlite3_changes(db_);
}

Transaction::Transaction(Connection& conn, bool write) : conn_(conn) {
  if (write) conn_.CheckFileInPlace();
  conn_.Exec(write ? "BEGIN IMMEDIATE" : "BEGIN");
}

Transaction::~Transaction() {
  conn_.ResetBusyStatements();
  if (open_) {
    try {
      conn_.Exec("ROLLBACK");
    } catch (...) {
      // The transaction may already be gone (e.g. after SQLITE_FULL); there is
      // nothing more to undo.
    }
  }
}

void Transaction::Commit() {
  conn_.ResetBusyStatements();
  conn_.Exec("COMMIT");
  open_ = false;
}

}  // namespace herald::store::sqlite
