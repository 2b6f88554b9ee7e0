// tests/data/feeds/rhel/com.redhat.rhsa-2015.xml was written for these
// tests from Red Hat's published RHSA OVAL format, element by element
// (generator, definitions with metadata/reference/description/advisory and
// the criteria tree, then tests, objects and states), for real advisories:
// RHSA-2015:1634 and RHSA-2015:1635 (sqlite, RHEL 6 and 7) and
// RHSA-2015:1981 (nss and nspr, RHEL 5, 6 and 7). The inline documents are
// built the same way, with a namespace prefix, to reach each mapping rule.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
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

constexpr char kDataFile[] = "rhel/com.redhat.rhsa-2015.xml";

std::string ReadData() {
  return testing::ReadFeedData(kDataFile);
}

using testing::Documents;

FeedResult ParseAll(const Documents& documents) {
  std::unique_ptr<FeedParser> parser = NewRhelOvalParser();
  return testing::ParseDocuments(*parser, documents);
}

std::string ParseErrorIn(const std::string& name, const std::string& contents) {
  return ParseErrorOf([&] { ParseAll({{name, contents}}); });
}

std::vector<FixedIn> Packages(const std::vector<std::string>& names, const std::string& version) {
  std::vector<FixedIn> out;
  for (const std::string& name : names) out.push_back({name, version});
  return out;
}

constexpr char kSqliteIntro[] =
    "SQLite is a C library that implements a SQL database engine. A large subset of SQL92 is "
    "supported. A complete database is stored in a single disk file. The API is designed for "
    "convenience and ease of use. Applications that link against SQLite can enjoy the power "
    "and flexibility of a SQL database without the administrative hassles of supporting a "
    "separate database server.";
constexpr char kSqlite3416[] =
    "It was found that SQLite's sqlite3VXPrintf() function did not properly handle precision "
    "and width values during floating-point conversions. A local attacker could submit a "
    "specially crafted SELECT statement that would crash the SQLite process, or have other "
    "unspecified impacts. (CVE-2015-3416)";

std::vector<Vulnerability> DataFileWant() {
  const std::string sqlite6 = std::string(kSqliteIntro) + " " + kSqlite3416 +
                              " All sqlite users are advised to upgrade to these updated "
                              "packages, which contain a backported patch to correct this issue.";
  const std::string sqlite7 =
      std::string(kSqliteIntro) +
      " A flaw was found in the way SQLite handled dequoting of collation-sequence names. A "
      "local attacker could submit a specially crafted COLLATE statement that would crash the "
      "SQLite process, or have other unspecified impacts. (CVE-2015-3414) It was found that "
      "SQLite's sqlite3VdbeExec() function did not properly implement comparison operators. A "
      "local attacker could submit a specially crafted CHECK statement that would crash the "
      "SQLite process, or have other unspecified impacts. (CVE-2015-3415) " +
      kSqlite3416 +
      " All sqlite users are advised to upgrade to these updated packages, which contain "
      "backported patches to correct these issues.";
  const std::string nss =
      "Network Security Services (NSS) is a set of libraries designed to support the "
      "cross-platform development of security-enabled client and server applications. Netscape "
      "Portable Runtime (NSPR) provides platform independence for non-GUI operating system "
      "facilities. A use-after-poison flaw and a heap-based buffer overflow flaw were found in "
      "the way NSS parsed certain ASN.1 structures. An attacker could use these flaws to cause "
      "NSS to crash or execute arbitrary code with the permissions of the user running an "
      "application compiled against the NSS library. (CVE-2015-7181, CVE-2015-7182) A "
      "heap-based buffer overflow was found in NSPR. An attacker could use this flaw to cause "
      "NSPR to crash or execute arbitrary code with the permissions of the user running an "
      "application compiled against the NSPR library. (CVE-2015-7183)";
  const std::string nss_link = "https://access.redhat.com/errata/RHSA-2015:1981";
  const std::vector<std::string> sqlite_packages = {"lemon", "sqlite", "sqlite-devel", "sqlite-doc",
                                                    "sqlite-tcl"};
  std::vector<FixedIn> nss5 = Packages({"nspr", "nspr-devel"}, "4.10.8-2.el5_11");
  for (FixedIn& f :
       Packages({"nss", "nss-devel", "nss-pkcs11-devel", "nss-tools"}, "3.19.1-2.el5_11")) {
    nss5.push_back(f);
  }
  return {
      {"centos:5", "RHSA-2015:1981", nss, nss_link, "Critical", "", nss5},
      {"centos:6", "RHSA-2015:1634", sqlite6, "https://rhn.redhat.com/errata/RHSA-2015-1634.html",
       "Medium", "", Packages(sqlite_packages, "3.6.20-1.el6_7.2")},
      {"centos:6",
       "RHSA-2015:1981",
       nss,
       nss_link,
       "Critical",
       "",
       {{"nspr", "4.10.8-2.el6_7"}, {"nss", "3.19.1-5.el6_7"}, {"nss-util", "3.19.1-2.el6_7"}}},
      {"centos:7", "RHSA-2015:1635", sqlite7, "https://rhn.redhat.com/errata/RHSA-2015-1635.html",
       "Medium", "", Packages(sqlite_packages, "3.7.17-6.el7_1.1")},
      {"centos:7",
       "RHSA-2015:1981",
       nss,
       nss_link,
       "Critical",
       "",
       {{"nspr", "4.10.8-2.el7_1"}, {"nss", "3.19.1-7.el7_1.2"}, {"nss-util", "3.19.1-4.el7_1"}}},
  };
}

