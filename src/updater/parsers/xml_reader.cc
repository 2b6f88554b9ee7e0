#include "updater/parsers/xml_reader.h"

#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlversion.h>

#include <memory>
#include <new>
#include <string>
#include <utility>

#include "updater/parsers/feed_parser.h"

namespace herald::updater {

namespace {

std::string_view View(const xmlChar* text) {
  return text == nullptr ? std::string_view()
                         : std::string_view(reinterpret_cast<const char*>(text));
}

// libxml2 hands out strings the caller must xmlFree.
struct XmlFree {
  void operator()(xmlChar* text) const { xmlFree(text); }
};
using XmlString = std::unique_ptr<xmlChar, XmlFree>;

// libxml2's messages end with a newline.
std::string Message(const char* text) {
  std::string message = text == nullptr ? "malformed XML" : text;
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  return message;
}

}  // namespace

std::string_view XmlElement::LocalName() const {
  return View(node_->name);
}

std::optional<std::string> XmlElement::Attribute(const char* name) const {
  // xmlGetNoNsProp: OVAL's attributes are unprefixed, and a prefixed one of
  // the same name would mean something else.
  const XmlString value(xmlGetNoNsProp(node_, reinterpret_cast<const xmlChar*>(name)));
  if (value == nullptr) return std::nullopt;
  return std::string(View(value.get()));
}

std::string XmlElement::Text() const {
  const XmlString text(xmlNodeGetContent(node_));
  return std::string(View(text.get()));
}

std::vector<XmlElement> XmlElement::Children() const {
  std::vector<XmlElement> children;
  for (xmlNode* child = node_->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE) children.emplace_back(child);
  }
  return children;
}

std::optional<XmlElement> XmlElement::Child(std::string_view local_name) const {
  for (xmlNode* child = node_->children; child != nullptr; child = child->next) {
    if (child->type == XML_ELEMENT_NODE && View(child->name) == local_name) {
      return XmlElement(child);
    }
  }
  return std::nullopt;
}

long XmlElement::Line() const {
  return xmlGetLineNo(node_);
}

XmlReader::XmlReader(std::istream& in, std::string document_name)
    : in_(in),
      document_name_(std::move(document_name)),
      reader_(
          xmlReaderForIO(&XmlReader::OnRead, nullptr, this, nullptr, nullptr, XML_PARSE_NONET)) {
  if (reader_ == nullptr) throw std::bad_alloc();
#if LIBXML_VERSION >= 21200
  xmlTextReaderSetStructuredErrorHandler(reader_, &XmlReader::OnError, this);
#else
  xmlTextReaderSetStructuredErrorHandler(
      reader_, [](void* self, xmlErrorPtr error) { OnError(self, error); }, this);
#endif
}

XmlReader::~XmlReader() {
  xmlFreeTextReader(reader_);
}

int XmlReader::OnRead(void* self_ptr, char* buffer, int size) {
  auto* self = static_cast<XmlReader*>(self_ptr);
  // A C callback: nothing may be thrown from here.
  try {
    self->in_.read(buffer, size);
    if (self->in_.bad()) {
      self->stream_failed_ = true;
      return -1;
    }
    return static_cast<int>(self->in_.gcount());
  } catch (...) {
    self->stream_failed_ = true;
    return -1;
  }
}

void XmlReader::OnError(void* self_ptr, const _xmlError* error) {
  auto* self = static_cast<XmlReader*>(self_ptr);
  if (error == nullptr || error->level < XML_ERR_ERROR || self->error_.has_value()) return;
  try {
    self->error_.emplace(error->line, Message(error->message));
  } catch (...) {
    // Out of memory: Check() still sees the failed result and reports it.
  }
}

bool XmlReader::Check(int result) {
  if (stream_failed_) Fail(0, "could not read the document");
  if (error_.has_value()) Fail(error_->first, error_->second);
  if (result < 0) Fail(0, "malformed XML");
  return result == 1;
}

bool XmlReader::Read() {
  const bool more = Check(xmlTextReaderRead(reader_));
  // No feed declares entities; refusing a DTD rules out their expansion
  // (billion laughs) instead of trusting libxml2's limits on it.
  if (more && xmlTextReaderNodeType(reader_) == XML_READER_TYPE_DOCUMENT_TYPE) {
    Fail(Line(), "a document type declaration is not accepted");
  }
  return more;
}

bool XmlReader::Skip() {
  return Check(xmlTextReaderNext(reader_));
}

bool XmlReader::AtElementStart() const {
  return xmlTextReaderNodeType(reader_) == XML_READER_TYPE_ELEMENT;
}

std::string_view XmlReader::LocalName() const {
  return View(xmlTextReaderConstLocalName(reader_));
}

int XmlReader::Depth() const {
  return xmlTextReaderDepth(reader_);
}

long XmlReader::Line() const {
  xmlNode* node = xmlTextReaderCurrentNode(reader_);
  return node == nullptr ? 0 : xmlGetLineNo(node);
}

XmlElement XmlReader::Expand() {
  xmlNode* node = xmlTextReaderExpand(reader_);
  Check(node == nullptr ? -1 : 1);
  return XmlElement(node);
}

void XmlReader::Fail(long line, const std::string& what) const {
  if (line <= 0) line = xmlTextReaderGetParserLineNumber(reader_);
  throw ParseError(document_name_, "line " + std::to_string(line), what);
}

}  // namespace herald::updater
