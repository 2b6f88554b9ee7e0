// rpm's database (SPEC §7) in any of its formats, read with librpm through
// rpm_database.h.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/detectors/feature/package_set.h"
#include "analyzer/detectors/feature/rpm_database.h"
#include "version/comparator.h"

namespace herald::analyzer {
namespace {

// Fedora 36+ and openSUSE keep the database in usr/lib/sysimage/rpm, with
// var/lib/rpm a symlink that a layer holds as a link, not as files.
constexpr std::array<std::string_view, 2> kDirectories = {"var/lib/rpm/", "usr/lib/sysimage/rpm/"};

// Each format's files, its main file first. A directory holding several
// (a conversion's leftovers) is read in the newest format: sqlite is the
// default since rpm 4.16, ndb was openSUSE's, Berkeley DB came before both.
const std::vector<std::vector<std::string_view>>& Formats() {
  static const std::vector<std::vector<std::string_view>> formats = {
      {"rpmdb.sqlite", "rpmdb.sqlite-wal", "rpmdb.sqlite-shm"},
      {"Packages.db"},
      {"Packages"},
  };
  return formats;
}

std::string Join(std::string_view directory, std::string_view file) {
  return std::string(directory) + std::string(file);
}

std::vector<std::string> Paths() {
  std::vector<std::string> paths;
  for (const std::string_view directory : kDirectories) {
    for (const auto& format : Formats()) {
      for (const std::string_view file : format) paths.push_back(Join(directory, file));
    }
  }
  return paths;
}

// Clair v1 printed `%{EPOCH}:%{VERSION}-%{RELEASE}` and removed "(none):",
// so an epoch that is present shows even when it is 0. The feeds' fixed
// versions are compared with the same rule, so "0:1.0-1" and "1.0-1" order
// equal either way.
std::string Evr(const RpmHeader& h) {
  std::string evr = h.epoch ? std::to_string(*h.epoch) + ":" : std::string();
  return evr + h.version + "-" + h.release;
}

std::vector<DetectedPackage> Read(const std::string& path,
                                  const std::vector<RpmDatabaseFile>& files) {
  std::vector<RpmHeader> headers;
  try {
    headers = ReadRpmDatabase(files);
  } catch (const RpmDatabaseError& e) {
    throw DetectorError("rpm database " + path + " could not be read: " + e.what());
  }
  const version::Comparator& rpm = *version::ForNamespace("centos");
  std::vector<DetectedPackage> packages;
  for (const RpmHeader& h : headers) {
    // The keys rpm imported are stored as packages named gpg-pubkey.
    if (h.name.empty() || h.name == "gpg-pubkey") continue;
    std::string evr = Evr(h);
    // As in Clair v1, a version the comparator cannot order is skipped.
    if (!rpm.valid(evr)) continue;
    packages.push_back({h.name, std::move(evr)});
  }
  return SortedUnique(std::move(packages));
}

std::optional<std::vector<DetectedPackage>> Detect(const LayerFiles& layer) {
  for (const std::string_view directory : kDirectories) {
    for (const auto& format : Formats()) {
      const std::string main = Join(directory, format.front());
      if (!layer.Has(main)) continue;
      std::vector<RpmDatabaseFile> files;
      for (const std::string_view file : format) {
        if (const std::string* contents = layer.Find(Join(directory, file))) {
          files.push_back({.name = file, .contents = *contents});
        }
      }
      return Read(main, files);
    }
  }
  return std::nullopt;
}

}  // namespace

FeatureDetector RpmDetector() {
  return FeatureDetector{.name = "rpm", .paths = Paths(), .prefixes = {}, .detect = Detect};
}

}  // namespace herald::analyzer
