// RPM version ordering (CentOS, RHEL, Fedora, Oracle, Amazon, openSUSE, SLES):
// [epoch:]version[-release], each part compared with rpmvercmp semantics.
#pragma once

#include <string_view>

#include "version/comparator.h"

namespace herald::version {

class RpmComparator final : public Comparator {
 public:
  // The one instance; comparators hold no state, so sharing it is free.
  static const RpmComparator& Instance();

  std::string_view name() const override { return "rpm"; }

  // rpm itself parses nearly anything, so this is deliberately a sanity
  // check: ASCII letters, digits and ._+~^:- only; a numeric epoch when a
  // ':' is present; non-empty version, and non-empty release after a '-'.
  bool valid(std::string_view v) const override;

  int compare(std::string_view a, std::string_view b) const override;
};

}  // namespace herald::version
