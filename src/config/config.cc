// Reading, checking and printing the configuration file (SPEC §2).
//
// The YAML tree is walked by hand against an explicit list of keys rather
// than converted generically, because unknown keys must be reported by their
// full dotted path: a misspelt key silently ignored (what Clair v1 did) is how
// a webhook ends up never configured.

#include "config/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/yaml_document.h"
#include "model/severity.h"
#include "util/crypto.h"

namespace herald::config {
namespace {

constexpr std::string_view kRedacted = "<redacted>";

std::string Join(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

// " (line L, column C)" for messages, so a problem deep in a long file can be
// found; yaml-cpp marks are 0-based and may be unknown (-1).
std::string At(const YAML::Node& node) {
  return DescribePosition(node.Mark());
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  });
  return out;
}

bool IsUnset(const YAML::Node& node) {
  return !node.IsDefined() || node.IsNull();
}

using Handler = std::function<void(const YAML::Node& value, const std::string& path)>;

struct Field {
  std::string_view name;
  Handler apply;
};

// Go's yaml package, which read Clair v1 files, matches an untagged struct
// field by its all-lowercase name ("renotifyinterval"), while Clair's example
// file spells keys in camelCase ("renotifyInterval"). Both spellings occur in
// deployed files, so both are accepted; anything else is unknown.
const Field* FindField(const std::vector<Field>& fields, const std::string& key) {
  for (const Field& field : fields) {
    if (key == field.name || key == AsciiLower(field.name)) {
      return &field;
    }
  }
  return nullptr;
}

std::string KnownKeys(const std::vector<Field>& fields) {
  std::string out;
  for (const Field& field : fields) {
    out += out.empty() ? "" : ", ";
    out += field.name;
  }
  return out;
}

void WalkMap(const YAML::Node& node, const std::string& path, const std::vector<Field>& fields) {
  if (IsUnset(node)) {
    return;
  }
  if (!node.IsMap()) {
    throw ConfigError(path, "expected a map" + At(node));
  }
  // yaml-cpp keeps duplicate keys instead of rejecting them; the later one
  // would silently win, which hides mistakes in long files.
  std::set<std::string_view> seen;
  for (const auto& entry : node) {
    const YAML::Node& key = entry.first;
    if (!key.IsScalar()) {
      throw ConfigError(path, "keys must be plain strings" + At(key));
    }
    const Field* field = FindField(fields, key.Scalar());
    if (field == nullptr) {
      throw ConfigError(Join(path, key.Scalar()),
                        "unknown key" + At(key) + "; expected one of: " + KnownKeys(fields));
    }
    const std::string child = Join(path, field->name);
    if (!seen.insert(field->name).second) {
      throw ConfigError(child, "duplicate key" + At(key));
    }
    field->apply(entry.second, child);
  }
}

Handler String(std::string& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsScalar()) {
      throw ConfigError(path, "expected a string" + At(node));
    }
    out = node.Scalar();
  };
}

std::int64_t ReadInteger(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    throw ConfigError(path, "expected an integer" + At(node));
  }
  std::string_view text = node.Scalar();
  // from_chars takes no '+', but YAML integers may carry one; "+-1" must
  // still be rejected.
  if (text.size() > 1 && text.front() == '+' && text[1] >= '0' && text[1] <= '9') {
    text.remove_prefix(1);
  }
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec == std::errc::result_out_of_range) {
    throw ConfigError(path, "integer out of range: \"" + node.Scalar() + "\"" + At(node));
  }
  if (ec != std::errc() || ptr != end || text.empty()) {
    throw ConfigError(path, "expected an integer, got \"" + node.Scalar() + "\"" + At(node));
  }
  return value;
}

Handler Int64(std::int64_t& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (!IsUnset(node)) {
      out = ReadInteger(node, path);
    }
  };
}

Handler Int(int& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    const std::int64_t value = ReadInteger(node, path);
    if (value < std::numeric_limits<int>::min() || value > std::numeric_limits<int>::max()) {
      throw ConfigError(path, "integer out of range: " + std::to_string(value) + At(node));
    }
    out = static_cast<int>(value);
  };
}

// Zero is let through so that Validate, not the parser, reports it with the
// rule that applies; the field type cannot hold anything above 65535.
Handler Port(std::uint16_t& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    const std::int64_t value = ReadInteger(node, path);
    if (value < 0 || value > 65535) {
      throw ConfigError(
          path, "port must be between 1 and 65535, got " + std::to_string(value) + At(node));
    }
    out = static_cast<std::uint16_t>(value);
  };
}

