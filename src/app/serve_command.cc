#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <thread>
#include <vector>

#include "api/fernet.h"
#include "api/http_server.h"
#include "api/routes.h"
#include "app/commands.h"
#include "metrics/metrics.h"
#include "notifier/engine.h"
#include "receivers/builtin.h"
#include "store/open.h"
#include "util/uuid.h"

namespace herald::app {
namespace {

// SPEC §5 rule 8: in-flight requests get this long after SIGTERM.
constexpr std::chrono::seconds kDrainGrace{10};

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
                                               metrics::Metrics& metrics) {
  auto receivers = receivers::BuiltinRegistry().CreateEnabled(cfg.notifier);
  if (receivers.empty()) {
    spdlog::info("notifier disabled: no receiver is configured (set notifier.http.endpoint)");
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
  return std::make_unique<notifier::Engine>(store, util::SystemClock::Instance(),
                                            std::move(receivers), std::move(options), &metrics);
}

}  // namespace

int RunServe(const CommonOptions& options) {
  config::Config cfg = LoadEffectiveConfig(options);
  auto store = store::OpenStore(cfg.database.source, util::SystemClock::Instance());
  metrics::Metrics metrics;
  api::PageTokens tokens(PaginationKey(cfg));
  api::ApiContext ctx{*store, tokens, metrics, util::SystemClock::Instance()};
  api::Router api_router = api::MakeApiRouter(ctx, cfg.api.timeout);
  api::Router health_router = api::MakeHealthRouter(*store, metrics);

  const unsigned threads = std::max(2u, std::thread::hardware_concurrency());
  boost::asio::io_context ioc(static_cast<int>(threads));

  api::HttpServer::Options api_options;
  api_options.port = cfg.api.port;
  if (!cfg.api.certfile.empty()) {
    api_options.tls =
        api::MakeServerTlsContext({cfg.api.certfile, cfg.api.keyfile, cfg.api.cafile});
  }
  api::HttpServer api_server(
      ioc, api_options, [&api_router](const api::Request& r) { return api_router.Dispatch(r); });
  api::HttpServer::Options health_options;
  health_options.port = cfg.api.health_port;
  api::HttpServer health_server(ioc, health_options, [&health_router](const api::Request& r) {
    return health_router.Dispatch(r);
  });
  try {
    api_server.Start();
    health_server.Start();
  } catch (const boost::system::system_error& e) {
    spdlog::critical("cannot listen: {}", e.what());
    return 1;
  }

  std::unique_ptr<notifier::Engine> engine = MakeNotifier(cfg, *store, metrics);
  if (engine) {
    store->SetDueListener([e = engine.get()] { e->Wake(); });
    engine->Start();
  }
  spdlog::info("herald {} serving the API on :{}{} and health on :{}", HERALD_VERSION,
               api_server.port(), api_options.tls ? " (TLS)" : "", health_server.port());

  // The stop runs on a thread of its own: draining the notifier blocks, and
  // the API keeps answering (e.g. DELETEs from receivers) meanwhile.
  std::thread stopper;
  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: stopping", signal);
    stopper = std::thread([&] {
      if (engine) engine->Stop(kDrainGrace);
      api_server.Stop();
      health_server.Stop();
      ioc.stop();
    });
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  if (stopper.joinable()) stopper.join();
  store->SetDueListener(nullptr);
  spdlog::info("stopped");
  return 0;
}

}  // namespace herald::app
