#include "store/sqlite/sqlite_store.h"

#include <sys/stat.h>
#include <sys/statvfs.h>

#include <filesystem>

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "store/affected.h"
#include "store/inventory_writes.h"
#include "store/migrations.h"
#include "store/round_progress_codec.h"
#include "store/sqlite/sqlite_inventory.h"
#include "store/vulnerability_snapshot.h"
#include "util/uuid.h"
#include "version/comparator.h"

namespace herald::store::sqlite {
namespace {

using Kind = StoreError::Kind;

model::NotificationStatus StatusFromText(std::string_view text) {
  auto status = model::ParseNotificationStatus(text);
  if (!status) {
    throw StoreError(Kind::kUnavailable,
                     "unknown notification status in the database: " + std::string(text));
  }
  return *status;
}

model::NotificationSummary ReadSummary(Statement& st) {
  model::NotificationSummary s;
  s.id = st.Int(0);
  s.name = st.Text(1);
  s.created = st.Int(2);
  s.notified = st.OptionalInt(3);
  s.deleted = st.OptionalInt(4);
  s.status = StatusFromText(st.TextView(5));
  return s;
}

constexpr const char* kSummaryColumns = "id, name, created_ms, notified_ms, deleted_ms, status";

}  // namespace

// A reader connection borrowed from the pool for one call.
class SqliteStore::ReaderLease {
 public:
  ReaderLease(SqliteStore& store, std::unique_ptr<Connection> conn)
      : store_(store), conn_(std::move(conn)) {}
  ~ReaderLease() {
    conn_->ResetBusyStatements();
    std::lock_guard lock(store_.readers_mu_);
    store_.idle_readers_.push_back(std::move(conn_));
  }
  ReaderLease(const ReaderLease&) = delete;
  ReaderLease& operator=(const ReaderLease&) = delete;
  Connection* operator->() { return conn_.get(); }
  Connection& operator*() { return *conn_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<Connection> conn_;
};

SqliteStore::ReaderLease SqliteStore::Reader() {
  CheckFileInPlace();
  {
    std::lock_guard lock(readers_mu_);
    if (!idle_readers_.empty()) {
      auto conn = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return ReaderLease(*this, std::move(conn));
    }
  }
  return ReaderLease(*this, std::make_unique<Connection>(path_, OpenMode::kExisting));
}

SqliteStore::SqliteStore(std::string path, util::Clock& clock, OpenMode mode)
    : path_(std::move(path)), clock_(clock), writer_(std::make_unique<Connection>(path_, mode)) {
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0) ThrowFileMoved(path_);
  device_ = info.st_dev;
  inode_ = info.st_ino;
  Migrate();
  checkpointer_ = std::make_unique<Checkpointer>(*writer_, write_mu_, path_);
}

void SqliteStore::CheckFileInPlace() const {
  struct stat info {};
  if (::stat(path_.c_str(), &info) != 0 || info.st_dev != device_ || info.st_ino != inode_) {
    ThrowFileMoved(path_);
  }
}

SqliteStore::~SqliteStore() = default;

int SqliteStore::LatestSchemaVersion() {
  int latest = 0;
  for (const auto& m : Migrations_sqlite()) latest = std::max(latest, m.version);
  return latest;
}

int SqliteStore::SchemaVersion() {
  std::lock_guard lock(write_mu_);
  auto& st = writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM herald_schema_version");
  st.Step();
  const int version = static_cast<int>(st.Int(0));
  writer_->ResetBusyStatements();
  return version;
}

void SqliteStore::Migrate() {
  std::lock_guard lock(write_mu_);
  writer_->Exec(
      "CREATE TABLE IF NOT EXISTS herald_schema_version ("
      "version INTEGER NOT NULL, applied_ms INTEGER NOT NULL)");
  Transaction tx(*writer_);
  auto& st = writer_->Prepare("SELECT COALESCE(MAX(version), 0) FROM herald_schema_version");
  st.Step();
  const int current = static_cast<int>(st.Int(0));
  const int latest = LatestSchemaVersion();
  if (current > latest) {
    throw StoreError(Kind::kSchema, "the database " + path_ + " has schema version " +
                                        std::to_string(current) + ", newer than the " +
                                        std::to_string(latest) +
                                        " this herald knows; run a newer herald");
  }
  for (const auto& m : Migrations_sqlite()) {
    if (m.version <= current) continue;
    writer_->Exec(m.sql);
    writer_->Prepare("INSERT INTO herald_schema_version (version, applied_ms) VALUES (?, ?)")
        .Bind(1, static_cast<std::int64_t>(m.version))
        .Bind(2, clock_.NowMillis())
        .Run();
  }
  tx.Commit();
}

std::vector<std::string> SqliteStore::PreparedStatementsForTesting() {
  std::lock_guard write_lock(write_mu_);
  std::lock_guard read_lock(readers_mu_);
  std::vector<std::string> out = writer_->CachedSql();
  for (const auto& reader : idle_readers_) {
    for (auto& sql : reader->CachedSql()) out.push_back(std::move(sql));
  }
  return out;
}

std::optional<std::string> SqliteStore::HealthProblem() {
  try {
    auto reader = Reader();  // checks the file is still the one opened
    auto& st = reader->Prepare("SELECT COUNT(*) FROM herald_schema_version");
    if (!st.Step()) return "the database answered no row";
  } catch (const std::exception& e) {
    return e.what();
  }
  // Reads still work on a full disk; writes do not. Below this headroom a
  // commit (WAL frames, checkpoints) is likely to fail, so health says so,
  // and recovers by itself once space is freed.
  struct statvfs fs {};
  const std::string dir = std::filesystem::path(path_).parent_path().string();
  if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) == 0) {
    const auto free_bytes = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
    if (free_bytes < kMinFreeBytes) {
      return "the database's file system is full (" + std::to_string(free_bytes) +
             " bytes free): writes fail until space is freed";
    }
  }
  return std::nullopt;
}

