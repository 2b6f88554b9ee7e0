// The notifier engine (SPEC §5): claims due notifications in batches with a
// lease, sends each to every enabled receiver concurrently, records every
// outcome, schedules retries and renotify rounds by storing due times (a
// waiting retry holds no worker), renews its leases while work goes on, and
// is fenced out when a lease is lost. No HTTP and no SQL here: receivers and
// the store do that.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "metrics/metrics.h"
#include "notifier/receiver.h"
#include "notifier/round.h"
#include "store/store.h"
#include "util/clock.h"

namespace herald::notifier {

class Engine {
 public:
  struct Options {
    std::string owner;     // unique per process; written on every lease it takes
    int concurrency = 64;  // notifications in flight at once
    std::chrono::milliseconds lease{std::chrono::minutes(10)};
    // The longest the engine sleeps without looking at the store, so that
    // work made due by other processes (or the CLI) is picked up in time.
    std::chrono::milliseconds max_idle{1000};
    // herald_notifier_pending is a COUNT over the status index: refreshed
    // this often, so that a large backlog does not pay for it continually.
    std::chrono::milliseconds pending_gauge_period{5000};

    RoundPolicy policy;
  };

  // REQUIRES: receivers non-empty. `metrics` may be null.
  Engine(store::Store& store, util::Clock& clock, std::vector<std::unique_ptr<Receiver>> receivers,
         Options options, metrics::Metrics* metrics);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs the loop on a thread of its own.
  void Start();

  // Receiver key → why that receiver cannot deliver now; empty when all can.
  // Any thread.
  std::map<std::string, std::string> ReceiverProblems() const;

  // Something became due now (a new notification, a redeliver): look at
  // the store without waiting.
  void Wake();

  // Stops claiming, lets attempts in flight finish for up to `grace`,
  // records what finished, releases every notification still held (due
  // now, for whoever comes next), and stops the receivers. Blocks.
  void Stop(std::chrono::milliseconds grace);

  // One pass of the loop, for tests that drive the engine without its
  // thread: handles finished attempts, renews leases, claims and sends.
  // Returns how many notifications it claimed.
  int Step();

  // Notifications claimed and not yet finished (engine thread / Step only).
  std::size_t InFlight() const { return in_flight_.size(); }

 private:
  struct Finished {
    std::int64_t id;
    std::string receiver;
    std::int64_t started_ms;
    std::int64_t lease_token;  // of the claim the attempt was made under
    int round;
    int attempt;
    SendResult result;
  };
  struct Held {
    store::ClaimedNotification claim;
    int outstanding = 0;
    std::vector<model::DeliveryAttempt> attempts;
  };

  void Loop();
  void Dispatch(store::ClaimedNotification claim, std::int64_t now,
                std::vector<store::RoundUpdate>& updates);
  void SendTo(Held& held, const std::vector<std::string>& keys, std::int64_t now);

  store::RoundUpdate Finish(Held& held, std::int64_t now);
  void Flush(std::vector<store::RoundUpdate>& updates);
  void RenewLeases(std::int64_t now);
  void ReleaseAll();
  std::chrono::milliseconds IdleWait(std::int64_t now);

  store::Store& store_;
  util::Clock& clock_;
  std::vector<std::unique_ptr<Receiver>> receivers_;
  std::vector<std::string> keys_;
  Options options_;
  metrics::Metrics* metrics_;

  // Engine thread (or Step) only.
  std::unordered_map<std::int64_t, Held> in_flight_;
  std::vector<store::RoundUpdate> unflushed_;  // kept when the store failed
  std::mt19937_64 random_;
  std::int64_t last_renewal_ms_ = 0;
  std::chrono::steady_clock::time_point last_gauge_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Finished> finished_;                        // guarded by mu_
  bool wake_ = false;                                    // guarded by mu_
  bool stopping_ = false;                                // guarded by mu_
  std::chrono::steady_clock::time_point stop_deadline_;  // guarded by mu_
  std::thread thread_;
  bool stopped_ = false;
};

}  // namespace herald::notifier