TEST(RhelOvalParserTest, AdvisoriesGiveOneVulnerabilityPerMajorVersion) {
  const std::unique_ptr<FeedParser> parser = NewRhelOvalParser();
  const FeedResult result = ParseFiles(*parser, {kDataFile});
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), DataFileWant());
  EXPECT_TRUE(result.skipped.empty());
  EXPECT_TRUE(result.metadata_by_name.empty());
}

TEST(RhelOvalParserTest, AnAdvisoryListedInTwoDocumentsIsStoredOnce) {
  const std::string data = ReadData();
  EXPECT_EQ(Sorted(ParseAll({{"a.xml", data}, {"b.xml", data}}).vulnerabilities.All()),
            DataFileWant());
}

// A definition in the published layout, prefixed "oval-def:" as some
// generators write it.
std::string Definition(const std::string& title, const std::string& references,
                       const std::string& criteria, const std::string& def_class = "patch") {
  return "<oval-def:definition class=\"" + def_class +
         "\" id=\"oval:com.redhat.rhsa:def:1\" version=\"601\">\n"
         "<oval-def:metadata>\n"
         "<oval-def:title>" +
         title + "</oval-def:title>\n" + references +
         "<oval-def:description>First paragraph,\nwrapped.\n\nSecond "
         "paragraph.</oval-def:description>\n"
         "</oval-def:metadata>\n" +
         criteria + "</oval-def:definition>\n";
}

std::string Document(const std::string& definitions) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
         "<oval-def:oval_definitions "
         "xmlns:oval-def=\"http://oval.mitre.org/XMLSchema/oval-definitions-5\" "
         "xmlns:oval=\"http://oval.mitre.org/XMLSchema/oval-common-5\">\n"
         "<oval-def:generator><oval:product_name>Red Hat Errata "
         "System</oval:product_name></oval-def:generator>\n"
         "<oval-def:definitions>\n" +
         definitions + "</oval-def:definitions>\n</oval-def:oval_definitions>\n";
}

std::string Criterion(const std::string& comment) {
  return "<oval-def:criterion comment=\"" + comment + "\" test_ref=\"oval:x:tst:1\"/>\n";
}

std::string Criteria(const std::string& op, const std::string& children) {
  return "<oval-def:criteria" + (op.empty() ? "" : " operator=\"" + op + "\"") + ">\n" + children +
         "</oval-def:criteria>\n";
}

std::string Rhsa(const std::string& name) {
  return "<oval-def:reference ref_id=\"" + name + "-00\" ref_url=\"https://rhn.redhat.com/errata/" +
         name + ".html\" source=\"RHSA\"/>\n";
}

std::string Server(int major) {
  return Criterion("Red Hat Enterprise Linux " + std::to_string(major) + " Server is installed");
}

std::string Package(const std::string& name, const std::string& version) {
  return Criteria("AND", Criterion(name + " is earlier than " + version) +
                             Criterion(name + " is signed with Red Hat redhatrelease2 key"));
}

