#include "store/inventory_writes.h"

#include <algorithm>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>

#include "model/severity.h"
#include "store/affected.h"
#include "store/feed_digest.h"
#include "store/vulnerability_snapshot.h"
#include "util/uuid.h"
#include "version/comparator.h"

namespace herald::store {
namespace {

using Kind = StoreError::Kind;
using Key = InventoryDialect::VulnerabilityKey;

// The feed's bulk path applies this many vulnerabilities per batch: large
// enough that PostgreSQL's round trips stop mattering, small enough that a
// batch's text (descriptions run to a few KB) stays a few MB.
constexpr std::size_t kBatchSize = 500;

// What a batch does to its keys. `after` gives the new value of the i-th
// key from what is stored; it may be asked twice for a key and must not
// consume its input. `keeps`, when given, says cheaply that `after` would
// equal the stored `before`, so that an unchanged row is never copied (most
// rows of a feed re-import).
struct BatchMutation {
  std::function<std::optional<model::Vulnerability>(
      std::size_t i, const std::optional<model::Vulnerability>& before)>
      after;
  std::function<bool(std::size_t i, const model::Vulnerability& before)> keeps = {};
  // The feed digest of the i-th key's entry (the feed's path; every other
  // write leaves rows without one).
  std::function<std::int64_t(std::size_t i)> feed_digest = {};
};

std::optional<std::string> Snapshot(const std::optional<model::Vulnerability>& v) {
  if (!v) return std::nullopt;
  return SnapshotToJson(*v);
}

bool SameText(const model::Vulnerability& a, const model::Vulnerability& b) {
  return a.description == b.description && a.link == b.link && a.severity == b.severity &&
         a.metadata == b.metadata;
}

// The names of the layers introducing a feature version `v` affects, given
// the stored versions of its packages: sorted and unique, the frozen,
// stable page order.
std::vector<std::string> LayersAffectedBy(
    InventoryDialect& db, const model::Vulnerability& v,
    const std::map<InventoryDialect::Package, InventoryDialect::StoredVersions>& versions) {
  const version::Comparator* cmp = version::ForNamespace(v.namespace_name);
  if (cmp == nullptr) {
    throw StoreError(Kind::kInvalidArgument, "unknown namespace prefix: " + v.namespace_name);
  }
  std::vector<std::int64_t> affected;
  for (const auto& fix : v.fixed_in) {
    const auto it = versions.find({v.namespace_name, fix.feature});
    if (it == versions.end()) continue;
    for (const auto& [id, version] : it->second) {
      if (IsAffected(*cmp, version, fix.version)) affected.push_back(id);
    }
  }
  if (affected.empty()) return {};
  return db.LayersIntroducing(affected);
}

// What receivers' filters match a notification on (SPEC §9): the namespace
// (both sides share it) and the higher of the two severities.
std::string NamespaceOf(const VulnerabilityChange& change) {
  return change.after ? change.after->namespace_name : change.before->namespace_name;
}

std::string HigherSeverity(const VulnerabilityChange& change) {
  if (!change.before) return change.after->severity;
  if (!change.after) return change.before->severity;
  const int before = model::SeverityRank(change.before->severity).value_or(-1);
  const int after = model::SeverityRank(change.after->severity).value_or(-1);
  return before > after ? change.before->severity : change.after->severity;
}

// Every package the vulnerabilities name, each once.
std::vector<InventoryDialect::Package> PackagesOf(
    const std::vector<const model::Vulnerability*>& sides) {
  std::set<InventoryDialect::Package> packages;
  for (const model::Vulnerability* v : sides) {
    for (const auto& fix : v->fixed_in) packages.emplace(v->namespace_name, fix.feature);
  }
  return {packages.begin(), packages.end()};
}

// Writes the notifications of a batch's real changes as `policy` says, each
// freezing both sides with the layers that introduced them: one read of the
// packages' stored versions and one insert for the whole batch.
void Notify(InventoryDialect& db, const std::vector<VulnerabilityChange*>& changes,
            std::int64_t now_ms, const NotificationPolicy& policy) {
  if (!policy.notify || changes.empty()) return;
  std::vector<const model::Vulnerability*> sides;
  for (const VulnerabilityChange* change : changes) {
    if (change->before) sides.push_back(&*change->before);
    if (change->after) sides.push_back(&*change->after);
  }
  const auto versions = db.FeatureVersions(PackagesOf(sides));

  std::vector<InventoryDialect::NewNotification> rows;
  std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>> layers;
  std::vector<VulnerabilityChange*> notified;
  for (VulnerabilityChange* change : changes) {
    std::vector<std::string> old_layers, new_layers;
    if (change->before) old_layers = LayersAffectedBy(db, *change->before, versions);
    if (change->after) new_layers = LayersAffectedBy(db, *change->after, versions);
    if (policy.only_if_affected && old_layers.empty() && new_layers.empty()) continue;
    rows.push_back({util::NewUuid(), Snapshot(change->before), Snapshot(change->after),
                    static_cast<std::int64_t>(old_layers.size()),
                    static_cast<std::int64_t>(new_layers.size()), NamespaceOf(*change),
                    HigherSeverity(*change)});
    layers.emplace_back(std::move(old_layers), std::move(new_layers));
    notified.push_back(change);
  }
  if (rows.empty()) return;
  const std::vector<std::int64_t> ids = db.InsertNotifications(rows, now_ms);
  for (std::size_t k = 0; k < rows.size(); ++k) {
    db.WriteNotificationLayers(ids[k], model::Side::kOld, layers[k].first);
    db.WriteNotificationLayers(ids[k], model::Side::kNew, layers[k].second);
    notified[k]->notification_name = std::move(rows[k].name);
  }
}

// How a batch's stored rows are read.
enum class Locking {
  kEveryRow,     // all locked as they are read (the API: one row)
  kChangedRows,  // read without locks; those that change are read again locked
};

// Gives change.after for change.before, FixedIn sorted; true when they
// differ. A row `keeps` recognises is left with neither side: nothing was
// built for it, and before == after still says "unchanged".
bool Recompute(VulnerabilityChange& change, std::size_t i, const BatchMutation& mutate) {
  if (mutate.keeps && change.before && mutate.keeps(i, *change.before)) {
    change.before.reset();
    change.after.reset();
    return false;
  }
  change.after = mutate.after(i, change.before);
  if (change.after) std::ranges::sort(change.after->fixed_in, {}, &model::FixedIn::feature);
  return change.before != change.after;
}

// SPEC §3 for a batch of distinct keys: each key's stored vulnerability
// becomes `mutate`'s result (it may be asked twice for a key, and must not
// consume its input); every real change is written, and notified as
// `policy` says. The API passes one key, the feed a few hundred.
std::vector<VulnerabilityChange> ApplyChanges(InventoryDialect& db, const std::vector<Key>& keys,
                                              const BatchMutation& mutate, std::int64_t now_ms,
                                              const NotificationPolicy& policy, Locking locking) {
  std::vector<std::optional<InventoryDialect::StoredVulnerability>> stored =
      db.LoadVulnerabilities(keys, locking == Locking::kEveryRow);
  std::vector<VulnerabilityChange> changes(keys.size());
  std::vector<bool> changed(keys.size(), false);
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (stored[i]) changes[i].before = std::move(stored[i]->vulnerability);
    changed[i] = Recompute(changes[i], i, mutate);
  }
  if (locking == Locking::kChangedRows) {
    // A feed re-import changes few of its rows; locking every row it reads
    // would write a lock into each. The rows it writes are read again under
    // lock, and recomputed if another writer changed them in between, so a
    // notification's Old is still exactly what the previous change left.
    std::vector<std::size_t> writing;
    std::vector<Key> writing_keys;
    for (std::size_t i = 0; i < keys.size(); ++i) {
      if (!changed[i]) continue;
      writing.push_back(i);
      writing_keys.push_back(keys[i]);
    }
    if (!writing.empty()) {
      auto locked = db.LoadVulnerabilities(writing_keys, /*lock=*/true);
      for (std::size_t j = 0; j < writing.size(); ++j) {
        const std::size_t i = writing[j];
        std::optional<model::Vulnerability> now;
        if (locked[j]) now = std::move(locked[j]->vulnerability);
        if (now == changes[i].before && (!locked[j] || locked[j]->id == stored[i]->id)) continue;
        stored[i] = std::move(locked[j]);
        changes[i].before = std::move(now);
        changed[i] = Recompute(changes[i], i, mutate);
      }
    }
  }

