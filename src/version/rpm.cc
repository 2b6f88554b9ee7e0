#include "version/rpm.h"

#include "version/numbers.h"

#include <cstddef>
#include <string_view>

namespace herald::version {
namespace {

bool IsDigitAt(std::string_view s, std::size_t i) {
  return i < s.size() && IsDigit(static_cast<unsigned char>(s[i]));
}
bool IsAlphaAt(std::string_view s, std::size_t i) {
  return i < s.size() && IsAlpha(static_cast<unsigned char>(s[i]));
}

struct Evr {
  std::string_view epoch;  // empty means 0
  std::string_view version;
  std::string_view release;
  bool has_release = false;
};

// rpm's parseEVR: an epoch is the leading digits when a ':' follows them;
// the release is whatever follows the last '-'.
Evr SplitEvr(std::string_view s) {
  Evr evr;
  std::size_t digits = 0;
  while (IsDigitAt(s, digits)) {
    ++digits;
  }
  if (digits < s.size() && s[digits] == ':') {
    evr.epoch = s.substr(0, digits);
    s.remove_prefix(digits + 1);
  }
  if (const std::size_t hyphen = s.rfind('-'); hyphen != std::string_view::npos) {
    evr.release = s.substr(hyphen + 1);
    evr.has_release = true;
    s = s.substr(0, hyphen);
  }
  evr.version = s;
  return evr;
}

bool IsSegmentChar(char c) {
  return IsAlnum(static_cast<unsigned char>(c)) || c == '~' || c == '^';
}

// Port of rpm's rpmvercmp (rpmio/rpmvercmp.c). Versions are split into
// maximal digit or letter segments; every other byte only separates them,
// except '~' (sorts before anything, even the end) and '^' (sorts after the
// end but before any further segment).
int RpmVerCmp(std::string_view a, std::string_view b) {
  if (a == b) {
    return 0;
  }
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    while (i < a.size() && !IsSegmentChar(a[i])) {
      ++i;
    }
    while (j < b.size() && !IsSegmentChar(b[j])) {
      ++j;
    }
    const bool a_end = i == a.size();
    const bool b_end = j == b.size();
    const char ca = a_end ? '\0' : a[i];
    const char cb = b_end ? '\0' : b[j];

    if (ca == '~' || cb == '~') {
      if (ca != '~') {
        return 1;
      }
      if (cb != '~') {
        return -1;
      }
      ++i;
      ++j;
      continue;
    }
    if (ca == '^' || cb == '^') {
      if (a_end) {
        return -1;
      }
      if (b_end) {
        return 1;
      }
      if (ca != '^') {
        return 1;
      }
      if (cb != '^') {
        return -1;
      }
      ++i;
      ++j;
      continue;
    }
    if (a_end || b_end) {
      break;
    }

    const std::size_t si = i;
    const std::size_t sj = j;
    const bool numeric = IsDigit(static_cast<unsigned char>(ca));
    if (numeric) {
      while (IsDigitAt(a, i)) {
        ++i;
      }
      while (IsDigitAt(b, j)) {
        ++j;
      }
    } else {
      while (IsAlphaAt(a, i)) {
        ++i;
      }
      while (IsAlphaAt(b, j)) {
        ++j;
      }
    }
    // b's segment is of the other kind: a number is newer than letters.
    if (sj == j) {
      return numeric ? 1 : -1;
    }

    const std::string_view sa = a.substr(si, i - si);
    const std::string_view sb = b.substr(sj, j - sj);
    const int c = numeric ? CompareNumber(sa, sb) : Sign(sa.compare(sb));
    if (c != 0) {
      return c;
    }
  }
  // Equal segments, differing only in separators, or one has more left.
  if (i == a.size() && j == b.size()) {
    return 0;
  }
  return i == a.size() ? -1 : 1;
}

}  // namespace

const RpmComparator& RpmComparator::Instance() {
  static const auto& instance = *new RpmComparator();
  return instance;
}

bool RpmComparator::valid(std::string_view v) const {
  if (v.empty()) {
    return false;
  }
  constexpr std::string_view kSymbols = "._+~^:-";
  for (const char c : v) {
    if (!IsAlnum(static_cast<unsigned char>(c)) && kSymbols.find(c) == std::string_view::npos) {
      return false;
    }
  }
  const Evr evr = SplitEvr(v);
  // A ':' that did not end a run of leading digits is not an epoch.
  if (v.find(':') != std::string_view::npos && evr.epoch.empty()) {
    return false;
  }
  return !evr.version.empty() && !(evr.has_release && evr.release.empty());
}

int RpmComparator::compare(std::string_view a, std::string_view b) const {
  const Evr ea = SplitEvr(a);
  const Evr eb = SplitEvr(b);
  if (const int c = CompareNumber(ea.epoch, eb.epoch); c != 0) {
    return c;
  }
  if (const int c = RpmVerCmp(ea.version, eb.version); c != 0) {
    return c;
  }
  // rpmverCmp: a missing release sorts before any release, which keeps the
  // order total ("1.0" < "1.0-1"), unlike rpm's dependency matching.
  if (ea.has_release != eb.has_release) {
    return ea.has_release ? 1 : -1;
  }
  return RpmVerCmp(ea.release, eb.release);
}

}  // namespace herald::version
