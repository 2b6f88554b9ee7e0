// What arrives on the API port (SPEC §4, §11): bytes go through Beast's
// request parser with the limits HttpServer sets, then through Herald's
// Router (authentication, path and query decoding, route matching, JSON
// bodies) on the API's route table. Oracles: no crash, and every answer is a
// status below 500 with a JSON body, since nothing here touches a store.
#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/system_executor.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/authenticator.h"
#include "api/json_body.h"
#include "api/router.h"
#include "fuzz_check.h"
#include "util/crypto.h"

namespace {

namespace http = boost::beast::http;
using herald::api::RequestContext;
using herald::api::Response;

// HttpServer's default body limit is 16 MiB; a smaller one keeps runs fast
// and takes the same code path.
constexpr std::size_t kBodyLimit = 64 * 1024;

struct RouteSpec {
  http::verb method;
  const char* pattern;
};

// The routes of SPEC §4, as src/api/*_routes.cc add them.
constexpr RouteSpec kRoutes[] = {
    {http::verb::post, "/v1/layers"},
    {http::verb::get, "/v1/layers/:name"},
    {http::verb::delete_, "/v1/layers/:name"},
    {http::verb::get, "/v1/namespaces"},
    {http::verb::get, "/v1/namespaces/:ns/vulnerabilities"},
    {http::verb::post, "/v1/namespaces/:ns/vulnerabilities"},
    {http::verb::get, "/v1/namespaces/:ns/vulnerabilities/:name"},
    {http::verb::put, "/v1/namespaces/:ns/vulnerabilities/:name"},
    {http::verb::delete_, "/v1/namespaces/:ns/vulnerabilities/:name"},
    {http::verb::get, "/v1/namespaces/:ns/vulnerabilities/:name/fixes"},
    {http::verb::put, "/v1/namespaces/:ns/vulnerabilities/:name/fixes/:feature"},
    {http::verb::delete_, "/v1/namespaces/:ns/vulnerabilities/:name/fixes/:feature"},
    {http::verb::get, "/v1/notifications"},
    {http::verb::get, "/v1/notifications/:name"},
    {http::verb::get, "/v1/notifications/:name/deliveries"},
    {http::verb::post, "/v1/notifications/:name/redeliver"},
    {http::verb::delete_, "/v1/notifications/:name"},
    {http::verb::get, "/v1/updater"},
    {http::verb::get, "/v1/metrics"},
    {http::verb::get, "/health"},
    {http::verb::get, "/metrics"},
};

// Echoes what the router decoded; write routes read their body as the real
// handlers do.
Response Echo(const RequestContext& rc) {
  nlohmann::json out = {{"params", rc.params}, {"query", rc.query}};
  if (rc.request.method() == http::verb::post || rc.request.method() == http::verb::put) {
    out["body"] = herald::api::ParseJsonObject(rc.request.body());
  }
  return herald::api::JsonResponse(http::status::ok, herald::api::DumpJson(out),
                                   rc.request.version(), rc.request.keep_alive());
}

struct Api {
  // One admin token: a request without it gets 401, which would stop the
  // fuzzer at the door, so the corpus carries it ("fuzz").
  Api()
      : auth({herald::config::ApiToken{"fuzz", herald::util::Sha256Hex("fuzz"), "admin"}}),
        router(nullptr, std::chrono::seconds(30)) {
    for (const RouteSpec& r : kRoutes) router.Add(r.method, r.pattern, Echo);
    router.SetAuthenticator(&auth);
  }
  herald::api::Authenticator auth;
  herald::api::Router router;
};

// The connection, as a SyncReadStream over the fuzzer's bytes: Beast's read
// loop feeds the parser exactly as it does from HttpServer's socket.
class ByteStream {
 public:
  using executor_type = boost::asio::system_executor;
  ByteStream(std::string_view bytes, std::size_t chunk) : bytes_(bytes), chunk_(chunk) {}

  executor_type get_executor() { return {}; }

  template <typename MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers, boost::beast::error_code& ec) {
    if (bytes_.empty()) {
      ec = boost::asio::error::eof;
      return 0;
    }
    ec = {};
    const std::size_t n = boost::asio::buffer_copy(
        buffers, boost::asio::buffer(bytes_.data(), std::min(chunk_, bytes_.size())));
    bytes_.remove_prefix(n);
    return n;
  }

  template <typename MutableBuffers>
  std::size_t read_some(const MutableBuffers& buffers) {
    boost::beast::error_code ec;
    const std::size_t n = read_some(buffers, ec);
    if (ec) throw boost::system::system_error(ec);
    return n;
  }

 private:
  std::string_view bytes_;
  std::size_t chunk_;
};

void CheckAnswer(const Response& response) {
  HERALD_FUZZ_CHECK(response.result_int() >= 200 && response.result_int() < 500);
  if (!response.body().empty()) {
    HERALD_FUZZ_CHECK(nlohmann::json::accept(response.body()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Api api;
  // The first byte picks how the bytes arrive: in reads of 1 to 256 bytes,
  // as a socket might hand them over.
  if (size == 0) return 0;
  ByteStream stream(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1),
                    std::size_t{data[0]} + 1);
  boost::beast::flat_buffer buffer;
  // Requests may be pipelined on one connection; HttpServer reads them in
  // turn until one fails to parse (it answers 400 and closes then).
  while (true) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(kBodyLimit);
    boost::beast::error_code ec;
    http::read(stream, buffer, parser, ec);
    if (ec) return 0;
    CheckAnswer(api.router.Dispatch(parser.release()));
  }
}
