// apt's sources.list: the Debian or Ubuntu release named by the codename of
// its first known "deb" line, as Clair v1 found it on images without a
// release file.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "analyzer/detectors/namespace/namespace_detector.h"

namespace herald::analyzer {
namespace {

constexpr std::string_view kPath = "etc/apt/sources.list";

struct Release {
  std::string_view codename;
  std::string_view version;
};

// The feeds name Debian by major version. Before etch the point release was
// the release ("3.1"). The suite names "stable", "testing" and "sid" are left
// out: they name a different release over time, or one without a number.
constexpr std::array<Release, 20> kDebian = {{
    {"buzz", "1.1"},    {"rex", "1.2"},     {"bo", "1.3"},    {"hamm", "2.0"},  {"slink", "2.1"},
    {"potato", "2.2"},  {"woody", "3.0"},   {"sarge", "3.1"}, {"etch", "4"},    {"lenny", "5"},
    {"squeeze", "6"},   {"wheezy", "7"},    {"jessie", "8"},  {"stretch", "9"}, {"buster", "10"},
    {"bullseye", "11"}, {"bookworm", "12"}, {"trixie", "13"}, {"forky", "14"},  {"duke", "15"},
}};

constexpr std::array<Release, 43> kUbuntu = {{
    {"warty", "4.10"},     {"hoary", "5.04"},    {"breezy", "5.10"},    {"dapper", "6.06"},
    {"edgy", "6.10"},      {"feisty", "7.04"},   {"gutsy", "7.10"},     {"hardy", "8.04"},
    {"intrepid", "8.10"},  {"jaunty", "9.04"},   {"karmic", "9.10"},    {"lucid", "10.04"},
    {"maverick", "10.10"}, {"natty", "11.04"},   {"oneiric", "11.10"},  {"precise", "12.04"},
    {"quantal", "12.10"},  {"raring", "13.04"},  {"saucy", "13.10"},    {"trusty", "14.04"},
    {"utopic", "14.10"},   {"vivid", "15.04"},   {"wily", "15.10"},     {"xenial", "16.04"},
    {"yakkety", "16.10"},  {"zesty", "17.04"},   {"artful", "17.10"},   {"bionic", "18.04"},
    {"cosmic", "18.10"},   {"disco", "19.04"},   {"eoan", "19.10"},     {"focal", "20.04"},
    {"groovy", "20.10"},   {"hirsute", "21.04"}, {"impish", "21.10"},   {"jammy", "22.04"},
    {"kinetic", "22.10"},  {"lunar", "23.04"},   {"mantic", "23.10"},   {"noble", "24.04"},
    {"oracular", "24.10"}, {"plucky", "25.04"},  {"questing", "25.10"},
}};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r';
}

// Consumes the next whitespace-separated word of `line`; empty at its end.
std::string_view NextWord(std::string_view& line) {
  while (!line.empty() && IsSpace(line.front())) line.remove_prefix(1);
  std::size_t end = 0;
  while (end < line.size() && !IsSpace(line[end])) ++end;
  std::string_view word = line.substr(0, end);
  line.remove_prefix(end);
  return word;
}

// The suite of a "deb [options] URI suite components…" line, or empty.
std::string_view Suite(std::string_view line) {
  line = line.substr(0, line.find('#'));
  std::string_view type = NextWord(line);
  if (type != "deb" && type != "deb-src") return {};
  std::string_view word = NextWord(line);
  if (!word.empty() && word.front() == '[') {
    // "[arch=amd64 signed-by=…]": options may span several words.
    while (!word.empty() && word.back() != ']') word = NextWord(line);
    word = NextWord(line);
  }
  std::string_view uri = word;
  if (uri.empty()) return {};
  return NextWord(line);
}

std::optional<std::string> FromSuite(std::string_view suite) {
  // "jessie-updates", "wheezy/updates" and "stretch-security" are pockets of
  // the release they start with.
  std::string_view codename = suite.substr(0, suite.find_first_of("-/"));
  for (const Release& release : kDebian) {
    if (release.codename == codename) return "debian:" + std::string(release.version);
  }
  for (const Release& release : kUbuntu) {
    if (release.codename == codename) return "ubuntu:" + std::string(release.version);
  }
  return std::nullopt;
}

std::optional<std::string> Detect(const LayerFiles& files) {
  const std::string* text = files.Find(kPath);
  if (text == nullptr) return std::nullopt;
  std::string_view rest = *text;
  while (!rest.empty()) {
    std::size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest.remove_prefix(end == std::string_view::npos ? rest.size() : end + 1);
    if (std::optional<std::string> ns = FromSuite(Suite(line))) return ns;
  }
  return std::nullopt;
}

}  // namespace

NamespaceDetector AptSourcesDetector() {
  return {"apt-sources", {std::string(kPath)}, Detect};
}

}  // namespace herald::analyzer
