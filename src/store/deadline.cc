#include "store/deadline.h"

#include <atomic>

namespace herald::store {
namespace {
thread_local std::optional<DeadlineClock::time_point> tls_deadline;
std::atomic<bool> abandoned{false};
}  // namespace

void AbandonDatabaseWork() {
  abandoned = true;
}

bool DatabaseWorkAbandoned() {
  return abandoned.load(std::memory_order_relaxed);
}

std::optional<DeadlineClock::time_point> CurrentDeadline() {
  return tls_deadline;
}

bool DeadlinePassed() {
  return tls_deadline && DeadlineClock::now() >= *tls_deadline;
}

ScopedDeadline::ScopedDeadline(DeadlineClock::time_point deadline) : previous_(tls_deadline) {
  tls_deadline = deadline;
}

ScopedDeadline::~ScopedDeadline() {
  tls_deadline = previous_;
}

}  // namespace herald::store
