#include "config/config.h"

#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <stdexcept>
#include <string>

namespace herald::config {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::nanoseconds;
using std::chrono::seconds;

// Clair v1.2's config.example.yaml, comments removed: keys with no value
// must mean "unset".
constexpr const char* kClairExample = R"(clair:
  database:
    source: host=localhost port=5432 user=postgres sslmode=disable
    cacheSize: 16384
  api:
    port: 6060
    healthport: 6061
    timeout: 900s
    paginationKey:
    servername:
    cafile:
    keyfile:
    certfile:
  updater:
    interval: 2h
  notifier:
    attempts: 3
    renotifyInterval: 2h
    http:
      endpoint:
      servername:
      cafile:
      keyfile:
      certfile:
      proxy:
)";

// 32 bytes of 0x01 in URL-safe base64.
constexpr const char* kFernetKey = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";

// The dotted key of the ConfigError thrown by fn, or a marker when none is.
template <typename Fn>
std::string ErrorKey(Fn&& fn) {
  try {
    fn();
  } catch (const ConfigError& e) {
    return e.key();
  }
  return "<no error>";
}

std::string ParseErrorKey(const std::string& yaml) {
  return ErrorKey([&] { ParseYaml(yaml); });
}

std::string ParseErrorMessage(const std::string& yaml) {
  try {
    ParseYaml(yaml);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "<no error>";
}

std::string ValidateErrorKey(const Config& config) {
  return ErrorKey([&] { Validate(config); });
}

void ExpectDefaults(const Config& c) {
  EXPECT_EQ(c.database.source, "");
  EXPECT_EQ(c.database.cache_size, 16384);
  EXPECT_EQ(c.api.port, 6060);
  EXPECT_EQ(c.api.health_port, 6061);
  EXPECT_EQ(c.api.timeout, seconds(900));
  EXPECT_EQ(c.api.pagination_key, "");
  EXPECT_EQ(c.updater.interval, hours(2));
  EXPECT_FALSE(c.updater.notify_first_update);
  EXPECT_TRUE(c.updater.notify_unaffected);
  EXPECT_TRUE(c.updater.sources.empty());
  EXPECT_EQ(c.notifier.attempts, 3);
  EXPECT_EQ(c.notifier.renotify_interval, hours(2));
  EXPECT_EQ(c.notifier.concurrency, 64);
  EXPECT_EQ(c.notifier.lease_duration, minutes(10));
  EXPECT_EQ(c.notifier.http.endpoint, "");
  EXPECT_EQ(c.notifier.http.timeout, seconds(5));
  EXPECT_TRUE(c.notifier.http.headers.empty());
}

// ---------------------------------------------------------------------------
// Durations

TEST(ParseGoDurationTest, AcceptsGoSpellings) {
  struct Case {
    const char* text;
    nanoseconds want;
  };
  const Case cases[] = {
      {"900s", seconds(900)},
      {"2h", hours(2)},
      {"1m30s", seconds(90)},
      {"1.5h", minutes(90)},
      {"300ms", milliseconds(300)},
      {"1h0m5s", seconds(3605)},
      {"0", nanoseconds::zero()},
      {"+0", nanoseconds::zero()},
      {"-0", nanoseconds::zero()},
      {"0s", nanoseconds::zero()},
      {"1ns", nanoseconds(1)},
      {"1us", microseconds(1)},
      {"1\u00b5s", microseconds(1)},
      {"1\u03bcs", microseconds(1)},
      {".5s", milliseconds(500)},
      {"1.s", seconds(1)},
      {"1.0000000001s", seconds(1)},  // below a nanosecond is dropped, as in Go
      {"2h45m30.5s", hours(2) + minutes(45) + milliseconds(30500)},
      {"1s1s", seconds(2)},
      {"-1m", minutes(-1)},
      {"+5s", seconds(5)},
      {"9223372036854775807ns", nanoseconds(std::numeric_limits<std::int64_t>::max())},
      {"-9223372036854775808ns", nanoseconds(std::numeric_limits<std::int64_t>::min())},
      {"2562047h47m16.854775807s", nanoseconds(std::numeric_limits<std::int64_t>::max())},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ParseGoDuration(c.text), c.want) << c.text;
  }
}

TEST(ParseGoDurationTest, RejectsMalformed) {
  for (const char* text : {"",
                           "5",
                           "1x",
                           "h",
                           "-",
                           "+",
                           ".",
                           ".s",
                           "s",
                           "1h30",
                           " 1s",
                           "1s ",
                           "1 s",
                           "1S",
                           "1sec",
                           "--1s",
                           "1e3s",
                           "9223372036854775808ns",
                           "-9223372036854775809ns",
                           "2562048h",
                           "99999999999999999999s",
                           "-9223372036854775808ns9223372036854775808ns"}) {
    EXPECT_THROW(ParseGoDuration(text), std::invalid_argument) << '"' << text << '"';
  }
}

TEST(ParseGoDurationTest, MessagesQuoteTheInput) {
  try {
    ParseGoDuration("5");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("missing unit"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("\"5\""), std::string::npos) << e.what();
  }
  try {
    ParseGoDuration("1x");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("unknown unit \"x\""), std::string::npos) << e.what();
  }
}

TEST(FormatGoDurationTest, ShortestSpelling) {
  struct Case {
    nanoseconds d;
    const char* want;
  };
  const Case cases[] = {
      {nanoseconds::zero(), "0s"},
      {hours(2), "2h"},
      {seconds(90), "1m30s"},
      {milliseconds(900), "900ms"},
      {seconds(3605), "1h0m5s"},
      {minutes(90), "1h30m"},
      {seconds(900), "15m"},
      {seconds(1), "1s"},
      {milliseconds(1500), "1.5s"},
      {milliseconds(60500), "1m0.5s"},
      {hours(1) + milliseconds(1), "1h0m0.001s"},
      {nanoseconds(1), "1ns"},
      {nanoseconds(1500), "1.5us"},
      {microseconds(1), "1us"},
      {nanoseconds(1000001), "1.000001ms"},
      {hours(-2), "-2h"},
      {nanoseconds(std::numeric_limits<std::int64_t>::max()), "2562047h47m16.854775807s"},
      {nanoseconds(std::numeric_limits<std::int64_t>::min()), "-2562047h47m16.854775808s"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(FormatGoDuration(c.d), c.want) << c.d.count();
  }
}

TEST(FormatGoDurationTest, RoundTrips) {
  const std::int64_t values[] = {
      0,
      1,
      999,
      1000,
      1001,
      999999,
      1000000,
      123456789,
      999999999,
      1000000000,
      1000000001,
      59999999999,
      60000000000,
      3599999999999,
      3600000000000,
      3600000000001,
      7205123456789,
      86400000000000,
      std::numeric_limits<std::int64_t>::max(),
      std::numeric_limits<std::int64_t>::min(),
      std::numeric_limits<std::int64_t>::min() + 1,
  };
  for (std::int64_t v : values) {
    for (std::int64_t signed_v : {v, v == std::numeric_limits<std::int64_t>::min() ? v : -v}) {
      const nanoseconds d(signed_v);
      EXPECT_EQ(ParseGoDuration(FormatGoDuration(d)), d) << FormatGoDuration(d);
    }
  }
  // A spread of values with every component populated.
  std::uint64_t x = 0x9e3779b97f4a7c15ULL;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    const nanoseconds d(static_cast<std::int64_t>(x >> (i % 40)));
    ASSERT_EQ(ParseGoDuration(FormatGoDuration(d)), d) << FormatGoDuration(d);
  }
}

