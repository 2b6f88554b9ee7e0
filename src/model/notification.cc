#include "model/notification.h"

namespace herald::model {

std::string_view ToString(NotificationStatus status) {
  switch (status) {
    case NotificationStatus::kPending:
      return "pending";
    case NotificationStatus::kNotified:
      return "notified";
    case NotificationStatus::kFailed:
      return "failed";
    case NotificationStatus::kDeleted:
      return "deleted";
  }
  return "pending";
}

std::optional<NotificationStatus> ParseNotificationStatus(std::string_view text) {
  if (text == "pending") return NotificationStatus::kPending;
  if (text == "notified") return NotificationStatus::kNotified;
  if (text == "failed") return NotificationStatus::kFailed;
  if (text == "deleted") return NotificationStatus::kDeleted;
  return std::nullopt;
}

}  // namespace herald::model
