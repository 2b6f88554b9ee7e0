// POST /v1/layers, GET and DELETE /v1/layers/:name.
#include "api/api_error.h"
#include "api/codec.h"
#include "api/json_body.h"
#include "api/routes.h"

namespace herald::api {

void AddLayerRoutes(Router& router, ApiContext& ctx) {
  router.Add(http::verb::post, "/v1/layers", [&ctx](const RequestContext& rc) {
    DecodedLayer decoded = DecodeLayerEnvelope(ParseJsonObject(rc.request.body()));
    try {
      ctx.store.InsertLayer(decoded.layer, kIndexedByVersion);
    } catch (const store::StoreError& e) {
      // An unknown parent is a fault of the request, not a missing resource.
      if (e.kind() == store::StoreError::Kind::kNotFound) throw BadRequest(e.what());
      throw;
    }
    return Json(rc, 201, {{"Layer", decoded.echo}});
  });

  router.Add(http::verb::get, "/v1/layers/:name", [&ctx](const RequestContext& rc) {
    const bool features = rc.HasQuery("features");
    const bool vulnerabilities = rc.HasQuery("vulnerabilities");
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
