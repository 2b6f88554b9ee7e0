// The flags every command shares, and how they turn into the effective
// configuration: file (or defaults) first, then flag overrides, then checks.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "config/config.h"

namespace herald::app {

struct CommonOptions {
  std::string config_file;
  std::optional<std::string> database;
  std::optional<int> api_port;
  std::optional<int> health_port;
  std::optional<std::string> webhook;
  std::string log_format = "text";
  std::string log_level = "info";
};

// Registers -c/--config, --database, --api-port, --health-port, --webhook,
// --log-format and --log-level on `cmd`.
void AddCommonOptions(CLI::App& cmd, CommonOptions& options);

// Loads the file named by -c (defaults without one), applies the flag
// overrides and validates. Throws config::ConfigError naming the key.
config::Config LoadEffectiveConfig(const CommonOptions& options);

}  // namespace herald::app
