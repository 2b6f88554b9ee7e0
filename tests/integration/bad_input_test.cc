// Every POST and PUT route driven with hostile bodies (SPEC §4, brief rule 5):
// the answer is always a 4xx with a message, stored data stays unchanged and
// the server stays healthy.
#include "api_fixture.h"

namespace herald::testing {
namespace {

struct Route {
  const char* method;
  const char* path;
};

const Route kWriteRoutes[] = {
    {"POST", "/v1/layers"},
    {"POST", "/v1/namespaces/debian:8/vulnerabilities"},
    {"PUT", "/v1/namespaces/debian:8/vulnerabilities/CVE-BAD"},
    {"PUT", "/v1/namespaces/debian:8/vulnerabilities/CVE-BAD/fixes/openssl"},
};

std::vector<std::pair<std::string, std::string>> HostileBodies() {
  std::vector<std::pair<std::string, std::string>> bodies = {
      {"empty", ""},
      {"truncated", "{\"Layer\":{\"Name\":"},
      {"not json", "hello"},
      {"top-level array", "[1,2,3]"},
      {"top-level string", "\"Layer\""},
      {"empty object", "{}"},
      {"null envelopes", R"({"Layer":null,"Vulnerability":null,"Feature":null})"},
      {"envelope wrong type", R"({"Layer":5,"Vulnerability":"x","Feature":[]})"},
      {"name wrong type", R"({"Layer":{"Name":5},"Vulnerability":{"Name":5,"Severity":"Low"},
          "Feature":{"Name":5}})"},
      {"missing fields", R"({"Layer":{},"Vulnerability":{},"Feature":{}})"},
      {"features wrong type", R"({"Layer":{"Name":"bad-l","NamespaceName":"debian:8",
          "Features":{"a":1}},"Vulnerability":{"Name":"CVE-BAD","Severity":"Low","FixedIn":"x"},
          "Feature":{"Name":"openssl","Version":7}})"},
      {"bad versions", R"({"Layer":{"Name":"bad-l","NamespaceName":"debian:8",
          "Features":[{"Name":"x","Version":"not a version"}]},
          "Vulnerability":{"Name":"CVE-BAD","Severity":"Low",
          "FixedIn":[{"Name":"x","Version":"a:b:c"}]},"Feature":{"Name":"openssl",
          "Version":"?"}})"},
      {"unknown namespace", R"({"Layer":{"Name":"bad-l","NamespaceName":"plan9:1","Features":[]},
          "Vulnerability":{"Name":"CVE-BAD","NamespaceName":"plan9:1","Severity":"Low"},
          "Feature":{"Name":"openssl","NamespaceName":"plan9:1","Version":"1"}})"},
      {"invalid utf-8",
       "{\"Layer\":{\"Name\":\"\xff\xfe\xc3\x28\"},\"Vulnerability\":{\"Name\":"
       "\"\xed\xa0\x80\",\"Severity\":\"Low\"},\"Feature\":{\"Name\":\"\xc0\xaf\"}}"},
      {"nul bytes", std::string("{\"Layer\":{\"Name\":\"a\0b\"}}", 24)},
      // A body every route would accept, then NUL and garbage: nlohmann's
      // lexer alone would stop at the NUL and accept the write.
      {"valid body, then nul and garbage",
       std::string(R"({"Layer":{"Name":"bad-l","NamespaceName":"debian:8","Features":[]},)"
                   R"("Vulnerability":{"Name":"CVE-BAD","NamespaceName":"debian:8",)"
                   R"("Severity":"High"},"Feature":{"Name":"openssl",)"
                   R"("NamespaceName":"debian:8","Version":"3.0"}})") +
           std::string("\0garbage", 8)},
      {"huge number", R"({"Layer":{"Name":1e999999},"Vulnerability":{"Name":1e999999}})"},
      {"deep nesting", std::string(100000, '[') + std::string(100000, ']')},
      {"deep object nesting",
       [] {
         std::string s;
         for (int i = 0; i < 100000; ++i) s += "{\"a\":";
         s += "1";
         s += std::string(100000, '}');
         return s;
       }()},
  };
  return bodies;
}

