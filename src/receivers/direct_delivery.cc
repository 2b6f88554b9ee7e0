#include "receivers/direct_delivery.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <utility>

#include "api/codec.h"
#include "notifier/receiver_filter.h"
#include "receivers/broker_connection_state.h"

namespace herald::receivers {
namespace {

using nlohmann::json;

// The part of one side's layer names, [from, to) of that side, that falls in
// one chunk.
std::vector<std::string> SideNames(store::Store& store, std::int64_t id, model::Side side,
                                   std::int64_t from, std::int64_t to) {
  if (from >= to) return {};
  return store.NotificationLayers(id, side, from, static_cast<int>(to - from));
}

class DirectReceiver final : public notifier::Receiver {
 public:
  DirectReceiver(std::unique_ptr<notifier::Receiver> inner, store::Store& store)
      : inner_(std::move(inner)), store_(store), thread_([this] { Loop(); }) {}
  ~DirectReceiver() override { Shutdown(); }

  std::string_view key() const override { return inner_->key(); }

  void Send(const notifier::Outgoing& notification, Done done) override {
    {
      std::lock_guard lock(mu_);
      if (stop_) return;
      queue_.emplace_back(notification, std::move(done));
    }
    cv_.notify_one();
  }

  std::optional<std::string> Problem() const override { return inner_->Problem(); }

  void Shutdown() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
      queue_.clear();  // abandoned: their `done` does not run
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    inner_->Shutdown();
  }

 private:
  void Loop() {
    for (;;) {
      std::pair<notifier::Outgoing, Done> next;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
        if (stop_) return;
        next = std::move(queue_.front());
        queue_.pop_front();
      }
      Forward(std::move(next.first), std::move(next.second));
    }
  }

  void Forward(notifier::Outgoing notification, Done done) {
    const auto started = std::chrono::steady_clock::now();
    std::optional<std::vector<std::string>> chunks;
    try {
      chunks = DirectChunks(store_, notification.name);
    } catch (const std::exception& e) {
      spdlog::warn("{}: cannot read notification {} for direct delivery: {}", inner_->key(),
                   notification.name, e.what());
      done(AttemptResult(model::DeliveryOutcome::kFailure,
                         std::string("cannot read the notification: ") + e.what(),
                         std::chrono::steady_clock::now() - started));
      return;
    }
    if (!chunks) {
      done(AttemptResult(model::DeliveryOutcome::kFailure, "the notification no longer exists",
                         std::chrono::steady_clock::now() - started));
      return;
    }
    notification.chunks = std::make_shared<const std::vector<std::string>>(std::move(*chunks));
    inner_->Send(notification, std::move(done));
  }

  std::unique_ptr<notifier::Receiver> inner_;
  store::Store& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<notifier::Outgoing, Done>> queue_;  // guarded by mu_
  bool stop_ = false;                                      // guarded by mu_
  std::thread thread_;
};

}  // namespace

std::optional<std::vector<std::string>> DirectChunks(store::Store& store, const std::string& name,
                                                     std::size_t layers_per_chunk) {
  const std::optional<model::Notification> n = store.GetNotification(name);
  if (!n) return std::nullopt;
  const std::int64_t per = static_cast<std::int64_t>(std::max<std::size_t>(layers_per_chunk, 1));
  const std::int64_t old_count = n->old_side ? n->old_side->layer_count : 0;
  const std::int64_t new_count = n->new_side ? n->new_side->layer_count : 0;
  const std::int64_t total = old_count + new_count;
  const std::int64_t count = std::max<std::int64_t>(1, (total + per - 1) / per);

  json head = json::object();
  head["Name"] = n->summary.name;
  api::EncodeNotificationTimes(n->summary, head);

  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    // Positions [from, to) over Old's names followed by New's.
    const std::int64_t from = i * per;
    const std::int64_t to = std::min(total, from + per);
    json notification = head;
    if (n->old_side) {
      notification["Old"] = api::EncodeNotificationSide(
          *n->old_side, SideNames(store, n->summary.id, model::Side::kOld,
                                  std::min(from, old_count), std::min(to, old_count)));
    }
    if (n->new_side) {
      notification["New"] = api::EncodeNotificationSide(
          *n->new_side,
          SideNames(store, n->summary.id, model::Side::kNew, std::max(from, old_count) - old_count,
                    std::max(to, old_count) - old_count));
    }
    // As the API's responses: bytes that are not UTF-8 become U+FFFD.
    out.push_back(
        json{{"Notification", std::move(notification)}, {"Chunk", i + 1}, {"Chunks", count}}.dump(
            -1, ' ', false, json::error_handler_t::replace));
  }
  return out;
}

std::unique_ptr<notifier::Receiver> WithDirectDelivery(std::unique_ptr<notifier::Receiver> receiver,
                                                       store::Store& store) {
  return std::make_unique<DirectReceiver>(std::move(receiver), store);
}

std::unique_ptr<notifier::Receiver> AsConfigured(std::unique_ptr<notifier::Receiver> receiver,
                                                 bool direct, const config::ReceiverFilter& filter,
                                                 const notifier::ReceiverContext& context) {
  if (direct) {
    if (context.store == nullptr) {
      throw std::logic_error("direct delivery needs the store in the receiver context");
    }
    receiver = WithDirectDelivery(std::move(receiver), *context.store);
  }
  return notifier::WithFilter(std::move(receiver), filter);
}

}  // namespace herald::receivers
