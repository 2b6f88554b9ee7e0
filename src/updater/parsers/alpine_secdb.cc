// alpine-secdb (SPEC §8): the secdb documents of secdb.alpinelinux.org,
// {"distroversion": "v3.18", "reponame": "main", "packages": [{"pkg":
// {"name": "openssl", "secfixes": {"3.1.4-r1": ["CVE-2023-5678"]}}}]}.
//
// The secfixes entries are copied by hand from APKBUILD comments, and the
// published documents carry what people wrote there. What is accepted:
//  - an entry may list several ids ("CVE-2016-9818 XSA-201"); each CVE id
//    among them counts;
//  - anything from the first '(' on is a remark ("CVE-2017-2616
//    (+ regression fix)") and is ignored;
//  - "CVE_2019-2426" is read as CVE-2019-2426, and text glued after the
//    number ("CVE-2021-35940.patch") is dropped;
//  - ids that are not CVEs (XSA-, GHSA-, ALPINE-, "N/A") are skipped and
//    counted, since Herald's vulnerabilities are CVEs here;
//  - a version the apk comparator rejects is skipped and counted;
//  - null stands for an empty list or entry.
// A document whose distroversion is not vX.Y ("edge") names no namespace an
// image can be in, and is skipped and counted.
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "updater/parsers/feed_parser.h"
#include "updater/parsers/json_stream.h"
#include "updater/parsers/json_walker.h"
#include "updater/parsers/vulnerability_set.h"
#include "version/comparator.h"

namespace herald::updater {
namespace {

constexpr std::string_view kSecdbLinkPrefix = "https://security.alpinelinux.org/vuln/";

// A secdb document is a few hundred kilobytes; its strings are short.
constexpr JsonLimits kSecdbLimits = {
    .max_string_bytes = 64 << 10, .max_document_bytes = 0, .max_depth = 64};

bool IsDigit(char c) {
  return std::isdigit(static_cast<unsigned char>(c)) != 0;
}

bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// "v3.18" → "alpine:v3.18"; nullopt for anything else.
std::optional<std::string> NamespaceFor(std::string_view distroversion) {
  if (!distroversion.starts_with('v')) {
    return std::nullopt;
  }
  const std::string_view number = distroversion.substr(1);
  const std::size_t dot = number.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == number.size()) {
    return std::nullopt;
  }
  for (std::size_t i = 0; i < number.size(); ++i) {
    if (i != dot && !IsDigit(number[i])) {
      return std::nullopt;
    }
  }
  return "alpine:" + std::string(distroversion);
}

// The CVE id at the start of `token`: "CVE-", four digits, '-', four or
// more digits, then the end or something that cannot continue an id.
std::optional<std::string> CveAt(std::string_view token) {
  std::string id(token.substr(0, 4));
  if (id == "CVE_") {
    id = "CVE-";
  }
  if (id != "CVE-") {
    return std::nullopt;
  }
  std::size_t i = 4;
  const auto digits = [&](std::size_t at_least) {
    const std::size_t start = i;
    while (i < token.size() && IsDigit(token[i])) {
      ++i;
    }
    return i - start >= at_least;
  };
  if (!digits(4) || i - 4 != 4 || i >= token.size() || token[i] != '-') {
    return std::nullopt;
  }
  ++i;
  if (!digits(4)) {
    return std::nullopt;
  }
  if (i < token.size() && IsAlnum(token[i])) {
    return std::nullopt;
  }
  id += token.substr(4, i - 4);
  return id;
}

// The CVE ids of one secfixes entry, as the file comment describes.
std::vector<std::string> CveIds(std::string_view entry,
                                std::map<std::string, std::int64_t>& skipped) {
  entry = entry.substr(0, entry.find('('));
  std::vector<std::string> ids;
  std::size_t i = 0;
  while (i < entry.size()) {
    while (i < entry.size() && std::isspace(static_cast<unsigned char>(entry[i]))) {
      ++i;
    }
    const std::size_t start = i;
    while (i < entry.size() && !std::isspace(static_cast<unsigned char>(entry[i]))) {
      ++i;
    }
    if (start == i) {
      break;
    }
    if (std::optional<std::string> id = CveAt(entry.substr(start, i - start))) {
      ids.push_back(std::move(*id));
    } else {
      ++skipped["not a CVE id"];
    }
  }
  return ids;
}

// One secfixes entry of one package, kept until the document's
// distroversion is known (JSON does not order an object's members).
struct Fix {
  std::string package;
  std::string version;
  std::string entry;
};

enum SecdbSlot : int {
  kDistroversion = JsonWalker::kDocument + 1,
  kPackages,
  kPackageItem,
  kPkg,
  kName,
  kSecfixes,
  kFixList,
  kFixEntry,
};

class SecdbWalker final : public JsonWalker {
 public:
  SecdbWalker(JsonStream& stream, VulnerabilitySet& vulnerabilities,
              std::map<std::string, std::int64_t>& skipped)
      : JsonWalker(stream), vulnerabilities_(vulnerabilities), skipped_(skipped) {}

 private:
  Shape ShapeOf(int slot) const override {
    switch (slot) {
      case kDocument:
      case kPackageItem:
      case kPkg:
        return {Type::kObject, false};
      case kSecfixes:
        return {Type::kObject, true};
      case kPackages:
      case kFixList:
        return {Type::kArray, true};
      default:
        return {Type::kString, true};
    }
  }

