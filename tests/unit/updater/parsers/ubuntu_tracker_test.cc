// The tracker files under tests/data/feeds/ubuntu/ were written for these
// tests from ubuntu-cve-tracker's published file format, field by field
// (header, indented continuations, Patches_/Tags_ blocks, release lines,
// esm pockets); the CVEs and versions are real ones (USN-2959-1 for
// CVE-2016-2108, USN-6859-1 for CVE-2024-6387). The inline documents below
// are built the same way to reach each mapping rule of SPEC §8.
#include <gtest/gtest.h>

#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
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
using testing::Sorted;

constexpr char kNoFix[] = "#MAXV#";

using testing::Documents;

FeedResult ParseAll(const Documents& documents) {
  std::unique_ptr<FeedParser> parser = NewUbuntuTrackerParser();
  return testing::ParseDocuments(*parser, documents);
}

std::string ParseErrorIn(const Documents& documents) {
  return ParseErrorOf([&] { ParseAll(documents); });
}

constexpr char kDescription2108[] =
    "The ASN.1 implementation in OpenSSL before 1.0.1o and 1.0.2 before 1.0.2c allows remote "
    "attackers to execute arbitrary code or cause a denial of service (buffer underflow and "
    "memory corruption) via an ANY field in crafted serialized data, aka the \"negative zero\" "
    "issue.";
constexpr char kDescription6387[] =
    "A security regression (CVE-2006-5051) was discovered in OpenSSH's server (sshd). There is "
    "a race condition which can lead sshd to handle some signals in an unsafe manner. An "
    "unauthenticated, remote attacker may be able to trigger it by failing to authenticate "
    "within a set time period.";

Vulnerability Openssl(const std::string& namespace_name, std::vector<FixedIn> fixed_in) {
  return {namespace_name,
          "CVE-2016-2108",
          kDescription2108,
          "https://ubuntu.com/security/CVE-2016-2108",
          "High",
          "",
          std::move(fixed_in)};
}

Vulnerability Openssh(const std::string& namespace_name, std::vector<FixedIn> fixed_in) {
  return {namespace_name,
          "CVE-2024-6387",
          kDescription6387,
          "https://ubuntu.com/security/CVE-2024-6387",
          "High",
          "",
          std::move(fixed_in)};
}

