// SQLite's InventoryDialect, and the row readers SqliteStore shares with it.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "store/inventory_dialect.h"
#include "store/sqlite/connection.h"

namespace herald::store::sqlite {

// The first column of the first row of `sql` with `key` bound to ?1.
std::optional<std::int64_t> FindId(Connection& c, const std::string& sql, std::string_view key);

std::vector<model::FixedIn> LoadFixedIn(Connection& c, std::int64_t vulnerability_id);

// Columns: id, name, description, link, severity, metadata.
model::Vulnerability ReadVulnerabilityRow(Statement& st, std::string namespace_name);

// Columns: name, kind, last_attempt_ms, last_success_ms, outcome, error,
// etag, last_modified, added, changed, unchanged, notifications, skipped.
inline constexpr const char* kFeedSourceColumns =
    "name, kind, last_attempt_ms, last_success_ms, outcome, error, etag, last_modified, added, "
    "changed, unchanged, notifications, skipped";
FeedSourceState ReadFeedSourceRow(Statement& st);

// On the writer connection, inside its transaction (SQLite has one writer:
// the locks are no-ops, and wake-ups are sent by the store after commit).
class SqliteInventory : public InventoryDialect {
 public:
  explicit SqliteInventory(Connection& c) : c_(c) {}

  void LockVulnerability(const std::string&, const std::string&) override {}
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
  void LockLayer(const std::string&) override {}
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
};

}  // namespace herald::store::sqlite
