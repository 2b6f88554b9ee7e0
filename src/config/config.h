// Typed configuration in the Clair v1 layout (SPEC §2). Everything lives under
// a top-level `clair:` key; durations are Go style; unknown keys are errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace herald::config {

using Duration = std::chrono::nanoseconds;

struct DatabaseConfig {
  std::string source;               // "" → embedded SQLite ./herald.db
  std::int64_t cache_size = 16384;  // accepted for compatibility
  int pool_size = 8;                // Herald: PostgreSQL connections per process
};

struct ApiConfig {
  std::uint16_t port = 6060;
  std::uint16_t health_port = 6061;
  Duration timeout = std::chrono::seconds(900);
  std::string pagination_key;  // secret: redacted when printed
  std::string servername;
  std::string certfile;
  std::string keyfile;
  std::string cafile;
};

struct UpdaterConfig {
  Duration interval = Duration::zero();  // accepted for compatibility
};

struct HttpReceiverConfig {
  std::string endpoint;  // the receiver is enabled when this is set
  std::string servername;
  std::string cafile;
  std::string certfile;
  std::string keyfile;
  Duration timeout = std::chrono::seconds(5);
  std::string proxy;
  std::map<std::string, std::string> headers;
  std::string secret;  // secret: redacted when printed
  std::string callback;
};

struct NotifierConfig {
  int attempts = 3;
  Duration renotify_interval = std::chrono::hours(2);
  int concurrency = 64;
  Duration lease_duration = std::chrono::minutes(10);
  HttpReceiverConfig http;
};

struct Config {
  DatabaseConfig database;
  ApiConfig api;
  UpdaterConfig updater;
  NotifierConfig notifier;
};

// A configuration problem. key() is the dotted path of the offending key,
// e.g. "clair.notifier.attempts" (empty when the whole document is at fault).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& message)
      : std::runtime_error(key.empty() ? message : key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Parses a YAML document. Keys that are absent or YAML null keep their
// defaults. Throws ConfigError.
Config ParseYaml(std::string_view text);

// Reads and parses a file. Throws ConfigError (also when unreadable).
Config LoadFile(const std::string& path);

// Checks cross-field rules (ports in range, attempts >= 1, key/cert pairs,
// a well-formed endpoint). Throws ConfigError naming the key.
void Validate(const Config& config);

// The effective configuration as YAML in the same layout, with secrets
// (paginationKey, notifier.http.secret) replaced by "<redacted>" when set.
std::string ToRedactedYaml(const Config& config);

// Go's time.ParseDuration: "900s", "2h", "1m30s", "1.5h", "300ms", "0".
// Returns nullopt-like failure by throwing std::invalid_argument.
Duration ParseGoDuration(std::string_view text);

// The shortest Go-style spelling, e.g. "2h0m0s" → "2h", "90s" → "1m30s".
std::string FormatGoDuration(Duration d);

}  // namespace herald::config
