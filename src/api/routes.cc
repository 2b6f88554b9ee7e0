#include "api/routes.h"

#include <charconv>

#include "api/api_error.h"
#include "api/json_body.h"
#include "util/embedded_files.h"

namespace herald::api {

int LimitParam(const RequestContext& ctx, int fallback, int min, int max) {
  auto text = ctx.Query("limit");
  if (!text) return fallback;
  int value = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    throw BadRequest("limit must be an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
  }
  return value;
}

Response Json(const RequestContext& ctx, int status, const nlohmann::json& body) {
  return JsonResponse(static_cast<http::status>(status), DumpJson(body), ctx.request.version(),
                      ctx.request.keep_alive());
}

Response Empty(const RequestContext& ctx, int status) {
  return JsonResponse(static_cast<http::status>(status), "", ctx.request.version(),
                      ctx.request.keep_alive());
}

namespace {

Response MetricsResponse(const RequestContext& ctx, const metrics::Metrics& metrics) {
  Response res{http::status::ok, ctx.request.version()};
  res.set(http::field::server, "herald");
  res.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
  res.body() = metrics.Render();
  res.keep_alive(ctx.request.keep_alive());
  res.prepare_payload();
  return res;
}

}  // namespace

Router MakeApiRouter(ApiContext& ctx, std::chrono::nanoseconds timeout) {
  Router router(&ctx.metrics, timeout);
  AddLayerRoutes(router, ctx);
  AddVulnerabilityRoutes(router, ctx);
  AddNotificationRoutes(router, ctx);
  AddUpdaterRoutes(router, ctx);
  router.Add(http::verb::get, "/v1/namespaces", [&ctx](const RequestContext& rc) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& name : ctx.store.ListNamespaces()) list.push_back({{"Name", name}});
    return Json(rc, 200, {{"Namespaces", std::move(list)}});
  });
  router.Add(http::verb::get, "/v1/metrics",
             [&ctx](const RequestContext& rc) { return MetricsResponse(rc, ctx.metrics); });
  // SPEC §10: the OpenAPI document of these routes, compiled in from
  // docs/openapi.json.
  router.Add(http::verb::get, "/v1/openapi.json", [](const RequestContext& rc) {
    const std::optional<std::string_view> document = util::EmbeddedFile("docs/openapi.json");
    if (!document) throw std::logic_error("docs/openapi.json was not embedded at build time");
    return JsonResponse(http::status::ok, std::string(*document), rc.request.version(),
                        rc.request.keep_alive());
  });
  return router;
}

Router MakeHealthRouter(std::function<std::optional<std::string>()> problem,
                        std::function<std::map<std::string, std::string>()> receiver_problems,
                        metrics::Metrics& metrics) {
  // The health port answers quickly or not at all; no API deadline applies.
  Router router(nullptr, std::chrono::hours(1));
  // Healthy: 200 with no body, as Clair v1; otherwise 503 with the reason
  // in the error envelope.
  // A receiver that cannot deliver (a broker down) leaves the process
  // healthy, since restarting Herald would not help, but /health says which
  // and why in the body of its 200.
  router.Add(http::verb::get, "/health",
             [problem = std::move(problem),
              receiver_problems = std::move(receiver_problems)](const RequestContext& rc) {
               if (auto why = problem()) {
                 return ErrorResponse(503, *why, rc.request.version(), rc.request.keep_alive());
               }
               const auto receivers = receiver_problems();
               if (receivers.empty()) return Empty(rc, 200);
               return Json(rc, 200, nlohmann::json{{"Receivers", receivers}});
             });

  router.Add(http::verb::get, "/metrics",
             [&metrics](const RequestContext& rc) { return MetricsResponse(rc, metrics); });
  return router;
}

}  // namespace herald::api