class BadInputTest : public ApiTest {
 protected:
  void SetUp() override {
    // Known data that no bad request may change.
    if (Get("/v1/layers/bad-base").status != 200) {
      PostLayer({{"Name", "bad-base"},
                 {"NamespaceName", "debian:8"},
                 {"Features", {{{"Name", "openssl"}, {"Version", "1.0"}}}}});
      PostVulnerability("debian:8", {{"Name", "CVE-BAD"},
                                     {"Severity", "Low"},
                                     {"FixedIn", {{{"Name", "openssl"}, {"Version", "2.0"}}}}});
    }
  }

  std::string Snapshot() {
    return Get("/v1/layers/bad-base?features&vulnerabilities").body + "|" +
           Get("/v1/namespaces/debian:8/vulnerabilities/CVE-BAD?fixedIn").body + "|" +
           Get("/v1/namespaces").body + "|" + Get("/v1/notifications?limit=10000").body + "|" +
           std::to_string(Get("/v1/layers/bad-l").status);
  }

  void ExpectRejected(const Route& route, const std::string& body, const std::string& label) {
    SCOPED_TRACE(std::string(route.method) + " " + route.path + " with " + label);
    const std::string before = Snapshot();
    HttpClient fresh;  // a dropped connection must show as an error here
    auto r = fresh.Request(route.method, Url(route.path), body, {"Content-Type: application/json"});
    EXPECT_TRUE(r.error.empty()) << "transport error: " << r.error;
    EXPECT_GE(r.status, 400);
    EXPECT_LT(r.status, 500) << r.body;
    auto doc = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << r.body;
    EXPECT_TRUE(doc["Error"]["Message"].is_string()) << r.body;
    EXPECT_FALSE(doc["Error"]["Message"].get<std::string>().empty());
    EXPECT_EQ(Snapshot(), before);
    HttpClient health;
    EXPECT_EQ(health.Get(server_->HealthUrl() + "/health").status, 200);
  }
};

TEST_F(BadInputTest, HostileBodiesGet4xxAndChangeNothing) {
  for (const auto& route : kWriteRoutes) {
    for (const auto& [label, body] : HostileBodies()) ExpectRejected(route, body, label);
  }
}

TEST_F(BadInputTest, OversizeBodiesGet413) {
  const std::string big = "{\"Layer\":{\"Name\":\"" + std::string(17 * 1024 * 1024, 'a') + "\"}}";
  for (const auto& route : kWriteRoutes) {
    SCOPED_TRACE(route.path);
    const std::string before = Snapshot();
    HttpClient fresh;
    auto r = fresh.Request(route.method, Url(route.path), big, {"Content-Type: application/json"});
    EXPECT_EQ(r.status, 413) << r.error;
    EXPECT_TRUE(json::parse(r.body)["Error"]["Message"].is_string());
    EXPECT_EQ(Snapshot(), before);
  }
}

TEST_F(BadInputTest, HostileQueryStringsAndPaths) {
  for (const char* path : {"/v1/notifications?limit=%zz", "/v1/notifications?status=%00",
                           "/v1/notifications/%ff%fe?limit=1", "/v1/layers/%",
                           "/v1/namespaces/debian:8/vulnerabilities?page=%41%41"}) {
    auto r = Get(path);
    EXPECT_GE(r.status, 400) << path;
    EXPECT_LT(r.status, 500) << path << " " << r.body;
  }
}

TEST_F(BadInputTest, WrongMethodIs405) {
  auto r = client_.Request("PATCH", Url("/v1/layers"));
  EXPECT_EQ(r.status, 405);
}

}  // namespace
}  // namespace herald::testing
