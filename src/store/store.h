// The single boundary to storage. Two real implementations (SQLite,
// PostgreSQL) pass one conformance suite. Writes that belong together are one
// transaction: a vulnerability change and its notification commit together.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/delivery.h"
#include "model/layer.h"
#include "model/notification.h"
#include "model/vulnerability.h"
#include "util/clock.h"

namespace herald::store {

// Store failures carry a kind the API maps to a status code.
class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    kNotFound,         // a named thing does not exist → 404 (or 400 for a parent)
    kInvalidArgument,  // the request cannot be applied → 400
    kConflict,         // the thing is in a state that forbids it → 409
    kDeadline,         // the request's deadline passed → 503
    kUnavailable,      // the database failed; retry later → 500/503
    kSchema,           // the schema is newer than this binary → fatal at start
  };
  StoreError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

// Computes the vulnerability after a change from the one before it (nullopt
// when it does not exist yet). Returning nullopt deletes it. May throw
// StoreError (e.g. kNotFound) to abort the change. Runs inside the write
// transaction, so it must be quick and must not call the store.
using VulnerabilityMutation = std::function<std::optional<model::Vulnerability>(
    const std::optional<model::Vulnerability>& before)>;

// Hands out a feed snapshot's vulnerabilities one at a time, then nullopt.
// The store draws and applies them a batch at a time, so a feed never needs
// all of them complete in memory at once.
using VulnerabilityFeed = std::function<std::optional<model::Vulnerability>()>;

// A feed of the vulnerabilities of `all`, in order.
inline VulnerabilityFeed FeedOf(std::vector<model::Vulnerability> all) {
  return [all = std::move(all), next = std::size_t{0}]() mutable {
    if (next == all.size()) return std::optional<model::Vulnerability>();
    return std::optional<model::Vulnerability>(std::move(all[next++]));
  };
}

struct VulnerabilityChange {
  std::optional<model::Vulnerability> before;
  std::optional<model::Vulnerability> after;
  // Set when the change created a notification (something really changed).
  std::optional<std::string> notification_name;
};

struct VulnerabilityPage {
  std::vector<model::Vulnerability> vulnerabilities;
  std::optional<std::int64_t> next_cursor;  // absent on the last page
};

struct NotificationListPage {
  std::vector<model::NotificationSummary> notifications;
  std::optional<std::int64_t> next_cursor;  // absent on the last page
};

// When a vulnerability change makes a notification. The API always makes
// one for a real change; the updater may not (SPEC §8 rule 3).
struct NotificationPolicy {
  bool notify = true;             // false: a source's first import (notifyFirstUpdate: false)
  bool only_if_affected = false;  // true: notifyUnaffected: false
};

// What applying one feed snapshot did.
struct FeedCounts {
  std::int64_t added = 0;          // vulnerabilities new to the store
  std::int64_t changed = 0;        // stored ones that changed (metadata merges included)
  std::int64_t unchanged = 0;      // listed, and identical to what is stored
  std::int64_t notifications = 0;  // notifications made
};

// The updater's record of one source (SPEC §8 rule 6), kept across runs.
struct FeedSourceState {
  std::string name;
  std::string kind;
  std::optional<std::int64_t> last_attempt_ms;
  std::optional<std::int64_t> last_success_ms;
  std::string outcome;  // "success", "not-modified", "failure"; "" before the first run
  std::string error;    // why the last attempt failed
  std::string etag;     // validators of the last success (HTTP sources)
  std::string last_modified;
  FeedCounts counts;  // of the last successful run that changed anything or not
  std::int64_t skipped = 0;
};

enum class DeleteOutcome { kDeleted, kAlreadyDeleted, kNotFound };
enum class RedeliverOutcome { kScheduled, kDeleted, kNotFound };

// A notification leased to one notifier process.
struct ClaimedNotification {
  std::int64_t id = 0;
  std::string name;
  std::int64_t created_ms = 0;
  int round = 1;
  std::int64_t lease_token = 0;  // the fencing token of this claim
  model::RoundProgress progress;
  // What receivers' filters look at (SPEC §9): the vulnerability's namespace
  // and the higher of its Old and New severities. Absent when a row written
  // before schema v4 had a snapshot that could not be read.
  std::optional<std::string> namespace_name;
  std::optional<std::string> severity;
};

struct LeaseRef {
  std::int64_t id = 0;
  std::int64_t lease_token = 0;
};

