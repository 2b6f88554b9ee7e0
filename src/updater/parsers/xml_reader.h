// The one RAII layer over libxml2, for the XML feeds (SPEC §8 rhel-oval): a
// streaming xmlTextReader fed from a std::istream, and read-only views of
// the subtrees it expands. Feeds are read one element at a time; the whole
// document is never held, only the subtree being looked at.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

struct _xmlNode;
struct _xmlTextReader;
struct _xmlError;

namespace herald::updater {

// One element of a subtree returned by XmlReader::Expand(). A view: it is
// valid until the reader moves on.
class XmlElement {
 public:
  explicit XmlElement(_xmlNode* node) : node_(node) {}

  // The name without its namespace prefix: feeds differ in how they prefix.
  std::string_view LocalName() const;
  std::optional<std::string> Attribute(const char* name) const;
  // The text of every descendant, concatenated, entities as written.
  std::string Text() const;
  // The child elements, in document order.
  std::vector<XmlElement> Children() const;
  // The first child element named `local_name`.
  std::optional<XmlElement> Child(std::string_view local_name) const;
  // The source line of the start tag, for error messages.
  long Line() const;

 private:
  _xmlNode* node_;
};

class XmlReader {
 public:
  // Reads `in` from its current position. `document_name` prefixes every
  // ParseError. Neither the network nor a DTD is ever fetched.
  XmlReader(std::istream& in, std::string document_name);
  ~XmlReader();
  XmlReader(const XmlReader&) = delete;
  XmlReader& operator=(const XmlReader&) = delete;

  // Moves to the next node in document order; false at the end of the
  // document. Throws ParseError ("line N") on malformed XML and on a
  // document type declaration.
  bool Read();
  // Moves past the current node and its whole subtree, freeing it; false at
  // the end of the document.
  bool Skip();

  bool AtElementStart() const;
  std::string_view LocalName() const;
  // 0 for the root element.
  int Depth() const;
  // The source line of the current node.
  long Line() const;

  // The current element with its whole subtree, read ahead as needed. Valid
  // until the next Read() or Skip(), which should be Skip().
  XmlElement Expand();

  // Throws ParseError at `line` (the current parser line when 0).
  [[noreturn]] void Fail(long line, const std::string& what) const;

 private:
  static int OnRead(void* self, char* buffer, int size);
  static void OnError(void* self, const _xmlError* error);
  // Maps a libxml2 result to bool, throwing on its errors.
  bool Check(int result);

  std::istream& in_;
  std::string document_name_;
  _xmlTextReader* reader_;
  // The first error libxml2 reported, kept until the call that caused it
  // returns: throwing through libxml2's C frames is not allowed.
  std::optional<std::pair<long, std::string>> error_;
  bool stream_failed_ = false;
};

}  // namespace herald::updater
