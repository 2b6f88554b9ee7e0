#include "receivers/webhook/signature.h"

#include "util/crypto.h"

namespace herald::receivers::webhook {

std::string WebhookId(std::string_view name, int round) {
  std::string id(name);
  return id.append(".").append(std::to_string(round));
}

std::string Sign(std::string_view key, std::string_view id, std::int64_t timestamp,
                 std::string_view body) {
  std::string payload;
  payload.reserve(id.size() + body.size() + 24);
  payload.append(id).append(".").append(std::to_string(timestamp)).append(".").append(body);
  return "v1," + util::Base64Encode(util::HmacSha256(key, payload));
}

}  // namespace herald::receivers::webhook
