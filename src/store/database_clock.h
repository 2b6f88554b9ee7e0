// Keeps a process's clock on the time its database keeps (SPEC §11: leases
// and due times on PostgreSQL use the database's clock).
#pragma once

#include "store/store.h"
#include "util/clock.h"

namespace herald::store {

// Anchors `clock` to the store's database clock, read at the midpoint of
// the round trip, or to the system clock for an embedded database. Returns
// how far the clock moved, in milliseconds. Throws StoreError when the
// database cannot be asked.
std::int64_t SyncClock(util::AnchoredClock& clock, Store& store);

}  // namespace herald::store
