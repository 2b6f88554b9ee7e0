#include "store/postgres/connection.h"

#include <charconv>

#include "store/deadline.h"
#include "store/store.h"

namespace herald::store::postgres {

using Kind = StoreError::Kind;

namespace {
// libpq's messages span lines; logs keep one line per event.
std::string OneLine(std::string_view message) {
  std::string out;
  out.reserve(message.size());
  bool space = false;
  for (char c : message) {
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}
}  // namespace

std::int64_t Rows::Int(int row, int col) const {
  if (row >= size() || col >= PQnfields(r_.get())) {
    throw StoreError(Kind::kUnavailable, "query returned no value where one was expected");
  }
  const char* v = PQgetvalue(r_.get(), row, col);
  std::int64_t out = 0;
  std::from_chars(v, v + PQgetlength(r_.get(), row, col), out);
  return out;
}

std::optional<std::int64_t> Rows::OptionalInt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

std::int64_t Rows::Affected() const {
  const char* n = PQcmdTuples(r_.get());
  std::int64_t out = 0;
  std::from_chars(n, n + std::char_traits<char>::length(n), out);
  return out;
}

Connection::Connection(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    std::string message = OneLine(conn_ ? PQerrorMessage(conn_.get()) : "out of memory");
    throw StoreError(Kind::kUnavailable, "cannot connect to PostgreSQL: " + message);
  }
  // Notices (e.g. "relation already exists, skipping") are not errors.
  PQsetNoticeProcessor(
      conn_.get(), [](void*, const char*) {}, nullptr);
}

bool Connection::Broken() const {
  return broken_ || PQstatus(conn_.get()) != CONNECTION_OK;
}

void Connection::Fail(const PGresult* result, std::string_view what) {
  std::string message =
      OneLine(result ? PQresultErrorMessage(result) : PQerrorMessage(conn_.get()));
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  if (PQstatus(conn_.get()) != CONNECTION_OK) broken_ = true;
  const std::string text = std::string(what) + ": " + message;
  // 23: integrity constraint; 22: data exception (e.g. a NUL byte in text).
  if (state != nullptr && (std::string_view(state).substr(0, 2) == "23" ||
                           std::string_view(state).substr(0, 2) == "22")) {
    throw StoreError(Kind::kInvalidArgument, text);
  }
  if (state != nullptr && std::string_view(state) == "57014" && DeadlinePassed()) {
    throw StoreError(Kind::kDeadline, "request deadline passed");
  }
  throw StoreError(Kind::kUnavailable, text);
}

Rows Connection::Exec(const std::string& sql, const std::vector<Param>& params) {
  if (DeadlinePassed()) throw StoreError(Kind::kDeadline, "request deadline passed");
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    std::string name = std::to_string(prepared_.size());
    name.insert(name.begin(), 's');  // (not "s" + …: GCC 12 -O3 warns falsely on it)

    std::unique_ptr<PGresult, PgResultDeleter> prep(
        PQprepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr));
    if (!prep || PQresultStatus(prep.get()) != PGRES_COMMAND_OK) Fail(prep.get(), "prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  std::unique_ptr<PGresult, PgResultDeleter> result(
      PQexecPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()),
                     values.data(), nullptr, nullptr, 0));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result.get(), "query");
  return Rows(std::move(result));
}

void Connection::Simple(const std::string& sql) {
  std::unique_ptr<PGresult, PgResultDeleter> result(PQexec(conn_.get(), sql.c_str()));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result.get(), "exec");
}

Transaction::Transaction(Connection& conn, Durability durability) : conn_(conn) {
  conn_.Simple(durability == Durability::kSynchronous
                   ? "BEGIN"
                   : "BEGIN; SET LOCAL synchronous_commit TO off");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    conn_.Simple("ROLLBACK");
  } catch (...) {
    // A broken connection has no transaction left to roll back.
  }
}

void Transaction::Commit() {
  conn_.Simple("COMMIT");
  open_ = false;
}

Pool::Pool(std::string conninfo, int size) : conninfo_(std::move(conninfo)), size_(size) {}

Pool::Lease Pool::Acquire() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [this] { return !idle_.empty() || open_ < size_; });
  if (!idle_.empty()) {
    auto conn = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(conn));
  }
  ++open_;
  lock.unlock();
  try {
    return Lease(*this, std::make_unique<Connection>(conninfo_));
  } catch (...) {
    lock.lock();
    --open_;
    cv_.notify_one();
    throw;
  }
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  {
    std::lock_guard lock(mu_);
    if (conn && !conn->Broken()) {
      idle_.push_back(std::move(conn));
    } else {
      --open_;  // dropped: the next Acquire reconnects
    }
  }
  cv_.notify_one();
}

namespace {

void AppendQuoted(std::string& out, const std::string& value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
}

}  // namespace

std::string TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    AppendQuoted(out, values[i]);
  }
  return out + "}";
}

std::string TextArray(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (values[i]) {
      AppendQuoted(out, *values[i]);
    } else {
      out += "NULL";
    }
  }
  return out + "}";
}

std::string IntArray(const std::vector<std::optional<std::int64_t>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += values[i] ? std::to_string(*values[i]) : "NULL";
  }
  return out + "}";
}

}  // namespace herald::store::postgres
