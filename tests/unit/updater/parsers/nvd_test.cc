// tests/data/feeds/nvd/nvdcve-1.1-sample.json and nvdcve-2.0-sample.json
// were written for these tests from NVD's published JSON feed formats
// (1.1: CVE_Items[].cve.CVE_data_meta and impact.baseMetricV2/V3; 2.0:
// vulnerabilities[].cve.id and metrics.cvssMetricV31/V30/V2), field by
// field, for real CVEs and the scores NVD published for them. The inline
// documents are built the same way to reach each rule.
#include <gtest/gtest.h>

#include <cstddef>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "feed_testing.h"
#include "updater/parsers/feed_parser.h"

namespace herald::updater {
namespace {

using testing::ParseErrorOf;
using testing::ParseFiles;

std::string ReadData(const std::string& name) {
  return testing::ReadFeedData("nvd/" + name);
}

using testing::Documents;

FeedResult ParseAll(const Documents& documents) {
  std::unique_ptr<FeedParser> parser = NewNvdParser();
  return testing::ParseDocuments(*parser, documents);
}

std::string ParseErrorIn(const std::string& name, const std::string& contents) {
  return ParseErrorOf([&] { ParseAll({{name, contents}}); });
}

constexpr char kMetadata2108v11[] =
    R"({"NVD":{"CVSSv2":{"Score":10.0,"Vectors":"AV:N/AC:L/Au:N/C:C/I:C/A:C"},)"
    R"("CVSSv3":{"Score":9.8,"Vectors":"CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}})";

TEST(NvdParserTest, Feed11GivesTheScoresPresentPerCve) {
  const std::unique_ptr<FeedParser> parser = NewNvdParser();
  const FeedResult result = ParseFiles(*parser, {"nvd/nvdcve-1.1-sample.json"});
  const std::map<std::string, std::string> want = {
      {"CVE-1999-0001",
       R"({"NVD":{"CVSSv2":{"Score":5.0,"Vectors":"AV:N/AC:L/Au:N/C:N/I:N/A:P"}}})"},
      {"CVE-2014-0160",
       R"({"NVD":{"CVSSv2":{"Score":5.0,"Vectors":"AV:N/AC:L/Au:N/C:P/I:N/A:N"},)"
       R"("CVSSv3":{"Score":7.5,"Vectors":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N"}}})"},
      // CVE-2016-0001, rejected, has no impact and so no entry.
      {"CVE-2016-2108", kMetadata2108v11},
  };
  EXPECT_EQ(result.metadata_by_name, want);
  EXPECT_TRUE(result.vulnerabilities.All().empty());
  EXPECT_TRUE(result.skipped.empty());
}

TEST(NvdParserTest, Feed20GivesTheScoresPresentPerCve) {
  const std::unique_ptr<FeedParser> parser = NewNvdParser();
  const FeedResult result = ParseFiles(*parser, {"nvd/nvdcve-2.0-sample.json"});
  const std::map<std::string, std::string> want = {
      {"CVE-2016-2108", kMetadata2108v11},
      {"CVE-2021-44228",
       R"({"NVD":{"CVSSv2":{"Score":9.3,"Vectors":"AV:N/AC:M/Au:N/C:C/I:C/A:C"},)"
       R"("CVSSv3":{"Score":10.0,"Vectors":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"}}})"},
      // Not yet analysed by NVD: the CNA's score.
      {"CVE-2024-6387",
       R"({"NVD":{"CVSSv3":{"Score":8.1,"Vectors":"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H"}}})"},
  };
  EXPECT_EQ(result.metadata_by_name, want);
  EXPECT_TRUE(result.vulnerabilities.All().empty());
}

std::string Metric(const std::string& type, const std::string& vector, const std::string& score) {
  return R"({"source":"x@example.org","type":")" + type + R"(","cvssData":{"version":"3.1",)" +
         R"("vectorString":")" + vector + R"(","baseScore":)" + score + "}}";
}

std::string Feed20(const std::string& id, const std::string& metrics) {
  return R"({"format":"NVD_CVE","version":"2.0","vulnerabilities":[{"cve":{"id":")" + id +
         R"(","metrics":)" + metrics + "}}]}";
}

