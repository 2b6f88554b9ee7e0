#include "store/postgres/postgres_store.h"

#include "store/deadline.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "store/affected.h"
#include "store/inventory_writes.h"
#include "store/migrations.h"
#include "store/postgres/postgres_inventory.h"
#include "store/round_progress_codec.h"
#include "store/vulnerability_snapshot.h"
#include "util/uuid.h"
#include "version/comparator.h"

namespace herald::store::postgres {
namespace {

using Kind = StoreError::Kind;

// Serialises migrations across processes starting together.
constexpr std::int64_t kMigrationLock = 0x6865726c64;  // "herld"

model::NotificationStatus StatusFromText(const std::string& text) {
  auto status = model::ParseNotificationStatus(text);
  if (!status) throw StoreError(Kind::kUnavailable, "unknown notification status: " + text);
  return *status;
}

constexpr const char* kSummaryColumns = "id, name, created_ms, notified_ms, deleted_ms, status";

model::NotificationSummary ReadSummary(const Rows& r, int i) {
  model::NotificationSummary s;
  s.id = r.Int(i, 0);
  s.name = r.Text(i, 1);
  s.created = r.Int(i, 2);
  s.notified = r.OptionalInt(i, 3);
  s.deleted = r.OptionalInt(i, 4);
  s.status = StatusFromText(r.Text(i, 5));
  return s;
}

std::vector<std::int64_t> Missing(const std::vector<LeaseRef>& wanted, const Rows& got) {
  std::set<std::int64_t> returned;
  for (int i = 0; i < got.size(); ++i) returned.insert(got.Int(i, 0));
  std::vector<std::int64_t> out;
  for (const auto& l : wanted) {
    if (!returned.count(l.id)) out.push_back(l.id);
  }
  return out;
}

}  // namespace

PostgresStore::PostgresStore(std::string conninfo, int pool_size, util::Clock& clock)
    : clock_(clock),
      pool_(conninfo, pool_size),
      notifier_pool_(conninfo, kNotifierConnections),
      health_(std::move(conninfo)) {
  Migrate();
  listener_ = std::thread([this] { Listen(); });
}

PostgresStore::~PostgresStore() {
  stop_ = true;
  listen_wake_.Wake();
  if (listener_.joinable()) listener_.join();
}

void PostgresStore::AnnounceDue() {
  NotifyDue();
  announce_pending_ = true;
  listen_wake_.Wake();
}

int PostgresStore::LatestSchemaVersion() {
  int latest = 0;
  for (const auto& m : Migrations_postgres()) latest = std::max(latest, m.version);
  return latest;
}

void PostgresStore::Migrate() {
  // A migration may rebuild an index of a large table: no statement
  // deadline, and one process migrates while the others wait on the lock.
  ScopedDeadline unbounded(DeadlineClock::time_point::max());
  auto c = pool_.Acquire();
  Transaction tx(*c);
  c->Exec("SELECT pg_advisory_xact_lock($1)", {S(kMigrationLock)});
  c->Simple(
      "CREATE TABLE IF NOT EXISTS herald_schema_version (version INTEGER NOT NULL, "
      "applied_ms BIGINT NOT NULL)");
  const int current = static_cast<int>(
      c->Exec("SELECT COALESCE(MAX(version), 0) FROM herald_schema_version").Int(0, 0));
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    throw StoreError(Kind::kSchema, "the database has schema version " + std::to_string(current) +
                                        ", newer than the " + std::to_string(latest) +
                                        " this herald knows; run a newer herald");
  }
  for (const auto& m : Migrations_postgres()) {
    if (m.version <= current) continue;
    c->Simple(std::string(m.sql));
    c->Exec("INSERT INTO herald_schema_version (version, applied_ms) VALUES ($1, $2)",
            {S(m.version), S(clock_.NowMillis())});
  }
  tx.Commit();
}

