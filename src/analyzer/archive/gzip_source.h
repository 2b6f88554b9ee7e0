// gzip decompression with ISA-L's streaming inflate. zlib's inflate was the
// bottleneck of layer analysis (about 3× slower on the same layer), so gzip
// layers, the common case, are inflated here and libarchive only parses the
// tar; libarchive's own filters handle bzip2, xz and zstd.
#pragma once

#include <memory>

#include "analyzer/budget.h"
#include "analyzer/fetch/byte_source.h"

namespace herald::analyzer {

// True when `head` starts with the gzip magic bytes.
bool LooksLikeGzip(std::string_view head);

// The decompressed bytes of the gzip stream in `compressed` (one or more
// members). A corrupt or truncated stream → AnalysisError 422.
std::unique_ptr<ByteSource> InflateGzip(ByteSource& compressed, Budget& budget);

}  // namespace herald::analyzer
