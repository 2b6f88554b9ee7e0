// SQLite-specific properties of the store (the shared behaviour is in the
// conformance suite).
#include "store/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

namespace herald::store::sqlite {
namespace {

TEST(SqliteStoreTest, UsesWalAndRecordsTheSchemaVersion) {
  auto dir = std::filesystem::temp_directory_path() / ("herald-wal-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "wal.db").string();
  util::ManualClock clock;
  {
    SqliteStore store(path, clock, OpenMode::kCreate);
    EXPECT_EQ(store.SchemaVersion(), SqliteStore::LatestSchemaVersion());
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, nullptr), SQLITE_OK);
    ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
    EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)), "wal");
    sqlite3_finalize(st);
    sqlite3_close(db);
  }
  std::filesystem::remove_all(dir);
}

TEST(SqliteStoreTest, RefusesANewerSchema) {
  auto dir = std::filesystem::temp_directory_path() / ("herald-newer-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "newer.db").string();
  util::ManualClock clock;
  { SqliteStore store(path, clock, OpenMode::kCreate); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO herald_schema_version VALUES (999, 0)", nullptr, nullptr,
                         nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  try {
    SqliteStore store(path, clock, OpenMode::kExisting);
    FAIL() << "opened a newer schema";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kSchema);
    EXPECT_NE(std::string(e.what()).find("999"), std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace herald::store::sqlite
