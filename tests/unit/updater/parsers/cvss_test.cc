// CVSS v3 base scores, checked against the scores NVD publishes for these
// CVEs' vectors (nvd.nist.gov/vuln/detail/<CVE>).
#include "updater/parsers/cvss.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace herald::updater {
namespace {

using namespace std::string_view_literals;

struct ScoreCase {
  std::string_view cve;
  std::string_view vector;
  double score;
};

TEST(CvssTest, BaseScoresMatchNvd) {
  constexpr ScoreCase kCases[] = {
      {"CVE-2016-2108", "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      {"CVE-2014-0160", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N", 7.5},
      {"CVE-2021-44228", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
      {"CVE-2021-4034", "CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
      {"CVE-2016-2107", "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9},
      {"CVE-2023-5678", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:L", 5.3},
      {"CVE-2023-4863", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8},
      {"CVE-2023-38546", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:L/A:N", 3.7},
      // The usual reflected XSS vector, and the changed-scope weights of PR.
      {"XSS", "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1},
      {"PR:L S:C", "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9},
      {"PR:H S:C", "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:C/C:H/I:H/A:H", 9.1},
      {"physical", "CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 6.8},
      {"adjacent", "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 8.8},
      // No impact, no score, whatever the exploitability.
      {"no impact", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N", 0.0},
      // Without the prefix, as the brief's example and some feeds write it.
      {"no prefix", "AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
      // Temporal and environmental metrics do not change the base score.
      {"temporal", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C", 9.8},
      {"environmental", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/CR:H/MAV:L/MS:C", 9.8},
      // Metric order is not significant.
      {"reordered", "CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N", 9.8},
  };
  for (const ScoreCase& c : kCases) {
    SCOPED_TRACE(c.cve);
    const std::optional<double> score = CvssV3BaseScore(c.vector);
    ASSERT_TRUE(score.has_value()) << c.vector;
    EXPECT_DOUBLE_EQ(*score, c.score) << c.vector;
  }
}

TEST(CvssTest, MalformedVectorsHaveNoScore) {
  constexpr std::string_view kCases[] = {
      "",
      "CVSS:3.1/",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/A:H",
      "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      "CVSS:3.1/AV:NN/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:X",
      "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:Q",
      "CVSS:3.1/av:n/ac:l/pr:n/ui:n/s:u/c:h/i:h/a:h",
      "CVSS:2.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
      "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
      "AV:N/AC:L/Au:N/C:P/I:P/A:P",
      "CVSS:3.1/AV:\0/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"sv,
  };
  for (std::string_view vector : kCases) {
    EXPECT_FALSE(CvssV3BaseScore(vector).has_value()) << vector;
  }
}

TEST(CvssTest, ScoresRateAsSpecSays) {
  const std::pair<double, std::string_view> kCases[] = {
      {0.0, "Unknown"},   {0.1, "Low"},      {3.9, "Low"},      {4.0, "Medium"},
      {6.9, "Medium"},    {7.0, "High"},     {8.9, "High"},     {9.0, "Critical"},
      {10.0, "Critical"}, {10.1, "Unknown"}, {-1.0, "Unknown"},
  };
  for (const auto& [score, severity] : kCases) {
    EXPECT_EQ(SeverityFromCvssScore(score), severity) << score;
  }
}

}  // namespace
}  // namespace herald::updater