TEST(RhelOvalParserTest, EachCriteriaAndTitleRuleMapsAsSpecified) {
  const std::string cve_reference =
      "<oval-def:reference ref_id=\"CVE-2017-0001\" "
      "ref_url=\"https://access.redhat.com/security/cve/CVE-2017-0001\" source=\"CVE\"/>\n";
  // RHEL 4 is below the first major version; the Client criterion is
  // ignored; a package named twice keeps its higher version; an invalid
  // version is dropped; a non-zero epoch stays; a criteria element without
  // an operator is an AND; a module criterion is neutral.
  const std::string rhel4 = Criteria("AND", Criterion("Red Hat Enterprise Linux 4 is installed") +
                                                Package("openssl", "0:0.9.7a-43.el4"));
  const std::string rhel7_variants =
      Criteria("OR", Server(7) + Criterion("Red Hat Enterprise Linux 7 Client is installed"));
  const std::string rhel7_packages =
      Criteria("OR", Package("openssl", "1:1.0.1e-60.el7") + Package("openssl", "1:1.0.1e-51.el7") +
                         Package("openssl-libs", "bad version") +
                         Package("openssl-devel", "1:1.0.1e-60.el7"));
  const std::string rhel8 = Criteria("AND", Criterion("Red Hat Enterprise Linux 8 is installed") +
                                                Criterion("Module nodejs:10 is enabled") +
                                                Package("nodejs", "1:10.24.0-1.module+el8.3.0"));
  // An OR whose criterions are all ignored matches nothing, as in Clair v1,
  // and takes its AND with it.
  const std::string only_ignored =
      Criteria("AND", Server(6) + Package("kernel", "0:2.6.32-696.el6") +
                          Criteria("OR", Criterion("Red Hat Enterprise Linux 6 Workstation is "
                                                   "installed")));
  const std::string document = Document(
      // The last advisory before RHEL 5, and the first one after it.
      Definition("RHSA-2007:0044: old security update (Low)", "",
                 Criteria("AND", Criterion("Red Hat Enterprise Linux 5 is installed") +
                                     Package("old", "0:1.0-1.el5"))) +
      Definition("RHSA-2007:0045: first security update (Low)", "",
                 Criteria("AND", Criterion("Red Hat Enterprise Linux 5 is installed") +
                                     Package("first", "0:1.0-1.el5"))) +
      // Not security advisories, or not patches.
      Definition("RHBA-2017:0001: bash bug fix update", "",
                 Criteria("AND", Server(7) + Package("bash", "0:4.2.46-21.el7_3"))) +
      Definition("RHSA-2017:0002: inventory", "", Criteria("AND", Server(7)), "inventory") +
      // Only a CVE reference: the link is the errata page.
      Definition("RHSA-2017:0003: openssl security update (Important)", cve_reference,
                 Criteria("OR", rhel4 + Criteria("", rhel7_variants + rhel7_packages) + rhel8)) +
      Definition("RHSA-2017:0004: kernel update (Low)", Rhsa("RHSA-2017:0004"), only_ignored) +
      // A parenthesised word that is no severity.
      Definition("RHSA-2017:0005: kernel update (Unknown)", Rhsa("RHSA-2017:0005"),
                 Criteria("AND", Server(6) + Package("kernel", "0:2.6.32-696.1.1.el6"))) +
      // No criteria at all.
      Definition("RHSA-2017:0006: nothing (Low)", "", ""));

  const FeedResult result = ParseAll({{"inline.xml", document}});
  const std::string description = "First paragraph, wrapped. Second paragraph.";
  const std::vector<Vulnerability> want = {
      {"centos:5",
       "RHSA-2007:0045",
       description,
       "https://access.redhat.com/errata/RHSA-2007:0045",
       "Low",
       "",
       {{"first", "1.0-1.el5"}}},
      {"centos:6",
       "RHSA-2017:0005",
       description,
       "https://rhn.redhat.com/errata/RHSA-2017:0005.html",
       "Unknown",
       "",
       {{"kernel", "2.6.32-696.1.1.el6"}}},
      {"centos:7",
       "RHSA-2017:0003",
       description,
       "https://access.redhat.com/errata/RHSA-2017:0003",
       "High",
       "",
       {{"openssl", "1:1.0.1e-60.el7"}, {"openssl-devel", "1:1.0.1e-60.el7"}}},
      {"centos:8",
       "RHSA-2017:0003",
       description,
       "https://access.redhat.com/errata/RHSA-2017:0003",
       "High",
       "",
       {{"nodejs", "1:10.24.0-1.module+el8.3.0"}}},
  };
  EXPECT_EQ(Sorted(result.vulnerabilities.All()), want);
  const std::map<std::string, std::int64_t> skipped = {
      {"advisory up to RHSA-2007:0044", 1},
      {"advisory RHBA", 1},
      {"definition class inventory", 1},
      {"RHEL 4", 1},
      {"invalid version", 1},
  };
  EXPECT_EQ(result.skipped, skipped);
}

