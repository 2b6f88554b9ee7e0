// The embedded default store: one SQLite file in WAL mode. One writer
// connection (SQLite admits one writer at a time anyway) and a pool of
// reader connections, so reads never wait behind a write.
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/sqlite/checkpointer.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/group_commit.h"
#include "store/store.h"

namespace herald::store::sqlite {

class SqliteStore final : public Store {
 public:
  // Opens the file (creating it when absent only with kCreate) and applies
  // pending migrations. Throws StoreError(kSchema) when the file's schema is
  // newer than this binary knows, StoreError(kUnavailable) when it cannot be
  // opened.
  SqliteStore(std::string path, util::Clock& clock, OpenMode mode);
  ~SqliteStore() override;

  // The schema version of the open database.
  int SchemaVersion();
  // The newest schema version this binary knows.
  static int LatestSchemaVersion();

  std::optional<std::string> HealthProblem() override;

  // The SQL of every statement prepared so far, for tests that check each
  // one's query plan uses indexes.
  std::vector<std::string> PreparedStatementsForTesting();

  void InsertLayer(const model::Layer& layer, int engine_version) override;
  std::optional<model::LayerDetail> GetLayer(const std::string& name, bool with_features,
                                             bool with_vulnerabilities) override;
  bool DeleteLayer(const std::string& name) override;

  std::vector<std::string> ListNamespaces() override;
  VulnerabilityPage ListVulnerabilities(const std::string& namespace_name, int limit,
                                        std::int64_t after_cursor) override;
  std::optional<model::Vulnerability> GetVulnerability(const std::string& namespace_name,
                                                       const std::string& name) override;
  VulnerabilityChange ChangeVulnerability(const std::string& namespace_name,
                                          const std::string& name,
                                          const VulnerabilityMutation& mutate) override;

  FeedCounts ApplyFeed(const FeedSourceState& state, const VulnerabilityFeed& next,
                       const std::map<std::string, std::string>& metadata_by_name,
                       const NotificationPolicy& policy) override;
  void RecordFeedSource(const FeedSourceState& state) override;
  std::optional<FeedSourceState> GetFeedSource(const std::string& name) override;
  std::vector<FeedSourceState> ListFeedSources() override;
  bool AcquireUpdaterLease(const std::string& owner, std::int64_t lease_ms) override;
  void ReleaseUpdaterLease(const std::string& owner) override;
  std::optional<model::Notification> GetNotification(const std::string& name) override;
  std::vector<std::string> NotificationLayers(std::int64_t notification_id, model::Side side,
                                              std::int64_t offset, int limit) override;
  NotificationListPage ListNotifications(std::optional<model::NotificationStatus> status, int limit,
                                         std::int64_t after_cursor) override;
  DeleteOutcome DeleteNotification(const std::string& name) override;

  std::vector<ClaimedNotification> ClaimDue(const std::string& owner, std::int64_t now_ms,
                                            std::int64_t lease_until_ms, int limit) override;
  std::vector<std::int64_t> CompleteRounds(const std::string& owner,
                                           const std::vector<RoundUpdate>& updates) override;
  std::vector<std::int64_t> RenewLeases(const std::string& owner,
                                        const std::vector<LeaseRef>& leases,
                                        std::int64_t lease_until_ms) override;
  std::optional<std::int64_t> NextDueMillis() override;
  std::int64_t CountByStatus(model::NotificationStatus status) override;
  std::optional<std::vector<model::DeliveryAttempt>> ListDeliveries(
      const std::string& name) override;
  RedeliverOutcome Redeliver(const std::string& name, std::int64_t now_ms) override;

 private:
  class ReaderLease;
  ReaderLease Reader();
  void Migrate();
  // The bodies of DeleteLayer and DeleteNotification, run by writes_.
  bool DeleteLayerTree(Connection& c, const std::string& name);
  DeleteOutcome MarkNotificationDeleted(Connection& c, const std::string& name);
  // Throws when the path no longer names the file opened at start; cheap
  // (one stat) and independent of the connections, so health never waits
  // for the writer.
  void CheckFileInPlace() const;

  // Free space below which /health reports the disk as full.
  static constexpr std::uint64_t kMinFreeBytes = 1024 * 1024;

  std::string path_;
  util::Clock& clock_;
  dev_t device_ = 0;  // the file opened at start
  ino_t inode_ = 0;
  std::mutex write_mu_;
  std::unique_ptr<Connection> writer_;  // guarded by write_mu_
  // The API's writes (layers, vulnerabilities, deletions) commit in groups;
  // the notifier's claims and completions, already batched, take write_mu_.
  GroupCommit writes_{*writer_, write_mu_};
  std::unique_ptr<Checkpointer> checkpointer_;  // after writer_: stops before it closes
  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;  // guarded by readers_mu_
};

}  // namespace herald::store::sqlite
