#include "ui/page_routes.h"

#include <spdlog/spdlog.h>

#include <memory>
#include <set>
#include <variant>

#include "api/api_error.h"
#include "ui/html.h"
#include "ui/session.h"
#include "util/embedded_files.h"

namespace herald::ui {
namespace {

using api::RequestContext;
using api::Response;
using api::Scope;
namespace http = api::http;

constexpr int kPageSize = 50;

std::string_view ScopeName(Scope scope) {
  switch (scope) {
    case Scope::kRead:
      return "read";
    case Scope::kWrite:
      return "write";
    case Scope::kAdmin:
      return "admin";
  }
  return "read";
}

std::string Badge(std::string_view word) {
  return "<span class=\"badge badge-" + Escape(word) + "\">" + Escape(word) + "</span>";
}

// Everything one page handler needs.
struct Page {
  api::ApiContext& ctx;
  Sessions sessions;
  bool tls;

  // The session's scope when it reaches `needed`; otherwise the answer to
  // send instead: the login form's address, or a 403 page.
  std::variant<Scope, Response> Require(const RequestContext& rc, Scope needed) const {
    const std::optional<Scope> scope = sessions.ScopeOf(rc.request);
    if (!scope) {
      if (rc.request.method() == http::verb::get) return Redirect(rc, "/ui/login");
      return Error(rc, 401, "Sign in first", "Your session has ended. Sign in again.");
    }
    if (*scope < needed) {
      return Error(rc, 403, "Not allowed",
                   "This needs a token with the " + std::string(ScopeName(needed)) +
                       " scope; yours has " + std::string(ScopeName(*scope)) + ".");
    }
    return *scope;
  }

  // A page POST must come from this page (SPEC §10): its Origin names this
  // host. Browsers send Origin on every POST; a request without one is not
  // a browser's form and is refused too.
  std::optional<Response> CheckOrigin(const RequestContext& rc) const {
    const auto origin = rc.request.find(http::field::origin);
    const auto host = rc.request.find(http::field::host);
    const std::string expected =
        std::string(tls ? "https://" : "http://") +
        (host == rc.request.end() ? "" : std::string(host->value().data(), host->value().size()));
    if (origin == rc.request.end() || host == rc.request.end() ||
        std::string_view(origin->value().data(), origin->value().size()) != expected) {
      return Error(rc, 403, "Refused",
                   "This form was not sent from Herald's own page (its Origin does not match).");
    }
    return std::nullopt;
  }

  bool SignedIn(const RequestContext& rc) const {
    return !sessions.open() && sessions.ScopeOf(rc.request).has_value();
  }

