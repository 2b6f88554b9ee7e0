// nvd (SPEC §8): NVD's CVE JSON feeds, 1.1 ("CVE_Items") and 2.0
// ("vulnerabilities"), read for their CVSS scores only. A yearly feed is
// tens of megabytes, so the document is read by SAX and only one CVE item
// at a time is built as a DOM.
#include <cstddef>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "updater/parsers/feed_parser.h"
#include "updater/parsers/json_stream.h"

namespace herald::updater {
namespace {

using Json = nlohmann::json;

enum class Format { kV11, kV20 };

// Reads the members one item needs, failing the document on a wrong type:
// a feed that changed shape must not silently drop every score.
class ItemReader {
 public:
  explicit ItemReader(JsonStream& stream) : stream_(stream) {}

  // The metadata object of one item, or null when it has no score; `id`
  // receives the CVE id.
  Json Read(const Json& item, Format format, std::string& id) {
    where_ = "item";
    const Json& cve = Required(item, "cve", Json::value_t::object, "cve");
    Json nvd = Json::object();
    if (format == Format::kV11) {
      id = String(
          Required(Required(cve, "CVE_data_meta", Json::value_t::object, "cve.CVE_data_meta"), "ID",
                   Json::value_t::string, "cve.CVE_data_meta.ID"));
      where_ = id;
      if (const Json* impact = Optional(item, "impact", Json::value_t::object, "impact")) {
        ReadV11Metric(*impact, "baseMetricV3", "cvssV3", "CVSSv3", nvd);
        ReadV11Metric(*impact, "baseMetricV2", "cvssV2", "CVSSv2", nvd);
      }
    } else {
      id = String(Required(cve, "id", Json::value_t::string, "cve.id"));
      where_ = id;
      if (const Json* metrics = Optional(cve, "metrics", Json::value_t::object, "cve.metrics")) {
        ReadV20Metric(*metrics, {"cvssMetricV31", "cvssMetricV30"}, "CVSSv3", nvd);
        ReadV20Metric(*metrics, {"cvssMetricV2"}, "CVSSv2", nvd);
      }
    }
    if (nvd.empty()) return nullptr;
    return Json{{"NVD", std::move(nvd)}};
  }

 private:
  [[noreturn]] void Fail(const std::string& path, const std::string& what) {
    stream_.Fail(where_ + ": " + path + " " + what);
  }

  const Json* Optional(const Json& object, const char* key, Json::value_t type,
                       const std::string& path) {
    const auto it = object.find(key);
    if (it == object.end()) return nullptr;
    // Integers stand for scores as well as floats do.
    const bool number = type == Json::value_t::number_float && it->is_number();
    if (it->type() != type && !number) Fail(path, std::string("is not ") + TypeName(type));
    return &*it;
  }

  const Json& Required(const Json& object, const char* key, Json::value_t type,
                       const std::string& path) {
    const Json* member = Optional(object, key, type, path);
    if (member == nullptr) Fail(path, "is missing");
    return *member;
  }

  static const std::string& String(const Json& value) {
    return value.get_ref<const Json::string_t&>();
  }

  static const char* TypeName(Json::value_t type) {
    switch (type) {
      case Json::value_t::object:
        return "an object";
      case Json::value_t::array:
        return "an array";
      case Json::value_t::string:
        return "a string";
      default:
        return "a number";
    }
  }

  // {"Score": 9.8, "Vectors": "CVSS:3.1/AV:N/…"}, Clair v1's names, from a
  // cvssV2, cvssV3 or cvssData object.
  Json Score(const Json& cvss, const std::string& path) {
    const std::string& vector =
        String(Required(cvss, "vectorString", Json::value_t::string, path + ".vectorString"));
    const double score =
        Required(cvss, "baseScore", Json::value_t::number_float, path + ".baseScore").get<double>();
    if (!(score >= 0 && score <= 10)) Fail(path + ".baseScore", "is not between 0 and 10");
    return Json{{"Score", score}, {"Vectors", vector}};
  }

