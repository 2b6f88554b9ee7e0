#include "store/postgres/connection.h"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <charconv>

#include "store/deadline.h"
#include "store/store.h"

namespace herald::store::postgres {

using Kind = StoreError::Kind;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Statements outside a request (the notifier, the updater, start-up) still
// run under a deadline, so a stuck database never holds a thread forever;
// code that needs longer (migrations) sets its own ScopedDeadline.
constexpr std::chrono::minutes kBackgroundStatementDeadline{5};
// How long a cancelled statement may take to come back before the
// connection is given up.
constexpr std::chrono::seconds kCancelGrace{5};
// How long a caller outside a request waits for a free pooled connection.
constexpr std::chrono::seconds kBackgroundPoolWait{30};
// Added to the conninfo unless it sets its own: a server that does not
// answer the connection at all must not hold a thread.
constexpr const char* kConnectTimeoutSeconds = "10";

SteadyClock::time_point StatementDeadline() {
  return CurrentDeadline().value_or(SteadyClock::now() + kBackgroundStatementDeadline);
}

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

Connection::Connection(const std::string& conninfo) {
  // Later keywords override earlier ones, and the expanded dbname carries
  // the whole conninfo: its own connect_timeout, if any, wins.
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {kConnectTimeoutSeconds, conninfo.c_str(), nullptr};
  conn_.reset(PQconnectdbParams(keywords, values, /*expand_dbname=*/1));
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
    if (!PQsendPrepare(conn_.get(), name.c_str(), sql.c_str(), 0, nullptr))
      Fail(nullptr, "prepare");
    auto prep = Await("prepare");
    if (PQresultStatus(prep.get()) != PGRES_COMMAND_OK) Fail(prep.get(), "prepare");
    it = prepared_.emplace(sql, std::move(name)).first;
  }
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  if (!PQsendQueryPrepared(conn_.get(), it->second.c_str(), static_cast<int>(values.size()),
                           values.data(), nullptr, nullptr, 0)) {
    Fail(nullptr, "query");
  }
  auto result = Await("query");
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result.get(), "query");
  return Rows(std::move(result));
}

void Connection::Simple(const std::string& sql) {
  if (!PQsendQuery(conn_.get(), sql.c_str())) Fail(nullptr, "exec");
  auto result = Await("exec");
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(result.get(), "exec");
}

bool Connection::WaitUntilReadable(SteadyClock::time_point until, bool end_when_abandoned) {
  while (PQisBusy(conn_.get())) {
    if (end_when_abandoned && DatabaseWorkAbandoned()) return false;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(until - SteadyClock::now());
    if (left.count() <= 0) return false;
    pollfd fd{PQsocket(conn_.get()), POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(std::min<std::int64_t>(left.count(), 1000)));
    if (ready < 0 && errno != EINTR) {
      broken_ = true;
      throw StoreError(Kind::kUnavailable, "poll on the PostgreSQL connection failed");
    }
    if (!PQconsumeInput(conn_.get())) {
      broken_ = true;
      Fail(nullptr, "read");
    }
  }
  return true;
}

std::unique_ptr<PGresult, PgResultDeleter> Connection::Await(std::string_view what) {
  const SteadyClock::time_point deadline = StatementDeadline();
  bool cancelled = false;
  // Several statements in one text give several results: the first error
  // decides, else the last result.
  std::unique_ptr<PGresult, PgResultDeleter> error, last;
  while (true) {
    const bool ready = cancelled ? WaitUntilReadable(SteadyClock::now() + kCancelGrace, false)
                                 : WaitUntilReadable(deadline, true);
    if (!ready) {
      if (cancelled) {
        // The server did not come back even from a cancel: this connection
        // is lost to us; the pool makes a new one.
        broken_ = true;
        throw StoreError(DeadlinePassed() ? Kind::kDeadline : Kind::kUnavailable,
                         std::string(what) + ": PostgreSQL did not answer, even to a cancel");
      }
      // PQcancel asks the server, over a separate connection, to stop the
      // statement; its error then arrives as the result (SQLSTATE 57014).
      std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel(PQgetCancel(conn_.get()),
                                                                &PQfreeCancel);
      char error[256] = {};
      if (!cancel || !PQcancel(cancel.get(), error, sizeof error)) {
        broken_ = true;
        throw StoreError(Kind::kUnavailable,
                         std::string(what) + ": past its deadline and cannot cancel: " + error);
      }
      cancelled = true;
      continue;
    }
    std::unique_ptr<PGresult, PgResultDeleter> result(PQgetResult(conn_.get()));
    if (!result) break;
    const auto status = PQresultStatus(result.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      if (!error) error = std::move(result);
    } else {
      last = std::move(result);
    }
  }
  if (cancelled && error) {
    if (DatabaseWorkAbandoned()) {
      throw StoreError(Kind::kUnavailable, std::string(what) + ": cancelled: herald is stopping");
    }
    if (DeadlinePassed()) throw StoreError(Kind::kDeadline, "request deadline passed");
    throw StoreError(Kind::kUnavailable,
                     std::string(what) + ": cancelled: it ran past its deadline of " +
                         std::to_string(kBackgroundStatementDeadline.count()) + " minutes");
  }
  if (error) return error;
  if (!last) Fail(nullptr, what);
  return last;
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
  // Bounded: a request waits no longer than its deadline, other callers no
  // longer than kBackgroundPoolWait, so a stuck database makes errors, not
  // a growing queue of blocked threads.
  const SteadyClock::time_point until =
      CurrentDeadline().value_or(SteadyClock::now() + kBackgroundPoolWait);
  const auto ready = [this] { return !idle_.empty() || open_ < size_; };
  // In slices, so that a stop (AbandonDatabaseWork) ends the wait too.
  while (!ready() && SteadyClock::now() < until && !DatabaseWorkAbandoned()) {
    cv_.wait_until(lock, std::min(until, SteadyClock::now() + std::chrono::seconds(1)));
  }
  if (!ready()) {
    if (DatabaseWorkAbandoned()) throw StoreError(Kind::kUnavailable, "herald is stopping");
    if (DeadlinePassed()) throw StoreError(Kind::kDeadline, "request deadline passed");
    throw StoreError(Kind::kUnavailable, "all " + std::to_string(size_) +
                                             " PostgreSQL connections stayed busy for " +
                                             std::to_string(kBackgroundPoolWait.count()) + " s");
  }
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
