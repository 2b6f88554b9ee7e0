#include "api/http_server.h"

#include <spdlog/spdlog.h>

#include <array>
#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace herald::api {
namespace {

namespace beast = boost::beast;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = net::ip::tcp;

// One connection. Stream is beast::tcp_stream or ssl_stream<tcp_stream>;
// requests on a connection are handled one after another.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  // `slot` is released when the session ends: it counts against
  // max_connections until then.
  template <class... Args>
  Session(std::shared_ptr<const HttpServer::AsyncHandler> handler,
          const HttpServer::Options& options, std::shared_ptr<void> slot, Args&&... stream_args)
      : stream_(std::forward<Args>(stream_args)...),
        handler_(std::move(handler)),
        body_limit_(options.body_limit),
        idle_timeout_(options.idle_timeout),
        header_timeout_(options.header_timeout),
        slot_(std::move(slot)) {}

  void Run() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      ReadRequest();
    } else {
      beast::get_lowest_layer(stream_).expires_after(header_timeout_);
      stream_.async_handshake(ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) return;  // failed handshakes (bad client cert) just close
                                self->ReadRequest();
                              });
    }
  }

 private:
  // Three deadlines (SPEC §11): an idle keep-alive connection may wait
  // idle_timeout for a request to begin; once its first byte is here, the
  // headers must be complete within header_timeout, so a client trickling
  // bytes cannot hold a connection; the body then has idle_timeout.
  void ReadRequest() {
    parser_.emplace();
    parser_->body_limit(body_limit_);
    if (buffer_.size() > 0) return ReadHeader();  // a pipelined request is already here
    beast::get_lowest_layer(stream_).expires_after(idle_timeout_);
    stream_.async_read_some(buffer_.prepare(kFirstRead),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              if (ec) return self->OnRead(ec);
                              self->buffer_.commit(n);
                              self->ReadHeader();
                            });
  }

  void ReadHeader() {
    beast::get_lowest_layer(stream_).expires_after(header_timeout_);
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec) return self->OnRead(ec);
                              self->ReadBody();
                            });
  }

  void ReadBody() {
    beast::get_lowest_layer(stream_).expires_after(idle_timeout_);
    http::async_read(
        stream_, buffer_, *parser_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->OnRead(ec); });
  }

  static constexpr std::size_t kFirstRead = 4096;

  void OnRead(beast::error_code ec) {
    if (ec == http::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || ec == net::error::eof ||
        ec == net::error::connection_reset) {
      return Close();
    }
    if (ec == http::error::body_limit) {
      linger_ = true;
      return Send(ErrorResponse(

          413,
          "the request body is larger than the limit of " + std::to_string(body_limit_) + " bytes",
          11, false));
    }
    if (ec) {
      // A request we cannot parse still gets an answer before the close.
      linger_ = true;
      return Send(ErrorResponse(400, "malformed HTTP request: " + ec.message(), 11, false));
    }
    auto request = std::make_shared<const Request>(parser_->release());
    (*handler_)(std::move(request), [self = this->shared_from_this()](Response response) {
      // An answer from another thread joins the connection's strand.
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->Send(std::move(response));
      });
    });
  }

  void Send(Response response) {
    auto shared = std::make_shared<Response>(std::move(response));
    beast::get_lowest_layer(stream_).expires_after(idle_timeout_);
    http::async_write(stream_, *shared,
                      [self = this->shared_from_this(), shared](beast::error_code ec, std::size_t) {
                        if (ec || !shared->keep_alive()) return self->Close();
                        self->ReadRequest();
                      });
  }

  void Close() {
    beast::error_code ec;
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
      // After an early answer (413 before the body arrived) the client is
      // still sending; closing now would reset the connection and destroy
      // the answer in flight. Read and discard until the client is done.
      if (linger_) {
        stream_.expires_after(std::chrono::seconds(10));
        Discard();
      }
    } else {
      beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) {});
    }
  }

  void Discard() {
    if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
      stream_.async_read_some(net::buffer(discard_),
                              [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                                if (!ec) self->Discard();
                              });
    }
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  bool linger_ = false;
  std::array<char, 16384> discard_{};
  std::optional<http::request_parser<http::string_body>> parser_;
  std::shared_ptr<const HttpServer::AsyncHandler> handler_;
  std::size_t body_limit_;
  std::chrono::seconds idle_timeout_;
  std::chrono::seconds header_timeout_;
  std::shared_ptr<void> slot_;
};

}  // namespace

std::shared_ptr<ssl::context> MakeServerTlsContext(const TlsFiles& files) {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  auto load = [](const std::string& what, const std::string& file, auto&& fn) {
    try {
      fn();
    } catch (const boost::system::system_error& e) {
      throw std::runtime_error("cannot load " + what + " " + file + ": " + e.code().message());
    }
  };
  load("certfile", files.certfile, [&] { ctx->use_certificate_chain_file(files.certfile); });
  load("keyfile", files.keyfile,
       [&] { ctx->use_private_key_file(files.keyfile, ssl::context::pem); });
  if (!files.cafile.empty()) {
    load("cafile", files.cafile, [&] { ctx->load_verify_file(files.cafile); });
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  }
  return ctx;
}