void SqliteStore::InsertLayer(const model::Layer& layer, int engine_version) {
  writes_.Run([&](Connection& c) {
    SqliteInventory db(c);
    store::InsertLayer(db, layer, engine_version, clock_.NowMillis());
  });
}

std::optional<model::LayerDetail> SqliteStore::GetLayer(const std::string& name, bool with_features,
                                                        bool with_vulnerabilities) {
  auto c = Reader();
  Transaction tx(*c, /*write=*/false);  // one consistent snapshot across queries
  auto& st = c->Prepare(
      "SELECT l.id, l.name, p.name, n.name, l.engine_version FROM layers l "
      "LEFT JOIN layers p ON p.id = l.parent_id LEFT JOIN namespaces n ON n.id = l.namespace_id "
      "WHERE l.name = ?");
  st.Bind(1, name);
  if (!st.Step()) return std::nullopt;
  model::LayerDetail detail;
  const std::int64_t layer_id = st.Int(0);
  detail.name = st.Text(1);
  detail.parent_name = st.Text(2);
  detail.namespace_name = st.Text(3);
  detail.indexed_by_version = static_cast<int>(st.Int(4));
  if (!with_features && !with_vulnerabilities) return detail;

  auto& fs = c->Prepare(
      "SELECT n.name, f.name, fv.version, a.name FROM layer_features lf "
      "JOIN feature_versions fv ON fv.id = lf.feature_version_id "
      "JOIN features f ON f.id = fv.feature_id JOIN namespaces n ON n.id = f.namespace_id "
      "JOIN layers a ON a.id = lf.added_by WHERE lf.layer_id = ? "
      "ORDER BY n.name, f.name, fv.version");
  fs.Bind(1, layer_id);
  while (fs.Step()) {
    model::LayerFeature lf;
    lf.feature = {fs.Text(0), fs.Text(1), fs.Text(2)};
    lf.added_by = fs.Text(3);
    detail.features.push_back(std::move(lf));
  }
  if (!with_vulnerabilities) return detail;

  for (auto& lf : detail.features) {
    const version::Comparator* cmp = version::ForNamespace(lf.feature.namespace_name);
    if (cmp == nullptr) continue;
    auto& vs = c->Prepare(
        "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata, fi.version "
        "FROM vulnerability_fixed_in fi JOIN vulnerabilities v ON v.id = fi.vulnerability_id "
        "JOIN namespaces n ON n.id = v.namespace_id "
        "WHERE fi.feature_name = ? AND n.name = ? ORDER BY v.name");
    vs.Bind(1, lf.feature.name).Bind(2, lf.feature.namespace_name);
    while (vs.Step()) {
      std::string fixed = vs.Text(6);
      if (!IsAffected(*cmp, lf.feature.version, fixed)) continue;
      model::AffectingVulnerability av;
      av.namespace_name = lf.feature.namespace_name;
      av.name = vs.Text(1);
      av.description = vs.Text(2);
      av.link = vs.Text(3);
      av.severity = vs.Text(4);
      av.metadata = vs.Text(5);
      if (fixed != version::kMaxVersion) av.fixed_by = std::move(fixed);
      lf.vulnerabilities.push_back(std::move(av));
    }
  }
  return detail;
}

