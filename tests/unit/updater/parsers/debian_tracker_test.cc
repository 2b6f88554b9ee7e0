// The debian-tracker parser (SPEC §8). tests/data/feeds/debian/tracker.json
// was written for these tests from the published format of
// https://security-tracker.debian.org/tracker/data/json, field by field
// (package → CVE → description, scope, debianbug, releases → codename →
// status, repositories, fixed_version, urgency, nodsa, nodsa_reason), with
// real CVEs, packages and versions; it is not a copy of the tracker.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "feed_testing.h"
#include "model/vulnerability.h"
#include "updater/parsers/feed_parser.h"
#include "version/comparator.h"

namespace herald::updater {
namespace {

using model::FixedIn;
using model::Vulnerability;
using testing::ParseErrorOf;
using testing::ParseFiles;
using testing::ParseText;
using testing::Sorted;

const std::string kNone(version::kMaxVersion);

constexpr std::string_view kHeartbleed =
    "The (1) TLS and (2) DTLS implementations in OpenSSL 1.0.1 before 1.0.1g do not properly "
    "handle Heartbeat Extension packets, which allows remote attackers to obtain sensitive "
    "information from process memory via crafted packets that trigger a buffer over-read, as "
    "demonstrated by reading private keys, related to d1_both.c and t1_lib.c, aka the "
    "Heartbleed bug.";
constexpr std::string_view kNegativeZero =
    "The ASN.1 implementation in OpenSSL before 1.0.1o and 1.0.2 before 1.0.2c allows remote "
    "attackers to execute arbitrary code or cause a denial of service (buffer underflow and "
    "memory corruption) via an ANY field in crafted serialized data, aka the \"negative zero\" "
    "issue.";
constexpr std::string_view kCookies =
    "This flaw allows an attacker to insert cookies at will into a running program using "
    "libcurl, if the specific series of conditions are met.";
constexpr std::string_view kWebp =
    "Heap buffer overflow in libwebp in Google Chrome prior to 116.0.5845.187 and libwebp 1.3.2 "
    "allowed a remote attacker to perform an out of bounds memory write via a crafted HTML "
    "page. (Chromium security severity: Critical)";
constexpr std::string_view kDhKeys =
    "Issue summary: Generating excessively long X9.42 DH keys or checking excessively long "
    "X9.42 DH keys or parameters may be very slow.";
constexpr std::string_view kTiffcp =
    "An issue was found in the tiffcp utility distributed by the libtiff package where a "
    "crafted TIFF file on processing may cause a heap-based buffer overflow leads to an "
    "application crash.";

Vulnerability V(std::string ns, std::string name, std::string_view description,
                std::string severity, std::vector<FixedIn> fixed_in) {
  Vulnerability v;
  v.namespace_name = std::move(ns);
  v.link = "https://security-tracker.debian.org/tracker/" + name;
  v.name = std::move(name);
  v.description = std::string(description);
  v.severity = std::move(severity);
  v.fixed_in = std::move(fixed_in);
  return v;
}

TEST(DebianTrackerParserTest, MapsTheTrackerDocument) {
  auto parser = NewDebianTrackerParser();
  const FeedResult result = ParseFiles(*parser, {"debian/tracker.json"});

  const std::vector<Vulnerability> want = {
      V("debian:10", "CVE-2023-4863", kWebp, "Negligible",
        {{"chromium", kNone}, {"libwebp", "0.6.1-2+deb10u3"}}),
      V("debian:11", "CVE-2016-2108", kNegativeZero, "High", {{"openssl", "1.0.2c-1"}}),
      V("debian:11", "CVE-2023-38546", kCookies, "Low", {{"curl", "7.74.0-1.3+deb11u10"}}),
      V("debian:11", "CVE-2023-4863", kWebp, "Negligible",
        {{"chromium", "116.0.5845.187-1~deb11u1"}, {"libwebp", "0.6.1-2.1+deb11u2"}}),
      V("debian:11", "CVE-2023-5678", kDhKeys, "Low", {{"openssl", kNone}}),
      V("debian:12", "CVE-2014-0160", kHeartbleed, "High", {{"openssl", "1.0.1g-1"}}),
      // nodejs is not affected ("0") and nothing else is listed for bookworm.
      V("debian:12", "CVE-2016-2108", kNegativeZero, "High", {}),
      V("debian:12", "CVE-2023-38546", kCookies, "Low", {{"curl", "7.88.1-10+deb12u4"}}),
      V("debian:12", "CVE-2023-4863", kWebp, "Negligible",
        {{"chromium", "116.0.5845.187-1~deb12u1"}, {"libwebp", "1.2.4-0.2+deb12u1"}}),
      V("debian:12", "CVE-2023-5678", kDhKeys, "Low", {{"openssl", kNone}}),
      V("debian:7", "CVE-2014-0160", kHeartbleed, "High", {{"openssl", "1.0.1e-2+deb7u5"}}),
      V("debian:7", "CVE-2016-2108", kNegativeZero, "High", {{"openssl", "1.0.1e-2+deb7u21"}}),
      V("debian:8", "CVE-2014-0160", kHeartbleed, "High", {{"openssl", "1.0.1g-1"}}),
      V("debian:8", "CVE-2016-2108", kNegativeZero, "High", {{"openssl", "1.0.1t-1+deb8u1"}}),
      V("debian:unstable", "CVE-2014-0160", kHeartbleed, "High", {{"openssl", "1.0.1g-1"}}),
      V("debian:unstable", "CVE-2016-2108", kNegativeZero, "High", {{"openssl", "1.0.2c-1"}}),
      V("debian:unstable", "CVE-2023-38546", kCookies, "Low", {{"curl", "8.4.0-1"}}),
      V("debian:unstable", "CVE-2023-4863", kWebp, "Negligible",
        {{"chromium", "116.0.5845.187-1"}, {"libwebp", "1.2.4-0.3"}}),
      V("debian:unstable", "CVE-2023-5678", kDhKeys, "Low", {{"openssl", "3.0.13-1"}}),
      V("debian:unstable", "CVE-2023-6228", kTiffcp, "Medium", {{"tiff", "4.5.1+git230720-3"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  const std::map<std::string, std::int64_t> skipped = {
      {"name not CVE-", 1},
      {"status undetermined", 1},
      {"unknown release forky", 2},
  };
  EXPECT_EQ(result.skipped, skipped);
}

TEST(DebianTrackerParserTest, DescriptionIsTheFirstPackagesAndSeverityTheHighestEverywhere) {
  auto parser = NewDebianTrackerParser();
  const FeedResult result = ParseText(*parser, R"({
    "libxml2": {"CVE-2024-25062": {"releases": {
        "bookworm": {"status": "open", "urgency": "low"}}}},
    "libxml2-a": {"CVE-2024-25062": {"description": "first words", "releases": {
        "sid": {"status": "resolved", "fixed_version": "2.9.14+dfsg-1.3", "urgency": "high*"}}}},
    "libxml2-b": {"CVE-2024-25062": {"description": "later words", "releases": {
        "bookworm": {"status": "resolved", "fixed_version": "2.9.14+dfsg-1.3~deb12u1",
                     "urgency": "medium"}}}}
  })");
  const std::vector<Vulnerability> want = {
      V("debian:12", "CVE-2024-25062", "first words", "High",
        {{"libxml2", kNone}, {"libxml2-b", "2.9.14+dfsg-1.3~deb12u1"}}),
      V("debian:unstable", "CVE-2024-25062", "first words", "High",
        {{"libxml2-a", "2.9.14+dfsg-1.3"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
}

TEST(DebianTrackerParserTest, UrgenciesRankAsSpecSays) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"low", "Low"},
      {"low*", "Low"},
      {"low**", "Low"},
      {"medium", "Medium"},
      {"medium*", "Medium"},
      {"medium**", "Medium"},
      {"high", "High"},
      {"high*", "High"},
      {"high**", "High"},
      {"unimportant", "Negligible"},
      {"end-of-life", "Negligible"},
      {"not yet assigned", "Unknown"},
      {"", "Unknown"},
      {"critical", "Unknown"},
      {"lowest", "Unknown"},
  };
  for (const auto& [urgency, severity] : cases) {
    SCOPED_TRACE(urgency);
    auto parser = NewDebianTrackerParser();
    const FeedResult result =
        ParseText(*parser, R"({"zlib": {"CVE-2022-37434": {"releases": {"bullseye":
            {"status": "resolved", "fixed_version": "1:1.2.11.dfsg-2+deb11u2", "urgency": ")" +
                               urgency + R"("}}}}})");
    ASSERT_EQ(result.vulnerabilities.All().size(), 1u);
    EXPECT_EQ(result.vulnerabilities.All()[0].severity, severity);
  }
}

TEST(DebianTrackerParserTest, StatusesAndVersions) {
  auto parser = NewDebianTrackerParser();
  const FeedResult result = ParseText(*parser, R"({
    "glibc": {"CVE-2024-2961": {"description": "iconv", "releases": {
        "bookworm": {"status": "open", "fixed_version": "0", "urgency": "high"},
        "bullseye": {"status": "resolved", "urgency": "high"},
        "buster": {"status": "resolved", "fixed_version": "not a version", "urgency": "high"},
        "trixie": {"status": "resolved", "fixed_version": "2.37-17", "urgency": null},
        "sid": {"status": "reopened", "fixed_version": "2.37-17", "urgency": "high"},
        "stretch": {"fixed_version": "2.24-11+deb9u5"}
    }}}
  })");
  const std::vector<Vulnerability> want = {
      // fixed_version "0" wins over "open": not affected, but listed.
      V("debian:12", "CVE-2024-2961", "iconv", "High", {}),
      V("debian:13", "CVE-2024-2961", "iconv", "High", {{"glibc", "2.37-17"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  const std::map<std::string, std::int64_t> skipped = {
      {"invalid version", 1},
      {"resolved without version", 1},
      {"status missing", 1},
      {"status reopened", 1},
  };
  EXPECT_EQ(result.skipped, skipped);
}

TEST(DebianTrackerParserTest, FieldsItDoesNotReadMayHoldAnything) {
  auto parser = NewDebianTrackerParser();
  const FeedResult result = ParseText(*parser, R"({
    "expat": {"CVE-2022-40674": {"description": "use-after-free", "scope": 7,
        "debianbug": [1019761, {"x": null}], "releases": {
        "bookworm": {"status": "resolved", "repositories": ["odd"], "nodsa": false,
                     "fixed_version": "2.4.8-2", "urgency": "not yet assigned"}}}}
  })");
  const std::vector<Vulnerability> want = {
      V("debian:12", "CVE-2022-40674", "use-after-free", "Unknown", {{"expat", "2.4.8-2"}}),
  };
  EXPECT_EQ(result.vulnerabilities.All(), want);
}

TEST(DebianTrackerParserTest, NulCharactersAreDropped) {
  // PostgreSQL text cannot hold U+0000; JSON can.
  auto parser = NewDebianTrackerParser();
  const FeedResult result = ParseText(*parser, R"({
    "e2fsprogs": {"CVE-2022-1304": {"description": "out-of-bounds\u0000 read", "releases": {
        "bookworm": {"status": "resolved", "fixed_version": "1.46.6~rc1-1\u0000",
                     "urgency": "medium"}}}}
  })");
  const std::vector<Vulnerability> want = {
      V("debian:12", "CVE-2022-1304", "out-of-bounds read", "Medium",
        {{"e2fsprogs", "1.46.6~rc1-1"}}),
  };
  EXPECT_EQ(result.vulnerabilities.All(), want);
}

TEST(DebianTrackerParserTest, DocumentsOfASnapshotAddUp) {
  auto parser = NewDebianTrackerParser();
  std::istringstream first(
      R"({"sudo": {"CVE-2021-3156": {"description": "Baron Samedit", "releases": {
          "buster": {"status": "resolved", "fixed_version": "1.8.27-1+deb10u3",
                     "urgency": "high"}}}}})");
  std::istringstream second(
      R"({"sudo-ldap": {"CVE-2021-3156": {"description": "other", "releases": {
          "buster": {"status": "open", "urgency": "low"}}}}})");
  parser->Parse(first, "a.json");
  parser->Parse(second, "b.json");
  const FeedResult result = parser->Finish();
  const std::vector<Vulnerability> want = {
      V("debian:10", "CVE-2021-3156", "Baron Samedit", "High",
        {{"sudo", "1.8.27-1+deb10u3"}, {"sudo-ldap", kNone}}),
  };
  EXPECT_EQ(result.vulnerabilities.All(), want);
  // Finish hands everything over and starts afresh.
  EXPECT_TRUE(parser->Finish().vulnerabilities.All().empty());
}

