// Two `herald serve` processes on one PostgreSQL database run the feed
// updater one at a time (SPEC §8: the updater lease), and the second takes
// over when the first stops. The feed is a real HTTP server on loopback
// whose answer never comes, so the first run lasts until its process stops.
#include <signal.h>

#include <chrono>
#include <thread>

#include "api_fixture.h"
#include "support/layer_server.h"
#include "support/postgres.h"

namespace herald::testing {
namespace {

using std::chrono::seconds;

// Polls for a condition that has no event to await from outside the
// process: a request reaching the server, a line reaching the log.
template <typename Condition>
bool Eventually(Condition condition, seconds timeout = seconds(60)) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < give_up) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

TEST(UpdaterLeaseTest, OneProcessRunsTheUpdaterAndTheOtherTakesOverWhenItStops) {
  ScratchDatabase db;
  LayerServer feed;
  const std::string yaml =
      "clair:\n  updater:\n    interval: 1s\n    sources:\n"
      "      - {name: slow, kind: debian-tracker, url: \"" +
      feed.Url("/stall") + "\"}\n";
  HeraldServer first({.config_yaml = yaml, .database = db.conninfo()});
  first.Start();
  ASSERT_TRUE(Eventually([&] { return feed.Requests().size() == 1; })) << first.Log();

  // The second process finds the lease held, several times over, and never
  // fetches the feed itself.
  HeraldServer second({.config_yaml = yaml, .database = db.conninfo()});
  second.Start();
  auto count_waits = [&] {
    const std::string log = second.Log();
    std::size_t n = 0;
    for (auto at = log.find("another process is running it"); at != std::string::npos;
         at = log.find("another process is running it", at + 1)) {
      ++n;
    }
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return count_waits() >= 2; })) << second.Log();
  EXPECT_EQ(feed.Requests().size(), 1u);

  // SIGTERM abandons the stalled transfer at once and releases the lease;
  // the second process runs the updater at its next look.
  EXPECT_EQ(first.Stop(SIGTERM), 0) << first.Log();
  ASSERT_TRUE(Eventually([&] { return feed.Requests().size() == 2; })) << second.Log();
  EXPECT_EQ(second.Stop(SIGTERM), 0) << second.Log();
  const std::string first_log = first.Log();
  EXPECT_NE(first_log.find("feed source slow (debian-tracker) failed: abandoned"),
            std::string::npos)
      << first_log;
}

}  // namespace
}  // namespace herald::testing
