#include "store/postgres/postgres_inventory.h"

#include <algorithm>
#include <map>

#include "store/store.h"

namespace herald::store::postgres {
namespace {

using Kind = StoreError::Kind;

// Get-or-create in one round trip when possible. The CTE sees nothing when
// another transaction inserted the row and committed while this one waited
// on the conflict (its snapshot predates that commit); a second, separate
// SELECT then gets a fresh snapshot and finds it.
std::int64_t GetOrCreate(Connection& c, const std::string& table, const std::string& columns,
                         const std::string& where, const std::vector<Param>& values) {
  const std::string select = "SELECT id FROM " + table + " WHERE " + where;
  std::string placeholders;
  for (std::size_t i = 1; i <= values.size(); ++i) {
    placeholders += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  Rows r = c.Exec("WITH ins AS (INSERT INTO " + table + " (" + columns + ") VALUES (" +
                      placeholders + ") ON CONFLICT (" + columns +
                      ") DO NOTHING RETURNING id) SELECT id FROM ins UNION ALL " + select,
                  values);
  if (!r.empty()) return r.Int(0, 0);
  Rows again = c.Exec(select, values);
  if (again.empty())
    throw StoreError(Kind::kUnavailable, "cannot find or create a row in " + table);
  return again.Int(0, 0);
}

Param Optional(const std::optional<std::int64_t>& v) {
  return v ? Param(S(*v)) : std::nullopt;
}

}  // namespace

std::optional<std::int64_t> FindId(Connection& c, const std::string& sql, const std::string& key) {
  Rows r = c.Exec(sql, {key});
  if (r.empty()) return std::nullopt;
  return r.Int(0, 0);
}

std::map<std::int64_t, std::vector<model::FixedIn>> LoadFixedIn(
    Connection& c, const std::vector<std::int64_t>& vulnerability_ids) {
  std::map<std::int64_t, std::vector<model::FixedIn>> out;
  if (vulnerability_ids.empty()) return out;
  Rows r = c.Exec(
      "SELECT vulnerability_id, feature_name, version FROM vulnerability_fixed_in "
      "WHERE vulnerability_id = ANY($1::bigint[]) "
      "ORDER BY vulnerability_id, feature_name COLLATE \"C\"",
      {IntArray({vulnerability_ids.begin(), vulnerability_ids.end()})});
  for (int i = 0; i < r.size(); ++i) out[r.Int(i, 0)].push_back({r.Text(i, 1), r.Text(i, 2)});
  return out;
}

model::Vulnerability ReadVulnerability(const Rows& r, int i, const std::string& ns) {
  model::Vulnerability v;
  v.namespace_name = ns;
  v.name = r.Text(i, 1);
  v.description = r.Text(i, 2);
  v.link = r.Text(i, 3);
  v.severity = r.Text(i, 4);
  v.metadata = r.Text(i, 5);
  return v;
}

std::vector<std::optional<InventoryDialect::StoredVulnerability>> LoadVulnerabilities(
    Connection& c, const std::vector<InventoryDialect::VulnerabilityKey>& keys, bool for_update) {
  std::vector<std::string> namespaces, names;
  namespaces.reserve(keys.size());
  names.reserve(keys.size());
  for (const auto& key : keys) {
    namespaces.push_back(key.namespace_name);
    names.push_back(key.name);
  }
  // One round trip for the batch; the ordinality says which key a row is.
  // A single key (every API request) is a plain lookup on the unique index:
  // the join over unnest() is planned for ten keys, and on tables not yet
  // analyzed (a new database's first minute) that plan hashes a sequential
  // scan of the whole table, 1 ms at 5,000 rows and growing.
  const std::string lock = for_update ? " FOR UPDATE OF v" : "";
  Rows r = keys.size() == 1
               ? c.Exec(
                     "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata, 1, "
                     "v.feed_digest "
                     "FROM vulnerabilities v WHERE v.namespace_id = "
                     "(SELECT id FROM namespaces WHERE name = $1) AND v.name = $2" +
                         lock,
                     {namespaces.front(), names.front()})
               : c.Exec(
                     "SELECT v.id, v.name, v.description, v.link, v.severity, v.metadata, k.ord, "
                     "v.feed_digest "
                     "FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS k(ns, name, "
                     "ord) JOIN namespaces n ON n.name = k.ns "
                     "JOIN vulnerabilities v ON v.namespace_id = n.id AND v.name = k.name" +
                         lock,
                     {TextArray(namespaces), TextArray(names)});
  std::vector<std::optional<InventoryDialect::StoredVulnerability>> out(keys.size());
  std::vector<std::int64_t> ids;
  for (int i = 0; i < r.size(); ++i) {
    const auto at = static_cast<std::size_t>(r.Int(i, 6) - 1);
    out.at(at).emplace(r.Int(i, 0), ReadVulnerability(r, i, keys[at].namespace_name),
                       r.OptionalInt(i, 7));
    ids.push_back(r.Int(i, 0));
  }
  auto fixed_in = LoadFixedIn(c, ids);
  for (auto& stored : out) {
    if (!stored) continue;
    auto it = fixed_in.find(stored->id);
    if (it != fixed_in.end()) stored->vulnerability.fixed_in = std::move(it->second);
  }
  return out;
}

void PostgresInventory::LockVulnerability(const std::string& ns, const std::string& name) {
  if (!lock_each_vulnerability_) return;
  c_.Exec("SELECT pg_advisory_xact_lock(hashtext($1))", {"vulnerability:" + ns + "/" + name});
}

std::vector<std::optional<InventoryDialect::StoredVulnerability>>
PostgresInventory::LoadVulnerabilities(const std::vector<VulnerabilityKey>& keys, bool lock) {
  return postgres::LoadVulnerabilities(c_, keys, /*for_update=*/lock);
}

std::int64_t PostgresInventory::NamespaceId(const std::string& name) {
  return GetOrCreate(c_, "namespaces", "name", "name = $1", {name});
}

std::vector<std::int64_t> PostgresInventory::InsertVulnerabilities(const VulnerabilityRows& rows) {
  std::vector<std::optional<std::int64_t>> namespace_ids, digests;
  std::vector<std::string> names, descriptions, links, severities, metadata;
  for (const auto& [namespace_id, v, digest] : rows) {
    namespace_ids.emplace_back(namespace_id);
    digests.push_back(digest);
    names.push_back(v->name);
    descriptions.push_back(v->description);
    links.push_back(v->link);
    severities.push_back(v->severity);
    metadata.push_back(v->metadata);
  }
  Rows r = c_.Exec(
      "INSERT INTO vulnerabilities (namespace_id, name, description, link, severity, metadata, "
      "feed_digest) SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], "
      "$5::text[], $6::text[], $7::bigint[]) RETURNING id, namespace_id, name",
      {IntArray(namespace_ids), TextArray(names), TextArray(descriptions), TextArray(links),
       TextArray(severities), TextArray(metadata), IntArray(digests)});
  // RETURNING promises no order: match the rows by their unique key.
  std::map<std::pair<std::int64_t, std::string>, std::int64_t> by_key;
  for (int i = 0; i < r.size(); ++i) by_key[{r.Int(i, 1), r.Text(i, 2)}] = r.Int(i, 0);
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const VulnerabilityRow& row : rows) {
    ids.push_back(by_key.at({row.id, row.vulnerability->name}));
  }
  return ids;
}

void PostgresInventory::UpdateVulnerabilities(const VulnerabilityRows& rows) {
  std::vector<std::optional<std::int64_t>> ids, digests;
  std::vector<std::string> descriptions, links, severities, metadata;
  for (const auto& [id, v, digest] : rows) {
    ids.emplace_back(id);
    digests.push_back(digest);
    descriptions.push_back(v->description);
    links.push_back(v->link);
    severities.push_back(v->severity);
    metadata.push_back(v->metadata);
  }
  c_.Exec(
      "UPDATE vulnerabilities v SET description = u.d, link = u.l, severity = u.s, metadata = u.m, "
      "feed_digest = u.f "
      "FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[]) "
      "AS u(id, d, l, s, m, f) WHERE v.id = u.id",
      {IntArray(ids), TextArray(descriptions), TextArray(links), TextArray(severities),
       TextArray(metadata), IntArray(digests)});
}

std::unordered_map<std::string, std::int64_t> PostgresInventory::FeedDigests(
    const std::string& namespace_name) {
  Rows r = c_.Exec(
      "SELECT v.name, v.feed_digest FROM vulnerabilities v "
      "WHERE v.namespace_id = (SELECT id FROM namespaces WHERE name = $1) "
      "AND v.feed_digest IS NOT NULL",
      {namespace_name});
  std::unordered_map<std::string, std::int64_t> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.emplace(r.Text(i, 0), r.Int(i, 1));
  return out;
}

void PostgresInventory::SetFeedDigests(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) {
  std::vector<std::optional<std::int64_t>> ids, digests;
  for (const auto& [id, digest] : rows) {
    ids.emplace_back(id);
    digests.emplace_back(digest);
  }
  c_.Exec(
      "UPDATE vulnerabilities v SET feed_digest = u.f "
      "FROM unnest($1::bigint[], $2::bigint[]) AS u(id, f) WHERE v.id = u.id",
      {IntArray(ids), IntArray(digests)});
}

void PostgresInventory::DeleteVulnerability(std::int64_t id) {
  c_.Exec("DELETE FROM vulnerability_fixed_in WHERE vulnerability_id = $1", {S(id)});
  c_.Exec("DELETE FROM vulnerabilities WHERE id = $1", {S(id)});
}

void PostgresInventory::ReplaceFixedIn(const VulnerabilityRows& rows) {
  std::vector<std::optional<std::int64_t>> replaced, ids;
  std::vector<std::string> features, versions;
  for (const VulnerabilityRow& row : rows) {
    replaced.emplace_back(row.id);
    for (const auto& f : row.vulnerability->fixed_in) {
      ids.emplace_back(row.id);
      features.push_back(f.feature);
      versions.push_back(f.version);
    }
  }
  c_.Exec("DELETE FROM vulnerability_fixed_in WHERE vulnerability_id = ANY($1::bigint[])",
          {IntArray(replaced)});
  if (ids.empty()) return;
  c_.Exec(
      "INSERT INTO vulnerability_fixed_in (vulnerability_id, feature_name, version) "
      "SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[])",
      {IntArray(ids), TextArray(features), TextArray(versions)});
}

FeedSourceState ReadFeedSourceRow(const Rows& r, int i) {
  FeedSourceState s;
  s.name = r.Text(i, 0);
  s.kind = r.Text(i, 1);
  s.last_attempt_ms = r.OptionalInt(i, 2);
  s.last_success_ms = r.OptionalInt(i, 3);
  s.outcome = r.Text(i, 4);
  s.error = r.Text(i, 5);
  s.etag = r.Text(i, 6);
  s.last_modified = r.Text(i, 7);
  s.counts = {r.Int(i, 8), r.Int(i, 9), r.Int(i, 10), r.Int(i, 11)};
  s.skipped = r.Int(i, 12);
  return s;
}

std::vector<InventoryDialect::VulnerabilityKey> PostgresInventory::VulnerabilitiesNamed(
    const std::vector<std::string>& names) {
  Rows r = c_.Exec(
      "SELECT n.name, v.name FROM vulnerabilities v JOIN namespaces n ON n.id = v.namespace_id "
      "WHERE v.name = ANY($1::text[]) ORDER BY v.name COLLATE \"C\", n.name COLLATE \"C\"",
      {TextArray(names)});
  std::vector<VulnerabilityKey> out;
  out.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) out.push_back({r.Text(i, 0), r.Text(i, 1)});
  return out;
}

