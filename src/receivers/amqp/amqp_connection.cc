#include "receivers/amqp/amqp_connection.h"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>
#include <openssl/ssl.h>
#include <sys/time.h>

#include <vector>

namespace herald::receivers::amqp {
namespace {

constexpr amqp_channel_t kChannel = 1;

std::string Text(amqp_bytes_t bytes) {
  return std::string(static_cast<const char*>(bytes.bytes), bytes.len);
}

amqp_bytes_t Bytes(std::string_view text) {
  return {text.size(), const_cast<char*>(text.data())};
}

timeval ToTimeval(std::chrono::milliseconds d) {
  return {static_cast<time_t>(d.count() / 1000), static_cast<suseconds_t>(d.count() % 1000 * 1000)};
}

std::string CloseReason(const amqp_method_t& method) {
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    const auto* close = static_cast<amqp_connection_close_t*>(method.decoded);
    return "the broker closed the connection: " + std::to_string(close->reply_code) + " " +
           Text(close->reply_text);
  }
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    const auto* close = static_cast<amqp_channel_close_t*>(method.decoded);
    return "the broker closed the channel: " + std::to_string(close->reply_code) + " " +
           Text(close->reply_text);
  }
  return "unexpected method " + std::to_string(method.id) + " from the broker";
}

// amqp_parse_url works in place on a mutable copy.
struct ParsedUri {
  std::vector<char> buffer;
  amqp_connection_info info{};
};

ParsedUri Parse(const std::string& uri) {
  ParsedUri parsed;
  parsed.buffer.assign(uri.begin(), uri.end());
  parsed.buffer.push_back('\0');
  const int rc = amqp_parse_url(parsed.buffer.data(), &parsed.info);
  if (rc != AMQP_STATUS_OK) {
    throw AmqpError("cannot parse the AMQP URI: " + std::string(amqp_error_string2(rc)));
  }
  return parsed;
}

}  // namespace

std::string DescribeTarget(const std::string& uri) {
  try {
    const ParsedUri p = Parse(uri);
    const std::string vhost = *p.info.vhost ? p.info.vhost : "/";
    return std::string(p.info.ssl ? "amqps://" : "amqp://") + p.info.host + ":" +
           std::to_string(p.info.port) + " vhost " + vhost;
  } catch (const AmqpError&) {
    return "an unparsable AMQP URI";
  }
}

AmqpConnection::AmqpConnection(const AmqpTarget& target)
    : conn_(amqp_new_connection()), exchange_(target.exchange) {
  if (conn_ == nullptr) throw AmqpError("out of memory for an AMQP connection");
  try {
    const ParsedUri uri = Parse(target.uri);
    amqp_socket_t* socket = nullptr;
    if (uri.info.ssl) {
      socket = amqp_ssl_socket_new(conn_);
      if (socket == nullptr) throw AmqpError("cannot create a TLS socket");
      amqp_ssl_socket_set_verify_peer(socket, 1);
      amqp_ssl_socket_set_verify_hostname(socket, 1);
      if (!target.cafile.empty()) {
        if (amqp_ssl_socket_set_cacert(socket, target.cafile.c_str()) != AMQP_STATUS_OK) {
          throw AmqpError("cannot read cafile " + target.cafile);
        }
      } else {
        SSL_CTX_set_default_verify_paths(
            static_cast<SSL_CTX*>(amqp_ssl_socket_get_context(socket)));
      }
      if (!target.certfile.empty() &&
          amqp_ssl_socket_set_key(socket, target.certfile.c_str(), target.keyfile.c_str()) !=
              AMQP_STATUS_OK) {
        throw AmqpError("cannot read certfile " + target.certfile + " or keyfile " +
                        target.keyfile);
      }
    } else {
      socket = amqp_tcp_socket_new(conn_);
      if (socket == nullptr) throw AmqpError("cannot create a socket");
    }
    timeval timeout = ToTimeval(target.timeout);
    amqp_set_handshake_timeout(conn_, &timeout);
    amqp_set_rpc_timeout(conn_, &timeout);
    const int rc = amqp_socket_open_noblock(socket, uri.info.host, uri.info.port, &timeout);
    if (rc != AMQP_STATUS_OK) {
      throw AmqpError("cannot connect to " + DescribeTarget(target.uri) + ": " +
                      amqp_error_string2(rc));
    }
    // Heartbeats off: rabbitmq-c sends them only from inside its own waits;
    // a dead peer shows as a closed socket or a confirm that times out.
    const std::string vhost = *uri.info.vhost ? uri.info.vhost : "/";
    Check(amqp_login(conn_, vhost.c_str(), 0, 131072, 0, AMQP_SASL_METHOD_PLAIN, uri.info.user,
                     uri.info.password),
          "login to " + DescribeTarget(target.uri));
    open_ = true;
    amqp_channel_open(conn_, kChannel);
    Check(amqp_get_rpc_reply(conn_), "opening a channel");
    amqp_confirm_select(conn_, kChannel);
    Check(amqp_get_rpc_reply(conn_), "turning on publisher confirms");
    if (!exchange_.empty()) {
      const bool predeclared = exchange_.rfind("amq.", 0) == 0;
      amqp_exchange_declare(conn_, kChannel, Bytes(exchange_), amqp_cstring_bytes("topic"),
                            predeclared ? 1 : 0, 1, 0, 0, amqp_empty_table);
      Check(amqp_get_rpc_reply(conn_), "declaring exchange " + exchange_);
    }
  } catch (...) {
    if (open_) amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
    amqp_destroy_connection(conn_);
    throw;
  }
}