Handler GoDuration(Duration& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsScalar()) {
      throw ConfigError(path, "expected a duration such as \"900s\"" + At(node));
    }
    const std::string& text = node.Scalar();
    // A bare number is ambiguous (Go's yaml.v2 read it as nanoseconds, people
    // mean seconds); "0" is the exception because every reading agrees.
    const bool bare_number = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
      return c >= '0' && c <= '9';
    });
    if (bare_number && text.find_first_not_of('0') != std::string::npos) {
      throw ConfigError(path, "a duration needs a unit: write e.g. \"" + text + "s\" or \"" + text +
                                  "ms\", not " + text + At(node));
    }
    try {
      out = ParseGoDuration(text);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(
          path, std::string(e.what()) + "; expected e.g. \"900s\", \"2h\", \"1m30s\"" + At(node));
    }
  };
}

Handler ByteSize(std::int64_t& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsScalar()) {
      throw ConfigError(path, "expected a size such as \"200MiB\"" + At(node));
    }
    try {
      out = ParseByteSize(node.Scalar());
    } catch (const std::invalid_argument& e) {
      throw ConfigError(path,
                        std::string(e.what()) + "; expected e.g. \"4GiB\", \"200MiB\"" + At(node));
    }
  };
}

Handler Bool(bool& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    const std::string text = node.IsScalar() ? AsciiLower(node.Scalar()) : "";
    if (text == "true") {
      out = true;
    } else if (text == "false") {
      out = false;
    } else {
      throw ConfigError(path, "expected true or false" + At(node));
    }
  };
}

// A list of maps whose keys are all required strings, each key checked like
// any other (a misspelt "knid" is an error naming sources[N].knid):
// updater.sources and api.tokens.
template <typename T>
Handler RequiredStringMaps(std::vector<T>& out, std::string shape,
                           std::vector<std::pair<const char*, std::string T::*>> keys) {
  return [&out, shape = std::move(shape), keys = std::move(keys)](const YAML::Node& node,
                                                                  const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsSequence()) {
      throw ConfigError(path, "expected a list of " + shape + At(node));
    }
    std::vector<T> items;
    for (std::size_t i = 0; i < node.size(); ++i) {
      T item;
      const std::string at = path + "[" + std::to_string(i) + "]";
      std::vector<Field> fields;
      for (const auto& [key, member] : keys) fields.push_back({key, String(item.*member)});
      WalkMap(node[i], at, fields);
      for (const auto& [key, member] : keys) {
        if ((item.*member).empty()) throw ConfigError(at + "." + key, "required" + At(node[i]));
      }
      items.push_back(std::move(item));
    }
    out = std::move(items);
  };
}

Handler StringList(std::vector<std::string>& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsSequence()) {
      throw ConfigError(path, "expected a list of strings" + At(node));
    }
    std::vector<std::string> values;
    for (std::size_t i = 0; i < node.size(); ++i) {
      if (!node[i].IsScalar()) {
        throw ConfigError(path + "[" + std::to_string(i) + "]", "expected a string" + At(node[i]));
      }
      values.push_back(node[i].Scalar());
    }
    out = std::move(values);
  };
}

// RFC 9110 token characters: what a header field name may contain.
bool IsTokenChar(unsigned char c) {
  if (c >= '0' && c <= '9') {
    return true;
  }
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

Handler Headers(std::map<std::string, std::string>& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsMap()) {
      throw ConfigError(path, "expected a map of header names to values" + At(node));
    }
    std::map<std::string, std::string> headers;
    // Header names are case-insensitive on the wire, so "X-A" and "x-a" are
    // the same header twice.
    std::set<std::string> seen;
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar() || key.Scalar().empty()) {
        throw ConfigError(path, "header names must be non-empty strings" + At(key));
      }
      const std::string child = Join(path, key.Scalar());
      if (!seen.insert(AsciiLower(key.Scalar())).second) {
        throw ConfigError(child, "duplicate header" + At(key));
      }
      const YAML::Node& value = entry.second;
      if (!IsUnset(value) && !value.IsScalar()) {
        throw ConfigError(child, "expected a string" + At(value));
      }
      headers[key.Scalar()] = IsUnset(value) ? "" : value.Scalar();
    }
    out = std::move(headers);
  };
}

bool HasHttpScheme(const std::string& url) {
  const std::string lower = AsciiLower(url);
  for (std::string_view scheme : {"http://", "https://"}) {
    if (lower.rfind(scheme, 0) == 0) {
      // Something must follow the scheme, and no whitespace anywhere: a stray
      // space from a copy-paste would otherwise fail only at delivery time.
      return lower.size() > scheme.size() && lower.find_first_of(" \t\r\n") == std::string::npos;
    }
  }
  return false;
}

void RequireHttpUrl(const std::string& value, const std::string& key) {
  if (!value.empty() && !HasHttpScheme(value)) {
    throw ConfigError(key, "must be an http:// or https:// URL, got \"" + value + "\"");
  }
}

void RequirePositive(Duration value, const std::string& key) {
  if (value <= Duration::zero()) {
    throw ConfigError(key, "must be greater than zero, got " + FormatGoDuration(value));
  }
}

