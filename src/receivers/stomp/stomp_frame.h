// STOMP 1.2 frames (https://stomp.github.io/stomp-specification-1.2.html):
// encoding, and an incremental decoder for what a server sends. No Debian
// package implements STOMP for C++, so this small codec is Herald's own.
#pragma once

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::receivers::stomp {

struct Frame {
  std::string command;
  std::vector<std::pair<std::string, std::string>> headers;  // in order; repeats kept
  std::string body;

  // The first value of `name` (STOMP 1.2: a repeated header's first wins).
  std::optional<std::string> Header(std::string_view name) const;
};

// A frame the peer sent that STOMP 1.2 does not allow; the connection
// cannot be trusted after it.
class ProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The bytes of `frame`, NUL-terminated. Header names and values are escaped
// (\\, \n, \r, :) except in CONNECT and CONNECTED frames, as the spec says.
// A body needs a content-length header from the caller when it may hold NUL.
std::string Encode(const Frame& frame);

// Splits a byte stream into frames; heart-beats (end-of-lines between
// frames) are skipped.
class FrameDecoder {
 public:
  explicit FrameDecoder(std::size_t max_frame_bytes = 1 << 20) : max_frame_(max_frame_bytes) {}

  void Feed(std::string_view bytes) { buffer_.append(bytes); }

  // The next complete frame, or nullopt when more bytes are needed. Throws
  // ProtocolError for a malformed frame or one larger than the limit.
  std::optional<Frame> Next();

 private:
  std::string buffer_;
  std::size_t max_frame_;
};

}  // namespace herald::receivers::stomp
