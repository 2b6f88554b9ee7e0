// The alpine-secdb parser (SPEC §8). tests/data/feeds/alpine/v3.18/main.json
// and community.json were written for these tests from the published
// format of https://secdb.alpinelinux.org/v3.18/main.json (apkurl, archs,
// reponame, urlprefix, distroversion, packages[].pkg.{name, secfixes}),
// with real packages, versions and CVEs, including the hand-written entry
// forms the real files carry ("CVE-2016-9818 XSA-201", "(+ regression
// fix)", ALPINE- ids); they are not copies of the secdb.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "feed_testing.h"
#include "model/vulnerability.h"
#include "updater/parsers/feed_parser.h"

namespace herald::updater {
namespace {

using model::FixedIn;
using model::Vulnerability;
using testing::ParseErrorOf;
using testing::ParseFiles;
using testing::ParseText;
using testing::Sorted;

Vulnerability V(std::string ns, std::string name, std::vector<FixedIn> fixed_in) {
  Vulnerability v;
  v.namespace_name = std::move(ns);
  v.link = "https://security.alpinelinux.org/vuln/" + name;
  v.name = std::move(name);
  v.severity = "Unknown";
  v.fixed_in = std::move(fixed_in);
  return v;
}

std::string Document(const std::string& distroversion, const std::string& packages) {
  return R"({"reponame": "main", "urlprefix": "https://dl-cdn.alpinelinux.org/alpine",
             "distroversion": ")" +
         distroversion + R"(", "packages": )" + packages + "}";
}

