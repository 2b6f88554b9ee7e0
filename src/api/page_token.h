// Page and NextPage tokens: a small JSON cursor sealed in a Fernet token
// keyed by api.paginationKey, so tokens are opaque, tamper evident and valid
// on every instance that shares the key (SPEC §4).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "api/fernet.h"

namespace herald::api {

class PageTokens {
 public:
  explicit PageTokens(Fernet fernet) : fernet_(std::move(fernet)) {}

  std::string Seal(const nlohmann::json& cursor) const;

  // The cursor, or ApiError(400) when the token is forged, corrupted, made
  // with another key, or not a cursor of the expected `kind`.
  nlohmann::json Open(std::string_view token, std::string_view kind) const;

 private:
  Fernet fernet_;
};

}  // namespace herald::api
