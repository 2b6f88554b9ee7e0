// The rpm detector against real databases that rpm itself writes at test
// time (rpm, rpmbuild), and a Berkeley DB made from the same headers with
// db5.3_load (db5.3-util), as librpm's read-only bdb backend reads the
// Packages files of older images.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/layer_files.h"
#include "store/sqlite/connection.h"
#include "support/process.h"

namespace herald::analyzer {
namespace {

using Packages = std::vector<DetectedPackage>;

struct Spec {
  std::string name;
  std::string epoch;  // empty: no Epoch tag
  std::string version;
  std::string release;
};

// gpg-pubkey stands in for the pseudo-packages `rpm --import` creates.
const std::vector<Spec>& Specs() {
  static const std::vector<Spec> specs = {
      {"herald-alpha", "", "1.2.3", "4"},
      {"herald-beta", "2", "0.9", "1.el9"},
      {"herald-zero", "0", "3.1", "7"},
      {"gpg-pubkey", "", "3228467c", "613798eb"},
  };
  return specs;
}

const Packages kWant = {
    {"herald-alpha", "1.2.3-4"},
    {"herald-beta", "2:0.9-1.el9"},
    {"herald-zero", "0:3.1-7"},
};

void Run(const std::vector<std::string>& argv) {
  const testing::CommandResult result = testing::RunCommand(argv);
  if (result.exit_code != 0) {
    std::string command;
    for (const std::string& a : argv) command += a + " ";
    throw std::runtime_error(command + "exited " + std::to_string(result.exit_code) + ": " +
                             result.output);
  }
}

std::string RandomBytes(std::size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (char& c : out) c = static_cast<char>(gen() & 0xFF);
  return out;
}

// `rpmdb --exportdb` writes each header with its 8-byte magic; the
// databases store it without: index count and data size (big-endian), the
// index entries (16 bytes each), then the data.
std::vector<std::string> SplitHeaderStream(std::string_view stream) {
  constexpr std::string_view kMagic("\x8e\xad\xe8\x01\0\0\0\0", 8);
  const auto be32 = [](std::string_view s) {
    return (std::uint32_t{static_cast<unsigned char>(s[0])} << 24) |
           (std::uint32_t{static_cast<unsigned char>(s[1])} << 16) |
           (std::uint32_t{static_cast<unsigned char>(s[2])} << 8) |
           std::uint32_t{static_cast<unsigned char>(s[3])};
  };
  std::vector<std::string> blobs;
  while (!stream.empty()) {
    if (stream.size() < 16 || stream.substr(0, 8) != kMagic) {
      throw std::runtime_error("unexpected rpmdb --exportdb output");
    }
    const std::size_t size = 8 + 16 * std::size_t{be32(stream.substr(8))} + be32(stream.substr(12));
    if (stream.size() < 8 + size) throw std::runtime_error("truncated rpmdb --exportdb output");
    blobs.emplace_back(stream.substr(8, size));
    stream.remove_prefix(8 + size);
  }
  return blobs;
}

// db_load's text input: key and value lines alternate, every byte written
// as a backslash and two hex digits.
std::string DbLoadText(const std::vector<std::string>& blobs) {
  const auto escape = [](std::string_view bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    for (const char c : bytes) {
      const auto u = static_cast<unsigned char>(c);
      out += '\\';
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    }
    return out + "\n";
  };
  std::string text;
  for (std::uint32_t i = 0; i < blobs.size(); ++i) {
    // rpm keys the Packages hash by header number in host byte order.
    const std::uint32_t hnum = i + 1;
    char key[sizeof hnum];
    std::memcpy(key, &hnum, sizeof hnum);
    text += escape(std::string_view(key, sizeof key)) + escape(blobs[i]);
  }
  return text;
}

// Database files built once for the suite: rpmbuild takes about a second
// per package.
struct Databases {
  testing::TempDir dir;
  std::string sqlite;      // rpmdb.sqlite
  std::string sqlite_wal;  // empty when rpm left none
  std::string sqlite_shm;
  std::string berkeley;  // Packages
  // A copy whose last change, the removal of herald-zero, is still in the
  // write-ahead log.
  std::string wal_main;
  std::string wal_wal;
  std::string wal_shm;
  // A copy in which one header's bytes no longer match its digest.
  std::string damaged;

