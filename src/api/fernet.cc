#include "api/fernet.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

#include <chrono>
#include <climits>
#include <memory>
#include <new>
#include <stdexcept>
#include <utility>

#include "util/crypto.h"

namespace herald::api {
namespace {

constexpr unsigned char kVersion = 0x80;
constexpr std::size_t kKeySize = 32;
constexpr std::size_t kHalfKeySize = 16;
constexpr std::size_t kTimestampSize = 8;
constexpr std::size_t kIvSize = 16;
constexpr std::size_t kBlockSize = 16;
constexpr std::size_t kMacSize = 32;
constexpr std::size_t kHeaderSize = 1 + kTimestampSize + kIvSize;
// PKCS7 always adds at least one byte, so even an empty message has one block.
constexpr std::size_t kMinTokenSize = kHeaderSize + kBlockSize + kMacSize;

// Lets unique_ptr free OpenSSL objects on every exit path, including throws.
template <auto FreeFn>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    FreeFn(p);
  }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, OpenSslDeleter<&EVP_CIPHER_CTX_free>>;

// Fetched once: EVP_aes_128_cbc() is fetched again at every init.
const EVP_CIPHER* Aes128Cbc() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-128-CBC", nullptr);
  if (cipher == nullptr) throw std::runtime_error("Fernet: AES-128-CBC is not available");
  return cipher;
}

CipherCtxPtr NewCipherCtx() {
  CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) {
    throw std::bad_alloc();
  }
  return ctx;
}

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) {
  return reinterpret_cast<unsigned char*>(s.data());
}

std::string Aes128CbcEncrypt(std::string_view key, std::string_view iv,
                             std::string_view plaintext) {
  // EVP lengths are ints, and the padded output adds up to one block.
  if (plaintext.size() > static_cast<std::size_t>(INT_MAX) - kBlockSize) {
    throw std::length_error("Fernet: plaintext too large");
  }
  CipherCtxPtr ctx = NewCipherCtx();
  std::string out(plaintext.size() + kBlockSize, '\0');
  int written = 0;
  int final_written = 0;
  if (EVP_EncryptInit_ex2(ctx.get(), Aes128Cbc(), Bytes(key), Bytes(iv), nullptr) != 1 ||
      EVP_EncryptUpdate(ctx.get(), Bytes(out), &written, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1 ||
      EVP_EncryptFinal_ex(ctx.get(), Bytes(out) + written, &final_written) != 1) {
    ERR_clear_error();
    throw std::runtime_error("Fernet: AES-128-CBC encryption failed");
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(final_written));
  return out;
}

// Returns nullopt on bad padding; the caller has already authenticated the
// ciphertext, so this is not a padding oracle.
std::optional<std::string> Aes128CbcDecrypt(std::string_view key, std::string_view iv,
                                            std::string_view ciphertext) {
  CipherCtxPtr ctx = NewCipherCtx();
  std::string out(ciphertext.size() + kBlockSize, '\0');
  int written = 0;
  int final_written = 0;
  if (EVP_DecryptInit_ex2(ctx.get(), Aes128Cbc(), Bytes(key), Bytes(iv), nullptr) != 1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(out), &written, Bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1 ||
      EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + written, &final_written) != 1) {
    // Leave no stale entries on this thread's error queue for unrelated code.
    ERR_clear_error();
    return std::nullopt;
  }
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(final_written));
  return out;
}

}  // namespace

Fernet::Fernet(std::string_view signing_key, std::string encryption_key)
    : signing_key_(signing_key), encryption_key_(std::move(encryption_key)) {}

std::optional<Fernet> Fernet::FromKey(std::string_view key, std::string* error) {
  auto fail = [error](std::string message) -> std::optional<Fernet> {
    if (error != nullptr) {
      *error = std::move(message);
    }
    return std::nullopt;
  };
  std::optional<std::string> raw = util::Base64UrlDecode(key);
  if (!raw) {
    return fail("fernet key is not valid URL-safe base64");
  }
  std::string& bytes = *raw;
  const std::size_t size = bytes.size();
  if (size != kKeySize) {
    OPENSSL_cleanse(bytes.data(), size);
    return fail("fernet key must decode to exactly 32 bytes, got " + std::to_string(size));
  }
  Fernet fernet(std::string_view(bytes).substr(0, kHalfKeySize), bytes.substr(kHalfKeySize));
  // Only the Fernet object should hold the key; don't leave a copy on the heap.
  OPENSSL_cleanse(bytes.data(), size);
  return fernet;
}

std::string Fernet::GenerateKey() {
  return util::Base64UrlEncode(util::RandomBytes(kKeySize));
}

std::string Fernet::Encrypt(std::string_view plaintext) const {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now).count();
  // A clock set before 1970 cannot be represented; such a token is still valid.
  const std::uint64_t timestamp = seconds < 0 ? 0 : static_cast<std::uint64_t>(seconds);
  return EncryptAt(plaintext, timestamp, util::RandomBytes(kIvSize));
}

std::string Fernet::EncryptAt(std::string_view plaintext, std::uint64_t unix_seconds,
                              std::string_view iv) const {
  if (iv.size() != kIvSize) {
    throw std::invalid_argument("Fernet: IV must be 16 bytes");
  }
  const std::string ciphertext = Aes128CbcEncrypt(encryption_key_, iv, plaintext);

  std::string token;
  token.reserve(kHeaderSize + ciphertext.size() + kMacSize);
  token += static_cast<char>(kVersion);
  for (int shift = 56; shift >= 0; shift -= 8) {
    token += static_cast<char>((unix_seconds >> shift) & 0xFF);
  }
  token += iv;
  token += ciphertext;
  token += signing_key_.Sign(token);
  return util::Base64UrlEncode(token);
}

std::optional<std::string> Fernet::Decrypt(std::string_view token) const {
  const std::optional<std::string> raw = util::Base64UrlDecode(token);
  if (!raw || raw->size() < kMinTokenSize) {
    return std::nullopt;
  }
  const std::string_view data(*raw);
  if (static_cast<unsigned char>(data[0]) != kVersion) {
    return std::nullopt;
  }
  const std::string_view signed_part = data.substr(0, data.size() - kMacSize);
  const std::string_view mac = data.substr(data.size() - kMacSize);
  const std::string_view iv = data.substr(1 + kTimestampSize, kIvSize);
  const std::string_view ciphertext = signed_part.substr(kHeaderSize);
  if (ciphertext.size() % kBlockSize != 0 ||
      ciphertext.size() > static_cast<std::size_t>(INT_MAX) - kBlockSize) {
    return std::nullopt;
  }
  // Authenticate before touching the ciphertext so that padding errors are
  // only reachable with a valid MAC and cannot serve as an oracle.
  if (!util::ConstantTimeEqual(signing_key_.Sign(signed_part), mac)) {
    return std::nullopt;
  }
  return Aes128CbcDecrypt(encryption_key_, iv, ciphertext);
}

}  // namespace herald::api
