#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/layer_files.h"
#include "support/process.h"

namespace herald::analyzer {
namespace {

using Packages = std::vector<DetectedPackage>;

std::optional<Packages> Detect(const LayerFiles& files) {
  return DpkgDetector().detect(files);
}

std::optional<Packages> DetectStatus(std::string status) {
  LayerFiles files;
  files.Add("var/lib/dpkg/status", std::move(status));
  return Detect(files);
}

TEST(DpkgDetectorTest, DeclaresTheFilesItReads) {
  const FeatureDetector detector = DpkgDetector();
  EXPECT_EQ(detector.name, "dpkg");
  EXPECT_EQ(detector.paths, std::vector<std::string>{"var/lib/dpkg/status"});
  EXPECT_EQ(detector.prefixes, std::vector<std::string>{"var/lib/dpkg/status.d/"});
}

// The detector must agree with dpkg itself on this machine's database: for
// every installed package, the source package and source version that
// dpkg-query derives from the same Source and Version fields.
TEST(DpkgDetectorTest, MachineDatabaseMatchesDpkgQuery) {
  const std::string status_path = "/var/lib/dpkg/status";
  ASSERT_TRUE(std::filesystem::exists(status_path)) << "the tests run on a Debian host";
  const testing::CommandResult query = testing::RunCommand(
      {"dpkg-query", "-W", "-f", "${db:Status-Abbrev}|${source:Package}|${source:Version}\n"});
  ASSERT_EQ(query.exit_code, 0) << query.output;

  Packages want;
  std::istringstream lines(query.output);
  for (std::string line; std::getline(lines, line);) {
    const std::size_t first = line.find('|');
    const std::size_t second = line.find('|', first + 1);
    ASSERT_NE(second, std::string::npos) << "unexpected dpkg-query line: " << line;
    // The abbreviation's second letter is the package's state; 'i' is
    // "installed", the only state whose Status ends in "installed".
    const std::string abbrev = line.substr(0, first);
    if (abbrev.size() < 2 || abbrev[1] != 'i') continue;
    want.push_back({line.substr(first + 1, second - first - 1), line.substr(second + 1)});
  }
  std::sort(want.begin(), want.end());
  want.erase(std::unique(want.begin(), want.end()), want.end());
  ASSERT_FALSE(want.empty());

  const std::optional<Packages> got = DetectStatus(testing::ReadFile(status_path));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(*got, want);
}

TEST(DpkgDetectorTest, SourceWithVersionGivesTheSourcePackageAndVersion) {
  // A binNMU: the binary's version has +b1, the fix is keyed by the source's.
  EXPECT_EQ(DetectStatus("Package: libssl3\n"
                         "Status: install ok installed\n"
                         "Architecture: amd64\n"
                         "Source: openssl (3.0.11-1~deb12u2)\n"
                         "Version: 3.0.11-1~deb12u2+b1\n"
                         "Description: Secure Sockets Layer toolkit\n"
                         " This package is part of the OpenSSL project.\n"),
            (Packages{{"openssl", "3.0.11-1~deb12u2"}}));
}

TEST(DpkgDetectorTest, SourceWithoutVersionTakesTheBinaryVersion) {
  EXPECT_EQ(DetectStatus("Package: libc6\n"
                         "Status: install ok installed\n"
                         "Source: glibc\n"
                         "Version: 2.36-9+deb12u4\n"),
            (Packages{{"glibc", "2.36-9+deb12u4"}}));
}

TEST(DpkgDetectorTest, PackageWithoutSourceIsItsOwnSource) {
  EXPECT_EQ(DetectStatus("Package: bash\n"
                         "Status: install ok installed\n"
                         "Version: 5.2.15-2+b2\n"),
            (Packages{{"bash", "5.2.15-2+b2"}}));
}

TEST(DpkgDetectorTest, EpochIsKept) {
  EXPECT_EQ(DetectStatus("Package: libpam0g\n"
                         "Status: install ok installed\n"
                         "Source: pam\n"
                         "Version: 1:1.5.2-6\n"),
            (Packages{{"pam", "1:1.5.2-6"}}));
}

TEST(DpkgDetectorTest, InvalidSourceVersionFallsBackToVersion) {
  EXPECT_EQ(DetectStatus("Package: foo\n"
                         "Source: foo-src (not a version)\n"
                         "Version: 1.0-1\n"),
            (Packages{{"foo-src", "1.0-1"}}));
}

TEST(DpkgDetectorTest, InvalidVersionSkipsThePackage) {
  EXPECT_EQ(DetectStatus("Package: foo\n"
                         "Version: abc\n"
                         "\n"
                         "Package: bar\n"
                         "Version: 1.0\n"),
            (Packages{{"bar", "1.0"}}));
}

TEST(DpkgDetectorTest, PackagesThatAreNotInstalledAreSkipped) {
  EXPECT_EQ(DetectStatus("Package: removed\n"
                         "Status: deinstall ok config-files\n"
                         "Version: 1.0\n"
                         "\n"
                         "Package: half\n"
                         "Status: install ok half-installed\n"
                         "Version: 1.0\n"
                         "\n"
                         "Package: unpacked\n"
                         "Status: install ok unpacked\n"
                         "Version: 1.0\n"
                         "\n"
                         "Package: purged\n"
                         "Status: purge ok not-installed\n"
                         "Version: 1.0\n"
                         "\n"
                         "Package: empty-status\n"
                         "Status:\n"
                         "Version: 1.0\n"
                         "\n"
                         "Package: held\n"
                         "Status: hold ok installed\n"
                         "Version: 2.0\n"
                         "\n"
                         "Package: installed\n"
                         "Status: install ok installed\n"
                         "Version: 3.0\n"),
            (Packages{{"held", "2.0"}, {"installed", "3.0"}}));
}

// Distroless images have no status file, only one file per package under
// status.d/, without Status fields.
TEST(DpkgDetectorTest, ReadsStatusDirectory) {
  LayerFiles files;
  files.Add("var/lib/dpkg/status.d/base",
            "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n");
  files.Add("var/lib/dpkg/status.d/libc6",
            "Package: libc6\nSource: glibc\nVersion: 2.36-9+deb12u4\n");
  files.Add("var/lib/dpkg/status.d/libssl3",
            "Package: libssl3\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n"
            "Description: SSL\n multi-line\n");
  files.Add("var/lib/dpkg/status.d/libssl3.md5sums",
            "d41d8cd98f00b204e9800998ecf8427e  usr/lib/libssl.so.3\n");
  files.Add("var/lib/dpkg/statusfile-elsewhere", "Package: nope\nVersion: 1.0\n");
  EXPECT_EQ(Detect(files), (Packages{{"base-files", "12.4+deb12u5"},
                                     {"glibc", "2.36-9+deb12u4"},
                                     {"openssl", "3.0.11-1~deb12u2"}}));
}

TEST(DpkgDetectorTest, ReadsStatusAndStatusDirectoryTogether) {
  LayerFiles files;
  files.Add("var/lib/dpkg/status", "Package: bash\nStatus: install ok installed\nVersion: 5.2-1\n");
  files.Add("var/lib/dpkg/status.d/zlib", "Package: zlib1g\nSource: zlib\nVersion: 1:1.2.13\n");
  EXPECT_EQ(Detect(files), (Packages{{"bash", "5.2-1"}, {"zlib", "1:1.2.13"}}));
}

TEST(DpkgDetectorTest, PairsAreDeduplicated) {
  LayerFiles files;
  files.Add(
      "var/lib/dpkg/status",
      "Package: libssl3\nStatus: install ok installed\nSource: openssl\nVersion: 3.0.11-1\n\n"
      "Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1\n\n"
      "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\n"
      "Source: glibc\nVersion: 2.36-9\n\n"
      "Package: libc6\nStatus: install ok installed\nArchitecture: i386\n"
      "Source: glibc\nVersion: 2.36-9\n\n"
      "Package: libssl1.1\nStatus: install ok installed\nSource: openssl\nVersion: 1.1.1w-0\n");
  files.Add("var/lib/dpkg/status.d/openssl", "Package: openssl\nVersion: 3.0.11-1\n");
  EXPECT_EQ(Detect(files),
            (Packages{{"glibc", "2.36-9"}, {"openssl", "1.1.1w-0"}, {"openssl", "3.0.11-1"}}));
}

// The message of the DetectorError a database ends in, or "" when it is read.
std::string Refusal(std::string status) {
  try {
    DetectStatus(std::move(status));
  } catch (const DetectorError& e) {
    return e.what();
  }
  return "";
}

// A record without any version is no dpkg record: the database is refused
// (SPEC §7 bad input), not read in part.
TEST(DpkgDetectorTest, StanzaWithoutVersionRefusesTheDatabase) {
  EXPECT_EQ(Refusal("Package: real\nStatus: install ok installed\nVersion: 1.0\n\n"
                    "Package: virtual-thing\nStatus: install ok installed\n\nVersion: 9.9\n"),
            "the stanza at var/lib/dpkg/status line 5 has no Version");
  // A removed package's stanza is skipped before it is checked.
  EXPECT_EQ(DetectStatus("Package: gone\nStatus: purge ok not-installed\n\n"
                         "Package: real\nVersion: 1.0\n"),
            (Packages{{"real", "1.0"}}));
}

TEST(DpkgDetectorTest, CarriageReturnsAndMissingFinalNewlineAreTolerated) {
  EXPECT_EQ(DetectStatus("Package: a\r\nVersion: 1.0\r\n\r\nPackage: b\r\nVersion: 2.0"),
            (Packages{{"a", "1.0"}, {"b", "2.0"}}));
}

TEST(DpkgDetectorTest, SourceParsedAsClairDid) {
  // The version runs to the line's last ')'; spaces inside are trimmed.
  EXPECT_EQ(DetectStatus("Package: a\nSource: src-a ( 1.0-1 ) trailing\nVersion: 9\n"),
            (Packages{{"src-a", "1.0-1"}}));
  // No " (" right after the name: no version there.
  EXPECT_EQ(DetectStatus("Package: b\nSource: src-b(1.0)\nVersion: 2.0\n"),
            (Packages{{"src-b(1.0)", "2.0"}}));
  EXPECT_EQ(DetectStatus("Package: c\nSource: src-c (1.0\nVersion: 3.0\n"),
            (Packages{{"src-c", "3.0"}}));
  // An empty source name leaves no name for the Version that follows.
  EXPECT_EQ(DetectStatus("Package: d\nSource: \nVersion: 4.0\n"), Packages{});
}

TEST(DpkgDetectorTest, InvalidUtf8InANameOrVersionRefusesTheDatabase) {
  EXPECT_EQ(Refusal("Package: fine\nVersion: 2.0\n\nPackage: caf\xc3\x28\xff\nVersion: 1.0\n"),
            "var/lib/dpkg/status line 4 is not valid UTF-8");
  EXPECT_EQ(Refusal("Package: bad-version\nVersion: 1.0\xe2\x82\n"),
            "var/lib/dpkg/status line 2 is not valid UTF-8");
  // Other fields are free text that no rule reads.
  EXPECT_EQ(DetectStatus("Package: fine\nVersion: 2.0\nDescription: \xfe\xfe\xc0\xaf\n"),
            (Packages{{"fine", "2.0"}}));
}

// Clair v1's Go scanner stopped at the first line over 64 KiB and lost every
// package after it; Herald refuses such a database with a message instead.
TEST(DpkgDetectorTest, LinesOver64KiBRefuseTheDatabase) {
  const std::string huge(1 << 20, 'x');
  EXPECT_EQ(Refusal("Package: first\nStatus: install ok installed\nDepends: " + huge +
                    "\nVersion: 1.0\n"),
            "var/lib/dpkg/status line 3 is longer than 64 KiB");
  EXPECT_EQ(Refusal("Package: second\nSource: src (" + std::string(1 << 20, ')') + "\n"),
            "var/lib/dpkg/status line 2 is longer than 64 KiB");
  // 64 KiB exactly is still a line.
  EXPECT_EQ(
      DetectStatus("Package: ok\nDepends: " + std::string(64 * 1024 - 9, 'y') + "\nVersion: 1.0\n"),
      (Packages{{"ok", "1.0"}}));
}

TEST(DpkgDetectorTest, NoDatabaseIsNullopt) {
  LayerFiles files;
  files.Add("etc/os-release", "ID=debian\n");
  EXPECT_EQ(Detect(files), std::nullopt);
}

TEST(DpkgDetectorTest, EmptyDatabaseIsEmpty) {
  EXPECT_EQ(DetectStatus(""), Packages{});
  LayerFiles files;
  files.Add("var/lib/dpkg/status.d/empty", "");
  EXPECT_EQ(Detect(files), Packages{});
}

}  // namespace
}  // namespace herald::analyzer
