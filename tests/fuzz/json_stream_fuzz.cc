// Streamed feed documents (issue 8): the bytes a feed serves are hostile.
// JsonStream::Sax reads them with RapidJSON and hands nlohmann SAX events
// to the parsers, which nlohmann's own parser did before; so the oracle is
// nlohmann itself. Every document is either refused with a ParseError or
// read into exactly the value nlohmann reads (NUL removed from strings, as
// Sax does); Sax refuses what nlohmann accepts only for its own limits
// (depth, string length, a number literal RapidJSON finds too long). The
// bytes come through a streambuf that hands out the chunks the input's
// first byte chooses, so that the reader's blocks end anywhere: inside a
// string, an escape, a number, before a NUL.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <nlohmann/json.hpp>
#include <streambuf>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "updater/parsers/feed_parser.h"
#include "updater/parsers/json_stream.h"

namespace {

using Json = nlohmann::json;

class ChunkedStreambuf : public std::streambuf {
 public:
  ChunkedStreambuf(std::string_view data, std::size_t chunk) : data_(data), chunk_(chunk) {}

 protected:
  std::streamsize xsgetn(char* out, std::streamsize count) override {
    const std::size_t n =
        std::min({static_cast<std::size_t>(count), chunk_, data_.size() - offset_});
    std::copy_n(data_.data() + offset_, n, out);
    offset_ += n;
    return static_cast<std::streamsize>(n);
  }
  int_type underflow() override {
    if (offset_ == data_.size()) return traits_type::eof();
    one_ = data_[offset_++];
    setg(&one_, &one_, &one_ + 1);
    return traits_type::to_int_type(one_);
  }

 private:
  std::string_view data_;
  std::size_t chunk_;
  std::size_t offset_ = 0;
  char one_ = 0;
};

// Builds the value the events describe.
class DomBuilder final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return Put(nullptr); }
  bool boolean(bool value) override { return Put(value); }
  bool number_integer(number_integer_t value) override { return Put(value); }
  bool number_unsigned(number_unsigned_t value) override { return Put(value); }
  bool number_float(number_float_t value, const string_t&) override { return Put(value); }
  bool string(string_t& value) override { return Put(value); }
  bool binary(binary_t&) override { return false; }
  bool start_object(std::size_t) override {
    open_.push_back(Put(Json::object()));
    return true;
  }
  bool key(string_t& value) override {
    key_ = value;
    return true;
  }
  bool end_object() override {
    open_.pop_back();
    return true;
  }
  bool start_array(std::size_t) override {
    open_.push_back(Put(Json::array()));
    return true;
  }
  bool end_array() override {
    open_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  Json& value() { return root_; }

 private:
  // The new value's place: the root, the next array element, or the key's.
  Json* Put(Json value) {
    if (open_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json& parent = *open_.back();
    if (parent.is_array()) {
      parent.push_back(std::move(value));
      return &parent.back();
    }
    Json& slot = parent[key_];
    slot = std::move(value);
    return &slot;
  }

  Json root_;
  std::vector<Json*> open_;
  std::string key_;
};

std::string WithoutNul(const std::string& text) {
  std::string out = text;
  out.erase(std::remove(out.begin(), out.end(), '\0'), out.end());
  return out;
}

// nlohmann's value as Sax hands it out: NUL removed from strings and keys.
Json AsSaxReadsIt(const Json& value) {
  if (value.is_string()) return WithoutNul(value.get<std::string>());
  if (value.is_array()) {
    Json out = Json::array();
    for (const Json& item : value) out.push_back(AsSaxReadsIt(item));
    return out;
  }
  if (value.is_object()) {
    Json out = Json::object();
    for (const auto& [key, item] : value.items()) out[WithoutNul(key)] = AsSaxReadsIt(item);
    return out;
  }
  return value;
}

// Sax's own limits, and RapidJSON's refusal of a literal whose exponent or
// digits alone pass a double's range (0e400 is 0 to nlohmann).
bool RefusedForALimit(const std::string& message) {
  return message.find("nested deeper than") != std::string::npos ||
         message.find("string longer than") != std::string::npos ||
         message.find("Number too big to be stored in double") != std::string::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 32;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);

  const Json expected = Json::parse(input, nullptr, /*allow_exceptions=*/false);
  ChunkedStreambuf buffer(input, chunk);
  std::istream in(&buffer);
  herald::updater::JsonStream stream(
      in, "fuzz.json", {.max_string_bytes = 256, .max_document_bytes = 0, .max_depth = 16});
  DomBuilder built;
  try {
    stream.Sax(built);
  } catch (const herald::updater::ParseError& e) {
    // A raw NUL ends nlohmann's input, so a document followed by one passes
    // there; Sax refuses every raw NUL.
    const bool nul = input.find('\0') != std::string_view::npos;
    HERALD_FUZZ_CHECK(expected.is_discarded() || nul || RefusedForALimit(e.what()));
    return 0;
  }
  HERALD_FUZZ_CHECK(!expected.is_discarded());
  HERALD_FUZZ_CHECK(built.value() == AsSaxReadsIt(expected));
  return 0;
}