void RequireKeyPair(const std::string& certfile, const std::string& keyfile,
                    const std::string& prefix) {
  if (!certfile.empty() && keyfile.empty()) {
    throw ConfigError(prefix + ".keyfile", "required when " + prefix + ".certfile is set");
  }
  if (certfile.empty() && !keyfile.empty()) {
    throw ConfigError(prefix + ".certfile", "required when " + prefix + ".keyfile is set");
  }
}

// Printed configuration ends up in logs and support tickets. Besides the two
// secrets of the spec, passwords inside URLs and libpq connection strings and
// credential-looking header values are hidden as well.
std::string RedactUrlPassword(const std::string& url) {
  const std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) {
    return url;
  }
  const std::size_t start = scheme + 3;
  const std::size_t end = std::min(url.find_first_of("/?#", start), url.size());
  const std::string_view authority = std::string_view(url).substr(start, end - start);
  const std::size_t at = authority.rfind('@');
  const std::size_t colon = authority.find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) {
    return url;
  }
  return url.substr(0, start + colon + 1) + std::string(kRedacted) + url.substr(start + at);
}

std::string RedactDatabaseSource(const std::string& source) {
  if (source.find("://") != std::string::npos) {
    static const std::regex kQueryPassword("([?&]password=)[^&#]*", std::regex::icase);
    return std::regex_replace(RedactUrlPassword(source), kQueryPassword,
                              "$1" + std::string(kRedacted));
  }
  static const std::regex kConninfoPassword(R"((^|\s)(password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))");
  return std::regex_replace(source, kConninfoPassword, "$1$2" + std::string(kRedacted));
}

bool IsSensitiveHeader(const std::string& name) {
  const std::string lower = AsciiLower(name);
  for (std::string_view word :
       {"auth", "token", "secret", "key", "password", "cookie", "signature", "credential"}) {
    if (lower.find(word) != std::string::npos) {
      return true;
    }
  }
  return false;
}

// A receiver's `filter` map (SPEC §9).
Handler Filter(ReceiverFilter& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    WalkMap(
        node, path,
        {{"minSeverity", String(out.min_severity)}, {"namespaces", StringList(out.namespaces)}});
  };
}

// Every key of `http` (SPEC §5): the same for each named webhook (§9).
std::vector<Field> WebhookFields(HttpReceiverConfig& http) {
  return {
      {"endpoint", String(http.endpoint)}, {"servername", String(http.servername)},
      {"cafile", String(http.cafile)},     {"certfile", String(http.certfile)},
      {"keyfile", String(http.keyfile)},   {"timeout", GoDuration(http.timeout)},
      {"proxy", String(http.proxy)},       {"headers", Headers(http.headers)},
      {"secret", String(http.secret)},     {"callback", String(http.callback)},
      {"filter", Filter(http.filter)},
  };
}

// notifier.webhooks: a map of names to webhooks. Names are checked by
// Validate, which knows every rule for them.
Handler NamedWebhooks(std::map<std::string, HttpReceiverConfig>& out) {
  return [&out](const YAML::Node& node, const std::string& path) {
    if (IsUnset(node)) {
      return;
    }
    if (!node.IsMap()) {
      throw ConfigError(path, "expected a map of webhook names to webhooks" + At(node));
    }
    for (const auto& entry : node) {
      const YAML::Node& key = entry.first;
      if (!key.IsScalar()) {
        throw ConfigError(path, "webhook names must be plain strings" + At(key));
      }
      const std::string child = Join(path, key.Scalar());
      if (out.count(key.Scalar()) > 0) {
        throw ConfigError(child, "duplicate webhook" + At(key));
      }
      HttpReceiverConfig& webhook = out[key.Scalar()];
      if (IsUnset(entry.second)) {
        throw ConfigError(child, "expected a map with at least an endpoint" + At(entry.second));
      }
      WalkMap(entry.second, child, WebhookFields(webhook));
    }
  };
}

// Strings are always double-quoted so that values such as "null", "~", "yes"
// or "0123" read back as the same strings.
void EmitString(YAML::Emitter& out, std::string_view key, const std::string& value) {
  out << YAML::Key << std::string(key) << YAML::Value << YAML::DoubleQuoted << value;
}

void EmitSecret(YAML::Emitter& out, std::string_view key, const std::string& value) {
  EmitString(out, key, value.empty() ? value : std::string(kRedacted));
}

void EmitDuration(YAML::Emitter& out, std::string_view key, Duration value) {
  out << YAML::Key << std::string(key) << YAML::Value << FormatGoDuration(value);
}

template <typename T>
void EmitInt(YAML::Emitter& out, std::string_view key, T value) {
  out << YAML::Key << std::string(key) << YAML::Value << static_cast<std::int64_t>(value);
}

