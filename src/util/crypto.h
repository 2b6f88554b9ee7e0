// Small wrappers over OpenSSL used by page tokens and webhook signing.
#pragma once

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace herald::util {

// Cryptographically secure random bytes (RAND_bytes). Throws on failure.
std::string RandomBytes(std::size_t n);

// SHA-256 of data, as 32 raw bytes.
std::array<unsigned char, 32> Sha256(std::string_view data);

// SHA-256 of data, as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

// HMAC-SHA256 of data under key, as 32 raw bytes.
std::string HmacSha256(std::string_view key, std::string_view data);

// An HMAC-SHA256 key prepared once, for a key that signs many messages
// (page tokens, sessions). Signing copies the keyed state rather than
// deriving it from the key each time, and looks nothing up in OpenSSL's
// shared algorithm store: a page GET seals two tokens, and the one-shot
// HMAC() was 8 % of its CPU. Copies share the prepared state, which is
// never changed after construction, so any thread may sign.
class HmacSha256Key {
 public:
  explicit HmacSha256Key(std::string_view key);
  std::string Sign(std::string_view data) const;  // 32 raw bytes

 private:
  std::shared_ptr<evp_mac_ctx_st> keyed_;
};

// Standard base64 (RFC 4648 §4) with padding.
std::string Base64Encode(std::string_view raw);
std::optional<std::string> Base64Decode(std::string_view text);
// The same alphabet, with the final padding optional.
std::optional<std::string> Base64DecodeOptionalPadding(std::string_view text);

// URL-safe base64 (RFC 4648 §5) with padding, as Fernet uses it. Decoding
// also accepts input without padding.
std::string Base64UrlEncode(std::string_view raw);
std::optional<std::string> Base64UrlDecode(std::string_view text);

// Constant-time comparison, for MACs.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

}  // namespace herald::util