TEST(NvdParserTest, Feed20PrefersNvdsOwnScoreThenTheNewerVersion) {
  const std::string a = "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
  const std::string b = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
  const std::string c = "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
  const std::string v4 =
      R"("cvssMetricV40":[{"source":"x","type":"Primary","cvssData":{"version":"4.0",)"
      R"("vectorString":"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",)"
      R"("baseScore":9.3}}])";
  const FeedResult result = ParseAll({
      {"a.json",
       Feed20("CVE-2024-0001", R"({"cvssMetricV31":[)" + Metric("Secondary", a, "6.2") + "," +
                                   Metric("Primary", b, "7.5") + R"(],"cvssMetricV30":[)" +
                                   Metric("Primary", c, "9.8") + "]}")},
      {"b.json", Feed20("CVE-2024-0002", R"({"cvssMetricV31":[)" + Metric("Secondary", a, "6.2") +
                                             R"(],"cvssMetricV30":[)" +
                                             Metric("Primary", c, "9.8") + "]," + v4 + "}")},
      {"c.json", Feed20("CVE-2024-0003", R"({"cvssMetricV31":[)" + Metric("Secondary", a, "6.2") +
                                             "," + Metric("Secondary", b, "7.5") + "]}")},
      // An integer score, and a CVE with only a CVSS v4 score.
      {"d.json",
       Feed20("CVE-2024-0004", R"({"cvssMetricV31":[)" + Metric("Primary", b, "10") + "]}")},
      {"e.json", Feed20("CVE-2024-0005", "{" + v4 + "}")},
  });
  const auto v3 = [](const std::string& vector, const std::string& score) {
    return R"({"NVD":{"CVSSv3":{"Score":)" + score + R"(,"Vectors":")" + vector + R"("}}})";
  };
  const std::map<std::string, std::string> want = {
      {"CVE-2024-0001", v3(b, "7.5")},
      {"CVE-2024-0002", v3(c, "9.8")},
      {"CVE-2024-0003", v3(a, "6.2")},
      {"CVE-2024-0004", v3(b, "10.0")},
  };
  EXPECT_EQ(result.metadata_by_name, want);
}

TEST(NvdParserTest, TheLastDocumentListingACveDecides) {
  // The "modified" feed comes after the yearly ones.
  const std::string modified =
      R"({"CVE_Items":[)"
      R"({"cve":{"CVE_data_meta":{"ID":"CVE-2016-2108"}},"impact":{"baseMetricV3":{"cvssV3":)"
      R"({"vectorString":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H","baseScore":9.8}}}},)"
      R"({"cve":{"CVE_data_meta":{"ID":"CVE-2014-0160"}},"impact":{}}]})";
  const FeedResult result = ParseAll({{"nvdcve-1.1-2016.json", ReadData("nvdcve-1.1-sample.json")},
                                      {"nvdcve-1.1-modified.json", modified}});
  const std::map<std::string, std::string> want = {
      {"CVE-1999-0001",
       R"({"NVD":{"CVSSv2":{"Score":5.0,"Vectors":"AV:N/AC:L/Au:N/C:N/I:N/A:P"}}})"},
      {"CVE-2016-2108",
       R"({"NVD":{"CVSSv3":{"Score":9.8,"Vectors":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}}})"},
  };
  EXPECT_EQ(result.metadata_by_name, want);
}

TEST(NvdParserTest, TruncatedFeedIsAParseErrorAtItsLastByte) {
  const std::string data = ReadData("nvdcve-1.1-sample.json");
  for (const std::size_t cut : {std::size_t{1}, data.size() / 2, data.size() - 2}) {
    const std::string message = ParseErrorIn("nvdcve-1.1-2016.json", data.substr(0, cut));
    EXPECT_EQ(message.rfind("nvdcve-1.1-2016.json: byte " + std::to_string(cut + 1) + ": ", 0), 0u)
        << cut << ": " << message;
  }
}

TEST(NvdParserTest, GarbageIsAParseError) {
  EXPECT_EQ(ParseErrorIn("a.json", "").rfind("a.json: byte 1: ", 0), 0u);
  EXPECT_EQ(ParseErrorIn("a.json", "\x89PNG\r\n\x1a\n").rfind("a.json: byte 1: ", 0), 0u);
  EXPECT_EQ(ParseErrorIn("a.json", "<html>502 Bad Gateway</html>").rfind("a.json: byte 1: ", 0),
            0u);
  EXPECT_EQ(ParseErrorIn("a.json", R"({"CVE_Items":[]} trailing)").rfind("a.json: byte ", 0), 0u);
  EXPECT_EQ(ParseErrorIn("a.json", R"({"resultsPerPage":0})"),
            "a.json: byte 20: neither CVE_Items nor vulnerabilities");
}

