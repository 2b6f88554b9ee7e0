// The per-dialect primitives of the inventory writes: what SQLite and
// PostgreSQL each say in their own SQL. Every call runs inside the caller's
// open write transaction. The rules that combine them (SPEC §3: when a
// change makes a notification, which layers it freezes, which ancestor
// introduced a feature) live once, in inventory_writes.h, above this seam.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/notification.h"
#include "model/vulnerability.h"
#include "store/store.h"

namespace herald::store {

class InventoryDialect {
 public:
  virtual ~InventoryDialect() = default;

  struct StoredVulnerability {
    std::int64_t id = 0;
    model::Vulnerability vulnerability;  // FixedIn sorted by feature
    // The feed digest of the last feed entry written to this row unchanged
    // by anything since (see FeedDigests); nullopt otherwise.
    std::optional<std::int64_t> feed_digest;
  };
  struct LayerRow {
    std::int64_t id = 0;
    std::optional<std::int64_t> namespace_id;
    std::string namespace_name;  // "" when the layer has none
  };

  // ---- Vulnerabilities ----
  // The calls take batches: the feed's bulk path hands them a few hundred
  // vulnerabilities at a time (one round trip each on PostgreSQL), the API
  // one. Within a batch a (namespace, name) appears once.
  struct VulnerabilityKey {
    std::string namespace_name;
    std::string name;
    bool operator==(const VulnerabilityKey&) const = default;
  };
  // A row to write: its id (the namespace id for an insert), its values,
  // and its feed digest (nullopt for every write that is not a feed entry
  // written as the feed gave it, so that a later write always clears it).
  struct VulnerabilityRow {
    std::int64_t id = 0;
    const model::Vulnerability* vulnerability = nullptr;
    std::optional<std::int64_t> feed_digest;
  };
  using VulnerabilityRows = std::vector<VulnerabilityRow>;

  // Serialises changes of one vulnerability across processes (PostgreSQL);
  // a single writer needs nothing.
  virtual void LockVulnerability(const std::string& namespace_name, const std::string& name) = 0;
  // What is stored under each key, in the keys' order. `lock`: the rows
  // are locked for the rest of the transaction (PostgreSQL; a single writer
  // needs nothing).
  virtual std::vector<std::optional<StoredVulnerability>> LoadVulnerabilities(
      const std::vector<VulnerabilityKey>& keys, bool lock) = 0;
  // Finds or creates.
  virtual std::int64_t NamespaceId(const std::string& name) = 0;
  // Inserts each (namespace id, vulnerability, feed digest) and returns the
  // new ids in order. FixedIn is written by ReplaceFixedIn.
  virtual std::vector<std::int64_t> InsertVulnerabilities(const VulnerabilityRows& rows) = 0;
  // Description, link, severity, metadata and feed digest of each row.
  virtual void UpdateVulnerabilities(const VulnerabilityRows& rows) = 0;
  virtual void DeleteVulnerability(std::int64_t id) = 0;
  // Each row's FixedIn becomes its vulnerability's whole FixedIn.
  virtual void ReplaceFixedIn(const VulnerabilityRows& rows) = 0;

  // Feed digests (SPEC §8's re-import of an unchanged feed): a row written
  // from a feed entry keeps a digest of that entry until anything else
  // writes it. name → digest of every row of the namespace that has one,
  // read without locks.
  virtual std::unordered_map<std::string, std::int64_t> FeedDigests(
      const std::string& namespace_name) = 0;
  // (row id, digest): rows the feed left as they were, whose digest was
  // missing or stale.
  virtual void SetFeedDigests(const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) = 0;

  // Every stored (namespace, name) whose name is one of `names` (NVD
  // metadata reaches a CVE in every namespace).
  virtual std::vector<VulnerabilityKey> VulnerabilitiesNamed(
      const std::vector<std::string>& names) = 0;

  // ---- Which layers a vulnerability affects ----
  // A package: (namespace, feature name).
  using Package = std::pair<std::string, std::string>;
  using StoredVersions = std::vector<std::pair<std::int64_t, std::string>>;
  // (feature version id, version) of every stored version of each package;
  // a package with none is absent.
  virtual std::map<Package, StoredVersions> FeatureVersions(
      const std::vector<Package>& packages) = 0;
  // The names of the layers that introduced any of them, sorted bytewise and
  // unique.
  virtual std::vector<std::string> LayersIntroducing(
      const std::vector<std::int64_t>& feature_version_ids) = 0;

  // ---- Notifications ----
  struct NewNotification {
    std::string name;
    std::optional<std::string> old_snapshot;
    std::optional<std::string> new_snapshot;
    std::int64_t old_layer_count = 0;
    std::int64_t new_layer_count = 0;
    std::string namespace_name;  // of the vulnerability, for receivers' filters
    std::string severity;        // the higher of Old's and New's
  };
  // Pending notifications due at `created_ms`; returns their ids in order.
  virtual std::vector<std::int64_t> InsertNotifications(const std::vector<NewNotification>& rows,
                                                        std::int64_t created_ms) = 0;
  virtual void WriteNotificationLayers(std::int64_t notification_id, model::Side side,
                                       const std::vector<std::string>& names) = 0;

  // ---- Feed sources ----
  // Inserts or replaces the row of state.name.
  virtual void UpsertFeedSource(const FeedSourceState& state) = 0;

  // ---- Layers ----
  virtual void LockLayer(const std::string& name) = 0;
  virtual std::optional<LayerRow> FindLayer(const std::string& name) = 0;
  virtual std::int64_t InsertLayerRow(const std::string& name,
                                      std::optional<std::int64_t> parent_id,
                                      std::optional<std::int64_t> namespace_id, int engine_version,
                                      std::int64_t created_ms) = 0;
  // The child gets the parent's whole set, AddedBy included.
  virtual void CopyLayerFeatures(std::int64_t layer_id, std::int64_t parent_id) = 0;
  // feature version id → the layer that introduced it, for one layer.
  virtual std::map<std::int64_t, std::int64_t> LayerFeatures(std::int64_t layer_id) = 0;
  // Finds or creates the feature and its version.
  virtual std::int64_t FeatureVersionId(std::int64_t namespace_id, const std::string& name,
                                        const std::string& version) = 0;
  // (feature version id, added by), each id once.
  virtual void InsertLayerFeatures(
      std::int64_t layer_id, const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) = 0;
};

}  // namespace herald::store
