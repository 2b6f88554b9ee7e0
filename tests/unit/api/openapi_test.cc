// docs/openapi.json (SPEC §10) and the routers agree: every route Herald
// answers (the API's, the web page's and the health port's) is documented, nothing documented is
// missing from the routers, and the binary serves the document of the source tree. That every
// answer matches its schema is tests/openapi/validate_responses.py.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "../store/store_factory.h"
#include "api/authenticator.h"
#include "api/fernet.h"
#include "api/routes.h"
#include "ui/page_routes.h"
#include "util/embedded_files.h"

namespace herald::api {
namespace {

using Operation = std::pair<std::string, std::string>;  // method, path with {} for parameters

// "/v1/layers/:name" and "/v1/layers/{name}" both become "/v1/layers/{}".
std::string Normalise(const std::string& path) {
  static const std::regex parameter(R"(:[^/]+|\{[^}]+\})");
  return std::regex_replace(path, parameter, "{}");
}

std::set<Operation> RouterOperations(const Router& router) {
  std::set<Operation> out;
  for (const auto& [verb, pattern] : router.Routes()) {
    std::string method(http::to_string(verb));
    for (char& c : method) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.emplace(method, Normalise(pattern));
  }
  return out;
}

nlohmann::json EmbeddedDocument() {
  const auto text = util::EmbeddedFile("docs/openapi.json");
  EXPECT_TRUE(text.has_value());
  return nlohmann::json::parse(text.value_or("{}"));
}

TEST(OpenApiTest, EveryRouteIsDocumentedAndEveryDocumentedRouteExists) {
  util::ManualClock clock;
  auto harness = store::testing::MakeSqliteHarness(clock);
  metrics::Metrics metrics;
  PageTokens tokens(*Fernet::FromKey(Fernet::GenerateKey(), nullptr));
  ApiContext ctx{harness->store(), tokens, metrics, clock};
  Router api_router = MakeApiRouter(ctx, std::chrono::seconds(1));
  const Authenticator open_api({});
  ui::AddPageRoutes(api_router, ctx, open_api, /*tls=*/false);
  std::set<Operation> routes = RouterOperations(api_router);
  for (const Operation& op : RouterOperations(
           MakeHealthRouter([] { return std::nullopt; },
                            [] { return std::map<std::string, std::string>{}; }, metrics))) {
    routes.insert(op);
  }

  const nlohmann::json document = EmbeddedDocument();
  EXPECT_EQ(document.value("openapi", ""), "3.1.0");
  std::set<Operation> documented;
  for (const auto& [path, operations] : document["paths"].items()) {
    for (const auto& [method, operation] : operations.items()) {
      if (method == "parameters" || method == "servers" || method == "summary") continue;
      documented.emplace(method, Normalise(path));
      EXPECT_TRUE(operation.contains("operationId")) << method << " " << path;
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  for (const Operation& op : routes) {
    EXPECT_EQ(documented.count(op), 1u) << op.first << " " << op.second << " is not documented";
  }
  for (const Operation& op : documented) {
    EXPECT_EQ(routes.count(op), 1u)
        << op.first << " " << op.second << " is documented but no router answers it";
  }
  EXPECT_GE(routes.size(), 31u);
}

TEST(OpenApiTest, TheBinaryCarriesTheDocumentOfTheSourceTree) {
  std::ifstream in(std::string(HERALD_SOURCE_DIR) + "/docs/openapi.json");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(util::EmbeddedFile("docs/openapi.json"), text.str());
  EXPECT_FALSE(util::EmbeddedFile("docs/nothing-here.json"));
}

}  // namespace
}  // namespace herald::api
