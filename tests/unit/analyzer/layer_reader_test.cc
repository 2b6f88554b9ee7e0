// The archive stage on real tarballs packed by the system's tar and
// compressors, from this machine's own release and package files.
#include "analyzer/archive/layer_reader.h"

#include <gtest/gtest.h>

#include "analyzer/analysis_error.h"
#include "analyzer/fetch/file_source.h"
#include "support/layer_builder.h"

namespace herald::analyzer {
namespace {

using testing::Compression;
using testing::LayerBuilder;
using testing::ReadFile;
using testing::Shell;
using testing::TempDir;

Limits DefaultLimits() {
  return Limits{};
}

LayerFiles Read(const std::string& path, LayerFormat format = LayerFormat::kDocker,
                Limits limits = DefaultLimits(), LayerReadStats* stats = nullptr) {
  Budget budget(limits, nullptr);
  auto source = OpenFile(path, budget);
  return ReadLayerFiles(*source, format, DetectorFiles(), budget, stats);
}

// The error a read ends in, or "" when it succeeds.
std::string ReadError(const std::string& path, Limits limits = DefaultLimits()) {
  try {
    Read(path, LayerFormat::kDocker, limits);
    return "";
  } catch (const AnalysisError& e) {
    EXPECT_EQ(e.kind(), AnalysisError::Kind::kUnprocessable) << e.what();
    return e.what();
  }
}

class LayerReaderCompressionTest : public ::testing::TestWithParam<Compression> {};

TEST_P(LayerReaderCompressionTest, KeepsOnlyTheFilesDetectorsNeed) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("etc/os-release", "/etc/os-release")
      .Copy("var/lib/dpkg/status", "/var/lib/dpkg/status")
      .Copy("usr/bin/env", "/usr/bin/env")
      .File("var/lib/dpkg/status.d/app", "Package: app\nVersion: 1.0\n");
  const LayerFiles files = Read(layer.Pack(dir.File("layer"), GetParam()));
  ASSERT_NE(files.Find("etc/os-release"), nullptr);
  EXPECT_EQ(*files.Find("etc/os-release"), ReadFile("/etc/os-release"));
  ASSERT_NE(files.Find("var/lib/dpkg/status"), nullptr);
  EXPECT_EQ(*files.Find("var/lib/dpkg/status"), ReadFile("/var/lib/dpkg/status"));
  ASSERT_NE(files.Find("var/lib/dpkg/status.d/app"), nullptr);
  EXPECT_FALSE(files.Has("usr/bin/env"));
  EXPECT_EQ(files.size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(AllCompressions, LayerReaderCompressionTest,
                         ::testing::Values(Compression::kNone, Compression::kGzip,
                                           Compression::kBzip2, Compression::kXz,
                                           Compression::kZstd));

TEST(LayerReaderTest, ConcatenatedGzipMembersAreOneStream) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("etc/os-release", "/etc/os-release");
  const std::string tar = layer.Pack(dir.File("layer.tar"), Compression::kNone);
  // Split the tar in two and gzip each half: one valid stream of two members.
  Shell("cd " + dir.path() + " && head -c 5000 layer.tar | gzip > a.gz && tail -c +5001 " +
        "layer.tar | gzip > b.gz && cat a.gz b.gz > layer.tar.gz");
  EXPECT_EQ(*Read(dir.File("layer.tar.gz")).Find("etc/os-release"), ReadFile("/etc/os-release"));
}

TEST(LayerReaderTest, WhiteoutsAreIgnored) {
  TempDir dir;
  LayerBuilder layer;
  layer.File("var/lib/dpkg/.wh.status", "").File("etc/.wh..wh..opq", "");
  const LayerFiles files = Read(layer.Pack(dir.File("layer")));
  EXPECT_TRUE(files.empty());
}

TEST(LayerReaderTest, AciLayersKeepTheirFilesUnderRootfs) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("etc/os-release", "/etc/os-release").File("manifest", "{}");
  const std::string aci = layer.Pack(dir.File("layer.aci"), Compression::kGzip, "rootfs");
  EXPECT_TRUE(Read(aci, LayerFormat::kAci).Has("etc/os-release"));
  // The same archive read as Docker has nothing at the paths detectors read.
  EXPECT_FALSE(Read(aci, LayerFormat::kDocker).Has("etc/os-release"));
}

TEST(LayerReaderTest, SymlinkToAKeptFileGetsItsContents) {
  TempDir dir;
  LayerBuilder layer;
  // Debian's own layout: /etc/os-release → ../usr/lib/os-release.
  layer.Copy("usr/lib/os-release", "/etc/os-release")
      .Symlink("etc/os-release", "../usr/lib/os-release");
  const LayerFiles files = Read(layer.Pack(dir.File("layer")));
  ASSERT_TRUE(files.Has("etc/os-release"));
  EXPECT_EQ(*files.Find("etc/os-release"), ReadFile("/etc/os-release"));
}

TEST(LayerReaderTest, SymlinkLoopEndsWithoutAFile) {
  TempDir dir;
  LayerBuilder layer;
  layer.Symlink("etc/os-release", "../usr/lib/os-release")
      .Symlink("usr/lib/os-release", "/etc/os-release");
  const LayerFiles files = Read(layer.Pack(dir.File("layer")));
  EXPECT_TRUE(files.empty());
}

TEST(LayerReaderTest, EntriesClimbingOutOfTheLayerAreIgnored) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("a/etc/os-release", "/etc/os-release");
  // -P keeps the "../" that tar would otherwise strip.
  Shell("cd " + layer.root() + "/a && tar -P -cf " + dir.File("layer") +
        " ../a/etc/os-release ../../" + dir.path().substr(1) + " 2>/dev/null || true");
  const LayerFiles files = Read(dir.File("layer"));
  EXPECT_TRUE(files.empty());
  EXPECT_EQ(LayerPath("../etc/os-release", LayerFormat::kDocker), "");
  EXPECT_EQ(LayerPath("etc/../../etc/os-release", LayerFormat::kDocker), "");
  EXPECT_EQ(LayerPath("./etc//os-release", LayerFormat::kDocker), "etc/os-release");
  EXPECT_EQ(LayerPath("/etc/os-release", LayerFormat::kDocker), "etc/os-release");
}

