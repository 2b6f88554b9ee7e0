#include "api/router.h"

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <mutex>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "api/authenticator.h"
#include "api/json_body.h"
#include "store/deadline.h"
#include "store/store.h"

namespace herald::api {
namespace {

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    out.emplace_back(path.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

int StatusFor(const store::StoreError& e) {
  switch (e.kind()) {
    case store::StoreError::Kind::kNotFound:
      return 404;
    case store::StoreError::Kind::kInvalidArgument:
      return 400;
    case store::StoreError::Kind::kConflict:
      return 409;
    case store::StoreError::Kind::kDeadline:
      return 503;
    case store::StoreError::Kind::kUnavailable:
    case store::StoreError::Kind::kSchema:
      return 500;
  }
  return 500;
}

}  // namespace

std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]), lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::map<std::string, std::string> ParseQuery(std::string_view text) {
  std::map<std::string, std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('&', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(start, end - start);
    std::size_t eq = part.find('=');
    auto key = UrlDecode(part.substr(0, eq), true);
    auto value = eq == std::string_view::npos ? std::optional<std::string>("")
                                              : UrlDecode(part.substr(eq + 1), true);
    if (!key || !value) throw BadRequest("malformed query string");
    if (!key->empty()) out.emplace(std::move(*key), std::move(*value));
    start = end + 1;
  }
  return out;
}

std::optional<std::string> RequestContext::Query(const std::string& key) const {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

Response JsonResponse(http::status status, const std::string& body, unsigned version,
                      bool keep_alive) {
  Response res{status, version};
  res.set(http::field::server, "herald");
  // Clair v1 labelled every answer JSON, empty bodies included.
  res.set(http::field::content_type, "application/json;charset=utf-8");
  res.body() = body;

  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

Response ErrorResponse(int status, const std::string& message, unsigned version, bool keep_alive) {
  nlohmann::json body = {{"Error", {{"Message", message}}}};
  return JsonResponse(static_cast<http::status>(status), DumpJson(body), version, keep_alive);
}

Router::Router(metrics::Metrics* metrics, std::chrono::nanoseconds timeout)
    : metrics_(metrics), timeout_(timeout) {}

std::vector<std::pair<http::verb, std::string>> Router::Routes() const {
  std::vector<std::pair<http::verb, std::string>> out;
  for (const Route& r : routes_) out.emplace_back(r.method, r.pattern);
  return out;
}

void Router::Add(http::verb method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, pattern, SplitPath(pattern), std::move(handler), nullptr, false});
}

void Router::AddPage(http::verb method, const std::string& pattern, Handler handler) {
  routes_.push_back({method, pattern, SplitPath(pattern), std::move(handler), nullptr, true});
  page_roots_.insert(routes_.back().segments.front());
}

void Router::AddDeferred(http::verb method, const std::string& pattern, DeferredHandler handler) {
  routes_.push_back({method, pattern, SplitPath(pattern), nullptr, std::move(handler), false});
}

struct DeferredReply::State {
  const Router* router;
  std::shared_ptr<const Request> request;
  std::string route_label;
  std::chrono::steady_clock::time_point started;
  Reply reply;
};

void DeferredReply::Answer(const std::function<Response()>& produce) const {
  const State& s = *state_;
  Response response;
  try {
    response = produce();
  } catch (...) {
    response = Router::ErrorFor(*s.request, s.route_label);
  }
  s.router->Finish(*s.request, s.route_label, "", s.started, std::move(response), s.reply);
}

Response Router::ErrorFor(const Request& request, const std::string& route_label) {
  const unsigned version = request.version();
  const bool keep_alive = request.keep_alive();
  try {
    throw;
  } catch (const ApiError& e) {
    Response response = ErrorResponse(e.status(), e.what(), version, keep_alive);
    if (e.status() == 401) response.set(http::field::www_authenticate, "Bearer realm=\"herald\"");
    return response;
  } catch (const store::StoreError& e) {
    const int status = StatusFor(e);
    if (status >= 500)
      spdlog::error("{} {}: {}", std::string(request.method_string()), route_label, e.what());
    return ErrorResponse(status, e.what(), version, keep_alive);
  } catch (const std::exception& e) {
    spdlog::error("{} {}: {}", std::string(request.method_string()), route_label, e.what());
    return ErrorResponse(500, std::string("internal error: ") + e.what(), version, keep_alive);
  }
}

