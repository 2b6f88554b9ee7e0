#include "receivers/amqp/amqp_receiver.h"

#include <poll.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "receivers/all_confirmed.h"
#include "receivers/broker_connection_state.h"
#include "receivers/direct_delivery.h"
#include "receivers/payload.h"

namespace herald::receivers::amqp {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kIdlePoll{1000};

AmqpTarget TargetOf(const config::AmqpReceiverConfig& c) {
  return {c.uri,      c.exchange, c.cafile,
          c.certfile, c.keyfile,  duration_cast<milliseconds>(c.timeout)};
}

}  // namespace

AmqpReceiver::AmqpReceiver(config::AmqpReceiverConfig config)
    : config_(std::move(config)),
      target_(TargetOf(config_)),
      target_name_(DescribeTarget(config_.uri)) {
  if (target_name_ == "an unparsable AMQP URI") {
    throw config::ConfigError("clair.notifier.amqp.uri", "rabbitmq-c cannot parse this URI");
  }
  thread_ = std::thread([this] { Loop(); });
}

AmqpReceiver::~AmqpReceiver() {
  Shutdown();
}

void AmqpReceiver::Send(const notifier::Outgoing& notification, Done done) {
  {
    std::lock_guard lock(mu_);
    queue_.emplace_back(notification, std::move(done));
  }
  wake_.Wake();
}

void AmqpReceiver::Shutdown() {
  {
    std::lock_guard lock(mu_);
    if (stop_ && !thread_.joinable()) return;
    stop_ = true;
  }
  wake_.Wake();
  if (thread_.joinable()) thread_.join();
}

void AmqpReceiver::Loop() {
  for (;;) {
    std::deque<std::pair<notifier::Outgoing, Done>> batch;
    {
      std::lock_guard lock(mu_);
      if (stop_) break;
      batch.swap(queue_);
    }
    const Clock::time_point now = Clock::now();
    // Connected at start-up and again after a loss, without waiting for a
    // notification: a broker that cannot be reached or refuses the login
    // shows in the log and /health at once.
    if (!conn_) Connect(now);
    for (auto& [notification, done] : batch) Publish(std::move(notification), std::move(done), now);
    if (conn_) ReadAnswers();
    ExpireOverdue(Clock::now());

    pollfd fds[2] = {{wake_.fd(), POLLIN, 0}, {conn_ ? conn_->fd() : -1, POLLIN, 0}};
    const int ready = poll(fds, conn_ ? 2 : 1, PollTimeoutMs(Clock::now()));
    if (ready > 0 && (fds[0].revents & POLLIN)) wake_.Clear();
    if (ready > 0 && conn_ && fds[1].revents != 0) ReadAnswers();
  }
  // Shutdown abandons what is in flight: its `done` does not run.
  pending_.clear();
  conn_.reset();
}

void AmqpReceiver::Connect(Clock::time_point now) {
  if (now < next_connect_) return;  // wait before trying the broker again
  try {
    conn_ = std::make_unique<AmqpConnection>(target_);
    if (!last_error_.empty()) spdlog::info("amqp: connected to {} again", target_name_);
    last_error_.clear();
    backoff_.Reset();
    problem_.Set("");
  } catch (const AmqpError& e) {
    if (last_error_ != e.what()) spdlog::error("amqp: {}", e.what());
    last_error_ = e.what();
    next_connect_ = now + backoff_.Next();
    problem_.Set(last_error_);
  }
}

void AmqpReceiver::Publish(notifier::Outgoing notification, Done done, Clock::time_point now) {
  if (!conn_) {
    done(AttemptResult(model::DeliveryOutcome::kFailure, "broker unavailable: " + last_error_,
                       Clock::now() - now));
    return;
  }
  std::vector<Message> messages = MessagesOf(notification);
  Done each = AllConfirmed(messages.size(), std::move(done));
  try {
    for (Message& m : messages) {
      const std::uint64_t tag = conn_->Publish(config_.routing_key, m.id, m.body);
      pending_.emplace(tag, Pending{each, now, std::move(m.id), {}});
    }
  } catch (const AmqpError& e) {
    each(AttemptResult(model::DeliveryOutcome::kFailure, e.what(), Clock::now() - now));
    FailAll(e.what());
  }
}