TEST(LayerReaderTest, AWantedFileOverMaxFileSizeIs422NamingTheLimit) {
  TempDir dir;
  LayerBuilder layer;
  layer.File("var/lib/dpkg/status", std::string(4096, 'x'));
  Limits limits;
  limits.max_file_size = 1024;
  EXPECT_NE(ReadError(layer.Pack(dir.File("layer")), limits).find("analyzer.maxFileSize (1KiB)"),
            std::string::npos);
}

TEST(LayerReaderTest, SparseTenGigabyteStatusIsRefusedWithoutReadingIt) {
  TempDir dir;
  LayerBuilder layer;
  layer.File("var/lib/dpkg/status", "");
  Shell("truncate -s 10G " + layer.root() + "/var/lib/dpkg/status");
  Shell("tar -C " + layer.root() + " -S -cf - . | gzip > " + dir.File("bomb.tar.gz"));
  EXPECT_NE(ReadError(dir.File("bomb.tar.gz"))
                .find("var/lib/dpkg/status is larger than "
                      "analyzer.maxFileSize (200MiB)"),
            std::string::npos);
}

TEST(LayerReaderTest, GzipBombIsCutByTheCapOnInflatedBytes) {
  TempDir dir;
  Limits limits;
  limits.max_layer_size = 64LL << 20;  // inflating past 1 GiB is refused
  EXPECT_EQ(ReadError(testing::WriteGzipBomb(dir.File("bomb.gz")), limits),
            "the layer decompresses to more than 16 times analyzer.maxLayerSize (64MiB)");
}

TEST(LayerReaderTest, GzipBombOfAnUnwantedFileIsCutByTheTimeout) {
  TempDir dir;
  Limits limits;  // the default maxLayerSize lets 64 GiB inflate
  limits.timeout = std::chrono::milliseconds(500);
  EXPECT_NE(ReadError(testing::WriteGzipBomb(dir.File("bomb.gz")), limits)
                .find("analyzer.timeout (500ms)"),
            std::string::npos);
}

TEST(LayerReaderTest, TruncatedGzipIs422) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("var/lib/dpkg/status", "/var/lib/dpkg/status").Copy("usr/bin/env", "/usr/bin/env");
  const std::string gz = layer.Pack(dir.File("layer.tar.gz"));
  Shell("truncate -s $(( $(stat -c %s " + gz + ") / 2 )) " + gz);
  EXPECT_NE(ReadError(gz).find("could not extract"), std::string::npos);
}

TEST(LayerReaderTest, CorruptTarHeaderIs422) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("var/lib/dpkg/status", "/var/lib/dpkg/status");
  const std::string tar = layer.Pack(dir.File("layer.tar"), Compression::kNone);
  // The second entry's header checksum (the first entry is "./").
  Shell("printf 'XXXXXXXX' | dd of=" + tar + " bs=1 seek=$((512 + 148)) conv=notrunc 2>/dev/null");
  EXPECT_NE(ReadError(tar).find("could not extract"), std::string::npos);
}

TEST(LayerReaderTest, SomethingThatIsNotAnArchiveIs422) {
  TempDir dir;
  testing::WriteFile(dir.File("random"), std::string(100000, '\x7f'));
  EXPECT_NE(ReadError(dir.File("random")).find("could not extract"), std::string::npos);
  testing::WriteFile(dir.File("empty"), "");
  EXPECT_NE(ReadError(dir.File("empty")).find("could not extract"), std::string::npos);
}

TEST(LayerReaderTest, MoreThanMaxLayerSizeIs422NamingTheLimit) {
  TempDir dir;
  LayerBuilder layer;
  layer.Copy("usr/bin/env", "/usr/bin/env");
  Limits limits;
  limits.max_layer_size = 4096;
  EXPECT_NE(ReadError(layer.Pack(dir.File("layer"), Compression::kNone), limits)
                .find("analyzer.maxLayerSize (4KiB)"),
            std::string::npos);
}

TEST(LayerReaderTest, HundredThousandTinyEntries) {
  TempDir dir;
  testing::WriteManyEntriesLayer(dir.File("many.tar.gz"), 100000);
  LayerReadStats stats;
  const LayerFiles files =
      Read(dir.File("many.tar.gz"), LayerFormat::kDocker, DefaultLimits(), &stats);
  EXPECT_EQ(stats.entries, 100001);
  EXPECT_TRUE(files.Has("etc/os-release"));
}

}  // namespace
}  // namespace herald::analyzer
