// Feed documents as bounded JSON streams. A lexer buffers a whole string
// before it reports it, so a hostile or broken feed with a 100 MB string
// would be held in full before any handler could refuse it; the limits here
// are checked byte by byte as the lexer reads, instead.
//
// Streamed documents (Sax) are read by RapidJSON's SAX reader and handed to
// an nlohmann SAX handler, the interface every parser implements. RapidJSON
// takes a third of the CPU nlohmann's lexer did on a 60 MB Debian tracker
// document: nlohmann copies every byte into two buffers (the token and its
// text for error messages), and that was a third of a whole re-import.
// Small documents read whole (Dom) stay on nlohmann.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>

#include <nlohmann/json.hpp>

namespace herald::updater {

class RapidJsonInput;

struct JsonLimits {
  // Longest string or object key, in bytes (as written for Dom, decoded
  // for Sax: either way no more than about this many are ever held).
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
  std::uint64_t position() const;

  // Throws ParseError at the current position, for handlers.
  [[noreturn]] void Fail(const std::string& what) const;

 private:
  friend class JsonStreamIterator;
  friend class RapidJsonInput;

  [[noreturn]] void FailAt(std::uint64_t position, const std::string& what) const;

  // Called for every byte nlohmann's lexer consumes (Dom).
  void Consume(char c);

  std::istream& in_;
  std::string document_name_;
  JsonLimits limits_;
  std::uint64_t consumed_ = 0;
  // While Sax runs, the reader's input, which counts its own bytes.
  const RapidJsonInput* reading_ = nullptr;
  // Where the lexer is within a string literal, tracked from the raw bytes.
  bool in_string_ = false;
  bool escaped_ = false;
  std::size_t string_bytes_ = 0;
};

}  // namespace herald::updater
