// rhel-oval (SPEC §8): Red Hat's RHSA OVAL definitions, one vulnerability
// per (RHSA, RHEL major version) in centos:N, as Clair v1's RHEL fetcher
// derived them. Definitions are expanded one at a time from the stream.
#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/vulnerability.h"
#include "updater/parsers/feed_parser.h"
#include "updater/parsers/vulnerability_set.h"
#include "updater/parsers/xml_reader.h"
#include "util/text.h"
#include "version/comparator.h"

namespace herald::updater {
namespace {

// Advisories up to RHSA-2007:0044 only concern RHEL 4 and older.
constexpr int kLastPreRhel5Year = 2007;
constexpr int kLastPreRhel5Number = 44;
constexpr int kFirstMajorVersion = 5;

// A criteria tree is a formula; its disjunctive form is what names packages.
// A hostile tree could make that form explode, so it is bounded.
constexpr std::size_t kMaxBranches = 1 << 16;

constexpr std::string_view kRhelPrefix = "Red Hat Enterprise Linux ";
constexpr std::string_view kInstalledSuffix = " is installed";
constexpr std::string_view kEarlierThan = " is earlier than ";

// Red Hat wraps descriptions at 72 columns and separates paragraphs with
// blank lines; a stored description is one line, as in Clair v1.
std::string Unwrap(std::string_view text) {
  std::string out;
  std::size_t pending_space = 0;
  bool pending_newline = false;
  for (const char c : util::TrimSpace(text)) {
    if (c == '\n' || c == '\r') {
      pending_newline = true;
    } else if (c == ' ' || c == '\t') {
      ++pending_space;
    } else {
      if (pending_newline) {
        out += ' ';
      } else {
        out.append(pending_space, ' ');
      }
      pending_space = 0;
      pending_newline = false;
      out += c;
    }
  }
  return out;
}

// What one conjunction of criterions says. A later criterion overrides an
// earlier one, as in Clair v1; real advisories never name two of a kind.
struct Branch {
  int major = 0;  // 0: no "Red Hat Enterprise Linux N … is installed"
  std::string package;
  std::string version;

  auto operator<=>(const Branch&) const = default;
  bool operator==(const Branch&) const = default;
};

Branch Combine(const Branch& a, const Branch& b) {
  Branch out = a;
  if (b.major != 0) out.major = b.major;
  if (!b.package.empty()) {
    out.package = b.package;
    out.version = b.version;
  }
  return out;
}

bool IsIgnored(std::string_view comment) {
  // Signatures say nothing about versions; the Client, Workstation and
  // ComputeNode variants duplicate the Server one.
  return comment.find(" is signed with Red Hat ") != std::string_view::npos ||
         comment.ends_with(" Client is installed") ||
         comment.ends_with(" Workstation is installed") ||
         comment.ends_with(" ComputeNode is installed");
}

// nullopt for an ignored criterion. Criterions that say neither what is
// installed nor a package version (modules, running kernels) are neutral.
std::optional<Branch> FromComment(std::string_view comment) {
  comment = util::TrimSpace(comment);
  if (IsIgnored(comment)) return std::nullopt;
  Branch branch;
  if (comment.starts_with(kRhelPrefix) && comment.ends_with(kInstalledSuffix)) {
    const std::string_view rest = comment.substr(kRhelPrefix.size());
    int major = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), major);
    if (ec == std::errc() && end != rest.data() && major > 0) branch.major = major;
  } else if (const std::size_t at = comment.find(kEarlierThan); at != std::string_view::npos) {
    branch.package = util::TrimSpace(comment.substr(0, at));
    branch.version = util::TrimSpace(comment.substr(at + kEarlierThan.size()));
  }
  return branch;
}

std::optional<int> ParseNumber(std::string_view text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || stop != end) return std::nullopt;
  return value;
}

// (2015, 1634) for "RHSA-2015:1634". Numbers passed 9999 in 2020, so the
// pair is compared, not a concatenation of its digits.
std::optional<std::pair<int, int>> AdvisoryNumber(std::string_view name) {
  name.remove_prefix(name.find('-') + 1);
  const std::size_t colon = name.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::optional<int> year = ParseNumber(name.substr(0, colon));
  const std::optional<int> number = ParseNumber(name.substr(colon + 1));
  if (!year || !number) return std::nullopt;
  return std::pair(*year, *number);
}

// The title's last parenthesised word, in Red Hat's impact scale.
std::string SeverityOf(std::string_view title) {
  const std::size_t open = title.rfind('(');
  if (open == std::string_view::npos) return "Unknown";
  const std::size_t close = title.find(')', open);
  const std::string_view word = util::TrimSpace(
      title.substr(open + 1, close == std::string_view::npos ? close : close - open - 1));
  if (word == "Low") return "Low";
  if (word == "Moderate") return "Medium";
  if (word == "Important") return "High";
  if (word == "Critical") return "Critical";
  return "Unknown";
}

class RhelOvalParser final : public FeedParser {
 public:
  void Parse(std::istream& document, const std::string& document_name) override;
  FeedResult Finish() override;

 private:
  void ReadDefinition(const XmlReader& reader, const XmlElement& definition);
  std::vector<Branch> Expand(const XmlReader& reader, const XmlElement& criteria);
  void Skipped(const std::string& reason) { ++skipped_[reason]; }

  VulnerabilitySet vulnerabilities_;
  std::map<std::string, std::int64_t> skipped_;
};