  void ReadV11Metric(const Json& impact, const char* metric_key, const char* cvss_key,
                     const char* name, Json& nvd) {
    const std::string path = std::string("impact.") + metric_key;
    const Json* metric = Optional(impact, metric_key, Json::value_t::object, path);
    if (metric == nullptr) return;
    const std::string cvss_path = path + "." + cvss_key;
    nvd[name] = Score(Required(*metric, cvss_key, Json::value_t::object, cvss_path), cvss_path);
  }

  // 2.0 lists several assessments of one version: NVD's own ("Primary") is
  // preferred, then the first other source's (a CNA's, "Secondary"), since
  // NVD has a backlog of CVEs it has not scored. `keys` name the lists of
  // one CVSS major version, newest minor version first.
  void ReadV20Metric(const Json& metrics, std::initializer_list<const char*> keys, const char* name,
                     Json& nvd) {
    bool chosen = false;
    bool chosen_primary = false;
    for (const char* key : keys) {
      const std::string path = std::string("cve.metrics.") + key;
      const Json* list = Optional(metrics, key, Json::value_t::array, path);
      if (list == nullptr) continue;
      for (std::size_t i = 0; i < list->size(); ++i) {
        const std::string entry_path = path + "[" + std::to_string(i) + "]";
        const Json& entry = (*list)[i];
        if (!entry.is_object()) Fail(entry_path, "is not an object");
        const Json* type = Optional(entry, "type", Json::value_t::string, entry_path + ".type");
        const bool primary = type != nullptr && String(*type) == "Primary";
        const std::string data_path = entry_path + ".cvssData";
        const Json& data = Required(entry, "cvssData", Json::value_t::object, data_path);
        // Every entry is checked, even one that is not chosen.
        Json score = Score(data, data_path);
        if (!chosen || (primary && !chosen_primary)) {
          chosen = true;
          chosen_primary = primary;
          nvd[name] = std::move(score);
        }
      }
    }
  }

  JsonStream& stream_;
  std::string where_;
};

// Finds the items array under the root object and hands each item, built
// as a DOM, to ItemReader. Only the members ItemReader reads are built:
// descriptions, references and CPE configurations, the bulk of an item,
// only pass through, as does everything outside the items.
class NvdHandler final : public nlohmann::json_sax<Json> {
 public:
  NvdHandler(JsonStream& stream, std::map<std::string, std::string>& metadata)
      : stream_(stream), items_(stream), metadata_(metadata) {}

  bool null() override { return Value(nullptr); }
  bool boolean(bool value) override { return Value(value); }
  bool number_integer(number_integer_t value) override { return Value(value); }
  bool number_unsigned(number_unsigned_t value) override { return Value(value); }
  bool number_float(number_float_t value, const string_t& /*text*/) override {
    return Value(value);
  }
  bool string(string_t& value) override { return Value(std::move(value)); }
  bool binary(binary_t& value) override { return Value(Json::binary(value)); }

  bool key(string_t& value) override {
    if (skip_depth_ > 0) return true;
    if (!building_.empty()) {
      key_ = std::move(value);
      wanted_ = Wanted(key_);
    } else if (depth_ == 1) {
      root_key_ = std::move(value);
    }
    return true;
  }

  bool start_object(std::size_t /*elements*/) override {
    if (skip_depth_ > 0 || !building_.empty()) return Open(Json::object());
    CheckOutside(Json::value_t::object);
    if (in_items_ && depth_ == 2) {
      item_ = Json::object();
      building_.push_back(&item_);
      building_keys_.emplace_back();
      return true;
    }
    ++depth_;
    return true;
  }

  bool end_object() override {
    if (skip_depth_ > 0 || !building_.empty()) return Close();
    --depth_;
    return true;
  }

  bool start_array(std::size_t /*elements*/) override {
    if (skip_depth_ > 0 || !building_.empty()) return Open(Json::array());
    CheckOutside(Json::value_t::array);
    if (depth_ == 1 && ItemsFormat()) {
      in_items_ = true;
      format_ = *ItemsFormat();
      seen_items_ = true;
    }
    ++depth_;
    return true;
  }

  bool end_array() override {
    if (skip_depth_ > 0 || !building_.empty()) return Close();
    if (--depth_ == 1) in_items_ = false;
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& e) override {
    // JsonStream reports syntax errors before they reach this handler.
    stream_.Fail(e.what());
  }

