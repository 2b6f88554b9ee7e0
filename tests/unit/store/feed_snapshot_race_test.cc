// The feed's bulk path reads a batch without row locks and reads again,
// under lock, only the rows it is about to change (SPEC §3: a notification's
// Old is exactly what the previous change left). Another writer committing
// between the two reads cannot be timed from outside, so this test makes it
// happen: a real SQLite inventory whose locked read is preceded by a write,
// on the same database, of the kind the API would have made.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/inventory_writes.h"
#include "store/sqlite/sqlite_inventory.h"
#include "store/sqlite/sqlite_store.h"

namespace herald::store::sqlite {
namespace {

class WriterBetweenReads : public SqliteInventory {
 public:
  explicit WriterBetweenReads(Connection& c) : SqliteInventory(c), c_(c) {}

  std::vector<std::optional<StoredVulnerability>> LoadVulnerabilities(
      const std::vector<VulnerabilityKey>& keys, bool lock) override {
    if (lock && !written_) {
      written_ = true;
      c_.Exec(
          "UPDATE vulnerabilities SET description = 'changed by the API meanwhile', "
          "feed_digest = NULL");
    }
    return SqliteInventory::LoadVulnerabilities(keys, lock);
  }

  bool written() const { return written_; }

 private:
  Connection& c_;
  bool written_ = false;
};

model::Vulnerability Cve1(const std::string& description, const std::string& fix) {
  model::Vulnerability v;
  v.namespace_name = "debian:8";
  v.name = "CVE-1";
  v.description = description;
  v.fixed_in = {{"openssl", fix}};
  return v;
}

TEST(FeedSnapshotRaceTest, ARowChangedBetweenTheReadsIsRecomputedFromTheLockedRead) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("herald-race-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "race.db").string();
  util::ManualClock clock;
  {
    SqliteStore store(path, clock, OpenMode::kCreate);
    FeedSourceState source;
    source.name = "debian";
    store.ApplyFeed(source, FeedOf({Cve1("from the feed", "1.0")}), {}, {.notify = false});
  }

  FeedCounts counts;
  {
    Connection c(path, OpenMode::kExisting);
    Transaction tx(c);
    WriterBetweenReads db(c);
    counts = ApplyFeedSnapshot(db, FeedOf({Cve1("from the feed", "2.0")}), {}, 1000,
                               {.notify = true, .only_if_affected = false});
    tx.Commit();
    EXPECT_TRUE(db.written());
  }
  EXPECT_EQ(counts.changed, 1);
  EXPECT_EQ(counts.notifications, 1);

  SqliteStore store(path, clock, OpenMode::kExisting);
  const auto listed = store.ListNotifications(std::nullopt, 10, 0).notifications;
  ASSERT_EQ(listed.size(), 1u);
  const auto notification = store.GetNotification(listed[0].name);
  ASSERT_TRUE(notification && notification->old_side && notification->new_side);
  // Old is what the other writer left, not what the unlocked read saw.
  EXPECT_EQ(notification->old_side->vulnerability.description, "changed by the API meanwhile");
  EXPECT_EQ(notification->new_side->vulnerability.description, "from the feed");
  EXPECT_EQ(store.GetVulnerability("debian:8", "CVE-1")->fixed_in,
            (std::vector<model::FixedIn>{{"openssl", "2.0"}}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace herald::store::sqlite
