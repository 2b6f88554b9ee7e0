// A pull stream of a layer's bytes, read in chunks so that no stage copies
// more than it must: the file or HTTP body feeds the gzip inflater, which
// feeds libarchive.
#pragma once

#include <string_view>

namespace herald::analyzer {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // The next chunk; empty at the end of the stream. The chunk stays valid
  // until the next call. Throws AnalysisError.
  virtual std::string_view Next() = 0;
};

}  // namespace herald::analyzer