// Printed only when set, so that a Clair v1 file prints as it always did.
void EmitFilter(YAML::Emitter& out, const ReceiverFilter& filter) {
  if (filter.empty()) {
    return;
  }
  out << YAML::Key << "filter" << YAML::Value << YAML::BeginMap;
  EmitString(out, "minSeverity", filter.min_severity);
  out << YAML::Key << "namespaces" << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& name : filter.namespaces) {
    out << YAML::DoubleQuoted << name;
  }
  out << YAML::EndSeq << YAML::EndMap;
}

// A webhook's map, secrets and passwords redacted.
void EmitWebhook(YAML::Emitter& out, const HttpReceiverConfig& http) {
  out << YAML::BeginMap;
  EmitString(out, "endpoint", RedactUrlPassword(http.endpoint));
  EmitString(out, "servername", http.servername);
  EmitString(out, "cafile", http.cafile);
  EmitString(out, "certfile", http.certfile);
  EmitString(out, "keyfile", http.keyfile);
  EmitDuration(out, "timeout", http.timeout);
  EmitString(out, "proxy", RedactUrlPassword(http.proxy));
  out << YAML::Key << "headers" << YAML::Value;
  if (http.headers.empty()) {
    out << YAML::Flow << YAML::BeginMap << YAML::EndMap;
  } else {
    out << YAML::BeginMap;
    for (const auto& [name, value] : http.headers) {
      out << YAML::Key << YAML::DoubleQuoted << name << YAML::Value << YAML::DoubleQuoted
          << (IsSensitiveHeader(name) && !value.empty() ? std::string(kRedacted) : value);
    }
    out << YAML::EndMap;
  }
  EmitSecret(out, "secret", http.secret);
  EmitString(out, "callback", RedactUrlPassword(http.callback));
  EmitFilter(out, http.filter);
  out << YAML::EndMap;
}

}  // namespace

Config ParseYaml(std::string_view text) {
  const YAML::Node root = LoadSingleDocument(text);
  Config config;
  if (IsUnset(root)) {
    return config;
  }
  if (!root.IsMap()) {
    throw ConfigError("", "expected a map with a top-level key \"clair\"" + At(root));
  }

  DatabaseConfig& db = config.database;
  ApiConfig& api = config.api;
  NotifierConfig& notifier = config.notifier;
  HttpReceiverConfig& http = notifier.http;

  const std::vector<Field> http_fields = WebhookFields(http);
  AmqpReceiverConfig& amqp = notifier.amqp;
  const std::vector<Field> amqp_fields = {
      {"uri", String(amqp.uri)},
      {"exchange", String(amqp.exchange)},
      {"routingKey", String(amqp.routing_key)},
      {"direct", Bool(amqp.direct)},
      {"cafile", String(amqp.cafile)},
      {"certfile", String(amqp.certfile)},
      {"keyfile", String(amqp.keyfile)},
      {"timeout", GoDuration(amqp.timeout)},
      {"filter", Filter(amqp.filter)},
  };
  StompReceiverConfig& stomp = notifier.stomp;
  const std::vector<Field> stomp_fields = {
      {"address", String(stomp.address)},     {"destination", String(stomp.destination)},
      {"login", String(stomp.login)},         {"passcode", String(stomp.passcode)},
      {"host", String(stomp.host)},           {"direct", Bool(stomp.direct)},
      {"timeout", GoDuration(stomp.timeout)}, {"heartbeat", GoDuration(stomp.heartbeat)},
      {"filter", Filter(stomp.filter)},
  };
  const std::vector<Field> notifier_fields = {
      {"attempts", Int(notifier.attempts)},
      {"renotifyInterval", GoDuration(notifier.renotify_interval)},
      {"concurrency", Int(notifier.concurrency)},
      {"leaseDuration", GoDuration(notifier.lease_duration)},
      {"http", [&](const YAML::Node& n, const std::string& p) { WalkMap(n, p, http_fields); }},
      {"webhooks", NamedWebhooks(notifier.webhooks)},
      {"amqp", [&](const YAML::Node& n, const std::string& p) { WalkMap(n, p, amqp_fields); }},
      {"stomp", [&](const YAML::Node& n, const std::string& p) { WalkMap(n, p, stomp_fields); }},
  };
  const std::vector<Field> database_fields = {
      {"source", String(db.source)},
      {"cacheSize", Int64(db.cache_size)},
      {"poolSize", Int(db.pool_size)},
  };
  const std::vector<Field> api_fields = {
      {"port", Port(api.port)},
      {"healthport", Port(api.health_port)},
      {"timeout", GoDuration(api.timeout)},
      {"paginationKey", String(api.pagination_key)},
      {"servername", String(api.servername)},
      {"cafile", String(api.cafile)},
      {"keyfile", String(api.keyfile)},
      {"certfile", String(api.certfile)},
      {"maxConnections", Int(api.max_connections)},
      {"tokens", RequiredStringMaps<ApiToken>(api.tokens, "{name, sha256, scope}",
                                              {{"name", &ApiToken::name},
                                               {"sha256", &ApiToken::sha256},
                                               {"scope", &ApiToken::scope}})},
  };
  const std::vector<Field> updater_fields = {
      {"interval", GoDuration(config.updater.interval)},
      {"notifyFirstUpdate", Bool(config.updater.notify_first_update)},
      {"notifyUnaffected", Bool(config.updater.notify_unaffected)},
      {"sources",
       RequiredStringMaps<FeedSource>(
           config.updater.sources, "{name, kind, url}",
           {{"name", &FeedSource::name}, {"kind", &FeedSource::kind}, {"url", &FeedSource::url}})},
  };
  AnalyzerConfig& analyzer = config.analyzer;
  const std::vector<Field> analyzer_fields = {
      {"localPaths", StringList(analyzer.local_paths)},
      {"maxLayerSize", ByteSize(analyzer.max_layer_size)},
      {"maxFileSize", ByteSize(analyzer.max_file_size)},
      {"timeout", GoDuration(analyzer.timeout)},
      {"concurrency", Int(analyzer.concurrency)},
  };
  const auto section = [](const std::vector<Field>& fields) -> Handler {
    return [&fields](const YAML::Node& n, const std::string& p) { WalkMap(n, p, fields); };
  };
  const std::vector<Field> clair_fields = {
      {"database", section(database_fields)}, {"api", section(api_fields)},
      {"updater", section(updater_fields)},   {"analyzer", section(analyzer_fields)},
      {"notifier", section(notifier_fields)},
  };

  bool has_clair = false;
  const std::vector<Field> root_fields = {
      {"clair",
       [&](const YAML::Node& n, const std::string& p) {
         has_clair = true;
         // `clair:` with nothing under it is a valid (all defaults) file.
         WalkMap(n, p, clair_fields);
       }},
  };
  WalkMap(root, "", root_fields);
  if (!has_clair) {
    throw ConfigError("clair", "missing top-level key (everything lives under \"clair:\")");
  }
  return config;
}

