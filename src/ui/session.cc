#include "ui/session.h"

#include "api/api_error.h"
#include "util/crypto.h"

namespace herald::ui {
namespace {

// The value of cookie `name` in a Cookie header ("a=1; b=2"), if present.
std::optional<std::string_view> CookieValue(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const std::size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
    if (end == std::string_view::npos) break;
    header.remove_prefix(end + 1);
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Sessions::Start(std::string_view token) const {
  if (!authenticator_.ScopeOfToken(token)) return std::nullopt;
  const std::int64_t lifetime = std::chrono::seconds(kSessionLifetime).count();
  const std::int64_t expires = clock_.NowMillis() / 1000 + lifetime;
  const std::string sealed =
      seal_.Seal({{"k", "session"}, {"h", util::Sha256Hex(token)}, {"e", expires}});
  return Cookie(sealed, lifetime);
}

std::string Sessions::End() const {
  return Cookie("", 0);
}

std::string Sessions::Cookie(const std::string& value, std::int64_t max_age_seconds) const {
  return std::string(kSessionCookie) + "=" + value +
         "; Path=/ui; Max-Age=" + std::to_string(max_age_seconds) + "; HttpOnly; SameSite=Strict" +
         (secure_ ? "; Secure" : "");
}

std::optional<api::Scope> Sessions::ScopeOf(const api::Request& request) const {
  if (open()) return api::Scope::kAdmin;
  const auto header = request.find(api::http::field::cookie);
  if (header == request.end()) return std::nullopt;
  const auto value = CookieValue({header->value().data(), header->value().size()}, kSessionCookie);
  if (!value || value->empty()) return std::nullopt;
  nlohmann::json session;
  try {
    session = seal_.Open(*value, "session");
  } catch (const api::ApiError&) {
    return std::nullopt;  // forged, corrupted, or sealed with another key
  }
  if (!session["e"].is_number_integer() || !session["h"].is_string() ||
      session["e"].get<std::int64_t>() <= clock_.NowMillis() / 1000) {
    return std::nullopt;
  }
  return authenticator_.ScopeOfDigest(session["h"].get<std::string>());
}

}  // namespace herald::ui