  int MemberSlot(int parent, std::string& key) override {
    switch (parent) {
      case kDocument:
        if (key == "distroversion") {
          return kDistroversion;
        }
        if (key == "packages") {
          return kPackages;
        }
        return kIgnored;
      case kPackageItem:
        return key == "pkg" ? kPkg : kIgnored;
      case kPkg:
        if (key == "name") {
          return kName;
        }
        if (key == "secfixes") {
          return kSecfixes;
        }
        return kIgnored;
      case kSecfixes:
        version_ = std::move(key);
        return kFixList;
      default:
        return kIgnored;
    }
  }

  int ElementSlot(int parent) override {
    if (parent == kPackages) {
      // Counted here, before the element opens, so that an element of the
      // wrong type is named by its own number.
      ++package_index_;
      return kPackageItem;
    }
    if (parent == kFixList) {
      return kFixEntry;
    }
    return kIgnored;
  }

  std::string Describe(int slot) const override {
    std::string package =
        "package " + std::to_string(package_index_) + (name_.empty() ? "" : " (\"" + name_ + "\")");
    switch (slot) {
      case kDocument:
        return "the document";
      case kDistroversion:
        return "distroversion";
      case kPackages:
        return "packages";
      case kPackageItem:
        return package;
      case kPkg:
        return package + " pkg";
      case kName:
        return package + " name";
      case kSecfixes:
        return package + " secfixes";
      case kFixList:
        return package + " secfixes \"" + version_ + "\"";
      default:
        return package + " secfixes \"" + version_ + "\" entry";
    }
  }

  void OnString(int slot, std::string& value) override {
    if (slot == kDistroversion) {
      distroversion_ = std::move(value);
    } else if (slot == kName) {
      name_ = std::move(value);
    } else if (slot == kFixEntry) {
      package_fixes_.push_back({"", version_, std::move(value)});
    }
  }

  void OnOpen(int slot) override {
    if (slot == kPackages) {
      package_index_ = 0;
    } else if (slot == kPackageItem) {
      name_.clear();
      package_fixes_.clear();
      has_pkg_ = false;
    } else if (slot == kPkg) {
      has_pkg_ = true;
    }
  }

  void OnClose(int slot) override {
    if (slot == kPackageItem) {
      ClosePackage();
    } else if (slot == kDocument) {
      CloseDocument();
    }
  }

  void ClosePackage() {
    if (!has_pkg_) {
      stream().Fail(Describe(kPackageItem) + " has no pkg");
    }
    if (name_.empty()) {
      stream().Fail(Describe(kPackageItem) + " has no name");
    }
    for (Fix& fix : package_fixes_) {
      fix.package = name_;
      fixes_.push_back(std::move(fix));
    }
    package_fixes_.clear();
  }

  void CloseDocument() {
    if (distroversion_.empty()) {
      stream().Fail("the document has no distroversion");
    }
    const std::optional<std::string> namespace_name = NamespaceFor(distroversion_);
    if (!namespace_name) {
      ++skipped_["unknown release " + distroversion_];
      return;
    }
    const version::Comparator& apk = *version::ForNamespace(*namespace_name);
    for (const Fix& fix : fixes_) {
      const bool never_affected = fix.version == "0";
      const bool valid = never_affected || apk.valid(fix.version);
      for (const std::string& id : CveIds(fix.entry, skipped_)) {
        if (!valid) {
          ++skipped_["invalid version"];
        } else if (never_affected) {
          // Listed, so the vulnerability exists in the release; the package
          // just has no FixedIn entry.
          vulnerabilities_.FindOrAdd(*namespace_name, id);
        } else {
          vulnerabilities_.AddFixedIn(*namespace_name, id, fix.package, fix.version);
        }
      }
    }
  }

  VulnerabilitySet& vulnerabilities_;
  std::map<std::string, std::int64_t>& skipped_;
  std::string distroversion_;
  std::size_t package_index_ = 0;
  bool has_pkg_ = false;
  std::string name_;
  std::string version_;
  std::vector<Fix> package_fixes_;
  std::vector<Fix> fixes_;
};

class AlpineSecdbParser final : public FeedParser {
 public:
  void Parse(std::istream& document, const std::string& document_name) override {
    // A document that fails adds nothing: it is read into its own set first.
    VulnerabilitySet parsed;
    std::map<std::string, std::int64_t> skipped;
    JsonStream stream(document, document_name, kSecdbLimits);
    SecdbWalker walker(stream, parsed, skipped);
    stream.Sax(walker);
    for (model::Vulnerability& v : parsed.Take()) {
      vulnerabilities_.FindOrAdd(v.namespace_name, v.name);
      for (const model::FixedIn& fixed : v.fixed_in) {
        vulnerabilities_.AddFixedIn(v.namespace_name, v.name, fixed.feature, fixed.version);
      }
    }
    for (const auto& [reason, count] : skipped) {
      skipped_[reason] += count;
    }
  }

  FeedResult Finish() override {
    return TakeFeedResult(vulnerabilities_, skipped_, [](model::Vulnerability& v) {
      v.link = std::string(kSecdbLinkPrefix) + v.name;
      v.severity = "Unknown";
    });
  }

 private:
  VulnerabilitySet vulnerabilities_;
  std::map<std::string, std::int64_t> skipped_;
};

}  // namespace

std::unique_ptr<FeedParser> NewAlpineSecdbParser() {
  return std::make_unique<AlpineSecdbParser>();
}

}  // namespace herald::updater