// The number after "byte " in a ParseError's message.
long BytePosition(const std::string& message) {
  std::smatch match;
  if (!std::regex_search(message, match, std::regex("byte ([0-9]+)"))) {
    return -1;
  }
  return std::stol(match[1]);
}

TEST(DebianTrackerParserTest, TruncatedDocumentFailsWithItsBytePosition) {
  std::ifstream in(testing::FeedDataPath("debian/tracker.json"), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(whole.size(), 1000u);
  for (std::size_t length :
       {std::size_t{0}, std::size_t{1}, std::size_t{77}, whole.size() / 2, whole.size() - 2}) {
    SCOPED_TRACE(length);
    auto parser = NewDebianTrackerParser();
    const std::string message = ParseErrorOf(
        [&] { ParseText(*parser, std::string_view(whole).substr(0, length), "tracker.json"); });
    EXPECT_TRUE(message.starts_with("tracker.json: byte ")) << message;
    // The end of the input is where the error is found.
    const long at = BytePosition(message);
    EXPECT_GE(at, static_cast<long>(length));
    EXPECT_LE(at, static_cast<long>(length) + 1);
  }
}

// nlohmann's lexer reads a NUL byte as the end of input: a complete
// document followed by NUL and anything at all would pass as complete.
// JSON allows no raw NUL, so the document fails at that byte.
TEST(DebianTrackerParserTest, ANulByteFailsTheDocumentWhereItIs) {
  std::ifstream in(testing::FeedDataPath("debian/tracker.json"), std::ios::binary);
  const std::string whole((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const std::string& text :
       {whole + std::string("\0garbage", 8),
        whole.substr(0, 100) + std::string(1, '\0') + whole.substr(100)}) {
    auto parser = NewDebianTrackerParser();
    const std::string message = ParseErrorOf([&] { ParseText(*parser, text, "tracker.json"); });
    EXPECT_NE(message.find("NUL"), std::string::npos) << message;
    EXPECT_EQ(BytePosition(message), static_cast<long>(text.find('\0')) + 1) << message;
  }
}

TEST(DebianTrackerParserTest, WrongTypesAtEveryDepthAreParseErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "the document must be an object, not an array"},
      {R"("openssl")", "the document must be an object, not a string"},
      {R"(null)", "the document must be an object, not null"},
      {R"({"openssl": []})", "package \"openssl\" must be an object, not an array"},
      {R"({"openssl": {"CVE-2014-0160": "x"}})",
       "\"openssl\" \"CVE-2014-0160\" must be an object, not a string"},
      {R"({"openssl": {"CVE-2014-0160": {"description": 3}}})",
       "\"openssl\" \"CVE-2014-0160\" description must be a string, not a number"},
      {R"({"openssl": {"CVE-2014-0160": {"releases": ["sid"]}}})",
       "\"openssl\" \"CVE-2014-0160\" releases must be an object, not an array"},
      {R"({"openssl": {"CVE-2014-0160": {"releases": null}}})",
       "\"openssl\" \"CVE-2014-0160\" releases must be an object, not null"},
      {R"({"openssl": {"CVE-2014-0160": {"releases": {"sid": "resolved"}}}})",
       "\"openssl\" \"CVE-2014-0160\" release \"sid\" must be an object, not a string"},
      {R"({"openssl": {"CVE-2014-0160": {"releases": {"sid": {"status": 1}}}}})",
       "\"openssl\" \"CVE-2014-0160\" release \"sid\" status must be a string, not a number"},
      {R"({"openssl": {"CVE-2014-0160": {"releases": {"sid": {"fixed_version": {}}}}}})",
       "release \"sid\" fixed_version must be a string, not an object"},
      {R"({"openssl": {"CVE-2014-0160": {"releases": {"sid": {"urgency": true}}}}})",
       "release \"sid\" urgency must be a string, not a boolean"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    // Clang before 16 cannot capture a structured binding in a lambda.
    const std::string& document = text;
    auto parser = NewDebianTrackerParser();
    const std::string message = ParseErrorOf([&] { ParseText(*parser, document, "t.json"); });
    EXPECT_NE(message.find(want), std::string::npos) << message;
    EXPECT_GE(BytePosition(message), 1) << message;
  }
}

TEST(DebianTrackerParserTest, MalformedJsonIsAParseError) {
  const std::vector<std::string> cases = {
      "",
      R"({"openssl": {}} trailing)",
      // Not UTF-8.
      "{\"openssl\": {\"CVE-2014-0160\": {\"description\": \"bad \xff byte\"}}}",
      R"({"openssl": {"CVE-2014-0160": {"description": "bad \q escape"}}})",
      R"({"openssl" {}})",
      R"({"openssl": {"CVE-2014-0160": {"debianbug": 1e999}}})",
      // \u escapes that are no character: a lone low surrogate, a high one
      // not followed by its low half, a low one in a key.
      R"({"openssl": {"CVE-2014-0160": {"description": "x\udc00y"}}})",
      R"({"openssl": {"CVE-2014-0160": {"description": "x\ud800y"}}})",
      R"({"openssl": {"CVE-2014-0160": {"x\udfff": 1}}})",
  };
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    auto parser = NewDebianTrackerParser();
    const std::string message = ParseErrorOf([&] { ParseText(*parser, text, "t.json"); });
    EXPECT_GE(BytePosition(message), 1) << message;
  }
}

