// Go-compatible duration parsing and formatting. Configuration files written
// for Clair v1 were read by Go's time.ParseDuration, so the grammar, the
// rounding of fractions and the overflow limits follow Go exactly; a value Go
// accepted must mean the same number of nanoseconds here.

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

#include "config/config.h"

namespace herald::config {
namespace {

constexpr std::uint64_t kMaxMagnitude = std::uint64_t{1} << 63;  // |INT64_MIN|

constexpr std::uint64_t kNanosecond = 1;
constexpr std::uint64_t kMicrosecond = 1000 * kNanosecond;
constexpr std::uint64_t kMillisecond = 1000 * kMicrosecond;
constexpr std::uint64_t kSecond = 1000 * kMillisecond;
constexpr std::uint64_t kMinute = 60 * kSecond;
constexpr std::uint64_t kHour = 60 * kMinute;

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

[[noreturn]] void Fail(std::string_view what, std::string_view original) {
  throw std::invalid_argument("time: " + std::string(what) + " \"" + std::string(original) + "\"");
}

// Both micro signs are accepted because Go accepts them: U+00B5 (what a
// keyboard "µ" usually produces) and U+03BC (Greek small mu).
bool UnitScale(std::string_view unit, std::uint64_t& scale) {
  if (unit == "ns") {
    scale = kNanosecond;
  } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
    scale = kMicrosecond;
  } else if (unit == "ms") {
    scale = kMillisecond;
  } else if (unit == "s") {
    scale = kSecond;
  } else if (unit == "m") {
    scale = kMinute;
  } else if (unit == "h") {
    scale = kHour;
  } else {
    return false;
  }
  return true;
}

// Go's leadingInt: consumes digits, failing once the value passes 2^63.
bool LeadingInt(std::string_view& s, std::uint64_t& x) {
  x = 0;
  std::size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (x > kMaxMagnitude / 10) {
      return false;
    }
    x = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (x > kMaxMagnitude) {
      return false;
    }
  }
  s.remove_prefix(i);
  return true;
}

// Go's leadingFraction: digits past what fits are dropped rather than
// rejected, since they cannot change the result by a whole nanosecond.
void LeadingFraction(std::string_view& s, std::uint64_t& x, double& scale) {
  x = 0;
  scale = 1;
  bool overflow = false;
  std::size_t i = 0;
  for (; i < s.size() && IsDigit(s[i]); ++i) {
    if (overflow) {
      continue;
    }
    if (x > (kMaxMagnitude - 1) / 10) {
      overflow = true;
      continue;
    }
    const std::uint64_t y = x * 10 + static_cast<std::uint64_t>(s[i] - '0');
    if (y > kMaxMagnitude) {
      overflow = true;
      continue;
    }
    x = y;
    scale *= 10;
  }
  s.remove_prefix(i);
}

// "<whole>.<frac>" with trailing zeros of the fraction dropped; digits is
// how many decimal places one `unit` has.
std::string WithFraction(std::uint64_t v, std::uint64_t unit, int digits) {
  std::string out = std::to_string(v / unit);
  std::uint64_t frac = v % unit;
  if (frac == 0) {
    return out;
  }
  std::string decimals(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    decimals[static_cast<std::size_t>(i)] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  decimals.erase(decimals.find_last_not_of('0') + 1);
  return out + "." + decimals;
}

}  // namespace

