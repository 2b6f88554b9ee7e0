// Whether opening a store may create its database. Only `herald migrate` and
// the first `herald serve` create the SQLite file (SPEC §11); every other
// open of a missing file is an error, never a new empty database that would
// swallow acknowledged writes. PostgreSQL databases are never created.
#pragma once

namespace herald::store {

enum class OpenMode { kExisting, kCreate };

}  // namespace herald::store
