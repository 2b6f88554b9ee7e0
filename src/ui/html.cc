#include "ui/html.h"

#include <ctime>

namespace herald::ui {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string FormatTime(std::int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buffer;
}

std::string RenderPage(const Layout& layout) {
  auto nav = [&](std::string_view key, std::string_view href, std::string_view label) {
    return std::string("<a href=\"") + std::string(href) + "\"" +
           (layout.active == key ? " aria-current=\"page\"" : "") + ">" + std::string(label) +
           "</a>";
  };
  std::string html =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<title>" +
      Escape(layout.title) +
      " · Herald</title>\n"
      "<link rel=\"stylesheet\" href=\"/ui/static/herald.css\">\n"
      "<script src=\"/ui/static/herald.js\" defer></script>\n"
      "</head>\n<body>\n<header class=\"top\">\n<a class=\"brand\" href=\"/ui/\">Herald</a>\n"
      "<nav>" +
      nav("notifications", "/ui/", "Notifications") + nav("feeds", "/ui/feeds", "Feeds") +
      "</nav>\n";
  if (layout.signed_in) {
    html +=
        "<form class=\"signout\" method=\"post\" action=\"/ui/logout\">"
        "<button type=\"submit\" class=\"link\">Sign out</button></form>\n";
  }
  html += "</header>\n<main id=\"main\">\n" + layout.body + "</main>\n</body>\n</html>\n";
  return html;
}

namespace {

void SetPageHeaders(api::Response& res) {
  res.set(api::http::field::server, "herald");
  res.set(api::http::field::cache_control, "no-store");
  res.set("Content-Security-Policy",
          "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; "
          "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "same-origin");
}

}  // namespace

api::Response HtmlResponse(const api::RequestContext& ctx, int status, std::string html) {
  api::Response res{static_cast<api::http::status>(status), ctx.request.version()};
  SetPageHeaders(res);
  res.set(api::http::field::content_type, "text/html; charset=utf-8");
  res.body() = std::move(html);
  res.keep_alive(ctx.request.keep_alive());
  res.prepare_payload();
  return res;
}

api::Response Redirect(const api::RequestContext& ctx, const std::string& location,
                       const std::optional<std::string>& set_cookie) {
  api::Response res{api::http::status::see_other, ctx.request.version()};
  SetPageHeaders(res);
  res.set(api::http::field::location, location);
  if (set_cookie) res.set(api::http::field::set_cookie, *set_cookie);
  res.keep_alive(ctx.request.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace herald::ui
