// Small text helpers shared by the feed parsers and the layer detectors.
#pragma once

#include <string_view>

namespace herald::util {

// Go's strings.TrimSpace for the ASCII spaces, as Clair v1 trimmed package
// database lines and feed fields (the Unicode spaces cannot occur in a valid
// package name or version).
inline std::string_view TrimSpace(std::string_view text) {
  constexpr std::string_view kSpaces = " \t\n\v\f\r";
  const std::size_t first = text.find_first_not_of(kSpaces);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpaces) - first + 1);
}

}  // namespace herald::util
