// Versioned schema migrations, one SQL file per version, embedded at build
// time (cmake/EmbedMigrations.cmake).
#pragma once

#include <span>
#include <string_view>

namespace herald::store {

struct Migration {
  int version;
  std::string_view file_name;
  std::string_view sql;
};

std::span<const Migration> Migrations_sqlite();
std::span<const Migration> Migrations_postgres();

}  // namespace herald::store