Config LoadFile(const std::string& path) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                             &std::fclose);
  if (!file) {
    throw ConfigError("", "cannot read " + path + ": " + std::strerror(errno));
  }
  std::string text;
  char buffer[8192];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, n);
  }
  // A directory opens fine on Linux and only fails here, with EISDIR.
  if (std::ferror(file.get())) {
    throw ConfigError("", "cannot read " + path + ": " + std::strerror(errno));
  }
  return ParseYaml(text);
}

namespace {

// `path` is the receiver's dotted key.
void ValidateFilter(const ReceiverFilter& filter, const std::string& path) {
  if (!filter.min_severity.empty() && !model::ParseSeverity(filter.min_severity)) {
    std::string known;
    for (auto s : model::kSeverities) known += (known.empty() ? "" : ", ") + std::string(s);
    throw ConfigError(
        path + ".filter.minSeverity",
        "\"" + filter.min_severity + "\" is not a severity; expected one of: " + known);
  }
  for (std::size_t i = 0; i < filter.namespaces.size(); ++i) {
    const std::string& name = filter.namespaces[i];
    const std::string key = path + ".filter.namespaces[" + std::to_string(i) + "]";
    // A namespace is "<distribution>:<version>"; "debian:*" means every
    // Debian release. Any other '*' would silently match nothing.
    const std::size_t star = name.find('*');
    const bool prefix =
        star != std::string::npos && star + 1 == name.size() && star >= 2 && name[star - 1] == ':';
    if (name.empty() || name.find_first_of(" \t\r\n") != std::string::npos ||
        (star != std::string::npos && !prefix)) {
      throw ConfigError(key, "\"" + name +
                                 "\" is not a namespace; expected an exact name such as "
                                 "\"debian:12\", or \"debian:*\" for every version");
    }
  }
}

// The rules for `http` and for each named webhook; `path` is its dotted key.
void ValidateWebhook(const HttpReceiverConfig& http, const std::string& path) {
  ValidateFilter(http.filter, path);
  RequireHttpUrl(http.endpoint, path + ".endpoint");
  RequireHttpUrl(http.callback, path + ".callback");
  RequireHttpUrl(http.proxy, path + ".proxy");
  RequirePositive(http.timeout, path + ".timeout");
  RequireKeyPair(http.certfile, http.keyfile, path);
  for (const auto& [name, value] : http.headers) {
    const std::string key = path + ".headers." + name;
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return IsTokenChar(static_cast<unsigned char>(c));
        })) {
      throw ConfigError(key, "not a valid HTTP header name");
    }
    // CR or LF in a value would let the file inject extra headers.
    if (value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      throw ConfigError(key, "header values must not contain CR, LF or NUL");
    }
  }
  if (!http.secret.empty()) {
    try {
      DecodeWebhookSecret(http.secret);
    } catch (const std::invalid_argument& e) {
      throw ConfigError(path + ".secret", e.what());
    }
  }
}

