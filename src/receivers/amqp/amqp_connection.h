// The one RAII layer over rabbitmq-c (librabbitmq): a connection with one
// channel in publisher-confirm mode, publishing to one exchange, and the
// broker's answers read without blocking. Not thread-safe: one thread owns
// it (the AMQP receiver's).
#pragma once

#include <amqp.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace herald::receivers::amqp {

// A connection that cannot be used any more, and why.
class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Where to connect and what to publish to. The URI is parsed by rabbitmq-c
// (amqp_parse_url): amqp[s]://user:pass@host:port/vhost.
struct AmqpTarget {
  std::string uri;
  std::string exchange;
  std::string cafile;
  std::string certfile;
  std::string keyfile;
  std::chrono::milliseconds timeout{5000};  // connecting and each RPC
};

// What the broker said about published messages.
struct BrokerAnswer {
  enum class Kind { kAck, kNack, kReturn };
  Kind kind = Kind::kAck;
  std::uint64_t delivery_tag = 0;  // kAck, kNack
  bool multiple = false;           // kAck, kNack: every tag up to delivery_tag
  std::string message_id;          // kReturn
  std::string why;                 // kReturn: the broker's reply code and text
};

// "amqps://guest:<redacted>@host:5671/" → "amqps://host:5671/vhost" for logs.
std::string DescribeTarget(const std::string& uri);

class AmqpConnection {
 public:
  // Connects, logs in, opens channel 1 in confirm mode and declares the
  // exchange (durable, type topic) unless it is "" (the default exchange) or
  // an amq.* one, which must exist. Throws AmqpError naming the step.
  explicit AmqpConnection(const AmqpTarget& target);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  // A persistent JSON message, mandatory; returns its delivery tag.
  std::uint64_t Publish(std::string_view routing_key, std::string_view message_id,
                        std::string_view body);

  // The socket, for poll().
  int fd() const;

  // The next answer already received or readable now, without blocking;
  // nullopt when there is none. Throws AmqpError when the broker closed the
  // channel or the connection, or the socket failed.
  std::optional<BrokerAnswer> NextAnswer();

 private:
  void Check(amqp_rpc_reply_t reply, const std::string& step);

  amqp_connection_state_t conn_;
  std::string exchange_;
  std::uint64_t next_tag_ = 1;
  bool open_ = false;  // logged in: closing says goodbye to the broker
};

}  // namespace herald::receivers::amqp