void PostgresInventory::UpsertFeedSource(const FeedSourceState& s) {
  c_.Exec(std::string("INSERT INTO feed_sources (") + kFeedSourceColumns +
              ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) "
              "ON CONFLICT (name) DO UPDATE SET kind = EXCLUDED.kind, "
              "last_attempt_ms = EXCLUDED.last_attempt_ms, "
              "last_success_ms = EXCLUDED.last_success_ms, outcome = EXCLUDED.outcome, "
              "error = EXCLUDED.error, etag = EXCLUDED.etag, "
              "last_modified = EXCLUDED.last_modified, added = EXCLUDED.added, "
              "changed = EXCLUDED.changed, unchanged = EXCLUDED.unchanged, "
              "notifications = EXCLUDED.notifications, skipped = EXCLUDED.skipped",
          {s.name, s.kind, Optional(s.last_attempt_ms), Optional(s.last_success_ms), s.outcome,
           s.error, s.etag, s.last_modified, S(s.counts.added), S(s.counts.changed),
           S(s.counts.unchanged), S(s.counts.notifications), S(s.skipped)});
}

std::map<InventoryDialect::Package, InventoryDialect::StoredVersions>
PostgresInventory::FeatureVersions(const std::vector<Package>& packages) {
  std::map<Package, StoredVersions> out;
  if (packages.empty()) return out;
  std::vector<std::string> namespaces, features;
  for (const auto& [ns, feature] : packages) {
    namespaces.push_back(ns);
    features.push_back(feature);
  }
  Rows r = c_.Exec(
      "SELECT n.name, f.name, fv.id, fv.version "
      "FROM unnest($1::text[], $2::text[]) AS k(ns, feature) "
      "JOIN namespaces n ON n.name = k.ns "
      "JOIN features f ON f.namespace_id = n.id AND f.name = k.feature "
      "JOIN feature_versions fv ON fv.feature_id = f.id",
      {TextArray(namespaces), TextArray(features)});
  for (int i = 0; i < r.size(); ++i) {
    out[{r.Text(i, 0), r.Text(i, 1)}].emplace_back(r.Int(i, 2), r.Text(i, 3));
  }
  return out;
}

