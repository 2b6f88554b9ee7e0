#include "receivers/stomp/stomp_receiver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>

#include "receivers/all_confirmed.h"
#include "receivers/broker_connection_state.h"
#include "receivers/direct_delivery.h"
#include "receivers/payload.h"

namespace herald::receivers::stomp {
namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

constexpr milliseconds kTick{100};

// "cx,cy" of a heart-beat header; {0, 0} when absent or malformed.
std::pair<long, long> ParseHeartBeat(const std::optional<std::string>& header) {
  if (!header) return {0, 0};
  const std::size_t comma = header->find(',');
  if (comma == std::string::npos) return {0, 0};
  long x = 0, y = 0;
  const char* s = header->data();
  if (std::from_chars(s, s + comma, x).ec != std::errc() ||
      std::from_chars(s + comma + 1, s + header->size(), y).ec != std::errc()) {
    return {0, 0};
  }
  return {std::max(x, 0L), std::max(y, 0L)};
}

}  // namespace

StompReceiver::StompReceiver(config::StompReceiverConfig config)
    : config_(std::move(config)),
      work_(boost::asio::make_work_guard(ioc_)),
      resolver_(ioc_),
      socket_(ioc_),
      tick_(ioc_) {
  const std::size_t colon = config_.address.rfind(':');
  host_ = config_.address.substr(0, colon);
  port_ = config_.address.substr(colon + 1);
  boost::asio::post(ioc_, [this] {
    Connect();
    Tick();
  });
  thread_ = std::thread([this] { ioc_.run(); });
}

StompReceiver::~StompReceiver() {
  Shutdown();
}

void StompReceiver::Send(const notifier::Outgoing& notification, Done done) {
  boost::asio::post(ioc_, [this, notification, done = std::move(done)]() mutable {
    Publish(std::move(notification), std::move(done));
  });
}

