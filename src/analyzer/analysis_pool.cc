#include "analyzer/analysis_pool.h"

namespace herald::analyzer {

AnalysisPool::AnalysisPool(int threads) {
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

AnalysisPool::~AnalysisPool() {
  Stop();
}

void AnalysisPool::Submit(Job job) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      ready_.notify_one();
      return;
    }
  }
  job(cancelled_);
}

void AnalysisPool::Stop() {
  cancelled_ = true;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

void AnalysisPool::Work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mu_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job(cancelled_);
  }
}

}  // namespace herald::analyzer
