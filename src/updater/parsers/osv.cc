// osv (SPEC §8): OSV documents (ossf.github.io/osv-schema), one
// vulnerability each, read whole since each is small.
//
// Mapping choices SPEC leaves open:
//  - "Ubuntu:Pro:..." ecosystems are skipped and counted: their fixes are
//    versions from the Pro (ESM) archives, which a plain ubuntu:YY.MM image
//    cannot install, and the release's own ecosystem already says whether
//    the release is affected.
//  - A withdrawn document describes no vulnerability; it is skipped and
//    counted.
//  - Rocky Linux and AlmaLinux versions lose a "0:" epoch, as rhel-oval's
//    do, so that the centos:N namespace spells one version one way.
//  - Several affected entries for one package in one namespace keep the
//    later fix (VulnerabilitySet). The first CVSS_V3 vector that parses
//    gives the severity when database_specific has none.
// Fields Herald reads must have the schema's types, or the document is
// rejected; the others are not looked at. database_specific is free-form
// by the schema, so a severity there that is not a string is ignored.
#include <array>
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

#include <nlohmann/json.hpp>

#include "updater/parsers/cvss.h"
#include "updater/parsers/feed_parser.h"
#include "updater/parsers/json_stream.h"
#include "updater/parsers/vulnerability_set.h"
#include "version/comparator.h"

namespace herald::updater {
namespace {

using Json = nlohmann::json;

constexpr std::string_view kFallbackLinkPrefix = "https://osv.dev/vulnerability/";

// OSV documents are kilobytes; the largest (long version lists) a few MB.
constexpr JsonLimits kOsvLimits = {
    .max_string_bytes = 1 << 20, .max_document_bytes = 32 << 20, .max_depth = 64};

bool AllDigits(std::string_view text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c)) == 0) {
      return false;
    }
  }
  return true;
}

// "22.04" and the like.
bool IsUbuntuRelease(std::string_view text) {
  const std::size_t dot = text.find('.');
  return dot != std::string_view::npos && AllDigits(text.substr(0, dot)) &&
         AllDigits(text.substr(dot + 1));
}

std::optional<std::string> NamespaceForEcosystem(std::string_view ecosystem) {
  const std::size_t colon = ecosystem.find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view name = ecosystem.substr(0, colon);
  std::string_view release = ecosystem.substr(colon + 1);
  if (name == "Debian" && AllDigits(release)) {
    return "debian:" + std::string(release);
  }
  if (name == "Ubuntu") {
    if (release.ends_with(":LTS")) {
      release.remove_suffix(4);
    }
    if (IsUbuntuRelease(release)) {
      return "ubuntu:" + std::string(release);
    }
    return std::nullopt;
  }
  if (name == "Alpine" && release.starts_with('v') && IsUbuntuRelease(release.substr(1))) {
    return "alpine:" + std::string(release);
  }
  if ((name == "Rocky Linux" || name == "AlmaLinux") && AllDigits(release)) {
    return "centos:" + std::string(release);
  }
  return std::nullopt;
}

std::optional<std::string_view> SeverityFromDatabase(std::string_view text) {
  std::string upper(text);
  for (char& c : upper) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (upper == "LOW") {
    return "Low";
  }
  if (upper == "MEDIUM" || upper == "MODERATE") {
    return "Medium";
  }
  if (upper == "HIGH") {
    return "High";
  }
  if (upper == "CRITICAL") {
    return "Critical";
  }
  return std::nullopt;
}

// Typed access to one document's DOM; a member of the wrong type is a
// ParseError naming its path ("affected[0].ranges[1].type").
class Document {
 public:
  explicit Document(const std::string& name) : name_(name) {}

  // The member `key` of `object`, or nullptr when it is absent or null.
  const Json* Member(const Json& object, const char* key, Json::value_t type,
                     const std::string& path) const {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) {
      return nullptr;
    }
    if (it->type() != type) {
      Fail(Join(path, key), type);
    }
    return &*it;
  }

  std::string String(const Json& object, const char* key, const std::string& path) const {
    const Json* value = Member(object, key, Json::value_t::string, path);
    return value == nullptr ? std::string() : value->get<std::string>();
  }

  // The elements of an array member, each required to be an object.
  template <typename Visit>
  void Objects(const Json& object, const char* key, const std::string& path, Visit visit) const {
    const Json* array = Member(object, key, Json::value_t::array, path);
    if (array == nullptr) {
      return;
    }
    for (std::size_t i = 0; i < array->size(); ++i) {
      const std::string element = Join(path, key) + "[" + std::to_string(i) + "]";
      if (!(*array)[i].is_object()) {
        Fail(element, Json::value_t::object);
      }
      visit((*array)[i], element);
    }
  }

  static std::string Join(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
  }

  [[noreturn]] void Fail(const std::string& path, Json::value_t type) const {
    const char* what = type == Json::value_t::object  ? "an object"
                       : type == Json::value_t::array ? "an array"
                                                      : "a string";
    throw ParseError(name_, "", path + " must be " + what);
  }

 private:
  const std::string& name_;
};

// Everything one document adds, merged into the parser once it is all read.
struct Parsed {
  VulnerabilitySet vulnerabilities;
  std::map<std::string, std::int64_t> skipped;
};

class OsvReader {
 public:
  OsvReader(const std::string& name, Parsed& out) : name_(name), doc_(name), out_(out) {}

