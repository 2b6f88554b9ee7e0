// Bearer tokens of api.tokens (SPEC §11): each request's token is hashed and
// compared, in constant time, with every configured SHA-256; the route asks
// for a scope, and each scope includes the ones before it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/router.h"
#include "config/config.h"

namespace herald::api {

enum class Scope { kRead = 1, kWrite = 2, kAdmin = 3 };

// The scope a route needs: GET routes read; changing notifications
// (redeliver, DELETE) is admin; every other change (layers,
// vulnerabilities) is write.
Scope RequiredScope(http::verb method, std::string_view pattern);

class Authenticator {
 public:
  // Tokens as validated by config::Validate. No tokens: every request passes.
  explicit Authenticator(const std::vector<config::ApiToken>& tokens);

  bool open() const { return tokens_.empty(); }

  // The scope of the request's `Authorization: Bearer` token. Throws
  // ApiError(401) when tokens are configured and the request carries none
  // that matches; nullopt when the API is open.
  std::optional<Scope> Authenticate(const Request& request) const;

  // The scope of `token`, or of the token whose SHA-256 (hex) is `digest`;
  // nullopt when no configured token matches.
  std::optional<Scope> ScopeOfToken(std::string_view token) const;
  std::optional<Scope> ScopeOfDigest(std::string_view digest) const;

  // Throws ApiError(403) when `granted` is below `needed`.
  static void Authorize(std::optional<Scope> granted, Scope needed);

 private:
  struct Known {
    std::string sha256;
    Scope scope;
  };
  std::vector<Known> tokens_;
};

}  // namespace herald::api