TEST(AlpineSecdbParserTest, MainAndCommunityOfOneReleaseAddUp) {
  auto parser = NewAlpineSecdbParser();
  const FeedResult result =
      ParseFiles(*parser, {"alpine/v3.18/community.json", "alpine/v3.18/main.json"});
  const std::string ns = "alpine:v3.18";
  std::vector<Vulnerability> want = {
      V(ns, "CVE-2014-0160", {{"openssl", "1.0.1g-r0"}}),
      V(ns, "CVE-2016-2105", {{"openssl", "1.0.2h-r0"}}),
      V(ns, "CVE-2016-2106", {{"openssl", "1.0.2h-r0"}}),
      V(ns, "CVE-2016-2107", {{"openssl", "1.0.2h-r0"}}),
      V(ns, "CVE-2016-2108", {{"openssl", "1.0.2h-r0"}}),
      V(ns, "CVE-2016-2109", {{"openssl", "1.0.2h-r0"}}),
      V(ns, "CVE-2016-2176", {{"openssl", "1.0.2h-r0"}}),
      // "CVE-2016-9818 XSA-201": the XSA id is not a CVE.
      V(ns, "CVE-2016-9818", {{"xen", "4.8.0-r3"}}),
      V(ns, "CVE-2017-15873", {{"busybox", "1.27.2-r4"}}),
      V(ns, "CVE-2017-16544", {{"busybox", "1.27.2-r4"}}),
      // "CVE-2017-2616 (+ regression fix)".
      V(ns, "CVE-2017-2616", {{"util-linux", "2.29.2-r0"}}),
      V(ns, "CVE-2018-20679", {{"busybox", "1.29.3-r10"}}),
      // Listed under 1.27.2-r4 and 1.30.1-r2: the later fix is the one.
      V(ns, "CVE-2019-5747", {{"busybox", "1.30.1-r2"}}),
      V(ns, "CVE-2021-37600", {{"util-linux", "2.37.2-r0"}}),
      // Under "0" only: never affected, listed all the same.
      V(ns, "CVE-2022-2274", {}),
      V(ns, "CVE-2022-30065", {{"busybox", "1.35.0-r17"}}),
      V(ns, "CVE-2022-48174", {{"busybox", "1.36.1-r2"}}),
      V(ns, "CVE-2023-39323", {{"go", "1.20.10-r0"}}),
      V(ns, "CVE-2023-39325", {{"go", "1.20.10-r0"}}),
      // openssl1.1-compat says "0" (community), openssl a version (main).
      V(ns, "CVE-2023-5363", {{"openssl", "3.1.4-r0"}}),
      V(ns, "CVE-2023-5678", {{"openssl", "3.1.4-r1"}, {"openssl1.1-compat", "1.1.1w-r1"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), Sorted(want));
  const std::map<std::string, std::int64_t> skipped = {{"not a CVE id", 3}};
  EXPECT_EQ(result.skipped, skipped);
}

TEST(AlpineSecdbParserTest, EntryFormsFoundInTheRealSecdb) {
  auto parser = NewAlpineSecdbParser();
  const FeedResult result = ParseText(*parser, Document("v3.19", R"json([
    {"pkg": {"name": "mariadb", "secfixes": {
        "10.3.13-r0": ["CVE_2019-2537"],
        "10.4.7-r0": ["CVE-2019-2737 CVE-2019-2739", "  CVE-2019-2740\t"]}}},
    {"pkg": {"name": "apr-util", "secfixes": {"1.6.3-r0": ["CVE-2022-25147.patch"]}}},
    {"pkg": {"name": "tcpdump", "secfixes": {"4.9.3-r0": ["CVE-2018-14468 (FrameRelay)",
        "CVE-2018-14469 (IKEv1)"]}}},
    {"pkg": {"name": "zabbix", "secfixes": {"3.0.4-r0": ["CVE N/A ZBX-11023"],
        "6.0.1-r0": ["CVE-2022-2333x", "CVE-22-1234", "CVE-2022-12", "", null],
        "6.0.2-r0": null,
        "not a version!": ["CVE-2022-23131"]}}}
  ])json"));
  const std::string ns = "alpine:v3.19";
  std::vector<Vulnerability> want = {
      V(ns, "CVE-2019-2537", {{"mariadb", "10.3.13-r0"}}),
      V(ns, "CVE-2019-2737", {{"mariadb", "10.4.7-r0"}}),
      V(ns, "CVE-2019-2739", {{"mariadb", "10.4.7-r0"}}),
      V(ns, "CVE-2019-2740", {{"mariadb", "10.4.7-r0"}}),
      V(ns, "CVE-2022-25147", {{"apr-util", "1.6.3-r0"}}),
      V(ns, "CVE-2018-14468", {{"tcpdump", "4.9.3-r0"}}),
      V(ns, "CVE-2018-14469", {{"tcpdump", "4.9.3-r0"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), Sorted(want));
  const std::map<std::string, std::int64_t> skipped = {
      // "CVE", "N/A", "ZBX-11023", "CVE-2022-2333x", "CVE-22-1234", "CVE-2022-12".
      {"not a CVE id", 6},
      {"invalid version", 1},
  };
  EXPECT_EQ(result.skipped, skipped);
}

TEST(AlpineSecdbParserTest, MembersMayComeInAnyOrder) {
  auto parser = NewAlpineSecdbParser();
  const FeedResult result = ParseText(*parser, R"({
    "packages": [{"pkg": {"secfixes": {"1.2.13-r0": ["CVE-2022-37434"]}, "name": "zlib"}}],
    "distroversion": "v3.16"})");
  EXPECT_EQ(
      result.vulnerabilities.All(),
      std::vector<Vulnerability>{V("alpine:v3.16", "CVE-2022-37434", {{"zlib", "1.2.13-r0"}})});
}

TEST(AlpineSecdbParserTest, ReleasesAreNamespaces) {
  auto parser = NewAlpineSecdbParser();
  const std::string packages =
      R"([{"pkg": {"name": "curl", "secfixes": {"8.4.0-r0": ["CVE-2023-38545"]}}}])";
  std::istringstream v317(Document("v3.17", packages));
  std::istringstream v318(Document("v3.18", packages));
  std::istringstream edge(Document("edge", packages));
  parser->Parse(v317, "v3.17/main.json");
  parser->Parse(v318, "v3.18/main.json");
  parser->Parse(edge, "edge/main.json");
  const FeedResult result = parser->Finish();
  const std::vector<Vulnerability> want = {
      V("alpine:v3.17", "CVE-2023-38545", {{"curl", "8.4.0-r0"}}),
      V("alpine:v3.18", "CVE-2023-38545", {{"curl", "8.4.0-r0"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  const std::map<std::string, std::int64_t> skipped = {{"unknown release edge", 1}};
  EXPECT_EQ(result.skipped, skipped);
}

TEST(AlpineSecdbParserTest, AFailedDocumentAddsNothing) {
  auto parser = NewAlpineSecdbParser();
  std::istringstream good(Document(
      "v3.18", R"([{"pkg": {"name": "curl", "secfixes": {"8.4.0-r0": ["CVE-2023-38545"]}}}])"));
  // Complete and well typed up to the trailing garbage.
  std::istringstream bad(
      Document("v3.18",
               R"([{"pkg": {"name": "git", "secfixes": {"2.40.1-r0": ["CVE-2023-25652"]}}}])") +
      " ]");
  parser->Parse(good, "main.json");
  ParseErrorOf([&] { parser->Parse(bad, "community.json"); });
  EXPECT_EQ(
      parser->Finish().vulnerabilities.All(),
      std::vector<Vulnerability>{V("alpine:v3.18", "CVE-2023-38545", {{"curl", "8.4.0-r0"}})});
}

TEST(AlpineSecdbParserTest, WrongTypesAndMissingFieldsAreParseErrors) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"([])", "the document must be an object, not an array"},
      {R"({"distroversion": 3.18, "packages": []})",
       "distroversion must be a string, not a number"},
      {R"({"distroversion": "v3.18", "packages": {}})", "packages must be an array, not an object"},
      {R"({"distroversion": "v3.18", "packages": ["openssl"]})",
       "package 1 must be an object, not a string"},
      {R"({"distroversion": "v3.18", "packages": [{"pkg": []}]})",
       "package 1 pkg must be an object, not an array"},
      {R"({"distroversion": "v3.18", "packages": [{"pkg": {"name": 7}}]})",
       "package 1 name must be a string, not a number"},
      {R"({"distroversion": "v3.18", "packages": [{"pkg": {"name": "a", "secfixes": []}}]})",
       "package 1 (\"a\") secfixes must be an object, not an array"},
      {R"({"distroversion": "v3.18", "packages": [{"pkg": {"name": "a", "secfixes":
          {"1.0-r0": "CVE-2023-0001"}}}]})",
       "package 1 (\"a\") secfixes \"1.0-r0\" must be an array, not a string"},
      {R"({"distroversion": "v3.18", "packages": [{"pkg": {"name": "a"}},
          {"pkg": {"name": "b", "secfixes": {"1.0-r0": [["CVE-2023-0001"]]}}}]})",
       "package 2 (\"b\") secfixes \"1.0-r0\" entry must be a string, not an array"},
      {R"({"distroversion": "v3.18", "packages": [{"pkg": {"secfixes": {}}}]})",
       "package 1 has no name"},
      {R"({"distroversion": "v3.18", "packages": [{"name": "a"}]})", "package 1 has no pkg"},
      {R"({"packages": []})", "the document has no distroversion"},
  };
  for (const auto& [text, want] : cases) {
    SCOPED_TRACE(text);
    // Clang before 16 cannot capture a structured binding in a lambda.
    const std::string& document = text;
    auto parser = NewAlpineSecdbParser();
    const std::string message = ParseErrorOf([&] { ParseText(*parser, document, "main.json"); });
    EXPECT_NE(message.find(want), std::string::npos) << message;
    EXPECT_TRUE(message.starts_with("main.json: byte ")) << message;
  }
}