// ---------------------------------------------------------------------------
// Parsing

TEST(ParseYamlTest, ClairExampleLoadsUnchanged) {
  const Config c = ParseYaml(kClairExample);
  EXPECT_EQ(c.database.source, "host=localhost port=5432 user=postgres sslmode=disable");
  EXPECT_EQ(c.database.cache_size, 16384);
  EXPECT_EQ(c.api.port, 6060);
  EXPECT_EQ(c.api.health_port, 6061);
  EXPECT_EQ(c.api.timeout, seconds(900));
  EXPECT_EQ(c.api.pagination_key, "");
  EXPECT_EQ(c.api.certfile, "");
  EXPECT_EQ(c.updater.interval, hours(2));
  EXPECT_EQ(c.notifier.attempts, 3);
  EXPECT_EQ(c.notifier.renotify_interval, hours(2));
  EXPECT_EQ(c.notifier.http.endpoint, "");
  EXPECT_EQ(c.notifier.http.proxy, "");
  EXPECT_EQ(c.notifier.http.timeout, seconds(5));
  EXPECT_NO_THROW(Validate(c));
}

TEST(ParseYamlTest, GoLowercaseKeysAreAccepted) {
  // Go's yaml package matched Clair's untagged fields by lowercase name.
  const Config c = ParseYaml(
      "clair:\n  database:\n    cachesize: 5\n  notifier:\n    renotifyinterval: 3h\n"
      "  api:\n    paginationkey: abc\n");
  EXPECT_EQ(c.database.cache_size, 5);
  EXPECT_EQ(c.notifier.renotify_interval, hours(3));
  EXPECT_EQ(c.api.pagination_key, "abc");
  EXPECT_EQ(
      ParseErrorKey("clair:\n  notifier:\n    renotifyInterval: 1h\n    renotifyinterval: 1h\n"),
      "clair.notifier.renotifyInterval");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    RENOTIFYINTERVAL: 1h\n"),
            "clair.notifier.RENOTIFYINTERVAL");
}

TEST(ParseYamlTest, EmptyDocumentsYieldDefaults) {
  for (const char* text : {"", "\n", "# only a comment\n", "---\n", "clair:\n", "clair: ~\n",
                           "clair:\n  api:\n  notifier:\n    http:\n", "clair: {}\n"}) {
    SCOPED_TRACE(text);
    ExpectDefaults(ParseYaml(text));
  }
  EXPECT_NO_THROW(Validate(Config{}));
}

TEST(ParseYamlTest, EveryKeyOverrides) {
  const Config c = ParseYaml(R"(clair:
  database:
    source: sqlite:///var/lib/herald.db
    cacheSize: 10
  api:
    port: 7000
    healthport: 7001
    timeout: 30s
    paginationKey: AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=
    servername: api.example
    cafile: /etc/ca.pem
    keyfile: /etc/key.pem
    certfile: /etc/cert.pem
  updater:
    interval: 1h
  notifier:
    attempts: 7
    renotifyInterval: 45m
    concurrency: 200
    leaseDuration: 90s
    http:
      endpoint: https://hooks.example/clair
      servername: hooks.example
      cafile: /etc/hooks-ca.pem
      certfile: /etc/hooks-cert.pem
      keyfile: /etc/hooks-key.pem
      timeout: 2500ms
      proxy: http://proxy.example:3128
      headers:
        X-Team: security
        Authorization: Bearer abc
      secret: whsec_c2VjcmV0
      callback: https://herald.example
)");
  EXPECT_EQ(c.database.source, "sqlite:///var/lib/herald.db");
  EXPECT_EQ(c.database.cache_size, 10);
  EXPECT_EQ(c.api.port, 7000);
  EXPECT_EQ(c.api.health_port, 7001);
  EXPECT_EQ(c.api.timeout, seconds(30));
  EXPECT_EQ(c.api.pagination_key, kFernetKey);
  EXPECT_EQ(c.api.servername, "api.example");
  EXPECT_EQ(c.api.cafile, "/etc/ca.pem");
  EXPECT_EQ(c.api.keyfile, "/etc/key.pem");
  EXPECT_EQ(c.api.certfile, "/etc/cert.pem");
  EXPECT_EQ(c.updater.interval, hours(1));
  EXPECT_EQ(c.notifier.attempts, 7);
  EXPECT_EQ(c.notifier.renotify_interval, minutes(45));
  EXPECT_EQ(c.notifier.concurrency, 200);
  EXPECT_EQ(c.notifier.lease_duration, seconds(90));
  const HttpReceiverConfig& http = c.notifier.http;
  EXPECT_EQ(http.endpoint, "https://hooks.example/clair");
  EXPECT_EQ(http.servername, "hooks.example");
  EXPECT_EQ(http.cafile, "/etc/hooks-ca.pem");
  EXPECT_EQ(http.certfile, "/etc/hooks-cert.pem");
  EXPECT_EQ(http.keyfile, "/etc/hooks-key.pem");
  EXPECT_EQ(http.timeout, milliseconds(2500));
  EXPECT_EQ(http.proxy, "http://proxy.example:3128");
  EXPECT_EQ(http.headers.size(), 2U);
  EXPECT_EQ(http.headers.at("X-Team"), "security");
  EXPECT_EQ(http.headers.at("Authorization"), "Bearer abc");
  EXPECT_EQ(http.secret, "whsec_c2VjcmV0");
  EXPECT_EQ(http.callback, "https://herald.example");
  EXPECT_NO_THROW(Validate(c));
}

