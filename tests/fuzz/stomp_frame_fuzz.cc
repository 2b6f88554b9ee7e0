// STOMP frames from a broker (issue 10): the bytes a server sends are
// hostile. The decoder either yields frames or throws ProtocolError, never
// reads out of bounds or loops; the bytes are fed in the chunks the input's
// first byte chooses, as reads from a socket would split them; and a frame
// it yields (other than CONNECT/CONNECTED, whose headers are not escaped)
// encodes and decodes back to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "receivers/stomp/stomp_frame.h"

using herald::receivers::stomp::Encode;
using herald::receivers::stomp::Frame;
using herald::receivers::stomp::FrameDecoder;
using herald::receivers::stomp::ProtocolError;

namespace {

bool Same(const Frame& a, const Frame& b) {
  return a.command == b.command && a.headers == b.headers && a.body == b.body;
}

void CheckRoundTrip(const Frame& frame) {
  if (frame.command == "CONNECT" || frame.command == "CONNECTED") return;
  FrameDecoder again;
  again.Feed(Encode(frame));
  try {
    auto back = again.Next();
    HERALD_FUZZ_CHECK(back.has_value());
    HERALD_FUZZ_CHECK(Same(*back, frame));
  } catch (const ProtocolError&) {
    HERALD_FUZZ_CHECK(false && "a decoded frame did not encode to a valid one");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 64;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  FrameDecoder decoder(4096);
  try {
    for (std::size_t i = 0; i < input.size(); i += chunk) {
      decoder.Feed(input.substr(i, chunk));
      while (auto frame = decoder.Next()) CheckRoundTrip(*frame);
    }
  } catch (const ProtocolError&) {
    // The receiver drops the connection: an expected answer to bad bytes.
  }
  return 0;
}
