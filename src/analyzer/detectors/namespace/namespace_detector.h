// Namespace detectors (SPEC §7): each reads a few release files of a layer
// and names its OS the way the feeds name it ("debian:8", "ubuntu:16.04",
// "centos:7", "alpine:v3.18"). Each lives in its own file as a pure function
// of the files' contents; the registry asks them in priority order and the
// first answer wins, like Clair v1's namespace detectors.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "analyzer/layer_files.h"

namespace herald::analyzer {

struct NamespaceDetector {
  std::string name;                // "os-release", "lsb-release", …
  std::vector<std::string> paths;  // the exact files it reads
  // The namespace, or nullopt when the files do not name one it knows.
  std::function<std::optional<std::string>(const LayerFiles&)> detect;
};

// The detectors, in the order they are asked: os-release, lsb-release,
// redhat-release, alpine-release, apt-sources.
const std::vector<NamespaceDetector>& NamespaceDetectors();

// The first answer of NamespaceDetectors(), or nullopt.
std::optional<std::string> DetectNamespace(const LayerFiles& files);

// One factory per detector file.
NamespaceDetector OsReleaseDetector();
NamespaceDetector LsbReleaseDetector();
NamespaceDetector RedhatReleaseDetector();
NamespaceDetector AlpineReleaseDetector();
NamespaceDetector AptSourcesDetector();

}  // namespace herald::analyzer
