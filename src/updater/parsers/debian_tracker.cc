// debian-tracker (SPEC §8): the Debian Security Tracker's JSON,
// {package: {name: {description, releases: {codename: {status,
// fixed_version, urgency, ...}}}}}. The document is over 50 MB, so it is
// read as a SAX stream and only what the result keeps is remembered.
//
// Fields Herald does not read (scope, debianbug, repositories, nodsa, ...)
// are skipped whatever their type, so that additions to the tracker's
// format do not break the feed; the ones it reads must have their
// documented types, or the document is rejected.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "model/severity.h"
#include "updater/parsers/feed_parser.h"
#include "updater/parsers/json_stream.h"
#include "updater/parsers/json_walker.h"
#include "updater/parsers/vulnerability_set.h"
#include "version/comparator.h"

namespace herald::updater {
namespace {

constexpr std::string_view kTrackerLinkPrefix = "https://security-tracker.debian.org/tracker/";

// Descriptions are a few hundred bytes; a megabyte string is a broken feed.
constexpr JsonLimits kTrackerLimits = {
    .max_string_bytes = 1 << 20, .max_document_bytes = 0, .max_depth = 64};

std::optional<std::string_view> NamespaceForCodename(std::string_view codename) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kReleases = {{
      {"wheezy", "debian:7"},
      {"jessie", "debian:8"},
      {"stretch", "debian:9"},
      {"buster", "debian:10"},
      {"bullseye", "debian:11"},
      {"bookworm", "debian:12"},
      {"trixie", "debian:13"},
      {"sid", "debian:unstable"},
  }};
  for (const auto& [name, namespace_name] : kReleases) {
    if (name == codename) {
      return namespace_name;
    }
  }
  return std::nullopt;
}

// `word` or one of its starred variants ("low*", "low**"), the only forms
// Clair v1 ranked.
bool IsUrgency(std::string_view urgency, std::string_view word) {
  if (!urgency.starts_with(word)) {
    return false;
  }
  const std::string_view stars = urgency.substr(word.size());
  return stars.size() <= 2 && stars.find_first_not_of('*') == std::string_view::npos;
}

// The rank of an urgency among model::kSeverities, so that the highest of a
// CVE's urgencies is a max().
std::size_t SeverityRank(std::string_view urgency) {
  std::string_view severity = "Unknown";
  if (IsUrgency(urgency, "low")) {
    severity = "Low";
  } else if (IsUrgency(urgency, "medium")) {
    severity = "Medium";
  } else if (IsUrgency(urgency, "high")) {
    severity = "High";
  } else if (urgency == "unimportant" || urgency == "end-of-life") {
    severity = "Negligible";
  }
  return static_cast<std::size_t>(std::ranges::find(model::kSeverities, severity) -
                                  model::kSeverities.begin());
}

// What one CVE contributes to all of its namespaces.
struct CveRecord {
  std::string description;
  std::size_t severity_rank = 0;
};

// Everything the documents of one snapshot have added up to so far.
struct Accumulated {
  VulnerabilitySet vulnerabilities;
  std::unordered_map<std::string, CveRecord> cves;
  std::map<std::string, std::int64_t> skipped;
};

// Where a value sits in the document.
enum TrackerSlot : int {
  kPackage = JsonWalker::kDocument + 1,
  kEntry,
  kDescription,
  kReleases,
  kRelease,
  kStatus,
  kFixedVersion,
  kUrgency,
};

class TrackerWalker final : public JsonWalker {
 public:
  TrackerWalker(JsonStream& stream, Accumulated& out) : JsonWalker(stream), out_(out) {}

 private:
  struct Release {
    std::string status;
    std::string fixed_version;
    std::string urgency;
  };

  Shape ShapeOf(int slot) const override {
    switch (slot) {
      case kDocument:
      case kPackage:
      case kEntry:
      case kReleases:
      case kRelease:
        return {Type::kObject, false};
      default:
        // Optional strings: null is as good as left out.
        return {Type::kString, true};
    }
  }

  int MemberSlot(int parent, std::string& key) override {
    switch (parent) {
      case kDocument:
        package_ = std::move(key);
        return kPackage;
      case kPackage:
        entry_ = std::move(key);
        return kEntry;
      case kEntry:
        if (key == "description") {
          return kDescription;
        }
        if (key == "releases") {
          return kReleases;
        }
        return kIgnored;
      case kReleases:
        codename_ = std::move(key);
        return kRelease;
      case kRelease:
        if (key == "status") {
          return kStatus;
        }
        if (key == "fixed_version") {
          return kFixedVersion;
        }
        if (key == "urgency") {
          return kUrgency;
        }
        return kIgnored;
      default:
        return kIgnored;
    }
  }

