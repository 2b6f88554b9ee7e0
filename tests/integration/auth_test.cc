// api.tokens (SPEC §11): 401 without a valid bearer token, 403 below the
// route's scope, each scope including the ones before it; the health port
// open; tokens never in the logs; an open API says so at start.
#include "api_fixture.h"
#include "util/crypto.h"

namespace herald::testing {
namespace {

const std::string kRead = "read-token-0123456789abcdefghij";
const std::string kWrite = "write-token-0123456789abcdefghij";
const std::string kAdmin = "admin-token-0123456789abcdefghij";

std::string TokensYaml() {
  std::string yaml = "clair:\n  api:\n    tokens:\n";
  for (const auto& [name, token, scope] : {std::tuple{"dashboards", kRead, "read"},
                                           {"ci", kWrite, "write"},
                                           {"ops", kAdmin, "admin"}}) {
    yaml += std::string("      - name: ") + name + "\n        sha256: " + util::Sha256Hex(token) +
            "\n        scope: " + scope + "\n";
  }
  return yaml;
}

class AuthTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<HeraldServer>(HeraldServer::Options{.config_yaml = TokensYaml()});
    server_->Start();
  }
  static void TearDownTestSuite() {
    EXPECT_EQ(server_->Stop(SIGTERM), 0);
    // No token, nor its hash's source, ever reaches the log.
    const std::string log = server_->Log();
    for (const auto& token : {kRead, kWrite, kAdmin}) {
      EXPECT_EQ(log.find(token), std::string::npos) << token;
    }
    EXPECT_EQ(log.find("the API is open"), std::string::npos);
    server_.reset();
  }

  HttpResult Call(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body = "") {
    std::vector<std::string> headers = {"Content-Type: application/json"};
    if (!token.empty()) headers.push_back("Authorization: Bearer " + token);
    HttpClient client;
    return client.Request(method, server_->ApiUrl() + path, body, headers);
  }

  static void ExpectError(const HttpResult& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    auto doc = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(doc.is_object()) << r.body;
    EXPECT_TRUE(doc["Error"]["Message"].is_string()) << r.body;
  }

  static std::unique_ptr<HeraldServer> server_;
};
std::unique_ptr<HeraldServer> AuthTest::server_;

const std::string kVulnerability = R"({"Vulnerability":{"Name":"CVE-AUTH","Severity":"Low"}})";

TEST_F(AuthTest, WithoutAValidTokenEveryRouteIs401) {
  for (const std::string& token : {std::string(), std::string("wrong"), kRead + "x"}) {
    SCOPED_TRACE("token '" + token + "'");
    auto r = Call("GET", "/v1/namespaces", token);
    ExpectError(r, 401);
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer realm=\"herald\"");
    ExpectError(Call("GET", "/v1/metrics", token), 401);
    ExpectError(Call("GET", "/v1/no-such-route", token), 401);  // nothing is given away
    ExpectError(Call("POST", "/v1/namespaces/debian:8/vulnerabilities", token, kVulnerability),
                401);
  }
  // Only the Bearer scheme counts; a token elsewhere is no token.
  HttpClient client;
  ExpectError(client.Request("GET", server_->ApiUrl() + "/v1/namespaces", "",
                             {"Authorization: Basic " + util::Base64Encode("x:" + kAdmin)}),
              401);
  ExpectError(Call("GET", "/v1/namespaces?token=" + kAdmin, ""), 401);
  // The scheme is case-insensitive (RFC 7235).
  EXPECT_EQ(client
                .Request("GET", server_->ApiUrl() + "/v1/namespaces", "",
                         {"Authorization: bearer " + kRead})
                .status,
            200);
}

TEST_F(AuthTest, EachScopeIncludesTheOnesBeforeIt) {
  // read: GET routes, metrics included.
  for (const auto& token : {kRead, kWrite, kAdmin}) {
    EXPECT_EQ(Call("GET", "/v1/namespaces", token).status, 200);
    EXPECT_EQ(Call("GET", "/v1/metrics", token).status, 200);
    EXPECT_EQ(Call("GET", "/v1/notifications", token).status, 200);
  }
  // write: layers and vulnerabilities.
  ExpectError(Call("POST", "/v1/namespaces/debian:8/vulnerabilities", kRead, kVulnerability), 403);
  EXPECT_EQ(Call("POST", "/v1/namespaces/debian:8/vulnerabilities", kWrite, kVulnerability).status,
            201);
  ExpectError(Call("DELETE", "/v1/layers/none", kRead), 403);
  EXPECT_EQ(Call("DELETE", "/v1/layers/none", kWrite).status, 404);
  // admin: redeliver and deleting notifications.
  const std::string name =
      json::parse(Call("GET", "/v1/notifications?limit=1", kRead).body)["Notifications"][0]["Name"];
  ExpectError(Call("POST", "/v1/notifications/" + name + "/redeliver", kWrite), 403);
  ExpectError(Call("DELETE", "/v1/notifications/" + name, kWrite), 403);
  EXPECT_EQ(Call("POST", "/v1/notifications/" + name + "/redeliver", kAdmin).status, 202);
  EXPECT_EQ(Call("DELETE", "/v1/notifications/" + name, kAdmin).status, 200);
  EXPECT_EQ(Call("POST", "/v1/namespaces/debian:8/vulnerabilities", kAdmin, kVulnerability).status,
            201);
}

TEST_F(AuthTest, TheHealthPortNeedsNoToken) {
  HttpClient client;
  EXPECT_EQ(client.Get(server_->HealthUrl() + "/health").status, 200);
  EXPECT_EQ(client.Get(server_->HealthUrl() + "/metrics").status, 200);
}

TEST(OpenApiTest, WithoutTokensTheApiIsOpenAndTheLogSaysSo) {
  HeraldServer server({});
  server.Start();
  HttpClient client;
  EXPECT_EQ(client.Get(server.ApiUrl() + "/v1/namespaces").status, 200);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
  EXPECT_NE(server.Log().find("the API is open"), std::string::npos) << server.Log();
}

TEST(TokenCommandTest, MakesATokenWhoseEntryAdmitsIt) {
  const CommandResult r = RunCommand({HeraldBinary(), "token", "--name", "ci", "--scope", "write"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  const std::size_t at = r.output.find("token: ");
  ASSERT_NE(at, std::string::npos) << r.output;
  const std::string token = r.output.substr(at + 7, r.output.find('\n', at) - at - 7);
  EXPECT_GE(token.size(), 40u);
  EXPECT_NE(r.output.find("sha256: " + util::Sha256Hex(token)), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("scope: write"), std::string::npos) << r.output;
  // The printed entry is a configuration that check-config accepts.
  TempDir dir;
  WriteFile(dir.File("herald.yaml"), r.output.substr(r.output.find("clair:")));
  EXPECT_EQ(RunCommand({HeraldBinary(), "check-config", "-c", dir.File("herald.yaml")}).exit_code,
            0);
}

}  // namespace
}  // namespace herald::testing
