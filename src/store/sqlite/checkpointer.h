// Moves WAL checkpoints off the committing thread.
//
// With SQLite's automatic checkpoints, the commit that crosses the WAL
// threshold copies the whole WAL into the database file and syncs it
// before it returns, holding the write lock: every write queued behind it
// waits (40 ms at p99 under sustained API writes here). The Checkpointer
// replaces that with a PASSIVE checkpoint on its own connection and thread,
// woken by the writer's WAL hook. A passive checkpoint never blocks the
// writer or the readers. But SQLite restarts the WAL from its start only
// when a checkpoint has caught up with the last commit, which a checkpoint
// running beside a busy writer never does; so once the WAL passes
// kRestartPages, the checkpointer copies the few frames still left while
// holding the writer's mutex, and the next write starts the WAL over. The
// writes wait for that tail only, not for the whole WAL.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite/connection.h"

namespace herald::store::sqlite {

class Checkpointer {
 public:
  // Installs itself as `writer`'s WAL hook; `writer_mu` guards `writer`;
  // `path` is the database both connections open.
  Checkpointer(Connection& writer, std::mutex& writer_mu, const std::string& path);
  // Removes the hook and stops the thread; a checkpoint under way ends first.
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // WAL pages after which a checkpoint starts (16 MB of 4 KiB pages).
  // Four times SQLite's default: each checkpoint syncs the WAL and the
  // database, which was 13 % of herald's CPU under sustained writes at
  // 1,000 pages.
  static constexpr int kWalPages = 4000;
  // WAL frames after a checkpoint beyond which it ends under the writer's
  // mutex so that the WAL restarts.
  static constexpr int kRestartPages = 2 * kWalPages;

  // Checkpoints completed so far (for tests).
  long Completed();

 private:
  static int OnCommit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void Run();
  // One PASSIVE checkpoint; returns the frames in the WAL.
  int CheckpointOnce();

  Connection& writer_;
  std::mutex& writer_mu_;
  std::unique_ptr<Connection> own_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool wanted_ = false;  // guarded by mu_
  bool stop_ = false;    // guarded by mu_
  long completed_ = 0;   // guarded by mu_
  std::thread thread_;
};

}  // namespace herald::store::sqlite