bool SqliteStore::DeleteLayer(const std::string& name) {
  bool deleted = false;
  writes_.Run([&](Connection& c) { deleted = DeleteLayerTree(c, name); });
  return deleted;
}

bool SqliteStore::DeleteLayerTree(Connection& c, const std::string& name) {
  auto root = FindId(c, "SELECT id FROM layers WHERE name = ?", name);
  if (!root) return false;
  std::vector<std::int64_t> ids;
  auto& st = c.Prepare(
      "WITH RECURSIVE tree(id) AS (SELECT ? UNION ALL "
      "SELECT l.id FROM layers l JOIN tree ON l.parent_id = tree.id) SELECT id FROM tree");
  st.Bind(1, *root);
  while (st.Step()) ids.push_back(st.Int(0));
  // Descendants come after their ancestors; delete leaves first so that no
  // row ever points at a removed layer.
  for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
    c.Prepare("DELETE FROM layer_features WHERE layer_id = ?").Bind(1, *it).Run();
    c.Prepare("DELETE FROM layers WHERE id = ?").Bind(1, *it).Run();
  }
  return true;
}

std::vector<std::string> SqliteStore::ListNamespaces() {
  auto c = Reader();
  std::vector<std::string> out;
  auto& st = c->Prepare("SELECT name FROM namespaces ORDER BY name");
  while (st.Step()) out.push_back(st.Text(0));
  return out;
}

VulnerabilityPage SqliteStore::ListVulnerabilities(const std::string& namespace_name, int limit,
                                                   std::int64_t after_cursor) {
  auto c = Reader();
  Transaction tx(*c, /*write=*/false);
  if (!FindId(*c, "SELECT id FROM namespaces WHERE name = ?", namespace_name)) {
    throw StoreError(Kind::kNotFound, "namespace not found: " + namespace_name);
  }
  auto& st = c->Prepare(
      "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata "
      "FROM vulnerabilities v JOIN namespaces n ON n.id = v.namespace_id "
      "WHERE n.name = ? AND v.id > ? ORDER BY v.id LIMIT ?");
  st.Bind(1, namespace_name).Bind(2, after_cursor).Bind(3, static_cast<std::int64_t>(limit) + 1);
  VulnerabilityPage page;
  std::vector<std::int64_t> ids;
  while (st.Step()) {
    if (static_cast<int>(ids.size()) == limit) {
      page.next_cursor = ids.back();
      break;
    }
    ids.push_back(st.Int(0));
    page.vulnerabilities.push_back(ReadVulnerabilityRow(st, namespace_name));
  }
  for (std::size_t i = 0; i < ids.size(); ++i) {
    page.vulnerabilities[i].fixed_in = LoadFixedIn(*c, ids[i]);
  }
  return page;
}

