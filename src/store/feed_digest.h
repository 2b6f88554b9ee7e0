// A feed entry's digest: what lets a re-import of an unchanged feed skip
// reading back the rows it would leave as they are (SPEC §8). The store
// keeps, beside each row written from a feed entry, the digest of that
// entry; any other write clears it. An entry whose digest equals its row's
// is therefore one that row already holds, merged metadata included.
#pragma once

#include <cstdint>

#include "model/vulnerability.h"

namespace herald::store {

// The first 64 bits of a SHA-256 over every field a feed entry sets
// (description, link, severity, metadata and FixedIn, which must be sorted
// by feature as stored), each length-prefixed. Stable across processes and
// versions: it is stored.
std::int64_t FeedDigest(const model::Vulnerability& v);

}  // namespace herald::store
