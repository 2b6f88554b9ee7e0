#include "updater/parsers/json_stream.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

#include <rapidjson/error/en.h>
#include <rapidjson/reader.h>

#include "updater/parsers/feed_parser.h"
#include "util/utf8.h"

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

// The bytes of a JsonStream as RapidJSON's input stream concept wants them,
// read a block at a time so that taking a byte is a pointer increment:
// '\0' for the end. JSON has no raw NUL, and RapidJSON would read one as
// the end of the document, so a block ends before a NUL and reaching it
// fails the document at its position; the document length limit is
// checked the same way.
class RapidJsonInput {
 public:
  using Ch = char;

  explicit RapidJsonInput(JsonStream& stream) : stream_(stream) {}
  RapidJsonInput(const RapidJsonInput&) = delete;
  RapidJsonInput& operator=(const RapidJsonInput&) = delete;

  Ch Peek() { return pos_ != end_ || Fill() ? *pos_ : '\0'; }
  Ch Take() { return pos_ != end_ || Fill() ? *pos_++ : '\0'; }
  std::size_t Tell() const { return static_cast<std::size_t>(before_ + (pos_ - block_.data())); }

  // Only in-situ parsing writes; these are never called.
  Ch* PutBegin() { return nullptr; }
  void Put(Ch) {}
  void Flush() {}
  std::size_t PutEnd(Ch*) { return 0; }

 private:
  enum class Stop { kNone, kNul, kLimit };

  // The next block; false at the end of the document.
  bool Fill() {
    before_ += static_cast<std::uint64_t>(end_ - block_.data());
    pos_ = end_ = block_.data();
    if (stop_ == Stop::kNul) {
      stream_.FailAt(before_ + 1, "a NUL byte, which JSON does not allow");
    }
    if (stop_ == Stop::kLimit) {
      stream_.FailAt(
          before_ + 1,
          "document longer than " + std::to_string(stream_.limits_.max_document_bytes) + " bytes");
    }
    const std::streamsize got =
        stream_.in_.rdbuf()->sgetn(block_.data(), static_cast<std::streamsize>(block_.size()));
    if (got <= 0) return false;
    auto n = static_cast<std::size_t>(got);
    const std::uint64_t max = stream_.limits_.max_document_bytes;
    if (max != 0 && before_ + n > max) {
      n = static_cast<std::size_t>(max - before_);
      stop_ = Stop::kLimit;
    }
    if (const void* nul = std::memchr(block_.data(), '\0', n)) {
      n = static_cast<std::size_t>(static_cast<const char*>(nul) - block_.data());
      stop_ = Stop::kNul;
    }
    end_ = block_.data() + n;
    return n != 0 || Fill();
  }

  JsonStream& stream_;
  std::array<char, 64 << 10> block_{};
  const char* pos_ = block_.data();
  const char* end_ = block_.data();
  std::uint64_t before_ = 0;  // bytes of the blocks before this one
  Stop stop_ = Stop::kNone;
};

namespace {

using Json = nlohmann::json;

// Thrown by BoundedStack when a string outgrows JsonLimits::max_string_bytes.
struct StringTooLong {};

// The allocator of RapidJSON's parse stack, which holds the string being
// read (recursion keeps no state there): growing it past a capacity that
// already exceeds the limit means the string is longer than the limit, so
// a 100 MB string is refused after about the limit's bytes, never held.
class BoundedStack {
 public:
  // Part of RapidJSON's allocator concept, read by its containers, not its stack.
  [[maybe_unused]] static constexpr bool kNeedFree = true;

  explicit BoundedStack(std::size_t max_string_bytes) : max_(max_string_bytes) {}
  // RapidJSON's stack can make its own allocator; the reader is always given
  // one, so this unbounded one is never made.
  BoundedStack() : max_(std::numeric_limits<std::size_t>::max()) {}

  void* Malloc(std::size_t size) { return Realloc(nullptr, 0, size); }
  void* Realloc(void* block, std::size_t old_size, std::size_t new_size) {
    if (old_size > max_) throw StringTooLong{};
    if (new_size == 0) {
      std::free(block);
      return nullptr;
    }
    void* grown = std::realloc(block, new_size);
    if (grown == nullptr) throw std::bad_alloc();
    return grown;
  }
  static void Free(void* block) { std::free(block); }

 private:
  std::size_t max_;
};

// RapidJSON's handler concept, forwarding to an nlohmann SAX handler with
// the same events nlohmann's own parser gives: a non-negative integer is
// unsigned, a negative one signed, anything else a float.
class SaxForwarder {
 public:
  using Ch = char;

  SaxForwarder(JsonStream& stream, nlohmann::json_sax<Json>& sax, std::size_t max_string_bytes)
      : stream_(stream), sax_(sax), max_string_bytes_(max_string_bytes) {}