TEST(UbuntuTrackerParserTest, TrackerFilesGiveOneVulnerabilityPerCveAndRelease) {
  const std::unique_ptr<FeedParser> parser = NewUbuntuTrackerParser();
  const FeedResult result =
      ParseFiles(*parser, {"ubuntu/active/CVE-2024-6387", "ubuntu/retired/CVE-2016-2108"});

  const std::vector<Vulnerability> want = {
      Openssl("ubuntu:12.04", {{"openssl", "1.0.1-4ubuntu5.36"}}),
      Openssl("ubuntu:14.04", {{"openssl", "1.0.1f-1ubuntu2.19"}}),
      // not-affected in every package: assessed, so stored with no entry.
      Openssh("ubuntu:14.04", {}),
      Openssl("ubuntu:15.10", {{"openssl", "1.0.2d-0ubuntu1.5"}}),
      Openssl("ubuntu:16.04", {{"openssl", "1.0.2g-1ubuntu4.1"}}),
      Openssh("ubuntu:16.04", {}),
      Openssl("ubuntu:16.10", {}),
      Openssh("ubuntu:18.04", {}),
      Openssh("ubuntu:20.04", {}),
      Openssh("ubuntu:22.04", {{"openssh", "1:8.9p1-3ubuntu0.10"}}),
      Openssh("ubuntu:23.10", {{"openssh", "1:9.3p1-1ubuntu3.6"}}),
      Openssh("ubuntu:24.04", {{"openssh", "1:9.6p1-3ubuntu13.3"}}),
      Openssh("ubuntu:24.10", {{"openssh", "1:9.6p1-3ubuntu17"}}),
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  EXPECT_TRUE(result.metadata_by_name.empty());
  const std::map<std::string, std::int64_t> skipped = {
      {"release upstream", 4},
      {"release devel", 4},
      {"release precise/esm", 1},
      {"release trusty/esm", 2},
      {"release esm-infra-legacy/trusty", 1},
      {"release esm-infra/xenial", 1},
      {"release esm-infra/bionic", 1},
      {"status ignored", 1},
      {"status DNE", 7},
  };
  EXPECT_EQ(result.skipped, skipped);
}

constexpr char kEveryRule[] =
    "Candidate: CVE-2016-9999\n"
    "PublicDate: 2016-12-01\n"
    "References:\n"
    " https://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2016-9999\n"
    "Description:\n"
    " A first line\n"
    " and a second line.\n"
    "Ubuntu-Description:\n"
    "Notes:\n"
    " sbeattie> Priority_libbar below must not change the CVE's severity\n"
    "Bugs:\n"
    "Priority: medium (wrong-syntax)\n"
    " A reason on a continuation line.\n"
    "Priority_libbar: low\n"
    "Discovered-by:\n"
    "Assigned-to:\n"
    "\n"
    "# a comment line\n"
    "Patches_libfoo:\n"
    " upstream: https://example.org/libfoo/commit/1\n"
    "Tags_libfoo: pie\n"
    "upstream_libfoo: needed\n"
    "precise_libfoo: needed\n"
    "trusty_libfoo: active (mdeslaur)\n"
    "xenial_libfoo: deferred (2020-01-01)\n"
    "bionic_libfoo: released (1.2-3ubuntu0.1)\n"
    "focal_libfoo : released ( 1.2-4 )\n"
    "jammy_libfoo: released\n"
    "kinetic_libfoo: released (code not present)\n"
    "lunar_libfoo: pending (1.2-5)\n"
    "mantic_libfoo: needs-triage\n"
    "noble_libfoo: ignored (end of standard support)\n"
    "oracular_libfoo: DNE\n"
    "saucy_libfoo: needed\n"
    "lucid_libfoo: needed\n"
    "sid_libfoo: needed\n"
    "focal/esm_libfoo: released (1.2-4+esm1)\n"
    "\n"
    "Patches_libbar:\n"
    "precise_libbar: not-affected (1.0-1)\n"
    "trusty_libbar: released ((2:1.0-1ubuntu1))\n"
    "jammy_libbar: needed\n"
    "jammy_libbar: released (2.0-1)\n"
    "\n"
    "Patches_linux:\n"
    "trusty_linux: needed\n"
    "\n"
    "Patches_linux-hwe:\n"
    "xenial_linux-hwe: released (4.15.0-1)\n";

std::vector<Vulnerability> EveryRuleWant() {
  const auto v = [](const std::string& namespace_name, std::vector<FixedIn> fixed_in) {
    return Vulnerability{namespace_name,
                         "CVE-2016-9999",
                         "A first line and a second line.",
                         "https://ubuntu.com/security/CVE-2016-9999",
                         "Medium",
                         "",
                         std::move(fixed_in)};
  };
  return {
      v("ubuntu:12.04", {{"libfoo", kNoFix}}),
      v("ubuntu:14.04", {{"libbar", "2:1.0-1ubuntu1"}, {"libfoo", kNoFix}}),
      v("ubuntu:16.04", {{"libfoo", kNoFix}}),
      v("ubuntu:18.04", {{"libfoo", "1.2-3ubuntu0.1"}}),
      v("ubuntu:20.04", {{"libfoo", "1.2-4"}}),
      // Listed twice: "no fix" wins over a version.
      v("ubuntu:22.04", {{"libbar", kNoFix}}),
  };
}

TEST(UbuntuTrackerParserTest, EachStatusAndReleaseMapsAsSpecified) {
  const FeedResult result = ParseAll({{"active/CVE-2016-9999", kEveryRule}});
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), EveryRuleWant());
  const std::map<std::string, std::int64_t> skipped = {
      {"package linux*", 2},
      {"release upstream", 1},
      {"release saucy", 1},
      {"release lucid", 1},
      {"release focal/esm", 1},
      {"unknown release sid", 1},
      {"released without a version", 1},
      {"released with an invalid version", 1},
      {"status pending", 1},
      {"status needs-triage", 1},
      {"status ignored", 1},
      {"status DNE", 1},
  };
  EXPECT_EQ(result.skipped, skipped);
}

TEST(UbuntuTrackerParserTest, CrLfLineEndingsReadTheSame) {
  std::string crlf;
  for (const char c : std::string(kEveryRule)) {
    if (c == '\n') crlf += '\r';
    crlf += c;
  }
  EXPECT_EQ(Sorted(ParseAll({{"active/CVE-2016-9999", crlf}}).vulnerabilities.All()),
            EveryRuleWant());
}