TEST(AlpineSecdbParserTest, TruncatedDocumentFailsWithItsBytePosition) {
  const std::string text = Document(
      "v3.18", R"([{"pkg": {"name": "curl", "secfixes": {"8.4.0-r0": ["CVE-2023-38545"]}}}])");
  for (std::size_t length : {std::size_t{5}, text.size() / 2, text.size() - 1}) {
    SCOPED_TRACE(length);
    auto parser = NewAlpineSecdbParser();
    const std::string message =
        ParseErrorOf([&] { ParseText(*parser, text.substr(0, length), "main.json"); });
    EXPECT_TRUE(message.starts_with("main.json: byte " + std::to_string(length + 1) + ": "))
        << message;
  }
}

TEST(AlpineSecdbParserTest, AHundredMegabyteStringFailsEarly) {
  testing::GeneratedStreambuf source(
      R"({"distroversion": "v3.18", "packages": [{"pkg": {"name": "a", "secfixes": {"1-r0": [")",
      'C', std::uint64_t{100} << 20, R"("]}}}]})");
  std::istream in(&source);
  auto parser = NewAlpineSecdbParser();
  const std::string message = ParseErrorOf([&] { parser->Parse(in, "main.json"); });
  EXPECT_NE(message.find("string longer than 65536 bytes"), std::string::npos) << message;
  EXPECT_LT(source.bytes_read(), std::uint64_t{1} << 20);
}

}  // namespace
}  // namespace herald::updater
