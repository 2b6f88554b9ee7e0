// What a STOMP server can do wrong that RabbitMQ never does (issue 10):
// a malformed frame, and heart-beats that stop. The far end here is a small
// scripted server on loopback speaking STOMP 1.2 over a real socket.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

#include "receivers/stomp/stomp_receiver.h"

namespace herald::testing {
namespace {

using boost::asio::ip::tcp;
using std::chrono::milliseconds;
using std::chrono::seconds;
using namespace std::string_literals;

// Accepts connections one after another and runs `script` on each, with
// its index (0 for the first). Records every byte received.
class ScriptedStompServer {
 public:
  class Connection {
   public:
    Connection(tcp::socket socket, ScriptedStompServer& server)
        : socket_(std::move(socket)), server_(server) {}
    // The next frame the client sent (up to its NUL), skipping heart-beats;
    // "" when the client closed the connection.
    std::string ReadFrame() {
      for (;;) {
        while (!pending_.empty() && (pending_[0] == '\n' || pending_[0] == '\r')) {
          pending_.erase(0, 1);
        }
        const std::size_t nul = pending_.find('\0');
        if (nul != std::string::npos) {
          std::string frame = pending_.substr(0, nul);
          pending_.erase(0, nul + 1);
          return frame;
        }
        if (!ReadSome()) return "";
      }
    }
    // Reads until the client closes the connection.
    void ReadUntilClosed() {
      while (ReadSome()) {
      }
    }
    void Write(const std::string& bytes) {
      boost::system::error_code ec;
      boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
    }

   private:
    bool ReadSome() {
      char buffer[4096];
      boost::system::error_code ec;
      const std::size_t n = socket_.read_some(boost::asio::buffer(buffer), ec);
      if (ec) return false;
      pending_.append(buffer, n);
      server_.Record(std::string(buffer, n));
      return true;
    }
    tcp::socket socket_;
    ScriptedStompServer& server_;
    std::string pending_;
  };
  using Script = std::function<void(Connection&, int index)>;

  explicit ScriptedStompServer(Script script)
      : script_(std::move(script)), acceptor_(ioc_, tcp::endpoint(tcp::v4(), 0)) {
    thread_ = std::thread([this] {
      for (int index = 0;; ++index) {
        boost::system::error_code ec;
        tcp::socket socket(ioc_);
        acceptor_.accept(socket, ec);
        if (ec) return;
        {
          std::lock_guard lock(mu_);
          connections_ = index + 1;
        }
        cv_.notify_all();
        Connection connection(std::move(socket), *this);
        script_(connection, index);
      }
    });
  }
  ~ScriptedStompServer() {
    // shutdown() wakes the blocking accept (close() alone does not).
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    thread_.join();
    boost::system::error_code ec;
    acceptor_.close(ec);
  }

  std::string Address() const {
    return "127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }
  bool WaitFor(const std::function<bool(int connections, const std::string& received)>& done,
               milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return done(connections_, received_); });
  }
  void Record(const std::string& bytes) {
    {
      std::lock_guard lock(mu_);
      received_ += bytes;
    }
    cv_.notify_all();
  }