  InventoryDialect::VulnerabilityRows inserts, updates, fixed_in;
  // Rows the feed leaves as they are whose digest is missing (written
  // before schema v5, or since by the API) or stale.
  std::vector<std::pair<std::int64_t, std::int64_t>> digests;
  std::map<std::string, std::int64_t, std::less<>> namespace_ids;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::optional<std::int64_t> digest =
        mutate.feed_digest ? std::optional(mutate.feed_digest(i)) : std::nullopt;
    if (!changed[i]) {
      if (digest && stored[i] && stored[i]->feed_digest != digest) {
        digests.emplace_back(stored[i]->id, *digest);
      }
      continue;
    }
    VulnerabilityChange& change = changes[i];
    if (!change.after) {
      db.DeleteVulnerability(stored[i]->id);
      continue;
    }
    const model::Vulnerability* v = &*change.after;
    if (stored[i]) {
      // Any change rewrites the digest, so that one the feed did not write
      // clears it.
      if (!SameText(*change.before, *v) || stored[i]->feed_digest != digest) {
        updates.push_back({stored[i]->id, v, digest});
      }
      if (change.before->fixed_in != v->fixed_in) fixed_in.push_back({stored[i]->id, v, digest});
    } else {
      auto [it, fresh] = namespace_ids.try_emplace(keys[i].namespace_name, 0);
      if (fresh) it->second = db.NamespaceId(keys[i].namespace_name);
      inserts.push_back({it->second, v, digest});
    }
  }
  if (!inserts.empty()) {
    const std::vector<std::int64_t> ids = db.InsertVulnerabilities(inserts);
    for (std::size_t k = 0; k < inserts.size(); ++k) {
      if (!inserts[k].vulnerability->fixed_in.empty()) {
        fixed_in.push_back({ids[k], inserts[k].vulnerability, inserts[k].feed_digest});
      }
    }
  }
  if (!updates.empty()) db.UpdateVulnerabilities(updates);
  if (!fixed_in.empty()) db.ReplaceFixedIn(fixed_in);
  if (!digests.empty()) db.SetFeedDigests(digests);