TEST(RhelOvalParserTest, SeverityIsTheTitlesLastParenthesisedWord) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x security update (Low)", "Low"},
      {"x security update (Moderate)", "Medium"},
      {"x security update (Important)", "High"},
      {"x security update (Critical)", "Critical"},
      {"x (y) security update (Critical)", "Critical"},
      {"x security update (Critical) (none)", "Unknown"},
      {"x security update (moderate)", "Unknown"},
      {"x security update", "Unknown"},
  };
  for (const auto& [title, severity] : cases) {
    const FeedResult result =
        ParseAll({{"inline.xml",
                   Document(Definition("RHSA-2016:0001: " + title, "",
                                       Criteria("AND", Server(7) + Package("x", "0:1-1.el7"))))}});
    ASSERT_EQ(result.vulnerabilities.All().size(), 1u) << title;
    EXPECT_EQ(result.vulnerabilities.All()[0].severity, severity) << title;
  }
}

TEST(RhelOvalParserTest, TruncatedDocumentIsAParseErrorAtItsLastLine) {
  const std::string data = ReadData();
  // Cut inside the second definition's criteria.
  const std::size_t cut = data.find("sqlite-doc is earlier than 0:3.7.17");
  ASSERT_NE(cut, std::string::npos);
  const std::string truncated = data.substr(0, cut);
  const long lines = std::count(truncated.begin(), truncated.end(), '\n') + 1;
  const std::string message = ParseErrorIn(kDataFile, truncated);
  EXPECT_EQ(message.rfind(std::string(kDataFile) + ": line " + std::to_string(lines) + ": ", 0), 0u)
      << message;
}

TEST(RhelOvalParserTest, GarbageIsAParseError) {
  EXPECT_EQ(ParseErrorIn("a.xml", "").rfind("a.xml: line 1: ", 0), 0u);
  EXPECT_EQ(ParseErrorIn("a.xml", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR").rfind("a.xml: line 1: ", 0), 0u);
  EXPECT_EQ(ParseErrorIn("a.xml", "{\"CVE_Items\": []}").rfind("a.xml: line 1: ", 0), 0u);
  EXPECT_EQ(ParseErrorIn("a.xml", "<oval_definitions><definitions>\n<definition>\n</definitions>")
                .rfind("a.xml: line 3: ", 0),
            0u);
  EXPECT_EQ(ParseErrorIn("a.xml",
                         "<?xml version=\"1.0\"?>\n<!DOCTYPE oval_definitions [\n"
                         "<!ENTITY a \"aaaaaaaaaaaaaaaa\">\n]>\n"
                         "<oval_definitions>&a;</oval_definitions>\n"),
            "a.xml: line 6: a document type declaration is not accepted");
  EXPECT_EQ(ParseErrorIn("a.xml", "<html>\n<body>502 Bad Gateway</body>\n</html>\n"),
            "a.xml: line 1: not an OVAL definitions document");
}

TEST(RhelOvalParserTest, MalformedDefinitionsAreParseErrorsWithTheirLine) {
  const std::string criteria = Criteria("AND", Server(7) + Package("x", "0:1-1.el7"));
  // Document() puts the first definition on line 5; its title is line 7.
  EXPECT_EQ(ParseErrorIn("a.xml", Document("<oval-def:definition class=\"patch\">\n" + criteria +
                                           "</oval-def:definition>\n")),
            "a.xml: line 5: a patch definition without a title");
  EXPECT_EQ(ParseErrorIn("a.xml", Document(Definition("RHSA-2016:0001 x (Low)", "", criteria))),
            "a.xml: line 7: title without ': '");
  EXPECT_EQ(ParseErrorIn("a.xml", Document(Definition("RHSA-2016:x: y (Low)", "", criteria))),
            "a.xml: line 7: advisory name RHSA-2016:x is not RHSA-YYYY:NNNN");
  // The criteria element follows the definition's 8 lines of metadata.
  EXPECT_EQ(ParseErrorIn("a.xml", Document(Definition("RHSA-2016:0001: x (Low)", "",
                                                      Criteria("XOR", Server(7))))),
            "a.xml: line 13: criteria operator XOR");
}

}  // namespace
}  // namespace herald::updater