void ValidateAmqp(const AmqpReceiverConfig& amqp, const std::string& path) {
  if (amqp.uri.empty()) {
    return;
  }
  const std::string lower = AsciiLower(amqp.uri);
  const bool tls = lower.rfind("amqps://", 0) == 0;
  if ((!tls && lower.rfind("amqp://", 0) != 0) ||
      amqp.uri.find_first_of(" \t\r\n") != std::string::npos) {
    throw ConfigError(path + ".uri", "must be an amqp:// or amqps:// URI, got \"" +
                                         RedactUrlPassword(amqp.uri) + "\"");
  }
  if (!tls && !(amqp.cafile.empty() && amqp.certfile.empty() && amqp.keyfile.empty())) {
    throw ConfigError(path + ".uri", "cafile, certfile and keyfile need an amqps:// URI");
  }
  RequireKeyPair(amqp.certfile, amqp.keyfile, path);
  RequirePositive(amqp.timeout, path + ".timeout");
  if (amqp.routing_key.size() > 255 || amqp.exchange.size() > 255) {
    throw ConfigError(path + (amqp.exchange.size() > 255 ? ".exchange" : ".routingKey"),
                      "must be at most 255 bytes (an AMQP short string)");
  }
  ValidateFilter(amqp.filter, path);
}

void ValidateStomp(const StompReceiverConfig& stomp, const std::string& path) {
  if (stomp.address.empty()) {
    return;
  }
  const std::size_t colon = stomp.address.rfind(':');
  const std::string port = colon == std::string::npos ? "" : stomp.address.substr(colon + 1);
  int port_number = 0;
  const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), port_number);
  if (colon == 0 || colon == std::string::npos || ec != std::errc() ||
      ptr != port.data() + port.size() || port_number < 1 || port_number > 65535 ||
      stomp.address.find_first_of(" \t\r\n/") != std::string::npos) {
    throw ConfigError(path + ".address", "must be host:port (e.g. rabbit.internal:61613), got \"" +
                                             stomp.address + "\"");
  }
  if (stomp.destination.empty()) {
    throw ConfigError(path + ".destination", "is required, e.g. /queue/herald");
  }
  const std::pair<const char*, const std::string*> texts[] = {{"destination", &stomp.destination},
                                                              {"login", &stomp.login},
                                                              {"passcode", &stomp.passcode},
                                                              {"host", &stomp.host}};
  for (const auto& [key, value] : texts) {
    // A NUL would end the frame early.
    if (value->find('\0') != std::string::npos) {
      throw ConfigError(path + "." + key, "must not contain NUL");
    }
  }
  RequirePositive(stomp.timeout, path + ".timeout");
  if (stomp.heartbeat < Duration::zero()) {
    throw ConfigError(path + ".heartbeat", "must not be negative; 0 turns heart-beats off");
  }
  ValidateFilter(stomp.filter, path);
}

}  // namespace

