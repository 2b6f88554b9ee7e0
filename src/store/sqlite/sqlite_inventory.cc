#include "store/sqlite/sqlite_inventory.h"

#include <set>

namespace herald::store::sqlite {

std::optional<std::int64_t> FindId(Connection& c, const std::string& sql, std::string_view key) {
  auto& st = c.Prepare(sql).Bind(1, key);
  if (!st.Step()) return std::nullopt;
  return st.Int(0);
}

std::vector<model::FixedIn> LoadFixedIn(Connection& c, std::int64_t vulnerability_id) {
  std::vector<model::FixedIn> out;
  auto& st = c.Prepare(
      "SELECT feature_name, version FROM vulnerability_fixed_in WHERE vulnerability_id = ? "
      "ORDER BY feature_name");
  st.Bind(1, vulnerability_id);
  while (st.Step()) out.push_back({st.Text(0), st.Text(1)});
  return out;
}

model::Vulnerability ReadVulnerabilityRow(Statement& st, std::string namespace_name) {
  model::Vulnerability v;
  v.namespace_name = std::move(namespace_name);
  v.name = st.Text(1);
  v.description = st.Text(2);
  v.link = st.Text(3);
  v.severity = st.Text(4);
  v.metadata = st.Text(5);
  return v;
}

std::vector<std::optional<InventoryDialect::StoredVulnerability>>
SqliteInventory::LoadVulnerabilities(const std::vector<VulnerabilityKey>& keys, bool /*lock*/) {
  // Statements are cheap in-process: one lookup per key.
  std::vector<std::optional<StoredVulnerability>> out;
  out.reserve(keys.size());
  for (const auto& [ns, name] : keys) {
    auto& st = c_.Prepare(
        "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata, v.feed_digest "
        "FROM vulnerabilities v JOIN namespaces n ON n.id = v.namespace_id "
        "WHERE n.name = ? AND v.name = ?");
    st.Bind(1, ns).Bind(2, name);
    if (!st.Step()) {
      out.emplace_back();
      continue;
    }
    StoredVulnerability stored{st.Int(0), ReadVulnerabilityRow(st, ns), st.OptionalInt(6)};
    stored.vulnerability.fixed_in = LoadFixedIn(c_, stored.id);
    out.emplace_back(std::move(stored));
  }
  return out;
}

std::int64_t SqliteInventory::NamespaceId(const std::string& name) {
  if (auto id = FindId(c_, "SELECT id FROM namespaces WHERE name = ?", name)) return *id;
  c_.Prepare("INSERT INTO namespaces (name) VALUES (?)").Bind(1, name).Run();
  return c_.LastInsertRowId();
}

std::vector<std::int64_t> SqliteInventory::InsertVulnerabilities(const VulnerabilityRows& rows) {
  auto& st = c_.Prepare(
      "INSERT INTO vulnerabilities (namespace_id, name, description, link, severity, "
      "metadata, feed_digest) VALUES (?, ?, ?, ?, ?, ?, ?)");
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const auto& [namespace_id, v, digest] : rows) {
    st.Reset()
        .Bind(1, namespace_id)
        .Bind(2, v->name)
        .Bind(3, v->description)
        .Bind(4, v->link)
        .Bind(5, v->severity)
        .Bind(6, v->metadata)
        .Bind(7, digest)
        .Run();
    ids.push_back(c_.LastInsertRowId());
  }
  return ids;
}

void SqliteInventory::UpdateVulnerabilities(const VulnerabilityRows& rows) {
  auto& st = c_.Prepare(
      "UPDATE vulnerabilities SET description = ?, link = ?, severity = ?, metadata = ?, "
      "feed_digest = ? WHERE id = ?");
  for (const auto& [id, v, digest] : rows) {
    st.Reset()
        .Bind(1, v->description)
        .Bind(2, v->link)
        .Bind(3, v->severity)
        .Bind(4, v->metadata)
        .Bind(5, digest)
        .Bind(6, id)
        .Run();
  }
}

std::unordered_map<std::string, std::int64_t> SqliteInventory::FeedDigests(
    const std::string& namespace_name) {
  std::unordered_map<std::string, std::int64_t> out;
  auto& st = c_.Prepare(
      "SELECT v.name, v.feed_digest FROM vulnerabilities v "
      "JOIN namespaces n ON n.id = v.namespace_id "
      "WHERE n.name = ? AND v.feed_digest IS NOT NULL");
  st.Bind(1, namespace_name);
  while (st.Step()) out.emplace(st.Text(0), st.Int(1));
  return out;
}

void SqliteInventory::SetFeedDigests(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) {
  auto& st = c_.Prepare("UPDATE vulnerabilities SET feed_digest = ? WHERE id = ?");
  for (const auto& [id, digest] : rows) st.Reset().Bind(1, digest).Bind(2, id).Run();
}

