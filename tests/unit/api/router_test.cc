#include "api/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/api_error.h"
#include "store/store.h"

namespace herald::api {
namespace {

Request Make(http::verb method, const std::string& target) {
  Request r{method, target, 11};
  r.keep_alive(true);
  return r;
}

nlohmann::json Body(const Response& r) {
  return nlohmann::json::parse(r.body());
}

class RouterTest : public ::testing::Test {
 protected:
  metrics::Metrics metrics_;
  Router router_{&metrics_, std::chrono::seconds(10)};
};

TEST_F(RouterTest, CapturesDecodedSegmentsAndQuery) {
  router_.Add(http::verb::get, "/v1/namespaces/:ns/vulnerabilities/:name",
              [](const RequestContext& ctx) {
                nlohmann::json out = {{"ns", ctx.Param("ns")},
                                      {"name", ctx.Param("name")},
                                      {"flag", ctx.HasQuery("fixedIn")},
                                      {"limit", ctx.Query("limit").value_or("-")}};
                return JsonResponse(http::status::ok, out.dump(), 11, true);
              });
  auto r = router_.Dispatch(
      Make(http::verb::get, "/v1/namespaces/debian%3A8/vulnerabilities/CVE%2B1?fixedIn&limit=5"));
  EXPECT_EQ(r.result_int(), 200);
  EXPECT_EQ(Body(r),
            nlohmann::json::parse(R"({"ns":"debian:8","name":"CVE+1","flag":true,"limit":"5"})"));
  EXPECT_EQ(r[http::field::content_type], "application/json;charset=utf-8");
  EXPECT_EQ(r[http::field::server], "herald");
}

TEST_F(RouterTest, UnknownPathIs404AndWrongMethodIs405) {
  router_.Add(http::verb::get, "/v1/layers/:name",
              [](const RequestContext&) { return JsonResponse(http::status::ok, "{}", 11, true); });
  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/v1/other")).result_int(), 404);
  auto wrong = router_.Dispatch(Make(http::verb::post, "/v1/layers/x"));
  EXPECT_EQ(wrong.result_int(), 405);
  EXPECT_EQ(wrong[http::field::allow], "GET");

  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/v1/layers/")).result_int(), 404);
  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/v1/layers/%zz")).result_int(), 404);
  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/v1/layers/x?a=%zz")).result_int(), 400);
}

TEST_F(RouterTest, MapsErrorsToStatusesWithTheClairEnvelope) {
  router_.Add(http::verb::get, "/api",
              [](const RequestContext&) -> Response { throw ApiError(422, "unsupported"); });
  router_.Add(http::verb::get, "/missing", [](const RequestContext&) -> Response {
    throw store::StoreError(store::StoreError::Kind::kNotFound, "gone");
  });
  router_.Add(http::verb::get, "/conflict", [](const RequestContext&) -> Response {
    throw store::StoreError(store::StoreError::Kind::kConflict, "deleted");
  });
  router_.Add(http::verb::get, "/broken",
              [](const RequestContext&) -> Response { throw std::runtime_error("boom"); });
  auto api = router_.Dispatch(Make(http::verb::get, "/api"));
  EXPECT_EQ(api.result_int(), 422);
  EXPECT_EQ(Body(api), nlohmann::json::parse(R"({"Error":{"Message":"unsupported"}})"));
  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/missing")).result_int(), 404);
  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/conflict")).result_int(), 409);
  EXPECT_EQ(router_.Dispatch(Make(http::verb::get, "/broken")).result_int(), 500);
}

TEST_F(RouterTest, RecordsTheResponseMetricPerRouteAndCode) {
  router_.Add(http::verb::get, "/v1/layers/:name",
              [](const RequestContext&) { return JsonResponse(http::status::ok, "{}", 11, true); });
  router_.Dispatch(Make(http::verb::get, "/v1/layers/a"));
  router_.Dispatch(Make(http::verb::get, "/v1/nope"));
  const std::string text = metrics_.Render();
  EXPECT_NE(
      text.find(
          R"(clair_api_response_duration_milliseconds_count{code="200",route="/v1/layers/:name"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find(R"(code="404",route="unknown")"), std::string::npos) << text;
}

TEST(RouterDeadlineTest, PassedDeadlineIs503) {
  Router router(nullptr, std::chrono::nanoseconds(0));
  bool ran = false;
  router.Add(http::verb::get, "/x", [&ran](const RequestContext&) {
    ran = true;
    return JsonResponse(http::status::ok, "{}", 11, true);
  });
  EXPECT_EQ(router.Dispatch(Make(http::verb::get, "/x")).result_int(), 503);
  EXPECT_FALSE(ran);
}

TEST(UrlDecodeTest, DecodesAndRejects) {
  EXPECT_EQ(UrlDecode("a%20b+c", true), "a b c");
  EXPECT_EQ(UrlDecode("a+b", false), "a+b");
  EXPECT_FALSE(UrlDecode("%", false));
  EXPECT_FALSE(UrlDecode("%4", false));
  EXPECT_FALSE(UrlDecode("%G1", false));
}

}  // namespace
}  // namespace herald::api
