// The analyzer's own bounded pool (analyzer.concurrency threads): analyses
// never run on the API's I/O threads, and more layers than threads wait in
// line. Stop() sets the flag every analysis checks, so a SIGTERM abandons the
// analyses in flight (nothing written) instead of waiting for them.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace herald::analyzer {

class AnalysisPool {
 public:
  using Job = std::function<void(const std::atomic<bool>& cancelled)>;

  explicit AnalysisPool(int threads);
  ~AnalysisPool();
  AnalysisPool(const AnalysisPool&) = delete;
  AnalysisPool& operator=(const AnalysisPool&) = delete;

  // Queues `job`. After Stop() the job still runs, at once and with the flag
  // set, so that whoever waits on it gets an answer.
  void Submit(Job job);

  // Sets the cancel flag, lets every thread finish the job it holds and the
  // queued ones (which see the flag), and joins them. Idempotent.
  void Stop();

 private:
  void Work();

  std::atomic<bool> cancelled_{false};
  std::mutex mu_;
  std::condition_variable ready_;
  std::deque<Job> queue_;  // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace herald::analyzer
