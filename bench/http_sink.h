// A fast webhook sink for benchmarks: plain HTTP/1.1 over Asio on loopback
// with keep-alive, answers every request 200 with an empty body, counts
// requests and records when each notification first arrived. It parses only
// what a webhook POST needs (headers end, Content-Length, the Name field), so
// that the machine's CPU goes to the system under test.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace herald::bench {

class HttpSink {
 public:
  using Clock = std::chrono::steady_clock;

  explicit HttpSink(int threads = 1);
  ~HttpSink();

  std::string Url() const;

  std::size_t requests() const { return requests_.load(); }
  std::size_t distinct();
  // Waits until `n` distinct notifications have arrived; false on timeout.
  bool WaitForDistinct(std::size_t n, std::chrono::milliseconds timeout);
  // First arrival of each notification name.
  std::unordered_map<std::string, Clock::time_point> Arrivals();
  Clock::time_point first_arrival();
  Clock::time_point last_new_arrival();

  // Records one request body (called by connections).
  void Record(std::string_view body, Clock::time_point at);

 private:
  void Accept();

  boost::asio::io_context ioc_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  std::atomic<std::size_t> requests_{0};
  std::atomic<std::size_t> target_{0};  // distinct count WaitForDistinct waits for
  std::mutex mu_;
  std::condition_variable cv_;
  std::unordered_map<std::string, Clock::time_point> first_;  // guarded by mu_
  Clock::time_point first_arrival_{};                         // guarded by mu_
  Clock::time_point last_new_arrival_{};                      // guarded by mu_
};

}  // namespace herald::bench