std::optional<model::Vulnerability> SqliteStore::GetVulnerability(const std::string& ns,
                                                                  const std::string& name) {
  auto c = Reader();
  Transaction tx(*c, /*write=*/false);
  auto stored = SqliteInventory(*c).LoadVulnerabilities({{ns, name}}, /*lock=*/false);
  if (!stored.front()) return std::nullopt;
  return std::move(stored.front()->vulnerability);
}

VulnerabilityChange SqliteStore::ChangeVulnerability(const std::string& ns, const std::string& name,
                                                     const VulnerabilityMutation& mutate) {
  VulnerabilityChange change;
  writes_.Run([&](Connection& c) {
    SqliteInventory db(c);
    change = ApplyVulnerabilityChange(db, ns, name, mutate, clock_.NowMillis());
  });
  if (change.notification_name) NotifyDue();
  return change;
}

FeedCounts SqliteStore::ApplyFeed(const FeedSourceState& state, const VulnerabilityFeed& next,
                                  const std::map<std::string, std::string>& metadata_by_name,
                                  const NotificationPolicy& policy) {
  FeedCounts counts;
  {
    std::lock_guard lock(write_mu_);
    Transaction tx(*writer_);
    SqliteInventory db(*writer_);
    counts = ApplyFeedSnapshot(db, next, metadata_by_name, clock_.NowMillis(), policy);
    FeedSourceState recorded = state;
    recorded.counts = counts;
    db.UpsertFeedSource(recorded);
    tx.Commit();
  }
  if (counts.notifications > 0) NotifyDue();
  return counts;
}

void SqliteStore::RecordFeedSource(const FeedSourceState& state) {
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  SqliteInventory(*writer_).UpsertFeedSource(state);
  tx.Commit();
}

std::optional<FeedSourceState> SqliteStore::GetFeedSource(const std::string& name) {
  auto c = Reader();
  auto& st =
      c->Prepare(std::string("SELECT ") + kFeedSourceColumns + " FROM feed_sources WHERE name = ?");
  st.Bind(1, name);
  if (!st.Step()) return std::nullopt;
  return ReadFeedSourceRow(st);
}

std::vector<FeedSourceState> SqliteStore::ListFeedSources() {
  auto c = Reader();
  auto& st =
      c->Prepare(std::string("SELECT ") + kFeedSourceColumns + " FROM feed_sources ORDER BY name");
  std::vector<FeedSourceState> out;
  while (st.Step()) out.push_back(ReadFeedSourceRow(st));
  return out;
}

bool SqliteStore::AcquireUpdaterLease(const std::string& owner, std::int64_t lease_ms) {
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  const std::int64_t now = clock_.NowMillis();
  writer_
      ->Prepare(
          "INSERT INTO updater_lease (id, owner, until_ms) VALUES (1, ?1, ?2) "
          "ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms "
          "WHERE updater_lease.owner = ?1 OR updater_lease.until_ms < ?3")
      .Bind(1, owner)
      .Bind(2, now + lease_ms)
      .Bind(3, now)
      .Run();
  const bool held = writer_->Changes() > 0;
  tx.Commit();
  return held;
}

void SqliteStore::ReleaseUpdaterLease(const std::string& owner) {
  std::lock_guard lock(write_mu_);
  Transaction tx(*writer_);
  writer_->Prepare("DELETE FROM updater_lease WHERE id = 1 AND owner = ?").Bind(1, owner).Run();
  tx.Commit();
}

