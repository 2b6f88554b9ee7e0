#include "store/database_clock.h"

#include <chrono>

namespace herald::store {

std::int64_t SyncClock(util::AnchoredClock& clock, Store& store) {
  using std::chrono::steady_clock;
  const std::int64_t before = clock.NowMillis();
  const steady_clock::time_point asked = steady_clock::now();
  const std::optional<std::int64_t> database = store.DatabaseNowMillis();
  const steady_clock::time_point answered = steady_clock::now();
  if (database) {
    clock.Anchor(*database, asked + (answered - asked) / 2);
  } else {
    clock.Anchor(util::SystemClock::Instance().NowMillis(), answered);
  }
  const std::int64_t elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(steady_clock::now() - asked).count();
  return clock.NowMillis() - (before + elapsed);
}

}  // namespace herald::store
