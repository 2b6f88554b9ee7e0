#include "receivers/webhook/signature.h"

#include <stdexcept>

#include "util/crypto.h"

namespace herald::receivers::webhook {

std::string SigningKey(std::string_view secret) {
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) != kPrefix) return std::string(secret);
  auto decoded = util::Base64Decode(secret.substr(kPrefix.size()));
  if (!decoded) throw std::invalid_argument("a whsec_ secret must be base64 after the prefix");
  return *decoded;
}

std::string Sign(std::string_view key, std::string_view id, std::int64_t timestamp,
                 std::string_view body) {
  std::string payload;
  payload.reserve(id.size() + body.size() + 24);
  payload.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + util::Base64Encode(util::HmacSha256(key, payload));
}

}  // namespace herald::receivers::webhook
