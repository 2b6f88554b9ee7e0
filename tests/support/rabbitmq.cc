#include "support/rabbitmq.h"

#include <amqp.h>
#include <amqp_tcp_socket.h>
#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <stdexcept>

#include "support/process.h"

namespace herald::testing {
namespace {

std::string Text(amqp_bytes_t b) {
  return std::string(static_cast<const char*>(b.bytes), b.len);
}

void CheckReply(amqp_rpc_reply_t reply, const std::string& step) {
  if (reply.reply_type == AMQP_RESPONSE_NORMAL) return;
  if (reply.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    throw std::runtime_error(step + ": " + amqp_error_string2(reply.library_error));
  }
  if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* c = static_cast<amqp_channel_close_t*>(reply.reply.decoded);
    throw std::runtime_error(step + ": channel closed " + std::to_string(c->reply_code) + " " +
                             Text(c->reply_text));
  }
  throw std::runtime_error(step + ": the broker refused");
}

}  // namespace

RabbitMqNode& RabbitMqNode::Shared() {
  static RabbitMqNode* node = [] {
    const char* dir = std::getenv("HERALD_TEST_RABBITMQ");
    if (dir == nullptr || *dir == '\0') {
      throw std::runtime_error(
          "HERALD_TEST_RABBITMQ is not set: run the tests with scripts/test.sh, which starts "
          "a private RabbitMQ node (scripts/rabbitmq_node.sh start DIR)");
    }
    return new RabbitMqNode(dir);
  }();
  return *node;
}

RabbitMqNode::RabbitMqNode(std::string dir) : dir_(std::move(dir)) {
  std::ifstream ports(dir_ + "/ports");
  std::map<std::string, int> values;
  for (std::string line; std::getline(ports, line);) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = std::stoi(line.substr(eq + 1));
  }
  if (!values.count("AMQP_PORT")) throw std::runtime_error("no RabbitMQ node in " + dir_);
  amqp_port_ = static_cast<std::uint16_t>(values["AMQP_PORT"]);
  amqps_port_ = static_cast<std::uint16_t>(values["AMQPS_PORT"]);
  stomp_port_ = static_cast<std::uint16_t>(values["STOMP_PORT"]);
}

std::string RabbitMqNode::AmqpUri(const std::string& user, const std::string& password) const {
  return "amqp://" + user + ":" + password + "@127.0.0.1:" + std::to_string(amqp_port_) + "/";
}

std::string RabbitMqNode::AmqpsUri() const {
  return "amqps://guest:guest@localhost:" + std::to_string(amqps_port_) + "/";
}

std::string RabbitMqNode::TlsFile(const std::string& name) const {
  return dir_ + "/tls/" + name;
}

void RabbitMqNode::Script(const std::string& command) {
  const CommandResult r = RunCommand(
      {"bash", std::string(HERALD_SOURCE_DIR) + "/scripts/rabbitmq_node.sh", command, dir_});
  if (r.exit_code != 0) {
    throw std::runtime_error("rabbitmq_node.sh " + command + " failed: " + r.output);
  }
}

void RabbitMqNode::Ctl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "bash", std::string(HERALD_SOURCE_DIR) + "/scripts/rabbitmq_node.sh", "ctl", dir_};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) throw std::runtime_error("rabbitmqctl failed: " + r.output);
}

void RabbitMqNode::Kill() {
  Script("kill");
}
void RabbitMqNode::Serve() {
  Script("serve");
}

int RabbitMqNode::pid() const {
  return std::stoi(ReadFile(dir_ + "/node.pid"));
}

void RabbitMqNode::Freeze() {
  ::kill(std::stoi(ReadFile(dir_ + "/node.pid")), SIGSTOP);
}
void RabbitMqNode::Thaw() {
  ::kill(std::stoi(ReadFile(dir_ + "/node.pid")), SIGCONT);
}

PrivateRabbitMq::PrivateRabbitMq() {
  char pattern[] = "/tmp/herald-rabbitmq.XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  const CommandResult r = RunCommand(
      {"bash", std::string(HERALD_SOURCE_DIR) + "/scripts/rabbitmq_node.sh", "start", dir_});
  if (r.exit_code != 0) throw std::runtime_error("cannot start RabbitMQ: " + r.output);
  node_ = std::make_unique<RabbitMqNode>(dir_);
}

PrivateRabbitMq::~PrivateRabbitMq() {
  RunCommand(
      {"bash", std::string(HERALD_SOURCE_DIR) + "/scripts/rabbitmq_node.sh", "remove", dir_});
}

struct AmqpTestClient::State {
  amqp_connection_state_t conn = amqp_new_connection();
};

AmqpTestClient::AmqpTestClient(const std::string& uri) : state_(new State) {
  std::vector<char> buffer(uri.begin(), uri.end());
  buffer.push_back('\0');
  amqp_connection_info info{};
  if (amqp_parse_url(buffer.data(), &info) != AMQP_STATUS_OK) {
    throw std::runtime_error("bad AMQP URI " + uri);
  }
  amqp_socket_t* socket = amqp_tcp_socket_new(state_->conn);
  if (amqp_socket_open(socket, info.host, info.port) != AMQP_STATUS_OK) {
    throw std::runtime_error("cannot connect to " + uri);
  }
  CheckReply(amqp_login(state_->conn, *info.vhost ? info.vhost : "/", 0, 131072, 0,
                        AMQP_SASL_METHOD_PLAIN, info.user, info.password),
             "login");
  amqp_channel_open(state_->conn, 1);
  CheckReply(amqp_get_rpc_reply(state_->conn), "channel.open");
}

