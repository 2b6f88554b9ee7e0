#include "store/inventory_writes.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "store/affected.h"
#include "store/vulnerability_snapshot.h"
#include "util/uuid.h"
#include "version/comparator.h"

namespace herald::store {
namespace {

using Kind = StoreError::Kind;

std::optional<std::string> Snapshot(const std::optional<model::Vulnerability>& v) {
  if (!v) return std::nullopt;
  return SnapshotToJson(*v);
}

}  // namespace

std::vector<std::string> IntroducingLayers(InventoryDialect& db, const model::Vulnerability& v) {
  const version::Comparator* cmp = version::ForNamespace(v.namespace_name);
  if (cmp == nullptr) {
    throw StoreError(Kind::kInvalidArgument, "unknown namespace prefix: " + v.namespace_name);
  }
  std::vector<std::int64_t> affected;
  for (const auto& fix : v.fixed_in) {
    for (const auto& [id, version] : db.FeatureVersions(v.namespace_name, fix.feature)) {
      if (IsAffected(*cmp, version, fix.version)) affected.push_back(id);
    }
  }
  if (affected.empty()) return {};
  return db.LayersIntroducing(affected);
}

VulnerabilityChange ApplyVulnerabilityChange(InventoryDialect& db, const std::string& ns,
                                             const std::string& name,
                                             const VulnerabilityMutation& mutate,
                                             std::int64_t now_ms,
                                             const NotificationPolicy& policy) {
  // The notification's Old must be exactly what the previous change left.
  db.LockVulnerability(ns, name);
  auto stored = db.LoadVulnerability(ns, name);
  VulnerabilityChange change;
  if (stored) change.before = stored->vulnerability;
  change.after = mutate(change.before);
  if (change.after) {
    auto& fixed = change.after->fixed_in;
    std::sort(fixed.begin(), fixed.end(),
              [](const auto& a, const auto& b) { return a.feature < b.feature; });
  }
  if (change.before == change.after) return change;  // identical: nothing to record

  if (!change.after) {
    db.DeleteVulnerability(stored->id);
  } else {
    const model::Vulnerability& v = *change.after;
    std::int64_t id;
    if (stored) {
      id = stored->id;
      db.UpdateVulnerability(id, v);
    } else {
      id = db.InsertVulnerability(db.NamespaceId(ns), v);
    }
    if (!stored || stored->vulnerability.fixed_in != v.fixed_in) db.ReplaceFixedIn(id, v.fixed_in);
  }
  if (!policy.notify) return change;

  std::vector<std::string> old_layers, new_layers;
  if (change.before) old_layers = IntroducingLayers(db, *change.before);
  if (change.after) new_layers = IntroducingLayers(db, *change.after);
  if (policy.only_if_affected && old_layers.empty() && new_layers.empty()) return change;

  const std::string notification = util::NewUuid();
  const std::int64_t id = db.InsertNotification(
      notification, now_ms, Snapshot(change.before), Snapshot(change.after),
      static_cast<std::int64_t>(old_layers.size()), static_cast<std::int64_t>(new_layers.size()));
  db.WriteNotificationLayers(id, model::Side::kOld, old_layers);
  db.WriteNotificationLayers(id, model::Side::kNew, new_layers);
  db.AnnounceDue();
  change.notification_name = notification;
  return change;
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

FeedCounts ApplyFeedSnapshot(InventoryDialect& db,
                             const std::vector<model::Vulnerability>& vulnerabilities,
                             const std::map<std::string, std::string>& metadata_by_name,
                             std::int64_t now_ms, const NotificationPolicy& policy) {
  FeedCounts counts;
  auto count = [&](const VulnerabilityChange& change) {
    if (change.before == change.after) {
      ++counts.unchanged;
    } else if (!change.before) {
      ++counts.added;
    } else {
      ++counts.changed;
    }
    if (change.notification_name) ++counts.notifications;
  };
  for (const model::Vulnerability& v : vulnerabilities) {
    count(ApplyVulnerabilityChange(
        db, v.namespace_name, v.name,
        [&v](const std::optional<model::Vulnerability>& before) {
          model::Vulnerability after = v;
          if (before) after.metadata = MergeMetadata(before->metadata, v.metadata);
          return std::optional<model::Vulnerability>(std::move(after));
        },
        now_ms, policy));
  }
  for (const auto& [name, metadata] : metadata_by_name) {
    for (const std::string& ns : db.NamespacesWithVulnerability(name)) {
      const auto change = ApplyVulnerabilityChange(
          db, ns, name,
          [&metadata](const std::optional<model::Vulnerability>& before) {
            if (!before) return before;  // deleted meanwhile: nothing to enrich
            model::Vulnerability after = *before;
            after.metadata = MergeMetadata(before->metadata, metadata);
            return std::optional<model::Vulnerability>(std::move(after));
          },
          now_ms, policy);
      // A metadata pass only ever changes or leaves alone.
      if (change.before != change.after) {
        ++counts.changed;
        if (change.notification_name) ++counts.notifications;
      }
    }
  }
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
