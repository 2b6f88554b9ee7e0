#include "api/json_body.h"

#include "api/api_error.h"

namespace herald::api {
namespace {

// The greatest bracket depth outside string literals. Scanning first keeps
// a hostile 100,000-deep document from ever reaching the parser.
int MaxDepth(std::string_view text) {
  int depth = 0, max_depth = 0;
  bool in_string = false, escaped = false;
  for (char ch : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (ch == '\\') {
        escaped = true;
      } else if (ch == '"') {
        in_string = false;
      }
      continue;
    }
    switch (ch) {
      case '"':
        in_string = true;
        break;
      case '{':
      case '[':
        max_depth = std::max(max_depth, ++depth);
        if (max_depth > kMaxJsonDepth) return max_depth;
        break;
      case '}':
      case ']':
        --depth;
        break;
      default:
        break;
    }
  }
  return max_depth;
}

}  // namespace

nlohmann::json ParseJsonObject(std::string_view body) {
  if (body.empty()) throw BadRequest("the request body is empty: a JSON object is required");
  // nlohmann's lexer takes a NUL byte for the end of input, so a valid
  // document followed by NUL and anything at all would parse; JSON allows no
  // raw NUL anywhere, so refuse it before the parser sees it.
  if (const std::size_t nul = body.find('\0'); nul != std::string_view::npos) {
    throw BadRequest("the request body is not valid JSON: a NUL byte at offset " +
                     std::to_string(nul));
  }
  if (MaxDepth(body) > kMaxJsonDepth) {
    throw BadRequest("the request body nests deeper than " + std::to_string(kMaxJsonDepth) +
                     " levels");
  }
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(body);
  } catch (const nlohmann::json::exception& e) {  // parse errors and number overflow
    throw BadRequest(std::string("the request body is not valid JSON: ") + e.what());
  }
  if (!doc.is_object()) throw BadRequest("the request body must be a JSON object");
  return doc;
}

std::string DumpJson(const nlohmann::json& doc) {
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace herald::api
