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
  enum class Filters { kAll, kNone };       // kNone: the source is already a plain tar
  enum class Formats { kTar, kTarAndZip };  // layers are tar; feeds may come zipped

  // Opens `source` as a tar stream (or zip). Throws AnalysisError 422 "could
  // not extract" when it is not one.
  ArchiveReader(ByteSource& source, Filters filters, Formats formats = Formats::kTar);
  ~ArchiveReader() = default;
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The next entry, or nullptr at the end. Throws on a corrupt archive.
  archive_entry* NextEntry();

  // Reads the current entry's data in pieces; returns 0 at its end.
  std::size_t ReadData(char* buffer, std::size_t size);

 private:
  static la_ssize_t OnRead(archive* a, void* self, const void** buffer);
  [[noreturn]] void Fail(const std::string& what);

  struct Free {
    void operator()(archive* a) const { archive_read_free(a); }
  };
  ByteSource& source_;
  // Owned from the first line of the constructor, so that an archive that
  // fails to open (the constructor throws) is still freed.
  std::unique_ptr<archive, Free> archive_;
  std::exception_ptr source_error_;
};

}  // namespace herald::analyzer
