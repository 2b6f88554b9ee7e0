#include "app/options.h"

#include "store/open.h"
#include "updater/parsers/feed_parser.h"

namespace herald::app {

void AddCommonOptions(CLI::App& cmd, CommonOptions& options) {
  cmd.add_option("-c,--config", options.config_file,
                 "YAML configuration file in the Clair v1 layout (default: built-in defaults)");
  cmd.add_option("--database", options.database,
                 "overrides database.source: a path ending in .db, sqlite:///path.db, "
                 "postgresql://… or host=… dbname=…");
  cmd.add_option("--api-port", options.api_port, "overrides api.port (default 6060)")
      ->check(CLI::Range(1, 65535));
  cmd.add_option("--health-port", options.health_port, "overrides api.healthport (default 6061)")
      ->check(CLI::Range(1, 65535));
  cmd.add_option("--webhook", options.webhook,
                 "overrides notifier.http.endpoint: the URL notifications are POSTed to");
  cmd.add_option("--log-format", options.log_format, "text (default) or json, one line per event")
      ->check(CLI::IsMember({"text", "json"}));
  cmd.add_option("--log-level", options.log_level,
                 "trace, debug, info (default), warn, error, critical or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
}

config::Config LoadEffectiveConfig(const CommonOptions& options) {
  config::Config cfg =
      options.config_file.empty() ? config::Config{} : config::LoadFile(options.config_file);
  if (options.database) cfg.database.source = *options.database;
  if (options.api_port) cfg.api.port = static_cast<std::uint16_t>(*options.api_port);
  if (options.health_port) cfg.api.health_port = static_cast<std::uint16_t>(*options.health_port);
  if (options.webhook) cfg.notifier.http.endpoint = *options.webhook;
  config::Validate(cfg);
  // Feed kinds are the parsers compiled in; checked here so that
  // check-config names a misspelt kind too.
  for (std::size_t i = 0; i < cfg.updater.sources.size(); ++i) {
    const std::string& kind = cfg.updater.sources[i].kind;
    if (updater::FeedParsers().count(kind) == 0) {
      std::string known;
      for (const auto& [name, factory] : updater::FeedParsers()) {
        known += (known.empty() ? "" : ", ") + name;
      }
      throw config::ConfigError("clair.updater.sources[" + std::to_string(i) + "].kind",
                                "unknown kind \"" + kind + "\"; expected one of: " + known);
    }
  }
  // The source's form is checked here, so that check-config catches it too.
  try {
    store::ParseSource(cfg.database.source);
  } catch (const store::StoreError& e) {
    throw config::ConfigError("clair.database.source", e.what());
  }
  return cfg;
}

}  // namespace herald::app
