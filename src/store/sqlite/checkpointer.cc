#include "store/sqlite/checkpointer.h"

#include <spdlog/spdlog.h>

namespace herald::store::sqlite {

Checkpointer::Checkpointer(Connection& writer, std::mutex& writer_mu, const std::string& path)
    : writer_(writer),
      writer_mu_(writer_mu),
      own_(std::make_unique<Connection>(path, OpenMode::kExisting)) {
  // Replaces the writer's automatic checkpoints (sqlite3_wal_autocheckpoint
  // is itself a WAL hook).
  sqlite3_wal_hook(writer_.handle(), &Checkpointer::OnCommit, this);
  thread_ = std::thread([this] { Run(); });
}

Checkpointer::~Checkpointer() {
  sqlite3_wal_hook(writer_.handle(), nullptr, nullptr);
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

long Checkpointer::Completed() {
  std::lock_guard lock(mu_);
  return completed_;
}

int Checkpointer::OnCommit(void* self, sqlite3*, const char*, int wal_pages) {
  if (wal_pages < kWalPages) return SQLITE_OK;
  auto* checkpointer = static_cast<Checkpointer*>(self);
  {
    std::lock_guard lock(checkpointer->mu_);
    checkpointer->wanted_ = true;
  }
  checkpointer->wake_.notify_one();
  return SQLITE_OK;
}

void Checkpointer::Run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait(lock, [&] { return wanted_ || stop_; });
    if (stop_) return;
    wanted_ = false;
    lock.unlock();
    if (CheckpointOnce() >= kRestartPages) {
      std::lock_guard writer_lock(writer_mu_);
      CheckpointOnce();
    }
    lock.lock();
    ++completed_;
  }
}

int Checkpointer::CheckpointOnce() {
  int wal_frames = 0;
  int copied = 0;
  const int rc = sqlite3_wal_checkpoint_v2(own_->handle(), "main", SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied);
  // A failed checkpoint loses nothing: the frames stay in the WAL, where
  // readers find them, and the next commit past the threshold retries.
  if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
    spdlog::warn("database: WAL checkpoint failed: {}", sqlite3_errstr(rc));
  }
  return wal_frames;
}

}  // namespace herald::store::sqlite
