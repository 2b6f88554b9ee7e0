#include "updater/parsers/json_stream.h"

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>

#include "updater/parsers/feed_parser.h"

namespace herald::updater {

// The bytes of a JsonStream as nlohmann's iterator input sees them: every
// byte the lexer takes goes through JsonStream::Consume, which may throw.
// The default-constructed iterator is the end.
class JsonStreamIterator {
 public:
  using iterator_category = std::input_iterator_tag;
  using value_type = char;
  using difference_type = std::ptrdiff_t;
  using pointer = const char*;
  using reference = char;

  JsonStreamIterator() = default;
  explicit JsonStreamIterator(JsonStream* stream) : stream_(stream), buffer_(stream->in_.rdbuf()) {}

  char operator*() const { return std::char_traits<char>::to_char_type(buffer_->sgetc()); }

  JsonStreamIterator& operator++() {
    const char c = **this;
    buffer_->sbumpc();
    stream_->Consume(c);
    return *this;
  }

  JsonStreamIterator operator++(int) {
    JsonStreamIterator before = *this;
    ++*this;
    return before;
  }

  bool operator==(const JsonStreamIterator& other) const { return AtEnd() == other.AtEnd(); }

 private:
  bool AtEnd() const {
    return buffer_ == nullptr ||
           std::char_traits<char>::eq_int_type(buffer_->sgetc(), std::char_traits<char>::eof());
  }

  JsonStream* stream_ = nullptr;
  std::streambuf* buffer_ = nullptr;
};

namespace {

using Json = nlohmann::json;

void StripNul(std::string& text) {
  text.erase(std::remove(text.begin(), text.end(), '\0'), text.end());
}

// nlohmann prefixes its messages with "[json.exception.parse_error.101] ",
// which says nothing to an operator.
std::string Describe(const nlohmann::detail::exception& e) {
  std::string_view what = e.what();
  if (const std::size_t end = what.find("] ");
      !what.empty() && what.front() == '[' && end != std::string_view::npos) {
    what.remove_prefix(end + 2);
  }
  return std::string(what);
}

// Enforces the depth limit and turns syntax errors into ParseError before
// the feed's own handler sees anything.
class BoundedSax final : public nlohmann::json_sax<Json> {
 public:
  BoundedSax(JsonStream& stream, nlohmann::json_sax<Json>& inner, const std::string& document,
             int max_depth)
      : stream_(stream), inner_(inner), document_(document), max_depth_(max_depth) {}

  bool null() override { return inner_.null(); }
  bool boolean(bool value) override { return inner_.boolean(value); }
  bool number_integer(number_integer_t value) override { return inner_.number_integer(value); }
  bool number_unsigned(number_unsigned_t value) override { return inner_.number_unsigned(value); }
  bool number_float(number_float_t value, const string_t& text) override {
    return inner_.number_float(value, text);
  }
  bool string(string_t& value) override {
    StripNul(value);
    return inner_.string(value);
  }
  bool binary(binary_t& value) override { return inner_.binary(value); }
  bool start_object(std::size_t elements) override {
    Enter();
    return inner_.start_object(elements);
  }
  bool key(string_t& value) override {
    StripNul(value);
    return inner_.key(value);
  }
  bool end_object() override {
    --depth_;
    return inner_.end_object();
  }
  bool start_array(std::size_t elements) override {
    Enter();
    return inner_.start_array(elements);
  }
  bool end_array() override {
    --depth_;
    return inner_.end_array();
  }
  bool parse_error(std::size_t position, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& e) override {
    throw ParseError(document_, "byte " + std::to_string(position), Describe(e));
  }

 private:
  void Enter() {
    if (depth_ >= max_depth_) {
      stream_.Fail("nested deeper than " + std::to_string(max_depth_) + " levels");
    }
    ++depth_;
  }

  JsonStream& stream_;
  nlohmann::json_sax<Json>& inner_;
  const std::string& document_;
  const int max_depth_;
  int depth_ = 0;
};

}  // namespace

JsonStream::JsonStream(std::istream& in, std::string document_name, JsonLimits limits)
    : in_(in), document_name_(std::move(document_name)), limits_(limits) {}

void JsonStream::Fail(const std::string& what) const {
  throw ParseError(document_name_, "byte " + std::to_string(consumed_), what);
}

void JsonStream::Consume(char c) {
  ++consumed_;
  // nlohmann's lexer takes a NUL for the end of input, so a document
  // followed by NUL and garbage would pass as complete; JSON allows no raw
  // NUL anywhere.
  if (c == '\0') Fail("a NUL byte, which JSON does not allow");
  if (limits_.max_document_bytes != 0 && consumed_ > limits_.max_document_bytes) {
    Fail("document longer than " + std::to_string(limits_.max_document_bytes) + " bytes");
  }
  if (!in_string_) {
    if (c == '"') {
      in_string_ = true;
      string_bytes_ = 0;
    }
    return;
  }
  if (escaped_) {
    escaped_ = false;
  } else if (c == '\\') {
    escaped_ = true;
  } else if (c == '"') {
    in_string_ = false;
    return;
  }
  if (++string_bytes_ > limits_.max_string_bytes) {
    Fail("string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
  }
}

void JsonStream::Sax(nlohmann::json_sax<Json>& handler) {
  BoundedSax bounded(*this, handler, document_name_, limits_.max_depth);
  if (!Json::sax_parse(JsonStreamIterator(this), JsonStreamIterator(), &bounded)) {
    // Handlers report their errors by throwing; a bare false is a bug, but
    // it must still fail the document rather than pass it half read.
    Fail("document rejected");
  }
}

Json JsonStream::Dom() {
  const int max_depth = limits_.max_depth;
  const Json::parser_callback_t limit = [this, max_depth](int depth, Json::parse_event_t event,
                                                          Json& parsed) {
    if ((event == Json::parse_event_t::object_start || event == Json::parse_event_t::array_start) &&
        depth >= max_depth) {
      Fail("nested deeper than " + std::to_string(max_depth) + " levels");
    }
    // Keys cannot be rewritten from here; DOM readers only look keys up.
    if (event == Json::parse_event_t::value && parsed.is_string()) {
      StripNul(parsed.get_ref<std::string&>());
    }
    return true;
  };
  try {
    return Json::parse(JsonStreamIterator(this), JsonStreamIterator(), limit);
  } catch (const Json::parse_error& e) {
    throw ParseError(document_name_, "byte " + std::to_string(e.byte), Describe(e));
  } catch (const Json::exception& e) {
    Fail(Describe(e));
  }
}

}  // namespace herald::updater
