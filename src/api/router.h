// Method + path-pattern routing with named segments ("/v1/layers/:name"),
// query parsing, error mapping and the per-route response metric.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "metrics/metrics.h"

namespace herald::api {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct RequestContext {
  const Request& request;
  std::map<std::string, std::string> params;  // path segments, URL-decoded
  std::map<std::string, std::string> query;   // ?key=value (value "" for ?key)

  const std::string& Param(const std::string& name) const { return params.at(name); }
  bool HasQuery(const std::string& key) const { return query.count(key) > 0; }
  std::optional<std::string> Query(const std::string& key) const;
};

// Response helpers with Clair v1's headers.
Response JsonResponse(http::status status, const std::string& body, unsigned version,
                      bool keep_alive);
Response ErrorResponse(int status, const std::string& message, unsigned version, bool keep_alive);

// Sends an answer back on the connection; callable from any thread, once.
using Reply = std::function<void(Response)>;

class Router;
class Authenticator;

// Given to a deferred handler: the answer comes later, from another thread,
// with the same error mapping and response metric as an immediate one.
class DeferredReply {
 public:
  // Runs `produce` and sends what it returns, or the error response for what
  // it throws (ApiError, StoreError, anything else → 500).
  void Answer(const std::function<Response()>& produce) const;

 private:
  friend class Router;
  struct State;
  std::shared_ptr<State> state_;
};

class Router {
 public:
  using Handler = std::function<Response(const RequestContext&)>;
  // Takes what it needs from the context (which dies when it returns) and
  // answers through the DeferredReply later. Throwing before it hands the
  // reply on answers at once with the mapped error.
  using DeferredHandler = std::function<void(const RequestContext&, DeferredReply)>;

  // `metrics` may be null (no response metric); `timeout` is the per-request
  // deadline (api.timeout) after which the answer is 503.
  Router(metrics::Metrics* metrics, std::chrono::nanoseconds timeout);

  // Patterns are absolute paths; a segment ":name" captures one segment.
  void Add(http::verb method, const std::string& pattern, Handler handler);
  // A route of the web page (SPEC §10): no bearer token is asked for on its
  // first path segment ("/ui/…"), since the page authenticates by its
  // session cookie in the handler.
  void AddPage(http::verb method, const std::string& pattern, Handler handler);
  // A route whose work must not hold an I/O thread (layer analysis).
  void AddDeferred(http::verb method, const std::string& pattern, DeferredHandler handler);

  // Requires api.tokens on every route (SPEC §11); null or never set: open.
  // The authenticator must outlive the router.
  void SetAuthenticator(const Authenticator* authenticator) { auth_ = authenticator; }

  // Every route added, as (method, pattern), in the order added: for the
  // test that holds the OpenAPI document to the router.
  std::vector<std::pair<http::verb, std::string>> Routes() const;

  // Routes one request and passes the answer to `reply`, at once or, for a
  // deferred route, later. Never throws: failures become JSON error responses.
  void Dispatch(std::shared_ptr<const Request> request, Reply reply);

  // The same, waiting for the answer (tests, and servers without deferred
  // routes).
  Response Dispatch(const Request& request);

 private:
  friend class DeferredReply;
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
    DeferredHandler deferred;
    bool page;  // added by AddPage
  };
  // The error response for the exception in flight, logged when it is a
  // server fault.
  static Response ErrorFor(const Request& request, const std::string& route_label);
  void Finish(const Request& request, const std::string& route_label, const std::string& allowed,
              std::chrono::steady_clock::time_point started, Response response,
              const Reply& reply) const;
  metrics::Metrics* metrics_;
  std::chrono::nanoseconds timeout_;
  const Authenticator* auth_ = nullptr;
  std::vector<Route> routes_;
  std::set<std::string> page_roots_;  // first path segments of the page routes
};

// Percent-decoding of one path segment or query component; nullopt on a bad
// escape. `plus_is_space` applies to query components.
std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space);

// key=value&… as in a query string or an application/x-www-form-urlencoded
// body; the first of a repeated key counts. Throws ApiError(400) on a
// malformed escape.
std::map<std::string, std::string> ParseQuery(std::string_view text);

}  // namespace herald::api
