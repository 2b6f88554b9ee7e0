// The private RabbitMQ node the test script starts (scripts/rabbitmq_node.sh;
// HERALD_TEST_RABBITMQ names its directory), and a plain AMQP client for the
// tests' side of it: declaring queues, reading what arrived. Tests that need
// the node fail, never skip, when it is missing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace herald::testing {

class RabbitMqNode {
 public:
  // The node of HERALD_TEST_RABBITMQ; throws when the variable is unset.
  static RabbitMqNode& Shared();
  // The node set up in `dir` by scripts/rabbitmq_node.sh start.
  explicit RabbitMqNode(std::string dir);

  std::string AmqpUri(const std::string& user = "guest",
                      const std::string& password = "guest") const;  // amqp://…@127.0.0.1:<port>/
  std::string AmqpsUri() const;
  std::uint16_t amqp_port() const { return amqp_port_; }
  std::uint16_t stomp_port() const { return stomp_port_; }
  std::string TlsFile(const std::string& name) const;  // ca.pem, client.pem, client.key

  void Kill();      // kill -9 of the node; its data stays
  void Serve();     // starts it again, returns once it accepts connections
  void Freeze();    // SIGSTOP: connections stay open, nothing is answered
  void Thaw();      // SIGCONT
  int pid() const;  // the node's Erlang VM
  // rabbitmqctl ARGS… against the node; throws when it fails.
  void Ctl(const std::vector<std::string>& args);

 private:
  void Script(const std::string& command);

  std::string dir_;
  std::uint16_t amqp_port_ = 0;
  std::uint16_t amqps_port_ = 0;
  std::uint16_t stomp_port_ = 0;
};

// A node of its own, started in a temporary directory and removed with it
// (the benchmarks' far end).
class PrivateRabbitMq {
 public:
  PrivateRabbitMq();
  ~PrivateRabbitMq();
  PrivateRabbitMq(const PrivateRabbitMq&) = delete;
  PrivateRabbitMq& operator=(const PrivateRabbitMq&) = delete;
  RabbitMqNode& node() { return *node_; }

 private:
  std::string dir_;
  std::unique_ptr<RabbitMqNode> node_;
};

struct AmqpMessage {
  std::string body;
  std::string message_id;
  std::string content_type;
  int delivery_mode = 0;
  std::string exchange;
  std::string routing_key;
};

// A blocking AMQP client over rabbitmq-c for the tests' own use.
class AmqpTestClient {
 public:
  explicit AmqpTestClient(const std::string& uri);
  ~AmqpTestClient();
  AmqpTestClient(const AmqpTestClient&) = delete;
  AmqpTestClient& operator=(const AmqpTestClient&) = delete;

  // A durable topic exchange.
  void DeclareExchange(const std::string& exchange);
  // A durable queue bound to `exchange` with `routing_key` (exchange "":
  // the default exchange, which routes by queue name). With
  // `max_length`, overflow is reject-publish: publishes to a full queue
  // are nacked.
  // `kind`: "" a classic queue as the broker makes it by default,
  // "classic-v2" (x-queue-version 2) or "quorum".
  void DeclareQueue(const std::string& queue, const std::string& exchange,
                    const std::string& routing_key, std::optional<int> max_length = {},
                    const std::string& kind = "");
  void DeleteQueue(const std::string& queue);
  void DeleteExchange(const std::string& exchange);
  std::uint32_t Count(const std::string& queue);
  // Takes (and acks) every message now in the queue.
  std::vector<AmqpMessage> Drain(const std::string& queue);

 private:
  struct State;
  State* state_;
};

}  // namespace herald::testing
