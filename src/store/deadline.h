// The per-request deadline (api.timeout) reaches long-running queries
// through a thread-local, so that store signatures stay free of it. Stores
// check it between query steps and throw StoreError(kDeadline).
#pragma once

#include <chrono>
#include <optional>

namespace herald::store {

using DeadlineClock = std::chrono::steady_clock;

// The deadline of the request running on this thread, if any.
std::optional<DeadlineClock::time_point> CurrentDeadline();
bool DeadlinePassed();

// Makes every database wait in this process give up now and from now on:
// PostgreSQL statements are cancelled, SQLite ones interrupted and pool
// waits end, each with StoreError(kUnavailable). For the end of a graceful
// stop, so that a stuck database cannot hold the process past it.
void AbandonDatabaseWork();
bool DatabaseWorkAbandoned();

class ScopedDeadline {
 public:
  explicit ScopedDeadline(DeadlineClock::time_point deadline);
  ~ScopedDeadline();
  ScopedDeadline(const ScopedDeadline&) = delete;
  ScopedDeadline& operator=(const ScopedDeadline&) = delete;

 private:
  std::optional<DeadlineClock::time_point> previous_;
};

}  // namespace herald::store