  std::vector<VulnerabilityChange*> written;
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (changed[i]) written.push_back(&changes[i]);
  }
  Notify(db, written, now_ms, policy);
  return changes;
}

}  // namespace

VulnerabilityChange ApplyVulnerabilityChange(InventoryDialect& db, const std::string& ns,
                                             const std::string& name,
                                             const VulnerabilityMutation& mutate,
                                             std::int64_t now_ms,
                                             const NotificationPolicy& policy) {
  // The notification's Old must be exactly what the previous change left.
  db.LockVulnerability(ns, name);
  std::vector<VulnerabilityChange> changes =
      ApplyChanges(db, {Key{ns, name}},
                   {.after =
                        [&mutate](std::size_t, const std::optional<model::Vulnerability>& before) {
                          return mutate(before);
                        }},
                   now_ms, policy, Locking::kEveryRow);
  return std::move(changes.front());
}

std::string MergeMetadata(const std::string& base, const std::string& overlay) {
  if (overlay.empty()) return base;
  if (base.empty()) return overlay;
  auto merged = nlohmann::json::parse(base, nullptr, /*allow_exceptions=*/false);
  const auto top = nlohmann::json::parse(overlay, nullptr, /*allow_exceptions=*/false);
  if (!merged.is_object()) return overlay;
  if (!top.is_object()) return base;
  for (const auto& [key, value] : top.items()) merged[key] = value;
  return merged.dump();  // keys sorted: canonical
}