TEST(NvdParserTest, WrongTypesAtAnyDepthAreParseErrors) {
  const std::string cve11 = R"({"CVE_data_meta":{"ID":"CVE-2016-2108"}})";
  const std::string cvss = R"({"vectorString":"AV:N/AC:L/Au:N/C:C/I:C/A:C","baseScore":10.0})";
  const std::vector<std::string> documents = {
      R"([])",
      R"("CVE_Items")",
      R"({"CVE_Items":{}})",
      R"({"CVE_Items":"x"})",
      R"({"vulnerabilities":null})",
      R"({"CVE_Items":[1]})",
      R"({"CVE_Items":[[]]})",
      R"({"CVE_Items":[{}]})",
      R"({"CVE_Items":[{"cve":[]}]})",
      R"({"CVE_Items":[{"cve":{}}]})",
      R"({"CVE_Items":[{"cve":{"CVE_data_meta":"CVE-2016-2108"}}]})",
      R"({"CVE_Items":[{"cve":{"CVE_data_meta":{"ID":2108}}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 + R"(,"impact":[]}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 + R"(,"impact":{"baseMetricV2":"x"}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 + R"(,"impact":{"baseMetricV2":{}}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 + R"(,"impact":{"baseMetricV2":{"cvssV2":[]}}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 +
          R"(,"impact":{"baseMetricV3":{"cvssV3":{"vectorString":null,"baseScore":9.8}}}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 +
          R"(,"impact":{"baseMetricV3":{"cvssV3":{"vectorString":"CVSS:3.0/AV:N","baseScore":"9.8"}}}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 +
          R"(,"impact":{"baseMetricV3":{"cvssV3":{"vectorString":"CVSS:3.0/AV:N","baseScore":98}}}}]})",
      R"({"CVE_Items":[{"cve":)" + cve11 +
          R"(,"impact":{"baseMetricV3":{"cvssV3":{"vectorString":"CVSS:3.0/AV:N"}}}}]})",
      R"({"vulnerabilities":[{"cve":{"id":["CVE-2016-2108"]}}]})",
      R"({"vulnerabilities":[{"cve":{"id":"CVE-2016-2108","metrics":[]}}]})",
      R"({"vulnerabilities":[{"cve":{"id":"CVE-2016-2108","metrics":{"cvssMetricV2":{}}}}]})",
      R"({"vulnerabilities":[{"cve":{"id":"CVE-2016-2108","metrics":{"cvssMetricV2":[7]}}}]})",
      R"({"vulnerabilities":[{"cve":{"id":"CVE-2016-2108","metrics":{"cvssMetricV2":[{}]}}}]})",
      R"({"vulnerabilities":[{"cve":{"id":"CVE-2016-2108","metrics":{"cvssMetricV2":)"
      R"([{"type":1,"cvssData":)" +
          cvss + "}]}}}]}",
      // A bad entry is refused even when a good one comes first.
      R"({"vulnerabilities":[{"cve":{"id":"CVE-2016-2108","metrics":{"cvssMetricV2":)"
      R"([{"type":"Primary","cvssData":)" +
          cvss + R"(},{"type":"Secondary","cvssData":{"baseScore":true}}]}}}]})",
  };
  for (const std::string& document : documents) {
    const std::string message = ParseErrorIn("a.json", document);
    EXPECT_EQ(message.rfind("a.json: byte ", 0), 0u) << document << "\n" << message;
  }
}

TEST(NvdParserTest, WrongTypeMessagesNameTheCveAndTheField) {
  // An item is checked once whole: the position is just past its '}'.
  EXPECT_EQ(
      ParseErrorIn(
          "a.json",
          R"({"CVE_Items":[{"cve":{"CVE_data_meta":{"ID":"CVE-2016-2108"}},)"
          R"("impact":{"baseMetricV2":{"cvssV2":{"vectorString":"AV:N","baseScore":"10"}}}}]})"),
      "a.json: byte 140: CVE-2016-2108: impact.baseMetricV2.cvssV2.baseScore is not a number");
}

}  // namespace
}  // namespace herald::updater
