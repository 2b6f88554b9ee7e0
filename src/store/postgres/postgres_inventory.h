// PostgreSQL's InventoryDialect, and the row readers PostgresStore shares
// with it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "store/inventory_dialect.h"
#include "store/postgres/connection.h"

namespace herald::store::postgres {

inline std::string S(std::int64_t v) {
  return std::to_string(v);
}

// The first column of the first row of `sql` with `key` bound to $1.
std::optional<std::int64_t> FindId(Connection& c, const std::string& sql, const std::string& key);

// The FixedIn of each vulnerability that has any, sorted by feature.
std::map<std::int64_t, std::vector<model::FixedIn>> LoadFixedIn(
    Connection& c, const std::vector<std::int64_t>& vulnerability_ids);

// Columns: id, name, description, link, severity, metadata.
model::Vulnerability ReadVulnerability(const Rows& r, int i, const std::string& ns);

// What is stored under each key, in the keys' order, in one round trip (and
// one for FixedIn). `for_update`: lock the rows for the rest of the
// transaction.
std::vector<std::optional<InventoryDialect::StoredVulnerability>> LoadVulnerabilities(
    Connection& c, const std::vector<InventoryDialect::VulnerabilityKey>& keys, bool for_update);

// Columns as in ReadFeedSourceRow.
inline constexpr const char* kFeedSourceColumns =
    "name, kind, last_attempt_ms, last_success_ms, outcome, error, etag, last_modified, added, "
    "changed, unchanged, notifications, skipped";
FeedSourceState ReadFeedSourceRow(const Rows& r, int i);

// Several processes write at once: changes of one vulnerability and inserts
// of one layer name are serialised with transaction-scoped advisory locks,
// and get-or-create survives concurrent inserts.
class PostgresInventory : public InventoryDialect {
 public:
  // `lock_each_vulnerability` false: the bulk path of a feed, whose
  // transaction may touch 100,000 vulnerabilities; an advisory lock each
  // would exhaust the lock table (max_locks_per_transaction). The rows it
  // changes are still locked (FOR UPDATE); an API write racing it on a
  // vulnerability that neither has stored yet makes one of the two fail on
  // the unique key (the feed is then retried at its next run).
  explicit PostgresInventory(Connection& c, bool lock_each_vulnerability = true)
      : c_(c), lock_each_vulnerability_(lock_each_vulnerability) {}

  void LockVulnerability(const std::string& namespace_name, const std::string& name) override;
  std::vector<std::optional<StoredVulnerability>> LoadVulnerabilities(
      const std::vector<VulnerabilityKey>& keys, bool lock) override;
  std::int64_t NamespaceId(const std::string& name) override;
  std::vector<std::int64_t> InsertVulnerabilities(const VulnerabilityRows& rows) override;
  void UpdateVulnerabilities(const VulnerabilityRows& rows) override;
  void DeleteVulnerability(std::int64_t id) override;
  void ReplaceFixedIn(const VulnerabilityRows& rows) override;
  std::unordered_map<std::string, std::int64_t> FeedDigests(
      const std::string& namespace_name) override;
  void SetFeedDigests(const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) override;
  std::vector<VulnerabilityKey> VulnerabilitiesNamed(
      const std::vector<std::string>& names) override;
  void UpsertFeedSource(const FeedSourceState& state) override;
  std::map<Package, StoredVersions> FeatureVersions(const std::vector<Package>& packages) override;
  std::vector<std::string> LayersIntroducing(
      const std::vector<std::int64_t>& feature_version_ids) override;
  std::vector<std::int64_t> InsertNotifications(const std::vector<NewNotification>& rows,
                                                std::int64_t created_ms) override;
  void WriteNotificationLayers(std::int64_t notification_id, model::Side side,
                               const std::vector<std::string>& names) override;
  void LockLayer(const std::string& name) override;
  std::optional<LayerRow> FindLayer(const std::string& name) override;
  std::int64_t InsertLayerRow(const std::string& name, std::optional<std::int64_t> parent_id,
                              std::optional<std::int64_t> namespace_id, int engine_version,
                              std::int64_t created_ms) override;
  void CopyLayerFeatures(std::int64_t layer_id, std::int64_t parent_id) override;
  std::map<std::int64_t, std::int64_t> LayerFeatures(std::int64_t layer_id) override;
  std::int64_t FeatureVersionId(std::int64_t namespace_id, const std::string& name,
                                const std::string& version) override;
  void InsertLayerFeatures(std::int64_t layer_id,
                           const std::vector<std::pair<std::int64_t, std::int64_t>>& rows) override;

 private:
  Connection& c_;
  bool lock_each_vulnerability_;
};

// The channel every process LISTENs on for due notifications.
inline constexpr const char* kDueChannel = "herald_due";

}  // namespace herald::store::postgres