TEST(ParseYamlTest, NullKeepsDefaultButEmptyStringSets) {
  const Config c = ParseYaml(
      "clair:\n  api:\n    port: ~\n    timeout: null\n  notifier:\n    attempts:\n"
      "    http:\n      endpoint: \"\"\n      headers:\n");
  EXPECT_EQ(c.api.port, 6060);
  EXPECT_EQ(c.api.timeout, seconds(900));
  EXPECT_EQ(c.notifier.attempts, 3);
  EXPECT_EQ(c.notifier.http.endpoint, "");
  // A quoted "null" is a string, not YAML null.
  EXPECT_EQ(ParseYaml("clair:\n  api:\n    servername: \"null\"\n").api.servername, "null");
}

TEST(ParseYamlTest, DurationsAcceptQuotedAndZero) {
  EXPECT_EQ(ParseYaml("clair:\n  updater:\n    interval: \"2h\"\n").updater.interval, hours(2));
  EXPECT_EQ(ParseYaml("clair:\n  updater:\n    interval: 0\n").updater.interval,
            nanoseconds::zero());
  EXPECT_EQ(ParseYaml("clair:\n  api:\n    timeout: 1.5h\n").api.timeout, minutes(90));
}

TEST(ParseYamlTest, UnknownKeysAreNamed) {
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    htp:\n      endpoint: x\n"),
            "clair.notifier.htp");
  EXPECT_EQ(ParseErrorKey("clair: {}\nextra: 1\n"), "extra");
  EXPECT_EQ(ParseErrorKey("clair:\n  databse:\n    source: x\n"), "clair.databse");
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    addr: 0.0.0.0:6060\n"), "clair.api.addr");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      endpiont: http://x\n"),
            "clair.notifier.http.endpiont");
  // Clair v2's layout is not v1's.
  EXPECT_EQ(ParseErrorKey("clair:\n  database:\n    type: pgsql\n"), "clair.database.type");
  EXPECT_EQ(ParseErrorKey("clair:\n  updater:\n    enabledupdaters: [debian]\n"),
            "clair.updater.enabledupdaters");
  const std::string message = ParseErrorMessage("clair:\n  notifier:\n    htp: 1\n");
  EXPECT_NE(message.find("clair.notifier.htp"), std::string::npos) << message;
  EXPECT_NE(message.find("line 3"), std::string::npos) << message;
  EXPECT_NE(message.find("http"), std::string::npos) << message;  // the known keys
}

TEST(ParseYamlTest, MissingOrMisshapenClair) {
  EXPECT_EQ(ParseErrorKey("{}\n"), "clair");
  EXPECT_EQ(ParseErrorKey("clair: 5\n"), "clair");
  EXPECT_EQ(ParseErrorKey("clair: [a, b]\n"), "clair");
  EXPECT_EQ(ParseErrorKey("clair:\n  api: 6060\n"), "clair.api");
  EXPECT_EQ(ParseErrorKey("just a string\n"), "");
  EXPECT_EQ(ParseErrorKey("- clair\n"), "");
  EXPECT_EQ(ParseErrorKey("api:\n  port: 1\n"), "api");
}

TEST(ParseYamlTest, DuplicateKeysAreRejected) {
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    port: 1\n    port: 2\n"), "clair.api.port");
  EXPECT_EQ(ParseErrorKey("clair: {}\nclair: {}\n"), "clair");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      headers:\n        X-A: 1\n"
                          "        x-a: 2\n"),
            "clair.notifier.http.headers.x-a");
}

TEST(ParseYamlTest, WrongTypesAreNamed) {
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    port: abc\n"), "clair.api.port");
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    port: 60.5\n"), "clair.api.port");
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    port: 70000\n"), "clair.api.port");
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    port: -1\n"), "clair.api.port");
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    port: [1]\n"), "clair.api.port");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    attempts: true\n"), "clair.notifier.attempts");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    attempts: +-1\n"), "clair.notifier.attempts");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    concurrency: 99999999999\n"),
            "clair.notifier.concurrency");
  EXPECT_EQ(ParseErrorKey("clair:\n  database:\n    cacheSize: 99999999999999999999\n"),
            "clair.database.cacheSize");
  EXPECT_EQ(ParseErrorKey("clair:\n  database:\n    source: {a: b}\n"), "clair.database.source");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      headers: [a]\n"),
            "clair.notifier.http.headers");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      headers:\n        X-A: [1]\n"),
            "clair.notifier.http.headers.X-A");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http: yes\n"), "clair.notifier.http");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    amqp: {uri: \"amqp://r/\", direct: maybe}\n"),
            "clair.notifier.amqp.direct");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    stomp: {address: \"r:61613\", direct: 2}\n"),
            "clair.notifier.stomp.direct");
  EXPECT_NE(ParseErrorMessage("clair:\n  api:\n    port: abc\n").find("expected an integer"),
            std::string::npos);
  EXPECT_EQ(ParseYaml("clair:\n  notifier:\n    attempts: +4\n").notifier.attempts, 4);
}

TEST(ParseYamlTest, BadDurationsAreNamed) {
  EXPECT_EQ(ParseErrorKey("clair:\n  api:\n    timeout: 900\n"), "clair.api.timeout");
  EXPECT_NE(ParseErrorMessage("clair:\n  api:\n    timeout: 900\n").find("\"900s\""),
            std::string::npos);
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    renotifyInterval: 2 hours\n"),
            "clair.notifier.renotifyInterval");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    leaseDuration: \"\"\n"),
            "clair.notifier.leaseDuration");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      timeout: {s: 1}\n"),
            "clair.notifier.http.timeout");
  EXPECT_EQ(ParseErrorKey("clair:\n  updater:\n    interval: 1x\n"), "clair.updater.interval");
}

TEST(ParseYamlTest, MalformedYamlReportsPosition) {
  const std::string message = ParseErrorMessage("clair:\n  api:\n    port: [6060\n  x: 1\n");
  EXPECT_NE(message.find("invalid YAML"), std::string::npos) << message;
  EXPECT_NE(message.find("line "), std::string::npos) << message;
  EXPECT_EQ(ParseErrorKey("clair:\n\tapi: {}\n"), "");
  EXPECT_EQ(ParseErrorKey("clair: {\n"), "");
}

