// The osv parser (SPEC §8). The documents in tests/data/feeds/osv/ were
// written for these tests from the published OSV schema
// (ossf.github.io/osv-schema) and the shape of the Debian, Ubuntu,
// AlmaLinux, Rocky Linux and GitHub documents osv.dev serves, field by
// field, with real advisories, packages and versions; they are not copies.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <regex>
#include <sstream>
#include <string>
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

Vulnerability V(std::string ns, std::string name, std::string description, std::string severity,
                std::string link, std::vector<FixedIn> fixed_in) {
  Vulnerability v;
  v.namespace_name = std::move(ns);
  v.name = std::move(name);
  v.description = std::move(description);
  v.severity = std::move(severity);
  v.link = std::move(link);
  v.fixed_in = std::move(fixed_in);
  return v;
}

constexpr char kDsaDetails[] =
    "\nSeveral vulnerabilities were discovered in OpenSSL, a Secure Socket Layer\ntoolkit.\n\n\n"
    "For the stable distribution (jessie), these problems have been fixed in\nversion "
    "1.0.1t-1+deb8u1.\n\n\nWe recommend that you upgrade your openssl packages.\n\n\nFor the "
    "detailed security status of openssl please refer to\nits security tracker page at:\n"
    "<https://security-tracker.debian.org/tracker/openssl>\n\n\n";
constexpr char kUbuntuDetails[] =
    "Issue summary: Generating excessively long X9.42 DH keys or checking excessively long "
    "X9.42 DH keys or parameters may be very slow.";
constexpr char kAlmaDetails[] =
    "OpenSSL is a toolkit that implements the Secure Sockets Layer (SSL) and Transport Layer "
    "Security (TLS) protocols, as well as a full-strength general-purpose cryptography "
    "library.\n\nSecurity Fix(es):\n\n* openssl: c_rehash script allows command injection "
    "(CVE-2022-2068)\n* openssl: AES OCB fails to encrypt some bytes (CVE-2022-2097)";

TEST(OsvParserTest, MapsTheDocumentsOfADirectory) {
  auto parser = NewOsvParser();
  const FeedResult result = ParseFiles(
      *parser, {"osv/ALSA-2022-5818.json", "osv/DSA-3566-1.json", "osv/GHSA-j8r2-6x86-q33q.json",
                "osv/RLSA-2022-5818.json", "osv/UBUNTU-CVE-2023-5678.json"});
  const std::string usn = "https://ubuntu.com/security/notices/USN-6709-1";
  const std::vector<Vulnerability> want = {
      V("centos:9", "ALSA-2022:5818", kAlmaDetails, "Unknown",
        "https://errata.almalinux.org/9/ALSA-2022-5818.html",
        {{"openssl", "1:3.0.1-41.el9_0"},
         {"openssl-libs", "1:3.0.1-41.el9_0"},
         {"openssl-perl", "1:3.0.1-41.el9_0"}}),
      // Empty details: the summary. "Moderate" in database_specific. Only a
      // REPORT reference: the osv.dev page.
      V("centos:9", "RLSA-2022:5818", "Moderate: openssl security and bug fix update", "Medium",
        "https://osv.dev/vulnerability/RLSA-2022:5818",
        {{"openssl", "1:3.0.1-41.el9_0"}, {"openssl-devel", "1:3.0.1-41.el9_0"}}),
      V("debian:8", "DSA-3566-1", kDsaDetails, "Unknown",
        "https://www.debian.org/security/2016/dsa-3566", {{"openssl", "1.0.1t-1+deb8u1"}}),
      // CVSS 5.3 from the vector; the "Ubuntu" severity type is not CVSS.
      V("ubuntu:20.04", "UBUNTU-CVE-2023-5678", kUbuntuDetails, "Medium", usn,
        {{"openssl", "1.1.1f-1ubuntu2.22"}}),
      V("ubuntu:22.04", "UBUNTU-CVE-2023-5678", kUbuntuDetails, "Medium", usn,
        {{"edk2", kNone}, {"openssl", "3.0.2-0ubuntu1.15"}}),
      V("ubuntu:23.10", "UBUNTU-CVE-2023-5678", kUbuntuDetails, "Medium", usn,
        {{"openssl", "3.0.10-1ubuntu2.3"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  const std::map<std::string, std::int64_t> skipped = {
      {"ecosystem PyPI", 1},
      {"ecosystem Ubuntu:Pro:16.04:LTS", 1},
      {"ecosystem Ubuntu:Pro:18.04:LTS", 1},
  };
  EXPECT_EQ(result.skipped, skipped);
}

// A one-package document in `ecosystem` with the given extra members.
std::string Doc(const std::string& ecosystem, const std::string& extra = "",
                const std::string& events = R"([{"introduced": "0"}, {"fixed": "1.2"}])") {
  return R"({"id": "OSV-TEST-1", "modified": "2024-01-01T00:00:00Z", )" + extra +
         R"("affected": [{"package": {"ecosystem": ")" + ecosystem +
         R"(", "name": "pkg"}, "ranges": [{"type": "ECOSYSTEM", "events": )" + events + "}]}]}";
}