std::optional<model::Notification> SqliteStore::GetNotification(const std::string& name) {
  auto c = Reader();
  auto& st = c->Prepare(std::string("SELECT ") + kSummaryColumns +
                        ", old_snapshot, new_snapshot, old_layer_count, new_layer_count "
                        "FROM notifications WHERE name = ?");
  st.Bind(1, name);
  if (!st.Step()) return std::nullopt;
  model::Notification n;
  n.summary = ReadSummary(st);
  if (!st.IsNull(6)) n.old_side = model::NotificationSide{SnapshotFromJson(st.Text(6)), st.Int(8)};
  if (!st.IsNull(7)) n.new_side = model::NotificationSide{SnapshotFromJson(st.Text(7)), st.Int(9)};
  return n;
}

std::vector<std::string> SqliteStore::NotificationLayers(std::int64_t notification_id,
                                                         model::Side side, std::int64_t offset,
                                                         int limit) {
  auto c = Reader();
  auto& st = c->Prepare(
      "SELECT layer_name FROM notification_layers "
      "WHERE notification_id = ? AND side = ? AND seq >= ? ORDER BY seq LIMIT ?");
  st.Bind(1, notification_id)
      .Bind(2, static_cast<std::int64_t>(side))
      .Bind(3, offset)
      .Bind(4, static_cast<std::int64_t>(limit));
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(limit));
  while (st.Step()) out.push_back(st.Text(0));
  return out;
}

NotificationListPage SqliteStore::ListNotifications(std::optional<model::NotificationStatus> status,
                                                    int limit, std::int64_t after_cursor) {
  auto c = Reader();
  const std::int64_t before_id =
      after_cursor > 0 ? after_cursor : std::numeric_limits<std::int64_t>::max();
  std::string sql = std::string("SELECT ") + kSummaryColumns + " FROM notifications WHERE " +
                    (status ? "status = ? AND id < ?" : "?1 IS NULL AND id < ?2") +
                    " ORDER BY id DESC LIMIT ?3";
  auto& st = c->Prepare(sql);
  if (status) {
    st.Bind(1, model::ToString(*status));
  } else {
    st.Bind(1, std::nullopt);
  }
  st.Bind(2, before_id).Bind(3, static_cast<std::int64_t>(limit) + 1);
  NotificationListPage page;
  while (st.Step()) {
    if (static_cast<int>(page.notifications.size()) == limit) {
      page.next_cursor = page.notifications.back().id;
      break;
    }
    page.notifications.push_back(ReadSummary(st));
  }
  return page;
}

DeleteOutcome SqliteStore::DeleteNotification(const std::string& name) {
  DeleteOutcome outcome = DeleteOutcome::kNotFound;
  writes_.Run([&](Connection& c) { outcome = MarkNotificationDeleted(c, name); });
  return outcome;
}

DeleteOutcome SqliteStore::MarkNotificationDeleted(Connection& c, const std::string& name) {
  auto& st = c.Prepare("SELECT id, deleted_ms FROM notifications WHERE name = ?");
  st.Bind(1, name);
  if (!st.Step()) return DeleteOutcome::kNotFound;
  if (!st.IsNull(1)) return DeleteOutcome::kAlreadyDeleted;
  const std::int64_t id = st.Int(0);
  c.Prepare(
       "UPDATE notifications SET deleted_ms = ?, status = 'deleted', due_ms = NULL, "
       "lease_owner = NULL, lease_token = lease_token + 1 WHERE id = ?")
      .Bind(1, clock_.NowMillis())
      .Bind(2, id)
      .Run();
  return DeleteOutcome::kDeleted;
}

