#include "http_sink.h"

#include <pthread.h>

#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <charconv>

namespace herald::bench {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

// One keep-alive connection: reads requests (pipelined or not), answers each.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, HttpSink& sink) : socket_(std::move(socket)), sink_(sink) {
    buffer_.reserve(16384);
  }

  void Read() {
    const std::size_t old = buffer_.size();
    buffer_.resize(old + 8192);
    socket_.async_read_some(
        net::buffer(buffer_.data() + old, 8192),
        [self = shared_from_this(), old](boost::system::error_code ec, std::size_t n) {
          self->buffer_.resize(old + n);
          if (ec) return;
          self->Parse();
        });
  }

 private:
  void Parse() {
    std::size_t answers = 0;
    std::size_t consumed = 0;
    const auto now = HttpSink::Clock::now();
    while (true) {
      std::string_view rest(buffer_.data() + consumed, buffer_.size() - consumed);
      std::size_t end = rest.find("\r\n\r\n");
      if (end == std::string_view::npos) break;
      std::string_view head = rest.substr(0, end);
      std::size_t length = 0;
      for (std::string_view key : {"Content-Length:", "content-length:"}) {
        std::size_t at = head.find(key);
        if (at == std::string_view::npos) continue;
        std::size_t v = at + key.size();
        while (v < head.size() && head[v] == ' ') ++v;
        std::from_chars(head.data() + v, head.data() + head.size(), length);
        break;
      }
      if (rest.size() < end + 4 + length) break;  // the body is not all here yet
      sink_.Record(rest.substr(end + 4, length), now);
      consumed += end + 4 + length;
      ++answers;
    }
    buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(consumed));
    if (answers == 0) return Read();
    out_.clear();
    for (std::size_t i = 0; i < answers; ++i) out_.append(kOk);
    net::async_write(socket_, net::buffer(out_),
                     [self = shared_from_this()](boost::system::error_code ec, std::size_t) {
                       if (!ec) self->Read();
                     });
  }

  tcp::socket socket_;
  HttpSink& sink_;
  std::vector<char> buffer_;
  std::string out_;
};

}  // namespace

HttpSink::HttpSink(int threads) : acceptor_(ioc_) {
  tcp::endpoint endpoint(net::ip::make_address("127.0.0.1"), 0);
  acceptor_.open(endpoint.protocol());
  acceptor_.set_option(net::socket_base::reuse_address(true));
  acceptor_.bind(endpoint);
  acceptor_.listen(net::socket_base::max_listen_connections);
  first_.reserve(1 << 20);
  Accept();
  for (int i = 0; i < threads; ++i) {
    threads_.emplace_back([this] {
      pthread_setname_np(pthread_self(), "sink");
      ioc_.run();
    });
  }
}

HttpSink::~HttpSink() {
  ioc_.stop();
  for (auto& t : threads_) t.join();
}

void HttpSink::Accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec) return;
    socket.set_option(tcp::no_delay(true), ec);
    std::make_shared<Connection>(std::move(socket), *this)->Read();
    Accept();
  });
}

std::string HttpSink::Url() const {
  return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port()) + "/sink";
}

void HttpSink::Record(std::string_view body, Clock::time_point at) {
  ++requests_;
  // {"Notification":{"Name":"<uuid>"…}}: no JSON parser on the hot path.
  constexpr std::string_view kKey = "\"Name\":\"";
  std::size_t start = body.find(kKey);
  if (start == std::string_view::npos) return;
  start += kKey.size();
  std::size_t end = body.find('"', start);
  if (end == std::string_view::npos) return;
  bool reached = false;
  {
    std::lock_guard lock(mu_);
    if (first_.emplace(std::string(body.substr(start, end - start)), at).second) {
      if (first_.size() == 1) first_arrival_ = at;
      last_new_arrival_ = at;
      // Wake the waiter only when its target is reached: a wake-up per
      // delivery would cost the machine a core at 20,000 deliveries/s.
      reached = first_.size() >= target_.load();
    }
  }
  if (reached) cv_.notify_all();
}

std::size_t HttpSink::distinct() {
  std::lock_guard lock(mu_);
  return first_.size();
}

bool HttpSink::WaitForDistinct(std::size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  target_ = n;
  return cv_.wait_for(lock, timeout, [&] { return first_.size() >= n; });
}

std::unordered_map<std::string, HttpSink::Clock::time_point> HttpSink::Arrivals() {
  std::lock_guard lock(mu_);
  return first_;
}

HttpSink::Clock::time_point HttpSink::first_arrival() {
  std::lock_guard lock(mu_);
  return first_arrival_;
}

HttpSink::Clock::time_point HttpSink::last_new_arrival() {
  std::lock_guard lock(mu_);
  return last_new_arrival_;
}

}  // namespace herald::bench
