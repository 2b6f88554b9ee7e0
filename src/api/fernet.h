// Fernet tokens (https://github.com/fernet/spec), the format Clair v1 used for
// page tokens: 0x80 | timestamp (8 bytes, big endian) | IV (16) |
// AES-128-CBC ciphertext (PKCS7) | HMAC-SHA256 (32), URL-safe base64.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/crypto.h"

namespace herald::api {

class Fernet {
 public:
  // A key is 32 bytes in URL-safe base64: the first 16 sign, the last 16
  // encrypt. Returns nullopt and sets *error when the key is malformed.
  static std::optional<Fernet> FromKey(std::string_view key, std::string* error);

  // A fresh random key, URL-safe base64 encoded.
  static std::string GenerateKey();

  // Encrypts with a random IV and the current time.
  std::string Encrypt(std::string_view plaintext) const;
  // For tests: a fixed timestamp and IV (16 bytes).
  std::string EncryptAt(std::string_view plaintext, std::uint64_t unix_seconds,
                        std::string_view iv) const;

  // The plaintext, or nullopt when the token is malformed, forged, or was
  // made with another key. Tokens do not expire (SPEC §4).
  std::optional<std::string> Decrypt(std::string_view token) const;

 private:
  Fernet(std::string_view signing_key, std::string encryption_key);
  util::HmacSha256Key signing_key_;
  std::string encryption_key_;
};

}  // namespace herald::api
