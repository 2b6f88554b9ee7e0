// lsb-release: "DISTRIB_ID:DISTRIB_RELEASE", lowercased, as Clair v1 named
// the OS ("ubuntu:14.04").
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/detectors/namespace/namespace_detector.h"
#include "analyzer/detectors/namespace/release_text.h"

namespace herald::analyzer {
namespace {

constexpr std::string_view kPath = "etc/lsb-release";

std::optional<std::string> Detect(const LayerFiles& files) {
  const std::string* text = files.Find(kPath);
  if (text == nullptr) return std::nullopt;
  std::optional<std::string> id = ReleaseValue(*text, "DISTRIB_ID");
  std::optional<std::string> release = ReleaseValue(*text, "DISTRIB_RELEASE");
  if (!id || !release || !IsNamespacePart(*id) || !IsNamespacePart(*release)) {
    return std::nullopt;
  }
  return *id + ":" + *release;
}

}  // namespace

NamespaceDetector LsbReleaseDetector() {
  return {"lsb-release", {std::string(kPath)}, Detect};
}

}  // namespace herald::analyzer