std::vector<ClaimedNotification> SqliteStore::ClaimDue(const std::string& owner,
                                                       std::int64_t now_ms,
                                                       std::int64_t lease_until_ms, int limit) {
  std::lock_guard lock(write_mu_);
  Connection& c = *writer_;
  Transaction tx(c);
  // The lease expiry becomes the due time: a process that dies leaves the
  // notification due again once its lease lapses, with no rescuer needed.
  // Only the lease columns change here, so the status index is left alone
  // on the hot path; rounds that ended are reopened just below.
  auto& st = c.Prepare(
      "UPDATE notifications SET lease_owner = ?1, lease_token = lease_token + 1, due_ms = ?3 "
      "WHERE id IN (SELECT id FROM notifications WHERE due_ms <= ?2 ORDER BY due_ms LIMIT ?4) "
      "RETURNING id, name, created_ms, round, lease_token, receiver_state, status, namespace, "
      "severity");
  st.Bind(1, owner)
      .Bind(2, now_ms)
      .Bind(3, lease_until_ms)
      .Bind(4, static_cast<std::int64_t>(limit));
  std::vector<ClaimedNotification> out;
  std::vector<std::size_t> reopened;
  while (st.Step()) {
    ClaimedNotification n;
    n.id = st.Int(0);
    n.name = st.Text(1);
    n.created_ms = st.Int(2);
    n.round = static_cast<int>(st.Int(3));
    n.lease_token = st.Int(4);
    if (!st.IsNull(7)) n.namespace_name = st.Text(7);
    if (!st.IsNull(8)) n.severity = st.Text(8);
    const std::string_view status = st.TextView(6);
    if (status == "notified" || status == "failed") {
      reopened.push_back(out.size());  // the last round ended: a new one starts
      n.round += 1;
    } else {
      n.progress = ProgressFromJson(st.Text(5), n.name);
    }
    out.push_back(std::move(n));
  }
  for (std::size_t i : reopened) {
    c.Prepare(
         "UPDATE notifications SET round = ?1, receiver_state = '', status = 'pending' "
         "WHERE id = ?2")
        .Bind(1, static_cast<std::int64_t>(out[i].round))
        .Bind(2, out[i].id)
        .Run();
  }
  tx.Commit();
  return out;
}

std::vector<std::int64_t> SqliteStore::CompleteRounds(const std::string& owner,
                                                      const std::vector<RoundUpdate>& updates) {
  std::lock_guard lock(write_mu_);
  Connection& c = *writer_;
  Transaction tx(c);
  std::vector<std::int64_t> fenced;
  for (const auto& u : updates) {
    for (const auto& a : u.attempts) {
      auto& ins = c.Prepare(
          "INSERT INTO deliveries (notification_id, seq, receiver, round, attempt, started_ms, "
          "duration_ms, outcome, http_status, error) "
          "SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 "
          "FROM deliveries WHERE notification_id = ?1");
      ins.Bind(1, u.lease.id)
          .Bind(2, a.receiver)
          .Bind(3, static_cast<std::int64_t>(a.round))
          .Bind(4, static_cast<std::int64_t>(a.attempt))
          .Bind(5, a.started_ms)
          .Bind(6, a.duration_ms)
          .Bind(7, model::ToString(a.outcome));
      if (a.http_status) {
        ins.Bind(8, static_cast<std::int64_t>(*a.http_status));
      } else {
        ins.Bind(8, std::nullopt);
      }
      if (a.error.empty()) {
        ins.Bind(9, std::nullopt);
      } else {
        ins.Bind(9, a.error);
      }
      ins.Run();
    }
    c.Prepare(
         "UPDATE notifications SET status = ?1, notified_ms = COALESCE(?2, notified_ms), "
         "due_ms = ?3, receiver_state = ?4, lease_owner = NULL "
         "WHERE id = ?5 AND lease_owner = ?6 AND lease_token = ?7")
        .Bind(1, model::ToString(u.status))
        .Bind(2, u.notified_ms)
        .Bind(3, u.due_ms)
        .Bind(4, ProgressToJson(u.progress))
        .Bind(5, u.lease.id)
        .Bind(6, owner)
        .Bind(7, u.lease.lease_token)
        .Run();
    if (c.Changes() == 0) fenced.push_back(u.lease.id);
  }
  tx.Commit();
  return fenced;
}

