// Method + path-pattern routing with named segments ("/v1/layers/:name"),
// query parsing, error mapping and the per-route response metric.
#pragma once

#include <boost/beast/http.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
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

class Router {
 public:
  using Handler = std::function<Response(const RequestContext&)>;

  // `metrics` may be null (no response metric); `timeout` is the per-request
  // deadline (api.timeout) after which the answer is 503.
  Router(metrics::Metrics* metrics, std::chrono::nanoseconds timeout);

  // Patterns are absolute paths; a segment ":name" captures one segment.
  void Add(http::verb method, const std::string& pattern, Handler handler);

  // Routes one request. Never throws: failures become JSON error responses.
  Response Dispatch(const Request& request);

 private:
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  metrics::Metrics* metrics_;
  std::chrono::nanoseconds timeout_;
  std::vector<Route> routes_;
};

// Percent-decoding of one path segment or query component; nullopt on a bad
// escape. `plus_is_space` applies to query components.
std::optional<std::string> UrlDecode(std::string_view text, bool plus_is_space);

}  // namespace herald::api