TEST(ParseYamlTest, SecondDocumentIsRejected) {
  EXPECT_EQ(ParseErrorKey("clair: {}\n---\nclair: {}\n"), "");
  EXPECT_NO_THROW(ParseYaml("clair: {}\n---\n"));
  EXPECT_NO_THROW(ParseYaml("clair: {}\n---\n---\n# nothing else\n"));
}

// Found by tests/fuzz/config_fuzz: yaml-cpp's LoadAll looped forever,
// allocating, on a token that cannot start a value, so `herald check-config`
// hung on a two-byte file.
TEST(ParseYamlTest, AStrayCommaIsAnErrorNotAHang) {
  for (const char* text : {",", ",i", "\n,\n", "clair: {}\n---\n,\n"}) {
    SCOPED_TRACE(text);
    const std::string message = ParseErrorMessage(text);
    EXPECT_NE(message.find("invalid YAML (line "), std::string::npos) << message;
  }
}

// ---------------------------------------------------------------------------
// Files

class LoadFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("herald_config_test_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(LoadFileTest, ReadsFile) {
  const Config c = LoadFile(Write("config.yaml", kClairExample));
  EXPECT_EQ(c.database.source, "host=localhost port=5432 user=postgres sslmode=disable");
}

TEST_F(LoadFileTest, UnreadableNamesPathAndReason) {
  const std::string missing = (dir_ / "missing.yaml").string();
  try {
    LoadFile(missing);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(missing), std::string::npos) << message;
    EXPECT_NE(message.find("No such file"), std::string::npos) << message;
  }
  try {
    LoadFile(dir_.string());
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("directory"), std::string::npos) << e.what();
  }
}

TEST_F(LoadFileTest, ParseErrorsPropagate) {
  EXPECT_EQ(ErrorKey([&] { LoadFile(Write("bad.yaml", "clair:\n  nope: 1\n")); }), "clair.nope");
}

// ---------------------------------------------------------------------------
// Validation

