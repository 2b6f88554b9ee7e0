// The RHEL family's release files ("CentOS Linux release 7.9.2009 (Core)"):
// "family:MAJOR", named as the feeds name these systems.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/detectors/namespace/namespace_detector.h"
#include "analyzer/detectors/namespace/release_text.h"
#include "version/numbers.h"

namespace herald::analyzer {
namespace {

// Asked in this order. Oracle Linux's redhat-release says "Red Hat
// Enterprise Linux", for software that checks it, so its own file comes first,
// as in Clair v1.
constexpr std::array<std::string_view, 4> kPaths = {"etc/oracle-release", "etc/centos-release",
                                                    "etc/redhat-release", "etc/system-release"};

struct Distribution {
  std::string_view name;    // the words before " release "
  std::string_view family;  // the namespace prefix
};

// RHEL is "centos" (SPEC §7): the RHSA OVAL feed makes centos:N.
constexpr std::array<Distribution, 13> kDistributions = {{
    {"CentOS", "centos"},
    {"CentOS Linux", "centos"},
    {"CentOS Stream", "centos"},
    {"Red Hat Enterprise Linux", "centos"},
    {"Red Hat Enterprise Linux Server", "centos"},
    {"Red Hat Enterprise Linux Workstation", "centos"},
    {"Red Hat Enterprise Linux Client", "centos"},
    {"Red Hat Enterprise Linux ComputeNode", "centos"},
    {"Fedora", "fedora"},
    {"Oracle Linux Server", "oracle"},
    {"Oracle Linux", "oracle"},
    {"Amazon Linux", "amzn"},
    {"Amazon Linux AMI", "amzn"},
}};

bool IsSpace(char c) {
  return c == ' ' || c == '\t';
}

// The major version of "<name> release <version> …", e.g. "7" from
// "7.9.2009"; the feeds track a RHEL-family system by its major release.
std::optional<std::string> FromReleaseLine(std::string_view line) {
  std::size_t name_end = 0;  // the end of the word before the current one
  std::size_t pos = 0;
  while (pos < line.size()) {
    while (pos < line.size() && IsSpace(line[pos])) ++pos;
    std::size_t end = pos;
    while (end < line.size() && !IsSpace(line[end])) ++end;
    if (line.substr(pos, end - pos) != "release") {
      name_end = end;
      pos = end;
      continue;
    }
    std::string_view name = line.substr(0, name_end);
    std::size_t start = end;
    while (start < line.size() && IsSpace(line[start])) ++start;
    std::size_t stop = start;
    while (stop < line.size() && version::IsDigit(static_cast<unsigned char>(line[stop]))) ++stop;
    std::string_view major = line.substr(start, stop - start);
    bool whole_number = stop == line.size() || line[stop] == '.' || IsSpace(line[stop]);
    if (!whole_number || !IsNamespacePart(major)) return std::nullopt;
    for (const Distribution& distribution : kDistributions) {
      if (distribution.name == name) {
        return std::string(distribution.family) + ":" + std::string(major);
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> Detect(const LayerFiles& files) {
  for (std::string_view path : kPaths) {
    if (const std::string* text = files.Find(path)) {
      if (std::optional<std::string> ns = FromReleaseLine(FirstLine(*text))) return ns;
    }
  }
  return std::nullopt;
}

}  // namespace

NamespaceDetector RedhatReleaseDetector() {
  return {"redhat-release", std::vector<std::string>(kPaths.begin(), kPaths.end()), Detect};
}

}  // namespace herald::analyzer
