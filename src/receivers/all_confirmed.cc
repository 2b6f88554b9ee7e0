#include "receivers/all_confirmed.h"

#include <memory>
#include <mutex>
#include <utility>

namespace herald::receivers {
namespace {

struct Tally {
  std::mutex mu;
  std::size_t left;
  notifier::Receiver::Done done;  // empty once it has run
};

}  // namespace

notifier::Receiver::Done AllConfirmed(std::size_t parts, notifier::Receiver::Done done) {
  if (parts <= 1) return done;
  auto tally = std::make_shared<Tally>();
  tally->left = parts;
  tally->done = std::move(done);
  return [tally](notifier::SendResult result) {
    notifier::Receiver::Done run;
    {
      std::lock_guard lock(tally->mu);
      if (!tally->done) return;  // a part failed already
      --tally->left;
      if (result.outcome != model::DeliveryOutcome::kSuccess || tally->left == 0) {
        run = std::exchange(tally->done, nullptr);
      }
    }
    if (run) run(std::move(result));
  };
}

}  // namespace herald::receivers