 private:
  Script script_;
  boost::asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::mutex mu_;
  std::condition_variable cv_;
  int connections_ = 0;
  std::string received_;
  std::thread thread_;
};

std::string ReceiptOf(const std::string& frame) {
  const std::size_t at = frame.find("\nreceipt:");
  if (at == std::string::npos) return "";
  const std::size_t start = at + 9;
  return frame.substr(start, frame.find('\n', start) - start);
}

notifier::SendResult SendOne(notifier::Receiver& receiver, const std::string& name) {
  std::promise<notifier::SendResult> promise;
  auto result = promise.get_future();
  receiver.Send({name, 1}, [&promise](notifier::SendResult r) { promise.set_value(std::move(r)); });
  EXPECT_EQ(result.wait_for(seconds(20)), std::future_status::ready);
  return result.get();
}

config::StompReceiverConfig Config(const std::string& address, milliseconds heartbeat) {
  config::StompReceiverConfig c;
  c.address = address;
  c.destination = "/queue/herald";
  c.timeout = seconds(2);
  c.heartbeat = heartbeat;
  return c;
}

TEST(StompFaultsTest, AMalformedFrameDropsTheConnectionAndTheRetryGetsThrough) {
  ScriptedStompServer server([](ScriptedStompServer::Connection& c, int index) {
    if (c.ReadFrame().rfind("CONNECT\n", 0) != 0) return;
    c.Write("CONNECTED\nversion:1.2\n\n\0"s);
    for (std::string frame; !(frame = c.ReadFrame()).empty();) {
      if (index == 0) {
        c.Write("RECEIPT\nreceipt-id\n\n\0"s);  // a header without ':'
        c.ReadUntilClosed();
        return;
      }
      c.Write("RECEIPT\nreceipt-id:" + ReceiptOf(frame) + "\n\n\0"s);
    }
  });
  receivers::stomp::StompReceiver receiver(Config(server.Address(), milliseconds(0)));
  const notifier::SendResult first = SendOne(receiver, "n1");
  EXPECT_EQ(first.outcome, model::DeliveryOutcome::kFailure);
  EXPECT_NE(first.error.find("malformed frame"), std::string::npos) << first.error;
  // The receiver connects again by itself; a retry is delivered.
  ASSERT_TRUE(server.WaitFor([](int connections, const std::string&) { return connections >= 2; },
                             seconds(10)));
  notifier::SendResult retry;
  for (int i = 0; i < 100 && retry.outcome != model::DeliveryOutcome::kSuccess; ++i) {
    retry = SendOne(receiver, "n1");
    if (retry.outcome != model::DeliveryOutcome::kSuccess) {
      std::this_thread::sleep_for(milliseconds(50));  // the notifier's backoff
    }
  }
  EXPECT_EQ(retry.outcome, model::DeliveryOutcome::kSuccess) << retry.error;
  receiver.Shutdown();
}

TEST(StompFaultsTest, HeartBeatsAreSentAndASilentServerIsLeft) {
  ScriptedStompServer server([](ScriptedStompServer::Connection& c, int) {
    const std::string connect = c.ReadFrame();
    if (connect.find("\nheart-beat:200,200") == std::string::npos) return;
    c.Write("CONNECTED\nversion:1.2\nheart-beat:200,200\n\n\0"s);
    c.ReadUntilClosed();  // and never a byte back: no heart-beats
  });
  receivers::stomp::StompReceiver receiver(Config(server.Address(), milliseconds(200)));
  // The client's heart-beats (EOLs after the CONNECT frame) arrive…
  EXPECT_TRUE(server.WaitFor(
      [](int, const std::string& received) {
        const std::size_t after = received.find('\0');
        return after != std::string::npos &&
               std::count(received.begin() + static_cast<long>(after), received.end(), '\n') >= 2;
      },
      seconds(10)));
  // …and a server silent for two of its intervals is left for a new connection.
  EXPECT_TRUE(server.WaitFor([](int connections, const std::string&) { return connections >= 2; },
                             seconds(10)));
  receiver.Shutdown();
}

TEST(StompFaultsTest, AnErrorFrameFailsThatMessage) {
  ScriptedStompServer server([](ScriptedStompServer::Connection& c, int) {
    if (c.ReadFrame().rfind("CONNECT\n", 0) != 0) return;
    c.Write("CONNECTED\nversion:1.2\n\n\0"s);
    const std::string send = c.ReadFrame();
    c.Write("ERROR\nreceipt-id:" + ReceiptOf(send) +
            "\nmessage:access refused\ncontent-length:0\n\n\0"s);
    c.ReadUntilClosed();
  });
  receivers::stomp::StompReceiver receiver(Config(server.Address(), milliseconds(0)));
  const notifier::SendResult r = SendOne(receiver, "n1");
  EXPECT_EQ(r.outcome, model::DeliveryOutcome::kFailure);
  EXPECT_EQ(r.error, "the server sent ERROR: access refused");
  receiver.Shutdown();
}

}  // namespace
}  // namespace herald::testing