TEST(ValidateTest, FailuresNameTheKey) {
  struct Case {
    const char* yaml;
    const char* key;
  };
  const Case cases[] = {
      {"clair:\n  api:\n    port: 0\n", "clair.api.port"},
      {"clair:\n  api:\n    healthport: 0\n", "clair.api.healthport"},
      {"clair:\n  api:\n    port: 7000\n    healthport: 7000\n", "clair.api.healthport"},
      {"clair:\n  api:\n    timeout: 0s\n", "clair.api.timeout"},
      {"clair:\n  api:\n    timeout: -1s\n", "clair.api.timeout"},
      {"clair:\n  api:\n    paginationKey: short\n", "clair.api.paginationKey"},
      {"clair:\n  api:\n    paginationKey: \"!!!\"\n", "clair.api.paginationKey"},
      {"clair:\n  api:\n    certfile: c.pem\n", "clair.api.keyfile"},
      {"clair:\n  api:\n    keyfile: k.pem\n", "clair.api.certfile"},
      {"clair:\n  api:\n    cafile: ca.pem\n", "clair.api.cafile"},
      {"clair:\n  database:\n    cacheSize: -1\n", "clair.database.cacheSize"},
      {"clair:\n  updater:\n    interval: -1h\n", "clair.updater.interval"},
      {"clair:\n  notifier:\n    attempts: 0\n", "clair.notifier.attempts"},
      {"clair:\n  notifier:\n    renotifyInterval: 0\n", "clair.notifier.renotifyInterval"},
      {"clair:\n  notifier:\n    concurrency: 0\n", "clair.notifier.concurrency"},
      {"clair:\n  notifier:\n    concurrency: 100001\n", "clair.notifier.concurrency"},
      {"clair:\n  notifier:\n    leaseDuration: 999ms\n", "clair.notifier.leaseDuration"},
      {"clair:\n  notifier:\n    http:\n      endpoint: ftp://x\n", "clair.notifier.http.endpoint"},
      {"clair:\n  notifier:\n    http:\n      endpoint: hooks.example\n",
       "clair.notifier.http.endpoint"},
      {"clair:\n  notifier:\n    http:\n      endpoint: \"http://\"\n",
       "clair.notifier.http.endpoint"},
      {"clair:\n  notifier:\n    http:\n      endpoint: \"http://a b\"\n",
       "clair.notifier.http.endpoint"},
      {"clair:\n  notifier:\n    http:\n      callback: localhost:6060\n",
       "clair.notifier.http.callback"},
      {"clair:\n  notifier:\n    http:\n      proxy: socks5://p:1080\n",
       "clair.notifier.http.proxy"},
      {"clair:\n  notifier:\n    http:\n      timeout: 0s\n", "clair.notifier.http.timeout"},
      {"clair:\n  notifier:\n    http:\n      certfile: c.pem\n", "clair.notifier.http.keyfile"},
      {"clair:\n  notifier:\n    http:\n      keyfile: k.pem\n", "clair.notifier.http.certfile"},
      {"clair:\n  notifier:\n    http:\n      headers:\n        \"Bad Name\": x\n",
       "clair.notifier.http.headers.Bad Name"},
      {"clair:\n  notifier:\n    http:\n      headers:\n        X-A: \"a\\r\\nX-B: b\"\n",
       "clair.notifier.http.headers.X-A"},
      {"clair:\n  notifier:\n    http:\n      secret: \"not base64!\"\n",
       "clair.notifier.http.secret"},
      // Named webhooks (SPEC §9): every rule of http, under their own key.
      {"clair:\n  notifier:\n    webhooks:\n      team:\n        timeout: 1s\n",
       "clair.notifier.webhooks.team.endpoint"},
      {"clair:\n  notifier:\n    webhooks:\n      team:\n        endpoint: ftp://x\n",
       "clair.notifier.webhooks.team.endpoint"},
      {"clair:\n  notifier:\n    webhooks:\n      team:\n        endpoint: http://h/\n"
       "        secret: \"not base64!\"\n",
       "clair.notifier.webhooks.team.secret"},
      {"clair:\n  notifier:\n    webhooks:\n      team:\n        endpoint: http://h/\n"
       "        certfile: c.pem\n",
       "clair.notifier.webhooks.team.keyfile"},
      {"clair:\n  notifier:\n    webhooks:\n      \"a.b\":\n        endpoint: http://h/\n",
       "clair.notifier.webhooks.a.b"},
      {"clair:\n  notifier:\n    webhooks:\n      \"\":\n        endpoint: http://h/\n",
       "clair.notifier.webhooks."},
      // Filters (SPEC §9): Clair v1's severity spelling, namespace patterns.
      {"clair:\n  notifier:\n    http:\n      filter: {minSeverity: high}\n",
       "clair.notifier.http.filter.minSeverity"},
      {"clair:\n  notifier:\n    webhooks:\n      team:\n        endpoint: http://h/\n"
       "        filter: {namespaces: [\"debian:12\", \"debian*\"]}\n",
       "clair.notifier.webhooks.team.filter.namespaces[1]"},
      {"clair:\n  notifier:\n    http:\n      filter: {namespaces: [\"*\"]}\n",
       "clair.notifier.http.filter.namespaces[0]"},
      {"clair:\n  notifier:\n    http:\n      filter: {namespaces: [\"debian:*:x\"]}\n",
       "clair.notifier.http.filter.namespaces[0]"},
      {"clair:\n  notifier:\n    http:\n      filter: {namespaces: [\"\"]}\n",
       "clair.notifier.http.filter.namespaces[0]"},
      // AMQP (SPEC §9).
      {"clair:\n  notifier:\n    amqp: {uri: \"http://rabbit/\"}\n", "clair.notifier.amqp.uri"},
      {"clair:\n  notifier:\n    amqp: {uri: \"amqp://a b/\"}\n", "clair.notifier.amqp.uri"},
      {"clair:\n  notifier:\n    amqp: {uri: \"amqp://r/\", cafile: ca.pem}\n",
       "clair.notifier.amqp.uri"},
      {"clair:\n  notifier:\n    amqp: {uri: \"amqps://r/\", certfile: c.pem}\n",
       "clair.notifier.amqp.keyfile"},
      {"clair:\n  notifier:\n    amqp: {uri: \"amqp://r/\", timeout: 0s}\n",
       "clair.notifier.amqp.timeout"},
      {"clair:\n  notifier:\n    amqp: {uri: \"amqp://r/\", filter: {minSeverity: Huge}}\n",
       "clair.notifier.amqp.filter.minSeverity"},
      // STOMP (SPEC §9).
      {"clair:\n  notifier:\n    stomp: {address: rabbit}\n", "clair.notifier.stomp.address"},
      {"clair:\n  notifier:\n    stomp: {address: \"rabbit:0\"}\n", "clair.notifier.stomp.address"},
      {"clair:\n  notifier:\n    stomp: {address: \":61613\"}\n", "clair.notifier.stomp.address"},
      {"clair:\n  notifier:\n    stomp: {address: \"stomp://r:61613\"}\n",
       "clair.notifier.stomp.address"},
      {"clair:\n  notifier:\n    stomp: {address: \"r:61613\", destination: \"\"}\n",
       "clair.notifier.stomp.destination"},
      {"clair:\n  notifier:\n    stomp: {address: \"r:61613\", timeout: 0s}\n",
       "clair.notifier.stomp.timeout"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(ValidateErrorKey(ParseYaml(c.yaml)), c.key) << c.yaml;
  }
}

TEST(ValidateTest, AcceptsBoundaries) {
  Config c;
  c.api.port = 1;
  c.api.health_port = 65535;
  c.notifier.attempts = 1;
  c.notifier.concurrency = 100000;
  c.notifier.lease_duration = seconds(1);
  c.api.pagination_key = kFernetKey;
  c.api.certfile = "c";
  c.api.keyfile = "k";
  c.api.cafile = "ca";
  c.notifier.http.endpoint = "HTTPS://hooks.example/x";
  c.notifier.http.cafile = "ca";  // verifying the receiver needs no client cert
  c.notifier.http.headers = {{"X-Empty", ""}};
  EXPECT_NO_THROW(Validate(c));
  // Fernet keys are also accepted without padding.
  c.api.pagination_key = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
  EXPECT_NO_THROW(Validate(c));
}

TEST(ValidateTest, PaginationKeyNeverInMessage) {
  Config c;
  c.api.pagination_key = "c2VjcmV0LWJ1dC10b28tc2hvcnQ=";
  try {
    Validate(c);
    FAIL() << "no exception";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()).find(c.api.pagination_key), std::string::npos);
  }
}

TEST(ParseYamlTest, NamedWebhooksTakeEveryKeyOfHttp) {
  const Config c = ParseYaml(
      "clair:\n  notifier:\n    webhooks:\n"
      "      security-team:\n"
      "        endpoint: https://hooks.example/herald\n"
      "        servername: hooks.internal\n        cafile: ca.pem\n"
      "        certfile: c.pem\n        keyfile: k.pem\n        timeout: 2s\n"
      "        proxy: http://proxy:3128\n        headers: {X-Team: sec}\n"
      "        secret: whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n"
      "        callback: https://herald.example\n"
      "      ops:\n        endpoint: http://ops.example/hook\n");
  ASSERT_EQ(c.notifier.webhooks.size(), 2u);
  const HttpReceiverConfig& team = c.notifier.webhooks.at("security-team");
  EXPECT_EQ(team.endpoint, "https://hooks.example/herald");
  EXPECT_EQ(team.servername, "hooks.internal");
  EXPECT_EQ(team.cafile, "ca.pem");
  EXPECT_EQ(team.certfile, "c.pem");
  EXPECT_EQ(team.keyfile, "k.pem");
  EXPECT_EQ(team.timeout, seconds(2));
  EXPECT_EQ(team.proxy, "http://proxy:3128");
  EXPECT_EQ(team.headers, (std::map<std::string, std::string>{{"X-Team", "sec"}}));
  EXPECT_EQ(team.secret, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
  EXPECT_EQ(team.callback, "https://herald.example");
  // Unset keys keep http's defaults, not the other webhook's values.
  const HttpReceiverConfig& ops = c.notifier.webhooks.at("ops");
  EXPECT_EQ(ops.endpoint, "http://ops.example/hook");
  EXPECT_EQ(ops.timeout, seconds(5));
  EXPECT_TRUE(ops.secret.empty());
  EXPECT_TRUE(c.notifier.http.endpoint.empty());
  EXPECT_NO_THROW(Validate(c));
}

TEST(ParseYamlTest, EveryWebhookTakesAFilter) {
  const Config c = ParseYaml(
      "clair:\n  notifier:\n"
      "    http:\n      endpoint: http://all.example/\n"
      "      filter: {minSeverity: Critical}\n"
      "    webhooks:\n      security-team:\n        endpoint: https://hooks.example/herald\n"
      "        filter: {minSeverity: High, namespaces: [\"debian:*\", \"alpine:v3.18\"]}\n"
      "      ops:\n        endpoint: http://ops.example/hook\n");
  EXPECT_EQ(c.notifier.http.filter.min_severity, "Critical");
  EXPECT_TRUE(c.notifier.http.filter.namespaces.empty());
  const ReceiverFilter& team = c.notifier.webhooks.at("security-team").filter;
  EXPECT_EQ(team.min_severity, "High");
  EXPECT_EQ(team.namespaces, (std::vector<std::string>{"debian:*", "alpine:v3.18"}));
  EXPECT_TRUE(c.notifier.webhooks.at("ops").filter.empty());
  EXPECT_NO_THROW(Validate(c));
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      filter: {severity: High}\n"),
            "clair.notifier.http.filter.severity");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    http:\n      filter: {namespaces: debian}\n"),
            "clair.notifier.http.filter.namespaces");
  // Printed back, a filter reads as itself; an empty one is not printed.
  const Config back = ParseYaml(ToRedactedYaml(c));
  EXPECT_EQ(back.notifier.webhooks.at("security-team").filter.namespaces, team.namespaces);
  EXPECT_EQ(back.notifier.http.filter.min_severity, "Critical");
  EXPECT_EQ(ToRedactedYaml(Config{}).find("filter"), std::string::npos);
}