void SqliteInventory::DeleteVulnerability(std::int64_t id) {
  c_.Prepare("DELETE FROM vulnerability_fixed_in WHERE vulnerability_id = ?").Bind(1, id).Run();
  c_.Prepare("DELETE FROM vulnerabilities WHERE id = ?").Bind(1, id).Run();
}

void SqliteInventory::ReplaceFixedIn(const VulnerabilityRows& rows) {
  for (const VulnerabilityRow& row : rows) {
    const std::int64_t id = row.id;
    c_.Prepare("DELETE FROM vulnerability_fixed_in WHERE vulnerability_id = ?").Bind(1, id).Run();
    auto& st = c_.Prepare(
        "INSERT INTO vulnerability_fixed_in (vulnerability_id, feature_name, version) "
        "VALUES (?, ?, ?)");
    for (const auto& f : row.vulnerability->fixed_in) {
      st.Reset().Bind(1, id).Bind(2, f.feature).Bind(3, f.version).Run();
    }
  }
}

FeedSourceState ReadFeedSourceRow(Statement& st) {
  FeedSourceState s;
  s.name = st.Text(0);
  s.kind = st.Text(1);
  s.last_attempt_ms = st.OptionalInt(2);
  s.last_success_ms = st.OptionalInt(3);
  s.outcome = st.Text(4);
  s.error = st.Text(5);
  s.etag = st.Text(6);
  s.last_modified = st.Text(7);
  s.counts = {st.Int(8), st.Int(9), st.Int(10), st.Int(11)};
  s.skipped = st.Int(12);
  return s;
}

std::vector<InventoryDialect::VulnerabilityKey> SqliteInventory::VulnerabilitiesNamed(
    const std::vector<std::string>& names) {
  std::vector<VulnerabilityKey> out;
  for (const std::string& name : names) {
    auto& st = c_.Prepare(
        "SELECT n.name FROM vulnerabilities v JOIN namespaces n ON n.id = v.namespace_id "
        "WHERE v.name = ? ORDER BY n.name");
    st.Bind(1, name);
    while (st.Step()) out.push_back({st.Text(0), name});
  }
  return out;
}

void SqliteInventory::UpsertFeedSource(const FeedSourceState& s) {
  c_.Prepare(std::string("INSERT OR REPLACE INTO feed_sources (") + kFeedSourceColumns +
             ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .Bind(1, s.name)
      .Bind(2, s.kind)
      .Bind(3, s.last_attempt_ms)
      .Bind(4, s.last_success_ms)
      .Bind(5, s.outcome)
      .Bind(6, s.error)
      .Bind(7, s.etag)
      .Bind(8, s.last_modified)
      .Bind(9, s.counts.added)
      .Bind(10, s.counts.changed)
      .Bind(11, s.counts.unchanged)
      .Bind(12, s.counts.notifications)
      .Bind(13, s.skipped)
      .Run();
}

std::map<InventoryDialect::Package, InventoryDialect::StoredVersions>
SqliteInventory::FeatureVersions(const std::vector<Package>& packages) {
  std::map<Package, StoredVersions> out;
  for (const Package& package : packages) {
    auto& st = c_.Prepare(
        "SELECT fv.id, fv.version FROM feature_versions fv "
        "JOIN features f ON f.id = fv.feature_id JOIN namespaces n ON n.id = f.namespace_id "
        "WHERE n.name = ? AND f.name = ?");
    st.Bind(1, package.first).Bind(2, package.second);
    while (st.Step()) out[package].emplace_back(st.Int(0), st.Text(1));
  }
  return out;
}

std::vector<std::string> SqliteInventory::LayersIntroducing(const std::vector<std::int64_t>& ids) {
  std::set<std::string> names;
  for (std::int64_t fv : ids) {
    auto& st = c_.Prepare(
        "SELECT l.name FROM layer_features lf JOIN layers l ON l.id = lf.layer_id "
        "WHERE lf.feature_version_id = ? AND lf.added_by = lf.layer_id");
    st.Bind(1, fv);
    while (st.Step()) names.emplace(st.TextView(0));
  }
  return {names.begin(), names.end()};
}

std::vector<std::int64_t> SqliteInventory::InsertNotifications(
    const std::vector<NewNotification>& rows, std::int64_t created_ms) {
  auto& ins = c_.Prepare(
      "INSERT INTO notifications (name, created_ms, old_snapshot, new_snapshot, "
      "old_layer_count, new_layer_count, status, due_ms, namespace, severity) "
      "VALUES (?, ?, ?, ?, ?, ?, 'pending', ?2, ?7, ?8)");
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const NewNotification& row : rows) {
    ins.Reset().Bind(1, row.name).Bind(2, created_ms);
    row.old_snapshot ? ins.Bind(3, *row.old_snapshot) : ins.Bind(3, std::nullopt);
    row.new_snapshot ? ins.Bind(4, *row.new_snapshot) : ins.Bind(4, std::nullopt);
    ins.Bind(5, row.old_layer_count)
        .Bind(6, row.new_layer_count)
        .Bind(7, row.namespace_name)
        .Bind(8, row.severity)
        .Run();
    ids.push_back(c_.LastInsertRowId());
  }
  return ids;
}