void Validate(const Config& config) {
  const ApiConfig& api = config.api;
  if (api.port == 0) {
    throw ConfigError("clair.api.port", "must be between 1 and 65535");
  }
  if (api.health_port == 0) {
    throw ConfigError("clair.api.healthport", "must be between 1 and 65535");
  }
  if (api.port == api.health_port) {
    throw ConfigError("clair.api.healthport",
                      "must differ from clair.api.port (" + std::to_string(api.port) + ")");
  }
  RequirePositive(api.timeout, "clair.api.timeout");
  if (!api.pagination_key.empty()) {
    // The key itself must never appear in a message.
    const std::optional<std::string> raw = util::Base64UrlDecode(api.pagination_key);
    if (!raw || raw->size() != 32) {
      throw ConfigError("clair.api.paginationKey",
                        "must be 32 bytes in URL-safe base64 (a Fernet key), or empty to generate "
                        "one at start");
    }
  }
  RequireKeyPair(api.certfile, api.keyfile, "clair.api");

  if (!api.cafile.empty() && api.certfile.empty()) {
    throw ConfigError("clair.api.cafile",
                      "requires clair.api.certfile and clair.api.keyfile: client certificates "
                      "are only checked over TLS");
  }

  if (config.database.cache_size < 0) {
    throw ConfigError("clair.database.cacheSize", "must not be negative");
  }
  if (api.max_connections < 1 || api.max_connections > 1'000'000) {
    throw ConfigError("clair.api.maxConnections", "must be from 1 to 1000000");
  }
  std::set<std::string> token_names;
  for (std::size_t i = 0; i < api.tokens.size(); ++i) {
    const ApiToken& token = api.tokens[i];
    const std::string key = "clair.api.tokens[" + std::to_string(i) + "]";
    if (!token_names.insert(token.name).second) {
      throw ConfigError(key + ".name", "duplicate token name \"" + token.name + "\"");
    }
    if (token.sha256.size() != 64 ||
        token.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
      throw ConfigError(key + ".sha256",
                        "must be the SHA-256 of the token as 64 lower-case hex digits "
                        "(herald token makes a token and its hash)");
    }
    if (token.scope != "read" && token.scope != "write" && token.scope != "admin") {
      throw ConfigError(key + ".scope",
                        "must be read, write or admin, got \"" + token.scope + "\"");
    }
  }
  if (config.database.pool_size < 2 || config.database.pool_size > 1000) {
    throw ConfigError("clair.database.poolSize", "must be from 2 to 1000");
  }

  if (config.updater.interval < Duration::zero()) {
    throw ConfigError("clair.updater.interval", "must not be negative");
  }
  std::set<std::string> source_names;
  for (std::size_t i = 0; i < config.updater.sources.size(); ++i) {
    const FeedSource& source = config.updater.sources[i];
    const std::string key = "clair.updater.sources[" + std::to_string(i) + "]";
    if (!source_names.insert(source.name).second) {
      throw ConfigError(key + ".name", "duplicate source name \"" + source.name + "\"");
    }
    const std::string url = AsciiLower(source.url);
    if (!HasHttpScheme(source.url) &&
        !(url.rfind("file://", 0) == 0 && source.url.size() > 7 && source.url[7] == '/')) {
      throw ConfigError(
          key + ".url",
          "must be an https://, http:// or file:///absolute/path URL, got \"" + source.url + "\"");
    }
  }

  const AnalyzerConfig& analyzer = config.analyzer;
  for (std::size_t i = 0; i < analyzer.local_paths.size(); ++i) {
    // Relative entries would depend on the directory herald was started in.
    const std::string& dir = analyzer.local_paths[i];
    if (dir.empty() || dir.front() != '/') {
      throw ConfigError("clair.analyzer.localPaths[" + std::to_string(i) + "]",
                        "must be an absolute directory path, got \"" + dir + "\"");
    }
  }
  if (analyzer.max_layer_size < 1) {
    throw ConfigError("clair.analyzer.maxLayerSize", "must be greater than zero");
  }
  if (analyzer.max_file_size < 1) {
    throw ConfigError("clair.analyzer.maxFileSize", "must be greater than zero");
  }
  RequirePositive(analyzer.timeout, "clair.analyzer.timeout");
  if (analyzer.concurrency < 1 || analyzer.concurrency > 1024) {
    throw ConfigError("clair.analyzer.concurrency",
                      "must be between 1 and 1024, got " + std::to_string(analyzer.concurrency));
  }

  const NotifierConfig& notifier = config.notifier;
  if (notifier.attempts < 1) {
    throw ConfigError("clair.notifier.attempts",
                      "must be at least 1, got " + std::to_string(notifier.attempts));
  }
  RequirePositive(notifier.renotify_interval, "clair.notifier.renotifyInterval");
  if (notifier.concurrency < 1 || notifier.concurrency > 100000) {
    throw ConfigError("clair.notifier.concurrency",
                      "must be between 1 and 100000, got " + std::to_string(notifier.concurrency));
  }
  // A lease shorter than a second would expire between renewals.
  if (notifier.lease_duration < std::chrono::seconds(1)) {
    throw ConfigError("clair.notifier.leaseDuration",
                      "must be at least 1s, got " + FormatGoDuration(notifier.lease_duration));
  }

  ValidateWebhook(notifier.http, "clair.notifier.http");
  for (const auto& [name, webhook] : notifier.webhooks) {
    const std::string path = "clair.notifier.webhooks." + name;
    // The name becomes the receiver key webhooks.<name>: a metric label, a
    // field of /deliveries and a key in stored round progress.
    if (name.empty() || name.size() > 64 || !std::all_of(name.begin(), name.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
        })) {
      throw ConfigError(path, "a webhook name must be 1 to 64 letters, digits, '-' or '_'");
    }
    if (webhook.endpoint.empty()) {
      throw ConfigError(path + ".endpoint", "is required for a named webhook");
    }
    ValidateWebhook(webhook, path);
  }
  ValidateAmqp(notifier.amqp, "clair.notifier.amqp");
  ValidateStomp(notifier.stomp, "clair.notifier.stomp");
}