void PostgresStore::Listen() {
  // A dedicated connection outside the pool; reconnects with backoff when
  // the server goes away, and wakes the notifier after reconnecting in case
  // a NOTIFY was missed meanwhile. It also sends this process's NOTIFYs,
  // after the commits they announce: a NOTIFY inside the writing
  // transaction would hold PostgreSQL's notify lock across that commit's
  // WAL flush and so serialise every committing writer (at 560 writes/s
  // here), where a NOTIFY on its own writes no WAL. Announcements that
  // arrive while one is sent share the next.
  std::chrono::milliseconds backoff(100);
  while (!stop_) {
    std::unique_ptr<Connection> conn;
    try {
      conn = std::make_unique<Connection>(pool_.conninfo());
      conn->Simple(std::string("LISTEN ") + kDueChannel);
      backoff = std::chrono::milliseconds(100);
      NotifyDue();
    } catch (const StoreError& e) {
      spdlog::warn("database: LISTEN connection failed (retrying in {} ms): {}", backoff.count(),
                   e.what());
      for (auto waited = std::chrono::milliseconds(0); waited < backoff && !stop_;
           waited += std::chrono::milliseconds(50)) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    PGconn* pg = conn->handle();
    while (!conn->Broken()) {
      // An announcement still pending at stop is sent first: `herald update`
      // exits right after its commit, and serve processes wait for it.
      if (announce_pending_.exchange(false)) {
        try {
          ScopedDeadline deadline(DeadlineClock::now() + kPingDeadline);
          conn->Simple(std::string("NOTIFY ") + kDueChannel);
        } catch (const StoreError&) {
          announce_pending_ = true;  // sent on the next connection
          break;
        }
      } else if (stop_) {
        break;
      } else {
        pollfd fds[2] = {{PQsocket(pg), POLLIN, 0}, {listen_wake_.fd(), POLLIN, 0}};
        const int rc = poll(fds, 2, 1000);
        if (rc < 0) break;
        if (fds[1].revents & POLLIN) listen_wake_.Clear();
        if ((fds[0].revents & POLLIN) && !PQconsumeInput(pg)) break;
      }
      // Notifications read with the NOTIFY's own result are queued too.
      bool due = false;
      while (PGnotify* n = PQnotifies(pg)) {
        due = true;
        PQfreemem(n);
      }
      if (due) NotifyDue();
    }
    if (!stop_) spdlog::warn("database: LISTEN connection lost; reconnecting");
  }
}

std::optional<std::string> PostgresStore::HealthProblem() {
  // Its own connection and a short deadline: /health answers within a
  // second even when every pooled connection is stuck (SPEC §11).
  ScopedDeadline deadline(DeadlineClock::now() + kPingDeadline);
  // A check still running is itself the answer: the database is slow. (Not
  // try_lock_for: libtsan does not see pthread_mutex_clocklock.)
  std::unique_lock lock(health_.mu, std::try_to_lock);
  if (!lock.owns_lock()) return "PostgreSQL has not answered the previous health check yet";
  try {
    if (!health_.conn || health_.conn->Broken()) {
      health_.conn = std::make_unique<Connection>(health_.conninfo);
    }
    health_.conn->Exec("SELECT 1");
    return std::nullopt;
  } catch (const std::exception& e) {
    health_.conn.reset();
    return std::string(e.what());
  }
}

std::optional<std::int64_t> PostgresStore::DatabaseNowMillis() {
  auto c = pool_.Acquire();
  Rows r = c->Exec("SELECT (extract(epoch from clock_timestamp()) * 1000)::bigint");
  return r.Int(0, 0);
}

void PostgresStore::InsertLayer(const model::Layer& layer, int engine_version) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  PostgresInventory db(*c);
  store::InsertLayer(db, layer, engine_version, clock_.NowMillis());
  tx.Commit();
}