TEST(OsvParserTest, EcosystemsMapToNamespaces) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"Debian:11", "debian:11"},
      {"Debian:12", "debian:12"},
      {"Ubuntu:22.04", "ubuntu:22.04"},
      {"Ubuntu:22.04:LTS", "ubuntu:22.04"},
      {"Ubuntu:14.04:LTS", "ubuntu:14.04"},
      {"Alpine:v3.18", "alpine:v3.18"},
      {"Rocky Linux:9", "centos:9"},
      {"AlmaLinux:8", "centos:8"},
      // Skipped and counted.
      {"Ubuntu:Pro:22.04:LTS", ""},
      {"Ubuntu:Pro:FIPS:20.04:LTS", ""},
      {"Ubuntu:22.04:ESM", ""},
      {"Debian", ""},
      {"Debian:sid", ""},
      {"Alpine:3.18", ""},
      {"Alpine:v3", ""},
      {"Rocky Linux:9.2", ""},
      {"Red Hat:enterprise_linux:9::appstream", ""},
      {"openSUSE:Leap 15.5", ""},
      {"PyPI", ""},
      {"", ""},
  };
  for (const auto& [ecosystem, ns] : cases) {
    SCOPED_TRACE(ecosystem);
    auto parser = NewOsvParser();
    const FeedResult result = ParseText(*parser, Doc(ecosystem));
    if (ns.empty()) {
      EXPECT_TRUE(result.vulnerabilities.All().empty());
      const std::map<std::string, std::int64_t> skipped = {{"ecosystem " + ecosystem, 1}};
      EXPECT_EQ(result.skipped, skipped);
    } else {
      ASSERT_EQ(result.vulnerabilities.All().size(), 1u);
      EXPECT_EQ(result.vulnerabilities.All()[0].namespace_name, ns);
      EXPECT_TRUE(result.skipped.empty());
    }
  }
}

TEST(OsvParserTest, SeverityFromDatabaseSpecificElseCvss) {
  const std::string kCritical = R"({"type": "CVSS_V3", "score":
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"})";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"("database_specific": {"severity": "LOW"}, )", "Low"},
      {R"("database_specific": {"severity": "MEDIUM"}, )", "Medium"},
      {R"("database_specific": {"severity": "MODERATE"}, )", "Medium"},
      {R"("database_specific": {"severity": "HIGH"}, )", "High"},
      {R"("database_specific": {"severity": "CRITICAL"}, )", "Critical"},
      {R"("database_specific": {"severity": "critical"}, )", "Critical"},
      // database_specific decides over the vectors.
      {R"("database_specific": {"severity": "LOW"}, "severity": [)" + kCritical + "], ", "Low"},
      // What it cannot rate, or a severity that is not a string, leaves it
      // to the vectors.
      {R"("database_specific": {"severity": "IMPORTANT"}, "severity": [)" + kCritical + "], ",
       "Critical"},
      {R"("database_specific": {"severity": {"level": 3}}, "severity": [)" + kCritical + "], ",
       "Critical"},
      {R"("severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N"}], )",
       "Low"},
      {R"("severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}], )",
       "Medium"},
      {R"("severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}], )",
       "High"},
      // The first vector that parses counts; v2 and v4 vectors do not.
      {R"("severity": [{"type": "CVSS_V2", "score": "AV:N/AC:L/Au:N/C:P/I:P/A:P"},
          {"type": "CVSS_V4", "score": "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"},
          {"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L"}, )" +
           kCritical + "], ",
       "Critical"},
      {R"("severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N"}], )",
       "Unknown"},
      {R"("severity": [{"type": "Ubuntu", "score": "high"}], )", "Unknown"},
      {"", "Unknown"},
  };
  for (const auto& [extra, severity] : cases) {
    SCOPED_TRACE(extra);
    auto parser = NewOsvParser();
    const FeedResult result = ParseText(*parser, Doc("Debian:12", extra));
    ASSERT_EQ(result.vulnerabilities.All().size(), 1u);
    EXPECT_EQ(result.vulnerabilities.All()[0].severity, severity);
  }
}