// Accepts connections on a strand of its own, up to max_connections at a
// time. Sessions hold a slot whose release may resume a paused accept loop,
// so the listener is shared with them and outlives the server if need be.
class HttpServer::Listener : public std::enable_shared_from_this<HttpServer::Listener> {
 public:
  Listener(net::io_context& ioc, const Options& options,
           std::shared_ptr<const AsyncHandler> handler)
      : ioc_(ioc),
        options_(options),
        handler_(std::move(handler)),
        strand_(net::make_strand(ioc)),
        acceptor_(strand_),
        retry_(strand_) {}

  void Start() {
    tcp::endpoint endpoint(net::ip::make_address(options_.address), options_.port);
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(net::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(net::socket_base::max_listen_connections);
    net::post(strand_, [self = shared_from_this()] { self->Accept(); });
  }

  void Stop() {
    net::post(strand_, [self = shared_from_this()] {
      beast::error_code ec;
      self->acceptor_.close(ec);
      self->retry_.cancel();
    });
  }

  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::size_t open() const { return open_.load(); }

 private:
  // On the strand.
  void Accept() {
    if (!acceptor_.is_open()) return;
    if (open_ >= options_.max_connections) {
      paused_ = true;  // the next slot released resumes
      return;
    }
    acceptor_.async_accept(net::make_strand(ioc_),
                           [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
                             self->OnAccept(ec, std::move(socket));
                           });
  }

  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      // Out of descriptors or memory, the pending connection stays in the
      // backlog and every retry fails at once: retrying at once would spin
      // a core and flood the log. Wait for a close, or a little while.
      Warn(ec);
      paused_ = true;
      retry_.expires_after(kRetryAfterAcceptError);
      retry_.async_wait([self = shared_from_this()](beast::error_code wait_ec) {
        if (!wait_ec) self->Resume();
      });
      return;
    }
    ++open_;
    // The slot's release returns to this strand, whatever thread ends the session.
    std::shared_ptr<void> slot(nullptr, [self = shared_from_this()](void*) {
      net::post(self->strand_, [self] {
        --self->open_;
        self->Resume();
      });
    });
    socket.set_option(tcp::no_delay(true), ec);
    if (options_.tls) {
      std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
          handler_, options_, std::move(slot), std::move(socket), *options_.tls)
          ->Run();
    } else {
      std::make_shared<Session<beast::tcp_stream>>(handler_, options_, std::move(slot),
                                                   std::move(socket))
          ->Run();
    }
    Accept();
  }

  void Resume() {
    if (!paused_) return;
    paused_ = false;
    retry_.cancel();
    Accept();
  }

  // At most one line per second, with how many were left out.
  void Warn(const beast::error_code& ec) {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_warning_ < std::chrono::seconds(1)) {
      ++suppressed_;
      return;
    }
    spdlog::warn(
        "port {}: cannot accept a connection: {} ({} open; {} more such errors since the "
        "last line); retrying as connections close",
        port(), ec.message(), open_.load(), suppressed_);
    last_warning_ = now;
    suppressed_ = 0;
  }

  static constexpr std::chrono::milliseconds kRetryAfterAcceptError{100};

  net::io_context& ioc_;
  const Options options_;
  std::shared_ptr<const AsyncHandler> handler_;
  net::strand<net::io_context::executor_type> strand_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_;
  std::atomic<std::size_t> open_{0};  // written on the strand only
  bool paused_ = false;               // strand only
  std::chrono::steady_clock::time_point last_warning_{};
  std::size_t suppressed_ = 0;
};

HttpServer::HttpServer(net::io_context& ioc, Options options, Handler handler)
    : HttpServer(
          ioc, std::move(options),
          AsyncHandler([handler = std::move(handler)](std::shared_ptr<const Request> request,
                                                      Reply reply) { reply(handler(*request)); })) {
}

HttpServer::HttpServer(net::io_context& ioc, Options options, AsyncHandler handler)
    : ioc_(ioc),
      options_(std::move(options)),
      handler_(std::make_shared<const AsyncHandler>(
          [activity = activity_, handler = std::move(handler)](
              std::shared_ptr<const Request> request, Reply reply) {
            {
              std::lock_guard lock(activity->mu);
              ++activity->running;
            }
            // Counted until the answer is handed back, wherever it is made.
            struct Done {
              std::shared_ptr<Activity> a;
              ~Done() {
                {
                  std::lock_guard lock(a->mu);
                  --a->running;
                }
                a->idle.notify_all();
              }
            };
            auto done = std::make_shared<Done>(Done{activity});
            handler(std::move(request), [done, reply = std::move(reply)](Response response) {
              reply(std::move(response));
            });
          })),
      listener_(std::make_shared<Listener>(ioc_, options_, handler_)) {}

HttpServer::~HttpServer() {
  listener_->Stop();
}

void HttpServer::Start() {
  listener_->Start();
}

void HttpServer::Stop() {
  listener_->Stop();
}

std::size_t HttpServer::OpenConnections() const {
  return listener_->open();
}

bool HttpServer::WaitIdle(std::chrono::milliseconds timeout) {
  std::unique_lock lock(activity_->mu);
  return activity_->idle.wait_for(lock, timeout, [this] { return activity_->running == 0; });
}

std::uint16_t HttpServer::port() const {
  return listener_->port();
}

}  // namespace herald::api