std::optional<model::LayerDetail> PostgresStore::GetLayer(const std::string& name,
                                                          bool with_features,
                                                          bool with_vulnerabilities) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  Rows l = c->Exec(
      "SELECT l.id, l.name, p.name, n.name, l.engine_version FROM layers l "
      "LEFT JOIN layers p ON p.id = l.parent_id LEFT JOIN namespaces n ON n.id = l.namespace_id "
      "WHERE l.name = $1",
      {name});
  if (l.empty()) return std::nullopt;
  model::LayerDetail detail;
  const std::int64_t layer_id = l.Int(0, 0);
  detail.name = l.Text(0, 1);
  detail.parent_name = l.Text(0, 2);
  detail.namespace_name = l.Text(0, 3);
  detail.indexed_by_version = static_cast<int>(l.Int(0, 4));
  if (!with_features && !with_vulnerabilities) return detail;

  Rows fs = c->Exec(
      "SELECT n.name, f.name, fv.version, a.name FROM layer_features lf "
      "JOIN feature_versions fv ON fv.id = lf.feature_version_id "
      "JOIN features f ON f.id = fv.feature_id JOIN namespaces n ON n.id = f.namespace_id "
      "JOIN layers a ON a.id = lf.added_by WHERE lf.layer_id = $1 "
      "ORDER BY n.name COLLATE \"C\", f.name COLLATE \"C\", fv.version COLLATE \"C\"",
      {S(layer_id)});
  for (int i = 0; i < fs.size(); ++i) {
    model::LayerFeature lf;
    lf.feature = {fs.Text(i, 0), fs.Text(i, 1), fs.Text(i, 2)};
    lf.added_by = fs.Text(i, 3);
    detail.features.push_back(std::move(lf));
  }
  if (!with_vulnerabilities) return detail;
  for (auto& lf : detail.features) {
    const version::Comparator* cmp = version::ForNamespace(lf.feature.namespace_name);
    if (cmp == nullptr) continue;
    Rows vs = c->Exec(
        "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata, fi.version "
        "FROM vulnerability_fixed_in fi JOIN vulnerabilities v ON v.id = fi.vulnerability_id "
        "JOIN namespaces n ON n.id = v.namespace_id "
        "WHERE fi.feature_name = $1 AND n.name = $2 ORDER BY v.name COLLATE \"C\"",
        {lf.feature.name, lf.feature.namespace_name});
    for (int i = 0; i < vs.size(); ++i) {
      std::string fixed = vs.Text(i, 6);
      if (!IsAffected(*cmp, lf.feature.version, fixed)) continue;
      model::AffectingVulnerability av;
      av.namespace_name = lf.feature.namespace_name;
      av.name = vs.Text(i, 1);
      av.description = vs.Text(i, 2);
      av.link = vs.Text(i, 3);
      av.severity = vs.Text(i, 4);
      av.metadata = vs.Text(i, 5);
      if (fixed != version::kMaxVersion) av.fixed_by = std::move(fixed);
      lf.vulnerabilities.push_back(std::move(av));
    }
  }
  return detail;
}

bool PostgresStore::DeleteLayer(const std::string& name) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  Rows root = c->Exec("SELECT id FROM layers WHERE name = $1 FOR UPDATE", {name});
  if (root.empty()) return false;
  Rows tree = c->Exec(
      "WITH RECURSIVE tree(id, depth) AS (SELECT $1::bigint, 0 UNION ALL "
      "SELECT l.id, tree.depth + 1 FROM layers l JOIN tree ON l.parent_id = tree.id) "
      "SELECT id FROM tree ORDER BY depth DESC",
      {S(root.Int(0, 0))});
  std::vector<std::optional<std::int64_t>> ids;
  for (int i = 0; i < tree.size(); ++i) ids.push_back(tree.Int(i, 0));
  c->Exec("DELETE FROM layer_features WHERE layer_id = ANY($1::bigint[])", {IntArray(ids)});
  // Leaves first, so that no row points at a removed parent.
  for (const auto& id : ids) c->Exec("DELETE FROM layers WHERE id = $1", {S(*id)});
  tx.Commit();
  return true;
}

std::vector<std::string> PostgresStore::ListNamespaces() {
  auto c = pool_.Acquire();
  Rows r = c->Exec("SELECT name FROM namespaces ORDER BY name COLLATE \"C\"");
  std::vector<std::string> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

VulnerabilityPage PostgresStore::ListVulnerabilities(const std::string& ns, int limit,
                                                     std::int64_t after_cursor) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  if (!FindId(*c, "SELECT id FROM namespaces WHERE name = $1", ns)) {
    throw StoreError(Kind::kNotFound, "namespace not found: " + ns);
  }
  Rows r = c->Exec(
      "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata "
      "FROM vulnerabilities v JOIN namespaces n ON n.id = v.namespace_id "
      "WHERE n.name = $1 AND v.id > $2 ORDER BY v.id LIMIT $3",
      {ns, S(after_cursor), S(static_cast<std::int64_t>(limit) + 1)});
  VulnerabilityPage page;
  const int n = std::min(r.size(), limit);
  std::vector<std::int64_t> ids;
  for (int i = 0; i < n; ++i) {
    page.vulnerabilities.push_back(ReadVulnerability(r, i, ns));
    ids.push_back(r.Int(i, 0));
  }
  auto fixed_in = LoadFixedIn(*c, ids);
  for (int i = 0; i < n; ++i) {
    page.vulnerabilities[static_cast<std::size_t>(i)].fixed_in =
        std::move(fixed_in[ids[static_cast<std::size_t>(i)]]);
  }
  if (r.size() > limit) page.next_cursor = r.Int(n - 1, 0);
  return page;
}