// What one pass over a claimed notification did and decided.
struct RoundUpdate {
  LeaseRef lease;
  std::vector<model::DeliveryAttempt> attempts;  // logged even when fenced out
  model::NotificationStatus status = model::NotificationStatus::kPending;
  std::optional<std::int64_t> notified_ms;  // set when the round succeeded
  std::int64_t due_ms = 0;                  // when to look at it next
  model::RoundProgress progress;
};

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Why the database cannot serve now (for /health: vanished, unreachable,
  // out of disk space), or nullopt when it answers a trivial query and
  // can take writes.
  virtual std::optional<std::string> HealthProblem() = 0;

  // The database's own clock in Unix milliseconds, when the database is
  // shared by several processes (PostgreSQL): leases and due times follow
  // it, so no process's wall clock can make two of them hold one lease.
  // nullopt for an embedded database, whose only process's clock rules.
  virtual std::optional<std::int64_t> DatabaseNowMillis() { return std::nullopt; }

  // ---- Layers ----
  // Inserts a layer with its complete feature set (REQUIRES: versions and
  // namespaces validated). Re-posting an existing layer name changes nothing.
  // Throws kNotFound when the parent is unknown, kInvalidArgument when the
  // layer has features but no namespace can be determined.
  virtual void InsertLayer(const model::Layer& layer, int engine_version) = 0;

  // The layer, with its features (and their vulnerabilities) when asked.
  virtual std::optional<model::LayerDetail> GetLayer(const std::string& name, bool with_features,
                                                     bool with_vulnerabilities) = 0;

  // Removes the layer and all its descendants. False when unknown.
  virtual bool DeleteLayer(const std::string& name) = 0;

  // ---- Namespaces and vulnerabilities ----
  virtual std::vector<std::string> ListNamespaces() = 0;

  // Vulnerabilities of a namespace in a stable order, starting after cursor.
  virtual VulnerabilityPage ListVulnerabilities(const std::string& namespace_name, int limit,
                                                std::int64_t after_cursor) = 0;

  virtual std::optional<model::Vulnerability> GetVulnerability(const std::string& namespace_name,
                                                               const std::string& name) = 0;

  // Applies `mutate` atomically. When the result differs from the stored
  // vulnerability, writes it and creates a notification freezing both sides
  // with the layers introducing each, in the same transaction.
  virtual VulnerabilityChange ChangeVulnerability(const std::string& namespace_name,
                                                  const std::string& name,
                                                  const VulnerabilityMutation& mutate) = 0;

  // ---- Feeds (the updater) ----
  // Applies one source's snapshot in one transaction with the source's new
  // state (SPEC §8 rules 1-3): every listed vulnerability replaces the stored
  // one of its (namespace, name), keeping Metadata keys it does not set
  // (e.g. NVD's); each `metadata_by_name` object is merged into the Metadata
  // of every stored vulnerability of that name. Vulnerabilities the snapshot
  // no longer lists are left in place. `state.counts` is filled in.
  virtual FeedCounts ApplyFeed(const FeedSourceState& state, const VulnerabilityFeed& next,
                               const std::map<std::string, std::string>& metadata_by_name,
                               const NotificationPolicy& policy) = 0;
  // Records an attempt that changed no data (a failure, a 304).
  virtual void RecordFeedSource(const FeedSourceState& state) = 0;
  virtual std::optional<FeedSourceState> GetFeedSource(const std::string& name) = 0;
  // Every source ever run, by name.
  virtual std::vector<FeedSourceState> ListFeedSources() = 0;
  // The updater's lease (SPEC §8 rule 5): true when `owner` holds it, taken
  // or renewed, until `lease_ms` from now (the database's clock on
  // PostgreSQL); false while another owner's lease lasts.
  virtual bool AcquireUpdaterLease(const std::string& owner, std::int64_t lease_ms) = 0;
  virtual void ReleaseUpdaterLease(const std::string& owner) = 0;

  // ---- Notifications ----
  virtual std::optional<model::Notification> GetNotification(const std::string& name) = 0;

  // Up to `limit` layer names of one side, from position `offset` (0-based)
  // in the stable order the notification froze them in.
  virtual std::vector<std::string> NotificationLayers(std::int64_t notification_id,
                                                      model::Side side, std::int64_t offset,
                                                      int limit) = 0;

  // Newest first, optionally filtered by status, starting after cursor
  // (0 = from the newest).
  virtual NotificationListPage ListNotifications(std::optional<model::NotificationStatus> status,
                                                 int limit, std::int64_t after_cursor) = 0;

  // Marks it deleted (read by the receiver): it is never delivered again,
  // and a delivery in flight can no longer mark it.
  virtual DeleteOutcome DeleteNotification(const std::string& name) = 0;

  // ---- Delivery (the notifier's side) ----
  // Leases up to `limit` notifications due at `now_ms` to `owner` until
  // `lease_until_ms`, oldest due first. A notification whose last round
  // ended (notified or failed) starts a new round: round+1, status pending,
  // progress cleared.
  virtual std::vector<ClaimedNotification> ClaimDue(const std::string& owner, std::int64_t now_ms,
                                                    std::int64_t lease_until_ms, int limit) = 0;

  // Applies the updates in one transaction. An update whose lease `owner`
  // no longer holds (expired and reclaimed, redelivered, deleted) is fenced
  // out: its attempts are logged, the notification is left alone. Returns
  // the ids fenced out.
  virtual std::vector<std::int64_t> CompleteRounds(const std::string& owner,
                                                   const std::vector<RoundUpdate>& updates) = 0;

  // Extends the leases `owner` still holds; returns the ids it lost.
  virtual std::vector<std::int64_t> RenewLeases(const std::string& owner,
                                                const std::vector<LeaseRef>& leases,
                                                std::int64_t lease_until_ms) = 0;

  // The earliest due time of any notification, if one is scheduled.
  virtual std::optional<std::int64_t> NextDueMillis() = 0;

  virtual std::int64_t CountByStatus(model::NotificationStatus status) = 0;

  // Every attempt, oldest first; nullopt when the notification is unknown.
  virtual std::optional<std::vector<model::DeliveryAttempt>> ListDeliveries(
      const std::string& name) = 0;

  // Starts a new round now (fencing out any delivery in flight).
  virtual RedeliverOutcome Redeliver(const std::string& name, std::int64_t now_ms) = 0;

  // ---- Wake-up ----
  // `listener` runs after every commit that makes a notification due now
  // (new notification, redeliver), so an idle notifier wakes at once.
  void SetDueListener(std::function<void()> listener) {
    std::lock_guard lock(listener_mu_);
    due_listener_ = std::move(listener);
  }

 protected:
  // May run on any thread (a PostgreSQL LISTEN thread, for one).
  void NotifyDue() const {
    std::lock_guard lock(listener_mu_);
    if (due_listener_) due_listener_();
  }

 private:
  mutable std::mutex listener_mu_;
  std::function<void()> due_listener_;  // guarded by listener_mu_
};

}  // namespace herald::store
