#include "analyzer/archive/libarchive.h"

#include <new>

#include "analyzer/analysis_error.h"

namespace herald::analyzer {

ArchiveReader::ArchiveReader(ByteSource& source, Filters filters, Formats formats)
    : source_(source), archive_(archive_read_new()) {
  archive* a = archive_.get();
  if (a == nullptr) throw std::bad_alloc();
  if (filters == Filters::kAll) {
    archive_read_support_filter_all(a);
  } else {
    archive_read_support_filter_none(a);
  }
  archive_read_support_format_tar(a);
  archive_read_support_format_gnutar(a);
  if (formats == Formats::kTarAndZip) archive_read_support_format_zip_streamable(a);
  if (archive_read_open(a, this, nullptr, &ArchiveReader::OnRead, nullptr) != ARCHIVE_OK) {
    Fail("open");
  }
}

la_ssize_t ArchiveReader::OnRead(archive*, void* self_ptr, const void** buffer) {
  auto* self = static_cast<ArchiveReader*>(self_ptr);
  try {
    const std::string_view chunk = self->source_.Next();
    *buffer = chunk.data();
    return static_cast<la_ssize_t>(chunk.size());
  } catch (...) {
    self->source_error_ = std::current_exception();
    return ARCHIVE_FATAL;
  }
}

void ArchiveReader::Fail(const std::string& what) {
  if (source_error_) std::rethrow_exception(source_error_);
  const char* message = archive_error_string(archive_.get());
  throw Unprocessable("could not extract: " + what + ": " +
                      (message != nullptr ? message : "not a readable tar archive"));
}

archive_entry* ArchiveReader::NextEntry() {
  archive_entry* entry = nullptr;
  const int r = archive_read_next_header(archive_.get(), &entry);
  if (r == ARCHIVE_EOF) return nullptr;
  if (r == ARCHIVE_OK || r == ARCHIVE_WARN) return entry;
  Fail("reading an entry header");
}

std::size_t ArchiveReader::ReadData(char* buffer, std::size_t size) {
  const la_ssize_t n = archive_read_data(archive_.get(), buffer, size);
  if (n < 0) Fail("reading an entry");
  return static_cast<std::size_t>(n);
}

}  // namespace herald::analyzer
