// Server-rendered HTML for the web page (SPEC §10): escaping, times, and the
// layout every page shares. Every list and action works without JavaScript;
// the page's small script only adds live refresh.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/router.h"

namespace herald::ui {

// Text or an attribute value, with & < > " ' escaped.
std::string Escape(std::string_view text);
// A path segment or query value, percent-encoded.
std::string UrlEncode(std::string_view text);
// "2026-12-03 16:05:36 UTC" for Unix milliseconds.
std::string FormatTime(std::int64_t unix_ms);

struct Layout {
  std::string title;       // of the page, escaped here
  std::string body;        // HTML, already escaped where needed
  bool signed_in = false;  // shows "Sign out" (only with api.tokens)
  std::string active;      // the nav entry to mark: "notifications", "feeds" or ""
};

// A whole HTML document with the page's stylesheet and script.
std::string RenderPage(const Layout& layout);

// An HTML response with the page's security headers (a Content-Security-
// Policy that allows only the page's own files, no framing, no caching).
api::Response HtmlResponse(const api::RequestContext& ctx, int status, std::string html);
// 303 See Other to `location`, optionally setting a cookie.
api::Response Redirect(const api::RequestContext& ctx, const std::string& location,
                       const std::optional<std::string>& set_cookie = std::nullopt);

}  // namespace herald::ui