std::optional<model::Vulnerability> PostgresStore::GetVulnerability(const std::string& ns,
                                                                    const std::string& name) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  auto stored = LoadVulnerabilities(*c, {{ns, name}}, /*for_update=*/false);
  if (!stored.front()) return std::nullopt;
  return std::move(stored.front()->vulnerability);
}

VulnerabilityChange PostgresStore::ChangeVulnerability(const std::string& ns,
                                                       const std::string& name,
                                                       const VulnerabilityMutation& mutate) {
  VulnerabilityChange change;
  {
    auto c = pool_.Acquire();
    Transaction tx(*c);
    PostgresInventory db(*c);
    change = ApplyVulnerabilityChange(db, ns, name, mutate, clock_.NowMillis());
    if (change.before == change.after) return change;  // nothing written
    tx.Commit();
  }
  if (change.notification_name) AnnounceDue();
  return change;
}

// A feed run that adds this many vulnerabilities refreshes the planner's
// statistics of the tables it filled.
constexpr std::int64_t kAnalyzeAfterAdding = 5000;

FeedCounts PostgresStore::ApplyFeed(const FeedSourceState& state, const VulnerabilityFeed& next,
                                    const std::map<std::string, std::string>& metadata_by_name,
                                    const NotificationPolicy& policy) {
  FeedCounts counts;
  {
    auto c = pool_.Acquire();
    Transaction tx(*c);
    // The batch statements' plans must follow the tables as this very
    // transaction fills them: a generic plan made while `vulnerabilities`
    // was small scans it for every batch (a first import went quadratic,
    // 850 s instead of seconds).
    c->Exec("SET LOCAL plan_cache_mode = force_custom_plan");
    PostgresInventory db(*c, /*lock_each_vulnerability=*/false);
    counts = ApplyFeedSnapshot(db, next, metadata_by_name, clock_.NowMillis(), policy);
    FeedSourceState recorded = state;
    recorded.counts = counts;
    db.UpsertFeedSource(recorded);
    tx.Commit();
  }
  if (counts.added >= kAnalyzeAfterAdding) {
    // PostgreSQL's own advice after a bulk load: without statistics the
    // next run's key lookups are planned as scans of a table thought small
    // (a re-import of a fresh 120,000-vulnerability feed took 7 s, not 5).
    // Autovacuum would get there, but only after its next nap.
    auto c = pool_.Acquire();
    c->Exec("ANALYZE vulnerabilities, vulnerability_fixed_in");
  }
  if (counts.notifications > 0) AnnounceDue();
  return counts;
}

void PostgresStore::RecordFeedSource(const FeedSourceState& state) {
  auto c = pool_.Acquire();
  PostgresInventory(*c).UpsertFeedSource(state);
}

std::optional<FeedSourceState> PostgresStore::GetFeedSource(const std::string& name) {
  auto c = pool_.Acquire();
  Rows r = c->Exec(
      std::string("SELECT ") + kFeedSourceColumns + " FROM feed_sources WHERE name = $1", {name});
  if (r.empty()) return std::nullopt;
  return ReadFeedSourceRow(r, 0);
}

std::vector<FeedSourceState> PostgresStore::ListFeedSources() {
  auto c = pool_.Acquire();
  Rows r = c->Exec(std::string("SELECT ") + kFeedSourceColumns +
                   " FROM feed_sources ORDER BY name COLLATE \"C\"");
  std::vector<FeedSourceState> out;
  for (int i = 0; i < r.size(); ++i) out.push_back(ReadFeedSourceRow(r, i));
  return out;
}

bool PostgresStore::AcquireUpdaterLease(const std::string& owner, std::int64_t lease_ms) {
  auto c = pool_.Acquire();
  // The database's clock: processes whose clocks disagree still agree on
  // who holds the lease (SPEC §11).
  Rows r = c->Exec(
      "INSERT INTO updater_lease (id, owner, until_ms) "
      "VALUES (1, $1, (extract(epoch from clock_timestamp()) * 1000)::bigint + $2) "
      "ON CONFLICT (id) DO UPDATE SET owner = EXCLUDED.owner, until_ms = EXCLUDED.until_ms "
      "WHERE updater_lease.owner = $1 "
      "OR updater_lease.until_ms < (extract(epoch from clock_timestamp()) * 1000)::bigint "
      "RETURNING owner",
      {owner, S(lease_ms)});
  return !r.empty();
}

