// Byte sizes in the config file ("4GiB", "200MiB"): the analyzer's limits.
#include <array>
#include <charconv>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.h"

namespace herald::config {
namespace {

struct Unit {
  std::string_view name;
  std::int64_t factor;
};

// Longest names first so that "MiB" is not read as "B" after "Mi".
constexpr std::array<Unit, 9> kUnits = {{
    {"KiB", 1LL << 10},
    {"MiB", 1LL << 20},
    {"GiB", 1LL << 30},
    {"TiB", 1LL << 40},
    {"KB", 1000LL},
    {"MB", 1000LL * 1000},
    {"GB", 1000LL * 1000 * 1000},
    {"TB", 1000LL * 1000 * 1000 * 1000},
    {"B", 1},
}};

}  // namespace

std::int64_t ParseByteSize(std::string_view text) {
  // Appended piece by piece: g++ 12 at -O3 warns (-Wrestrict) on the
  // "\"" + std::string(text) + "\"" spelling.
  std::string quoted(1, '"');
  quoted.append(text);
  quoted.push_back('"');
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) throw std::invalid_argument("not a byte size: " + quoted);
  std::int64_t number = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + digits, number);
  if (ec != std::errc() || ptr != text.data() + digits) {
    throw std::invalid_argument("byte size out of range: " + quoted);
  }
  std::string_view suffix = text.substr(digits);
  while (!suffix.empty() && suffix.front() == ' ') suffix.remove_prefix(1);
  std::int64_t factor = 1;
  if (!suffix.empty()) {
    bool known = false;
    for (const Unit& unit : kUnits) {
      if (suffix == unit.name) {
        factor = unit.factor;
        known = true;
        break;
      }
    }
    if (!known) throw std::invalid_argument("unknown size unit in " + quoted);
  }
  if (number > std::numeric_limits<std::int64_t>::max() / factor) {
    throw std::invalid_argument("byte size out of range: " + quoted);
  }
  return number * factor;
}

std::string FormatByteSize(std::int64_t bytes) {
  // Binary units only, largest first: the ones the defaults are written in.
  for (std::string_view name : {"TiB", "GiB", "MiB", "KiB"}) {
    for (const Unit& unit : kUnits) {
      if (unit.name == name && bytes > 0 && bytes % unit.factor == 0) {
        return std::to_string(bytes / unit.factor) + std::string(name);
      }
    }
  }
  return std::to_string(bytes);
}

}  // namespace herald::config
