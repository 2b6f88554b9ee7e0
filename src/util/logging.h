// Logging setup: one line per event on stderr, human-readable or JSON.
#pragma once

#include <string>

namespace herald::util {

// `format` is "text" or "json"; `level` one of trace, debug, info, warn,
// error, critical, off. Throws std::invalid_argument on other values.
void SetupLogging(const std::string& format, const std::string& level);

// `text` as the inside of a JSON string literal (quotes not included).
std::string JsonEscape(std::string_view text);

}  // namespace herald::util
