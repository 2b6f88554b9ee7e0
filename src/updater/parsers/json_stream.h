// Feed documents as bounded JSON streams. nlohmann's lexer buffers a whole
// string before it reports it, so a hostile or broken feed with a 100 MB
// string would be held in full before any handler could refuse it; the
// limits here are checked byte by byte as the lexer reads, instead.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace herald::updater {

struct JsonLimits {
  // Longest string or object key, in bytes as written (escapes included).
  std::size_t max_string_bytes = 1 << 20;
  // Longest document; 0 for no limit (streamed documents, read by SAX).
  std::uint64_t max_document_bytes = 0;
  // Deepest nesting of arrays and objects.
  int max_depth = 64;
};

// One document being read. Every failure, from the bytes up to the
// handler, is a ParseError naming the document and a byte offset.
class JsonStream {
 public:
  JsonStream(std::istream& in, std::string document_name, JsonLimits limits);
  JsonStream(const JsonStream&) = delete;
  JsonStream& operator=(const JsonStream&) = delete;

  // Feeds the whole document to `handler`, whose parse_error() is never
  // called: syntax errors are thrown here. U+0000 is removed from strings
  // and keys, since PostgreSQL text cannot hold it and no feed field
  // means anything by it.
  void Sax(nlohmann::json_sax<nlohmann::json>& handler);

  // The whole document as a DOM, for formats whose documents are small.
  nlohmann::json Dom();

  // Bytes read so far.
  std::uint64_t position() const { return consumed_; }

  // Throws ParseError at the current position, for handlers.
  [[noreturn]] void Fail(const std::string& what) const;

 private:
  friend class JsonStreamIterator;

  // Called for every byte the lexer consumes.
  void Consume(char c);

  std::istream& in_;
  std::string document_name_;
  JsonLimits limits_;
  std::uint64_t consumed_ = 0;
  // Where the lexer is within a string literal, tracked from the raw bytes.
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t string_bytes_ = 0;
};

}  // namespace herald::updater
