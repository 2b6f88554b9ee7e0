// "No query scans all notifications or all layers to answer for one": every
// statement the SQLite store prepares is checked with EXPLAIN QUERY PLAN.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>

#include "inventory/vulnerability_changes.h"
#include "store/sqlite/sqlite_store.h"

namespace herald::store::sqlite {
namespace {

TEST(SqliteQueryPlanTest, EveryStatementUsesAnIndexForPerItemLookups) {
  auto dir = std::filesystem::temp_directory_path() / ("herald-plan-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "plan.db").string();
  util::ManualClock clock;
  {
    SqliteStore store(path, clock, OpenMode::kCreate);
    // Exercise every operation so that every statement gets prepared.
    store.InsertLayer({"a", "", "debian:8", std::vector<model::FeatureVersion>{{"", "x", "1"}}}, 3);
    store.InsertLayer(
        {"b", "a", "", std::vector<model::FeatureVersion>{{"", "x", "1"}, {"", "y", "1"}}}, 3);
    store.InsertLayer({"c", "b", "", std::nullopt}, 3);
    model::Vulnerability v;
    v.namespace_name = "debian:8";
    v.name = "CVE-1";
    v.fixed_in = {{"x", "2"}};
    auto change = store.ChangeVulnerability("debian:8", "CVE-1", inventory::MergePosted(v));
    v.fixed_in = {{"y", "2"}};
    store.ChangeVulnerability("debian:8", "CVE-1", inventory::MergePosted(v));
    store.GetLayer("c", true, true);
    store.ListVulnerabilities("debian:8", 10, 0);
    store.GetVulnerability("debian:8", "CVE-1");
    auto n = store.GetNotification(*change.notification_name);
    store.NotificationLayers(n->summary.id, model::Side::kNew, 0, 10);
    store.ListNotifications(std::nullopt, 10, 0);
    store.ListNotifications(model::NotificationStatus::kPending, 10, 0);
    FeedSourceState source;
    source.name = "feed";
    source.kind = "osv";
    model::Vulnerability fed = v;
    fed.name = "CVE-2";
    store.ApplyFeed(source, FeedOf({fed}), {{"CVE-1", R"({"NVD":{"CVSSv3":{"Score":9.8}}})"}}, {});
    store.RecordFeedSource(source);
    store.GetFeedSource("feed");
    store.ListFeedSources();
    store.DeleteNotification(*change.notification_name);
    store.DeleteLayer("b");
    store.ChangeVulnerability("debian:8", "CVE-1", inventory::Remove());

    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    auto statements = store.PreparedStatementsForTesting();
    EXPECT_GT(statements.size(), 20u);
    for (const auto& sql : statements) {
      if (sql.rfind("INSERT", 0) == 0 && sql.find("SELECT") == std::string::npos) continue;
      sqlite3_stmt* st = nullptr;
      ASSERT_EQ(sqlite3_prepare_v2(db, ("EXPLAIN QUERY PLAN " + sql).c_str(), -1, &st, nullptr),
                SQLITE_OK)
          << sql;
      while (sqlite3_step(st) == SQLITE_ROW) {
        std::string detail = reinterpret_cast<const char*>(sqlite3_column_text(st, 3));
        // A full SCAN is fine only for the namespace list and the feed
        // sources (small, listed whole), the recursive CTE's own queue, and
        // the herald_schema_version table.
        const bool scan = detail.rfind("SCAN", 0) == 0;
        const bool allowed = detail.find("namespaces") != std::string::npos ||
                             detail.find("tree") != std::string::npos ||
                             detail.find("CONSTANT ROW") != std::string::npos ||
                             detail.find("herald_schema_version") != std::string::npos ||
                             detail.rfind("SCAN feed_sources", 0) == 0;
        EXPECT_FALSE(scan && !allowed) << sql << "\n  plan: " << detail;
      }
      sqlite3_finalize(st);
    }
    sqlite3_close(db);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace herald::store::sqlite