TEST(OsvParserTest, FixedInIsTheFirstFixedEventOfAnEcosystemRange) {
  auto parser = NewOsvParser();
  const FeedResult result = ParseText(*parser, R"({
    "id": "DEBIAN-CVE-2024-0727", "summary": "s", "details": "d",
    "affected": [
      {"package": {"ecosystem": "Debian:12", "name": "openssl"}, "ranges": [
          {"type": "GIT", "repo": "https://github.com/openssl/openssl",
           "events": [{"introduced": "0"}, {"fixed": "09df4395b5071217b76dc7d3d2e630eb8c5a79c2"}]},
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}]},
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "3.0.13-1~deb12u1"},
                                           {"introduced": "3.0.14-1"}, {"fixed": "3.0.15-1"}]}]},
      {"package": {"ecosystem": "Debian:12", "name": "openssl1.1"}, "ranges": [
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"last_affected": "1.1.1w-1"}]}]},
      {"package": {"ecosystem": "Debian:12", "name": "nodejs"}, "versions": ["18.13.0+dfsg1-1"]},
      {"package": {"ecosystem": "Debian:12", "name": "edk2"}, "ranges": [
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2022.11-6+deb12u1"}]}]},
      {"package": {"ecosystem": "Debian:12", "name": "edk2"}, "ranges": [
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "2022.11-6+deb12u2"}]}]},
      {"package": {"ecosystem": "Debian:12", "name": "shim"}, "ranges": [
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "not a version!"}]}]},
      {"package": {"ecosystem": "Debian:12", "name": ""}},
      {"ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}]},
      {"package": {"ecosystem": "Rocky Linux:8", "name": "openssl"}, "ranges": [
          {"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": "0:1.1.1k-12.el8_9"}]}]}
    ]})");
  const std::string link = "https://osv.dev/vulnerability/DEBIAN-CVE-2024-0727";
  const std::vector<Vulnerability> want = {
      // A "0:" epoch goes, as in rhel-oval.
      V("centos:8", "DEBIAN-CVE-2024-0727", "d", "Unknown", link, {{"openssl", "1.1.1k-12.el8_9"}}),
      // edk2 twice: the later fix. shim's version is no dpkg version.
      V("debian:12", "DEBIAN-CVE-2024-0727", "d", "Unknown", link,
        {{"edk2", "2022.11-6+deb12u2"},
         {"nodejs", kNone},
         {"openssl", "3.0.13-1~deb12u1"},
         {"openssl1.1", kNone}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  const std::map<std::string, std::int64_t> skipped = {
      {"affected without package", 1},
      {"affected without package name", 1},
      {"invalid version", 1},
  };
  EXPECT_EQ(result.skipped, skipped);
}

TEST(OsvParserTest, WithdrawnAndEmptyDocuments) {
  auto parser = NewOsvParser();
  std::istringstream withdrawn(Doc("Debian:12", R"("withdrawn": "2024-02-01T00:00:00Z", )"));
  std::istringstream nothing(R"({"id": "OSV-2024-1", "details": "no affected"})");
  parser->Parse(withdrawn, "a.json");
  parser->Parse(nothing, "b.json");
  const FeedResult result = parser->Finish();
  EXPECT_TRUE(result.vulnerabilities.All().empty());
  const std::map<std::string, std::int64_t> skipped = {{"withdrawn", 1}};
  EXPECT_EQ(result.skipped, skipped);
}

TEST(OsvParserTest, OneIdInTwoDocumentsIsOneVulnerability) {
  auto parser = NewOsvParser();
  std::istringstream first(Doc("Debian:12", R"("details": "old", )"));
  std::istringstream second(
      Doc("Debian:12", R"("details": "new", )", R"([{"introduced": "0"}, {"fixed": "1.3-1"}])"));
  parser->Parse(first, "a.json");
  parser->Parse(second, "b.json");
  const std::vector<Vulnerability> want = {
      V("debian:12", "OSV-TEST-1", "new", "Unknown", "https://osv.dev/vulnerability/OSV-TEST-1",
        {{"pkg", "1.3-1"}}),
  };
  EXPECT_EQ(parser->Finish().vulnerabilities.All(), want);
}

TEST(OsvParserTest, WrongTypesAreParseErrorsNamingThePath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "the document must be an object"},
      {R"("DSA-1")", "the document must be an object"},
      {R"({"id": 1})", "id must be a string"},
      {R"({"summary": "no id"})", "the document has no id"},
      {R"({"id": "X", "withdrawn": true})", "withdrawn must be a string"},
      {R"({"id": "X", "details": ["d"]})", "details must be a string"},
      {R"({"id": "X", "summary": 5})", "summary must be a string"},
      {R"({"id": "X", "affected": {}})", "affected must be an array"},
      {R"({"id": "X", "affected": ["Debian:12"]})", "affected[0] must be an object"},
      {R"({"id": "X", "affected": [{"package": "openssl"}]})",
       "affected[0].package must be an object"},
      {R"({"id": "X", "affected": [{}, {"package": {"ecosystem": 12}}]})",
       "affected[1].package.ecosystem must be a string"},
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": ["a"]}}]})",
       "affected[0].package.name must be a string"},
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
          "ranges": {}}]})",
       "affected[0].ranges must be an array"},
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
          "ranges": [{"type": 1}]}]})",
       "affected[0].ranges[0].type must be a string"},
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
          "ranges": [{"type": "ECOSYSTEM", "events": "fixed"}]}]})",
       "affected[0].ranges[0].events must be an array"},
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, "1.2-1"]}]}]})",
       "affected[0].ranges[0].events[1] must be an object"},
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "Debian:12", "name": "a"},
          "ranges": [{"type": "ECOSYSTEM", "events": [{"fixed": 1.2}]}]}]})",
       "affected[0].ranges[0].events[0].fixed must be a string"},
      // Checked even where the ecosystem is skipped.
      {R"({"id": "X", "affected": [{"package": {"ecosystem": "PyPI", "name": 3}}]})",
       "affected[0].package.name must be a string"},
      {R"({"id": "X", "severity": {"type": "CVSS_V3"}})", "severity must be an array"},
      {R"({"id": "X", "severity": [{"type": "CVSS_V3", "score": 9.8}]})",
       "severity[0].score must be a string"},
      {R"({"id": "X", "database_specific": [], "severity": []})",
       "database_specific must be an object"},
      {R"({"id": "X", "references": [{"type": "WEB", "url": {}}]})",
       "references[0].url must be a string"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    // Clang before 16 cannot capture a structured binding in a lambda.
    const std::string& document = text;
    auto parser = NewOsvParser();
    const std::string message = ParseErrorOf([&] { ParseText(*parser, document, "X.json"); });
    EXPECT_NE(message.find("X.json: " + want), std::string::npos) << message;
  }
}