  bool seen_items() const { return seen_items_; }

 private:
  std::optional<Format> ItemsFormat() const {
    if (root_key_ == "CVE_Items") return Format::kV11;
    if (root_key_ == "vulnerabilities") return Format::kV20;
    return std::nullopt;
  }

  // A container or value met outside an item must fit where it is.
  void CheckOutside(Json::value_t type) {
    if (depth_ == 0 && type != Json::value_t::object) stream_.Fail("not a JSON object");
    if (depth_ == 1 && ItemsFormat() && type != Json::value_t::array) {
      stream_.Fail(root_key_ + " is not an array");
    }
    if (in_items_ && depth_ == 2 && type != Json::value_t::object) {
      stream_.Fail("an item of " + root_key_ + " is not an object");
    }
  }

  // Whether the member `key` of the object being built is one ItemReader
  // reads: cve and impact in an item (1.1 and 2.0), then the id and the
  // metrics in cve, and everything below those.
  bool Wanted(const std::string& key) const {
    if (building_.size() == 1) return key == "cve" || key == "impact";
    if (building_.size() == 2 && building_keys_.back() == "cve") {
      return key == "CVE_data_meta" || key == "id" || key == "metrics";
    }
    return true;
  }

  // Whether the value starting now inside an item is built.
  bool Keeps() const { return skip_depth_ == 0 && (building_.back()->is_array() || wanted_); }

  bool Value(Json value) {
    if (skip_depth_ > 0) return true;
    if (!building_.empty()) {
      if (Keeps()) Put(std::move(value));
    } else {
      CheckOutside(value.type());
    }
    return true;
  }

  bool Open(Json container) {
    if (!Keeps()) {
      ++skip_depth_;
      return true;
    }
    std::string key = building_.back()->is_object() ? key_ : std::string();
    building_.push_back(&Put(std::move(container)));
    building_keys_.push_back(std::move(key));
    return true;
  }

  bool Close() {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    building_.pop_back();
    building_keys_.pop_back();
    if (building_.empty()) ReadItem();
    return true;
  }

  // Adds `value` to the innermost container being built; pointers to the
  // enclosing containers stay valid, only the last child of each is added.
  Json& Put(Json value) {
    Json& parent = *building_.back();
    if (parent.is_object()) {
      Json& slot = parent[key_];
      slot = std::move(value);
      return slot;
    }
    parent.push_back(std::move(value));
    return parent.back();
  }

  void ReadItem() {
    std::string id;
    Json metadata = items_.Read(item_, format_, id);
    item_ = nullptr;
    // The last document to list a CVE decides: the "modified" feed comes
    // after the yearly ones in file name order.
    if (metadata.is_null()) {
      metadata_.erase(id);
    } else {
      metadata_[id] = metadata.dump();
    }
  }

  JsonStream& stream_;
  ItemReader items_;
  std::map<std::string, std::string>& metadata_;
  int depth_ = 0;  // of the containers outside the item being built
  std::string root_key_;
  bool in_items_ = false;
  bool seen_items_ = false;
  Format format_ = Format::kV11;
  Json item_;
  // The containers being built, innermost last, and the key each is under.
  std::vector<Json*> building_;
  std::vector<std::string> building_keys_;
  std::string key_;
  bool wanted_ = false;
  int skip_depth_ = 0;  // > 0 inside a container of the item that is not built
};

class NvdParser final : public FeedParser {
 public:
  void Parse(std::istream& document, const std::string& document_name) override {
    // Items are applied as they are read: a document that fails fails its
    // whole source, so what it left behind is never used.
    JsonStream stream(document, document_name, JsonLimits{});
    NvdHandler handler(stream, metadata_);
    stream.Sax(handler);
    if (!handler.seen_items()) stream.Fail("neither CVE_Items nor vulnerabilities");
  }

  FeedResult Finish() override {
    FeedResult result;
    result.metadata_by_name = std::move(metadata_);
    metadata_.clear();
    return result;
  }

 private:
  std::map<std::string, std::string> metadata_;
};

}  // namespace

std::unique_ptr<FeedParser> NewNvdParser() {
  return std::make_unique<NvdParser>();
}

}  // namespace herald::updater
