// The SQLite writer's group commit and background checkpoints, on a real
// database file.
#include "store/sqlite/group_commit.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/sqlite/checkpointer.h"
#include "store/store.h"

namespace herald::store::sqlite {
namespace {

class GroupCommitTest : public ::testing::Test {
 protected:
  GroupCommitTest() {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    writer_ = std::make_unique<Connection>(path_, OpenMode::kCreate);
    writer_->Exec(
        "CREATE TABLE parent (id INTEGER PRIMARY KEY);"
        "CREATE TABLE rows (x INTEGER NOT NULL, payload BLOB);"
        "CREATE TABLE child (p INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);");
    sqlite3_commit_hook(writer_->handle(), &CountCommit, &commits_);
    groups_ = std::make_unique<GroupCommit>(*writer_, writer_mu_);
  }
  ~GroupCommitTest() override {
    writer_.reset();
    std::filesystem::remove_all(dir_);
  }

  static int CountCommit(void* counter) {
    ++*static_cast<int*>(counter);
    return 0;  // let it commit
  }

  // The values of `rows`, read on a connection of their own.
  std::vector<std::int64_t> Rows() {
    Connection reader(path_, OpenMode::kExisting);
    auto& st = reader.Prepare("SELECT x FROM rows ORDER BY x");
    std::vector<std::int64_t> out;
    while (st.Step()) out.push_back(st.Int(0));
    return out;
  }

  static void Insert(Connection& c, std::int64_t x) {
    c.Prepare("INSERT INTO rows (x) VALUES (?)").Bind(1, x).Run();
  }

  // Starts `writes` on threads of their own while a first write, already
  // the leader, holds its batch open until all of them are queued; so they
  // reach the database as one batch after it.
  void RunQueuedBehindALeader(const std::vector<std::function<void(Connection&)>>& writes,
                              std::vector<std::exception_ptr>& errors) {
    errors.assign(writes.size(), nullptr);
    std::vector<std::thread> threads;
    groups_->Run([&](Connection& c) {
      Insert(c, 0);
      for (std::size_t i = 0; i < writes.size(); ++i) {
        threads.emplace_back([&, i] {
          try {
            groups_->Run(writes[i]);
          } catch (...) {
            errors[i] = std::current_exception();
          }
        });
      }
      // The event awaited: every write has joined the queue behind this one.
      while (groups_->Queued() < writes.size() + 1) std::this_thread::yield();
    });
    for (auto& t : threads) t.join();
  }

  const std::filesystem::path dir_ =
      std::filesystem::temp_directory_path() /
      ("herald-group-commit-" + std::to_string(getpid()) + "-" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  const std::string path_ = (dir_ / "writes.db").string();
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mu_;
  std::unique_ptr<GroupCommit> groups_;
  int commits_ = 0;
};

TEST_F(GroupCommitTest, WritesQueuedTogetherShareOneCommit) {
  std::vector<std::function<void(Connection&)>> writes;
  for (int i = 1; i <= 7; ++i) writes.push_back([i](Connection& c) { Insert(c, i); });
  std::vector<std::exception_ptr> errors;
  RunQueuedBehindALeader(writes, errors);
  for (const auto& e : errors) EXPECT_FALSE(e);
  EXPECT_EQ(Rows(), (std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(commits_, 2);  // the leader's own, then the seven together
}

TEST_F(GroupCommitTest, AWriteThatThrowsIsUndoneAloneAndItsCallerGetsTheError) {
  std::vector<std::function<void(Connection&)>> writes = {
      [](Connection& c) { Insert(c, 1); },
      [](Connection& c) {
        Insert(c, 2);
        throw std::runtime_error("write 2 refused");
      },
      [](Connection& c) { Insert(c, 3); },
  };
  std::vector<std::exception_ptr> errors;
  RunQueuedBehindALeader(writes, errors);
  EXPECT_FALSE(errors[0]);
  ASSERT_TRUE(errors[1]);
  try {
    std::rethrow_exception(errors[1]);
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "write 2 refused");
  }
  EXPECT_FALSE(errors[2]);
  EXPECT_EQ(Rows(), (std::vector<std::int64_t>{0, 1, 3}));

  // Alone in its batch, too.
  EXPECT_THROW(groups_->Run([](Connection& c) {
    Insert(c, 4);
    throw std::runtime_error("alone");
  }),
               std::runtime_error);
  EXPECT_EQ(Rows(), (std::vector<std::int64_t>{0, 1, 3}));
}

TEST_F(GroupCommitTest, ACommitThatFailsFailsEveryWriteOfItsBatchAndWritesNothing) {
  // A deferred foreign key is checked at COMMIT: the second write makes the
  // shared commit fail, after both writes themselves succeeded.
  std::vector<std::function<void(Connection&)>> writes = {
      [](Connection& c) { Insert(c, 1); },
      [](Connection& c) { c.Prepare("INSERT INTO child (p) VALUES (42)").Run(); },
  };
  std::vector<std::exception_ptr> errors;
  RunQueuedBehindALeader(writes, errors);
  for (const auto& e : errors) {
    ASSERT_TRUE(e);
    try {
      std::rethrow_exception(e);
    } catch (const StoreError& error) {
      EXPECT_NE(std::string(error.what()).find("FOREIGN KEY"), std::string::npos) << error.what();
    }
  }
  EXPECT_EQ(Rows(), (std::vector<std::int64_t>{0}));
  // The writer is usable afterwards.
  groups_->Run([](Connection& c) { Insert(c, 5); });
  EXPECT_EQ(Rows(), (std::vector<std::int64_t>{0, 5}));
}

TEST_F(GroupCommitTest, TheCheckpointerKeepsTheWalBoundedUnderContinuousWrites) {
  Checkpointer checkpointer(*writer_, writer_mu_, path_);
  // 16,000 commits of a page each (and its index): over 128 MB of WAL if it
  // never restarted (170 MB measured with the restart taken out); it
  // restarts each time it passes kRestartPages (32 MB).
  constexpr int kWrites = 16000;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites / 4; ++i) {
        groups_->Run([&](Connection& c) {
          c.Prepare("INSERT INTO rows (x, payload) VALUES (?, randomblob(4000))")
              .Bind(1, static_cast<std::int64_t>(t * kWrites + i))
              .Run();
        });
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_GT(checkpointer.Completed(), 0);
  EXPECT_EQ(Rows().size(), static_cast<std::size_t>(kWrites));
  const auto wal_bytes = std::filesystem::file_size(path_ + "-wal");
  EXPECT_LT(wal_bytes, std::uintmax_t{56} * 1024 * 1024)
      << "the WAL grew without restarting: " << wal_bytes << " bytes";
}

}  // namespace
}  // namespace herald::store::sqlite