TEST(UbuntuTrackerParserTest, SeverityIsTheFirstWordOfPriority) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"negligible", "Negligible"},
      {"low", "Low"},
      {"medium", "Medium"},
      {"high", "High"},
      {"critical", "Critical"},
      {"high (openssl is widely used)", "High"},
      {"untriaged", "Unknown"},
      {"High", "Unknown"},
      {"", "Unknown"},
  };
  for (const auto& [priority, severity] : cases) {
    const std::string document = "Candidate: CVE-2016-9998\nPriority: " + priority +
                                 "\n\nPatches_zlib:\nxenial_zlib: needed\n";
    const FeedResult result = ParseAll({{"retired/CVE-2016-9998", document}});
    ASSERT_EQ(result.vulnerabilities.All().size(), 1u) << priority;
    EXPECT_EQ(result.vulnerabilities.All()[0].severity, severity) << priority;
  }
  // No Priority line at all.
  const FeedResult result =
      ParseAll({{"retired/CVE-2016-9998", "Candidate: CVE-2016-9998\nxenial_zlib: needed\n"}});
  ASSERT_EQ(result.vulnerabilities.All().size(), 1u);
  EXPECT_EQ(result.vulnerabilities.All()[0].severity, "Unknown");
}

TEST(UbuntuTrackerParserTest, CveWithOnlySkippedLinesMakesNoVulnerability) {
  const FeedResult result = ParseAll({{"active/CVE-2016-9997",
                                       "Candidate: CVE-2016-9997\n"
                                       "Priority: low\n"
                                       "\n"
                                       "Patches_zlib:\n"
                                       "upstream_zlib: needed\n"
                                       "xenial_zlib: needs-triage\n"
                                       "bionic_zlib: DNE\n"
                                       "xenial_linux: needed\n"}});
  EXPECT_TRUE(result.vulnerabilities.All().empty());
}

TEST(UbuntuTrackerParserTest, FilesNotNamedCveAreIgnored) {
  const FeedResult result = ParseAll({
      {"active/00boilerplate", "this is not a tracker file\n\x01\x02"},
      {"README", "Candidate: CVE-2016-9996\nxenial_zlib: needed\n"},
      {"retired/CVE-2016-9996", "Candidate: CVE-2016-9996\nxenial_zlib: needed\n"},
  });
  ASSERT_EQ(result.vulnerabilities.All().size(), 1u);
  EXPECT_EQ(result.vulnerabilities.All()[0].name, "CVE-2016-9996");
  EXPECT_EQ(result.skipped, (std::map<std::string, std::int64_t>{{"file not named CVE-*", 2}}));
}

TEST(UbuntuTrackerParserTest, GarbageFilesAreParseErrorsWithTheirLine) {
  const std::string elf_header(
      "\x7f"
      "ELF\x02\x01\x01\0\0",
      9);
  EXPECT_EQ(ParseErrorIn({{"active/CVE-2016-9995", elf_header}}),
            "active/CVE-2016-9995: line 1: expected \"Key: value\"");
  EXPECT_EQ(ParseErrorIn({{"active/CVE-2016-9995",
                           "Candidate: CVE-2016-9995\n\n<html><head><title>502 Bad Gateway"
                           "</title></head>\n"}}),
            "active/CVE-2016-9995: line 3: expected \"Key: value\"");
  EXPECT_EQ(ParseErrorIn({{"active/CVE-2016-9995", "Priority: high\nxenial_zlib: needed\n"}}),
            "active/CVE-2016-9995: no Candidate: line");
  EXPECT_EQ(ParseErrorIn({{"active/CVE-2016-9995", ""}}),
            "active/CVE-2016-9995: no Candidate: line");
}

TEST(UbuntuTrackerParserTest, AnEndlessLineIsRefusedWithoutBeingRead) {
  testing::GeneratedStreambuf source("Candidate: CVE-2016-9994\nNotes: ", 'x',
                                     std::uint64_t{100} << 20, "\n");
  std::istream in(&source);
  const std::unique_ptr<FeedParser> parser = NewUbuntuTrackerParser();
  EXPECT_EQ(ParseErrorOf([&] { parser->Parse(in, "active/CVE-2016-9994"); }),
            "active/CVE-2016-9994: line 2: line longer than 65536 bytes");
  EXPECT_LT(source.bytes_read(), std::uint64_t{1} << 20);
}

}  // namespace
}  // namespace herald::updater