std::vector<std::string> PostgresInventory::LayersIntroducing(
    const std::vector<std::int64_t>& ids) {
  std::vector<std::optional<std::int64_t>> array(ids.begin(), ids.end());
  Rows r = c_.Exec(
      "SELECT DISTINCT l.name FROM layer_features lf JOIN layers l ON l.id = lf.layer_id "
      "WHERE lf.feature_version_id = ANY($1::bigint[]) AND lf.added_by = lf.layer_id",
      {IntArray(array)});
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(r.size()));
  for (int i = 0; i < r.size(); ++i) names.push_back(r.Text(i, 0));
  // Byte order, as SQLite's: the frozen page order is the same on both stores.
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<std::int64_t> PostgresInventory::InsertNotifications(
    const std::vector<NewNotification>& rows, std::int64_t created_ms) {
  std::vector<std::string> names;
  std::vector<std::optional<std::string>> old_snapshots, new_snapshots;
  std::vector<std::optional<std::int64_t>> old_counts, new_counts;
  std::vector<std::string> namespaces, severities;
  for (const NewNotification& row : rows) {
    names.push_back(row.name);
    namespaces.push_back(row.namespace_name);
    severities.push_back(row.severity);
    old_snapshots.push_back(row.old_snapshot);
    new_snapshots.push_back(row.new_snapshot);
    old_counts.emplace_back(row.old_layer_count);
    new_counts.emplace_back(row.new_layer_count);
  }
  Rows r = c_.Exec(
      "INSERT INTO notifications (name, created_ms, old_snapshot, new_snapshot, "
      "old_layer_count, new_layer_count, status, due_ms, namespace, severity) "
      "SELECT u.name, $6, u.old, u.new, u.old_count, u.new_count, 'pending', $6, u.ns, u.sev "
      "FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $7::text[], "
      "$8::text[]) AS u(name, old, new, old_count, new_count, ns, sev) RETURNING id, name",
      {TextArray(names), TextArray(old_snapshots), TextArray(new_snapshots), IntArray(old_counts),
       IntArray(new_counts), S(created_ms), TextArray(namespaces), TextArray(severities)});
  // RETURNING promises no order: match the rows by their unique name.
  std::map<std::string, std::int64_t> by_name;
  for (int i = 0; i < r.size(); ++i) by_name[r.Text(i, 1)] = r.Int(i, 0);
  std::vector<std::int64_t> ids;
  ids.reserve(rows.size());
  for (const NewNotification& row : rows) ids.push_back(by_name.at(row.name));
  return ids;
}