FeedCounts ApplyFeedSnapshot(InventoryDialect& db, const VulnerabilityFeed& next,
                             const std::map<std::string, std::string>& metadata_by_name,
                             std::int64_t now_ms, const NotificationPolicy& policy) {
  FeedCounts counts;

  // The listed vulnerabilities replace the stored ones, keeping metadata
  // keys they do not set, a batch at a time as the feed hands them out.
  std::vector<Key> keys;
  std::vector<model::Vulnerability> batch;
  std::vector<std::int64_t> batch_digests;
  std::unordered_set<std::string> in_batch;  // namespace '\0' name
  auto apply_batch = [&] {
    const BatchMutation replace{
        .after =
            [&batch](std::size_t i, const std::optional<model::Vulnerability>& before) {
              model::Vulnerability after = batch[i];
              if (before) after.metadata = MergeMetadata(before->metadata, after.metadata);
              return std::optional<model::Vulnerability>(std::move(after));
            },
        .keeps =
            [&batch](std::size_t i, const model::Vulnerability& before) {
              const model::Vulnerability& v = batch[i];
              return v.description == before.description && v.link == before.link &&
                     v.severity == before.severity && v.fixed_in == before.fixed_in &&
                     MergeMetadata(before.metadata, v.metadata) == before.metadata;
            },
        .feed_digest = [&batch_digests](std::size_t i) { return batch_digests[i]; }};
    const auto changes = ApplyChanges(db, keys, replace, now_ms, policy, Locking::kChangedRows);
    for (const VulnerabilityChange& change : changes) {
      if (change.before == change.after) {
        ++counts.unchanged;
      } else if (!change.before) {
        ++counts.added;
      } else {
        ++counts.changed;
      }
      if (change.notification_name) ++counts.notifications;
    }
    keys.clear();
    batch.clear();
    batch_digests.clear();
    in_batch.clear();
  };
  // namespace → name → the feed digest stored with that row. An entry whose
  // digest is its row's is one the row already holds: most of a re-import
  // is never read back. A row changed by another writer after this read
  // (PostgreSQL) is treated as an unlocked read's would be: the next run
  // sees it.
  std::unordered_map<std::string, std::unordered_map<std::string, std::int64_t>> stored_digests;
  while (std::optional<model::Vulnerability> v = next()) {
    std::ranges::sort(v->fixed_in, {}, &model::FixedIn::feature);  // as stored
    const std::int64_t digest = FeedDigest(*v);
    auto [known, fresh] = stored_digests.try_emplace(v->namespace_name);
    if (fresh) known->second = db.FeedDigests(v->namespace_name);
    if (auto it = known->second.find(v->name); it != known->second.end()) {
      if (it->second == digest) {
        ++counts.unchanged;
        continue;
      }
      // Written below: a later entry for this key must be compared in full.
      known->second.erase(it);
    }
    // A key listed twice is applied twice, in order: the second sees the first.
    if (!in_batch.insert(v->namespace_name + '\0' + v->name).second) {
      apply_batch();
      in_batch.insert(v->namespace_name + '\0' + v->name);
    }
    keys.push_back({v->namespace_name, v->name});
    batch.push_back(std::move(*v));
    batch_digests.push_back(digest);
    if (batch.size() == kBatchSize) apply_batch();
  }
  if (!batch.empty()) apply_batch();

  // Metadata-only entries reach every stored vulnerability of their name.
  std::vector<std::string> names;
  auto apply_metadata = [&] {
    const std::vector<Key> named = db.VulnerabilitiesNamed(names);
    names.clear();
    for (std::size_t from = 0; from < named.size(); from += kBatchSize) {
      const std::vector<Key> part(
          named.begin() + static_cast<std::ptrdiff_t>(from),
          named.begin() + static_cast<std::ptrdiff_t>(std::min(named.size(), from + kBatchSize)));
      const auto changes =
          ApplyChanges(db, part,
                       {.after =
                            [&](std::size_t i, const std::optional<model::Vulnerability>& before) {
                              if (!before) return before;  // deleted meanwhile: nothing to enrich
                              model::Vulnerability after = *before;
                              after.metadata = MergeMetadata(before->metadata,
                                                             metadata_by_name.at(part[i].name));
                              return std::optional<model::Vulnerability>(std::move(after));
                            }},
                       now_ms, policy, Locking::kChangedRows);
      // A metadata pass only ever changes or leaves alone.
      for (const VulnerabilityChange& change : changes) {
        if (change.before == change.after) continue;
        ++counts.changed;
        if (change.notification_name) ++counts.notifications;
      }
    }
  };
  for (const auto& [name, metadata] : metadata_by_name) {
    names.push_back(name);
    if (names.size() == kBatchSize) apply_metadata();
  }
  if (!names.empty()) apply_metadata();
  return counts;
}

