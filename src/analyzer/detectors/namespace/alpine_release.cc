// alpine-release ("3.18.4"): "alpine:vMAJOR.MINOR", the secdb's name (SPEC
// §7; Clair v1 made "alpine:3.18.4", which no feed names).
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/detectors/namespace/namespace_detector.h"
#include "analyzer/detectors/namespace/release_text.h"

namespace herald::analyzer {
namespace {

constexpr std::string_view kPath = "etc/alpine-release";

std::optional<std::string> Detect(const LayerFiles& files) {
  const std::string* text = files.Find(kPath);
  if (text == nullptr) return std::nullopt;
  return AlpineNamespace(FirstLine(*text));
}

}  // namespace

NamespaceDetector AlpineReleaseDetector() {
  return {"alpine-release", {std::string(kPath)}, Detect};
}

}  // namespace herald::analyzer
