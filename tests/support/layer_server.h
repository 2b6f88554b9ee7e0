// A real HTTP/1.1 server on loopback that serves layer tarballs to Herald's
// analyzer, and misbehaves on request: redirects, error statuses, a server
// that stalls, one that sends an endless body. Written on plain sockets so a
// test controls every byte and every pause.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace herald::testing {

class LayerServer {
 public:
  // Routes, by request path:
  //   /files/NAME           the file registered under NAME (200), with an ETag;
  //                         304 when If-None-Match names it
  //   /dated/NAME           the same with only a Last-Modified; 304 when
  //                         If-Modified-Since names it
  //   /status/CODE          an empty answer with that status
  //   /redirect/N/NAME      N redirects, then /files/NAME
  //   /stall                headers, then nothing until the server stops
  //   /endless              200 with an endless body: a tar header for a
  //                         huge file, then its data without end
  LayerServer();
  ~LayerServer();
  LayerServer(const LayerServer&) = delete;
  LayerServer& operator=(const LayerServer&) = delete;

  void AddFile(const std::string& name, const std::string& path);
  std::string Url(const std::string& path) const;  // http://127.0.0.1:PORT + path

  // The request headers of every request so far (lower-case names).
  std::vector<std::map<std::string, std::string>> Requests();

 private:
  void Accept();
  void Serve(int fd);

  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::condition_variable stop_cv_;
  std::map<std::string, std::string> files_;
  std::vector<std::map<std::string, std::string>> requests_;
  std::vector<int> open_fds_;
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

}  // namespace herald::testing
