// Crash consistency (SPEC §5 rule 7, issue 9): 20 runs per store, each
// delivering 1,000 notifications while `herald serve` is killed with kill -9
// at a random moment and started again. Every notification must arrive
// (0 lost), and one may arrive twice only if it was in flight at the kill:
// delivered but not yet recorded as notified. A last run kills PostgreSQL
// itself mid-backlog. Each run prints its counts.
#include <signal.h>

#include <cstdio>
#include <random>
#include <set>

#include "delivery_fixture.h"
#include "support/postgres.h"

namespace herald::testing {
namespace {

constexpr int kRuns = 20;
constexpr int kNotifications = 1000;

// A short lease, so that what the killed process held is due again soon.
std::string Yaml(const std::string& endpoint) {
  return "clair:\n  notifier:\n    renotifyInterval: 1h\n    leaseDuration: 2s\n"
         "    http:\n      endpoint: " +
         endpoint + "\n";
}

bool WaitForAllNotified(const std::string& db, std::chrono::seconds timeout) {
  const auto give_up = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < give_up) {
    if (CountNotifications(db, "status = 'notified'") == kNotifications) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

struct RunCounts {
  int killed_after = 0;  // requests received when the kill was sent
  std::size_t received = 0;
  std::size_t distinct = 0;
  std::size_t duplicates = 0;
  std::size_t in_flight_at_kill = 0;  // received, not recorded notified
};

// One run on `db` (seeded fresh by the caller): deliver, kill -9 after a
// random number of requests, restart, and check the outcome.
RunCounts KillNineRun(const std::string& db, std::mt19937& random) {
  RunCounts counts;
  TestReceiver receiver({.threads = 4});
  const int kill_after = std::uniform_int_distribution<int>(1, kNotifications - 1)(random);
  counts.killed_after = kill_after;
  {
    HeraldServer first({.config_yaml = Yaml(receiver.Url()), .database = db});
    first.Start();
    EXPECT_TRUE(receiver.WaitUntil(
        [&](const auto& rs) { return static_cast<int>(rs.size()) >= kill_after; },
        std::chrono::seconds(60)));
    EXPECT_EQ(first.Stop(SIGKILL), 128 + SIGKILL);
  }
  // What the database says was done when the process died.
  const auto notified = NotificationNames(db, "status = 'notified'");
  const std::set<std::string> done_at_kill(notified.begin(), notified.end());
  std::set<std::string> seen_at_kill;
  for (const auto& r : receiver.Requests()) seen_at_kill.insert(r.notification);

  HeraldServer second({.config_yaml = Yaml(receiver.Url()), .database = db});
  second.Start();
  EXPECT_TRUE(WaitForAllNotified(db, std::chrono::seconds(120)))
      << CountNotifications(db, "status = 'notified'") << " notified";
  EXPECT_EQ(second.Stop(SIGTERM), 0);

  std::map<std::string, int> per_name;
  for (const auto& r : receiver.Requests()) ++per_name[r.notification];
  counts.received = receiver.Requests().size();
  counts.distinct = per_name.size();
  for (const auto& name : seen_at_kill) counts.in_flight_at_kill += done_at_kill.count(name) == 0;
  EXPECT_EQ(counts.distinct, static_cast<std::size_t>(kNotifications)) << "notifications lost";
  for (const auto& [name, n] : per_name) {
    if (n == 1) continue;
    counts.duplicates += static_cast<std::size_t>(n - 1);
    EXPECT_EQ(done_at_kill.count(name), 0u)
        << name << " was recorded notified before the kill yet delivered again";
    EXPECT_EQ(n, 2) << name << " arrived " << n << " times across one kill";
  }
  return counts;
}

void Print(const std::string& store, int run, const RunCounts& c) {
  std::printf(
      "chaos %s run %2d: kill -9 after %4d requests; %zu received, %zu distinct, %zu "
      "duplicates, %zu in flight at the kill\n",
      store.c_str(), run, c.killed_after, c.received, c.distinct, c.duplicates,
      c.in_flight_at_kill);
  std::fflush(stdout);
}

std::uint32_t Seed() {
  const std::uint32_t seed = std::random_device{}();
  std::printf("chaos seed %u\n", seed);
  return seed;
}

TEST(ChaosTest, KillNineOnSqliteLosesNothing) {
  std::mt19937 random(Seed());
  for (int run = 1; run <= kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    TempDir dir;
    const std::string db = dir.File("herald.db");
    SeedNotifications(db, kNotifications);
    Print("sqlite", run, KillNineRun(db, random));
    if (HasFatalFailure()) return;
  }
}

TEST(ChaosTest, KillNineOnPostgresLosesNothing) {
  std::mt19937 random(Seed());
  for (int run = 1; run <= kRuns; ++run) {
    SCOPED_TRACE("run " + std::to_string(run));
    ScratchDatabase db;
    SeedNotifications(db.conninfo(), kNotifications);
    Print("postgres", run, KillNineRun(db.conninfo(), random));
    if (HasFatalFailure()) return;
  }
}

// PostgreSQL itself is killed with kill -9 mid-backlog and recovers from
// its WAL: herald reconnects and every notification still arrives.
TEST(ChaosTest, KillNineOfPostgresLosesNothing) {
  PrivateCluster cluster;
  SeedNotifications(cluster.conninfo(), kNotifications);
  TestReceiver receiver({.threads = 4});
  HeraldServer server({.config_yaml = Yaml(receiver.Url()), .database = cluster.conninfo()});
  server.Start();
  ASSERT_TRUE(receiver.WaitUntil([](const auto& rs) { return rs.size() >= kNotifications / 3; },
                                 std::chrono::seconds(60)));
  cluster.Crash();
  ASSERT_TRUE(WaitForAllNotified(cluster.conninfo(), std::chrono::seconds(120)))
      << CountNotifications(cluster.conninfo(), "status = 'notified'") << server.Log();
  std::set<std::string> distinct;
  for (const auto& r : receiver.Requests()) distinct.insert(r.notification);
  EXPECT_EQ(distinct.size(), static_cast<std::size_t>(kNotifications));
  std::printf("chaos postgres killed: %zu received, %zu distinct, %zu duplicates\n",
              receiver.Requests().size(), distinct.size(),
              receiver.Requests().size() - distinct.size());
  EXPECT_TRUE(server.Running());
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace herald::testing
