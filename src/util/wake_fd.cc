#include "util/wake_fd.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

namespace herald::util {

WakeFd::WakeFd() : fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

WakeFd::~WakeFd() {
  close(fd_);
}

void WakeFd::Wake() {
  const std::uint64_t one = 1;
  // EAGAIN means the counter is saturated: it is readable already.
  [[maybe_unused]] const ssize_t n = write(fd_, &one, sizeof one);
}

void WakeFd::Clear() {
  std::uint64_t value;
  [[maybe_unused]] const ssize_t n = read(fd_, &value, sizeof value);
}

}  // namespace herald::util
