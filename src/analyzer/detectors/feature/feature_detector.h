// Feature detectors (SPEC §7): each reads one package manager's database
// from a layer and lists the installed packages, named and versioned the way
// the feeds key vulnerabilities. Each lives in its own file; the I/O that
// brought the files into memory is kept outside them.
#pragma once

#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "analyzer/layer_files.h"

namespace herald::analyzer {

struct DetectedPackage {
  std::string name;
  std::string version;
  bool operator==(const DetectedPackage&) const = default;
  auto operator<=>(const DetectedPackage&) const = default;
};

// A database that is present but cannot be read (corrupt, unknown format).
// The analysis answers 422 with this message.
class DetectorError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FeatureDetector {
  std::string name;                   // "dpkg", "rpm", "apk"
  std::vector<std::string> paths;     // exact files it reads
  std::vector<std::string> prefixes;  // directories whose files it reads ("var/lib/dpkg/status.d/")
  // nullopt when the layer holds none of this detector's databases (the layer
  // then inherits its parent's features); otherwise every installed package,
  // sorted and without duplicates. Throws DetectorError.
  std::function<std::optional<std::vector<DetectedPackage>>(const LayerFiles&)> detect;
};

// Every feature detector, in name order.
const std::vector<FeatureDetector>& FeatureDetectors();

// One factory per detector file.
FeatureDetector DpkgDetector();
FeatureDetector RpmDetector();
FeatureDetector ApkDetector();

}  // namespace herald::analyzer
