#include "notifier/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace herald::notifier {
namespace {
constexpr std::chrono::milliseconds kGatherWindow{2};
}  // namespace

Engine::Engine(store::Store& store, util::Clock& clock,
               std::vector<std::unique_ptr<Receiver>> receivers, Options options,
               metrics::Metrics* metrics)
    : store_(store),
      clock_(clock),
      receivers_(std::move(receivers)),
      options_(std::move(options)),
      metrics_(metrics),
      random_(std::random_device{}()) {
  for (const auto& r : receivers_) {
    keys_.emplace_back(r->key());
    if (metrics_ != nullptr) metrics_->DeclareReceiver(keys_.back());
  }
}

Engine::~Engine() {
  if (!stopped_) Stop(std::chrono::milliseconds(0));
}

void Engine::Start() {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "notifier");
    Loop();
  });
}

void Engine::Wake() {
  {
    std::lock_guard lock(mu_);
    wake_ = true;
  }
  cv_.notify_one();
}

void Engine::Stop(std::chrono::milliseconds grace) {
  if (stopped_) return;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    stop_deadline_ = std::chrono::steady_clock::now() + grace;
  }
  cv_.notify_one();
  if (thread_.joinable()) {
    thread_.join();
  } else {
    ReleaseAll();
  }
  for (auto& r : receivers_) r->Shutdown();
  stopped_ = true;
}

int Engine::Step() {
  std::deque<Finished> finished;
  {
    std::lock_guard lock(mu_);
    finished.swap(finished_);
    wake_ = false;
  }
  const std::int64_t now = clock_.NowMillis();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<store::RoundUpdate> updates = std::move(unflushed_);
  unflushed_.clear();
  for (auto& f : finished) {
    auto it = in_flight_.find(f.id);
    if (it == in_flight_.end()) continue;
    Held& held = it->second;
    // An attempt made under a superseded claim (see Dispatch) is logged but
    // no longer counts for the round.
    if (f.lease_token == held.claim.lease_token) {
      ApplyResult(held.claim.progress, f.receiver, f.result, options_.policy, now, unit(random_));
    }
    model::DeliveryAttempt attempt;
    attempt.receiver = f.receiver;
    attempt.round = f.round;
    attempt.attempt = f.attempt;
    attempt.started_ms = f.started_ms;
    attempt.duration_ms = f.result.duration_ms;
    attempt.outcome = f.result.outcome;
    attempt.http_status = f.result.http_status;
    attempt.error = f.result.error;
    if (metrics_)
      metrics_->CountDelivery(f.receiver, std::string(model::ToString(attempt.outcome)));
    held.attempts.push_back(std::move(attempt));
    if (--held.outstanding == 0) {
      updates.push_back(Finish(held, now));
      in_flight_.erase(it);
    }
  }
  Flush(updates);
  RenewLeases(now);

  bool stopping;
  {
    std::lock_guard lock(mu_);
    stopping = stopping_;
  }
  if (stopping) return 0;
  const int free = options_.concurrency - static_cast<int>(in_flight_.size());
  if (free <= 0) return 0;
  auto claims = store_.ClaimDue(options_.owner, now, now + options_.lease.count(), free);
  const int claimed = static_cast<int>(claims.size());
  for (auto& claim : claims) Dispatch(std::move(claim), now, updates);
  Flush(updates);
  return claimed;
}

void Engine::Dispatch(store::ClaimedNotification claim, std::int64_t now,
                      std::vector<store::RoundUpdate>& updates) {
  const std::vector<std::string> due = DueReceivers(claim.progress, keys_, options_.policy, now);
  auto existing = in_flight_.find(claim.id);
  if (existing != in_flight_.end()) {
    // Claimed again while attempts of an earlier claim are still in flight
    // (a redeliver, or a lease that lapsed under us): the new claim and its
    // token take over; the earlier attempts are logged when they finish.
    existing->second.claim = std::move(claim);
    SendTo(existing->second, due, now);
    return;
  }
  if (due.empty()) {
    // Nothing to send now (e.g. the receivers that still need it wait for
    // their retry): settle it straight away.
    Held held{std::move(claim), 0, {}};
    updates.push_back(Finish(held, now));
    return;
  }
  const std::int64_t id = claim.id;
  Held& held = in_flight_.emplace(id, Held{std::move(claim), 0, {}}).first->second;
  SendTo(held, due, now);
}

