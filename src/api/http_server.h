// An HTTP/1.1 server on Boost.Beast: keep-alive, a body limit answered with
// 413, optional TLS (and mutual TLS). The handler runs on the io_context's
// threads and answers at once, or later from another thread (AsyncHandler)
// so that long work never holds an I/O thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "api/router.h"

namespace herald::api {

struct TlsFiles {
  std::string certfile;
  std::string keyfile;
  std::string cafile;  // set: clients must present a certificate signed by it
};

// Builds a server-side TLS context. Throws std::runtime_error naming the file
// when one cannot be loaded.
std::shared_ptr<boost::asio::ssl::context> MakeServerTlsContext(const TlsFiles& files);

class HttpServer {
 public:
  using Handler = std::function<Response(const Request&)>;
  // Must call the Reply exactly once, from any thread.
  using AsyncHandler = std::function<void(std::shared_ptr<const Request>, Reply)>;

  struct Options {
    std::string address = "0.0.0.0";
    std::uint16_t port = 0;  // 0: any free port (see port())
    std::size_t body_limit = 16 * 1024 * 1024;
    // An idle keep-alive connection closes after idle_timeout; a request's
    // headers must arrive within header_timeout of its first byte.
    std::chrono::seconds idle_timeout{60};
    std::chrono::seconds header_timeout{10};
    // Past this many open connections, new ones wait in the kernel's listen
    // backlog and are accepted as others close (SPEC §11).
    std::size_t max_connections = 1024;
    std::shared_ptr<boost::asio::ssl::context> tls;  // null: plain HTTP
  };

  HttpServer(boost::asio::io_context& ioc, Options options, Handler handler);
  HttpServer(boost::asio::io_context& ioc, Options options, AsyncHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting. Throws boost::system::system_error when the
  // port cannot be bound.
  void Start();
  // Stops accepting new connections.
  void Stop();

  // Connections open now (accepted and not yet closed).
  std::size_t OpenConnections() const;

  // Waits until no handler is running, for up to `timeout`; false when one
  // still is. Used on shutdown so that answers being computed are not cut.
  bool WaitIdle(std::chrono::milliseconds timeout);

  std::uint16_t port() const;

 private:
  class Listener;

  boost::asio::io_context& ioc_;
  Options options_;
  struct Activity {
    std::mutex mu;
    std::condition_variable idle;
    int running = 0;  // guarded by mu
  };
  std::shared_ptr<Activity> activity_ = std::make_shared<Activity>();
  std::shared_ptr<const AsyncHandler> handler_;
  std::shared_ptr<Listener> listener_;
};

}  // namespace herald::api