AmqpConnection::~AmqpConnection() {
  if (open_) {
    // Best effort and bounded by the RPC timeout: the broker may be gone.
    amqp_connection_close(conn_, AMQP_REPLY_SUCCESS);
  }
  amqp_destroy_connection(conn_);
}

void AmqpConnection::Check(amqp_rpc_reply_t reply, const std::string& step) {
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_NONE:
      throw AmqpError(step + ": no reply from the broker");
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      // A broker that refuses a login just closes the socket (AMQP 0-9-1
      // §4.10.2), so a login that fails that way says so.
      if (!open_ && reply.library_error == AMQP_STATUS_CONNECTION_CLOSED) {
        throw AmqpError(step +
                        ": the broker closed the connection (login refused: wrong user, "
                        "password or vhost?)");
      }
      throw AmqpError(step + ": " + amqp_error_string2(reply.library_error));
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      if (reply.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
        amqp_connection_close_ok_t ok{};
        amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        open_ = false;
      } else if (reply.reply.id == AMQP_CHANNEL_CLOSE_METHOD) {
        amqp_channel_close_ok_t ok{};
        amqp_send_method(conn_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
      }
      throw AmqpError(step + ": " + CloseReason(reply.reply));
  }
  throw AmqpError(step + ": unknown reply");
}

std::uint64_t AmqpConnection::Publish(std::string_view routing_key, std::string_view message_id,
                                      std::string_view body) {
  amqp_basic_properties_t props{};
  props._flags =
      AMQP_BASIC_CONTENT_TYPE_FLAG | AMQP_BASIC_DELIVERY_MODE_FLAG | AMQP_BASIC_MESSAGE_ID_FLAG;
  props.content_type = amqp_cstring_bytes("application/json");
  props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
  props.message_id = Bytes(message_id);
  const int rc = amqp_basic_publish(conn_, kChannel, Bytes(exchange_), Bytes(routing_key),
                                    /*mandatory=*/1, /*immediate=*/0, &props, Bytes(body));
  if (rc != AMQP_STATUS_OK) throw AmqpError(std::string("publish: ") + amqp_error_string2(rc));
  return next_tag_++;
}

int AmqpConnection::fd() const {
  return amqp_get_sockfd(conn_);
}

std::optional<BrokerAnswer> AmqpConnection::NextAnswer() {
  for (;;) {
    amqp_maybe_release_buffers(conn_);
    amqp_frame_t frame;
    timeval zero{0, 0};
    const int rc = amqp_simple_wait_frame_noblock(conn_, &frame, &zero);
    if (rc == AMQP_STATUS_TIMEOUT) return std::nullopt;
    if (rc != AMQP_STATUS_OK) {
      open_ = false;
      throw AmqpError(std::string("connection lost: ") + amqp_error_string2(rc));
    }
    if (frame.frame_type != AMQP_FRAME_METHOD) continue;  // heartbeats, stray content
    const amqp_method_t& method = frame.payload.method;
    switch (method.id) {
      case AMQP_BASIC_ACK_METHOD: {
        const auto* ack = static_cast<amqp_basic_ack_t*>(method.decoded);
        return BrokerAnswer{
            BrokerAnswer::Kind::kAck, ack->delivery_tag, ack->multiple != 0, {}, {}};
      }
      case AMQP_BASIC_NACK_METHOD: {
        const auto* nack = static_cast<amqp_basic_nack_t*>(method.decoded);
        return BrokerAnswer{
            BrokerAnswer::Kind::kNack, nack->delivery_tag, nack->multiple != 0, {}, {}};
      }
      case AMQP_BASIC_RETURN_METHOD: {
        // The returned message follows (header and body frames); its
        // message-id says which one it was. Its ack comes after it.
        const auto* ret = static_cast<amqp_basic_return_t*>(method.decoded);
        BrokerAnswer answer{BrokerAnswer::Kind::kReturn,
                            0,
                            false,
                            {},
                            std::to_string(ret->reply_code) + " " + Text(ret->reply_text)};
        amqp_message_t message;
        const amqp_rpc_reply_t read = amqp_read_message(conn_, frame.channel, &message, 0);
        if (read.reply_type != AMQP_RESPONSE_NORMAL) {
          open_ = false;
          throw AmqpError("connection lost while reading a returned message");
        }
        if (message.properties._flags & AMQP_BASIC_MESSAGE_ID_FLAG) {
          answer.message_id = Text(message.properties.message_id);
        }
        amqp_destroy_message(&message);
        return answer;
      }
      case AMQP_CHANNEL_CLOSE_METHOD: {
        amqp_channel_close_ok_t ok{};
        amqp_send_method(conn_, kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
        throw AmqpError(CloseReason(method));
      }
      case AMQP_CONNECTION_CLOSE_METHOD: {
        amqp_connection_close_ok_t ok{};
        amqp_send_method(conn_, 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
        open_ = false;
        throw AmqpError(CloseReason(method));
      }
      default:
        continue;  // e.g. connection.blocked: confirms simply wait
    }
  }
}

}  // namespace herald::receivers::amqp
