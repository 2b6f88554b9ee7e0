// Group commit for the one SQLite writer: concurrent writes share a
// transaction, and so one commit (its WAL frames, its lock handoff).
//
// The queue follows LevelDB's writer queue (DBImpl::Write): a write joins
// the queue; the write at its front becomes the leader, takes every write
// queued behind it, runs each in its own SAVEPOINT inside one transaction,
// commits once and wakes the others with their outcomes. A write that
// throws is rolled back to its savepoint alone; the others still commit.
// Under no contention a write is its own batch, as before.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>

#include "store/sqlite/connection.h"

namespace herald::store::sqlite {

class GroupCommit {
 public:
  // `writer` is guarded by `writer_mu`, which other users of the writer
  // (the notifier's claims, migrations) take as before.
  GroupCommit(Connection& writer, std::mutex& writer_mu) : writer_(writer), writer_mu_(writer_mu) {}

  // Runs `write` on the writer inside a write transaction and returns once
  // that transaction committed. Rethrows what `write` threw, with its
  // changes undone; throws the commit's error when the shared commit
  // failed, with nothing of the batch written.
  void Run(const std::function<void(Connection&)>& write);

  // Writes queued, the one being committed included (for tests).
  std::size_t Queued();

  // Writes taken into one transaction at most, so that a burst does not
  // hold every caller until one huge commit.
  static constexpr std::size_t kMaxBatch = 64;

 private:
  struct Waiter {
    const std::function<void(Connection&)>* write = nullptr;
    std::exception_ptr error;
    bool done = false;
    std::condition_variable wake;
  };

  // Runs `batch` in one transaction; each waiter's error is set.
  void CommitBatch(const std::deque<Waiter*>& batch);

  Connection& writer_;
  std::mutex& writer_mu_;
  std::mutex queue_mu_;
  std::deque<Waiter*> queue_;  // guarded by queue_mu_; the front is the leader
};

}  // namespace herald::store::sqlite
