#include "util/crypto.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <array>
#include <climits>
#include <cstdint>
#include <new>
#include <stdexcept>
#include <string>

namespace herald::util {
namespace {

// OpenSSL keeps the reason for a failure on a thread-local queue; surface it so
// a failed RNG or MAC is diagnosable instead of a bare "failed".
[[noreturn]] void ThrowOpenSslError(const char* what) {
  std::string message = what;
  if (unsigned long code = ERR_get_error(); code != 0) {
    std::array<char, 256> buffer{};
    ERR_error_string_n(code, buffer.data(), buffer.size());
    message += ": ";
    message += buffer.data();
  }
  ERR_clear_error();
  throw std::runtime_error(message);
}

constexpr std::string_view kStdAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::uint8_t kInvalid = 0xFF;
using DecodeTable = std::array<std::uint8_t, 256>;

constexpr DecodeTable MakeDecodeTable(std::string_view alphabet) {
  DecodeTable table{};
  table.fill(kInvalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr DecodeTable kStdDecode = MakeDecodeTable(kStdAlphabet);
constexpr DecodeTable kUrlDecode = MakeDecodeTable(kUrlAlphabet);

std::string Encode(std::string_view raw, std::string_view alphabet) {
  std::string out;
  out.reserve((raw.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= raw.size(); i += 3) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 1])) << 8) |
        static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 2]));
    out += alphabet[(n >> 18) & 0x3F];
    out += alphabet[(n >> 12) & 0x3F];
    out += alphabet[(n >> 6) & 0x3F];
    out += alphabet[n & 0x3F];
  }
  const std::size_t rest = raw.size() - i;
  if (rest == 1) {
    const std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16;
    out += alphabet[(n >> 18) & 0x3F];
    out += alphabet[(n >> 12) & 0x3F];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t n =
        (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i])) << 16) |
        (static_cast<std::uint32_t>(static_cast<unsigned char>(raw[i + 1])) << 8);
    out += alphabet[(n >> 18) & 0x3F];
    out += alphabet[(n >> 12) & 0x3F];
    out += alphabet[(n >> 6) & 0x3F];
    out += '=';
  }
  return out;
}

// Strict decoding: no whitespace, no '=' except as final padding, and the
// unused low bits of the last group must be zero. Accepting only the canonical
// encoding means every byte string has exactly one accepted spelling, so
// tokens cannot be varied cosmetically.
std::optional<std::string> Decode(std::string_view text, const DecodeTable& table,
                                  bool allow_unpadded) {
  std::size_t padding = 0;
  while (padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  if (padding > 2) {
    return std::nullopt;
  }
  if (padding > 0 && text.size() % 4 != 0) {
    return std::nullopt;
  }
  const std::string_view body = text.substr(0, text.size() - padding);
  const std::size_t tail = body.size() % 4;
  if (padding == 0 && tail != 0 && !allow_unpadded) {
    return std::nullopt;
  }
  // One leftover character carries only 6 bits, less than a byte.
  if (tail == 1) {
    return std::nullopt;
  }

  std::string out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (const char c : body) {
    const std::uint8_t value = table[static_cast<unsigned char>(c)];
    if (value == kInvalid) {
      return std::nullopt;
    }
    accumulator = (accumulator << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xFF);
    }
  }
  // Leftover bits (2 or 4) must be zero in a canonical encoding.
  if ((accumulator & ((1u << bits) - 1)) != 0) {
    return std::nullopt;
  }
  return out;
}

}  // namespace

std::string RandomBytes(std::size_t n) {
  std::string out(n, '\0');
  if (n == 0) {
    return out;
  }
  if (n > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("RandomBytes: request too large");
  }
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1) {
    ThrowOpenSslError("RAND_bytes failed");
  }
  return out;
}

namespace {

// Fetched once: EVP_sha256() is looked up in OpenSSL's shared algorithm
// store again on every digest (API tokens are hashed on every request).
const EVP_MD* Sha256Algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  if (md == nullptr) ThrowOpenSslError("EVP_MD_fetch(SHA256) failed");
  return md;
}

}  // namespace

std::array<unsigned char, 32> Sha256(std::string_view data) {
  std::array<unsigned char, 32> digest{};
  if (EVP_Digest(data.data(), data.size(), digest.data(), nullptr, Sha256Algorithm(), nullptr) !=
      1) {
    ThrowOpenSslError("EVP_Digest(SHA-256) failed");
  }
  return digest;
}

std::string Sha256Hex(std::string_view data) {
  const std::array<unsigned char, 32> digest = Sha256(data);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(2 * digest.size());
  for (const unsigned char byte : digest) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

namespace {

// Fetched once: an implicit fetch (HMAC(), EVP_sha256()) looks the
// algorithm up in OpenSSL's shared store on every call.
EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) ThrowOpenSslError("EVP_MAC_fetch(HMAC) failed");
  return mac;
}

}  // namespace

HmacSha256Key::HmacSha256Key(std::string_view key) {
  if (key.size() > static_cast<std::size_t>(INT_MAX)) {
    throw std::length_error("HmacSha256: key too large");
  }
  keyed_.reset(EVP_MAC_CTX_new(HmacAlgorithm()), &EVP_MAC_CTX_free);
  if (!keyed_) throw std::bad_alloc();
  // OpenSSL 3.0 treats a null key pointer as "no key set" and fails, while an
  // empty key is legal HMAC; an empty string_view may carry a null pointer.
  static constexpr unsigned char kEmpty = 0;
  const auto* key_ptr = key.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(key.data());
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(keyed_.get(), key_ptr, key.size(), params) != 1) {
    ThrowOpenSslError("HMAC-SHA256 key setup failed");
  }
}

std::string HmacSha256Key::Sign(std::string_view data) const {
  std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_dup(keyed_.get()),
                                                                &EVP_MAC_CTX_free);
  if (!ctx) throw std::bad_alloc();
  static constexpr unsigned char kEmpty = 0;
  const auto* data_ptr =
      data.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(data.data());
  std::string mac(EVP_MAX_MD_SIZE, '\0');
  std::size_t mac_len = 0;
  if (EVP_MAC_update(ctx.get(), data_ptr, data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), reinterpret_cast<unsigned char*>(mac.data()), &mac_len,
                    mac.size()) != 1) {
    ThrowOpenSslError("HMAC-SHA256 failed");
  }
  mac.resize(mac_len);
  return mac;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  return HmacSha256Key(key).Sign(data);
}

std::string Base64Encode(std::string_view raw) {
  return Encode(raw, kStdAlphabet);
}

std::optional<std::string> Base64Decode(std::string_view text) {
  return Decode(text, kStdDecode, /*allow_unpadded=*/false);
}

std::optional<std::string> Base64DecodeOptionalPadding(std::string_view text) {
  return Decode(text, kStdDecode, /*allow_unpadded=*/true);
}

std::string Base64UrlEncode(std::string_view raw) {
  return Encode(raw, kUrlAlphabet);
}

std::optional<std::string> Base64UrlDecode(std::string_view text) {
  return Decode(text, kUrlDecode, /*allow_unpadded=*/true);
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  // Lengths of MACs are public, so an early exit on them leaks nothing.
  if (a.size() != b.size()) {
    return false;
  }
  if (a.empty()) {
    return true;
  }
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace herald::util
