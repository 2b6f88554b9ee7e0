// The AMQP 0-9-1 receiver (config key "amqp", SPEC §9): each notification
// is one persistent message on one long-lived connection, published with
// publisher confirms. An attempt succeeds only when the broker acks the
// message; a nack, a return (mandatory, no queue bound), a closed channel or
// connection, or no confirm within the timeout fails it. Many messages are in
// flight at once; the connection is made again after a broker restart.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/config.h"
#include "notifier/receiver.h"
#include "notifier/receiver_registry.h"
#include "receivers/amqp/amqp_connection.h"
#include "receivers/broker_connection_state.h"
#include "util/wake_fd.h"

namespace herald::receivers::amqp {

inline constexpr const char* kKey = "amqp";

class AmqpReceiver final : public notifier::Receiver {
 public:
  // Throws config::ConfigError when the URI cannot be parsed. Connects on
  // the first Send (and logs at once when the broker cannot be reached).
  explicit AmqpReceiver(config::AmqpReceiverConfig config);
  ~AmqpReceiver() override;

  std::string_view key() const override { return kKey; }
  void Send(const notifier::Outgoing& notification, Done done) override;
  void Shutdown() override;
  std::optional<std::string> Problem() const override;

 private:
  using Clock = std::chrono::steady_clock;
  struct Pending {
    Done done;
    Clock::time_point started;
    std::string message_id;
    std::string returned;  // set when the broker returned it: the ack that follows fails it
  };

  void Loop();
  void Connect(Clock::time_point now);
  void Publish(notifier::Outgoing notification, Done done, Clock::time_point now);
  void ReadAnswers();
  void Settle(std::uint64_t tag, bool multiple, bool acked);
  void FailAll(const std::string& why);
  void ExpireOverdue(Clock::time_point now);
  int PollTimeoutMs(Clock::time_point now) const;

  const config::AmqpReceiverConfig config_;
  const AmqpTarget target_;
  const std::string target_name_;  // for logs: no credentials
  util::WakeFd wake_;

  // Loop thread only.
  std::unique_ptr<AmqpConnection> conn_;
  std::map<std::uint64_t, Pending> pending_;  // by delivery tag, oldest first
  std::string last_error_;                    // why the broker is unreachable
  Clock::time_point next_connect_{};
  ReconnectBackoff backoff_;

  ProblemSlot problem_;

  std::mutex mu_;
  std::deque<std::pair<notifier::Outgoing, Done>> queue_;  // guarded by mu_
  bool stop_ = false;                                      // guarded by mu_
  std::thread thread_;
};

// Registers the "amqp" kind: enabled when notifier.amqp.uri is set.
void Register(notifier::ReceiverRegistry& registry);

}  // namespace herald::receivers::amqp