TEST(OsvParserTest, TruncatedAndMalformedDocumentsFailWithABytePosition) {
  const std::string text = Doc("Debian:12");
  for (std::size_t length : {std::size_t{0}, std::size_t{10}, text.size() / 2, text.size() - 1}) {
    SCOPED_TRACE(length);
    auto parser = NewOsvParser();
    const std::string message =
        ParseErrorOf([&] { ParseText(*parser, text.substr(0, length), "X.json"); });
    EXPECT_TRUE(message.starts_with("X.json: byte " + std::to_string(length + 1) + ": "))
        << message;
  }
  for (const std::string& bad :
       {std::string(R"({"id": "X"} {"id": "Y"})"), std::string(R"({"id": "X\u12"})"),
        std::string(R"({"id": "X", "n": -})")}) {
    SCOPED_TRACE(bad);
    auto parser = NewOsvParser();
    const std::string message = ParseErrorOf([&] { ParseText(*parser, bad, "X.json"); });
    EXPECT_TRUE(std::regex_search(message, std::regex("^X\\.json: byte [0-9]+: "))) << message;
  }
}

TEST(OsvParserTest, AHundredMegabyteStringFailsEarly) {
  testing::GeneratedStreambuf source(R"({"id": "X", "details": ")", 'd', std::uint64_t{100} << 20,
                                     R"("})");
  std::istream in(&source);
  auto parser = NewOsvParser();
  const std::string message = ParseErrorOf([&] { parser->Parse(in, "X.json"); });
  EXPECT_NE(message.find("string longer than 1048576 bytes"), std::string::npos) << message;
  EXPECT_LT(source.bytes_read(), std::uint64_t{2} << 20);
}

TEST(OsvParserTest, AnOversizedDocumentFailsEarly) {
  // Small values, many of them: no string is long, the document is.
  testing::GeneratedStreambuf source(R"({"id": "X", "versions": [)", ' ', std::uint64_t{100} << 20,
                                     "]}");
  std::istream in(&source);
  auto parser = NewOsvParser();
  const std::string message = ParseErrorOf([&] { parser->Parse(in, "X.json"); });
  EXPECT_NE(message.find("document longer than 33554432 bytes"), std::string::npos) << message;
  EXPECT_LT(source.bytes_read(), std::uint64_t{40} << 20);
}

TEST(OsvParserTest, DeepNestingIsRefused) {
  const std::string deep = R"({"id": "X", "database_specific": )" + std::string(5000, '[') +
                           std::string(5000, ']') + "}";
  auto parser = NewOsvParser();
  const std::string message = ParseErrorOf([&] { ParseText(*parser, deep, "X.json"); });
  EXPECT_NE(message.find("nested deeper than 64 levels"), std::string::npos) << message;
}

}  // namespace
}  // namespace herald::updater