void Router::Finish(const Request& request, const std::string& route_label,
                    const std::string& allowed, std::chrono::steady_clock::time_point started,
                    Response response, const Reply& reply) const {
  (void)request;
  if (response.result_int() == 405) response.set(http::field::allow, allowed);
  if (metrics_ != nullptr) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    metrics_->ObserveApiResponse(route_label, response.result_int(), ms);
  }
  reply(std::move(response));
}

Response Router::Dispatch(const Request& request) {
  auto shared = std::make_shared<const Request>(request);
  std::mutex mu;
  std::condition_variable done;
  std::optional<Response> answer;
  Dispatch(shared, [&](Response r) {
    std::lock_guard lock(mu);
    answer = std::move(r);
    done.notify_all();
  });
  std::unique_lock lock(mu);
  done.wait(lock, [&] { return answer.has_value(); });
  return std::move(*answer);
}

void Router::Dispatch(std::shared_ptr<const Request> shared_request, Reply reply) {
  const Request& request = *shared_request;
  const auto started = std::chrono::steady_clock::now();
  std::string route_label = "unknown";
  std::string allowed;  // methods of the routes whose path matched (for 405)
  Response response;
  try {
    store::ScopedDeadline deadline(started + timeout_);
    const auto raw_target = request.target();
    std::string_view target(raw_target.data(), raw_target.size());
    std::size_t qpos = target.find('?');
    std::string_view path = target.substr(0, qpos);
    const bool is_path = !path.empty() && path.front() == '/';
    std::vector<std::string> segments = is_path ? SplitPath(path) : std::vector<std::string>{};
    // The web page's paths authenticate by its session cookie themselves.
    const bool page = !segments.empty() && page_roots_.count(segments.front()) > 0;
    // Who asks comes before what exists: without a valid token even a 404
    // is not given away.
    const std::optional<Scope> granted =
        auth_ && !page ? auth_->Authenticate(request) : std::nullopt;
    if (!is_path) throw BadRequest("the request target must be a path");

    const Route* match = nullptr;
    bool path_matched = false;
    std::map<std::string, std::string> params;
    for (const auto& route : routes_) {
      if (route.segments.size() != segments.size()) continue;
      std::map<std::string, std::string> captured;
      bool ok = true;
      for (std::size_t i = 0; i < segments.size() && ok; ++i) {
        const std::string& want = route.segments[i];
        if (!want.empty() && want.front() == ':') {
          auto decoded = UrlDecode(segments[i], false);
          if (!decoded || decoded->empty()) {
            ok = false;
          } else {
            captured.emplace(want.substr(1), std::move(*decoded));
          }
        } else {
          ok = want == segments[i];
        }
      }
      if (!ok) continue;
      path_matched = true;
      allowed += (allowed.empty() ? "" : ", ") + std::string(http::to_string(route.method));
      if (route.method == request.method()) {
        match = &route;
        params = std::move(captured);
        break;
      }
    }
    if (match == nullptr) {
      if (path_matched) throw ApiError(405, "method not allowed");
      throw NotFound("no such route: " + std::string(path));
    }
    route_label = match->pattern;
    if (auth_ && !match->page) {
      Authenticator::Authorize(granted, RequiredScope(match->method, match->pattern));
    }
    if (store::DeadlinePassed()) throw ApiError(503, "request deadline passed");
    RequestContext ctx{request, std::move(params),
                       qpos == std::string_view::npos ? std::map<std::string, std::string>{}
                                                      : ParseQuery(target.substr(qpos + 1))};
    if (match->deferred) {
      DeferredReply deferred;
      deferred.state_ = std::make_shared<DeferredReply::State>(
          DeferredReply::State{this, shared_request, route_label, started, reply});
      match->deferred(ctx, std::move(deferred));
      return;
    }
    response = match->handler(ctx);
  } catch (...) {
    response = ErrorFor(request, route_label);
  }
  Finish(request, route_label, allowed, started, std::move(response), reply);
}

}  // namespace herald::api