void RhelOvalParser::Parse(std::istream& document, const std::string& document_name) {
  XmlReader reader(document, document_name);
  bool more = reader.Read();
  while (more && !reader.AtElementStart()) more = reader.Read();
  if (!more || reader.LocalName() != "oval_definitions") {
    reader.Fail(more ? reader.Line() : 0, "not an OVAL definitions document");
  }
  more = reader.Read();
  while (more) {
    // oval_definitions > definitions > definition
    if (reader.AtElementStart() && reader.Depth() == 2 && reader.LocalName() == "definition") {
      ReadDefinition(reader, reader.Expand());
      more = reader.Skip();
    } else {
      more = reader.Read();
    }
  }
}

void RhelOvalParser::ReadDefinition(const XmlReader& reader, const XmlElement& definition) {
  const std::string class_name = definition.Attribute("class").value_or("");
  if (class_name != "patch") {
    Skipped("definition class " + class_name);
    return;
  }
  const std::optional<XmlElement> metadata = definition.Child("metadata");
  const std::optional<XmlElement> title_element =
      metadata ? metadata->Child("title") : std::nullopt;
  if (!title_element) reader.Fail(definition.Line(), "a patch definition without a title");
  const std::string title(util::TrimSpace(title_element->Text()));

  // "RHSA-2015:1634: sqlite security update (Moderate)"
  const std::size_t colon = title.find(": ");
  if (colon == std::string::npos) reader.Fail(title_element->Line(), "title without ': '");
  const std::string name(util::TrimSpace(std::string_view(title).substr(0, colon)));
  if (!name.starts_with("RHSA-")) {
    // Bug fix and enhancement advisories (RHBA, RHEA) fix no vulnerability.
    Skipped("advisory " + name.substr(0, name.find('-')));
    return;
  }
  const std::optional<std::pair<int, int>> number = AdvisoryNumber(name);
  if (!number) {
    reader.Fail(title_element->Line(), "advisory name " + name + " is not RHSA-YYYY:NNNN");
  }
  if (*number <= std::pair(kLastPreRhel5Year, kLastPreRhel5Number)) {
    Skipped("advisory up to RHSA-2007:0044");
    return;
  }

  std::string link;
  std::string description;
  for (const XmlElement& child : metadata->Children()) {
    if (child.LocalName() == "reference" && link.empty() &&
        child.Attribute("source").value_or("") == "RHSA") {
      link = util::TrimSpace(child.Attribute("ref_url").value_or(""));
    } else if (child.LocalName() == "description" && description.empty()) {
      description = Unwrap(child.Text());
    }
  }
  if (link.empty()) link = "https://access.redhat.com/errata/" + name;

  const std::optional<XmlElement> criteria = definition.Child("criteria");
  if (!criteria) return;
  // Per major version, the packages and their fixed versions.
  std::map<int, std::vector<std::pair<std::string, std::string>>> fixes;
  for (const Branch& branch : Expand(reader, *criteria)) {
    if (branch.major == 0 || branch.package.empty()) continue;
    if (branch.major < kFirstMajorVersion) {
      Skipped("RHEL " + std::to_string(branch.major));
      continue;
    }
    std::string_view version = branch.version;
    // Every RHEL package states its epoch, mostly 0; rpm reads a missing
    // epoch as 0, and Clair v1 stored none.
    if (version.starts_with("0:")) version.remove_prefix(2);
    const std::string namespace_name = "centos:" + std::to_string(branch.major);
    if (!version::ForNamespace(namespace_name)->valid(version)) {
      Skipped("invalid version");
      continue;
    }
    fixes[branch.major].emplace_back(branch.package, version);
  }
  for (const auto& [major, packages] : fixes) {
    const std::string namespace_name = "centos:" + std::to_string(major);
    model::Vulnerability& vulnerability = vulnerabilities_.FindOrAdd(namespace_name, name);
    vulnerability.description = description;
    vulnerability.link = link;
    vulnerability.severity = SeverityOf(title);
    for (const auto& [package, version] : packages) {
      vulnerabilities_.AddFixedIn(namespace_name, name, package, version);
    }
  }
}

std::vector<Branch> RhelOvalParser::Expand(const XmlReader& reader, const XmlElement& criteria) {
  // OVAL's default operator is AND.
  const std::string op = criteria.Attribute("operator").value_or("AND");
  if (op != "AND" && op != "OR") reader.Fail(criteria.Line(), "criteria operator " + op);
  std::vector<Branch> result;
  if (op == "AND") result.emplace_back();
  for (const XmlElement& child : criteria.Children()) {
    std::vector<Branch> operand;
    if (child.LocalName() == "criteria") {
      operand = Expand(reader, child);
    } else if (child.LocalName() == "criterion") {
      std::optional<Branch> branch = FromComment(child.Attribute("comment").value_or(""));
      if (!branch) continue;
      operand.push_back(std::move(*branch));
    } else {
      continue;  // extend_definition: never in RHSA definitions
    }
    if (op == "OR") {
      result.insert(result.end(), operand.begin(), operand.end());
    } else {
      if (result.size() * operand.size() > kMaxBranches) {
        reader.Fail(criteria.Line(), "criteria tree too large");
      }
      std::vector<Branch> product;
      for (const Branch& left : result) {
        for (const Branch& right : operand) product.push_back(Combine(left, right));
      }
      result = std::move(product);
    }
    std::sort(result.begin(), result.end());
    result.erase(std::unique(result.begin(), result.end()), result.end());
    if (result.size() > kMaxBranches) reader.Fail(criteria.Line(), "criteria tree too large");
  }
  return result;
}

FeedResult RhelOvalParser::Finish() {
  return TakeFeedResult(vulnerabilities_, skipped_);
}

}  // namespace

std::unique_ptr<FeedParser> NewRhelOvalParser() {
  return std::make_unique<RhelOvalParser>();
}

}  // namespace herald::updater