void PostgresStore::ReleaseUpdaterLease(const std::string& owner) {
  auto c = pool_.Acquire();
  c->Exec("DELETE FROM updater_lease WHERE id = 1 AND owner = $1", {owner});
}

std::optional<model::Notification> PostgresStore::GetNotification(const std::string& name) {
  auto c = pool_.Acquire();
  Rows r = c->Exec(std::string("SELECT ") + kSummaryColumns +
                       ", old_snapshot, new_snapshot, old_layer_count, new_layer_count "
                       "FROM notifications WHERE name = $1",
                   {name});
  if (r.empty()) return std::nullopt;
  model::Notification n;
  n.summary = ReadSummary(r, 0);
  if (!r.IsNull(0, 6))
    n.old_side = model::NotificationSide{SnapshotFromJson(r.Text(0, 6)), r.Int(0, 8)};
  if (!r.IsNull(0, 7))
    n.new_side = model::NotificationSide{SnapshotFromJson(r.Text(0, 7)), r.Int(0, 9)};
  return n;
}

std::vector<std::string> PostgresStore::NotificationLayers(std::int64_t id, model::Side side,
                                                           std::int64_t offset, int limit) {
  auto c = pool_.Acquire();
  Rows r = c->Exec(
      "SELECT layer_name FROM notification_layers "
      "WHERE notification_id = $1 AND side = $2 AND seq >= $3 ORDER BY seq LIMIT $4",
      {S(id), S(static_cast<std::int64_t>(side)), S(offset), S(limit)});
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back(r.Text(i, 0));
  return out;
}

NotificationListPage PostgresStore::ListNotifications(
    std::optional<model::NotificationStatus> status, int limit, std::int64_t after_cursor) {
  auto c = pool_.Acquire();
  const std::int64_t before_id =
      after_cursor > 0 ? after_cursor : std::numeric_limits<std::int64_t>::max();
  Rows r = status ? c->Exec(std::string("SELECT ") + kSummaryColumns +
                                " FROM notifications WHERE status = $1 AND id < $2 "
                                "ORDER BY id DESC LIMIT $3",
                            {std::string(model::ToString(*status)), S(before_id), S(limit + 1)})
                  : c->Exec(std::string("SELECT ") + kSummaryColumns +
                                " FROM notifications WHERE id < $1 ORDER BY id DESC LIMIT $2",
                            {S(before_id), S(limit + 1)});
  NotificationListPage page;
  const int n = std::min(r.size(), limit);
  for (int i = 0; i < n; ++i) page.notifications.push_back(ReadSummary(r, i));
  if (r.size() > limit) page.next_cursor = page.notifications.back().id;
  return page;
}

DeleteOutcome PostgresStore::DeleteNotification(const std::string& name) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  Rows r = c->Exec("SELECT id, deleted_ms FROM notifications WHERE name = $1 FOR UPDATE", {name});
  if (r.empty()) return DeleteOutcome::kNotFound;
  if (!r.IsNull(0, 1)) return DeleteOutcome::kAlreadyDeleted;
  c->Exec(
      "UPDATE notifications SET deleted_ms = $1, status = 'deleted', due_ms = NULL, "
      "lease_owner = NULL, lease_token = lease_token + 1 WHERE id = $2",
      {S(clock_.NowMillis()), S(r.Int(0, 0))});
  tx.Commit();
  return DeleteOutcome::kDeleted;
}

