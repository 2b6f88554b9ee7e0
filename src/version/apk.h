// Alpine version ordering, as apk-tools (version.c) defines it:
// digits{.digits}[letter]{_suffix[digits]}[~hash][-rN].
#pragma once

#include <string_view>

#include "version/comparator.h"

namespace herald::version {

class ApkComparator final : public Comparator {
 public:
  // The one instance; comparators hold no state, so sharing it is free.
  static const ApkComparator& Instance();

  std::string_view name() const override { return "apk"; }

  // Exactly apk_version_validate(): the token grammar above, nothing else.
  bool valid(std::string_view v) const override;

  int compare(std::string_view a, std::string_view b) const override;
};

}  // namespace herald::version
