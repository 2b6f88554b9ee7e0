// Cross-process wake-ups on PostgreSQL: a process's NOTIFY herald_due goes
// out after its commit, from the store's LISTEN connection.
#include <gtest/gtest.h>
#include <poll.h>

#include <chrono>
#include <future>
#include <mutex>

#include "inventory/vulnerability_changes.h"
#include "store/postgres/connection.h"
#include "store/postgres/postgres_inventory.h"
#include "store/postgres/postgres_store.h"
#include "support/postgres.h"
#include "util/clock.h"

namespace herald::store::postgres {
namespace {

using namespace std::chrono_literals;

// Waits up to `limit` for a notification on `conn`, which LISTENs.
bool NotifiedWithin(Connection& conn, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  PGconn* pg = conn.handle();
  for (;;) {
    PQconsumeInput(pg);
    if (PGnotify* n = PQnotifies(pg)) {
      PQfreemem(n);
      return true;
    }
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left <= 0ms) return false;
    pollfd fd{PQsocket(pg), POLLIN, 0};
    poll(&fd, 1, static_cast<int>(left.count()));
  }
}

TEST(PostgresAnnounceTest, ACommitJustBeforeTheStoreClosesIsStillAnnouncedToOtherProcesses) {
  herald::testing::ScratchDatabase db;
  util::SystemClock clock;
  Connection other_process(db.conninfo());
  other_process.Simple(std::string("LISTEN ") + kDueChannel);

  std::promise<void> listening;
  std::once_flag once;
  {
    PostgresStore store(db.conninfo(), 2, clock);
    // The store wakes its own notifier once its LISTEN connection is up.
    store.SetDueListener([&] { std::call_once(once, [&] { listening.set_value(); }); });
    ASSERT_EQ(listening.get_future().wait_for(30s), std::future_status::ready);
    model::Vulnerability v;
    v.name = "CVE-2026-0001";
    v.namespace_name = "debian:12";
    v.severity = "High";
    auto change = store.ChangeVulnerability("debian:12", v.name, inventory::MergePosted(v));
    ASSERT_TRUE(change.notification_name);
    // Closed at once, as `herald update --once` exits after its commit.
  }
  EXPECT_TRUE(NotifiedWithin(other_process, 10s))
      << "the NOTIFY for a notification committed just before the store closed was never sent";
}

}  // namespace
}  // namespace herald::store::postgres