void PostgresInventory::WriteNotificationLayers(std::int64_t id, model::Side side,
                                                const std::vector<std::string>& names) {
  if (names.empty()) return;
  c_.Exec(
      "INSERT INTO notification_layers (notification_id, side, seq, layer_name) "
      "SELECT $1, $2, s.ord - 1, s.name FROM unnest($3::text[]) WITH ORDINALITY AS s(name, ord)",
      {S(id), S(static_cast<std::int64_t>(side)), TextArray(names)});
}

void PostgresInventory::LockLayer(const std::string& name) {
  // One writer per layer name across processes.
  c_.Exec("SELECT pg_advisory_xact_lock(hashtext($1))", {"layer:" + name});
}

std::optional<InventoryDialect::LayerRow> PostgresInventory::FindLayer(const std::string& name) {
  Rows p = c_.Exec(
      "SELECT l.id, l.namespace_id, n.name FROM layers l "
      "LEFT JOIN namespaces n ON n.id = l.namespace_id WHERE l.name = $1",
      {name});
  if (p.empty()) return std::nullopt;
  return LayerRow{p.Int(0, 0), p.OptionalInt(0, 1), p.Text(0, 2)};
}

std::int64_t PostgresInventory::InsertLayerRow(const std::string& name,
                                               std::optional<std::int64_t> parent_id,
                                               std::optional<std::int64_t> namespace_id,
                                               int engine_version, std::int64_t created_ms) {
  return c_
      .Exec(
          "INSERT INTO layers (name, parent_id, namespace_id, engine_version, created_ms) "
          "VALUES ($1, $2, $3, $4, $5) RETURNING id",
          {name, Optional(parent_id), Optional(namespace_id), S(engine_version), S(created_ms)})
      .Int(0, 0);
}

