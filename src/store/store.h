// The single boundary to storage. Two real implementations (SQLite,
// PostgreSQL) pass one conformance suite. Writes that belong together are one
// transaction: a vulnerability change and its notification commit together.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

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

enum class DeleteOutcome { kDeleted, kAlreadyDeleted, kNotFound };

class Store {
 public:
  virtual ~Store() = default;
  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // True when the database answers a trivial query (for /health).
  virtual bool Ping() = 0;

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

  // Marks it deleted (read by the receiver): it is never delivered again.
  virtual DeleteOutcome DeleteNotification(const std::string& name) = 0;
};

}  // namespace herald::store