TEST(ParseYamlTest, AmqpTakesEveryKeyOfSpecSection9) {
  const Config c = ParseYaml(
      "clair:\n  notifier:\n    amqp:\n"
      "      uri: amqps://herald:pw@rabbit.internal:5671/security\n"
      "      exchange: notify\n      routingKey: herald.all\n      direct: true\n"
      "      cafile: ca.pem\n      certfile: c.pem\n      keyfile: k.pem\n"
      "      timeout: 2s\n      filter: {minSeverity: High}\n");
  const AmqpReceiverConfig& a = c.notifier.amqp;
  EXPECT_EQ(a.uri, "amqps://herald:pw@rabbit.internal:5671/security");
  EXPECT_EQ(a.exchange, "notify");
  EXPECT_EQ(a.routing_key, "herald.all");
  EXPECT_TRUE(a.direct);
  EXPECT_EQ(a.cafile, "ca.pem");
  EXPECT_EQ(a.certfile, "c.pem");
  EXPECT_EQ(a.keyfile, "k.pem");
  EXPECT_EQ(a.timeout, seconds(2));
  EXPECT_EQ(a.filter.min_severity, "High");
  EXPECT_NO_THROW(Validate(c));
  // Defaults as the spec's example; printed back with the password hidden.
  const AmqpReceiverConfig defaults;
  EXPECT_EQ(defaults.exchange, "herald");
  EXPECT_EQ(defaults.routing_key, "notifications");
  const std::string yaml = ToRedactedYaml(c);
  EXPECT_EQ(yaml.find(":pw@"), std::string::npos) << yaml;
  const Config back = ParseYaml(yaml);
  EXPECT_EQ(back.notifier.amqp.routing_key, "herald.all");
  EXPECT_TRUE(back.notifier.amqp.direct);
  EXPECT_EQ(back.notifier.amqp.uri, "amqps://herald:<redacted>@rabbit.internal:5671/security");
  EXPECT_EQ(ToRedactedYaml(Config{}).find("amqp"), std::string::npos);
}

TEST(ParseYamlTest, StompTakesEveryKeyOfSpecSection9) {
  const Config c = ParseYaml(
      "clair:\n  notifier:\n    stomp:\n"
      "      address: rabbit.internal:61613\n      destination: /topic/herald\n"
      "      login: herald\n      passcode: s3cret\n      host: security\n"
      "      direct: true\n      timeout: 3s\n      heartbeat: 0s\n"
      "      filter: {namespaces: [\"debian:*\"]}\n");
  const StompReceiverConfig& s = c.notifier.stomp;
  EXPECT_EQ(s.address, "rabbit.internal:61613");
  EXPECT_EQ(s.destination, "/topic/herald");
  EXPECT_EQ(s.login, "herald");
  EXPECT_EQ(s.passcode, "s3cret");
  EXPECT_EQ(s.host, "security");
  EXPECT_TRUE(s.direct);
  EXPECT_EQ(s.timeout, seconds(3));
  EXPECT_EQ(s.heartbeat, seconds(0));
  EXPECT_EQ(s.filter.namespaces, std::vector<std::string>{"debian:*"});
  EXPECT_NO_THROW(Validate(c));
  const StompReceiverConfig defaults;
  EXPECT_EQ(defaults.destination, "/queue/herald");
  EXPECT_EQ(defaults.host, "/");
  EXPECT_EQ(defaults.heartbeat, seconds(10));
  const std::string yaml = ToRedactedYaml(c);
  EXPECT_EQ(yaml.find("s3cret"), std::string::npos) << yaml;
  EXPECT_EQ(ParseYaml(yaml).notifier.stomp.destination, "/topic/herald");
}

TEST(ParseYamlTest, MisshapenNamedWebhooksAreNamed) {
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    webhooks: [a]\n"), "clair.notifier.webhooks");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    webhooks:\n      team:\n"),
            "clair.notifier.webhooks.team");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    webhooks:\n      team: {endpoint: "
                          "http://h/, bogus: 1}\n"),
            "clair.notifier.webhooks.team.bogus");
  EXPECT_EQ(ParseErrorKey("clair:\n  notifier:\n    webhooks:\n      team: {endpoint: http://h/}\n"
                          "      team: {endpoint: http://i/}\n"),
            "clair.notifier.webhooks.team");
}

// ---------------------------------------------------------------------------
// Printing

TEST(ToRedactedYamlTest, RedactsSecrets) {
  Config c;
  c.api.pagination_key = kFernetKey;
  c.notifier.http.secret = "hunter2";
  const std::string yaml = ToRedactedYaml(c);
  EXPECT_EQ(yaml.find(kFernetKey), std::string::npos) << yaml;
  EXPECT_EQ(yaml.find("hunter2"), std::string::npos) << yaml;
  const Config back = ParseYaml(yaml);
  EXPECT_EQ(back.api.pagination_key, "<redacted>");
  EXPECT_EQ(back.notifier.http.secret, "<redacted>");
}

