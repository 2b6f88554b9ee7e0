// apk's database (SPEC §7): lib/apk/db/installed, one stanza of "X:value"
// lines per package (P: name, V: version, o: origin).
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/detectors/feature/package_set.h"
#include "analyzer/detectors/feature/stanzas.h"
#include "version/comparator.h"

namespace herald::analyzer {
namespace {

constexpr std::string_view kInstalledFile = "lib/apk/db/installed";

// The secdb lists fixes under the origin (source) package: libssl3 and
// libcrypto3 are both "openssl". Clair v1 used P: and so matched neither.
// A version apk itself would reject is skipped, as Clair v1 skipped it.
std::optional<DetectedPackage> ReadStanza(std::span<const std::string_view> stanza,
                                          const version::Comparator& apk) {
  std::string_view package;
  std::string_view origin;
  std::string_view version;
  for (const std::string_view line : stanza) {
    if (line.size() < 2 || line[1] != ':') continue;
    const std::string_view value = line.substr(2);
    switch (line[0]) {
      case 'P':
        package = value;
        break;
      case 'o':
        origin = value;
        break;
      case 'V':
        version = value;
        break;
      default:
        break;
    }
  }
  const std::string_view name = origin.empty() ? package : origin;
  if (name.empty() || !apk.valid(version)) return std::nullopt;
  return DetectedPackage{std::string(name), std::string(version)};
}

std::optional<std::vector<DetectedPackage>> Detect(const LayerFiles& files) {
  const std::string* installed = files.Find(kInstalledFile);
  if (installed == nullptr) return std::nullopt;

  const version::Comparator& apk = *version::ForNamespace("alpine");
  std::vector<DetectedPackage> packages;
  ForEachStanza(*installed, [&](std::span<const std::string_view> stanza) {
    if (auto package = ReadStanza(stanza, apk)) packages.push_back(std::move(*package));
  });
  return SortedUnique(std::move(packages));
}

}  // namespace

FeatureDetector ApkDetector() {
  return FeatureDetector{
      .name = "apk", .paths = {std::string(kInstalledFile)}, .prefixes = {}, .detect = Detect};
}

}  // namespace herald::analyzer
