// Hands out a chunk that was already read (to sniff the compression) before
// the rest of the underlying stream.
#pragma once

#include <string>
#include <string_view>

#include "analyzer/fetch/byte_source.h"

namespace herald::analyzer {

class PrependSource : public ByteSource {
 public:
  PrependSource(std::string first, ByteSource& rest) : first_(std::move(first)), rest_(rest) {}

  std::string_view Next() override {
    if (!first_done_) {
      first_done_ = true;
      if (!first_.empty()) return first_;
    }
    return rest_.Next();
  }

 private:
  std::string first_;
  bool first_done_ = false;
  ByteSource& rest_;
};

}  // namespace herald::analyzer