  void Read(const Json& root) {
    if (!root.is_object()) {
      doc_.Fail("the document", Json::value_t::object);
    }
    const std::string id = doc_.String(root, "id", "");
    if (id.empty()) {
      throw ParseError(doc_name(), "", "the document has no id");
    }
    if (!doc_.String(root, "withdrawn", "").empty()) {
      ++out_.skipped["withdrawn"];
      return;
    }
    std::string description = doc_.String(root, "details", "");
    if (description.empty()) {
      description = doc_.String(root, "summary", "");
    }
    const std::string severity = Severity(root);
    const std::string link = Link(root, id);

    doc_.Objects(root, "affected", "", [&](const Json& affected, const std::string& path) {
      const std::optional<std::string> namespace_name = Affected(affected, path, id);
      if (!namespace_name) {
        return;
      }
      model::Vulnerability& v = out_.vulnerabilities.FindOrAdd(*namespace_name, id);
      v.description = description;
      v.severity = severity;
      v.link = link;
    });
  }

 private:
  const std::string& doc_name() const { return name_; }

  std::string Severity(const Json& root) const {
    // The vectors are read first so that their types are checked even when
    // database_specific decides.
    std::optional<double> score;
    doc_.Objects(root, "severity", "", [&](const Json& entry, const std::string& path) {
      const std::string type = doc_.String(entry, "type", path);
      const std::string vector = doc_.String(entry, "score", path);
      if (!score && type == "CVSS_V3") {
        score = CvssV3BaseScore(vector);
      }
    });
    if (const Json* db = doc_.Member(root, "database_specific", Json::value_t::object, "")) {
      const auto it = db->find("severity");
      if (it != db->end() && it->is_string()) {
        if (auto severity = SeverityFromDatabase(it->get_ref<const std::string&>())) {
          return std::string(*severity);
        }
      }
    }
    return score ? std::string(SeverityFromCvssScore(*score)) : "Unknown";
  }

  std::string Link(const Json& root, const std::string& id) const {
    std::string link;
    doc_.Objects(root, "references", "", [&](const Json& reference, const std::string& path) {
      const std::string type = doc_.String(reference, "type", path);
      const std::string url = doc_.String(reference, "url", path);
      if (link.empty() && (type == "ADVISORY" || type == "WEB")) {
        link = url;
      }
    });
    return link.empty() ? std::string(kFallbackLinkPrefix) + id : link;
  }

  // Adds the FixedIn entry of one affected[] element; its namespace, or
  // nullopt when it names none.
  std::optional<std::string> Affected(const Json& affected, const std::string& path,
                                      const std::string& id) {
    const Json* package = doc_.Member(affected, "package", Json::value_t::object, path);
    if (package == nullptr) {
      ++out_.skipped["affected without package"];
      return std::nullopt;
    }
    const std::string ecosystem =
        doc_.String(*package, "ecosystem", Document::Join(path, "package"));
    const std::string name = doc_.String(*package, "name", Document::Join(path, "package"));
    std::optional<std::string> namespace_name = NamespaceForEcosystem(ecosystem);
    if (!namespace_name) {
      ++out_.skipped["ecosystem " + ecosystem];
      return std::nullopt;
    }
    if (name.empty()) {
      ++out_.skipped["affected without package name"];
      return std::nullopt;
    }

    std::optional<std::string> fixed;
    doc_.Objects(affected, "ranges", path, [&](const Json& range, const std::string& range_path) {
      const std::string type = doc_.String(range, "type", range_path);
      doc_.Objects(range, "events", range_path, [&](const Json& event, const std::string& at) {
        const std::string version = doc_.String(event, "fixed", at);
        if (!fixed && type == "ECOSYSTEM" && !version.empty()) {
          fixed = version;
        }
      });
    });

    std::string version(fixed ? *fixed : version::kMaxVersion);
    if (fixed && namespace_name->starts_with("centos:") && version.starts_with("0:")) {
      version.erase(0, 2);
    }
    if (fixed && !version::ForNamespace(*namespace_name)->valid(version)) {
      ++out_.skipped["invalid version"];
      // The vulnerability still exists there; this package's fix is unknown.
      return namespace_name;
    }
    out_.vulnerabilities.AddFixedIn(*namespace_name, id, name, version);
    return namespace_name;
  }

  const std::string& name_;
  Document doc_;
  Parsed& out_;
};

class OsvParser final : public FeedParser {
 public:
  void Parse(std::istream& document, const std::string& document_name) override {
    JsonStream stream(document, document_name, kOsvLimits);
    const Json root = stream.Dom();
    Parsed parsed;
    OsvReader(document_name, parsed).Read(root);
    for (model::Vulnerability& v : parsed.vulnerabilities.Take()) {
      model::Vulnerability& into = vulnerabilities_.FindOrAdd(v.namespace_name, v.name);
      into.description = v.description;
      into.severity = v.severity;
      into.link = v.link;
      for (const model::FixedIn& fixed : v.fixed_in) {
        vulnerabilities_.AddFixedIn(v.namespace_name, v.name, fixed.feature, fixed.version);
      }
    }
    for (const auto& [reason, count] : parsed.skipped) {
      skipped_[reason] += count;
    }
  }

  FeedResult Finish() override { return TakeFeedResult(vulnerabilities_, skipped_); }

 private:
  VulnerabilitySet vulnerabilities_;
  std::map<std::string, std::int64_t> skipped_;
};

}  // namespace

std::unique_ptr<FeedParser> NewOsvParser() {
  return std::make_unique<OsvParser>();
}

}  // namespace herald::updater
