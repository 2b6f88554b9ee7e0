// The PostgreSQL store: several herald processes share one database. Claims
// use FOR UPDATE SKIP LOCKED batches with the lease on the notification row,
// batch writes go through unnest() arrays, and a LISTEN connection turns a
// NOTIFY from any process into a local wake-up.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/postgres/connection.h"
#include "store/store.h"
#include "util/wake_fd.h"

namespace herald::store::postgres {

class PostgresStore final : public Store {
 public:
  // Connects and applies pending migrations (serialised across processes by
  // an advisory lock). Throws StoreError: kUnavailable when the server
  // cannot be reached, kSchema when the schema is newer than this binary.
  PostgresStore(std::string conninfo, int pool_size, util::Clock& clock);
  ~PostgresStore() override;

  static int LatestSchemaVersion();

  std::optional<std::string> HealthProblem() override;
  std::optional<std::int64_t> DatabaseNowMillis() override;

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
  void Migrate();
  // The LISTEN thread: NOTIFY herald_due → NotifyDue(), and this
  // process's announcements → NOTIFY herald_due.
  void Listen();
  // After a commit that made a notification due: wakes this process's
  // notifier now, and the other processes' through the LISTEN thread.
  void AnnounceDue();

  // The notifier's claims, completions and lease renewals have connections
  // of their own: a burst of API requests, or API requests stuck on a lock,
  // cannot starve a lease renewal into a lapse.
  static constexpr int kNotifierConnections = 2;
  static constexpr std::chrono::milliseconds kPingDeadline{800};

  util::Clock& clock_;
  Pool pool_;           // the API, the updater, the commands
  Pool notifier_pool_;  // ClaimDue, CompleteRounds, RenewLeases, NextDueMillis
  struct Health {
    explicit Health(std::string c) : conninfo(std::move(c)) {}
    std::string conninfo;
    std::mutex mu;
    std::unique_ptr<Connection> conn;  // guarded by mu
  } health_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> announce_pending_{false};
  util::WakeFd listen_wake_;  // announce_pending_ or stop_ changed
  std::thread listener_;
};

}  // namespace herald::store::postgres
