#include <stdexcept>
#include <string>

#include "config/config.h"
#include "util/crypto.h"

namespace herald::config {

std::string DecodeWebhookSecret(std::string_view secret) {
  // The reference libraries strip the prefix when present and base64-decode
  // what is left either way; a raw-bytes reading of an unprefixed secret
  // would sign with a different key than the receiver verifies with.
  constexpr std::string_view kPrefix = "whsec_";
  if (secret.substr(0, kPrefix.size()) == kPrefix) secret.remove_prefix(kPrefix.size());
  auto key = util::Base64DecodeOptionalPadding(secret);
  if (!key) {
    throw std::invalid_argument(
        "must be standard base64 (optionally after \"whsec_\"), as Standard Webhooks secrets are");
  }
  if (key->empty()) throw std::invalid_argument("decodes to an empty key");
  return *key;
}

}  // namespace herald::config
