#include "store/open.h"

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace herald::store {
namespace {
bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.rfind(prefix, 0) == 0;
}
bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}
}  // namespace

Source ParseSource(const std::string& source) {
  if (source.empty()) return {Backend::kSqlite, "herald.db"};
  if (StartsWith(source, "sqlite://")) {
    std::string path = source.substr(9);
    if (path.empty())
      throw StoreError(StoreError::Kind::kInvalidArgument, "sqlite:// needs a path");
    return {Backend::kSqlite, path};
  }
  if (StartsWith(source, "postgres://") || StartsWith(source, "postgresql://") ||
      source.find('=') != std::string::npos) {
    return {Backend::kPostgres, source};
  }
  if (EndsWith(source, ".db") || EndsWith(source, ".sqlite") || EndsWith(source, ".sqlite3")) {
    return {Backend::kSqlite, source};
  }
  throw StoreError(StoreError::Kind::kInvalidArgument,
                   "database.source: cannot tell the database from \"" + source +
                       "\": use sqlite:///path.db, a path ending in .db, postgresql://… or "
                       "host=… dbname=…");
}

std::unique_ptr<Store> OpenStore(const std::string& source, util::Clock& clock, int pool_size,
                                 OpenMode mode) {
  Source parsed = ParseSource(source);
  if (parsed.backend == Backend::kSqlite) {
    return std::make_unique<sqlite::SqliteStore>(parsed.location, clock, mode);
  }
  return std::make_unique<postgres::PostgresStore>(parsed.location, pool_size, clock);
}

}  // namespace herald::store
