#include "version/dpkg.h"

#include "version/numbers.h"

#include <cstddef>
#include <string_view>

namespace herald::version {
namespace {

struct Parts {
  std::string_view epoch;  // digits only when valid; empty means 0
  std::string_view upstream;
  std::string_view revision;  // empty when absent, which dpkg equates with "0"
};

// Same split as dpkg's parseversion: the epoch ends at the first ':', the
// revision starts after the last '-' of what follows.
constexpr Parts Split(std::string_view v) {
  Parts p;
  if (const std::size_t colon = v.find(':'); colon != std::string_view::npos) {
    p.epoch = v.substr(0, colon);
    v.remove_prefix(colon + 1);
  }
  if (const std::size_t hyphen = v.rfind('-'); hyphen != std::string_view::npos) {
    p.revision = v.substr(hyphen + 1);
    v = v.substr(0, hyphen);
  }
  p.upstream = v;
  return p;
}

// dpkg's character weight inside a non-digit run: '~' below the end of the
// string, the end and digits next, then letters, then everything else.
int Order(std::string_view s, std::size_t i) {
  if (i >= s.size()) {
    return 0;
  }
  const auto c = static_cast<unsigned char>(s[i]);
  if (IsDigit(c)) {
    return 0;
  }
  if (IsAlpha(c)) {
    return c;
  }
  if (c == '~') {
    return -1;
  }
  return c + 256;
}

// Port of dpkg's verrevcmp (lib/dpkg/version.c): alternate non-digit runs
// (by Order) and digit runs (numerically, leading zeros ignored).
int VerRevCmp(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  std::size_t j = 0;
  while (i < a.size() || j < b.size()) {
    while ((i < a.size() && !IsDigit(a[i])) || (j < b.size() && !IsDigit(b[j]))) {
      const int ac = Order(a, i);
      const int bc = Order(b, j);
      if (ac != bc) {
        return ac < bc ? -1 : 1;
      }
      // Equal weights here mean the same non-digit on both sides.
      ++i;
      ++j;
    }
    while (i < a.size() && a[i] == '0') {
      ++i;
    }
    while (j < b.size() && b[j] == '0') {
      ++j;
    }
    int first_diff = 0;
    while (i < a.size() && IsDigit(a[i]) && j < b.size() && IsDigit(b[j])) {
      if (first_diff == 0) {
        first_diff = a[i] - b[j];
      }
      ++i;
      ++j;
    }
    // The longer digit run is the larger number, whatever its first digits.
    if (i < a.size() && IsDigit(a[i])) {
      return 1;
    }
    if (j < b.size() && IsDigit(b[j])) {
      return -1;
    }
    if (first_diff != 0) {
      return Sign(first_diff);
    }
  }
  return 0;
}

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (!IsDigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool AllOf(std::string_view s, std::string_view symbols) {
  for (const char c : s) {
    if (!IsAlnum(static_cast<unsigned char>(c)) && symbols.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace

const DpkgComparator& DpkgComparator::Instance() {
  static const auto& instance = *new DpkgComparator();
  return instance;
}

bool DpkgComparator::valid(std::string_view v) const {
  if (v.empty()) {
    return false;
  }
  for (const char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= ' ' || u >= 0x7F) {
      return false;
    }
  }
  const Parts p = Split(v);
  if (v.find(':') != std::string_view::npos) {
    // dpkg stores the epoch in an int and refuses anything larger.
    constexpr std::string_view kIntMax = "2147483647";
    if (p.epoch.empty() || !AllDigits(p.epoch) || CompareNumber(p.epoch, kIntMax) > 0) {
      return false;
    }
  }
  // A trailing '-' is dpkg's "revision number is empty" error.
  if (p.revision.empty() && v.back() == '-') {
    return false;
  }
  if (p.upstream.empty() || !IsDigit(static_cast<unsigned char>(p.upstream.front()))) {
    return false;
  }
  return AllOf(p.upstream, ".+~-:_") && AllOf(p.revision, ".+~_");
}

int DpkgComparator::compare(std::string_view a, std::string_view b) const {
  const Parts pa = Split(a);
  const Parts pb = Split(b);
  if (const int c = CompareNumber(pa.epoch, pb.epoch); c != 0) {
    return c;
  }
  if (const int c = VerRevCmp(pa.upstream, pb.upstream); c != 0) {
    return c;
  }
  return VerRevCmp(pa.revision, pb.revision);
}

}  // namespace herald::version