void InsertLayer(InventoryDialect& db, const model::Layer& layer, int engine_version,
                 std::int64_t now_ms) {
  db.LockLayer(layer.name);
  if (db.FindLayer(layer.name)) return;

  std::optional<std::int64_t> parent_id, namespace_id;
  std::string namespace_name = layer.namespace_name;
  if (!layer.parent_name.empty()) {
    auto parent = db.FindLayer(layer.parent_name);
    if (!parent) throw StoreError(Kind::kNotFound, "parent layer not found: " + layer.parent_name);
    parent_id = parent->id;
    namespace_id = parent->namespace_id;
    if (namespace_name.empty()) namespace_name = parent->namespace_name;
  }
  if (!layer.namespace_name.empty()) namespace_id = db.NamespaceId(layer.namespace_name);

  const std::int64_t layer_id =
      db.InsertLayerRow(layer.name, parent_id, namespace_id, engine_version, now_ms);
  if (!layer.features) {
    if (parent_id) db.CopyLayerFeatures(layer_id, *parent_id);
    return;
  }

  // A feature version the parent already has keeps the ancestor that
  // introduced it; anything else is introduced by this layer.
  std::map<std::int64_t, std::int64_t> inherited;
  if (parent_id) inherited = db.LayerFeatures(*parent_id);

  // One fixed order for the get-or-create inserts, so that two layers
  // bringing the same new packages cannot deadlock on each other's rows.
  std::vector<const model::FeatureVersion*> ordered;
  for (const auto& f : *layer.features) ordered.push_back(&f);
  std::sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
    return std::tie(a->namespace_name, a->name, a->version) <
           std::tie(b->namespace_name, b->name, b->version);
  });
  std::map<std::string, std::int64_t> namespace_ids;
  std::set<std::int64_t> seen;
  std::vector<std::pair<std::int64_t, std::int64_t>> rows;
  for (const model::FeatureVersion* f : ordered) {
    std::int64_t ns_id;
    if (!f->namespace_name.empty()) {
      auto it = namespace_ids.find(f->namespace_name);
      if (it == namespace_ids.end()) {
        it = namespace_ids.emplace(f->namespace_name, db.NamespaceId(f->namespace_name)).first;
      }
      ns_id = it->second;
    } else if (namespace_id) {
      ns_id = *namespace_id;
    } else {
      throw StoreError(Kind::kInvalidArgument,
                       "feature " + f->name + " has no namespace: set Layer.NamespaceName");
    }
    RequireValidFeatureVersion(f->namespace_name.empty() ? namespace_name : f->namespace_name, *f);
    const std::int64_t fv = db.FeatureVersionId(ns_id, f->name, f->version);
    if (!seen.insert(fv).second) continue;
    auto it = inherited.find(fv);
    rows.emplace_back(fv, it == inherited.end() ? layer_id : it->second);
  }
  db.InsertLayerFeatures(layer_id, rows);
}

}  // namespace herald::store
