// POST /v1/layers, GET and DELETE /v1/layers/:name.
#include "api/api_error.h"
#include "api/codec.h"
#include "api/json_body.h"
#include "api/routes.h"

namespace herald::api {
namespace {

// The store's "parent not found" is a fault of the request, not a missing
// resource.
void InsertInline(ApiContext& ctx, const model::Layer& layer) {
  try {
    ctx.store.InsertLayer(layer, kIndexedByVersion);
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreError::Kind::kNotFound) throw BadRequest(e.what());
    throw;
  }
}

// Analyses on the analyzer's pool and answers from there: the I/O thread is
// free again as soon as the job is queued (SPEC §7, Clair v1 answered 201
// only after the analysis).
void AnalyseLater(ApiContext& ctx, DecodedLayer decoded, const RequestContext& rc,
                  DeferredReply reply) {
  if (ctx.analyzer == nullptr || ctx.analysis_pool == nullptr) {
    throw ApiError(422, "layer analysis is not available in this process");
  }
  analyzer::LayerRequest request{decoded.layer.name, decoded.layer.parent_name, decoded.path,
                                 decoded.format, std::move(decoded.headers)};
  const unsigned version = rc.request.version();
  const bool keep_alive = rc.request.keep_alive();
  // The job holds the analyzer itself, not the context: the pool is joined
  // after the API's own objects are gone.
  ctx.analysis_pool->Submit([analyzer = ctx.analyzer, request = std::move(request),
                             echo = std::move(decoded.echo), reply = std::move(reply), version,
                             keep_alive](const std::atomic<bool>& cancelled) {
    reply.Answer([&]() -> Response {
      try {
        analyzer->Analyze(request, &cancelled);
      } catch (const analyzer::AnalysisError& e) {
        throw ApiError(e.http_status(), e.what());
      }
      return JsonResponse(http::status::created, DumpJson({{"Layer", echo}}), version, keep_alive);
    });
  });
}

}  // namespace

void AddLayerRoutes(Router& router, ApiContext& ctx) {
  router.AddDeferred(
      http::verb::post, "/v1/layers", [&ctx](const RequestContext& rc, DeferredReply reply) {
        DecodedLayer decoded = DecodeLayerEnvelope(ParseJsonObject(rc.request.body()));
        if (decoded.analyse) {
          AnalyseLater(ctx, std::move(decoded), rc, std::move(reply));
          return;
        }
        InsertInline(ctx, decoded.layer);
        const Response response = Json(rc, 201, {{"Layer", decoded.echo}});
        reply.Answer([&] { return response; });
      });

  router.Add(http::verb::get, "/v1/layers/:name", [&ctx](const RequestContext& rc) {
    // Clair v1: ?vulnerabilities alone lists the features with their
    // vulnerabilities (analyze-local-images relies on it).
    const bool vulnerabilities = rc.HasQuery("vulnerabilities");
    const bool features = rc.HasQuery("features") || vulnerabilities;
    auto layer = ctx.store.GetLayer(rc.Param("name"), features, vulnerabilities);
    if (!layer) throw NotFound("layer not found: " + rc.Param("name"));
    return Json(rc, 200, {{"Layer", EncodeLayer(*layer, features, vulnerabilities)}});
  });

  router.Add(http::verb::delete_, "/v1/layers/:name", [&ctx](const RequestContext& rc) {
    if (!ctx.store.DeleteLayer(rc.Param("name"))) {
      throw NotFound("layer not found: " + rc.Param("name"));
    }
    return Empty(rc, 200);
  });
}

}  // namespace herald::api