void StompReceiver::Shutdown() {
  if (stopped_.exchange(true)) return;
  // Attempts in flight are abandoned: their `done` does not run.
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

void StompReceiver::Connect() {
  state_ = State::kConnecting;
  connect_started_ = Clock::now();
  const std::uint64_t generation = ++generation_;
  resolver_.async_resolve(
      host_, port_,
      [this, generation](boost::system::error_code ec, tcp::resolver::results_type r) {
        if (generation != generation_) return;
        if (ec) return Drop("cannot resolve " + host_ + ": " + ec.message());
        boost::asio::async_connect(
            socket_, r, [this, generation](boost::system::error_code ec, const tcp::endpoint&) {
              if (generation != generation_) return;
              if (ec) return Drop("cannot connect to " + config_.address + ": " + ec.message());
              socket_.set_option(tcp::no_delay(true), ec);
              const long beat = duration_cast<milliseconds>(config_.heartbeat).count();
              Frame connect{"CONNECT",
                            {{"accept-version", "1.2"},
                             {"host", config_.host},
                             {"heart-beat", std::to_string(beat) + "," + std::to_string(beat)}},
                            ""};
              if (!config_.login.empty()) connect.headers.emplace_back("login", config_.login);
              if (!config_.passcode.empty()) {
                connect.headers.emplace_back("passcode", config_.passcode);
              }
              last_read_ = Clock::now();
              Write(Encode(connect));
              Read(generation);
            });
      });
}

void StompReceiver::OnConnected(const Frame& frame) {
  // STOMP 1.2 §Heart-beating: each side sends at the larger of what it
  // offers and what the other wants; 0 on either side means none.
  const long ours = duration_cast<milliseconds>(config_.heartbeat).count();
  const auto [server_sends, server_wants] = ParseHeartBeat(frame.Header("heart-beat"));
  send_every_ = milliseconds(ours == 0 || server_wants == 0 ? 0 : std::max(ours, server_wants));
  expect_every_ = milliseconds(ours == 0 || server_sends == 0 ? 0 : std::max(ours, server_sends));
  state_ = State::kConnected;
  if (!last_error_.empty()) spdlog::info("stomp: connected to {} again", config_.address);
  last_error_.clear();
  backoff_.Reset();
  problem_.Set("");
  std::deque<std::pair<notifier::Outgoing, Done>> waiting;
  waiting.swap(waiting_);
  for (auto& [notification, done] : waiting) Publish(std::move(notification), std::move(done));
}

void StompReceiver::Publish(notifier::Outgoing notification, Done done) {
  if (state_ == State::kConnecting) {
    waiting_.emplace_back(std::move(notification), std::move(done));
    return;
  }
  if (state_ == State::kIdle) {
    done(AttemptResult(model::DeliveryOutcome::kFailure, "broker unavailable: " + last_error_, {}));
    return;
  }
  std::vector<Message> messages = MessagesOf(notification);
  Done each = AllConfirmed(messages.size(), std::move(done));
  for (Message& m : messages) {
    const std::string receipt = "herald-" + std::to_string(next_receipt_++);
    const std::string length = std::to_string(m.body.size());
    Frame send{"SEND",
               {{"destination", config_.destination},
                {"content-type", "application/json"},
                {"content-length", length},
                {"receipt", receipt},
                {"persistent", "true"},
                {"herald-id", std::move(m.id)}},
               std::move(m.body)};
    pending_.emplace(receipt, Pending{each, Clock::now()});
    Write(Encode(send));
  }
}

void StompReceiver::Write(std::string bytes) {
  writes_.push_back(std::move(bytes));
  last_write_ = Clock::now();
  if (!writing_) WriteNext();
}

void StompReceiver::WriteNext() {
  if (writes_.empty()) return;
  writing_ = true;
  // The bytes live with the operation, whatever Drop does to the queue.
  auto data = std::make_shared<std::string>(std::move(writes_.front()));
  writes_.pop_front();
  const std::uint64_t generation = generation_;
  boost::asio::async_write(
      socket_, boost::asio::buffer(*data),
      [this, data, generation](boost::system::error_code ec, std::size_t) {
        if (generation != generation_) return;
        writing_ = false;
        if (ec) return Drop("cannot write to " + config_.address + ": " + ec.message());
        WriteNext();
      });
}

void StompReceiver::Read(std::uint64_t generation) {
  socket_.async_read_some(
      boost::asio::buffer(read_buffer_),
      [this, generation](boost::system::error_code ec, std::size_t n) {
        if (generation != generation_) return;
        if (ec) return Drop("connection lost: " + ec.message());
        last_read_ = Clock::now();
        decoder_.Feed(std::string_view(read_buffer_.data(), n));
        try {
          while (auto frame = decoder_.Next()) {
            OnFrame(*frame);
            if (generation != generation_) return;  // the frame ended the connection
          }
        } catch (const ProtocolError& e) {
          return Drop(std::string("malformed frame from the server: ") + e.what());
        }
        Read(generation);
      });
}

void StompReceiver::OnFrame(const Frame& frame) {
  if (frame.command == "CONNECTED" && state_ == State::kConnecting) return OnConnected(frame);
  if (frame.command == "RECEIPT" && state_ == State::kConnected) {
    const auto it = pending_.find(frame.Header("receipt-id").value_or(""));
    if (it == pending_.end()) return;  // settled already (timed out)
    it->second.done(
        AttemptResult(model::DeliveryOutcome::kSuccess, "", Clock::now() - it->second.started));
    pending_.erase(it);
    return;
  }
  if (frame.command == "MESSAGE") return;  // not subscribed to anything; ignored
  if (frame.command == "ERROR") {
    std::string why = "the server sent ERROR: " + frame.Header("message").value_or("(no message)");
    const auto it = pending_.find(frame.Header("receipt-id").value_or(""));
    if (it != pending_.end()) {
      it->second.done(
          AttemptResult(model::DeliveryOutcome::kFailure, why, Clock::now() - it->second.started));
      pending_.erase(it);
    }
    // The server closes the connection after an ERROR frame.
    return Drop(why);
  }
  Drop("unexpected " + frame.command + " frame from the server");
}

void StompReceiver::Drop(const std::string& why) {
  ++generation_;
  boost::system::error_code ignored;
  socket_.close(ignored);
  resolver_.cancel();
  state_ = State::kIdle;
  writes_.clear();
  writing_ = false;
  decoder_ = FrameDecoder();
  if (why != last_error_) {
    spdlog::warn("stomp: {}; {} message(s) without a receipt; reconnecting", why, pending_.size());
  }
  const Clock::time_point now = Clock::now();
  for (auto& [receipt, p] : pending_) {
    p.done(AttemptResult(model::DeliveryOutcome::kFailure, "no receipt: " + why, now - p.started));
  }
  pending_.clear();
  std::deque<std::pair<notifier::Outgoing, Done>> waiting;
  waiting.swap(waiting_);
  for (auto& [notification, done] : waiting) {
    done(AttemptResult(model::DeliveryOutcome::kFailure, "broker unavailable: " + why, {}));
  }
  last_error_ = why;
  problem_.Set(why);
  next_connect_ = now + backoff_.Next();
}

void StompReceiver::Tick() {
  const Clock::time_point now = Clock::now();
  if (state_ == State::kIdle && now >= next_connect_) Connect();
  if (state_ == State::kConnecting && now - connect_started_ > config_.timeout) {
    Drop("no CONNECTED frame from " + config_.address + " in time");
  }
  bool expired = false;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (now - it->second.started < config_.timeout) {
      ++it;
      continue;
    }
    it->second.done(AttemptResult(model::DeliveryOutcome::kTimeout,
                                  "no RECEIPT from the server in time", now - it->second.started));
    it = pending_.erase(it);
    expired = true;
  }
  // A server that stops answering may be gone without a word: start over.
  if (expired && state_ == State::kConnected) Drop("no receipt within the timeout");
  if (state_ == State::kConnected) {
    if (send_every_.count() > 0 && now - last_write_ >= send_every_) Write("\n");
    if (expect_every_.count() > 0 && now - last_read_ > 2 * expect_every_) {
      Drop("no heart-beat from the server for " +
           std::to_string(duration_cast<milliseconds>(now - last_read_).count()) + " ms");
    }
  }
  tick_.expires_after(kTick);
  tick_.async_wait([this](boost::system::error_code ec) {
    if (!ec) Tick();
  });
}

std::optional<std::string> StompReceiver::Problem() const {
  return problem_.Get();
}

void Register(notifier::ReceiverRegistry& registry) {
  registry.Register(
      "stomp", [](const config::NotifierConfig& cfg, const notifier::ReceiverContext& context) {
        std::vector<std::unique_ptr<notifier::Receiver>> out;
        if (!cfg.stomp.address.empty()) {
          out.push_back(AsConfigured(std::make_unique<StompReceiver>(cfg.stomp), cfg.stomp.direct,
                                     cfg.stomp.filter, context));
        }
        return out;
      });
}

}  // namespace herald::receivers::stomp
