// Version ordering (SPEC §3). A namespace's prefix (the part before ':')
// picks one Comparator; callers never name a packaging system themselves.
#pragma once

#include <string_view>

namespace herald::version {

// Sentinels kept from Clair v1. kMaxVersion ("None" on the wire) sorts above
// every real version, kMinVersion below every one.
inline constexpr std::string_view kMinVersion = "#MINV#";
inline constexpr std::string_view kMaxVersion = "#MAXV#";

class Comparator {
 public:
  virtual ~Comparator() = default;

  // "dpkg", "rpm" or "apk".
  virtual std::string_view name() const = 0;

  // True when `v` is a well-formed version for this packaging system.
  virtual bool valid(std::string_view v) const = 0;

  // REQUIRES: valid(a) && valid(b); neither is a sentinel.
  // Returns <0, 0 or >0 as a orders before, equal to, or after b.
  virtual int compare(std::string_view a, std::string_view b) const = 0;
};

// The comparator for a namespace such as "debian:8" or "alpine:v3.4", or
// nullptr when the prefix is unknown (the API answers 400 then).
const Comparator* ForNamespace(std::string_view namespace_name);

// compare() extended with the sentinels kMinVersion and kMaxVersion.
int CompareWithSentinels(const Comparator& cmp, std::string_view a, std::string_view b);

}  // namespace herald::version