void AmqpReceiver::ReadAnswers() {
  try {
    while (auto answer = conn_->NextAnswer()) {
      switch (answer->kind) {
        case BrokerAnswer::Kind::kAck:
          Settle(answer->delivery_tag, answer->multiple, true);
          break;
        case BrokerAnswer::Kind::kNack:
          Settle(answer->delivery_tag, answer->multiple, false);
          break;
        case BrokerAnswer::Kind::kReturn:
          for (auto& [tag, p] : pending_) {
            if (p.message_id == answer->message_id) p.returned = answer->why;
          }
          break;
      }
    }
  } catch (const AmqpError& e) {
    FailAll(e.what());
  }
}

void AmqpReceiver::Settle(std::uint64_t tag, bool multiple, bool acked) {
  const auto end = pending_.upper_bound(tag);
  auto it = multiple ? pending_.begin() : pending_.find(tag);
  if (it == pending_.end()) return;  // settled already (e.g. timed out)
  const auto last = multiple ? end : std::next(it);
  const Clock::time_point now = Clock::now();
  while (it != last) {
    Pending& p = it->second;
    if (!acked) {
      p.done(AttemptResult(model::DeliveryOutcome::kFailure,
                           "the broker nacked the message (e.g. a full queue with "
                           "overflow reject-publish)",
                           now - p.started));
    } else if (!p.returned.empty()) {
      p.done(AttemptResult(model::DeliveryOutcome::kFailure,
                           "the broker returned the message: " + p.returned +
                               " (no queue is bound for routing key " + config_.routing_key + ")",
                           now - p.started));
    } else {
      p.done(AttemptResult(model::DeliveryOutcome::kSuccess, "", now - p.started));
    }
    it = pending_.erase(it);
  }
}

void AmqpReceiver::FailAll(const std::string& why) {
  spdlog::warn("amqp: {}; {} message(s) unconfirmed; reconnecting", why, pending_.size());
  const Clock::time_point now = Clock::now();
  for (auto& [tag, p] : pending_) {
    p.done(AttemptResult(model::DeliveryOutcome::kFailure, "unconfirmed: " + why, now - p.started));
  }
  pending_.clear();
  conn_.reset();
  last_error_ = why;
  problem_.Set(why);
}

std::optional<std::string> AmqpReceiver::Problem() const {
  return problem_.Get();
}

void AmqpReceiver::ExpireOverdue(Clock::time_point now) {
  bool expired = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.started < config_.timeout) {
      ++it;
      continue;
    }
    it->second.done(AttemptResult(model::DeliveryOutcome::kTimeout,
                                  "no confirm from the broker in time", now - it->second.started));
    it = pending_.erase(it);
    expired = true;
  }
  // A broker that stops confirming may be gone without a word: start over.
  if (expired && conn_) FailAll("no confirm within the timeout");
}

int AmqpReceiver::PollTimeoutMs(Clock::time_point now) const {
  milliseconds wait = kIdlePoll;
  if (!conn_) {
    wait =
        std::min(wait, std::max(duration_cast<milliseconds>(next_connect_ - now) + milliseconds(1),
                                milliseconds(0)));
  }
  for (const auto& [tag, p] : pending_) {
    const auto left = duration_cast<milliseconds>(p.started + config_.timeout - now);
    wait = std::min(wait, std::max(left + milliseconds(1), milliseconds(0)));
  }
  return static_cast<int>(wait.count());
}

void Register(notifier::ReceiverRegistry& registry) {
  registry.Register(
      "amqp", [](const config::NotifierConfig& cfg, const notifier::ReceiverContext& context) {
        std::vector<std::unique_ptr<notifier::Receiver>> out;
        if (!cfg.amqp.uri.empty()) {
          out.push_back(AsConfigured(std::make_unique<AmqpReceiver>(cfg.amqp), cfg.amqp.direct,
                                     cfg.amqp.filter, context));
        }
        return out;
      });
}

}  // namespace herald::receivers::amqp
