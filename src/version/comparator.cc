#include "version/comparator.h"

#include <array>
#include <string_view>

#include "version/apk.h"
#include "version/dpkg.h"
#include "version/rpm.h"

namespace herald::version {

const Comparator* ForNamespace(std::string_view namespace_name) {
  enum class Kind { kDpkg, kRpm, kApk };
  struct Entry {
    std::string_view prefix;
    Kind kind;
  };
  static constexpr std::array<Entry, 10> kPrefixes = {{
      {"debian", Kind::kDpkg},
      {"ubuntu", Kind::kDpkg},
      {"centos", Kind::kRpm},
      {"rhel", Kind::kRpm},
      {"fedora", Kind::kRpm},
      {"oracle", Kind::kRpm},
      {"amzn", Kind::kRpm},
      {"opensuse", Kind::kRpm},
      {"sles", Kind::kRpm},
      {"alpine", Kind::kApk},
  }};
  // Namespace names come from clients as-is ("debian:8"); the match is exact
  // and case-sensitive.
  const std::string_view prefix = namespace_name.substr(0, namespace_name.find(':'));
  for (const Entry& e : kPrefixes) {
    if (e.prefix != prefix) {
      continue;
    }
    switch (e.kind) {
      case Kind::kDpkg:
        return &DpkgComparator::Instance();
      case Kind::kRpm:
        return &RpmComparator::Instance();
      case Kind::kApk:
        return &ApkComparator::Instance();
    }
  }
  return nullptr;
}

int CompareWithSentinels(const Comparator& cmp, std::string_view a, std::string_view b) {
  // -1 for #MINV#, +1 for #MAXV#, 0 for a real version: the sentinels sort
  // outside every real version and equal only themselves.
  const auto rank = [](std::string_view v) {
    if (v == kMinVersion) {
      return -1;
    }
    if (v == kMaxVersion) {
      return 1;
    }
    return 0;
  };
  const int ra = rank(a);
  const int rb = rank(b);
  if (ra != rb) {
    return ra < rb ? -1 : 1;
  }
  if (ra != 0) {
    return 0;
  }
  const int c = cmp.compare(a, b);
  return (c > 0) - (c < 0);
}

}  // namespace herald::version
