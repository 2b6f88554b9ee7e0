#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/layer_files.h"

namespace herald::analyzer {
namespace {

using Packages = std::vector<DetectedPackage>;

std::optional<Packages> DetectInstalled(std::string installed) {
  LayerFiles files;
  files.Add("lib/apk/db/installed", std::move(installed));
  return ApkDetector().detect(files);
}

// Written by hand in the format apk-tools documents for lib/apk/db/installed
// (one "X:value" line per field, a blank line after each package), with the
// fields and packages of an alpine:3.19 image; checksums are made up.
constexpr char kInstalled[] =
    "C:Q1rHWuG/Y5vZrsbG0NNfMCHhqxO6g=\n"
    "P:musl\n"
    "V:1.2.4_git20230717-r4\n"
    "A:x86_64\n"
    "S:407278\n"
    "I:663552\n"
    "T:the musl c library (libc) implementation\n"
    "U:https://musl.libc.org/\n"
    "L:MIT\n"
    "m:Timo Ter\xc3\xa4s <timo.teras@iki.fi>\n"
    "t:1701878917\n"
    "c:a4e9e24c49ad1c5b5a1d1ba1f7a0f9e4d5e5f0c8\n"
    "p:so:libc.musl-x86_64.so.1=1\n"
    "F:lib\n"
    "R:ld-musl-x86_64.so.1\n"
    "a:0:0:755\n"
    "Z:Q1xxxxxxxxxxxxxxxxxxxxxxxxxxx=\n"
    "R:libc.musl-x86_64.so.1\n"
    "a:0:0:777\n"
    "Z:Q1yyyyyyyyyyyyyyyyyyyyyyyyyyy=\n"
    "\n"
    "C:Q1m4FhD+dmLuYhVs2MyhxWw9gqBbk=\n"
    "P:libcrypto3\n"
    "V:3.1.4-r5\n"
    "A:x86_64\n"
    "S:1772237\n"
    "I:4489216\n"
    "T:Crypto library from openssl\n"
    "U:https://www.openssl.org/\n"
    "L:Apache-2.0\n"
    "o:openssl\n"
    "m:Ariadne Conill <ariadne@dereferenced.org>\n"
    "t:1707311296\n"
    "c:0d3a4ab1e9f1c5b7e2d8f6a0b3c9d1e4f5a6b7c8\n"
    "D:so:libc.musl-x86_64.so.1\n"
    "p:so:libcrypto.so.3=3\n"
    "F:lib\n"
    "R:libcrypto.so.3\n"
    "a:0:0:755\n"
    "Z:Q1zzzzzzzzzzzzzzzzzzzzzzzzzzz=\n"
    "\n"
    "C:Q1WcDBYV4XRsH1Yz3eqdjlRDcGv2A=\n"
    "P:libssl3\n"
    "V:3.1.4-r5\n"
    "A:x86_64\n"
    "S:338931\n"
    "I:684032\n"
    "T:SSL shared libraries\n"
    "U:https://www.openssl.org/\n"
    "L:Apache-2.0\n"
    "o:openssl\n"
    "m:Ariadne Conill <ariadne@dereferenced.org>\n"
    "t:1707311296\n"
    "c:0d3a4ab1e9f1c5b7e2d8f6a0b3c9d1e4f5a6b7c8\n"
    "D:so:libc.musl-x86_64.so.1 so:libcrypto.so.3\n"
    "p:so:libssl.so.3=3\n"
    "\n"
    "C:Q1ILGh5FsGUsFUXbpjyZfQFyP2bOQ=\n"
    "P:busybox\n"
    "V:1.36.1-r15\n"
    "A:x86_64\n"
    "o:busybox\n"
    "\n"
    "C:Q1Tz1JVnBsBALUm+RYaTrXEbNHY8w=\n"
    "P:busybox-binsh\n"
    "V:1.36.1-r15\n"
    "A:x86_64\n"
    "o:busybox\n"
    "\n"
    "C:Q1Xn3ENuqC/cmtCJsxw2wSSwxeWVk=\n"
    "P:ca-certificates-bundle\n"
    "V:20230506-r0\n"
    "A:x86_64\n"
    "o:ca-certificates\n"
    "\n"
    "C:Q1Wq5+c5bZqN1c2nF0kGg1Yx0yXy8=\n"
    "P:alpine-baselayout-data\n"
    "V:3.4.3-r2\n"
    "A:x86_64\n"
    "o:alpine-baselayout\n"
    "\n";

TEST(ApkDetectorTest, DeclaresTheFileItReads) {
  const FeatureDetector detector = ApkDetector();
  EXPECT_EQ(detector.name, "apk");
  EXPECT_EQ(detector.paths, std::vector<std::string>{"lib/apk/db/installed"});
  EXPECT_TRUE(detector.prefixes.empty());
}

// The secdb keys fixes by origin: libssl3 and libcrypto3 are "openssl",
// busybox-binsh is "busybox"; musl has no o: line and keeps its P: name.
TEST(ApkDetectorTest, NamesPackagesByOrigin) {
  EXPECT_EQ(DetectInstalled(kInstalled), (Packages{
                                             {"alpine-baselayout", "3.4.3-r2"},
                                             {"busybox", "1.36.1-r15"},
                                             {"ca-certificates", "20230506-r0"},
                                             {"musl", "1.2.4_git20230717-r4"},
                                             {"openssl", "3.1.4-r5"},
                                         }));
}

TEST(ApkDetectorTest, OriginMayComeBeforeThePackageName) {
  EXPECT_EQ(DetectInstalled("o:openssl\nV:3.1.4-r5\nP:libssl3\n"),
            (Packages{{"openssl", "3.1.4-r5"}}));
}

TEST(ApkDetectorTest, StanzasWithoutNameOrValidVersionAreSkipped) {
  EXPECT_EQ(DetectInstalled("P:no-version\nA:x86_64\n"
                            "\n"
                            "V:1.0-r0\nA:x86_64\n"
                            "\n"
                            "P:bad-version\nV:not.a.version\n"
                            "\n"
                            "P:empty-version\nV:\n"
                            "\n"
                            "P:good\nV:2.0-r1"),
            (Packages{{"good", "2.0-r1"}}));
}

// Fields of one package never leak into the next.
TEST(ApkDetectorTest, OriginDoesNotCarryOver) {
  EXPECT_EQ(DetectInstalled("P:libssl3\nV:3.1.4-r5\no:openssl\n\nP:zlib\nV:1.3.1-r0\n"),
            (Packages{{"openssl", "3.1.4-r5"}, {"zlib", "1.3.1-r0"}}));
}

TEST(ApkDetectorTest, OddInputNeitherCrashesNorHidesOtherPackages) {
  const std::string huge(1 << 20, 'x');
  EXPECT_EQ(DetectInstalled("P:caf\xc3\x28\xff\nV:1.0-r0\nT:" + huge + "\n\n" + "P\n:\n\n" +
                            "P:ok\r\nV:1.0-r0\r\n"),
            (Packages{{"caf\xc3\x28\xff", "1.0-r0"}, {"ok", "1.0-r0"}}));
}

TEST(ApkDetectorTest, NoDatabaseIsNullopt) {
  LayerFiles files;
  files.Add("etc/alpine-release", "3.19.1\n");
  EXPECT_EQ(ApkDetector().detect(files), std::nullopt);
}

TEST(ApkDetectorTest, EmptyDatabaseIsEmpty) {
  EXPECT_EQ(DetectInstalled(""), Packages{});
}

}  // namespace
}  // namespace herald::analyzer
