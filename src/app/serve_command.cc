#include <spdlog/spdlog.h>

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
#include "store/open.h"

namespace herald::app {
namespace {

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

}  // namespace

int RunServe(const CommonOptions& options) {
  config::Config cfg = LoadEffectiveConfig(options);
  auto store = store::OpenStore(cfg.database.source, util::SystemClock::Instance());
  metrics::Metrics metrics;
  api::PageTokens tokens(PaginationKey(cfg));
  api::ApiContext ctx{*store, tokens, metrics};
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
  spdlog::info("herald {} serving the API on :{}{} and health on :{}", HERALD_VERSION,
               api_server.port(), api_options.tls ? " (TLS)" : "", health_server.port());
  if (cfg.notifier.http.endpoint.empty()) {
    spdlog::info("notifier disabled: no receiver is configured");
  }

  boost::asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (ec) return;
    spdlog::info("received signal {}: stopping", signal);
    api_server.Stop();
    health_server.Stop();
    ioc.stop();
  });

  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : pool) t.join();
  spdlog::info("stopped");
  return 0;
}

}  // namespace herald::app