  Databases() {
    const std::string top = dir.File("top");
    std::vector<std::string> install = {"rpm",           "-i",         "--justdb",
                                        "--nodeps",      "--ignoreos", "--ignorearch",
                                        "--nosignature", "--dbpath",   dir.File("db")};
    for (const Spec& spec : Specs()) {
      const std::string file = dir.File(spec.name + ".spec");
      testing::WriteFile(file, "Name: " + spec.name + "\n" +
                                   (spec.epoch.empty() ? "" : "Epoch: " + spec.epoch + "\n") +
                                   "Version: " + spec.version + "\nRelease: " + spec.release +
                                   "\nSummary: test package\nLicense: MIT\nBuildArch: noarch\n"
                                   "%description\ntest package\n%files\n");
      Run({"rpmbuild", "-bb", "--nodeps", "--quiet", "--define", "_topdir " + top, "--define",
           "_dbpath " + dir.File("build-db"), file});
      install.push_back(top + "/RPMS/noarch/" + spec.name + "-" + spec.version + "-" +
                        spec.release + ".noarch.rpm");
    }
    Run({"rpm", "--initdb", "--dbpath", dir.File("db")});
    Run(install);
    sqlite = testing::ReadFile(dir.File("db/rpmdb.sqlite"));
    if (std::filesystem::exists(dir.File("db/rpmdb.sqlite-wal"))) {
      sqlite_wal = testing::ReadFile(dir.File("db/rpmdb.sqlite-wal"));
    }
    if (std::filesystem::exists(dir.File("db/rpmdb.sqlite-shm"))) {
      sqlite_shm = testing::ReadFile(dir.File("db/rpmdb.sqlite-shm"));
    }

    Run({"sh", "-c", "rpmdb --exportdb --dbpath \"$0\" > \"$1\"", dir.File("db"),
         dir.File("headers")});
    testing::WriteFile(dir.File("load.txt"),
                       DbLoadText(SplitHeaderStream(testing::ReadFile(dir.File("headers")))));
    std::filesystem::create_directory(dir.File("bdb"));
    Run({"db5.3_load", "-T", "-t", "hash", "-f", dir.File("load.txt"), dir.File("bdb/Packages")});
    berkeley = testing::ReadFile(dir.File("bdb/Packages"));

    std::filesystem::create_directory(dir.File("wal"));
    std::filesystem::copy_file(dir.File("db/rpmdb.sqlite"), dir.File("wal/rpmdb.sqlite"));
    {
      // Copied while the connection is open, before it checkpoints on close.
      store::sqlite::Connection conn(dir.File("wal/rpmdb.sqlite"), store::OpenMode::kCreate);
      conn.Exec(
          "PRAGMA foreign_keys=OFF; DELETE FROM Packages WHERE hnum IN "
          "(SELECT hnum FROM Name WHERE key = 'herald-zero');");
      wal_main = testing::ReadFile(dir.File("wal/rpmdb.sqlite"));
      wal_wal = testing::ReadFile(dir.File("wal/rpmdb.sqlite-wal"));
      wal_shm = testing::ReadFile(dir.File("wal/rpmdb.sqlite-shm"));
    }

    std::filesystem::create_directory(dir.File("damaged"));
    std::filesystem::copy_file(dir.File("db/rpmdb.sqlite"), dir.File("damaged/rpmdb.sqlite"));
    {
      store::sqlite::Connection conn(dir.File("damaged/rpmdb.sqlite"), store::OpenMode::kCreate);
      conn.Exec(
          "UPDATE Packages SET blob = CAST(substr(blob, 1, length(blob) - 40) || X'41414141' || "
          "substr(blob, length(blob) - 35) AS BLOB) WHERE hnum = 1;");
    }
    damaged = testing::ReadFile(dir.File("damaged/rpmdb.sqlite"));
  }
};

class RpmDetectorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      databases_ = new Databases();
    } catch (const std::exception& e) {
      setup_error_ = e.what();
    }
  }
  static void TearDownTestSuite() {
    delete databases_;
    databases_ = nullptr;
  }

  // Each test gets its own TMPDIR, to check the detector leaves nothing in it.
  void SetUp() override {
    ASSERT_NE(databases_, nullptr) << "building the test databases failed (the tests need the rpm, "
                                      "rpmbuild and db5.3_load tools): "
                                   << setup_error_;
    tmp_ = std::make_unique<testing::TempDir>();
    if (const char* old = std::getenv("TMPDIR")) old_tmpdir_ = old;
    setenv("TMPDIR", tmp_->path().c_str(), 1);
  }
  void TearDown() override {
    if (tmp_ == nullptr) return;
    if (old_tmpdir_) {
      setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
    EXPECT_TRUE(std::filesystem::is_empty(tmp_->path())) << "a temporary directory was left";
  }

  static const Databases& db() { return *databases_; }

  static LayerFiles SqliteLayer(const std::string& directory, bool with_wal_and_shm = true) {
    LayerFiles files;
    files.Add(directory + "rpmdb.sqlite", db().sqlite);
    if (with_wal_and_shm && !db().sqlite_wal.empty()) {
      files.Add(directory + "rpmdb.sqlite-wal", db().sqlite_wal);
    }
    if (with_wal_and_shm && !db().sqlite_shm.empty()) {
      files.Add(directory + "rpmdb.sqlite-shm", db().sqlite_shm);
    }
    return files;
  }

  static std::optional<Packages> Detect(const LayerFiles& files) {
    return RpmDetector().detect(files);
  }

  // The message of the DetectorError that `files` make the detector throw.
  static std::string ErrorFor(const LayerFiles& files) {
    try {
      Detect(files);
    } catch (const DetectorError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no DetectorError";
    return "";
  }

 private:
  static inline Databases* databases_ = nullptr;
  static inline std::string setup_error_;
  std::unique_ptr<testing::TempDir> tmp_;
  std::optional<std::string> old_tmpdir_;
};

TEST_F(RpmDetectorTest, DeclaresTheFilesItReads) {
  const FeatureDetector detector = RpmDetector();
  EXPECT_EQ(detector.name, "rpm");
  for (const std::string directory : {"var/lib/rpm/", "usr/lib/sysimage/rpm/"}) {
    for (const std::string file :
         {"Packages", "Packages.db", "rpmdb.sqlite", "rpmdb.sqlite-wal", "rpmdb.sqlite-shm"}) {
      EXPECT_NE(std::find(detector.paths.begin(), detector.paths.end(), directory + file),
                detector.paths.end())
          << directory + file;
    }
  }
  EXPECT_EQ(detector.paths.size(), 10u);
  EXPECT_TRUE(detector.prefixes.empty());
}

// An Epoch tag shows even when 0 (Clair v1 did the same); gpg-pubkey is
// left out.
TEST_F(RpmDetectorTest, ReadsSqliteDatabase) {
  EXPECT_EQ(Detect(SqliteLayer("var/lib/rpm/")), kWant);
}

TEST_F(RpmDetectorTest, ReadsSqliteDatabaseWithoutWalAndShm) {
  EXPECT_EQ(Detect(SqliteLayer("var/lib/rpm/", false)), kWant);
}

TEST_F(RpmDetectorTest, ReadsChangesStillInTheWriteAheadLog) {
  ASSERT_FALSE(db().wal_wal.empty());
  LayerFiles files;
  files.Add("var/lib/rpm/rpmdb.sqlite", db().wal_main);
  files.Add("var/lib/rpm/rpmdb.sqlite-wal", db().wal_wal);
  files.Add("var/lib/rpm/rpmdb.sqlite-shm", db().wal_shm);
  EXPECT_EQ(Detect(files), (Packages{kWant[0], kWant[1]}));

  LayerFiles without_log;
  without_log.Add("var/lib/rpm/rpmdb.sqlite", db().wal_main);
  EXPECT_EQ(Detect(without_log), kWant);
}

TEST_F(RpmDetectorTest, ReadsSysimageLocation) {
  EXPECT_EQ(Detect(SqliteLayer("usr/lib/sysimage/rpm/")), kWant);
}

TEST_F(RpmDetectorTest, ReadsBerkeleyDbPackages) {
  LayerFiles files;
  files.Add("var/lib/rpm/Packages", db().berkeley);
  EXPECT_EQ(Detect(files), kWant);
}

TEST_F(RpmDetectorTest, SqliteWinsOverALeftoverBerkeleyDb) {
  LayerFiles files = SqliteLayer("var/lib/rpm/");
  files.Add("var/lib/rpm/Packages", RandomBytes(8192, 1));
  EXPECT_EQ(Detect(files), kWant);
}

TEST_F(RpmDetectorTest, CorruptSqliteIsAnError) {
  LayerFiles files;
  files.Add("var/lib/rpm/rpmdb.sqlite", RandomBytes(64 * 1024, 2));
  EXPECT_TRUE(
      ErrorFor(files).starts_with("rpm database var/lib/rpm/rpmdb.sqlite could not be read: "))
      << ErrorFor(files);
}

// Refused before librpm sees it (librpm leaks on files it cannot open):
// cut inside a page, and cut at a page boundary short of the header's count.
TEST_F(RpmDetectorTest, TruncatedSqliteIsAnError) {
  for (const std::size_t size : {db().sqlite.size() / 2 + 100, std::size_t{4096}}) {
    LayerFiles files;
    files.Add("var/lib/rpm/rpmdb.sqlite", db().sqlite.substr(0, size));
    const std::string error = ErrorFor(files);
    EXPECT_EQ(error.find("rpm database var/lib/rpm/rpmdb.sqlite could not be read: truncated "
                         "SQLite database"),
              0u)
        << error;
  }
}

// librpm skips a header whose digest does not match and goes on; a list
// without it could hide a vulnerable package.
TEST_F(RpmDetectorTest, DamagedHeaderIsAnError) {
  LayerFiles files;
  files.Add("var/lib/rpm/rpmdb.sqlite", db().damaged);
  const std::string error = ErrorFor(files);
  EXPECT_TRUE(error.starts_with("rpm database var/lib/rpm/rpmdb.sqlite could not be read: "))
      << error;
  EXPECT_NE(error.find("digest: BAD"), std::string::npos) << error;
  EXPECT_EQ(error.find('\n'), std::string::npos) << error;
}

TEST_F(RpmDetectorTest, CorruptBerkeleyDbIsAnError) {
  LayerFiles files;
  files.Add("usr/lib/sysimage/rpm/Packages", RandomBytes(16 * 1024, 3));
  EXPECT_TRUE(
      ErrorFor(files).starts_with("rpm database usr/lib/sysimage/rpm/Packages could not be read: "))
      << ErrorFor(files);
}

// Debian's librpm has no ndb backend: rather than the empty list librpm's
// stand-in database would give, the layer's database is reported unreadable.
TEST_F(RpmDetectorTest, NdbIsAnErrorWhenUnreadable) {
  LayerFiles files;
  files.Add("var/lib/rpm/Packages.db", RandomBytes(16 * 1024, 4));
  EXPECT_TRUE(
      ErrorFor(files).starts_with("rpm database var/lib/rpm/Packages.db could not be read: "))
      << ErrorFor(files);
}

TEST_F(RpmDetectorTest, EmptyFileIsAnError) {
  LayerFiles files;
  files.Add("var/lib/rpm/rpmdb.sqlite", "");
  EXPECT_TRUE(
      ErrorFor(files).starts_with("rpm database var/lib/rpm/rpmdb.sqlite could not be read: "))
      << ErrorFor(files);
}

TEST_F(RpmDetectorTest, NoDatabaseIsNullopt) {
  LayerFiles files;
  files.Add("etc/redhat-release", "CentOS Linux release 7.9.2009 (Core)\n");
  // A write-ahead log alone is not a database.
  files.Add("var/lib/rpm/rpmdb.sqlite-wal", "");
  EXPECT_EQ(Detect(files), std::nullopt);
}

// librpm's state is process-wide; the detector serialises its calls.
TEST_F(RpmDetectorTest, ConcurrentCallsAgree) {
  const LayerFiles sqlite = SqliteLayer("var/lib/rpm/");
  LayerFiles berkeley;
  berkeley.Add("var/lib/rpm/Packages", db().berkeley);
  LayerFiles corrupt;
  corrupt.Add("var/lib/rpm/rpmdb.sqlite", RandomBytes(4096, 5));
  std::vector<std::thread> threads;
  std::vector<int> good(6, 0);
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (t % 3 == 2) {
          try {
            Detect(corrupt);
          } catch (const DetectorError&) {
            ++good[t];
          }
        } else if (Detect(t % 3 == 0 ? sqlite : berkeley) == kWant) {
          ++good[t];
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(good, std::vector<int>(6, 5));
}

}  // namespace
}  // namespace herald::analyzer
