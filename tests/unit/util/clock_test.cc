// The clock every `herald serve` reads: wall time from an anchor, advanced
// by the monotonic clock.
#include "util/clock.h"

#include <gtest/gtest.h>

namespace herald::util {
namespace {

using std::chrono::steady_clock;

TEST(AnchoredClockTest, StartsOnTheSystemClock) {
  AnchoredClock clock;
  EXPECT_LE(std::llabs(clock.NowMillis() - SystemClock::Instance().NowMillis()), 1000);
}

TEST(AnchoredClockTest, ReadsTheAnchorPlusMonotonicTimeSinceIt) {
  AnchoredClock clock;
  const auto at = steady_clock::now() - std::chrono::seconds(5);
  clock.Anchor(1'000'000'000'000, at);
  const std::int64_t now = clock.NowMillis();
  EXPECT_GE(now, 1'000'000'005'000);
  EXPECT_LT(now, 1'000'000'005'000 + 60'000);
}

TEST(AnchoredClockTest, NeverGoesBackBetweenAnchors) {
  AnchoredClock clock;
  std::int64_t last = clock.NowMillis();
  for (int i = 0; i < 100000; ++i) {
    const std::int64_t now = clock.NowMillis();
    ASSERT_GE(now, last);
    last = now;
  }
}

}  // namespace
}  // namespace herald::util
