// Notifications: a frozen before/after picture of one vulnerability change.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/vulnerability.h"

namespace herald::model {

// Where the latest delivery round stands (SPEC §4, listing).
enum class NotificationStatus { kPending, kNotified, kFailed, kDeleted };

std::string_view ToString(NotificationStatus status);
std::optional<NotificationStatus> ParseNotificationStatus(std::string_view text);

using UnixMillis = std::int64_t;

struct NotificationSummary {
  std::int64_t id = 0;
  std::string name;
  UnixMillis created = 0;
  std::optional<UnixMillis> notified;
  std::optional<UnixMillis> deleted;
  NotificationStatus status = NotificationStatus::kPending;
};

enum class Side { kOld = 0, kNew = 1 };

// One side of a notification: the vulnerability as it was, and how many
// layers introduced it then (the names are paged separately).
struct NotificationSide {
  Vulnerability vulnerability;
  std::int64_t layer_count = 0;
};

struct Notification {
  NotificationSummary summary;
  std::optional<NotificationSide> old_side;
  std::optional<NotificationSide> new_side;
};

}  // namespace herald::model
