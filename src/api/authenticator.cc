#include "api/authenticator.h"

#include "api/api_error.h"
#include "util/crypto.h"

namespace herald::api {
namespace {

Scope ParseScope(const std::string& scope) {
  if (scope == "admin") return Scope::kAdmin;
  if (scope == "write") return Scope::kWrite;
  return Scope::kRead;
}

// The token of "Authorization: Bearer <token>"; the scheme in any case, as
// RFC 7235 has it. Any other scheme, or none, is no token.
std::optional<std::string_view> BearerToken(const Request& request) {
  const auto header = request.find(http::field::authorization);
  if (header == request.end()) return std::nullopt;
  std::string_view value(header->value().data(), header->value().size());
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::nullopt;
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  return value;
}

}  // namespace

Scope RequiredScope(http::verb method, std::string_view pattern) {
  if (method == http::verb::get || method == http::verb::head) return Scope::kRead;
  if (pattern.rfind("/v1/notifications", 0) == 0) return Scope::kAdmin;
  return Scope::kWrite;
}

Authenticator::Authenticator(const std::vector<config::ApiToken>& tokens) {
  for (const auto& t : tokens) tokens_.push_back({t.sha256, ParseScope(t.scope)});
}

std::optional<Scope> Authenticator::Authenticate(const Request& request) const {
  if (open()) return std::nullopt;
  const auto token = BearerToken(request);
  if (!token) throw ApiError(401, "authentication required: send Authorization: Bearer <token>");
  const std::optional<Scope> granted = ScopeOfToken(*token);
  if (!granted) throw ApiError(401, "the bearer token is not valid");
  return granted;
}

std::optional<Scope> Authenticator::ScopeOfToken(std::string_view token) const {
  // Hashing first makes every comparison the same length.
  return ScopeOfDigest(util::Sha256Hex(token));
}

std::optional<Scope> Authenticator::ScopeOfDigest(std::string_view digest) const {
  // Comparing with every configured hash, without stopping at a match, keeps
  // the time independent of which one matched.
  std::optional<Scope> granted;
  for (const auto& known : tokens_) {
    if (util::ConstantTimeEqual(digest, known.sha256) && (!granted || known.scope > *granted)) {
      granted = known.scope;
    }
  }
  return granted;
}

void Authenticator::Authorize(std::optional<Scope> granted, Scope needed) {
  if (!granted) return;  // open API
  if (*granted < needed) {
    throw ApiError(403, std::string("this token's scope does not allow this request: it needs ") +
                            (needed == Scope::kAdmin ? "admin" : "write"));
  }
}

}  // namespace herald::api