std::vector<ClaimedNotification> PostgresStore::ClaimDue(const std::string& owner,
                                                         std::int64_t now_ms,
                                                         std::int64_t lease_until_ms, int limit) {
  auto c = notifier_pool_.Acquire();
  Transaction tx(*c, Transaction::Durability::kAsynchronous);
  // SKIP LOCKED: processes claiming at the same moment take disjoint rows
  // instead of queueing behind each other's locks. A row whose last round
  // ended starts a new one in the same statement.
  Rows r = c->Exec(
      "WITH due AS (SELECT id FROM notifications WHERE due_ms <= $2 ORDER BY due_ms "
      "LIMIT $4 FOR UPDATE SKIP LOCKED) "
      "UPDATE notifications n SET lease_owner = $1, lease_token = n.lease_token + 1, "
      "due_ms = $3, "
      "round = CASE WHEN n.status IN ('notified', 'failed') THEN n.round + 1 ELSE n.round END, "
      "receiver_state = CASE WHEN n.status IN ('notified', 'failed') THEN '' "
      "ELSE n.receiver_state END, "
      "status = CASE WHEN n.status IN ('notified', 'failed') THEN 'pending' ELSE n.status END "
      "FROM due WHERE n.id = due.id "
      "RETURNING n.id, n.name, n.created_ms, n.round, n.lease_token, n.receiver_state, "
      "n.namespace, n.severity",
      {owner, S(now_ms), S(lease_until_ms), S(limit)});
  tx.Commit();
  std::vector<ClaimedNotification> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) {
    ClaimedNotification n;
    n.id = r.Int(i, 0);
    n.name = r.Text(i, 1);
    n.created_ms = r.Int(i, 2);
    n.round = static_cast<int>(r.Int(i, 3));
    n.lease_token = r.Int(i, 4);
    n.progress = ProgressFromJson(r.Text(i, 5), n.name);
    if (!r.IsNull(i, 6)) n.namespace_name = r.Text(i, 6);
    if (!r.IsNull(i, 7)) n.severity = r.Text(i, 7);
    out.push_back(std::move(n));
  }
  return out;
}

std::vector<std::int64_t> PostgresStore::CompleteRounds(const std::string& owner,
                                                        const std::vector<RoundUpdate>& updates) {
  if (updates.empty()) return {};
  std::vector<std::optional<std::int64_t>> d_id, d_round, d_attempt, d_started, d_duration, d_http;
  std::vector<std::string> d_receiver, d_outcome, d_error;
  std::vector<std::optional<std::int64_t>> u_id, u_token, u_notified, u_due;
  std::vector<std::string> u_status, u_state;
  for (const auto& u : updates) {
    for (const auto& a : u.attempts) {
      d_id.push_back(u.lease.id);
      d_receiver.push_back(a.receiver);
      d_round.push_back(a.round);
      d_attempt.push_back(a.attempt);
      d_started.push_back(a.started_ms);
      d_duration.push_back(a.duration_ms);
      d_outcome.emplace_back(model::ToString(a.outcome));
      d_http.push_back(a.http_status ? std::optional<std::int64_t>(*a.http_status) : std::nullopt);
      d_error.push_back(a.error);
    }
    u_id.push_back(u.lease.id);
    u_token.push_back(u.lease.lease_token);
    u_status.emplace_back(model::ToString(u.status));
    u_notified.push_back(u.notified_ms);
    u_due.push_back(u.due_ms);
    u_state.push_back(ProgressToJson(u.progress));
  }
  auto c = notifier_pool_.Acquire();
  Transaction tx(*c, Transaction::Durability::kAsynchronous);
  // The attempt log and the fenced update in one statement: one round trip.
  Rows done = c->Exec(
      "WITH logged AS (INSERT INTO deliveries (notification_id, receiver, round, attempt, "
      "started_ms, duration_ms, outcome, http_status, error) "
      "SELECT u.id, u.receiver, u.round, u.attempt, u.started, u.duration, u.outcome, u.http, "
      "NULLIF(u.error, '') FROM unnest($1::bigint[], $2::text[], $3::int[], $4::int[], "
      "$5::bigint[], $6::bigint[], $7::text[], $8::int[], $9::text[]) "
      "AS u(id, receiver, round, attempt, started, duration, outcome, http, error)) "
      "UPDATE notifications n SET status = u.status, "
      "notified_ms = COALESCE(u.notified, n.notified_ms), due_ms = u.due, "
      "receiver_state = u.state, lease_owner = NULL "
      "FROM unnest($10::bigint[], $11::bigint[], $12::text[], $13::bigint[], $14::bigint[], "
      "$15::text[]) AS u(id, token, status, notified, due, state) "
      "WHERE n.id = u.id AND n.lease_owner = $16 AND n.lease_token = u.token RETURNING n.id",
      {IntArray(d_id), TextArray(d_receiver), IntArray(d_round), IntArray(d_attempt),
       IntArray(d_started), IntArray(d_duration), TextArray(d_outcome), IntArray(d_http),
       TextArray(d_error), IntArray(u_id), IntArray(u_token), TextArray(u_status),
       IntArray(u_notified), IntArray(u_due), TextArray(u_state), owner});
  tx.Commit();
  std::vector<LeaseRef> wanted;
  for (const auto& u : updates) wanted.push_back(u.lease);
  return Missing(wanted, done);
}

