// A SQLite file deleted or replaced under a running `herald serve` (SPEC §11,
// issue 9 fault 3): writes must not be acknowledged into an unlinked inode,
// and no connection may create a new empty database in its place.
#include <filesystem>

#include "api_fixture.h"

namespace herald::testing {
namespace {

std::string Vulnerability(const std::string& name) {
  return R"({"Vulnerability":{"Name":")" + name + R"(","Severity":"Low"}})";
}

void RemoveDatabaseFiles(const std::string& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
}

class VanishedDatabaseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // An explicit file keeps this on SQLite in the PostgreSQL pass too.
    server_ = std::make_unique<HeraldServer>(HeraldServer::Options{.database = db_});
    server_->Start();
    ASSERT_EQ(Post("CVE-BEFORE").status, 201);
  }

  HttpResult Post(const std::string& name) {
    return client_.Post(server_->ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities",
                        Vulnerability(name));
  }

  // Every API route now fails with the reason; health says the database is
  // gone; the process stays up.
  void ExpectRefusedAndReported() {
    auto write = Post("CVE-AFTER");
    EXPECT_GE(write.status, 500) << write.body;
    EXPECT_NE(write.body.find("deleted or replaced"), std::string::npos) << write.body;
    auto read = client_.Get(server_->ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities");
    EXPECT_GE(read.status, 500) << read.body;
    EXPECT_EQ(client_.Get(server_->HealthUrl() + "/health").status, 503);
    EXPECT_TRUE(server_->Running());
  }

  TempDir dir_;
  const std::string db_ = dir_.File("herald.db");
  std::unique_ptr<HeraldServer> server_;
  HttpClient client_;
};

TEST_F(VanishedDatabaseTest, ADeletedFileRefusesWritesAndIsNotRecreated) {
  RemoveDatabaseFiles(db_);
  ExpectRefusedAndReported();
  EXPECT_FALSE(std::filesystem::exists(db_)) << "a connection created a new empty database";
}

TEST_F(VanishedDatabaseTest, AReplacedFileIsAnErrorToo) {
  // An operator restores an old copy over the live file: writes to either
  // would be lost or diverge, so both are refused until a restart.
  std::filesystem::copy_file(db_, dir_.File("copy.db"));
  std::filesystem::rename(dir_.File("copy.db"), db_);
  ExpectRefusedAndReported();
}

}  // namespace
}  // namespace herald::testing
