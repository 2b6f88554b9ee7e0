// The seam between the engine and the ways a notification leaves Herald. The
// engine never knows what HTTP (or AMQP, or STOMP) is: it asks a Receiver to
// send a notification's name and hears back once, asynchronously.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/delivery.h"

namespace herald::notifier {

struct SendResult {
  model::DeliveryOutcome outcome = model::DeliveryOutcome::kFailure;
  std::optional<int> http_status;  // absent when no response came
  std::string error;               // why, when the attempt did not succeed
  std::int64_t duration_ms = 0;
  // A wait the receiver asked for (HTTP Retry-After on 429/503).
  std::optional<std::chrono::milliseconds> retry_after;
};

// What one attempt sends. `round` counts from 1, as in the deliveries log;
// receivers that can carry an id (webhook-id, message-id) derive it from
// both, so it is stable across the attempts of a round and new each round.
// `namespace_name` and `severity` (the higher of Old and New) let a filter
// decide without reading the notification; absent for a notification whose
// vulnerability could not be read back.
struct Outgoing {
  std::string name;
  int round = 1;
  std::optional<std::string> namespace_name;
  std::optional<std::string> severity;
  // Direct delivery (SPEC §9): the message bodies to send instead of the
  // name, each one confirmed before the attempt succeeds. Null otherwise;
  // shared because every attempt of a round may send the same chunks.
  std::shared_ptr<const std::vector<std::string>> chunks;
};

class Receiver {
 public:
  using Done = std::function<void(SendResult)>;

  virtual ~Receiver() = default;

  // The config key it is registered under ("http", …); also the `backend`
  // label of its metrics and the Receiver field of /deliveries.
  virtual std::string_view key() const = 0;

  // Starts one attempt. `done` runs exactly once, on any thread, unless
  // Shutdown() ends the attempt first. Must not block.
  virtual void Send(const Outgoing& notification, Done done) = 0;

  // Why it cannot deliver now, as far as it knows (a broker that cannot be
  // reached or refuses the login), for /health; nullopt when it can. Any
  // thread.
  virtual std::optional<std::string> Problem() const { return std::nullopt; }

  // Abandons attempts still in flight (their `done` does not run) and stops
  // the receiver's threads. Send must not be called afterwards.
  virtual void Shutdown() = 0;
};

}  // namespace herald::notifier
