#include "config/yaml_document.h"

#include <yaml-cpp/eventhandler.h>

#include <sstream>
#include <string>

#include "config/config.h"

namespace herald::config {
namespace {

// Notes where each document starts and whether it holds more than a null.
class DocumentShape final : public YAML::EventHandler {
 public:
  YAML::Mark start;
  bool empty = true;

  void OnDocumentStart(const YAML::Mark& mark) override {
    start = mark;
    empty = true;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { empty = false; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {
    empty = false;
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    empty = false;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    empty = false;
  }
  void OnMapEnd() override {}
};

// Walks the documents without building them. yaml-cpp 0.7 (Debian 12) never
// consumes a token that cannot start a node, such as a stray ',': every call
// then yields another null document at the same place, and YAML::LoadAll
// loops forever, allocating (jbeder/yaml-cpp#1040; found by
// tests/fuzz/config_fuzz). A document that starts where the one before it
// started is that case.
void RequireOneDocument(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentShape shape;
  bool first = true;
  YAML::Mark previous;
  while (parser.HandleNextDocument(shape)) {
    if (!first && shape.start.pos == previous.pos) {
      throw ConfigError("", "invalid YAML" + DescribePosition(shape.start) +
                                ": a token that cannot start a value");
    }
    if (!first && !shape.empty) {
      throw ConfigError(
          "", "expected a single YAML document, found another" + DescribePosition(shape.start));
    }
    first = false;
    previous = shape.start;
  }
}

}  // namespace

std::string DescribePosition(const YAML::Mark& mark) {
  if (mark.is_null() || mark.line < 0) return "";
  return " (line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1) +
         ")";
}

YAML::Node LoadSingleDocument(std::string_view text) {
  const std::string copy(text);
  try {
    RequireOneDocument(copy);
    return YAML::Load(copy);
  } catch (const YAML::Exception& e) {
    throw ConfigError("", "invalid YAML" + DescribePosition(e.mark) + ": " + e.msg);
  }
}

}  // namespace herald::config
