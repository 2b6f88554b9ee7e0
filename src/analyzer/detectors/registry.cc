// The built-in detectors, listed once. A new detector is one file with its
// factory and one line here.
#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/detectors/namespace/namespace_detector.h"

namespace herald::analyzer {

const std::vector<NamespaceDetector>& NamespaceDetectors() {
  static const std::vector<NamespaceDetector> detectors = {
      OsReleaseDetector(), LsbReleaseDetector(), RedhatReleaseDetector(), AlpineReleaseDetector(),
      AptSourcesDetector()};
  return detectors;
}

std::optional<std::string> DetectNamespace(const LayerFiles& files) {
  for (const auto& detector : NamespaceDetectors()) {
    if (auto ns = detector.detect(files)) return ns;
  }
  return std::nullopt;
}

const std::vector<FeatureDetector>& FeatureDetectors() {
  static const std::vector<FeatureDetector> detectors = {ApkDetector(), DpkgDetector(),
                                                         RpmDetector()};
  return detectors;
}

}  // namespace herald::analyzer