void SqliteInventory::WriteNotificationLayers(std::int64_t notification_id, model::Side side,
                                              const std::vector<std::string>& names) {
  auto& st = c_.Prepare(
      "INSERT INTO notification_layers (notification_id, side, seq, layer_name) "
      "VALUES (?, ?, ?, ?)");
  std::int64_t seq = 0;
  for (const auto& name : names) {
    st.Reset()
        .Bind(1, notification_id)
        .Bind(2, static_cast<std::int64_t>(side))
        .Bind(3, seq++)
        .Bind(4, name)
        .Run();
  }
}

std::optional<InventoryDialect::LayerRow> SqliteInventory::FindLayer(const std::string& name) {
  auto& st = c_.Prepare(
      "SELECT l.id, l.namespace_id, n.name FROM layers l "
      "LEFT JOIN namespaces n ON n.id = l.namespace_id WHERE l.name = ?");
  st.Bind(1, name);
  if (!st.Step()) return std::nullopt;
  return LayerRow{st.Int(0), st.OptionalInt(1), st.Text(2)};
}

std::int64_t SqliteInventory::InsertLayerRow(const std::string& name,
                                             std::optional<std::int64_t> parent_id,
                                             std::optional<std::int64_t> namespace_id,
                                             int engine_version, std::int64_t created_ms) {
  c_.Prepare(
        "INSERT INTO layers (name, parent_id, namespace_id, engine_version, created_ms) "
        "VALUES (?, ?, ?, ?, ?)")
      .Bind(1, name)
      .Bind(2, parent_id)
      .Bind(3, namespace_id)
      .Bind(4, static_cast<std::int64_t>(engine_version))
      .Bind(5, created_ms)
      .Run();
  return c_.LastInsertRowId();
}

void SqliteInventory::CopyLayerFeatures(std::int64_t layer_id, std::int64_t parent_id) {
  c_.Prepare(
        "INSERT INTO layer_features (layer_id, feature_version_id, added_by) "
        "SELECT ?, feature_version_id, added_by FROM layer_features WHERE layer_id = ?")
      .Bind(1, layer_id)
      .Bind(2, parent_id)
      .Run();
}

std::map<std::int64_t, std::int64_t> SqliteInventory::LayerFeatures(std::int64_t layer_id) {
  std::map<std::int64_t, std::int64_t> out;
  auto& st =
      c_.Prepare("SELECT feature_version_id, added_by FROM layer_features WHERE layer_id = ?");
  st.Bind(1, layer_id);
  while (st.Step()) out.emplace(st.Int(0), st.Int(1));
  return out;
}

std::int64_t SqliteInventory::FeatureVersionId(std::int64_t namespace_id, const std::string& name,
                                               const std::string& version) {
  std::int64_t feature_id;
  auto& find = c_.Prepare("SELECT id FROM features WHERE namespace_id = ? AND name = ?");
  find.Bind(1, namespace_id).Bind(2, name);
  if (find.Step()) {
    feature_id = find.Int(0);
  } else {
    c_.Prepare("INSERT INTO features (namespace_id, name) VALUES (?, ?)")
        .Bind(1, namespace_id)
        .Bind(2, name)
        .Run();
    feature_id = c_.LastInsertRowId();
  }
  auto& fv = c_.Prepare("SELECT id FROM feature_versions WHERE feature_id = ? AND version = ?");
  fv.Bind(1, feature_id).Bind(2, version);
  if (fv.Step()) return fv.Int(0);
  c_.Prepare("INSERT INTO feature_versions (feature_id, version) VALUES (?, ?)")
      .Bind(1, feature_id)
      .Bind(2, version)
      .Run();
  return c_.LastInsertRowId();
}

void SqliteInventory::InsertLayerFeatures(
    std::int64_t layer_id, const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) {
  auto& insert = c_.Prepare(
      "INSERT INTO layer_features (layer_id, feature_version_id, added_by) VALUES (?, ?, ?)");
  for (const auto& [fv, added_by] : rows) {
    insert.Reset().Bind(1, layer_id).Bind(2, fv).Bind(3, added_by).Run();
  }
}

}  // namespace herald::store::sqlite
