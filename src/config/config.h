// Typed configuration in the Clair v1 layout (SPEC §2). Everything lives under
// a top-level `clair:` key; durations are Go style; unknown keys are errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace herald::config {

using Duration = std::chrono::nanoseconds;

struct DatabaseConfig {
  std::string source;               // "" → embedded SQLite ./herald.db
  std::int64_t cache_size = 16384;  // accepted for compatibility
  int pool_size = 8;                // Herald: PostgreSQL connections per process
};

// A bearer token of api.tokens (SPEC §11): only its SHA-256 is configured.
struct ApiToken {
  std::string name;    // for logs and the operator; unique
  std::string sha256;  // hex SHA-256 of the token, 64 lower-case hex digits
  std::string scope;   // "read", "write" or "admin"; each includes the ones before
  bool operator==(const ApiToken&) const = default;
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
  int max_connections = 1024;    // Herald: open API connections; more wait in the backlog
  std::vector<ApiToken> tokens;  // Herald: empty → the API is open, as in Clair v1
};

// One feed of the updater (SPEC §8).
struct FeedSource {
  std::string name;  // unique
  std::string kind;  // a parser kind: debian-tracker, ubuntu-tracker, rhel-oval, …
  std::string url;   // https://, http:// or file:// (a file, a directory or a .zip)
  bool operator==(const FeedSource&) const = default;
};

struct UpdaterConfig {
  Duration interval = std::chrono::hours(2);  // period of the feed updater; 0 disables it
  bool notify_first_update = false;           // a source's first import makes notifications
  bool notify_unaffected = true;              // false: only changes that affect some layer notify
  std::vector<FeedSource> sources;
};

// Layer analysis (SPEC §7).
struct AnalyzerConfig {
  std::vector<std::string> local_paths;         // directories a layer Path may name; empty → none
  std::int64_t max_layer_size = 4LL << 30;      // compressed bytes read from one layer
  std::int64_t max_file_size = 200LL << 20;     // one extracted package database
  Duration timeout = std::chrono::minutes(10);  // fetch + analysis of one layer
  int concurrency = 4;                          // layers analysed at once
};

// Which notifications a receiver is sent (SPEC §9). Empty fields match
// every notification.
struct ReceiverFilter {
  std::string min_severity;             // "" or one of Clair v1's severities
  std::vector<std::string> namespaces;  // exact names, or "prefix:*"
  bool empty() const { return min_severity.empty() && namespaces.empty(); }
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
  ReceiverFilter filter;  // Herald: which notifications it is sent
};

// The AMQP 0-9-1 receiver (SPEC §9), key "amqp"; enabled when `uri` is set.
struct AmqpReceiverConfig {
  std::string uri;  // amqp://user:pass@host:5672/vhost or amqps://…; password redacted
  std::string exchange = "herald";  // declared durable, type topic, when missing
  std::string routing_key = "notifications";
  bool direct = false;   // true: the message carries the notification itself
  std::string cafile;    // amqps: the CA to verify the broker with, instead of the system's
  std::string certfile;  // amqps: client certificate
  std::string keyfile;
  Duration timeout = std::chrono::seconds(5);  // connecting, and each message's confirm
  ReceiverFilter filter;
};

// The STOMP 1.2 receiver (SPEC §9), key "stomp"; enabled when `address` is set.
struct StompReceiverConfig {
  std::string address;  // host:port of the broker's STOMP listener
  std::string destination = "/queue/herald";
  std::string login;
  std::string passcode;    // secret: redacted when printed
  std::string host = "/";  // Herald: the CONNECT frame's host header (RabbitMQ: the vhost)
  bool direct = false;
  Duration timeout = std::chrono::seconds(5);  // connecting, and each message's receipt
  // Herald: the heart-beat proposed in both directions; 0 turns them off.
  Duration heartbeat = std::chrono::seconds(10);
  ReceiverFilter filter;
};

struct NotifierConfig {
  int attempts = 3;
  Duration renotify_interval = std::chrono::hours(2);
  int concurrency = 64;
  Duration lease_duration = std::chrono::minutes(10);
  HttpReceiverConfig http;
  // Herald: more webhooks side by side, keyed by name (SPEC §9); each is the
  // receiver `webhooks.<name>`, with every key of `http`.
  std::map<std::string, HttpReceiverConfig> webhooks;
  AmqpReceiverConfig amqp;    // Herald (SPEC §9)
  StompReceiverConfig stomp;  // Herald (SPEC §9)
};

struct Config {
  DatabaseConfig database;
  ApiConfig api;
  UpdaterConfig updater;
  AnalyzerConfig analyzer;
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

// A byte size: a whole number of bytes, optionally with a unit: B, KB, MB,
// GB, TB (powers of 1000) or KiB, MiB, GiB, TiB (powers of 1024), e.g.
// "4GiB", "200MiB", "1048576". Throws std::invalid_argument.
std::int64_t ParseByteSize(std::string_view text);

// The HMAC key of a Standard Webhooks secret: base64, with or without the
// "whsec_" prefix, padded or not, as the reference libraries read it.
// Throws std::invalid_argument when it is not base64 or decodes to nothing.
std::string DecodeWebhookSecret(std::string_view secret);

// The shortest exact spelling with a binary unit: 4294967296 → "4GiB".
std::string FormatByteSize(std::int64_t bytes);

// The shortest Go-style spelling, e.g. "2h0m0s" → "2h", "90s" → "1m30s".
std::string FormatGoDuration(Duration d);

}  // namespace herald::config