  int ElementSlot(int /*parent*/) override { return kIgnored; }

  std::string Describe(int slot) const override {
    std::string entry = "\"" + package_ + "\" \"" + entry_ + "\"";
    std::string release = entry + " release \"" + codename_ + "\"";
    switch (slot) {
      case kDocument:
        return "the document";
      case kPackage:
        return "package \"" + package_ + "\"";
      case kEntry:
        return entry;
      case kDescription:
        return entry + " description";
      case kReleases:
        return entry + " releases";
      case kRelease:
        return release;
      case kStatus:
        return release + " status";
      case kFixedVersion:
        return release + " fixed_version";
      default:
        return release + " urgency";
    }
  }

  // Copied, not moved: `value` is the lexer's token buffer, and taking it
  // would make the lexer grow a new one for every string of the document.
  void OnString(int slot, std::string& value) override {
    switch (slot) {
      case kDescription:
        description_.assign(value);
        break;
      case kStatus:
        release_.status.assign(value);
        break;
      case kFixedVersion:
        release_.fixed_version.assign(value);
        break;
      case kUrgency:
        release_.urgency.assign(value);
        break;
      default:
        break;
    }
  }

  void OnOpen(int slot) override {
    if (slot == kEntry) {
      description_.clear();
    } else if (slot == kRelease) {
      release_ = {};
    }
  }

  void OnClose(int slot) override {
    if (slot == kRelease) {
      ApplyRelease();
    } else if (slot == kEntry) {
      ApplyEntry();
    }
  }

  bool IsCve() const { return entry_.starts_with("CVE-"); }

  void ApplyEntry() {
    if (!IsCve()) {
      ++out_.skipped["name not CVE-"];
      return;
    }
    CveRecord& record = out_.cves[entry_];
    // The first package that says anything about the CVE gives its words.
    if (record.description.empty()) {
      record.description = std::move(description_);
    }
  }

  void ApplyRelease() {
    if (!IsCve()) {
      return;
    }
    const std::optional<std::string_view> namespace_name = NamespaceForCodename(codename_);
    if (!namespace_name) {
      ++out_.skipped["unknown release " + codename_];
      return;
    }
    if (release_.status == "undetermined") {
      ++out_.skipped["status undetermined"];
      return;
    }
    if (package_.empty()) {
      ++out_.skipped["empty package name"];
      return;
    }
    CveRecord& record = out_.cves[entry_];
    record.severity_rank = std::max(record.severity_rank, SeverityRank(release_.urgency));

    if (release_.fixed_version == "0") {
      // Not affected: the vulnerability exists in the release, this package
      // is just not in its FixedIn.
      out_.vulnerabilities.FindOrAdd(*namespace_name, entry_);
    } else if (release_.status == "open") {
      out_.vulnerabilities.AddFixedIn(*namespace_name, entry_, package_, version::kMaxVersion);
    } else if (release_.status == "resolved") {
      if (release_.fixed_version.empty()) {
        ++out_.skipped["resolved without version"];
      } else if (!version::ForNamespace(*namespace_name)->valid(release_.fixed_version)) {
        ++out_.skipped["invalid version"];
      } else {
        out_.vulnerabilities.AddFixedIn(*namespace_name, entry_, package_, release_.fixed_version);
      }
    } else {
      ++out_.skipped["status " + (release_.status.empty() ? "missing" : release_.status)];
    }
  }

  Accumulated& out_;
  std::string package_;
  std::string entry_;
  std::string description_;
  std::string codename_;
  Release release_;
};

class DebianTrackerParser final : public FeedParser {
 public:
  void Parse(std::istream& document, const std::string& document_name) override {
    JsonStream stream(document, document_name, kTrackerLimits);
    TrackerWalker walker(stream, out_);
    stream.Sax(walker);
  }

  FeedResult Finish() override {
    // A CVE's description is kept once, not once per release, until each
    // vulnerability is handed out.
    auto cves =
        std::make_shared<const std::unordered_map<std::string, CveRecord>>(std::move(out_.cves));
    FeedResult result =
        TakeFeedResult(out_.vulnerabilities, out_.skipped, [cves](model::Vulnerability& v) {
          const auto it = cves->find(v.name);
          if (it != cves->end()) {
            v.description = it->second.description;
            v.severity = model::kSeverities[it->second.severity_rank];
          }
          v.link = std::string(kTrackerLinkPrefix) + v.name;
        });
    out_ = {};
    return result;
  }

 private:
  Accumulated out_;
};

}  // namespace

std::unique_ptr<FeedParser> NewDebianTrackerParser() {
  return std::make_unique<DebianTrackerParser>();
}

}  // namespace herald::updater
