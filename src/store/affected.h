// When a feature version is affected by a FixedIn entry (SPEC §3). Shared by
// both stores so that SQLite and PostgreSQL agree by construction.
#pragma once

#include <string_view>

#include "version/comparator.h"

namespace herald::store {

// True when `version` orders strictly below `fixed_version` (kMaxVersion:
// every version is affected).
inline bool IsAffected(const version::Comparator& cmp, std::string_view version,
                       std::string_view fixed_version) {
  return version::CompareWithSentinels(cmp, version, fixed_version) < 0;
}

}  // namespace herald::store