std::map<std::string, std::string> Engine::ReceiverProblems() const {
  std::map<std::string, std::string> out;
  for (const auto& r : receivers_) {
    if (auto why = r->Problem()) out.emplace(r->key(), std::move(*why));
  }
  return out;
}

void Engine::SendTo(Held& held, const std::vector<std::string>& keys, std::int64_t now) {
  for (const auto& key : keys) {
    auto receiver = std::find_if(receivers_.begin(), receivers_.end(),
                                 [&](const auto& r) { return r->key() == key; });
    auto progress = held.claim.progress.find(key);
    Finished meta{held.claim.id,
                  key,
                  now,
                  held.claim.lease_token,
                  held.claim.round,
                  (progress == held.claim.progress.end() ? 0 : progress->second.attempts) + 1,
                  {}};
    ++held.outstanding;
    (*receiver)->Send(
        {held.claim.name, held.claim.round, held.claim.namespace_name, held.claim.severity, {}},
        [this, meta = std::move(meta)](SendResult result) mutable {
          meta.result = std::move(result);
          {
            std::lock_guard lock(mu_);
            finished_.push_back(std::move(meta));
          }
          cv_.notify_one();
        });
  }
}

store::RoundUpdate Engine::Finish(Held& held, std::int64_t now) {
  const RoundDecision decision = Decide(held.claim.progress, keys_, options_.policy, now);
  store::RoundUpdate update;
  update.lease = {held.claim.id, held.claim.lease_token};
  update.attempts = std::move(held.attempts);
  update.status = decision.status;
  update.due_ms = decision.due_ms;
  update.progress = held.claim.progress;
  if (decision.succeeded) {
    update.notified_ms = now;
    // Creation → first successful round. Later rounds (renotify, redeliver)
    // would measure the renotify interval, not the notifier.
    if (metrics_ && held.claim.round == 1) {
      metrics_->ObserveNotifierLatency(static_cast<double>(now - held.claim.created_ms));
    }
  }
  return update;
}

void Engine::Flush(std::vector<store::RoundUpdate>& updates) {
  if (updates.empty()) return;
  try {
    auto fenced = store_.CompleteRounds(options_.owner, updates);
    if (!fenced.empty()) {
      spdlog::warn("notifier: lost the lease on {} notification(s); left them to their new holder",
                   fenced.size());
      if (metrics_) metrics_->CountLeaseLost(static_cast<double>(fenced.size()));
    }
    updates.clear();
  } catch (const std::exception& e) {
    // Keep them for the next pass; if the store stays away long enough for
    // the leases to lapse, fencing keeps the late write harmless.
    spdlog::error("notifier: cannot record delivery results (will retry): {}", e.what());
    for (auto& u : updates) unflushed_.push_back(std::move(u));
    updates.clear();
  }
}

void Engine::RenewLeases(std::int64_t now) {
  if (in_flight_.empty()) return;
  if (now - last_renewal_ms_ < options_.lease.count() / 3) return;
  std::vector<store::LeaseRef> leases;
  for (const auto& [id, held] : in_flight_) leases.push_back({id, held.claim.lease_token});
  try {
    auto lost = store_.RenewLeases(options_.owner, leases, now + options_.lease.count());
    last_renewal_ms_ = now;
    if (!lost.empty()) {
      spdlog::warn("notifier: {} lease(s) lapsed before renewal", lost.size());
    }
  } catch (const std::exception& e) {
    spdlog::error("notifier: cannot renew leases (will retry): {}", e.what());
  }
}

