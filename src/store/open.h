// Picks and opens the store named by database.source (SPEC §2).
#pragma once

#include <memory>
#include <string>

#include "store/open_mode.h"
#include "store/store.h"
#include "util/clock.h"

namespace herald::store {

enum class Backend { kSqlite, kPostgres };

struct Source {
  Backend backend;
  std::string location;  // a file path for SQLite, a libpq conninfo for PostgreSQL
};

// "" → ./herald.db; "sqlite:///abs.db" or "*.db" → SQLite; "postgres://…",
// "postgresql://…" or "key=value …" → PostgreSQL. Throws StoreError
// (kInvalidArgument) for anything else.
Source ParseSource(const std::string& source);

// Opens the store and applies pending migrations. `pool_size` bounds the
// PostgreSQL connections (database.poolSize); `mode` says whether a missing
// SQLite file may be created. Throws StoreError.
std::unique_ptr<Store> OpenStore(const std::string& source, util::Clock& clock, int pool_size,
                                 OpenMode mode);

}  // namespace herald::store
