// The web page's sessions (SPEC §10): a token exchanged for a sealed cookie
// that carries the token's scope for 12 h, and nothing else.
#include "ui/session.h"

#include <gtest/gtest.h>

#include "api/fernet.h"
#include "util/crypto.h"

namespace herald::ui {
namespace {

using api::Scope;

class SessionsTest : public ::testing::Test {
 protected:
  SessionsTest()
      : seal_(*api::Fernet::FromKey(api::Fernet::GenerateKey(), nullptr)),
        auth_({{"ops", util::Sha256Hex("admin-token"), "admin"},
               {"viewer", util::Sha256Hex("read-token"), "read"}}) {}

  static api::Request WithCookie(const std::string& cookie) {
    api::Request r{api::http::verb::get, "/ui/", 11};
    r.set(api::http::field::cookie, cookie);
    return r;
  }
  // "herald_session=…" from a Set-Cookie value.
  static std::string Pair(const std::string& set_cookie) {
    return set_cookie.substr(0, set_cookie.find(';'));
  }

  util::ManualClock clock_;
  api::PageTokens seal_;
  api::Authenticator auth_;
};

TEST_F(SessionsTest, AValidTokenOpensASessionWithItsScope) {
  const Sessions sessions(seal_, auth_, clock_, /*secure=*/false);
  const auto cookie = sessions.Start("read-token");
  ASSERT_TRUE(cookie);
  EXPECT_NE(cookie->find("; Path=/ui; Max-Age=43200; HttpOnly; SameSite=Strict"), std::string::npos)
      << *cookie;
  EXPECT_EQ(cookie->find("Secure"), std::string::npos);
  EXPECT_EQ(cookie->find("read-token"), std::string::npos);  // never the token itself
  EXPECT_EQ(sessions.ScopeOf(WithCookie(Pair(*cookie))), Scope::kRead);
  // Among other cookies.
  EXPECT_EQ(sessions.ScopeOf(WithCookie("theme=dark; " + Pair(*cookie) + "; lang=en")),
            Scope::kRead);
  EXPECT_EQ(sessions.ScopeOf(WithCookie(Pair(*sessions.Start("admin-token")))), Scope::kAdmin);
}

TEST_F(SessionsTest, UnknownTokensForgedCookiesAndNoCookieAreNoSession) {
  const Sessions sessions(seal_, auth_, clock_, false);
  EXPECT_FALSE(sessions.Start("guess"));
  EXPECT_FALSE(sessions.Start(""));
  EXPECT_FALSE(sessions.ScopeOf(WithCookie("herald_session=forged")));
  EXPECT_FALSE(sessions.ScopeOf(WithCookie("herald_session=")));
  EXPECT_FALSE(sessions.ScopeOf(api::Request{api::http::verb::get, "/ui/", 11}));
  // A page token of the API is not a session, though sealed with the same key.
  EXPECT_FALSE(sessions.ScopeOf(
      WithCookie("herald_session=" + seal_.Seal({{"k", "notifications"}, {"a", 1}}))));
  // Sealed with another key.
  const api::PageTokens other(*api::Fernet::FromKey(api::Fernet::GenerateKey(), nullptr));
  const Sessions elsewhere(other, auth_, clock_, false);
  EXPECT_FALSE(sessions.ScopeOf(WithCookie(Pair(*elsewhere.Start("admin-token")))));
}

TEST_F(SessionsTest, ASessionEndsAfterTwelveHoursOrWhenItsTokenIsRemoved) {
  const Sessions sessions(seal_, auth_, clock_, false);
  const std::string cookie = Pair(*sessions.Start("admin-token"));
  clock_.Advance(std::chrono::hours(12) - std::chrono::seconds(1));
  EXPECT_EQ(sessions.ScopeOf(WithCookie(cookie)), Scope::kAdmin);
  clock_.Advance(std::chrono::seconds(1));
  EXPECT_FALSE(sessions.ScopeOf(WithCookie(cookie)));

  const std::string fresh = Pair(*sessions.Start("admin-token"));
  const api::Authenticator without({{"viewer", util::Sha256Hex("read-token"), "read"}});
  const Sessions after_restart(seal_, without, clock_, false);
  EXPECT_FALSE(after_restart.ScopeOf(WithCookie(fresh)));
}

TEST_F(SessionsTest, OverTlsTheCookieIsSecureAndAnOpenPageIsAdmin) {
  EXPECT_NE(Sessions(seal_, auth_, clock_, true).Start("read-token")->find("; Secure"),
            std::string::npos);
  EXPECT_EQ(Sessions(seal_, auth_, clock_, true).End().find("herald_session=;"), 0u);
  const api::Authenticator open({});
  const Sessions sessions(seal_, open, clock_, false);
  EXPECT_TRUE(sessions.open());
  EXPECT_EQ(sessions.ScopeOf(api::Request{api::http::verb::get, "/ui/", 11}), Scope::kAdmin);
}

}  // namespace
}  // namespace herald::ui
