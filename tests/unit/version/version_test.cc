#include "version/comparator.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "version/apk.h"
#include "version/dpkg.h"
#include "version/rpm.h"

namespace herald::version {
namespace {

using namespace std::string_view_literals;

int Sign(int x) {
  return (x > 0) - (x < 0);
}

// `want` is the sign of compare(a, b).
struct OrderCase {
  std::string_view a;
  std::string_view b;
  int want;
};

struct ValidCase {
  std::string_view v;
  bool want;
};

std::string Printable(std::string_view v) {
  std::string out;
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7F) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}

// Every row is checked both ways round (antisymmetry), against itself
// (reflexivity) and through CompareWithSentinels, which must pass real
// versions straight to the comparator.
void CheckOrder(const Comparator& cmp, std::span<const OrderCase> rows) {
  for (const OrderCase& row : rows) {
    SCOPED_TRACE(std::string(cmp.name()) + ": \"" + std::string(row.a) + "\" vs \"" +
                 std::string(row.b) + "\"");
    EXPECT_TRUE(cmp.valid(row.a));
    EXPECT_TRUE(cmp.valid(row.b));
    EXPECT_EQ(Sign(cmp.compare(row.a, row.b)), row.want);
    EXPECT_EQ(Sign(cmp.compare(row.b, row.a)), -row.want);
    EXPECT_EQ(cmp.compare(row.a, row.a), 0);
    EXPECT_EQ(cmp.compare(row.b, row.b), 0);
    EXPECT_EQ(CompareWithSentinels(cmp, row.a, row.b), row.want);
    EXPECT_EQ(CompareWithSentinels(cmp, row.b, row.a), -row.want);
  }
}

// `chain` is strictly ascending: every pair must agree, which also exercises
// transitivity across the rules the pairwise tables cover one at a time.
void CheckChain(const Comparator& cmp, std::span<const std::string_view> chain) {
  for (std::size_t i = 0; i < chain.size(); ++i) {
    for (std::size_t j = 0; j < chain.size(); ++j) {
      SCOPED_TRACE(std::string(cmp.name()) + ": \"" + std::string(chain[i]) + "\" vs \"" +
                   std::string(chain[j]) + "\"");
      const int want = i < j ? -1 : (i > j ? 1 : 0);
      EXPECT_EQ(Sign(cmp.compare(chain[i], chain[j])), want);
    }
  }
}

void CheckValid(const Comparator& cmp, std::span<const ValidCase> rows) {
  for (const ValidCase& row : rows) {
    SCOPED_TRACE(std::string(cmp.name()) + ": \"" + Printable(row.v) + "\"");
    EXPECT_EQ(cmp.valid(row.v), row.want);
  }
}

// ---------------------------------------------------------------------------
// dpkg. Every ordering row agrees with `dpkg --compare-versions`.

constexpr OrderCase kDpkgOrder[] = {
    // Epochs dominate and are numeric.
    {"1:1.0", "2.0", 1},
    {"0:1.0", "1.0", 0},
    {"01:1.0", "1:1.0", 0},
    {"2:0.1", "1:9.9", 1},
    {"10:1", "9:1", 1},
    {"1:2.8.0-1ubuntu1", "2.8.0-1ubuntu2", 1},
    {"1:1.0-1", "1:1.0-2", -1},
    // '~' sorts before everything, even the end of the string.
    {"1.0~rc1", "1.0", -1},
    {"1.0~rc1", "1.0~rc2", -1},
    {"1.0~", "1.0", -1},
    {"1.0~~", "1.0~", -1},
    {"1.0~~", "1.0~~a", -1},
    {"1.0~~a", "1.0~", -1},
    {"3.0.0~alpha1", "3.0.0~beta1", -1},
    {"1.0~rc1-1", "1.0-1", -1},
    {"1.0-1~bpo1", "1.0-1", -1},
    {"2.30-0ubuntu1~18.04", "2.30-0ubuntu1", -1},
    // Non-digit runs: end < letters < other characters (by ASCII).
    {"1.0", "1.0a", -1},
    {"1.0a", "1.0+", -1},
    {"1.0z", "1.0.", -1},
    {"1.0+", "1.0.", -1},
    {"1.0A", "1.0a", -1},
    {"1.0+dfsg", "1.0", 1},
    {"1.0+dfsg", "1.0.1", -1},
    {"1.0a", "1.0b", -1},
    // Digit runs are numbers: leading zeros ignored, any length.
    {"1.10", "1.9", 1},
    {"10", "9", 1},
    {"1.2.3", "1.2.10", -1},
    {"1.01", "1.1", 0},
    {"1.001", "1.1", 0},
    {"1.0", "1.00", 0},
    {"0", "00", 0},
    {"1.0", "1.0.0", -1},
    {"1.99999999999999999999", "1.100000000000000000000", -1},
    {"1.00000000000000000001", "1.1", 0},
    // Revisions: absent equals "0"; split at the last '-'.
    {"1.0", "1.0-0", 0},
    {"1.0-1", "1.0", 1},
    {"1.0", "1.0-0.1", -1},
    {"1.0-1", "1.0-1.1", -1},
    {"1.0-9", "1.0-10", -1},
    {"1.0-1", "1.0-1ubuntu1", -1},
    {"1.0-1ubuntu1", "1.0-1ubuntu2", -1},
    {"1.0-1", "1.0-1+deb9u1", -1},
    {"1.0-1+deb9u1", "1.0-1+deb9u2", -1},
    {"1.0-a-b", "1.0-a-c", -1},
    {"1.0-a-b", "1.0-b", 1},
    {"1:2.0:1", "1:2.0:2", -1},
    // Seen in real advisories.
    {"2.7.4-0ubuntu1.6", "2.7.4-0ubuntu1.10", -1},
    {"7.58.0-2ubuntu3.8", "7.58.0-2ubuntu3.10", -1},
    {"1.1.0f-3+deb9u2", "1.1.0f-3+deb9u1", 1},
    {"0.9.8o-4squeeze14", "0.9.8o-4squeeze7", 1},
    {"2.24-11+deb9u4", "2.24-11+deb9u4", 0},
    {"1:9.10.3.dfsg.P4-12.3+deb9u6", "1:9.10.3.dfsg.P4-12.3+deb9u5", 1},
    {"4.9.0-0.bpo.6", "4.9.0", 1},
};

constexpr std::string_view kDpkgChain[] = {
    "0~",   "0",        "0.1",   "1.0~~", "1.0~~a", "1.0~", "1.0", "1.0-0.1", "1.0-1",
    "1.0a", "1.0+dfsg", "1.0.1", "1.1",   "1.10",   "2",    "1:0", "1:1.0",   "2:0.1",
};

constexpr ValidCase kDpkgValid[] = {
    {"1", true},
    {"0", true},
    {"1.0", true},
    {"1.0-1", true},
    {"1:1.0", true},
    {"0:1.0-1", true},
    {"2147483647:1", true},
    {"1.0+dfsg1-1~bpo1", true},
    {"1:2.0:1-1", true},
    {"1.0-a-b", true},
    {"1.0~", true},
    {"1.0-~", true},
    {"1.0_1", true},  // dpkg warns; Clair v1 accepted '_'.
    {"1.0-1_1", true},
    {"", false},
    {"a1.0", false},  // upstream must start with a digit
    {"1:a1.0", false},
    {"a:1.0", false},  // epoch must be digits
    {"+1:1.0", false},
    {"-1:1.0", false},
    {"1a:1.0", false},
    {":1.0", false},  // empty epoch
    {"1:", false},    // nothing after the epoch
    {"1.0-", false},  // empty revision
    {"-1", false},    // empty upstream
    {"1:-1", false},
    {"2147483648:1", false},  // epoch beyond dpkg's int
    {"1.0-1:2", false},
    {" 1.0", false},
    {"1.0 ", false},
    {"1.0 1", false},
    {"1.0\t", false},
    {"1.0\n", false},
    {"1.0\0"sv, false},
    {"1.0\x7f", false},
    {"1.0\xc3\xa9", false},
    {"1.0!", false},
    {"1.0/2", false},
    {"#MINV#", false},
    {"#MAXV#", false},
};

TEST(DpkgComparatorTest, Order) {
  CheckOrder(DpkgComparator::Instance(), kDpkgOrder);
}
TEST(DpkgComparatorTest, Chain) {
  CheckChain(DpkgComparator::Instance(), kDpkgChain);
}
TEST(DpkgComparatorTest, Valid) {
  CheckValid(DpkgComparator::Instance(), kDpkgValid);
}

// ---------------------------------------------------------------------------
// rpm. Bare-version rows follow rpm's own tests/rpmvercmp.at.

constexpr OrderCase kRpmOrder[] = {
    {"1.0", "1.0", 0},
    {"1.0", "2.0", -1},
    {"2.0.1", "2.0", 1},
    {"2.0.1a", "2.0.1", 1},
    {"5.5p1", "5.5p2", -1},
    {"5.5p1", "5.5p10", -1},
    {"5.5p2", "5.6p1", -1},
    {"10xyz", "10.1xyz", -1},
    {"xyz10", "xyz10.1", -1},
    {"xyz.4", "8", -1},  // a number is newer than letters
    {"xyz.4", "2", -1},
    {"6.0.rc1", "6.0", 1},
    {"10b2", "10a1", 1},
    {"1.0a", "1.0aa", -1},
    {"1.0A", "1.0a", -1},
    {"1.0a", "1.0.1", -1},
    {"abc", "abd", -1},
    // Leading zeros ignored; any length.
    {"10.0001", "10.1", 0},
    {"10.0001", "10.0039", -1},
    {"1.010", "1.9", 1},
    {"4.999.9", "5.0", -1},
    {"20101121", "20101122", -1},
    {"1.99999999999999999999", "1.100000000000000000000", -1},
    // Separators only separate.
    {"2.0", "2_0", 0},
    {"1.0", "1.0.", 0},
    {"1.0", "1..0", 0},
    {"a+", "a_", 0},
    {"+a", "_a", 0},
    // '~' sorts before everything, even the end.
    {"1.0~rc1", "1.0", -1},
    {"1.0~rc1", "1.0~rc2", -1},
    {"1.0~rc1~git123", "1.0~rc1", -1},
    {"1.0~", "1.0", -1},
    // '^' sorts after the end, but before any further segment.
    {"1.0^", "1.0", 1},
    {"1.0^git1", "1.0", 1},
    {"1.0^git1", "1.01", -1},
    {"1.0^20160101", "1.0.1", -1},
    {"1.0^20160101^git1", "1.0^20160101", 1},
    {"1.0^20160102", "1.0^20160101^git1", 1},
    {"1.0~rc1^git1", "1.0~rc1", 1},
    {"1.0^git1~pre", "1.0^git1", -1},
    {"1.0^git1", "1.0^git2", -1},
    {"1.0^git1", "1.0~rc1", 1},
    {"1.0^", "1.0~", 1},
    // Epochs: numeric, absent means 0, and dominate.
    {"1:1.0", "2.0", 1},
    {"0:1.0", "1.0", 0},
    {"00:1.0", "0:1.0", 0},
    {"2:1", "1:9", 1},
    {"10:1", "9:1", 1},
    {"1:2:3", "1:2:4", -1},
    // Releases: compared only when the versions tie; a missing one is oldest.
    {"1.0-1", "1.0-2", -1},
    {"1.0", "1.0-1", -1},
    {"1.0", "1.0-~1", -1},
    {"1.0-1", "1.0.1", -1},
    {"1.0-1.el7", "1.0-1.el8", -1},
    {"1.0~rc1-1", "1.0-1", -1},
    {"1.0^post1-1", "1.0-1", 1},
    {"1.0-1^p", "1.0-1", 1},
    {"1.0-a-b", "1.0-a-c", -1},
    // Seen in real advisories.
    {"2.17-317.el7", "2.17-260.el7_6.6", 1},
    {"4.18.0-80.el8", "4.18.0-80.11.2.el8_0", -1},
    {"1.0.2k-19.el7", "1.0.2k-16.el7", 1},
    {"1:1.0.2k-19.el7", "1.1.1-1.el8", 1},
    {"3.6.8-18.el7", "3.6.8-18.el7", 0},
    {"7.29.0-59.el7_9.1", "7.29.0-59.el7", 1},
};

constexpr std::string_view kRpmChain[] = {
    "1.0~rc1", "1.0", "1.0-1", "1.0-2", "1.0^git1", "1.0^git1-1", "1.0a",
    "1.0.1",   "1.1", "1.10",  "2",     "1:0.1",    "2:0",
};

// clang-format off
constexpr ValidCase kRpmValid[] = {
    {"1", true},
    {"1.0", true},
    {"1.0-1", true},
    {"1:1.0-1.el7", true},
    {"1.0~rc1", true},
    {"1.0^git1", true},
    {"1.0_1", true},
    {"1.0+2", true},
    {"abc", true},  // rpm does not ask for a leading digit
    {"1:2:3", true},
    {"1.0-1-2", true},
    {"", false},
    {":1.0", false},  // empty epoch
    {"a:1.0", false},  // epoch must be digits
    {"1a:1.0", false},
    {"1:", false},  // no version
    {"-1", false},  // empty version
    {"1:-1", false},  // empty version
    {"1.0-", false},  // empty release
    {" 1.0", false},
    {"1.0 ", false},
    {"1.0\t1", false},
    {"1.0\n", false},
    {"1.0\x01", false},
    {"1.0\0"sv, false},
    {"1.0\x7f", false},
    {"1.0\xc3\xa9", false},
    {"1.0!", false},
    {"1.0/2", false},
    {"#MINV#", false},
    {"#MAXV#", false},
};
// clang-format on

TEST(RpmComparatorTest, Order) {
  CheckOrder(RpmComparator::Instance(), kRpmOrder);
}
TEST(RpmComparatorTest, Chain) {
  CheckChain(RpmComparator::Instance(), kRpmChain);
}
TEST(RpmComparatorTest, Valid) {
  CheckValid(RpmComparator::Instance(), kRpmValid);
}

// ---------------------------------------------------------------------------
// apk. Rows agree with apk-tools' version.c and its test/version.data.

constexpr OrderCase kApkOrder[] = {
    {"1.0", "1.0", 0},
    {"1.0", "1.0.1", -1},
    {"1.0", "1", 1},
    {"2.34", "0.1.0_alpha", 1},
    {"1.2.1", "1.2", 1},
    {"1.10", "1.9", 1},
    {"7.0.17", "7.0.174", -1},
    {"01", "1", 0},  // the first number is plain numeric
    {"006", "1.0.0", 1},
    {"99999999999999999999", "100000000000000000000", -1},
    // A later component with a leading zero compares as a string (Gentoo).
    {"1.05", "1.1", -1},
    {"1.010", "1.02", -1},
    {"1.0", "1.00", -1},
    {"0.01", "0.06", -1},
    {"1.2.07.8", "1.2.12.04", -1},
    {"1.0.1", "1.05", -1},
    // One letter after the numbers.
    {"1.0", "1.0a", -1},
    {"1.0a", "1.0b", -1},
    {"1.0a", "1.0.1", -1},
    {"1.0z", "1.0.1", -1},
    {"2.5.1-r8", "2.5.1a-r1", -1},
    // Suffixes: alpha < beta < pre < rc < (none) < cvs < svn < git < hg < p.
    {"1.0_alpha", "1.0_beta", -1},
    {"1.0_beta", "1.0_pre", -1},
    {"1.0_pre", "1.0_rc", -1},
    {"1.0_rc", "1.0", -1},
    {"1.0", "1.0_cvs", -1},
    {"1.0_cvs", "1.0_svn", -1},
    {"1.0_svn", "1.0_git", -1},
    {"1.0_git", "1.0_hg", -1},
    {"1.0_hg", "1.0_p", -1},
    {"1.0_alpha", "1.0_alpha1", -1},
    {"1.0_rc1", "1.0_rc2", -1},
    {"1.0_rc9", "1.0_rc10", -1},
    {"1.0_p", "1.0_p1", -1},
    {"1.1_alpha1", "1.1", -1},
    {"1.3_pre1-r1", "1.3.2", -1},
    {"0.1.0_alpha_pre2", "0.1.0_alpha", -1},
    {"1.0_p1_rc1", "1.0_p1", -1},
    {"1.0_alpha1", "1.0_alpha1-r1", -1},
    {"1.0_pre20191002222144-r0", "1.0_pre20210530193627-r0", -1},
    // Revisions.
    {"1.0-r1", "1.0-r2", -1},
    {"1.0-r9", "1.0-r10", -1},
    {"1.0", "1.0-r0", -1},
    {"1.0-r1", "1.0_p1", -1},
    {"1.0-r1", "1.0.1", -1},
    {"1.3-r0", "1.3.1-r0", -1},
    {"2.36.1-r0", "2.36.0-r10", 1},
    // Commit hashes: compared as strings.
    {"1.0~abc", "1.0~abd", -1},
    {"1.0~abc", "1.0~abc-r1", -1},
    // Seen in real advisories.
    {"1.1.1k-r0", "1.1.1j-r0", 1},
    {"1.1.1t-r2", "3.0.8-r0", -1},
    {"2.2.39-r1", "1.0.4-r3", 1},
    {"4.2.52_p2-r1", "4.2.52_p4-r2", -1},
    {"3.1_p17", "1.06-r6", 1},
    {"0.9.28.1", "087-r1", -1},
    {"3.9_pre20060124", "0.01", 1},
};

constexpr std::string_view kApkChain[] = {
    "0.9", "1.0_alpha", "1.0_alpha1", "1.0_beta", "1.0_pre1", "1.0_rc1",
    "1.0", "1.0-r1",    "1.0_p1",     "1.0a",     "1.0.1",    "1.05",
    "1.1", "1.2_rc1",   "1.2",        "1.10",     "2",        "10",
};

constexpr ValidCase kApkValid[] = {
    {"1", true},
    {"0", true},
    {"1.0", true},
    {"1.0a", true},
    {"1.0_alpha", true},
    {"1.0_alpha1", true},
    {"1.0_alpha_pre2", true},
    {"1.0_p1-r3", true},
    {"1.0~abc123", true},
    {"1.0~ABC-r1", true},
    {"20050718-r1", true},
    {"", false},
    {"a1", false},  // must start with a digit
    {"1.", false},
    {"1..0", false},
    {"1.0ab", false},  // one letter only
    {"1.0a1", false},  // no digits after the letter
    {"1.0a.1", false},
    {"1.0A", false},  // lowercase only
    {"1.0_foo", false},
    {"1.0_", false},
    {"1.0_alpha.1", false},
    {"1.0-r", false},
    {"1.0-1", false},
    {"1.0-r1-r2", false},
    {"1.0-r1_p1", false},
    {"1.0~", false},
    {"1.0~xyz", false},
    {"1.0~abc~def", false},
    {" 1.0", false},
    {"1.0 ", false},
    {"1.0\n", false},
    {"1.0\0"sv, false},
    {"1.0\xc3\xa9", false},
    {"#MINV#", false},
    {"#MAXV#", false},
};

TEST(ApkComparatorTest, Order) {
  CheckOrder(ApkComparator::Instance(), kApkOrder);
}
TEST(ApkComparatorTest, Chain) {
  CheckChain(ApkComparator::Instance(), kApkChain);
}
TEST(ApkComparatorTest, Valid) {
  CheckValid(ApkComparator::Instance(), kApkValid);
}

// ---------------------------------------------------------------------------
// Sentinels and namespace lookup.

struct SentinelCase {
  const Comparator* cmp;
  std::string_view v;
};

TEST(CompareWithSentinelsTest, SentinelsBoundEveryVersion) {
  const SentinelCase rows[] = {
      {&DpkgComparator::Instance(), "0"},
      {&DpkgComparator::Instance(), "0~"},
      {&DpkgComparator::Instance(), "1.0-1"},
      {&DpkgComparator::Instance(), "2147483647:99999999999999999999"},
      {&RpmComparator::Instance(), "0"},
      {&RpmComparator::Instance(), "0~"},
      {&RpmComparator::Instance(), "1:1.0-1.el7"},
      {&RpmComparator::Instance(), "99999:zzz^zzz-zzz"},
      {&ApkComparator::Instance(), "0"},
      {&ApkComparator::Instance(), "0_alpha"},
      {&ApkComparator::Instance(), "1.0-r1"},
      {&ApkComparator::Instance(), "99999999999999999999_p9-r9"},
  };
  for (const SentinelCase& row : rows) {
    const Comparator& cmp = *row.cmp;
    SCOPED_TRACE(std::string(cmp.name()) + ": \"" + std::string(row.v) + "\"");
    ASSERT_TRUE(cmp.valid(row.v));
    EXPECT_EQ(CompareWithSentinels(cmp, kMinVersion, row.v), -1);
    EXPECT_EQ(CompareWithSentinels(cmp, row.v, kMinVersion), 1);
    EXPECT_EQ(CompareWithSentinels(cmp, kMaxVersion, row.v), 1);
    EXPECT_EQ(CompareWithSentinels(cmp, row.v, kMaxVersion), -1);
    EXPECT_EQ(CompareWithSentinels(cmp, row.v, row.v), 0);
  }
}

TEST(CompareWithSentinelsTest, SentinelsAmongThemselves) {
  const Comparator* const all[] = {&DpkgComparator::Instance(), &RpmComparator::Instance(),
                                   &ApkComparator::Instance()};
  for (const Comparator* cmp : all) {
    SCOPED_TRACE(std::string(cmp->name()));
    EXPECT_EQ(CompareWithSentinels(*cmp, kMinVersion, kMinVersion), 0);
    EXPECT_EQ(CompareWithSentinels(*cmp, kMaxVersion, kMaxVersion), 0);
    EXPECT_EQ(CompareWithSentinels(*cmp, kMinVersion, kMaxVersion), -1);
    EXPECT_EQ(CompareWithSentinels(*cmp, kMaxVersion, kMinVersion), 1);
  }
}

struct NamespaceCase {
  std::string_view ns;
  const char* want;  // comparator name, or nullptr for an unknown prefix
};

constexpr NamespaceCase kNamespaces[] = {
    {"debian:8", "dpkg"},
    {"debian:unstable", "dpkg"},
    {"ubuntu:16.04", "dpkg"},
    {"centos:7", "rpm"},
    {"rhel:8", "rpm"},
    {"fedora:39", "rpm"},
    {"oracle:7", "rpm"},
    {"amzn:2", "rpm"},
    {"opensuse:15.1", "rpm"},
    {"sles:12", "rpm"},
    {"alpine:v3.4", "apk"},
    {"alpine:edge", "apk"},
    {"debian", "dpkg"},  // no ':' → the whole name is the prefix
    {"alpine", "apk"},
    {"debian:", "dpkg"},
    {"debian:8:extra", "dpkg"},
    {"", nullptr},
    {":8", nullptr},
    {"arch:rolling", nullptr},
    {"Debian:8", nullptr},
    {"debian8", nullptr},
    {"deb:8", nullptr},
    {"debian :8", nullptr},
    {"alpinelinux:3", nullptr},
    {"rhel8", nullptr},
};

TEST(ForNamespaceTest, PrefixPicksComparator) {
  for (const NamespaceCase& row : kNamespaces) {
    SCOPED_TRACE("\"" + std::string(row.ns) + "\"");
    const Comparator* cmp = ForNamespace(row.ns);
    if (row.want == nullptr) {
      EXPECT_EQ(cmp, nullptr);
    } else {
      ASSERT_NE(cmp, nullptr);
      EXPECT_EQ(cmp->name(), row.want);
    }
  }
}

TEST(ForNamespaceTest, ComparatorsAreSingletons) {
  EXPECT_EQ(ForNamespace("debian:8"), &DpkgComparator::Instance());
  EXPECT_EQ(ForNamespace("ubuntu:18.04"), ForNamespace("debian:9"));
  EXPECT_EQ(ForNamespace("centos:7"), &RpmComparator::Instance());
  EXPECT_EQ(ForNamespace("sles:15"), ForNamespace("amzn:2"));
  EXPECT_EQ(ForNamespace("alpine:v3.18"), &ApkComparator::Instance());
  EXPECT_EQ(&DpkgComparator::Instance(), &DpkgComparator::Instance());
}

}  // namespace
}  // namespace herald::version
