// The inventory writes of SPEC §3, written once for both stores on top of
// InventoryDialect: the API, the analyzer and the updater all end here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/layer.h"
#include "store/inventory_dialect.h"
#include "store/store.h"

namespace herald::store {

// Applies `mutate` to the stored vulnerability. When the result differs,
// writes it and, as `policy` says, a notification freezing both sides with
// the layers that introduced each. REQUIRES: an open write transaction.
VulnerabilityChange ApplyVulnerabilityChange(InventoryDialect& db,
                                             const std::string& namespace_name,
                                             const std::string& name,
                                             const VulnerabilityMutation& mutate,
                                             std::int64_t now_ms,
                                             const NotificationPolicy& policy = {});

// Store::ApplyFeed's rules, above the dialect: the feed is drawn and applied
// a batch at a time, so only a batch is ever held. REQUIRES: an open write
// transaction; the caller records `state` with the counts returned.
FeedCounts ApplyFeedSnapshot(InventoryDialect& db, const VulnerabilityFeed& next,
                             const std::map<std::string, std::string>& metadata_by_name,
                             std::int64_t now_ms, const NotificationPolicy& policy);

// `base` with the top-level keys of `overlay` set over it; both are
// canonical JSON object text or "" (SPEC §8: a feed never erases what
// another feed, such as NVD, added).
std::string MergeMetadata(const std::string& base, const std::string& overlay);

// Inserts a layer with its complete feature set (or its parent's when it
// has none); a name that exists already changes nothing. A feature version
// the parent has keeps the ancestor that introduced it. Throws kNotFound
// for an unknown parent, kInvalidArgument for a feature without a
// namespace or with a version invalid for it. REQUIRES: an open write
// transaction.
void InsertLayer(InventoryDialect& db, const model::Layer& layer, int engine_version,
                 std::int64_t now_ms);

}  // namespace herald::store
