#include "support/layer_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <vector>

namespace herald::testing {
namespace {

bool SendAll(int fd, const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool SendAll(int fd, const std::string& s) {
  return SendAll(fd, s.data(), s.size());
}

// A ustar header for a 7 GiB regular file no detector reads, so that what
// follows is skipped as that file's data for as long as it comes.
std::string HugeFileHeader() {
  char h[512] = {};
  auto put = [&](std::size_t at, const char* v) { std::memcpy(h + at, v, std::strlen(v)); };
  put(0, "usr/share/endless");
  put(100, "0000644");
  put(108, "0000000");
  put(116, "0000000");
  put(124, "70000000000");  // size, octal: 7 GiB
  put(136, "00000000000");
  put(156, "0");
  put(257, "ustar");
  put(263, "00");
  put(148, "        ");  // the checksum counts its own field as spaces
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  std::snprintf(h + 148, 8, "%06o", sum);  // six digits, NUL, then a space
  h[155] = ' ';
  return std::string(h, sizeof h);
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

}  // namespace

LayerServer::LayerServer() {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 64) != 0) {
    throw std::runtime_error("layer server: cannot listen");
  }
  socklen_t len = sizeof addr;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { Accept(); });
}

LayerServer::~LayerServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  {
    std::lock_guard lock(mu_);
    for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  acceptor_.join();
  for (auto& t : workers_) t.join();
}

void LayerServer::AddFile(const std::string& name, const std::string& path) {
  std::lock_guard lock(mu_);
  files_[name] = path;
}

std::string LayerServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<std::map<std::string, std::string>> LayerServer::Requests() {
  std::lock_guard lock(mu_);
  return requests_;
}

void LayerServer::Accept() {
  while (!stopping_) {
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    std::lock_guard lock(mu_);
    open_fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void LayerServer::Serve(int fd) {
  // One request per connection (Connection: close): enough for the analyzer.
  std::string head;
  char buffer[4096];
  while (head.find("\r\n\r\n") == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    head.append(buffer, static_cast<std::size_t>(n));
  }
  std::map<std::string, std::string> headers;
  std::size_t line_end = head.find("\r\n");
  const std::string request_line = head.substr(0, line_end);
  std::size_t pos = line_end + 2;
  while (true) {
    const std::size_t end = head.find("\r\n", pos);
    if (end == pos || end == std::string::npos) break;
    const std::string line = head.substr(pos, end - pos);
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      headers[Lower(line.substr(0, colon))] = value;
    }
    pos = end + 2;
  }
  const std::size_t sp1 = request_line.find(' ');
  const std::size_t sp2 = request_line.find(' ', sp1 + 1);
  const std::string target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  {
    std::lock_guard lock(mu_);
    requests_.push_back(headers);
  }

  auto starts = [&](const std::string& prefix) { return target.rfind(prefix, 0) == 0; };
  if (starts("/files/") || starts("/dated/")) {
    // /files/ answers with an ETag, /dated/ with only a Last-Modified: the
    // two validators a feed server may give.
    const bool dated = starts("/dated/");
    std::string path;
    {
      std::lock_guard lock(mu_);
      auto it = files_.find(target.substr(7));
      if (it != files_.end()) path = it->second;
    }
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in) {
      SendAll(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    // Validators that change with the content's size: enough for the
    // updater's conditional requests.
    const std::string etag = "\"size-" + std::to_string(size) + "\"";
    const std::string date = "Wed, 21 Oct 2015 07:" + std::to_string(10 + size % 50) + ":00 GMT";
    const std::string validator = dated ? "Last-Modified: " + date : "ETag: " + etag;
    const bool fresh =
        dated ? headers["if-modified-since"] == date : headers["if-none-match"] == etag;
    if (fresh) {
      SendAll(fd, "HTTP/1.1 304 Not Modified\r\n" + validator +
                      "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    } else {
      SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n" + validator +
                      "\r\nContent-Length: " + std::to_string(size) +
                      "\r\nConnection: close\r\n\r\n");
      std::vector<char> chunk(1 << 16);
      while (in && !stopping_) {
        in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        if (in.gcount() <= 0 || !SendAll(fd, chunk.data(), static_cast<std::size_t>(in.gcount())))
          break;
      }
    }
  } else if (starts("/status/")) {
    SendAll(fd, "HTTP/1.1 " + target.substr(8) +
                    " Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (starts("/redirect/")) {
    const std::string rest = target.substr(10);
    const std::size_t slash = rest.find('/');
    const int n = std::stoi(rest.substr(0, slash));
    const std::string name = rest.substr(slash + 1);
    const std::string next =
        n <= 1 ? "/files/" + name : "/redirect/" + std::to_string(n - 1) + "/" + name;
    SendAll(fd, "HTTP/1.1 302 Found\r\nLocation: " + next +
                    "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  } else if (target == "/stall") {
    SendAll(fd, "HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\nConnection: close\r\n\r\n");
    std::unique_lock lock(mu_);
    stop_cv_.wait(lock, [this] { return stopping_.load(); });
  } else if (target == "/endless") {
    SendAll(fd, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + HugeFileHeader());
    const std::vector<char> filler(1 << 16, 'x');
    while (!stopping_ && SendAll(fd, filler.data(), filler.size())) {
    }
  } else {
    SendAll(fd, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
  }
  ::shutdown(fd, SHUT_WR);
  // Closed by the destructor's shutdown or the peer; the fd is released here.
  while (::recv(fd, buffer, sizeof buffer, 0) > 0) {
  }
  {
    std::lock_guard lock(mu_);
    open_fds_.erase(std::remove(open_fds_.begin(), open_fds_.end(), fd), open_fds_.end());
  }
  ::close(fd);
}

}  // namespace herald::testing
