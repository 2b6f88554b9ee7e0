// Debian/Ubuntu version ordering: [epoch:]upstream[-revision], compared the
// way dpkg's verrevcmp does, so a fix published by the distribution applies
// exactly where apt would consider the installed package older.
#pragma once

#include <string_view>

#include "version/comparator.h"

namespace herald::version {

class DpkgComparator final : public Comparator {
 public:
  // The one instance; comparators hold no state, so sharing it is free.
  static const DpkgComparator& Instance();

  std::string_view name() const override { return "dpkg"; }

  // Accepts what dpkg's parseversion accepts without a hard error, with the
  // upstream part starting with a digit (dpkg warns, Clair v1 rejected) and
  // '_' tolerated in upstream and revision (Clair v1 accepted it). Rejects
  // whitespace, control and non-ASCII bytes.
  bool valid(std::string_view v) const override;

  int compare(std::string_view a, std::string_view b) const override;
};

}  // namespace herald::version
