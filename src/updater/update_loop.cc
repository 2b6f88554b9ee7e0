#include "updater/update_loop.h"

#include <spdlog/spdlog.h>

namespace herald::updater {
namespace {

// Longer than any run between two renewals (one source): a process that
// dies mid-run leaves the updater to the others after this.
constexpr std::int64_t kLeaseMs = 30 * 60 * 1000;

}  // namespace

UpdateLoop::UpdateLoop(store::Store& store, Updater& updater, std::chrono::nanoseconds interval,
                       std::string owner)
    : store_(store), updater_(updater), interval_(interval), owner_(std::move(owner)) {}

UpdateLoop::~UpdateLoop() {
  Stop();
}

void UpdateLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void UpdateLoop::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void UpdateLoop::Run() {
  while (!stopping_) {
    try {
      if (store_.AcquireUpdaterLease(owner_, kLeaseMs)) {
        updater_.RunOnce(std::nullopt, {}, &stopping_,
                         [this] { return store_.AcquireUpdaterLease(owner_, kLeaseMs); });
        store_.ReleaseUpdaterLease(owner_);
      } else {
        spdlog::info("feed updater: another process is running it; next look in {} s",
                     std::chrono::duration_cast<std::chrono::seconds>(interval_).count());
      }
    } catch (const std::exception& e) {
      spdlog::error("feed updater: {}", e.what());
    }
    std::unique_lock lock(mu_);
    wake_.wait_for(lock, interval_, [this] { return stopping_.load(); });
  }
}

}  // namespace herald::updater
