// Delivery rounds and attempts (SPEC §5).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace herald::model {

// kFiltered: the receiver's filter did not match (SPEC §9); no request was
// made, and it counts as done for the round.
enum class DeliveryOutcome { kSuccess, kFailure, kTimeout, kFiltered };

inline std::string_view ToString(DeliveryOutcome outcome) {
  switch (outcome) {
    case DeliveryOutcome::kSuccess:
      return "success";
    case DeliveryOutcome::kFailure:
      return "failure";
    case DeliveryOutcome::kTimeout:
      return "timeout";
    case DeliveryOutcome::kFiltered:
      return "filtered";
  }
  return "failure";
}

inline std::optional<DeliveryOutcome> ParseDeliveryOutcome(std::string_view text) {
  if (text == "success") return DeliveryOutcome::kSuccess;
  if (text == "failure") return DeliveryOutcome::kFailure;
  if (text == "timeout") return DeliveryOutcome::kTimeout;
  if (text == "filtered") return DeliveryOutcome::kFiltered;
  return std::nullopt;
}

// One try of one receiver, as logged and served by /deliveries.
struct DeliveryAttempt {
  std::string receiver;  // the receiver's config key, e.g. "http"
  int round = 1;
  int attempt = 1;  // restarts at 1 every round
  std::int64_t started_ms = 0;
  std::int64_t duration_ms = 0;
  DeliveryOutcome outcome = DeliveryOutcome::kFailure;
  std::optional<int> http_status;  // absent when no response came
  std::string error;               // why, whenever the attempt did not succeed
};

// Where one receiver stands in the current round.
struct ReceiverProgress {
  int attempts = 0;
  bool succeeded = false;
  std::int64_t next_attempt_ms = 0;  // earliest time of the next try
  bool operator==(const ReceiverProgress&) const = default;
};

// Receiver config key → progress, for the current round.
using RoundProgress = std::map<std::string, ReceiverProgress>;

}  // namespace herald::model