void PostgresInventory::CopyLayerFeatures(std::int64_t layer_id, std::int64_t parent_id) {
  c_.Exec(
      "INSERT INTO layer_features (layer_id, feature_version_id, added_by) "
      "SELECT $1, feature_version_id, added_by FROM layer_features WHERE layer_id = $2",
      {S(layer_id), S(parent_id)});
}

std::map<std::int64_t, std::int64_t> PostgresInventory::LayerFeatures(std::int64_t layer_id) {
  Rows r = c_.Exec("SELECT feature_version_id, added_by FROM layer_features WHERE layer_id = $1",
                   {S(layer_id)});
  std::map<std::int64_t, std::int64_t> out;
  for (int i = 0; i < r.size(); ++i) out.emplace(r.Int(i, 0), r.Int(i, 1));
  return out;
}

std::int64_t PostgresInventory::FeatureVersionId(std::int64_t namespace_id, const std::string& name,
                                                 const std::string& version) {
  const std::int64_t feature =
      GetOrCreate(c_, "features", "namespace_id, name", "namespace_id = $1 AND name = $2",
                  {S(namespace_id), name});
  return GetOrCreate(c_, "feature_versions", "feature_id, version",
                     "feature_id = $1 AND version = $2", {S(feature), version});
}

void PostgresInventory::InsertLayerFeatures(
    std::int64_t layer_id, const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) {
  if (rows.empty()) return;
  std::vector<std::optional<std::int64_t>> fv_ids, added_by;
  for (const auto& [fv, by] : rows) {
    fv_ids.push_back(fv);
    added_by.push_back(by);
  }
  c_.Exec(
      "INSERT INTO layer_features (layer_id, feature_version_id, added_by) "
      "SELECT $1, u.fv, u.added_by FROM unnest($2::bigint[], $3::bigint[]) AS u(fv, added_by)",
      {S(layer_id), IntArray(fv_ids), IntArray(added_by)});
}

}  // namespace herald::store::postgres
