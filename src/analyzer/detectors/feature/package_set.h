// The detectors' common last step: FeatureDetector::detect promises its
// packages sorted and without duplicates.
#pragma once

#include <algorithm>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"

namespace herald::analyzer {

inline std::vector<DetectedPackage> SortedUnique(std::vector<DetectedPackage> packages) {
  std::sort(packages.begin(), packages.end());
  packages.erase(std::unique(packages.begin(), packages.end()), packages.end());
  return packages;
}

}  // namespace herald::analyzer
