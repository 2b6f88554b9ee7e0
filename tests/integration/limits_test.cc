// The per-request deadline (api.timeout → 503).
#include "api_fixture.h"

namespace herald::testing {
namespace {

TEST(DeadlineTest, RequestsPastTheDeadlineGet503) {
  // A deadline of one nanosecond has always passed by the time a handler
  // runs, so every API request must answer 503 while health stays up.
  HeraldServer server({.config_yaml = "clair:\n  api:\n    timeout: 1ns\n"});
  server.Start();
  HttpClient client;
  auto r = client.Get(server.ApiUrl() + "/v1/namespaces");
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"Error":{"Message":"request deadline passed"}})"));
  auto post = client.Post(server.ApiUrl() + "/v1/layers",
                          R"({"Layer":{"Name":"l","NamespaceName":"debian:8","Features":[]}})");
  EXPECT_EQ(post.status, 503);
  EXPECT_EQ(client.Get(server.HealthUrl() + "/health").status, 200);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace herald::testing