TEST(ToRedactedYamlTest, NamedWebhooksAreRedactedToo) {
  Config c;
  c.notifier.webhooks["team"].endpoint = "https://u:hookpass@hooks.example/x";
  c.notifier.webhooks["team"].secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  c.notifier.webhooks["team"].headers = {{"Authorization", "Bearer tok"}};
  const std::string yaml = ToRedactedYaml(c);
  for (const char* secret : {"hookpass", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "Bearer tok"}) {
    EXPECT_EQ(yaml.find(secret), std::string::npos) << secret << "\n" << yaml;
  }
  const Config back = ParseYaml(yaml);
  ASSERT_EQ(back.notifier.webhooks.count("team"), 1u);
  EXPECT_EQ(back.notifier.webhooks.at("team").secret, "<redacted>");
}

TEST(ToRedactedYamlTest, EmptySecretsStayEmpty) {
  const Config back = ParseYaml(ToRedactedYaml(Config{}));
  EXPECT_EQ(back.api.pagination_key, "");
  EXPECT_EQ(back.notifier.http.secret, "");
}

TEST(ToRedactedYamlTest, RedactsEmbeddedCredentials) {
  Config c;
  c.database.source = "host=db user=herald password='p w' sslmode=disable";
  c.notifier.http.proxy = "http://user:proxypass@proxy:3128";
  c.notifier.http.endpoint = "https://hook:hookpass@hooks.example/x?a=b@c";
  c.notifier.http.headers = {{"Authorization", "Bearer tok"}, {"X-Team", "sec"}};
  std::string yaml = ToRedactedYaml(c);
  for (const char* secret : {"p w", "proxypass", "hookpass", "Bearer tok"}) {
    EXPECT_EQ(yaml.find(secret), std::string::npos) << secret << "\n" << yaml;
  }
  const Config back = ParseYaml(yaml);
  EXPECT_EQ(back.database.source, "host=db user=herald password=<redacted> sslmode=disable");
  EXPECT_EQ(back.notifier.http.proxy, "http://user:<redacted>@proxy:3128");
  EXPECT_EQ(back.notifier.http.endpoint, "https://hook:<redacted>@hooks.example/x?a=b@c");
  EXPECT_EQ(back.notifier.http.headers.at("X-Team"), "sec");

  c.database.source = "postgresql://u:dbpass@db:5432/herald?sslmode=disable&password=qp";
  yaml = ToRedactedYaml(c);
  EXPECT_EQ(yaml.find("dbpass"), std::string::npos) << yaml;
  EXPECT_EQ(ParseYaml(yaml).database.source,
            "postgresql://u:<redacted>@db:5432/herald?sslmode=disable&password=<redacted>");
}

TEST(ToRedactedYamlTest, RoundTripsEverythingElse) {
  Config c = ParseYaml(R"(clair:
  database:
    source: "null"
    cacheSize: 0
  api:
    port: 7000
    healthport: 7001
    timeout: 1h0m5s
    servername: "yes"
    cafile: "~"
    keyfile: "key: with colon"
    certfile: "#not a comment"
  updater:
    interval: 1.5h
  notifier:
    attempts: 9
    renotifyInterval: 300ms
    concurrency: 5
    leaseDuration: 1m30s
    http:
      endpoint: https://hooks.example/x
      servername: "0123"
      cafile: "caf\u00e9.pem"
      certfile: "line\nbreak"
      keyfile: "  spaced  "
      timeout: 2500ms
      proxy: http://proxy:3128
      headers:
        X-Team: security
        X-Empty: ""
      callback: https://herald.example
)");
  const Config back = ParseYaml(ToRedactedYaml(c));
  EXPECT_EQ(back.database.source, c.database.source);
  EXPECT_EQ(back.database.cache_size, c.database.cache_size);
  EXPECT_EQ(back.api.port, c.api.port);
  EXPECT_EQ(back.api.health_port, c.api.health_port);
  EXPECT_EQ(back.api.timeout, c.api.timeout);
  EXPECT_EQ(back.api.servername, c.api.servername);
  EXPECT_EQ(back.api.cafile, c.api.cafile);
  EXPECT_EQ(back.api.keyfile, c.api.keyfile);
  EXPECT_EQ(back.api.certfile, c.api.certfile);
  EXPECT_EQ(back.updater.interval, c.updater.interval);
  EXPECT_EQ(back.notifier.attempts, c.notifier.attempts);
  EXPECT_EQ(back.notifier.renotify_interval, c.notifier.renotify_interval);
  EXPECT_EQ(back.notifier.concurrency, c.notifier.concurrency);
  EXPECT_EQ(back.notifier.lease_duration, c.notifier.lease_duration);
  const HttpReceiverConfig& a = c.notifier.http;
  const HttpReceiverConfig& b = back.notifier.http;
  EXPECT_EQ(b.endpoint, a.endpoint);
  EXPECT_EQ(b.servername, a.servername);
  EXPECT_EQ(b.cafile, a.cafile);
  EXPECT_EQ(b.certfile, a.certfile);
  EXPECT_EQ(b.keyfile, a.keyfile);
  EXPECT_EQ(b.timeout, a.timeout);
  EXPECT_EQ(b.proxy, a.proxy);
  EXPECT_EQ(b.headers, a.headers);
  EXPECT_EQ(b.callback, a.callback);
}

TEST(ToRedactedYamlTest, UsesClairLayoutAndShortDurations) {
  const std::string yaml = ToRedactedYaml(ParseYaml(kClairExample));
  EXPECT_EQ(yaml.rfind("clair:\n", 0), 0U) << yaml;
  for (const char* line : {"    timeout: 15m\n", "    interval: 2h\n", "    renotifyInterval: 2h\n",
                           "    leaseDuration: 10m\n", "      timeout: 5s\n", "    port: 6060\n",
                           "      headers: {}\n"}) {
    EXPECT_NE(yaml.find(line), std::string::npos) << line << "\n" << yaml;
  }
}

}  // namespace
}  // namespace herald::config