std::vector<std::int64_t> PostgresStore::RenewLeases(const std::string& owner,
                                                     const std::vector<LeaseRef>& leases,
                                                     std::int64_t lease_until_ms) {
  if (leases.empty()) return {};
  std::vector<std::optional<std::int64_t>> ids, tokens;
  for (const auto& l : leases) {
    ids.push_back(l.id);
    tokens.push_back(l.lease_token);
  }
  auto c = notifier_pool_.Acquire();
  Transaction tx(*c, Transaction::Durability::kAsynchronous);
  Rows r = c->Exec(
      "UPDATE notifications n SET due_ms = $3 FROM unnest($1::bigint[], $2::bigint[]) "
      "AS u(id, token) WHERE n.id = u.id AND n.lease_owner = $4 AND n.lease_token = u.token "
      "RETURNING n.id",
      {IntArray(ids), IntArray(tokens), S(lease_until_ms), owner});
  tx.Commit();
  return Missing(leases, r);
}

std::optional<std::int64_t> PostgresStore::NextDueMillis() {
  auto c = notifier_pool_.Acquire();
  Rows r = c->Exec("SELECT MIN(due_ms) FROM notifications WHERE due_ms IS NOT NULL");
  return r.OptionalInt(0, 0);
}

std::int64_t PostgresStore::CountByStatus(model::NotificationStatus status) {
  auto c = pool_.Acquire();
  return c
      ->Exec("SELECT COUNT(*) FROM notifications WHERE status = $1",
             {std::string(model::ToString(status))})
      .Int(0, 0);
}

std::optional<std::vector<model::DeliveryAttempt>> PostgresStore::ListDeliveries(
    const std::string& name) {
  auto c = pool_.Acquire();
  Transaction tx(*c);
  auto id = FindId(*c, "SELECT id FROM notifications WHERE name = $1", name);
  if (!id) return std::nullopt;
  Rows r = c->Exec(
      "SELECT receiver, round, attempt, started_ms, duration_ms, outcome, http_status, error "
      "FROM deliveries WHERE notification_id = $1 ORDER BY id",
      {S(*id)});
  std::vector<model::DeliveryAttempt> out;
  for (int i = 0; i < r.size(); ++i) {
    model::DeliveryAttempt a;
    a.receiver = r.Text(i, 0);
    a.round = static_cast<int>(r.Int(i, 1));
    a.attempt = static_cast<int>(r.Int(i, 2));
    a.started_ms = r.Int(i, 3);
    a.duration_ms = r.Int(i, 4);
    auto outcome = model::ParseDeliveryOutcome(r.Text(i, 5));
    if (!outcome) throw StoreError(Kind::kUnavailable, "unknown delivery outcome: " + r.Text(i, 5));
    a.outcome = *outcome;
    if (auto s = r.OptionalInt(i, 6)) a.http_status = static_cast<int>(*s);
    a.error = r.Text(i, 7);
    out.push_back(std::move(a));
  }
  return out;
}

RedeliverOutcome PostgresStore::Redeliver(const std::string& name, std::int64_t now_ms) {
  {
    auto c = pool_.Acquire();
    Transaction tx(*c);
    Rows r = c->Exec("SELECT id, deleted_ms FROM notifications WHERE name = $1 FOR UPDATE", {name});
    if (r.empty()) return RedeliverOutcome::kNotFound;
    if (!r.IsNull(0, 1)) return RedeliverOutcome::kDeleted;
    c->Exec(
        "UPDATE notifications SET round = CASE WHEN status = 'pending' AND receiver_state = '' "
        "AND lease_owner IS NULL "

        "THEN round ELSE round + 1 END, status = 'pending', receiver_state = '', due_ms = $1, "
        "lease_owner = NULL, lease_token = lease_token + 1 WHERE id = $2",
        {S(now_ms), S(r.Int(0, 0))});
    tx.Commit();
  }
  AnnounceDue();
  return RedeliverOutcome::kScheduled;
}

}  // namespace herald::store::postgres
