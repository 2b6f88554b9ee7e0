// dpkg's database (SPEC §7): var/lib/dpkg/status, and the one-stanza files
// of var/lib/dpkg/status.d/ that distroless images carry instead.
#include <algorithm>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/detectors/feature/package_set.h"
#include "analyzer/detectors/feature/stanzas.h"
#include "util/text.h"
#include "util/utf8.h"
#include "version/comparator.h"

namespace herald::analyzer {
namespace {

constexpr std::string_view kStatusFile = "var/lib/dpkg/status";
constexpr std::string_view kStatusDirectory = "var/lib/dpkg/status.d/";
// Go's bufio.Scanner limit, which Clair v1 read the database with: a longer
// line is no dpkg database but a hostile or corrupt file.
constexpr std::size_t kMaxLine = 64 * 1024;

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// dpkg keeps the stanza of a removed package until it is purged, with a
// Status such as "deinstall ok config-files"; Clair v1 reported those
// packages as installed. Stanzas without Status (status.d/) are installed.
bool NotInstalled(std::span<const std::string_view> stanza) {
  for (const std::string_view line : stanza) {
    constexpr std::string_view kStatus = "Status:";
    if (!StartsWith(line, kStatus)) continue;
    const std::string_view value = util::TrimSpace(line.substr(kStatus.size()));
    const std::size_t last_space = value.find_last_of(" \t\v\f");
    const std::string_view last_word =
        last_space == std::string_view::npos ? value : value.substr(last_space + 1);
    if (last_word != "installed") return true;
  }
  return false;
}

struct SourceField {
  std::string_view name;
  std::string_view version;  // empty when the field names no version
};

// Clair v1 read the field with `Source: (?P<name>[^\s]*)( \((?P<version>.*)\))?`
// and trimmed both groups: the name runs to the first \s (Go's RE2 class,
// which has no \v), and a version is whatever lies between " (" right after
// it and the line's last ')'.
SourceField ParseSource(std::string_view line) {
  const std::string_view rest = line.substr(std::string_view("Source: ").size());
  const std::size_t name_end = std::min(rest.find_first_of(" \t\n\f\r"), rest.size());
  SourceField field{.name = util::TrimSpace(rest.substr(0, name_end)), .version = {}};
  const std::string_view after = rest.substr(name_end);
  if (StartsWith(after, " (")) {
    const std::size_t close = after.rfind(')');
    if (close != std::string_view::npos && close >= 2) {
      field.version = util::TrimSpace(after.substr(2, close - 2));
    }
  }
  return field;
}

// Where a stanza starts in its file, for messages.
std::string Where(std::string_view path, std::string_view text,
                  std::span<const std::string_view> stanza) {
  const auto offset = static_cast<std::size_t>(stanza.front().data() - text.data());
  const auto line = 1 + std::count(text.begin(), text.begin() + offset, '\n');
  return std::string(path) + " line " + std::to_string(line);
}

// What makes a stanza no dpkg record at all (SPEC §7 bad input): a line
// over 64 KiB, a name or version that is not UTF-8, a package without any
// version. Such a database is refused whole rather than half-read.
void CheckStanza(std::string_view path, std::string_view text,
                 std::span<const std::string_view> stanza) {
  bool package = false, version = false;
  for (const std::string_view line : stanza) {
    if (line.size() > kMaxLine) {
      throw DetectorError(Where(path, text, std::span(&line, 1)) + " is longer than 64 KiB");
    }
    const bool named = StartsWith(line, "Package:") || StartsWith(line, "Source:");
    const bool versioned = StartsWith(line, "Version:");
    if ((named || versioned) && !util::IsValidUtf8(line)) {
      throw DetectorError(Where(path, text, std::span(&line, 1)) + " is not valid UTF-8");
    }
    package = package || StartsWith(line, "Package:");
    version = version || versioned ||
              (StartsWith(line, "Source:") && line.find(" (") != std::string_view::npos);
  }
  if (package && !version) {
    throw DetectorError("the stanza at " + Where(path, text, stanza) + " has no Version");
  }
}

// Clair v1's state machine over one stanza's lines. A version from Source
// wins over Version because the Debian trackers key fixes by source
// package and its version; an invalid version is ignored, not fatal.
void ReadStanza(std::span<const std::string_view> stanza, const version::Comparator& dpkg,
                std::vector<DetectedPackage>& out) {
  std::string_view name;
  std::string_view version;
  for (const std::string_view line : stanza) {
    if (StartsWith(line, "Package: ")) {
      name = util::TrimSpace(line.substr(std::string_view("Package: ").size()));
      version = {};
    } else if (StartsWith(line, "Source: ")) {
      const SourceField source = ParseSource(line);
      name = source.name;
      if (!source.version.empty() && dpkg.valid(source.version)) version = source.version;
    } else if (StartsWith(line, "Version: ") && version.empty()) {
      const std::string_view value = line.substr(std::string_view("Version: ").size());
      if (dpkg.valid(value)) version = value;
    }
    if (!name.empty() && !version.empty()) {
      out.push_back({std::string(name), std::string(version)});
      name = {};
      version = {};
    }
  }
}

std::optional<std::vector<DetectedPackage>> Detect(const LayerFiles& files) {
  const std::string* status = files.Find(kStatusFile);
  const auto status_d = files.Under(kStatusDirectory);
  if (status == nullptr && status_d.empty()) return std::nullopt;

  const version::Comparator& dpkg = *version::ForNamespace("debian");
  std::vector<DetectedPackage> packages;
  const auto read = [&](std::string_view path, std::string_view text) {
    ForEachStanza(text, [&](std::span<const std::string_view> stanza) {
      if (NotInstalled(stanza)) return;
      CheckStanza(path, text, stanza);
      ReadStanza(stanza, dpkg, packages);
    });
  };
  if (status != nullptr) read(kStatusFile, *status);
  for (const auto& [path, contents] : status_d) read(path, *contents);

  return SortedUnique(std::move(packages));
}

}  // namespace

FeatureDetector DpkgDetector() {
  return FeatureDetector{.name = "dpkg",
                         .paths = {std::string(kStatusFile)},
                         .prefixes = {std::string(kStatusDirectory)},
                         .detect = Detect};
}

}  // namespace herald::analyzer
