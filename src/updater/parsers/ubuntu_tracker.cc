// ubuntu-tracker (SPEC §8): the per-CVE files of ubuntu-cve-tracker's
// active/ and retired/ directories, one vulnerability per (CVE, release) in
// ubuntu:YY.MM, as Clair v1's Ubuntu fetcher derived them.
//
// A file is "Key: value" lines, values continued on indented lines; the
// keys "<release>_<package>" give one package's status in one release.
#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/vulnerability.h"
#include "updater/parsers/feed_parser.h"
#include "updater/parsers/vulnerability_set.h"
#include "util/text.h"
#include "version/comparator.h"

namespace herald::updater {
namespace {

// Tracker lines are short; anything longer is not a tracker file, and
// reading it whole would hold an unbounded line.
constexpr std::size_t kMaxLineBytes = 64 * 1024;

struct Release {
  std::string_view codename;
  std::string_view version;
};

// Every release Herald stores, 12.04 on, except saucy (13.10), which
// Clair v1 skipped. A codename missing here is skipped and counted as an
// unknown release, so a new release shows up in the counts until added.
constexpr std::array<Release, 26> kUbuntuReleases = {{
    {"precise", "12.04"},  {"quantal", "12.10"}, {"raring", "13.04"}, {"trusty", "14.04"},
    {"utopic", "14.10"},   {"vivid", "15.04"},   {"wily", "15.10"},   {"xenial", "16.04"},
    {"yakkety", "16.10"},  {"zesty", "17.04"},   {"artful", "17.10"}, {"bionic", "18.04"},
    {"cosmic", "18.10"},   {"disco", "19.04"},   {"eoan", "19.10"},   {"focal", "20.04"},
    {"groovy", "20.10"},   {"hirsute", "21.04"}, {"impish", "21.10"}, {"jammy", "22.04"},
    {"kinetic", "22.10"},  {"lunar", "23.04"},   {"mantic", "23.10"}, {"noble", "24.04"},
    {"oracular", "24.10"}, {"plucky", "25.04"},
}};

// Skipped on purpose, as in Clair v1: the upstream and development
// columns, the releases before 12.04 and saucy.
constexpr std::array<std::string_view, 18> kIgnoredReleases = {
    "upstream", "devel",    "warty",  "hoary",  "breezy", "dapper",   "edgy",  "feisty",  "gutsy",
    "hardy",    "intrepid", "jaunty", "karmic", "lucid",  "maverick", "natty", "oneiric", "saucy",
};

std::string_view FirstWord(std::string_view text) {
  text = util::TrimSpace(text);
  return text.substr(0, text.find_first_of(" \t"));
}

// Keys are field names, "<release>_<package>" or "Patches_<package>";
// release names carry '/' ("trusty/esm") and package names '+' and '.'.
bool IsKey(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && std::string_view("-_./+").find(c) == std::string_view::npos) return false;
  }
  return true;
}

std::string_view Severity(std::string_view priority) {
  const std::string_view word = FirstWord(priority);
  if (word == "negligible") return "Negligible";
  if (word == "low") return "Low";
  if (word == "medium") return "Medium";
  if (word == "high") return "High";
  if (word == "critical") return "Critical";
  return "Unknown";
}

// The fields of one CVE file that the vulnerabilities need, gathered before
// any is stored, since release lines come after the header.
struct CveFile {
  std::string candidate;
  std::string priority;
  std::string description;
  struct Entry {
    std::string namespace_name;
    std::string package;
    std::string version;  // "" for not-affected
  };
  std::vector<Entry> entries;
};

enum class LineStatus { kLine, kEnd, kTooLong };

// getline with a bound: a file with no newline must not be held whole.
LineStatus NextLine(std::streambuf& bytes, std::string& line) {
  line.clear();
  for (int c; (c = bytes.sbumpc()) != std::char_traits<char>::eof();) {
    if (c == '\n') return LineStatus::kLine;
    if (line.size() == kMaxLineBytes) return LineStatus::kTooLong;
    line += static_cast<char>(c);
  }
  return line.empty() ? LineStatus::kEnd : LineStatus::kLine;
}

class UbuntuTrackerParser final : public FeedParser {
 public:
  void Parse(std::istream& document, const std::string& document_name) override;
  FeedResult Finish() override;

 private:
  CveFile Read(std::istream& document, const std::string& document_name);
  void ReadReleaseLine(std::string_view release, std::string_view package, std::string_view value,
                       CveFile& file);
  void Skipped(std::string reason) { ++skipped_[std::move(reason)]; }

  VulnerabilitySet vulnerabilities_;
  std::map<std::string, std::int64_t> skipped_;
};

void UbuntuTrackerParser::Parse(std::istream& document, const std::string& document_name) {
  const std::string_view base =
      std::string_view(document_name).substr(document_name.find_last_of('/') + 1);
  if (!base.starts_with("CVE-")) {
    // The directories also hold templates and notes.
    Skipped("file not named CVE-*");
    return;
  }
  // The whole file is read before anything is stored: its release lines
  // come after the header that every vulnerability shares.
  const CveFile file = Read(document, document_name);
  const std::string link = "https://ubuntu.com/security/" + file.candidate;
  for (const CveFile::Entry& entry : file.entries) {
    model::Vulnerability& vulnerability =
        vulnerabilities_.FindOrAdd(entry.namespace_name, file.candidate);
    vulnerability.description = file.description;
    vulnerability.link = link;
    vulnerability.severity = Severity(file.priority);
    if (!entry.version.empty()) {
      vulnerabilities_.AddFixedIn(entry.namespace_name, file.candidate, entry.package,
                                  entry.version);
    }
  }
}

