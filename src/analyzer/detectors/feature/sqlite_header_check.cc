#include "analyzer/detectors/feature/sqlite_header_check.h"

#include <cstddef>
#include <cstdint>

namespace herald::analyzer {
namespace {

// Offsets from the "Database File Format" page of sqlite.org.
constexpr std::size_t kHeaderSize = 100;
constexpr std::size_t kPageSizeOffset = 16;
constexpr std::size_t kChangeCounterOffset = 24;
constexpr std::size_t kPageCountOffset = 28;
constexpr std::size_t kVersionValidForOffset = 92;

std::uint32_t BigEndian(std::string_view file, std::size_t offset, std::size_t width) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    value = (value << 8) | static_cast<unsigned char>(file[offset + i]);
  }
  return value;
}

}  // namespace

std::string SqliteHeaderProblem(std::string_view file) {
  constexpr std::string_view kMagic("SQLite format 3\0", 16);
  if (file.size() < kHeaderSize || file.substr(0, kMagic.size()) != kMagic) {
    return "not an SQLite database";
  }
  std::uint32_t page_size = BigEndian(file, kPageSizeOffset, 2);
  if (page_size == 1) page_size = 65536;  // the only size 16 bits cannot hold
  if (page_size < 512 || page_size > 65536 || (page_size & (page_size - 1)) != 0) {
    return "not an SQLite database: invalid page size";
  }
  if (file.size() % page_size != 0) return "truncated SQLite database: ends inside a page";
  // SQLite trusts the page count only when the version-valid-for number
  // matches the change counter (an older writer may have left it stale).
  const std::uint32_t pages = BigEndian(file, kPageCountOffset, 4);
  const bool count_valid = pages != 0 && BigEndian(file, kChangeCounterOffset, 4) ==
                                             BigEndian(file, kVersionValidForOffset, 4);
  if (count_valid && file.size() / page_size < pages) {
    return "truncated SQLite database: " + std::to_string(file.size() / page_size) + " of " +
           std::to_string(pages) + " pages";
  }
  return {};
}

}  // namespace herald::analyzer
