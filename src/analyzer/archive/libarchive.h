// The one RAII layer over libarchive's reader, fed from a ByteSource. An
// exception thrown by the source inside libarchive's C callbacks is held and
// rethrown to the caller instead of crossing the C frames.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <exception>
#include <memory>
#include <string>

#include "analyzer/fetch/byte_source.h"

namespace herald::analyzer {

class ArchiveReader {
 public:
  enum class Filters { kAll, kNone };  // kNone: the source is already a plain tar

  // Opens `source` as a tar stream. Throws AnalysisError 422 "could not
  // extract" when it is not one.
  ArchiveReader(ByteSource& source, Filters filters);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The next entry, or nullptr at the end. Throws on a corrupt archive.
  archive_entry* NextEntry();

  // Reads the current entry's data in pieces; returns 0 at its end.
  std::size_t ReadData(char* buffer, std::size_t size);

 private:
  static la_ssize_t OnRead(archive* a, void* self, const void** buffer);
  [[noreturn]] void Fail(const std::string& what);

  ByteSource& source_;
  archive* archive_;
  std::exception_ptr source_error_;
};

}  // namespace herald::analyzer
