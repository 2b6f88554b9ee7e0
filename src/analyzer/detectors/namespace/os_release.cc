// os-release(5): "ID:VERSION_ID", as Clair v1 named the OS.
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/detectors/namespace/namespace_detector.h"
#include "analyzer/detectors/namespace/release_text.h"

namespace herald::analyzer {
namespace {

// etc/ first: systemd gives it precedence over the vendor copy in usr/lib/.
constexpr std::array<std::string_view, 2> kReleaseFiles = {"etc/os-release", "usr/lib/os-release"};

// With any of these present the redhat-release detector names the OS, as in
// Clair v1: the os-release of RHEL and Oracle Linux says "rhel:8.9" or
// "ol:8.8", names that no feed uses (the feeds say "centos:8", "oracle:8").
constexpr std::array<std::string_view, 3> kLeftToRedhatRelease = {
    "etc/oracle-release", "etc/redhat-release", "usr/lib/centos-release"};

std::optional<std::string> FromOsRelease(std::string_view text) {
  std::optional<std::string> id = ReleaseValue(text, "ID");
  std::optional<std::string> version = ReleaseValue(text, "VERSION_ID");
  // Rolling releases (Debian sid, Arch) have no VERSION_ID and no feed.
  if (!id || !version || !IsNamespacePart(*id)) return std::nullopt;
  if (*id == "alpine") return AlpineNamespace(*version);
  if (!IsNamespacePart(*version)) return std::nullopt;
  return *id + ":" + *version;
}

std::optional<std::string> Detect(const LayerFiles& files) {
  for (std::string_view path : kLeftToRedhatRelease) {
    if (files.Has(path)) return std::nullopt;
  }
  // Clair v1 read both files; the vendor copy still counts when the admin's
  // copy names nothing.
  for (std::string_view path : kReleaseFiles) {
    if (const std::string* text = files.Find(path)) {
      if (std::optional<std::string> ns = FromOsRelease(*text)) return ns;
    }
  }
  return std::nullopt;
}

}  // namespace

NamespaceDetector OsReleaseDetector() {
  std::vector<std::string> paths(kReleaseFiles.begin(), kReleaseFiles.end());
  paths.insert(paths.end(), kLeftToRedhatRelease.begin(), kLeftToRedhatRelease.end());
  return {"os-release", std::move(paths), Detect};
}

}  // namespace herald::analyzer
