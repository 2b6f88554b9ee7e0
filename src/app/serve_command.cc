#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

#include "analyzer/analysis_pool.h"
#include "analyzer/analyzer.h"
#include "api/authenticator.h"
#include "api/fernet.h"
#include "api/http_server.h"
#include "api/routes.h"
#include "app/commands.h"
#include "metrics/metrics.h"
#include "notifier/engine.h"
#include "receivers/builtin.h"
#include "store/database_clock.h"
#include "store/deadline.h"
#include "store/open.h"
#include "ui/page_routes.h"
#include "updater/update_loop.h"
#include "updater/updater.h"
#include "util/uuid.h"

namespace herald::app {
namespace {

// SPEC §5 rule 8: in-flight requests get this long after SIGTERM.
constexpr std::chrono::seconds kDrainGrace{10};
constexpr std::chrono::seconds kHttpDrainGrace{2};
// How often the clock is re-read from the database: monotonic time drifts
// from it by parts per million, so a minute keeps processes within
// milliseconds of each other and follows a corrected database clock soon.
constexpr std::chrono::seconds kClockSyncPeriod{60};
constexpr std::size_t kHealthConnections = 64;
// API handlers run on these: enough to keep every pooled database
// connection busy with some to spare for requests that need none.
constexpr std::size_t kApiWorkers = 16;

api::Fernet PaginationKey(const config::Config& cfg) {
  std::string key = cfg.api.pagination_key;
  if (key.empty()) {
    // Tokens then die with the process and are not valid on other instances.
    spdlog::warn(
        "api.paginationKey is not set: generated one for this process; instances sharing a "
        "database must share a key");
    key = api::Fernet::GenerateKey();
  }
  std::string error;
  auto fernet = api::Fernet::FromKey(key, &error);
  if (!fernet) throw config::ConfigError("clair.api.paginationKey", error);
  return std::move(*fernet);
}

// hostname:pid:random, so that leases name the process that holds them.
std::string LeaseOwner() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" + util::NewUuid().substr(0, 8);
}

std::unique_ptr<notifier::Engine> MakeNotifier(const config::Config& cfg, store::Store& store,
                                               util::Clock& clock, metrics::Metrics& metrics) {
  auto receivers = receivers::BuiltinRegistry().CreateEnabled(cfg.notifier, {.store = &store});
  if (receivers.empty()) {
    spdlog::info(
        "notifier disabled: no receiver is configured (set notifier.http.endpoint, "
        "notifier.webhooks, notifier.amqp or notifier.stomp)");
    return nullptr;
  }
  std::string names;
  for (const auto& r : receivers) names += (names.empty() ? "" : ", ") + std::string(r->key());
  notifier::Engine::Options options;
  options.owner = LeaseOwner();
  options.concurrency = cfg.notifier.concurrency;
  options.lease =
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg.notifier.lease_duration);
  options.policy.attempts = cfg.notifier.attempts;
  options.policy.renotify =
      std::chrono::duration_cast<std::chrono::milliseconds>(cfg.notifier.renotify_interval);
  spdlog::info("notifier enabled: receivers [{}], concurrency {}, lease owner {}", names,
               options.concurrency, options.owner);
  return std::make_unique<notifier::Engine>(store, clock, std::move(receivers), std::move(options),
                                            &metrics);
}

// Set by SIGINT/SIGTERM; everything that waits checks it.
class StopFlag {
 public:
  void Set() {
    {
      std::lock_guard lock(mu_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool IsSet() {
    std::lock_guard lock(mu_);
    return stopped_;
  }
  // Waits up to `d`; true when stopped.
  bool WaitFor(std::chrono::milliseconds d) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, d, [this] { return stopped_; });
  }
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return stopped_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

// Re-anchors the clock to the database's (SPEC §11); a failure keeps the
// current anchor, which the monotonic clock keeps advancing.
void SyncClockToDatabase(util::AnchoredClock& clock, store::Store& store) {
  try {
    const std::int64_t moved = store::SyncClock(clock, store);
    if (std::llabs(moved) >= 1000) {
      spdlog::warn("clock: moved {} ms to follow the database's clock", moved);
    }
  } catch (const std::exception& e) {
    spdlog::warn("clock: cannot read the database's clock (keeping ours): {}", e.what());
  }
}

// Opens the store, retrying with backoff while the database is unreachable
// (it may start after us); null when stopped first. Schema and
// configuration problems are not retried.
std::unique_ptr<store::Store> OpenWithRetry(const config::Config& cfg, util::Clock& clock,
                                            StopFlag& stop) {
  std::chrono::milliseconds backoff(500);
  for (int attempt = 1;; ++attempt) {
    try {
      // The first start creates the SQLite file; after that, a vanished
      // file is an error (SPEC §11), which the store reports per request.
      return store::OpenStore(cfg.database.source, clock, cfg.database.pool_size,
                              store::OpenMode::kCreate);
    } catch (const store::StoreError& e) {
      if (e.kind() != store::StoreError::Kind::kUnavailable) throw;
      spdlog::error("database unreachable (attempt {}), retrying in {} ms: {}", attempt,
                    backoff.count(), e.what());
    }
    if (stop.WaitFor(backoff)) return nullptr;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(10000));
  }
}

}  // namespace