std::string ToRedactedYaml(const Config& config) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "clair" << YAML::Value << YAML::BeginMap;

  out << YAML::Key << "database" << YAML::Value << YAML::BeginMap;
  EmitString(out, "source", RedactDatabaseSource(config.database.source));
  EmitInt(out, "cacheSize", config.database.cache_size);
  EmitInt(out, "poolSize", config.database.pool_size);
  out << YAML::EndMap;

  const ApiConfig& api = config.api;
  out << YAML::Key << "api" << YAML::Value << YAML::BeginMap;
  EmitInt(out, "port", api.port);
  EmitInt(out, "healthport", api.health_port);
  EmitDuration(out, "timeout", api.timeout);
  EmitSecret(out, "paginationKey", api.pagination_key);
  EmitString(out, "servername", api.servername);
  EmitString(out, "cafile", api.cafile);
  EmitString(out, "keyfile", api.keyfile);
  EmitString(out, "certfile", api.certfile);
  EmitInt(out, "maxConnections", api.max_connections);
  out << YAML::Key << "tokens" << YAML::Value;
  if (api.tokens.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    out << YAML::BeginSeq;
    for (const auto& token : api.tokens) {
      out << YAML::BeginMap;
      EmitString(out, "name", token.name);
      EmitString(out, "sha256", token.sha256);
      EmitString(out, "scope", token.scope);
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;

  out << YAML::Key << "updater" << YAML::Value << YAML::BeginMap;
  EmitDuration(out, "interval", config.updater.interval);
  out << YAML::Key << "notifyFirstUpdate" << YAML::Value << config.updater.notify_first_update;
  out << YAML::Key << "notifyUnaffected" << YAML::Value << config.updater.notify_unaffected;
  out << YAML::Key << "sources" << YAML::Value;
  if (config.updater.sources.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    out << YAML::BeginSeq;
    for (const auto& source : config.updater.sources) {
      out << YAML::BeginMap;
      EmitString(out, "name", source.name);
      EmitString(out, "kind", source.kind);
      EmitString(out, "url", RedactUrlPassword(source.url));
      out << YAML::EndMap;
    }
    out << YAML::EndSeq;
  }
  out << YAML::EndMap;

  const AnalyzerConfig& analyzer = config.analyzer;
  out << YAML::Key << "analyzer" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "localPaths" << YAML::Value;
  if (analyzer.local_paths.empty()) {
    out << YAML::Flow << YAML::BeginSeq << YAML::EndSeq;
  } else {
    out << YAML::BeginSeq;
    for (const auto& dir : analyzer.local_paths) out << YAML::DoubleQuoted << dir;
    out << YAML::EndSeq;
  }
  out << YAML::Key << "maxLayerSize" << YAML::Value << FormatByteSize(analyzer.max_layer_size);
  out << YAML::Key << "maxFileSize" << YAML::Value << FormatByteSize(analyzer.max_file_size);
  EmitDuration(out, "timeout", analyzer.timeout);
  EmitInt(out, "concurrency", analyzer.concurrency);
  out << YAML::EndMap;

  const NotifierConfig& notifier = config.notifier;
  out << YAML::Key << "notifier" << YAML::Value << YAML::BeginMap;
  EmitInt(out, "attempts", notifier.attempts);
  EmitDuration(out, "renotifyInterval", notifier.renotify_interval);
  EmitInt(out, "concurrency", notifier.concurrency);
  EmitDuration(out, "leaseDuration", notifier.lease_duration);

  out << YAML::Key << "http" << YAML::Value;
  EmitWebhook(out, notifier.http);
  if (!notifier.webhooks.empty()) {
    out << YAML::Key << "webhooks" << YAML::Value << YAML::BeginMap;
    for (const auto& [name, webhook] : notifier.webhooks) {
      out << YAML::Key << YAML::DoubleQuoted << name << YAML::Value;
      EmitWebhook(out, webhook);
    }
    out << YAML::EndMap;
  }
  const AmqpReceiverConfig& amqp = notifier.amqp;
  if (!amqp.uri.empty()) {
    out << YAML::Key << "amqp" << YAML::Value << YAML::BeginMap;
    EmitString(out, "uri", RedactUrlPassword(amqp.uri));
    EmitString(out, "exchange", amqp.exchange);
    EmitString(out, "routingKey", amqp.routing_key);
    out << YAML::Key << "direct" << YAML::Value << amqp.direct;
    EmitString(out, "cafile", amqp.cafile);
    EmitString(out, "certfile", amqp.certfile);
    EmitString(out, "keyfile", amqp.keyfile);
    EmitDuration(out, "timeout", amqp.timeout);
    EmitFilter(out, amqp.filter);
    out << YAML::EndMap;
  }
  const StompReceiverConfig& stomp = notifier.stomp;
  if (!stomp.address.empty()) {
    out << YAML::Key << "stomp" << YAML::Value << YAML::BeginMap;
    EmitString(out, "address", stomp.address);
    EmitString(out, "destination", stomp.destination);
    EmitString(out, "login", stomp.login);
    EmitSecret(out, "passcode", stomp.passcode);
    EmitString(out, "host", stomp.host);
    out << YAML::Key << "direct" << YAML::Value << stomp.direct;
    EmitDuration(out, "timeout", stomp.timeout);
    EmitDuration(out, "heartbeat", stomp.heartbeat);
    EmitFilter(out, stomp.filter);
    out << YAML::EndMap;
  }

  out << YAML::EndMap;  // notifier
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace herald::config
