// Inventory rules both stores apply (SPEC §3), shared so that SQLite and
// PostgreSQL agree by construction.
#pragma once

#include <string>
#include <string_view>

#include "model/layer.h"
#include "store/store.h"
#include "version/comparator.h"

namespace herald::store {

// True when `version` orders strictly below `fixed_version` (kMaxVersion:
// every version is affected).
inline bool IsAffected(const version::Comparator& cmp, std::string_view version,
                       std::string_view fixed_version) {
  return version::CompareWithSentinels(cmp, version, fixed_version) < 0;
}

// The API checks versions whose namespace a request names; one whose
// namespace comes from the parent layer is checked by the store, where the
// parent is known. Throws StoreError(kInvalidArgument).
inline void RequireValidFeatureVersion(const std::string& namespace_name,
                                       const model::FeatureVersion& f) {
  const version::Comparator* cmp = version::ForNamespace(namespace_name);
  if (cmp == nullptr || !cmp->valid(f.version)) {
    throw StoreError(
        StoreError::Kind::kInvalidArgument,
        "feature " + f.name + ": " + f.version + " is not a valid " + namespace_name + " version");
  }
}

}  // namespace herald::store