AmqpTestClient::~AmqpTestClient() {
  amqp_channel_close(state_->conn, 1, AMQP_REPLY_SUCCESS);
  amqp_connection_close(state_->conn, AMQP_REPLY_SUCCESS);
  amqp_destroy_connection(state_->conn);
  delete state_;
}

void AmqpTestClient::DeclareExchange(const std::string& exchange) {
  amqp_exchange_declare(state_->conn, 1, amqp_cstring_bytes(exchange.c_str()),
                        amqp_cstring_bytes("topic"), 0, 1, 0, 0, amqp_empty_table);
  CheckReply(amqp_get_rpc_reply(state_->conn), "exchange.declare " + exchange);
}

void AmqpTestClient::DeclareQueue(const std::string& queue, const std::string& exchange,
                                  const std::string& routing_key, std::optional<int> max_length,
                                  const std::string& kind) {
  amqp_table_entry_t entries[3];
  int count = 0;
  if (max_length) {
    entries[count].key = amqp_cstring_bytes("x-max-length");
    entries[count].value.kind = AMQP_FIELD_KIND_I32;
    entries[count++].value.value.i32 = *max_length;
    entries[count].key = amqp_cstring_bytes("x-overflow");
    entries[count].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[count++].value.value.bytes = amqp_cstring_bytes("reject-publish");
  }
  if (kind == "classic-v2") {
    entries[count].key = amqp_cstring_bytes("x-queue-version");
    entries[count].value.kind = AMQP_FIELD_KIND_I32;
    entries[count++].value.value.i32 = 2;
  } else if (kind == "quorum") {
    entries[count].key = amqp_cstring_bytes("x-queue-type");
    entries[count].value.kind = AMQP_FIELD_KIND_UTF8;
    entries[count++].value.value.bytes = amqp_cstring_bytes("quorum");
  } else if (!kind.empty()) {
    throw std::invalid_argument("queue kind must be \"\", classic-v2 or quorum, got " + kind);
  }
  const amqp_table_t args = {count, entries};
  amqp_queue_declare(state_->conn, 1, amqp_cstring_bytes(queue.c_str()), 0, 1, 0, 0, args);
  CheckReply(amqp_get_rpc_reply(state_->conn), "queue.declare " + queue);
  if (exchange.empty()) return;  // the default exchange routes by queue name already
  amqp_queue_bind(state_->conn, 1, amqp_cstring_bytes(queue.c_str()),
                  amqp_cstring_bytes(exchange.c_str()), amqp_cstring_bytes(routing_key.c_str()),
                  amqp_empty_table);
  CheckReply(amqp_get_rpc_reply(state_->conn), "queue.bind " + queue);
}

void AmqpTestClient::DeleteQueue(const std::string& queue) {
  amqp_queue_delete(state_->conn, 1, amqp_cstring_bytes(queue.c_str()), 0, 0);
  CheckReply(amqp_get_rpc_reply(state_->conn), "queue.delete " + queue);
}

void AmqpTestClient::DeleteExchange(const std::string& exchange) {
  amqp_exchange_delete(state_->conn, 1, amqp_cstring_bytes(exchange.c_str()), 0);
  CheckReply(amqp_get_rpc_reply(state_->conn), "exchange.delete " + exchange);
}

std::uint32_t AmqpTestClient::Count(const std::string& queue) {
  auto* ok = amqp_queue_declare(state_->conn, 1, amqp_cstring_bytes(queue.c_str()), 1, 0, 0, 0,
                                amqp_empty_table);
  CheckReply(amqp_get_rpc_reply(state_->conn), "queue.declare passive " + queue);
  return ok->message_count;
}

std::vector<AmqpMessage> AmqpTestClient::Drain(const std::string& queue) {
  std::vector<AmqpMessage> out;
  for (;;) {
    amqp_rpc_reply_t reply = amqp_basic_get(state_->conn, 1, amqp_cstring_bytes(queue.c_str()), 1);
    CheckReply(reply, "basic.get " + queue);
    if (reply.reply.id == AMQP_BASIC_GET_EMPTY_METHOD) break;
    const auto* ok = static_cast<amqp_basic_get_ok_t*>(reply.reply.decoded);
    AmqpMessage m;
    m.exchange = Text(ok->exchange);
    m.routing_key = Text(ok->routing_key);
    amqp_message_t message;
    CheckReply(amqp_read_message(state_->conn, 1, &message, 0), "reading a message");
    m.body = Text(message.body);
    const amqp_basic_properties_t& p = message.properties;
    if (p._flags & AMQP_BASIC_MESSAGE_ID_FLAG) m.message_id = Text(p.message_id);
    if (p._flags & AMQP_BASIC_CONTENT_TYPE_FLAG) m.content_type = Text(p.content_type);
    if (p._flags & AMQP_BASIC_DELIVERY_MODE_FLAG) m.delivery_mode = p.delivery_mode;
    amqp_destroy_message(&message);
    amqp_maybe_release_buffers(state_->conn);
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace herald::testing