int RunServe(const CommonOptions& options) {
  config::Config cfg = LoadEffectiveConfig(options);
  metrics::Metrics metrics;
  api::PageTokens tokens(PaginationKey(cfg));
  const api::Authenticator authenticator(cfg.api.tokens);
  if (authenticator.open()) {
    spdlog::warn(
        "the API is open: no api.tokens are configured, so anyone who can reach port {} "
        "may read and change everything (herald token makes one)",
        cfg.api.port);
  } else {
    spdlog::info("API authentication: {} bearer token(s) configured", cfg.api.tokens.size());
  }

  const unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  boost::asio::io_context ioc(static_cast<int>(threads));
  StopFlag stop;
  // Every timestamp, lease and due time of this process reads this clock.
  util::AnchoredClock clock;
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: stopping", signal);
    stop.Set();
  });

  // The health port comes up first and answers 503 until the database does.
  std::atomic<store::Store*> ready{nullptr};
  std::atomic<notifier::Engine*> notifier_ready{nullptr};
  api::Router health_router = api::MakeHealthRouter(
      [&ready] {
        store::Store* s = ready.load();
        if (s == nullptr) return std::optional<std::string>("the database is not open yet");
        return s->HealthProblem();
      },
      [&notifier_ready] {
        notifier::Engine* e = notifier_ready.load();
        return e == nullptr ? std::map<std::string, std::string>{} : e->ReceiverProblems();
      },
      metrics);
  api::HttpServer::Options health_options;
  health_options.port = cfg.api.health_port;
  // Load balancers and Prometheus need few connections; a flood on the API
  // port cannot take these.
  health_options.max_connections = kHealthConnections;
  // The health port has an I/O thread of its own, and its handlers never
  // wait on the pool that API requests use, so it answers while they are
  // stuck (SPEC §11).
  boost::asio::io_context health_ioc(1);
  api::HttpServer health_server(
      health_ioc, health_options,
      [&health_router](const api::Request& r) { return health_router.Dispatch(r); });
  api::HttpServer::Options api_options;
  api_options.port = cfg.api.port;
  api_options.max_connections = static_cast<std::size_t>(cfg.api.max_connections);
  if (!cfg.api.certfile.empty()) {
    api_options.tls =
        api::MakeServerTlsContext({cfg.api.certfile, cfg.api.keyfile, cfg.api.cafile});
  }
  std::unique_ptr<api::Router> api_router;
  // Handlers run on workers, not on the I/O threads: a handler waiting on
  // the database holds a worker, while reads, writes and accepts go on.
  boost::asio::thread_pool api_workers(kApiWorkers);
  api::HttpServer api_server(
      ioc, api_options,
      api::HttpServer::AsyncHandler(
          [&api_router, &api_workers](std::shared_ptr<const api::Request> r, api::Reply reply) {
            boost::asio::post(api_workers,
                              [&api_router, r = std::move(r), reply = std::move(reply)]() mutable {
                                api_router->Dispatch(std::move(r), std::move(reply));
                              });
          }));
  try {
    health_server.Start();
  } catch (const boost::system::system_error& e) {
    spdlog::critical("cannot listen on the health port {}: {}", cfg.api.health_port, e.what());
    return 1;
  }
  // Declared before the threads: destroyed only after they are joined.
  std::unique_ptr<store::Store> store;
  std::unique_ptr<analyzer::Analyzer> layer_analyzer;
  std::unique_ptr<analyzer::AnalysisPool> analysis_pool;
  std::unique_ptr<updater::Updater> feed_updater;
  std::unique_ptr<updater::UpdateLoop> update_loop;
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  std::thread health_thread([&health_ioc] {
    pthread_setname_np(pthread_self(), "health");
    // Keeps running while the server has no work yet.
    auto guard = boost::asio::make_work_guard(health_ioc);
    health_ioc.run();
  });
  auto join = [&] {
    if (analysis_pool) analysis_pool->Stop();
    if (update_loop) update_loop->Stop();
    api_workers.stop();  // handlers not yet started are dropped with their connections
    api_workers.join();
    ioc.stop();
    for (auto& t : pool) {
      if (t.joinable()) t.join();
    }
    health_ioc.stop();
    if (health_thread.joinable()) health_thread.join();
  };
  // Whatever throws from here on (e.g. a receiver that cannot start) must
  // not leave running threads behind: that would abort the process.
  struct JoinOnExit {
    decltype(join)& fn;
    ~JoinOnExit() { fn(); }
  } join_on_exit{join};

  store = OpenWithRetry(cfg, clock, stop);

  if (!store) {
    join();
    spdlog::info("stopped");
    return 0;
  }
  SyncClockToDatabase(clock, *store);
  layer_analyzer = std::make_unique<analyzer::Analyzer>(*store, cfg.analyzer, &metrics);
  analysis_pool = std::make_unique<analyzer::AnalysisPool>(cfg.analyzer.concurrency);
  api::ApiContext ctx{*store,
                      tokens,
                      metrics,
                      clock,
                      layer_analyzer.get(),
                      analysis_pool.get(),
                      &cfg.updater.sources};
  api_router = std::make_unique<api::Router>(api::MakeApiRouter(ctx, cfg.api.timeout));
  api_router->SetAuthenticator(&authenticator);
  ui::AddPageRoutes(*api_router, ctx, authenticator, !cfg.api.certfile.empty());
  try {
    api_server.Start();
  } catch (const boost::system::system_error& e) {
    spdlog::critical("cannot listen on the API port {}: {}", cfg.api.port, e.what());
    join();
    return 1;
  }
  ready = store.get();

  std::unique_ptr<notifier::Engine> engine = MakeNotifier(cfg, *store, clock, metrics);
  if (engine) {
    store->SetDueListener([e = engine.get()] { e->Wake(); });
    engine->Start();
    notifier_ready = engine.get();
  }
  if (cfg.updater.interval > config::Duration::zero() && !cfg.updater.sources.empty()) {
    feed_updater = std::make_unique<updater::Updater>(*store, cfg.updater, &metrics);
    update_loop = std::make_unique<updater::UpdateLoop>(*store, *feed_updater, cfg.updater.interval,
                                                        LeaseOwner());
    update_loop->Start();
    spdlog::info("feed updater: {} sources, every {}", cfg.updater.sources.size(),
                 config::FormatGoDuration(cfg.updater.interval));
  } else {
    spdlog::info("feed updater disabled: {}", cfg.updater.sources.empty()
                                                  ? "no updater.sources configured"
                                                  : "updater.interval is 0");
  }
  spdlog::info("herald {} serving the API on :{}{} and health on :{}", HERALD_VERSION,
               api_server.port(), api_options.tls ? " (TLS)" : "", health_server.port());

  // The main thread keeps the clock on the database's while the others work.
  while (!stop.WaitFor(kClockSyncPeriod)) SyncClockToDatabase(clock, *store);
  // Whatever still waits on the database after the grace period gives up,
  // so a stuck database cannot hold the exit (SPEC §5 rule 8, §11).
  StopFlag stopped;
  std::thread watchdog([&stopped] {
    if (!stopped.WaitFor(kDrainGrace)) {
      spdlog::warn("still waiting on the database after {} s: abandoning that work",
                   kDrainGrace.count());
      store::AbandonDatabaseWork();
    }
  });
  struct StopWatchdog {
    StopFlag& stopped;
    std::thread& watchdog;
    ~StopWatchdog() {
      stopped.Set();
      watchdog.join();
    }
  } stop_watchdog{stopped, watchdog};
  // Analyses in flight are abandoned (nothing written) and answered 503;
  // a feed run stops at its next document (that source changes nothing).
  analysis_pool->Stop();
  if (update_loop) update_loop->Stop();
  // The API keeps answering (e.g. DELETEs from receivers) while the
  // notifier drains.
  if (engine) engine->Stop(kDrainGrace);
  api_server.Stop();
  health_server.Stop();
  // Let answers being computed go out before the I/O threads stop.
  if (!api_server.WaitIdle(kHttpDrainGrace)) {
    spdlog::warn("stopping with API requests still running");
  }
  join();
  store->SetDueListener(nullptr);
  ready = nullptr;
  notifier_ready = nullptr;
  spdlog::info("stopped");
  return 0;
}

}  // namespace herald::app
