// Standard Webhooks signing (https://www.standardwebhooks.com/): the headers
// webhook-id, webhook-timestamp and webhook-signature: v1,<base64 HMAC>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::receivers::webhook {

// The signing key from a configured secret: "whsec_<base64>" is decoded,
// anything else is used as raw bytes. Throws std::invalid_argument when a
// whsec_ secret is not valid base64.
std::string SigningKey(std::string_view secret);

// "v1,<base64 HMAC-SHA256 over "id.timestamp.body">".
std::string Sign(std::string_view key, std::string_view id, std::int64_t timestamp,
                 std::string_view body);

}  // namespace herald::receivers::webhook
