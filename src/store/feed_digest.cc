#include "store/feed_digest.h"

#include <array>
#include <string>
#include <string_view>

#include "util/crypto.h"

namespace herald::store {
namespace {

// Byte orders are spelled out, so that processes on different machines
// sharing one PostgreSQL database agree on every digest.
void Append(std::string& out, std::string_view field) {
  std::uint64_t size = field.size();
  for (int i = 0; i < 8; ++i, size >>= 8) out.push_back(static_cast<char>(size & 0xFF));
  out.append(field);
}

}  // namespace

std::int64_t FeedDigest(const model::Vulnerability& v) {
  // A feed re-import digests every entry: the buffer is reused.
  thread_local std::string buffer;
  buffer.clear();
  // The version of this layout: changing what is digested must change it,
  // so that no stored digest of the old layout can match.
  Append(buffer, "herald-feed-digest-1");
  Append(buffer, v.description);
  Append(buffer, v.link);
  Append(buffer, v.severity);
  Append(buffer, v.metadata);
  for (const model::FixedIn& fix : v.fixed_in) {
    Append(buffer, fix.feature);
    Append(buffer, fix.version);
  }
  const std::array<unsigned char, 32> sha = util::Sha256(buffer);
  std::uint64_t digest = 0;
  for (int i = 0; i < 8; ++i) digest = (digest << 8) | sha[static_cast<std::size_t>(i)];
  return static_cast<std::int64_t>(digest);
}

}  // namespace herald::store
