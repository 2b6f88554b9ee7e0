// The web page's sessions (SPEC §10). With api.tokens configured, the token
// typed into the login form is exchanged for a cookie that holds, sealed
// with the pagination key's Fernet, the SHA-256 of that token and when the
// session ends (12 h). Each request re-checks the hash against api.tokens,
// so a token removed from the config ends its sessions at the next restart;
// the scope is the token's, never stored in the cookie. The token itself is
// never in a URL, a cookie or a log.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "api/authenticator.h"
#include "api/page_token.h"
#include "api/router.h"
#include "util/clock.h"

namespace herald::ui {

inline constexpr std::string_view kSessionCookie = "herald_session";
inline constexpr std::chrono::hours kSessionLifetime{12};

class Sessions {
 public:
  // `secure`: the API port speaks TLS, so cookies carry Secure.
  Sessions(const api::PageTokens& seal, const api::Authenticator& authenticator,
           const util::Clock& clock, bool secure)
      : seal_(seal), authenticator_(authenticator), clock_(clock), secure_(secure) {}

  // No tokens configured: the page is open, like the API.
  bool open() const { return authenticator_.open(); }

  // The Set-Cookie value of a new session for `token`, or nullopt when the
  // token is not one of api.tokens.
  std::optional<std::string> Start(std::string_view token) const;
  // The Set-Cookie value that ends the session.
  std::string End() const;

  // The scope of the request's session; nullopt without a session, or when
  // it is forged, expired, or its token is no longer configured. Open page:
  // admin.
  std::optional<api::Scope> ScopeOf(const api::Request& request) const;

 private:
  std::string Cookie(const std::string& value, std::int64_t max_age_seconds) const;

  const api::PageTokens& seal_;
  const api::Authenticator& authenticator_;
  const util::Clock& clock_;
  const bool secure_;
};

}  // namespace herald::ui