  bool Null() { return sax_.null(); }
  bool Bool(bool value) { return sax_.boolean(value); }
  bool Int(int value) { return sax_.number_integer(value); }
  bool Uint(unsigned value) { return sax_.number_unsigned(value); }
  bool Int64(std::int64_t value) { return sax_.number_integer(value); }
  bool Uint64(std::uint64_t value) { return sax_.number_unsigned(value); }
  bool Double(double value) {  // not asked for: numbers come as RawNumber
    text_.clear();
    return sax_.number_float(value, text_);
  }
  // Numbers are converted here, not by RapidJSON 1.1.0: its full-precision
  // conversion reads "0E-201" as -1.47e-185 (__builtin_clzll(0) in
  // internal/diyfp.h; found by json_stream_fuzz), and its normal one is off
  // by an ulp for long mantissas. from_chars rounds correctly, as strtod
  // (nlohmann's) does; an integer that does not fit is a float, as in
  // nlohmann; a float that overflows is refused, one that underflows is 0.
  bool RawNumber(const Ch* text, rapidjson::SizeType length, bool /*copy*/) {
    const char* end = text + length;
    const bool integral =
        std::none_of(text, end, [](char c) { return c == '.' || c == 'e' || c == 'E'; });
    if (integral && text[0] == '-') {
      std::int64_t value = 0;
      if (const auto r = std::from_chars(text, end, value); r.ec == std::errc() && r.ptr == end) {
        return sax_.number_integer(value);
      }
    } else if (integral) {
      std::uint64_t value = 0;
      if (const auto r = std::from_chars(text, end, value); r.ec == std::errc() && r.ptr == end) {
        return sax_.number_unsigned(value);
      }
    }
    text_.assign(text, length);
    double value = 0;
    const auto r = std::from_chars(text, end, value);
    if (r.ec == std::errc::result_out_of_range) {
      // Too large or too small for a double: strtod says which (±HUGE_VAL).
      value = std::strtod(text_.c_str(), nullptr);
    } else if (r.ec != std::errc() || r.ptr != end) {
      stream_.Fail("a number that is no double: " + text_);  // RapidJSON checked the grammar
    }
    if (!std::isfinite(value)) stream_.Fail("number overflow: " + text_);
    return sax_.number_float(value, text_);
  }
  bool String(const Ch* text, rapidjson::SizeType length, bool /*copy*/) {
    Check(text, length);
    text_.assign(text, length);
    return sax_.string(text_);
  }
  bool Key(const Ch* text, rapidjson::SizeType length, bool /*copy*/) {
    Check(text, length);
    text_.assign(text, length);
    return sax_.key(text_);
  }
  bool StartObject() { return sax_.start_object(kUnknownSize); }
  bool EndObject(rapidjson::SizeType) { return sax_.end_object(); }
  bool StartArray() { return sax_.start_array(kUnknownSize); }
  bool EndArray(rapidjson::SizeType) { return sax_.end_array(); }

 private:
  static constexpr std::size_t kUnknownSize = static_cast<std::size_t>(-1);

  void Check(const Ch* text, rapidjson::SizeType length) {
    if (length > max_string_bytes_) throw StringTooLong{};
    // RapidJSON validates the bytes as written, not what a \u escape stands
    // for: a lone low surrogate (\udc00) comes out as an invalid three-byte
    // sequence starting 0xED, which PostgreSQL refuses and nlohmann refused.
    if (std::memchr(text, '\xED', length) != nullptr &&
        !util::IsValidUtf8(std::string_view(text, length))) {
      stream_.Fail("a \\u escape that is no character (a lone surrogate)");
    }
  }

  JsonStream& stream_;
  nlohmann::json_sax<Json>& sax_;
  const std::size_t max_string_bytes_;
  std::string text_;
};

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

std::uint64_t JsonStream::position() const {
  return reading_ != nullptr ? reading_->Tell() : consumed_;
}

void JsonStream::Fail(const std::string& what) const {
  FailAt(position(), what);
}

void JsonStream::FailAt(std::uint64_t position, const std::string& what) const {
  throw ParseError(document_name_, "byte " + std::to_string(position), what);
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
  SaxForwarder forward(*this, bounded, limits_.max_string_bytes);
  // 64 KiB of block: not on the stack of whichever thread runs an update.
  auto input = std::make_unique<RapidJsonInput>(*this);
  reading_ = input.get();
  struct Done {
    const RapidJsonInput*& reading;
    std::uint64_t& consumed;
    ~Done() {
      consumed = reading->Tell();
      reading = nullptr;
    }
  } done{reading_, consumed_};
  BoundedStack stack(limits_.max_string_bytes);
  rapidjson::GenericReader<rapidjson::UTF8<>, rapidjson::UTF8<>, BoundedStack> reader(&stack);
  // The recursive reader takes '{' before it calls StartObject, so a
  // handler's error names the byte it is at; its recursion is bounded by
  // BoundedSax's depth limit, which throws first. Strings must be valid
  // UTF-8, as nlohmann's lexer required; numbers come as text, for
  // SaxForwarder::RawNumber.
  constexpr unsigned kFlags =
      rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag;
  rapidjson::ParseResult result;
  try {
    result = reader.Parse<kFlags>(*input, forward);
  } catch (const StringTooLong&) {
    Fail("string longer than " + std::to_string(limits_.max_string_bytes) + " bytes");
  }
  if (result) return;
  if (result.Code() == rapidjson::kParseErrorTermination) {
    // Handlers report their errors by throwing; a bare false is a bug, but
    // it must still fail the document rather than pass it half read.
    Fail("document rejected");
  }
  // Offsets count from 0; positions in messages count bytes from 1.
  throw ParseError(document_name_, "byte " + std::to_string(result.Offset() + 1),
                   rapidjson::GetParseError_En(result.Code()));
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
