// Standard Webhooks signing (https://www.standardwebhooks.com/): the headers
// webhook-id, webhook-timestamp and webhook-signature: v1,<base64 HMAC>.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::receivers::webhook {

// "v1,<base64 HMAC-SHA256 over "id.timestamp.body">"; the key comes from
// config::DecodeWebhookSecret.
// The webhook-id of a notification's round (SPEC §5): the same for every
// attempt of a round, new for each round, so receivers that de-duplicate on
// it still see renotifies and redelivers.
std::string WebhookId(std::string_view name, int round);

std::string Sign(std::string_view key, std::string_view id, std::int64_t timestamp,
                 std::string_view body);

}  // namespace herald::receivers::webhook