void Engine::ReleaseAll() {
  // Settle what finished, then hand back the rest with the progress made so
  // far, due now.
  const std::int64_t now = clock_.NowMillis();
  std::vector<store::RoundUpdate> updates = std::move(unflushed_);
  unflushed_.clear();
  for (auto& [id, held] : in_flight_) {
    store::RoundUpdate u;
    u.lease = {id, held.claim.lease_token};
    u.attempts = std::move(held.attempts);
    u.status = model::NotificationStatus::kPending;
    u.due_ms = now;
    u.progress = held.claim.progress;
    updates.push_back(std::move(u));
  }
  if (!updates.empty()) {
    spdlog::info("notifier: releasing {} notification(s) still in flight", in_flight_.size());
  }
  in_flight_.clear();
  Flush(updates);
}

std::chrono::milliseconds Engine::IdleWait(std::int64_t now) {
  std::int64_t wait = options_.max_idle.count();
  if (static_cast<int>(in_flight_.size()) < options_.concurrency) {
    try {
      if (auto due = store_.NextDueMillis()) wait = std::clamp<std::int64_t>(*due - now, 0, wait);
    } catch (const std::exception& e) {
      spdlog::error("notifier: cannot read the next due time: {}", e.what());
    }
  }
  if (!in_flight_.empty()) {
    const std::int64_t renew_at = last_renewal_ms_ + options_.lease.count() / 3;
    wait = std::clamp<std::int64_t>(renew_at - now, 0, wait);
  }
  return std::chrono::milliseconds(wait);
}

void Engine::Loop() {
  last_gauge_ = std::chrono::steady_clock::now() - options_.pending_gauge_period;
  while (true) {
    int claimed = 0;
    bool failed = false;
    const int free_before = options_.concurrency - static_cast<int>(in_flight_.size());
    try {
      claimed = Step();
    } catch (const std::exception& e) {
      spdlog::error("notifier: {} (retrying)", e.what());
      failed = true;
    }
    if (metrics_ &&
        std::chrono::steady_clock::now() - last_gauge_ >= options_.pending_gauge_period) {
      last_gauge_ = std::chrono::steady_clock::now();
      try {
        metrics_->SetPending(
            static_cast<double>(store_.CountByStatus(model::NotificationStatus::kPending)));
      } catch (const std::exception&) {
        // The next pass tries again; the failure is logged by Step.
      }
    }

    std::unique_lock lock(mu_);
    if (stopping_ && (in_flight_.empty() || std::chrono::steady_clock::now() >= stop_deadline_)) {
      break;
    }
    if (!failed && !stopping_ && claimed > 0 && claimed == free_before) continue;  // more is due
    lock.unlock();
    auto wait = failed ? options_.max_idle : IdleWait(clock_.NowMillis());
    lock.lock();
    if (stopping_)
      wait = std::min<std::chrono::milliseconds>(
          wait, std::chrono::duration_cast<std::chrono::milliseconds>(
                    stop_deadline_ - std::chrono::steady_clock::now()));
    cv_.wait_for(lock, std::max(wait, std::chrono::milliseconds(0)),
                 [this] { return !finished_.empty() || wake_ || stopping_; });
    // Under load, once something has finished, gather a few more for up to
    // kGatherWindow so that each store transaction carries many rows; a
    // lone attempt (an idle system) is handled at once.
    const std::size_t want = std::clamp<std::size_t>(in_flight_.size() / 4, 1, 64);
    if (want > 1 && !finished_.empty() && !wake_ && !stopping_) {
      cv_.wait_for(lock, kGatherWindow,
                   [&] { return finished_.size() >= want || wake_ || stopping_; });
    }

    if (stopping_ && finished_.empty() && std::chrono::steady_clock::now() < stop_deadline_ &&
        !in_flight_.empty()) {
      // Woken by the stop itself: wait for the attempts in flight.
      cv_.wait_until(lock, stop_deadline_, [this] { return !finished_.empty(); });
    }
  }
  // Attempts that finished in the last moment still count.
  try {
    Step();
  } catch (const std::exception& e) {
    spdlog::error("notifier: {}", e.what());
  }
  ReleaseAll();
}

}  // namespace herald::notifier