TEST(DebianTrackerParserTest, DeepNestingInAnIgnoredFieldIsRefused) {
  const std::string deep = R"({"openssl": {"CVE-2014-0160": {"scope": )" +
                           std::string(100000, '[') + std::string(100000, ']') + "}}}";
  auto parser = NewDebianTrackerParser();
  const std::string message = ParseErrorOf([&] { ParseText(*parser, deep); });
  EXPECT_NE(message.find("nested deeper than"), std::string::npos) << message;
}

TEST(DebianTrackerParserTest, AHundredMegabyteStringFailsEarlyWithoutBeingHeld) {
  testing::GeneratedStreambuf source(R"({"openssl": {"CVE-2014-0160": {"description": ")", 'A',
                                     std::uint64_t{100} << 20, R"("}}})");
  std::istream in(&source);
  auto parser = NewDebianTrackerParser();
  const std::string message = ParseErrorOf([&] { parser->Parse(in, "tracker.json"); });
  EXPECT_NE(message.find("string longer than 1048576 bytes"), std::string::npos) << message;
  // It stopped at the limit instead of reading (and buffering) the rest.
  EXPECT_LT(source.bytes_read(), std::uint64_t{2} << 20);
  EXPECT_GT(BytePosition(message), 1 << 20);
}

TEST(DebianTrackerParserTest, ALargeDocumentStreams) {
  // 20,000 packages of one CVE each, as the real tracker has tens of
  // thousands; the parser sees it a chunk at a time.
  std::string text = "{";
  for (int i = 0; i < 20000; ++i) {
    if (i > 0) {
      text += ",";
    }
    text +=
        R"("pkg)" + std::to_string(i) + R"(": {"CVE-2023-)" + std::to_string(10000 + i) +
        R"(": {"description": "d", "releases": {"sid": {"status": "open", "urgency": "low"}}}})";
  }
  text += "}";
  auto parser = NewDebianTrackerParser();
  const FeedResult result = ParseText(*parser, text);
  ASSERT_EQ(result.vulnerabilities.All().size(), 20000u);
  const std::vector<Vulnerability> sorted = Sorted(result.vulnerabilities.All());
  EXPECT_EQ(sorted.front(), V("debian:unstable", "CVE-2023-10000", "d", "Low", {{"pkg0", kNone}}));
}

}  // namespace
}  // namespace herald::updater
