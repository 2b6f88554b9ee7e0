// Vulnerability severities, in Clair v1's spelling and order.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace herald::model {

inline constexpr std::array<std::string_view, 7> kSeverities = {
    "Unknown", "Negligible", "Low", "Medium", "High", "Critical", "Defcon1"};

// The canonical spelling of `text`, or nullopt when it is not a severity.
// Matching is exact: Clair v1 rejected "high" too.
inline std::optional<std::string_view> ParseSeverity(std::string_view text) {
  for (auto s : kSeverities) {
    if (s == text) return s;
  }
  return std::nullopt;
}

// Where `text` stands in kSeverities (Unknown 0 … Defcon1 6), or nullopt
// when it is not a severity.
inline std::optional<int> SeverityRank(std::string_view text) {
  for (std::size_t i = 0; i < kSeverities.size(); ++i) {
    if (kSeverities[i] == text) return static_cast<int>(i);
  }
  return std::nullopt;
}

}  // namespace herald::model