Duration ParseGoDuration(std::string_view text) {
  const std::string_view original = text;
  std::string_view s = text;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  // Go special-cases a lone zero so that "0" needs no unit.
  if (s == "0") {
    return Duration::zero();
  }
  if (s.empty()) {
    Fail("invalid duration", original);
  }

  std::uint64_t total = 0;
  while (!s.empty()) {
    if (s.front() != '.' && !IsDigit(s.front())) {
      Fail("invalid duration", original);
    }
    std::uint64_t whole = 0;
    const std::size_t before_int = s.size();
    if (!LeadingInt(s, whole)) {
      Fail("invalid duration", original);
    }
    const bool has_int = s.size() != before_int;

    std::uint64_t frac = 0;
    double frac_scale = 1;
    bool has_frac = false;
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      const std::size_t before_frac = s.size();
      LeadingFraction(s, frac, frac_scale);
      has_frac = s.size() != before_frac;
    }
    if (!has_int && !has_frac) {  // "." or ".s"
      Fail("invalid duration", original);
    }

    std::size_t unit_len = 0;
    while (unit_len < s.size() && s[unit_len] != '.' && !IsDigit(s[unit_len])) {
      ++unit_len;
    }
    if (unit_len == 0) {
      Fail("missing unit in duration", original);
    }
    const std::string_view unit = s.substr(0, unit_len);
    s.remove_prefix(unit_len);
    std::uint64_t scale = 0;
    if (!UnitScale(unit, scale)) {
      throw std::invalid_argument("time: unknown unit \"" + std::string(unit) +
                                  "\" in duration \"" + std::string(original) + "\"");
    }

    if (whole > kMaxMagnitude / scale) {
      Fail("invalid duration", original);
    }
    whole *= scale;
    if (frac > 0) {
      // Floating point here is deliberate: it is what Go does, so "1.1h"
      // rounds to the same nanosecond in both.
      whole += static_cast<std::uint64_t>(static_cast<double>(frac) *
                                          (static_cast<double>(scale) / frac_scale));
      if (whole > kMaxMagnitude) {
        Fail("invalid duration", original);
      }
    }
    // Checked before adding: 2^63 + 2^63 would wrap to zero (Go has that
    // wrap; rejecting is the only sane answer).
    if (whole > kMaxMagnitude - total) {
      Fail("invalid duration", original);
    }
    total += whole;
  }

  if (negative) {
    // 2^63 is representable only as INT64_MIN; unsigned negation handles it.
    return Duration(static_cast<std::int64_t>(~total + 1));
  }
  if (total > kMaxMagnitude - 1) {
    Fail("invalid duration", original);
  }
  return Duration(static_cast<std::int64_t>(total));
}

// Go's Duration.String() with trailing zero components removed, so that
// configuration printed back reads the way people write it: "2h" rather than
// "2h0m0s", "1h30m", "1m0.5s", "1h0m5s" (an inner zero is kept, as Go keeps
// it). Below one second a single unit with a decimal fraction is used, as in
// Go, except that microseconds are spelled "us" rather than "µs" to keep the
// output ASCII. Every spelling parses back to the same value.
std::string FormatGoDuration(Duration d) {
  const std::int64_t count = d.count();
  if (count == 0) {
    return "0s";
  }
  const bool negative = count < 0;
  // Unsigned negation so that INT64_MIN does not overflow.
  const std::uint64_t u =
      negative ? ~static_cast<std::uint64_t>(count) + 1 : static_cast<std::uint64_t>(count);
  std::string out = negative ? "-" : "";

  if (u < kMicrosecond) {
    return out + std::to_string(u) + "ns";
  }
  if (u < kMillisecond) {
    return out + WithFraction(u, kMicrosecond, 3) + "us";
  }
  if (u < kSecond) {
    return out + WithFraction(u, kMillisecond, 6) + "ms";
  }

  const std::uint64_t hours = u / kHour;
  const std::uint64_t minutes = (u % kHour) / kMinute;
  const std::uint64_t seconds = u % kMinute;  // in nanoseconds
  if (hours > 0) {
    out += std::to_string(hours) + "h";
  }
  if (seconds == 0) {
    if (minutes > 0) {
      out += std::to_string(minutes) + "m";
    }
    return out;
  }
  if (hours > 0 || minutes > 0) {
    out += std::to_string(minutes) + "m";
  }
  return out + WithFraction(seconds, kSecond, 9) + "s";
}

}  // namespace herald::config
