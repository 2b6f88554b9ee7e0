#include "store/sqlite/group_commit.h"

#include <algorithm>
#include <iterator>

namespace herald::store::sqlite {

void GroupCommit::Run(const std::function<void(Connection&)>& write) {
  Waiter self;
  self.write = &write;
  std::unique_lock lock(queue_mu_);
  queue_.push_back(&self);
  self.wake.wait(lock, [&] { return self.done || queue_.front() == &self; });
  if (!self.done) {
    // The leader: everything queued so far rides on this commit.
    const auto take = std::min(queue_.size(), kMaxBatch);
    std::deque<Waiter*> batch(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(take));
    lock.unlock();
    CommitBatch(batch);
    lock.lock();
    for (Waiter* w : batch) {
      queue_.pop_front();
      w->done = true;
      if (w != &self) w->wake.notify_one();
    }
    if (!queue_.empty()) queue_.front()->wake.notify_one();  // the next leader
  }
  lock.unlock();
  if (self.error) std::rethrow_exception(self.error);
}

std::size_t GroupCommit::Queued() {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
}

void GroupCommit::CommitBatch(const std::deque<Waiter*>& batch) {
  std::lock_guard writer_lock(writer_mu_);
  try {
    Transaction tx(writer_);
    for (Waiter* w : batch) {
      writer_.Prepare("SAVEPOINT herald_write").Run();
      try {
        (*w->write)(writer_);
        writer_.ResetBusyStatements();
        writer_.Prepare("RELEASE herald_write").Run();
      } catch (...) {
        w->error = std::current_exception();
        // Undoes this write alone. When SQLite already rolled back the
        // whole transaction (SQLITE_FULL, an I/O error), this throws and
        // the batch fails below.
        writer_.ResetBusyStatements();
        writer_.Prepare("ROLLBACK TO herald_write").Run();
        writer_.Prepare("RELEASE herald_write").Run();
      }
    }
    tx.Commit();
  } catch (...) {
    const auto failed = std::current_exception();
    for (Waiter* w : batch) {
      if (!w->error) w->error = failed;
    }
  }
}

}  // namespace herald::store::sqlite
