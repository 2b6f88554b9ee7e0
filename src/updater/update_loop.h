// `herald serve`'s updater (SPEC §8): a thread that runs every source now
// and then every `interval`, in one process at a time across all that share
// the database (the updater lease). Stop() ends it between documents.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "store/store.h"
#include "updater/updater.h"

namespace herald::updater {

class UpdateLoop {
 public:
  UpdateLoop(store::Store& store, Updater& updater, std::chrono::nanoseconds interval,
             std::string owner);
  ~UpdateLoop();
  UpdateLoop(const UpdateLoop&) = delete;
  UpdateLoop& operator=(const UpdateLoop&) = delete;

  void Start();
  // Wakes the thread, abandons the run at its next document, and joins.
  void Stop();

 private:
  void Run();

  store::Store& store_;
  Updater& updater_;
  std::chrono::nanoseconds interval_;
  std::string owner_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace herald::updater