  Response Error(const RequestContext& rc, int status, const std::string& title,
                 const std::string& message) const {
    return HtmlResponse(
        rc, status,
        RenderPage({title,
                    "<h1>" + Escape(title) + "</h1>\n<p class=\"notice error\">" + Escape(message) +
                        "</p>\n<p><a href=\"/ui/\">Back to the notifications</a></p>\n",
                    SignedIn(rc), ""}));
  }
};

std::string StatusFilter(const std::string& current) {
  std::string out = "<nav class=\"filter\" aria-label=\"Filter by status\">";
  for (const char* status : {"", "pending", "failed", "notified", "deleted"}) {
    const std::string href = *status ? std::string("/ui/?status=") + status : "/ui/";
    const std::string label = *status ? std::string(status) : "all";
    out += "<a href=\"" + href + "\"" + (current == status ? " aria-current=\"true\"" : "") + ">" +
           label + "</a>";
  }
  return out + "</nav>\n";
}

Response NotificationList(const Page& page, const RequestContext& rc) {
  const std::string status_text = rc.Query("status").value_or("");
  std::optional<model::NotificationStatus> status;
  if (!status_text.empty()) {
    status = model::ParseNotificationStatus(status_text);
    if (!status) {
      return page.Error(rc, 400, "Unknown status",
                        "status must be pending, failed, notified or deleted.");
    }
  }
  std::int64_t after = 0;
  if (auto text = rc.Query("after")) {
    try {
      after = std::stoll(*text);
    } catch (const std::exception&) {
      after = -1;
    }
    if (after < 0) return page.Error(rc, 400, "Bad page", "after must be a positive number.");
  }
  const auto list = page.ctx.store.ListNotifications(status, kPageSize, after);

  std::string body = "<h1>Notifications</h1>\n" + StatusFilter(status_text);
  if (list.notifications.empty()) {
    body += "<p class=\"empty\">No notifications" +
            (status_text.empty() ? std::string() : " with status " + Escape(status_text)) +
            ".</p>\n";
  } else {
    body +=
        "<div class=\"table\"><table class=\"list\">\n<thead><tr><th>Notification</th>"
        "<th>Status</th><th>Created</th><th>Notified</th></tr></thead>\n<tbody>\n";
    for (const auto& n : list.notifications) {
      body += "<tr><td class=\"name\"><a href=\"/ui/notifications/" + UrlEncode(n.name) + "\">" +
              Escape(n.name) + "</a></td><td>" + Badge(model::ToString(n.status)) + "</td><td>" +
              FormatTime(n.created) + "</td><td>" +
              (n.notified ? FormatTime(*n.notified) : std::string("—")) + "</td></tr>\n";
    }
    body += "</tbody></table></div>\n";
  }
  if (list.next_cursor) {
    body += "<p class=\"more\"><a rel=\"next\" href=\"/ui/?" +
            (status_text.empty() ? std::string() : "status=" + UrlEncode(status_text) + "&") +
            "after=" + std::to_string(*list.next_cursor) + "\">Older notifications →</a></p>\n";
  }
  return HtmlResponse(rc, 200,
                      RenderPage({"Notifications", body, page.SignedIn(rc), "notifications"}));
}

std::string VulnerabilitySection(const char* heading, const model::NotificationSide& side) {
  const model::Vulnerability& v = side.vulnerability;
  std::string out = "<section class=\"side\">\n<h2>" + std::string(heading) + "</h2>\n<dl>";
  out += "<dt>Vulnerability</dt><dd>" + Escape(v.name) + "</dd>";
  out += "<dt>Namespace</dt><dd>" + Escape(v.namespace_name) + "</dd>";
  out += "<dt>Severity</dt><dd>" + Badge(v.severity) + "</dd>";
  out += "<dt>Layers affected</dt><dd>" + std::to_string(side.layer_count) + "</dd>";
  if (v.link.rfind("https://", 0) == 0 || v.link.rfind("http://", 0) == 0) {
    out += "<dt>Link</dt><dd><a rel=\"noopener noreferrer\" href=\"" + Escape(v.link) + "\">" +
           Escape(v.link) + "</a></dd>";
  }
  if (!v.fixed_in.empty()) {
    out += "<dt>Fixed in</dt><dd><ul class=\"fixes\">";
    for (const auto& f : v.fixed_in) {
      out += "<li>" + Escape(f.feature) + " " + Escape(f.version) + "</li>";
    }
    out += "</ul></dd>";
  }
  out += "</dl>\n";
  if (!v.description.empty()) out += "<p class=\"description\">" + Escape(v.description) + "</p>\n";
  return out + "</section>\n";
}

Response NotificationDetail(const Page& page, const RequestContext& rc, Scope scope) {
  const std::string& name = rc.Param("name");
  const auto n = page.ctx.store.GetNotification(name);
  if (!n) return page.Error(rc, 404, "Not found", "There is no notification " + name + ".");
  const auto attempts =
      page.ctx.store.ListDeliveries(name).value_or(std::vector<model::DeliveryAttempt>{});
  const model::NotificationSummary& s = n->summary;

  std::string body = "<p class=\"crumbs\"><a href=\"/ui/\">Notifications</a> /</p>\n";
  body += "<div class=\"head\">\n<h1 class=\"name\">" + Escape(s.name) + "</h1>\n";
  if (s.status != model::NotificationStatus::kDeleted) {
    body += "<form class=\"redeliver\" method=\"post\" action=\"/ui/notifications/" +
            UrlEncode(s.name) + "/redeliver\">";
    if (scope >= Scope::kAdmin) {
      body += "<button type=\"submit\">Redeliver</button>";
    } else {
      body +=
          "<span class=\"hint\">needs a token with the admin scope</span> <button "
          "type=\"submit\" disabled>Redeliver</button>";
    }
    body += "</form>\n";
  }
  body += "</div>\n";
  if (rc.HasQuery("redelivered")) {
    body +=
        "<p class=\"notice ok\" role=\"status\">Redelivery scheduled: a new round has "
        "started.</p>\n";
  }
  body += "<dl class=\"summary\"><div><dt>Status</dt><dd>" + Badge(model::ToString(s.status)) +
          "</dd></div><div><dt>Created</dt><dd>" + FormatTime(s.created) + "</dd></div>";
  if (s.notified) body += "<div><dt>Notified</dt><dd>" + FormatTime(*s.notified) + "</dd></div>";
  if (s.deleted) body += "<div><dt>Deleted</dt><dd>" + FormatTime(*s.deleted) + "</dd></div>";
  body += "</dl>\n<h2>Delivery attempts</h2>\n";
  if (attempts.empty()) {
    body += "<p class=\"empty\">No attempt yet.</p>\n";
  } else {
    body +=
        "<div class=\"table\"><table class=\"attempts\">\n<thead><tr><th>Receiver</th>"
        "<th>Round</th><th>Attempt</th><th>Started</th><th>Took</th><th>Outcome</th>"
        "<th>HTTP</th><th>Error</th></tr></thead>\n<tbody>\n";
    // Newest first: what just happened is on top.
    for (auto it = attempts.rbegin(); it != attempts.rend(); ++it) {
      const model::DeliveryAttempt& a = *it;
      body += "<tr><td data-label=\"Receiver\">" + Escape(a.receiver) +
              "</td><td data-label=\"Round\">" + std::to_string(a.round) +
              "</td><td data-label=\"Attempt\">" + std::to_string(a.attempt) +
              "</td><td data-label=\"Started\">" + FormatTime(a.started_ms) +
              "</td><td data-label=\"Took\">" + std::to_string(a.duration_ms) +
              " ms</td><td data-label=\"Outcome\">" + Badge(model::ToString(a.outcome)) +
              "</td><td data-label=\"HTTP\">" +
              (a.http_status ? std::to_string(*a.http_status) : std::string("—")) +
              "</td><td class=\"error\" data-label=\"Error\">" + Escape(a.error) + "</td></tr>\n";
    }
    body += "</tbody></table></div>\n";
  }
  body += "<div class=\"sides\">\n";
  if (n->old_side) body += VulnerabilitySection("Before (Old)", *n->old_side);
  if (n->new_side) body += VulnerabilitySection("After (New)", *n->new_side);
  body += "</div>\n";
  return HtmlResponse(rc, 200, RenderPage({s.name, body, page.SignedIn(rc), "notifications"}));
}

Response Feeds(const Page& page, const RequestContext& rc) {
  std::string body = "<h1>Feeds</h1>\n";
  const auto states = page.ctx.store.ListFeedSources();
  const auto* configured = page.ctx.feed_sources;
  if ((configured == nullptr || configured->empty()) && states.empty()) {
    body += "<p class=\"empty\">No feed source is configured (updater.sources).</p>\n";
  } else {
    body +=
        "<div class=\"table\"><table class=\"feeds\">\n<thead><tr><th>Source</th><th>Kind</th>"
        "<th>Last success</th><th>Last run</th><th>Error</th></tr></thead>\n<tbody>\n";
    auto row = [&](const std::string& name, const std::string& kind,
                   const store::FeedSourceState* state) {
      body += "<tr><td>" + Escape(name) + "</td><td>" + Escape(kind) + "</td><td>" +
              (state && state->last_success_ms ? FormatTime(*state->last_success_ms)
                                               : std::string("never")) +
              "</td><td>" +
              (state && !state->outcome.empty() ? Badge(state->outcome) : std::string("—")) +
              "</td><td class=\"error\">" + (state ? Escape(state->error) : std::string()) +
              "</td></tr>\n";
    };
    std::set<std::string> shown;
    if (configured != nullptr) {
      for (const auto& source : *configured) {
        const store::FeedSourceState* state = nullptr;
        for (const auto& s : states) {
          if (s.name == source.name) state = &s;
        }
        row(source.name, source.kind, state);
        shown.insert(source.name);
      }
    }
    for (const auto& s : states) {
      if (!shown.count(s.name)) row(s.name, s.kind, &s);
    }
    body += "</tbody></table></div>\n";
  }
  return HtmlResponse(rc, 200, RenderPage({"Feeds", body, page.SignedIn(rc), "feeds"}));
}

Response LoginForm(const RequestContext& rc, int status, const std::string& problem) {
  std::string body =
      "<h1>Sign in</h1>\n<p>Enter an API token (<code>herald token --name you --scope "
      "read</code> makes one; Redeliver needs the admin scope).</p>\n";
  if (!problem.empty())
    body += "<p class=\"notice error\" role=\"alert\">" + Escape(problem) + "</p>\n";
  body +=
      "<form class=\"login\" method=\"post\" action=\"/ui/login\">\n"
      "<label for=\"token\">Token</label>\n"
      "<input id=\"token\" name=\"token\" type=\"password\" autocomplete=\"current-password\" "
      "required autofocus>\n<button type=\"submit\">Sign in</button>\n</form>\n";
  return HtmlResponse(rc, status, RenderPage({"Sign in", body, false, ""}));
}

Response StaticFile(const RequestContext& rc) {
  const std::string& file = rc.Param("file");
  const auto content = util::EmbeddedFile("src/ui/assets/" + file);
  if (!content || file.find('/') != std::string::npos) throw api::NotFound("no such file: " + file);
  Response res{http::status::ok, rc.request.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type,
          file.ends_with(".css") ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8");
  res.set(http::field::cache_control, "max-age=300");
  res.set("X-Content-Type-Options", "nosniff");
  res.body() = std::string(*content);
  res.keep_alive(rc.request.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace

void AddPageRoutes(api::Router& router, api::ApiContext& ctx,
                   const api::Authenticator& authenticator, bool tls) {
  auto page = std::make_shared<const Page>(
      Page{ctx, Sessions(ctx.tokens, authenticator, ctx.clock, tls), tls});

  router.AddPage(http::verb::get, "/ui",
                 [](const RequestContext& rc) { return Redirect(rc, "/ui/"); });
  router.AddPage(http::verb::get, "/ui/", [page](const RequestContext& rc) {
    auto scope = page->Require(rc, Scope::kRead);
    if (auto* answer = std::get_if<Response>(&scope)) return std::move(*answer);
    return NotificationList(*page, rc);
  });
  router.AddPage(http::verb::get, "/ui/notifications/:name", [page](const RequestContext& rc) {
    auto scope = page->Require(rc, Scope::kRead);
    if (auto* answer = std::get_if<Response>(&scope)) return std::move(*answer);
    return NotificationDetail(*page, rc, std::get<Scope>(scope));
  });
  router.AddPage(
      http::verb::post, "/ui/notifications/:name/redeliver", [page](const RequestContext& rc) {
        if (auto refused = page->CheckOrigin(rc)) return std::move(*refused);
        auto scope = page->Require(rc, Scope::kAdmin);
        if (auto* answer = std::get_if<Response>(&scope)) return std::move(*answer);
        const std::string& name = rc.Param("name");
        switch (page->ctx.store.Redeliver(name, page->ctx.clock.NowMillis())) {
          case store::RedeliverOutcome::kNotFound:
            return page->Error(rc, 404, "Not found", "There is no notification " + name + ".");
          case store::RedeliverOutcome::kDeleted:
            return page->Error(rc, 409, "Deleted",
                               "This notification is deleted: it is never delivered "
                               "again.");
          case store::RedeliverOutcome::kScheduled:
            break;
        }
        spdlog::info("ui: redelivery of {} requested", name);
        return Redirect(rc, "/ui/notifications/" + UrlEncode(name) + "?redelivered");
      });
  router.AddPage(http::verb::get, "/ui/feeds", [page](const RequestContext& rc) {
    auto scope = page->Require(rc, Scope::kRead);
    if (auto* answer = std::get_if<Response>(&scope)) return std::move(*answer);
    return Feeds(*page, rc);
  });
  router.AddPage(http::verb::get, "/ui/login", [page](const RequestContext& rc) {
    if (page->sessions.open()) return Redirect(rc, "/ui/");
    return LoginForm(rc, 200, "");
  });
  router.AddPage(http::verb::post, "/ui/login", [page](const RequestContext& rc) {
    if (auto refused = page->CheckOrigin(rc)) return std::move(*refused);
    if (page->sessions.open()) return Redirect(rc, "/ui/");
    std::string token;
    try {
      token = api::ParseQuery(rc.request.body())["token"];
    } catch (const api::ApiError&) {
      return LoginForm(rc, 400, "The form could not be read.");
    }
    const auto cookie = page->sessions.Start(token);
    if (!cookie) return LoginForm(rc, 401, "That token is not valid.");
    return Redirect(rc, "/ui/", cookie);
  });
  router.AddPage(http::verb::post, "/ui/logout", [page](const RequestContext& rc) {
    if (auto refused = page->CheckOrigin(rc)) return std::move(*refused);
    return Redirect(rc, page->sessions.open() ? "/ui/" : "/ui/login", page->sessions.End());
  });
  router.AddPage(http::verb::get, "/ui/static/:file",
                 [](const RequestContext& rc) { return StaticFile(rc); });
}

}  // namespace herald::ui