std::vector<std::int64_t> SqliteStore::RenewLeases(const std::string& owner,
                                                   const std::vector<LeaseRef>& leases,
                                                   std::int64_t lease_until_ms) {
  std::lock_guard lock(write_mu_);
  Connection& c = *writer_;
  Transaction tx(c);
  std::vector<std::int64_t> lost;
  for (const auto& l : leases) {
    c.Prepare(
         "UPDATE notifications SET due_ms = ?1 WHERE id = ?2 AND lease_owner = ?3 AND "
         "lease_token = ?4")
        .Bind(1, lease_until_ms)
        .Bind(2, l.id)
        .Bind(3, owner)
        .Bind(4, l.lease_token)
        .Run();
    if (c.Changes() == 0) lost.push_back(l.id);
  }
  tx.Commit();
  return lost;
}

std::optional<std::int64_t> SqliteStore::NextDueMillis() {
  auto c = Reader();
  auto& st = c->Prepare("SELECT MIN(due_ms) FROM notifications WHERE due_ms IS NOT NULL");
  if (!st.Step()) return std::nullopt;
  return st.OptionalInt(0);
}

std::int64_t SqliteStore::CountByStatus(model::NotificationStatus status) {
  auto c = Reader();
  auto& st = c->Prepare("SELECT COUNT(*) FROM notifications WHERE status = ?");
  st.Bind(1, model::ToString(status));
  st.Step();
  return st.Int(0);
}

std::optional<std::vector<model::DeliveryAttempt>> SqliteStore::ListDeliveries(
    const std::string& name) {
  auto c = Reader();
  Transaction tx(*c, /*write=*/false);
  auto id = FindId(*c, "SELECT id FROM notifications WHERE name = ?", name);
  if (!id) return std::nullopt;
  auto& st = c->Prepare(
      "SELECT receiver, round, attempt, started_ms, duration_ms, outcome, http_status, error "
      "FROM deliveries WHERE notification_id = ? ORDER BY seq");
  st.Bind(1, *id);
  std::vector<model::DeliveryAttempt> out;
  while (st.Step()) {
    model::DeliveryAttempt a;
    a.receiver = st.Text(0);
    a.round = static_cast<int>(st.Int(1));
    a.attempt = static_cast<int>(st.Int(2));
    a.started_ms = st.Int(3);
    a.duration_ms = st.Int(4);
    auto outcome = model::ParseDeliveryOutcome(st.TextView(5));
    if (!outcome) {
      throw StoreError(Kind::kUnavailable,
                       "unknown delivery outcome in the database: " + st.Text(5));
    }
    a.outcome = *outcome;
    if (auto status = st.OptionalInt(6)) a.http_status = static_cast<int>(*status);
    a.error = st.Text(7);
    out.push_back(std::move(a));
  }
  return out;
}

RedeliverOutcome SqliteStore::Redeliver(const std::string& name, std::int64_t now_ms) {
  {
    std::lock_guard lock(write_mu_);
    Connection& c = *writer_;
    Transaction tx(c);
    auto& st = c.Prepare("SELECT id, deleted_ms FROM notifications WHERE name = ?");
    st.Bind(1, name);
    if (!st.Step()) return RedeliverOutcome::kNotFound;
    if (!st.IsNull(1)) return RedeliverOutcome::kDeleted;
    const std::int64_t id = st.Int(0);
    // A fresh round: a round that has not begun yet keeps its number.
    c.Prepare(
         "UPDATE notifications SET round = CASE WHEN status = 'pending' AND receiver_state = '' "
         "AND lease_owner IS NULL "

         "THEN round ELSE round + 1 END, status = 'pending', receiver_state = '', due_ms = ?1, "
         "lease_owner = NULL, lease_token = lease_token + 1 WHERE id = ?2")
        .Bind(1, now_ms)
        .Bind(2, id)
        .Run();
    tx.Commit();
  }
  NotifyDue();
  return RedeliverOutcome::kScheduled;
}

}  // namespace herald::store::sqlite