CveFile UbuntuTrackerParser::Read(std::istream& document, const std::string& document_name) {
  const auto fail = [&](std::int64_t line, const std::string& what) {
    throw ParseError(document_name, line > 0 ? "line " + std::to_string(line) : "", what);
  };
  CveFile file;
  std::string current_key;
  std::string line;
  std::int64_t number = 0;
  for (LineStatus status; (status = NextLine(*document.rdbuf(), line)) != LineStatus::kEnd;) {
    ++number;
    if (status == LineStatus::kTooLong) fail(number, "line longer than 65536 bytes");
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (util::TrimSpace(line).empty()) {
      current_key.clear();
      continue;
    }
    if (line.front() == '#') continue;
    if (line.front() == ' ' || line.front() == '\t') {
      if (current_key == "Description") {
        if (!file.description.empty()) file.description += ' ';
        file.description += util::TrimSpace(line);
      }
      continue;
    }
    const std::size_t colon = line.find(':');
    const std::string_view key = colon == std::string::npos
                                     ? std::string_view()
                                     : util::TrimSpace(std::string_view(line).substr(0, colon));
    if (!IsKey(key)) fail(number, "expected \"Key: value\"");
    const std::string_view value = util::TrimSpace(std::string_view(line).substr(colon + 1));
    current_key = key;

    if (key == "Candidate") {
      file.candidate = value;
    } else if (key == "Priority") {
      file.priority = value;
    } else if (key == "Description") {
      // Normally empty, the text following on indented lines.
      file.description = value;
    } else if (const std::size_t underscore = key.find('_'); underscore != std::string::npos) {
      const std::string_view prefix = key.substr(0, underscore);
      // Patches_ and Tags_ describe the package, and Priority_ overrides the
      // priority for one package; SPEC §8 takes the CVE's Priority.
      if (prefix == "Patches" || prefix == "Tags" || prefix == "Priority") continue;
      ReadReleaseLine(prefix, key.substr(underscore + 1), value, file);
    }
  }
  if (file.candidate.empty()) fail(0, "no Candidate: line");
  return file;
}

void UbuntuTrackerParser::ReadReleaseLine(std::string_view release, std::string_view package,
                                          std::string_view value, CveFile& file) {
  // Containers run their host's kernel: a kernel package in a layer is
  // never what runs (Clair v1).
  if (package.starts_with("linux")) {
    Skipped("package linux*");
    return;
  }
  for (const std::string_view ignored : kIgnoredReleases) {
    if (release == ignored) {
      Skipped("release " + std::string(release));
      return;
    }
  }
  // "trusty/esm", "esm-infra/xenial", "fips/bionic": pockets of a release
  // that only subscribers have. Their fixes are not in the archive the
  // release's namespace describes, and mixing them in would make the
  // release's entry depend on line order; Clair v1 skipped them too.
  if (release.find('/') != std::string_view::npos) {
    Skipped("release " + std::string(release));
    return;
  }
  std::string_view version_number;
  for (const Release& known : kUbuntuReleases) {
    if (release == known.codename) version_number = known.version;
  }
  if (version_number.empty()) {
    Skipped("unknown release " + std::string(release));
    return;
  }
  const std::string namespace_name = "ubuntu:" + std::string(version_number);

  // "<status>" or "<status> (<note>)"; the note of released is its version.
  const std::string_view status = FirstWord(value);
  std::string_view note = util::TrimSpace(value.substr(status.size()));
  while (note.starts_with('(')) note = util::TrimSpace(note.substr(1));
  while (note.ends_with(')')) note = util::TrimSpace(note.substr(0, note.size() - 1));

  std::string version;
  if (status == "needed" || status == "active" || status == "deferred") {
    version = version::kMaxVersion;
  } else if (status == "released") {
    if (note.empty()) {
      Skipped("released without a version");
      return;
    }
    if (!version::ForNamespace(namespace_name)->valid(note)) {
      Skipped("released with an invalid version");
      return;
    }
    version = note;
  } else if (status != "not-affected") {
    // DNE, needs-triage, ignored, pending, and any status added later.
    Skipped("status " + std::string(status));
    return;
  }
  // not-affected still makes the vulnerability, with no entry for the
  // package: the CVE was assessed for that release (as debian-tracker's
  // fixed_version "0").
  file.entries.push_back({namespace_name, std::string(package), std::move(version)});
}

FeedResult UbuntuTrackerParser::Finish() {
  return TakeFeedResult(vulnerabilities_, skipped_);
}

}  // namespace

std::unique_ptr<FeedParser> NewUbuntuTrackerParser() {
  return std::make_unique<UbuntuTrackerParser>();
}

}  // namespace herald::updater
