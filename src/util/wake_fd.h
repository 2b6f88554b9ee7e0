// A file descriptor other threads make readable to wake a thread that waits
// in poll() on its own sockets (an eventfd): the AMQP and STOMP receivers
// wait on their broker connection and on this.
#pragma once

namespace herald::util {

class WakeFd {
 public:
  WakeFd();  // throws std::system_error
  ~WakeFd();
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;

  int fd() const { return fd_; }
  // Makes fd() readable; any thread, never blocks.
  void Wake();
  // Makes it unreadable again; by the waiting thread after poll() said so.
  void Clear();

 private:
  int fd_;
};

}  // namespace herald::util
