// Character and number helpers the comparators share.
#pragma once

#include <string_view>

namespace herald::version {

// <cctype> depends on the C locale and is undefined for negative chars;
// orderings must be the same on every host, so ASCII is classified by hand.
constexpr bool IsDigit(unsigned char c) {
  return c >= '0' && c <= '9';
}
constexpr bool IsAlpha(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
constexpr bool IsAlnum(unsigned char c) {
  return IsDigit(c) || IsAlpha(c);
}

// -1, 0 or 1 as x is negative, zero or positive.
constexpr int Sign(int x) {
  return (x > 0) - (x < 0);
}

// Compares two runs of decimal digits of any length as numbers, without
// overflow; leading zeros do not count.
inline int CompareNumber(std::string_view a, std::string_view b) {
  while (!a.empty() && a.front() == '0') a.remove_prefix(1);
  while (!b.empty() && b.front() == '0') b.remove_prefix(1);
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  return Sign(a.compare(b));
}

}  // namespace herald::version
