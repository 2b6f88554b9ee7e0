// A real HTTP(S) webhook receiver for tests, on loopback, built on the same
// Beast server as Herald's API. It records every request and answers as the
// test's policy says; tests wait on its condition variable, not on sleeps.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/http_server.h"

namespace herald::testing {

struct ReceivedRequest {
  std::string method;
  std::string target;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string notification;                    // Notification.Name from the body
  std::chrono::steady_clock::time_point at;
  int answered = 0;  // the status we answered with
};

struct ReceiverAnswer {
  int status = 200;
  std::map<std::string, std::string> headers;
};

class TestReceiver {
 public:
  // Decides the answer to a request; `seen` counts earlier requests for the
  // same notification. Runs on a server thread and may block (to hold
  // requests in flight).
  using Policy = std::function<ReceiverAnswer(const ReceivedRequest& request, int seen)>;

  struct Options {
    Policy policy;      // default: always 200
    api::TlsFiles tls;  // certfile set: HTTPS (cafile: require client certs)
    int threads = 2;
    std::uint16_t port = 0;  // 0: any free port (a restarted receiver passes its old one)
  };

  explicit TestReceiver(Options options);
  ~TestReceiver();

  std::string Url() const;  // http(s)://127.0.0.1:<port>/hook
  std::uint16_t port() const { return server_->port(); }

  std::vector<ReceivedRequest> Requests();
  std::vector<ReceivedRequest> RequestsFor(const std::string& notification);

  // Waits until `done(requests)` holds; false after `timeout`.
  bool WaitUntil(const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
                 std::chrono::milliseconds timeout);

  // Distinct notification names answered with a 2xx.
  std::size_t DistinctSucceeded();

  // The TLS server names (SNI) clients sent, in handshake order.
  std::vector<std::string> ServerNames();

 private:
  api::Response Handle(const api::Request& request);

  Options options_;
  boost::asio::io_context ioc_;
  std::unique_ptr<api::HttpServer> server_;
  std::vector<std::thread> threads_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<ReceivedRequest> requests_;
  std::map<std::string, int> seen_;
  std::vector<std::string> server_names_;  // guarded by mu_
};

}  // namespace herald::testing
