// The STOMP 1.2 receiver (config key "stomp", SPEC §9), over Asio: each
// notification is one SEND with a receipt on one long-lived connection; the
// attempt succeeds on the matching RECEIPT, and fails on an ERROR frame, a
// lost connection or no receipt within the timeout. Heart-beats are
// negotiated and kept; a connection that breaks them, or sends a frame that
// is not STOMP, is dropped and made again.
#pragma once

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "config/config.h"
#include "notifier/receiver.h"
#include "notifier/receiver_registry.h"
#include "receivers/broker_connection_state.h"
#include "receivers/stomp/stomp_frame.h"

namespace herald::receivers::stomp {

inline constexpr const char* kKey = "stomp";

class StompReceiver final : public notifier::Receiver {
 public:
  explicit StompReceiver(config::StompReceiverConfig config);
  ~StompReceiver() override;

  std::string_view key() const override { return kKey; }
  void Send(const notifier::Outgoing& notification, Done done) override;
  void Shutdown() override;
  std::optional<std::string> Problem() const override;

 private:
  using Clock = std::chrono::steady_clock;
  using tcp = boost::asio::ip::tcp;
  enum class State { kIdle, kConnecting, kConnected };
  struct Pending {
    Done done;
    Clock::time_point started;
  };

  // All on the I/O thread.
  void Connect();
  void Publish(notifier::Outgoing notification, Done done);
  void Write(std::string bytes);
  void WriteNext();
  void Read(std::uint64_t generation);
  void OnFrame(const Frame& frame);
  void OnConnected(const Frame& frame);
  void Drop(const std::string& why);
  void Tick();

  const config::StompReceiverConfig config_;
  std::string host_;
  std::string port_;

  boost::asio::io_context ioc_;  // first: destroyed last, after its handlers' objects
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
  tcp::resolver resolver_;
  tcp::socket socket_;
  boost::asio::steady_timer tick_;

  // I/O thread only.
  State state_ = State::kIdle;
  std::uint64_t generation_ = 0;  // bumped by Drop: late completions are ignored
  Clock::time_point connect_started_{};
  Clock::time_point next_connect_{};
  Clock::time_point last_read_{};
  Clock::time_point last_write_{};
  ReconnectBackoff backoff_;
  std::chrono::milliseconds send_every_{0};  // negotiated heart-beats; 0: none
  std::chrono::milliseconds expect_every_{0};
  std::deque<std::string> writes_;
  bool writing_ = false;
  std::deque<std::pair<notifier::Outgoing, Done>> waiting_;  // sent while connecting
  std::map<std::string, Pending> pending_;                   // by receipt id
  std::uint64_t next_receipt_ = 1;
  FrameDecoder decoder_;
  std::array<char, 16384> read_buffer_{};
  std::string last_error_;

  ProblemSlot problem_;
  std::atomic<bool> stopped_{false};
  std::thread thread_;
};

// Registers the "stomp" kind: enabled when notifier.stomp.address is set.
void Register(notifier::ReceiverRegistry& registry);

}  // namespace herald::receivers::stomp
