#include "analyzer/archive/gzip_source.h"

#include <isa-l/igzip_lib.h>

#include <cstdint>
#include <string>

namespace herald::analyzer {
namespace {

constexpr std::size_t kOutChunk = 1 << 20;

class GzipSource : public ByteSource {
 public:
  GzipSource(ByteSource& in, Budget& budget)
      : in_(in), budget_(budget), out_(new std::uint8_t[kOutChunk]) {
    state_ = std::make_unique<inflate_state>();
    isal_inflate_init(state_.get());
    state_->crc_flag = ISAL_GZIP;
  }

  std::string_view Next() override {
    // Checked per output chunk, not per input chunk: one compressed MiB of a
    // gzip bomb inflates to a gigabyte.
    budget_.Check();
    while (true) {
      if (finished_) return {};
      if (state_->avail_in == 0) {
        const std::string_view chunk = in_.Next();
        if (chunk.empty()) {
          if (state_->block_state == ISAL_BLOCK_FINISH) {
            finished_ = true;
            return {};
          }
          throw Unprocessable("could not extract: the gzip stream is truncated");
        }
        state_->next_in = reinterpret_cast<std::uint8_t*>(const_cast<char*>(chunk.data()));
        state_->avail_in = static_cast<std::uint32_t>(chunk.size());
      }
      if (state_->block_state == ISAL_BLOCK_FINISH) {
        // Another member follows (concatenated gzip files are one stream);
        // anything else after the end is trailing padding, ignored as gzip -d
        // does.
        if (state_->avail_in >= 2 && state_->next_in[0] == 0x1f && state_->next_in[1] == 0x8b) {
          const auto avail = state_->avail_in;
          auto* next = state_->next_in;
          isal_inflate_reset(state_.get());
          state_->crc_flag = ISAL_GZIP;
          state_->next_in = next;
          state_->avail_in = avail;
        } else {
          state_->avail_in = 0;
          continue;
        }
      }
      state_->next_out = out_.get();
      state_->avail_out = kOutChunk;
      const int ret = isal_inflate(state_.get());
      if (ret < 0) {
        throw Unprocessable(std::string("could not extract: the gzip stream is corrupt (") +
                            Describe(ret) + ")");
      }
      const std::size_t produced = kOutChunk - state_->avail_out;
      if (produced > 0) {
        budget_.CountInflated(static_cast<std::int64_t>(produced));
        return {reinterpret_cast<const char*>(out_.get()), produced};
      }
    }
  }

 private:
  static const char* Describe(int ret) {
    switch (ret) {
      case ISAL_INVALID_BLOCK:
        return "invalid deflate block";
      case ISAL_INVALID_SYMBOL:
        return "invalid deflate symbol";
      case ISAL_INVALID_LOOKBACK:
        return "invalid lookback distance";
      case ISAL_INVALID_WRAPPER:
        return "invalid gzip header";
      case ISAL_UNSUPPORTED_METHOD:
        return "unsupported compression method";
      case ISAL_INCORRECT_CHECKSUM:
        return "checksum mismatch";
      default:
        return "inflate error";
    }
  }

  ByteSource& in_;
  Budget& budget_;
  std::unique_ptr<inflate_state> state_;  // large (tens of KiB): kept off the stack
  std::unique_ptr<std::uint8_t[]> out_;
  bool finished_ = false;
};

}  // namespace

bool LooksLikeGzip(std::string_view head) {
  return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
         static_cast<unsigned char>(head[1]) == 0x8b;
}

std::unique_ptr<ByteSource> InflateGzip(ByteSource& compressed, Budget& budget) {
  return std::make_unique<GzipSource>(compressed, budget);
}

}  // namespace herald::analyzer