namespace herald::config {
namespace {

TEST(AnalyzerConfigTest, DefaultsAreSpecs) {
  const Config c = ParseYaml("clair:\n  analyzer:\n");
  EXPECT_TRUE(c.analyzer.local_paths.empty());
  EXPECT_EQ(c.analyzer.max_layer_size, 4LL << 30);
  EXPECT_EQ(c.analyzer.max_file_size, 200LL << 20);
  EXPECT_EQ(c.analyzer.timeout, std::chrono::minutes(10));
  EXPECT_EQ(c.analyzer.concurrency, 4);
}

TEST(AnalyzerConfigTest, ReadsEveryKeyAndRoundTrips) {
  const Config c = ParseYaml(
      "clair:\n  analyzer:\n    localPaths: [/var/lib/layers, /srv/images]\n"
      "    maxLayerSize: 1GB\n    maxFileSize: 64MiB\n    timeout: 90s\n    concurrency: 2\n");
  EXPECT_EQ(c.analyzer.local_paths, (std::vector<std::string>{"/var/lib/layers", "/srv/images"}));
  EXPECT_EQ(c.analyzer.max_layer_size, 1000LL * 1000 * 1000);
  EXPECT_EQ(c.analyzer.max_file_size, 64LL << 20);
  EXPECT_EQ(c.analyzer.timeout, std::chrono::seconds(90));
  EXPECT_EQ(c.analyzer.concurrency, 2);
  Validate(c);
  const Config back = ParseYaml(ToRedactedYaml(c));
  EXPECT_EQ(back.analyzer.local_paths, c.analyzer.local_paths);
  EXPECT_EQ(back.analyzer.max_layer_size, c.analyzer.max_layer_size);
  EXPECT_EQ(back.analyzer.max_file_size, c.analyzer.max_file_size);
  EXPECT_EQ(back.analyzer.timeout, c.analyzer.timeout);
  EXPECT_EQ(back.analyzer.concurrency, c.analyzer.concurrency);
}

std::string AnalyzerErrorKey(const std::string& yaml) {
  return ErrorKey([&] { Validate(ParseYaml(yaml)); });
}

TEST(AnalyzerConfigTest, BadValuesNameTheKey) {
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    localPaths: [relative/dir]\n"),
            "clair.analyzer.localPaths[0]");
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    localPaths: /not/a/list\n"),
            "clair.analyzer.localPaths");
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    maxLayerSize: 4 parsecs\n"),
            "clair.analyzer.maxLayerSize");
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    maxFileSize: 0\n"),
            "clair.analyzer.maxFileSize");
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    timeout: 0s\n"), "clair.analyzer.timeout");
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    concurrency: 0\n"),
            "clair.analyzer.concurrency");
  EXPECT_EQ(AnalyzerErrorKey("clair:\n  analyzer:\n    maxLayerSise: 1GiB\n"),
            "clair.analyzer.maxLayerSise");
}

TEST(ByteSizeTest, ParsesAndFormats) {
  EXPECT_EQ(ParseByteSize("1048576"), 1048576);
  EXPECT_EQ(ParseByteSize("4GiB"), 4LL << 30);
  EXPECT_EQ(ParseByteSize("200MiB"), 200LL << 20);
  EXPECT_EQ(ParseByteSize("2 KB"), 2000);
  EXPECT_EQ(ParseByteSize("1TB"), 1000LL * 1000 * 1000 * 1000);
  EXPECT_EQ(ParseByteSize("7B"), 7);
  for (const char* bad :
       {"", "GiB", "-1", "1.5GiB", "1 gib", "99999999999999999999", "9999999999TiB"}) {
    EXPECT_THROW(ParseByteSize(bad), std::invalid_argument) << bad;
  }
  EXPECT_EQ(FormatByteSize(4LL << 30), "4GiB");
  EXPECT_EQ(FormatByteSize(200LL << 20), "200MiB");
  EXPECT_EQ(FormatByteSize(1536), "1536");
  EXPECT_EQ(FormatByteSize(3072), "3KiB");
}

}  // namespace
}  // namespace herald::config

namespace herald::config {
namespace {

TEST(UpdaterConfigTest, ReadsSourcesAndFlagsAndRoundTrips) {
  const Config c = ParseYaml(R"(clair:
  updater:
    interval: 30m
    notifyFirstUpdate: true
    notifyUnaffected: false
    sources:
      - {name: debian, kind: debian-tracker, url: https://security-tracker.debian.org/tracker/data/json}
      - name: osv-debian
        kind: osv
        url: file:///var/lib/herald/feeds/debian-osv.zip
)");
  EXPECT_EQ(c.updater.interval, std::chrono::minutes(30));
  EXPECT_TRUE(c.updater.notify_first_update);
  EXPECT_FALSE(c.updater.notify_unaffected);
  EXPECT_EQ(
      c.updater.sources,
      (std::vector<FeedSource>{
          {"debian", "debian-tracker", "https://security-tracker.debian.org/tracker/data/json"},
          {"osv-debian", "osv", "file:///var/lib/herald/feeds/debian-osv.zip"}}));
  Validate(c);
  const Config back = ParseYaml(ToRedactedYaml(c));
  EXPECT_EQ(back.updater.sources, c.updater.sources);
  EXPECT_EQ(back.updater.notify_first_update, true);
  EXPECT_EQ(back.updater.notify_unaffected, false);
}

TEST(UpdaterConfigTest, BadSourcesNameTheKey) {
  const auto key = [](const std::string& yaml) {
    return ErrorKey([&] { Validate(ParseYaml("clair:\n  updater:\n" + yaml)); });
  };
  EXPECT_EQ(key("    sources: {name: a}\n"), "clair.updater.sources");
  EXPECT_EQ(key("    sources: [{name: a, kind: osv}]\n"), "clair.updater.sources[0].url");
  EXPECT_EQ(key("    sources: [{name: a, knid: osv, url: file:///x}]\n"),
            "clair.updater.sources[0].knid");
  EXPECT_EQ(key("    sources: [{name: a, kind: osv, url: ftp://x}]\n"),
            "clair.updater.sources[0].url");
  EXPECT_EQ(key("    sources: [{name: a, kind: osv, url: file://relative}]\n"),
            "clair.updater.sources[0].url");
  EXPECT_EQ(key("    sources: [{name: a, kind: osv, url: file:///x}, "
                "{name: a, kind: nvd, url: file:///y}]\n"),
            "clair.updater.sources[1].name");
  EXPECT_EQ(key("    notifyFirstUpdate: maybe\n"), "clair.updater.notifyFirstUpdate");
}

}  // namespace
}  // namespace herald::config
