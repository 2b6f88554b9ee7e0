// Pins the Clair v1 wire shapes (CLAIR_V1_WIRE.md) by comparing whole JSON
// documents: envelopes, field names, omitted empty fields, status codes.
#include <regex>

#include "api_fixture.h"

namespace herald::testing {
namespace {

// Replaces the fields that differ on every run (times, UUIDs, tokens) with
// placeholders, after checking their format, so the rest compares exactly.
void Normalize(json& doc) {
  if (doc.is_object()) {
    for (auto& [key, value] : doc.items()) {
      if ((key == "Created" || key == "Notified" || key == "Deleted") && value.is_string()) {
        EXPECT_TRUE(std::regex_match(value.get<std::string>(), std::regex("[0-9]{10}"))) << value;
        value = "<unix seconds>";
      } else if ((key == "Page" || key == "NextPage") && value.is_string()) {
        EXPECT_EQ(value.get<std::string>().rfind("gAAAAA", 0), 0u) << value;
        value = "<token>";
      } else {
        Normalize(value);
      }
    }
  } else if (doc.is_array()) {
    for (auto& v : doc) Normalize(v);
  }
}

class ApiCompatTest : public ApiTest {};

TEST_F(ApiCompatTest, PostLayerAnswers201WithClairEnvelope) {
  auto r = Post("/v1/layers", R"({"Layer":{"Name":"compat-base","NamespaceName":"debian:8",
      "Path":"https://example.invalid/layer.tar","Format":"Docker","Headers":{"Authorization":"x"},
      "Features":[{"Name":"openssl","Version":"1.0.1e-2"}]}})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(r.headers["content-type"], "application/json;charset=utf-8");
  // Headers (a registry token, say) are never echoed back (SPEC §7).
  EXPECT_EQ(Body(r), json::parse(R"({"Layer":{"Name":"compat-base","NamespaceName":"debian:8",
      "Path":"https://example.invalid/layer.tar","Format":"Docker","IndexedByVersion":3}})"));
}

// Path without Features asks for analysis (layer_analysis_test.cc covers it
// in full); the errors keep Clair v1's envelope and store nothing.
TEST_F(ApiCompatTest, PathLayerErrorsUseTheClairEnvelope) {
  auto r = Post("/v1/layers", R"({"Layer":{"Name":"compat-path","Path":"/tmp/layer.tar"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r),
            json::parse(R"({"Error":{"Message":"Layer.Format is required with Layer.Path"}})"));
  r = Post("/v1/layers",
           R"({"Layer":{"Name":"compat-path","Path":"/tmp/layer.tar","Format":"Docker"}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r), json::parse(R"j({"Error":{"Message":
      "local layer paths are refused: analyzer.localPaths is empty (/tmp/layer.tar)"}})j"));
  EXPECT_EQ(Get("/v1/layers/compat-path").status, 404);
}

TEST_F(ApiCompatTest, UnknownParentIs400) {
  auto r = Post("/v1/layers", R"({"Layer":{"Name":"compat-orphan","ParentName":"nope",
      "NamespaceName":"debian:8","Features":[]}})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r), json::parse(R"({"Error":{"Message":"parent layer not found: nope"}})"));
}

TEST_F(ApiCompatTest, GetLayerWithFeaturesAndVulnerabilities) {
  PostLayer(
      {{"Name", "gl-base"},
       {"NamespaceName", "debian:8"},
       {"Features",
        {{{"Name", "openssl"}, {"Version", "1.0.1"}}, {{"Name", "bash"}, {"Version", "4.3-11"}}}}});
  PostLayer({{"Name", "gl-child"},
             {"ParentName", "gl-base"},
             {"Features",
              {{{"Name", "openssl"}, {"Version", "1.0.1"}},
               {{"Name", "bash"}, {"Version", "4.3-11"}},
               {{"Name", "zlib"}, {"Version", "1:1.2.8"}}}}});
  PostVulnerability(
      "debian:8",
      {{"Name", "CVE-GL-1"},
       {"Severity", "High"},
       {"Link", "https://security-tracker.debian.org/CVE-GL-1"},
       {"FixedIn",
        {{{"Name", "openssl"}, {"Version", "1.0.2"}}, {{"Name", "zlib"}, {"Version", "None"}}}}});

  auto plain = Get("/v1/layers/gl-child");
  EXPECT_EQ(plain.status, 200);
  EXPECT_EQ(Body(plain), json::parse(R"({"Layer":{"Name":"gl-child","NamespaceName":"debian:8",
      "ParentName":"gl-base","IndexedByVersion":3}})"));

  auto features = Get("/v1/layers/gl-child?features");
  EXPECT_EQ(Body(features), json::parse(R"({"Layer":{"Name":"gl-child",
      "NamespaceName":"debian:8","ParentName":"gl-base","IndexedByVersion":3,"Features":[
      {"Name":"bash","NamespaceName":"debian:8","Version":"4.3-11","AddedBy":"gl-base"},
      {"Name":"openssl","NamespaceName":"debian:8","Version":"1.0.1","AddedBy":"gl-base"},
      {"Name":"zlib","NamespaceName":"debian:8","Version":"1:1.2.8","AddedBy":"gl-child"}]}})"));

  auto vulns = Get("/v1/layers/gl-child?features&vulnerabilities");
  EXPECT_EQ(Body(vulns), json::parse(R"({"Layer":{"Name":"gl-child",
      "NamespaceName":"debian:8","ParentName":"gl-base","IndexedByVersion":3,"Features":[
      {"Name":"bash","NamespaceName":"debian:8","Version":"4.3-11","AddedBy":"gl-base"},
      {"Name":"openssl","NamespaceName":"debian:8","Version":"1.0.1","AddedBy":"gl-base",
       "Vulnerabilities":[{"Name":"CVE-GL-1","NamespaceName":"debian:8",
       "Link":"https://security-tracker.debian.org/CVE-GL-1","Severity":"High",
       "FixedBy":"1.0.2"}]},
      {"Name":"zlib","NamespaceName":"debian:8","Version":"1:1.2.8","AddedBy":"gl-child",
       "Vulnerabilities":[{"Name":"CVE-GL-1","NamespaceName":"debian:8",
       "Link":"https://security-tracker.debian.org/CVE-GL-1","Severity":"High"}]}]}})"));
}

TEST_F(ApiCompatTest, LayerWithoutFeaturesInheritsAndEmptyFeaturesHasNone) {
  PostLayer({{"Name", "inh-base"},
             {"NamespaceName", "debian:8"},
             {"Features", {{{"Name", "curl"}, {"Version", "7.38.0-4"}}}}});
  PostLayer({{"Name", "inh-child"}, {"ParentName", "inh-base"}});
  PostLayer({{"Name", "inh-empty"}, {"ParentName", "inh-base"}, {"Features", json::array()}});
  auto child = Body(Get("/v1/layers/inh-child?features"));
  EXPECT_EQ(child["Layer"]["Features"], json::parse(R"([{"Name":"curl",
      "NamespaceName":"debian:8","Version":"7.38.0-4","AddedBy":"inh-base"}])"));
  auto empty = Body(Get("/v1/layers/inh-empty?features"));
  EXPECT_FALSE(empty["Layer"].contains("Features"));
}

TEST_F(ApiCompatTest, DeleteLayerRemovesDescendants) {
  PostLayer({{"Name", "del-a"}, {"NamespaceName", "debian:8"}, {"Features", json::array()}});
  PostLayer({{"Name", "del-b"}, {"ParentName", "del-a"}});
  PostLayer({{"Name", "del-c"}, {"ParentName", "del-b"}});
  auto r = Delete("/v1/layers/del-b");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Get("/v1/layers/del-a").status, 200);
  EXPECT_EQ(Get("/v1/layers/del-b").status, 404);
  EXPECT_EQ(Get("/v1/layers/del-c").status, 404);
  EXPECT_EQ(Delete("/v1/layers/del-b").status, 404);
}

TEST_F(ApiCompatTest, VulnerabilityLifecycle) {
  const std::string base = "/v1/namespaces/ubuntu:16.04/vulnerabilities";
  auto created = Post(base, R"({"Vulnerability":{"Name":"USN-1","Description":"bad",
      "Severity":"Medium","Metadata":{"NVD":{"CVSSv2":{"Score":5}}},
      "FixedIn":[{"Name":"libc6","Version":"2.23-0ubuntu3"}]}})");
  EXPECT_EQ(created.status, 201);
  const json expected = json::parse(R"({"Vulnerability":{"Name":"USN-1",
      "NamespaceName":"ubuntu:16.04","Description":"bad","Severity":"Medium",
      "Metadata":{"NVD":{"CVSSv2":{"Score":5}}},
      "FixedIn":[{"Name":"libc6","NamespaceName":"ubuntu:16.04","Version":"2.23-0ubuntu3"}]}})");
  EXPECT_EQ(Body(created), expected);

  EXPECT_EQ(Body(Get(base + "/USN-1?fixedIn")), expected);
  json without_fixed_in = expected;
  without_fixed_in["Vulnerability"].erase("FixedIn");
  EXPECT_EQ(Body(Get(base + "/USN-1")), without_fixed_in);

  auto fixes = Get(base + "/USN-1/fixes");
  EXPECT_EQ(Body(fixes), json::parse(R"({"Features":[{"Name":"libc6",
      "NamespaceName":"ubuntu:16.04","Version":"2.23-0ubuntu3"}]})"));

  auto put_fix = Put(base + "/USN-1/fixes/openssl",
                     R"({"Feature":{"Name":"openssl","NamespaceName":"ubuntu:16.04",
                     "Version":"None"}})");
  EXPECT_EQ(put_fix.status, 200);
  EXPECT_EQ(Body(put_fix), json::parse(R"({"Feature":{"Name":"openssl",
      "NamespaceName":"ubuntu:16.04","Version":"None"}})"));

  auto put = Put(base + "/USN-1", R"({"Vulnerability":{"Name":"USN-1","Severity":"High"}})");
  EXPECT_EQ(put.status, 200);
  EXPECT_EQ(Body(put), json::parse(R"({"Vulnerability":{"Name":"USN-1",
      "NamespaceName":"ubuntu:16.04","Severity":"High","FixedIn":[
      {"Name":"libc6","NamespaceName":"ubuntu:16.04","Version":"2.23-0ubuntu3"},
      {"Name":"openssl","NamespaceName":"ubuntu:16.04","Version":"None"}]}})"));

  auto bad_put = Put(base + "/USN-1", R"({"Vulnerability":{"Name":"USN-1","Severity":"High",
      "FixedIn":[{"Name":"x","Version":"1"}]}})");
  EXPECT_EQ(bad_put.status, 400);
  EXPECT_EQ(Body(bad_put),
            json::parse(R"({"Error":{"Message":"Vulnerability.FixedIn must be empty"}})"));

  auto del_fix = Delete(base + "/USN-1/fixes/libc6");
  EXPECT_EQ(del_fix.status, 200);
  EXPECT_EQ(Body(Get(base + "/USN-1/fixes")), json::parse(R"({"Features":[{"Name":"openssl",
      "NamespaceName":"ubuntu:16.04","Version":"None"}]})"));

  auto del = Delete(base + "/USN-1");
  EXPECT_EQ(del.status, 200);
  EXPECT_EQ(del.body, "");
  EXPECT_EQ(Get(base + "/USN-1").status, 404);
  EXPECT_EQ(Delete(base + "/USN-1").status, 404);
  EXPECT_EQ(Get(base + "/USN-1/fixes").status, 404);
}

TEST_F(ApiCompatTest, NamespacesAndVulnerabilityListingPaginate) {
  for (int i = 0; i < 5; ++i) {
    PostVulnerability("alpine:v3.4", {{"Name", "ALP-" + std::to_string(i)}, {"Severity", "Low"}});
  }
  auto ns = Body(Get("/v1/namespaces"));
  EXPECT_TRUE(std::find(ns["Namespaces"].begin(), ns["Namespaces"].end(),
                        json{{"Name", "alpine:v3.4"}}) != ns["Namespaces"].end())
      << ns;

  std::vector<std::string> seen;
  std::string path = "/v1/namespaces/alpine:v3.4/vulnerabilities?limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    auto r = Get(path);
    ASSERT_EQ(r.status, 200) << r.body;
    auto doc = Body(r);
    EXPECT_LE(doc["Vulnerabilities"].size(), 2u);
    for (const auto& v : doc["Vulnerabilities"]) {
      EXPECT_EQ(v,
                json({{"Name", v["Name"]}, {"NamespaceName", "alpine:v3.4"}, {"Severity", "Low"}}));
      seen.push_back(v["Name"]);
    }
    if (!doc.contains("NextPage")) break;
    path = "/v1/namespaces/alpine:v3.4/vulnerabilities?limit=2&page=" +
           UrlEncode(doc["NextPage"].get<std::string>());
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ALP-0", "ALP-1", "ALP-2", "ALP-3", "ALP-4"}));
  EXPECT_EQ(Get("/v1/namespaces/nowhere:1/vulnerabilities").status, 404);
  EXPECT_EQ(Get("/v1/namespaces/alpine:v3.4/vulnerabilities?limit=-1").status, 400);
}

TEST_F(ApiCompatTest, NotificationDocumentMatchesClairShape) {
  PostLayer({{"Name", "nd-layer"},
             {"NamespaceName", "centos:7"},
             {"Features", {{{"Name", "kernel"}, {"Version", "3.10.0-327.el7"}}}}});
  PostVulnerability("centos:7",
                    {{"Name", "RHSA-ND"},
                     {"Severity", "Critical"},
                     {"FixedIn", {{{"Name", "kernel"}, {"Version", "3.10.0-514.el7"}}}}});
  const std::string created = NewestNotification();
  PostVulnerability(
      "centos:7",
      {{"Name", "RHSA-ND"}, {"Severity", "Critical"}, {"Description", "now described"}});
  const std::string changed = NewestNotification();
  ASSERT_NE(created, changed);
  EXPECT_TRUE(std::regex_match(
      changed, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")));

  auto first = Body(Get("/v1/notifications/" + created));
  Normalize(first);
  EXPECT_EQ(first, json::parse(R"({"Notification":{"Name":")" + created +
                               R"(","Created":"<unix seconds>","Limit":100,"Page":"<token>",
      "New":{"Vulnerability":{"Name":"RHSA-ND","NamespaceName":"centos:7","Severity":"Critical",
      "FixedIn":[{"Name":"kernel","NamespaceName":"centos:7","Version":"3.10.0-514.el7"}]},
      "LayersIntroducingVulnerability":["nd-layer"]}}})"));

  auto second = Body(Get("/v1/notifications/" + changed + "?limit=5"));
  Normalize(second);
  EXPECT_EQ(second, json::parse(R"({"Notification":{"Name":")" + changed +
                                R"(","Created":"<unix seconds>","Limit":5,"Page":"<token>",
      "Old":{"Vulnerability":{"Name":"RHSA-ND","NamespaceName":"centos:7","Severity":"Critical",
      "FixedIn":[{"Name":"kernel","NamespaceName":"centos:7","Version":"3.10.0-514.el7"}]},
      "LayersIntroducingVulnerability":["nd-layer"]},
      "New":{"Vulnerability":{"Name":"RHSA-ND","NamespaceName":"centos:7",
      "Description":"now described","Severity":"Critical",
      "FixedIn":[{"Name":"kernel","NamespaceName":"centos:7","Version":"3.10.0-514.el7"}]},
      "LayersIntroducingVulnerability":["nd-layer"]}}})"));

  EXPECT_EQ(Delete("/v1/namespaces/centos:7/vulnerabilities/RHSA-ND").status, 200);
  const std::string removed = NewestNotification();
  auto third = Body(Get("/v1/notifications/" + removed));
  EXPECT_TRUE(third["Notification"].contains("Old"));
  EXPECT_FALSE(third["Notification"].contains("New"));
}

TEST_F(ApiCompatTest, DeleteNotificationIsIdempotentAndSetsDeleted) {
  PostVulnerability("debian:9", {{"Name", "CVE-DEL"}, {"Severity", "Low"}});
  const std::string name = NewestNotification();
  auto r = Delete("/v1/notifications/" + name);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Delete("/v1/notifications/" + name).status, 200);
  auto doc = Body(Get("/v1/notifications/" + name));
  EXPECT_TRUE(doc["Notification"]["Deleted"].is_string()) << doc;
  auto missing = Delete("/v1/notifications/00000000-0000-4000-8000-000000000000");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(Body(missing)["Error"]["Message"].is_string());
}

TEST_F(ApiCompatTest, IdenticalRepostCreatesNoNotification) {
  const json v = {{"Name", "CVE-SAME"}, {"Severity", "Low"}, {"Metadata", {{"a", 1}, {"b", 2}}}};
  PostVulnerability("debian:10", v);
  const auto before = NotificationNames();
  // Same content with metadata keys in another order: still identical.
  auto r =
      Post("/v1/namespaces/debian:10/vulnerabilities",
           R"({"Vulnerability":{"Name":"CVE-SAME","Severity":"Low","Metadata":{"b":2,"a":1}}})");
  EXPECT_EQ(r.status, 201);
  EXPECT_EQ(NotificationNames(), before);
}

TEST_F(ApiCompatTest, FixedInMergeAndMinVersionRemoval) {
  const std::string base = "/v1/namespaces/debian:11/vulnerabilities";
  PostVulnerability(
      "debian:11",
      {{"Name", "CVE-MRG"},
       {"Severity", "Low"},
       {"FixedIn", {{{"Name", "a"}, {"Version", "1.0"}}, {{"Name", "b"}, {"Version", "2.0"}}}}});
  PostVulnerability(
      "debian:11",
      {{"Name", "CVE-MRG"},
       {"Severity", "Low"},
       {"FixedIn", {{{"Name", "a"}, {"Version", "#MINV#"}}, {{"Name", "c"}, {"Version", "3.0"}}}}});
  EXPECT_EQ(Body(Get(base + "/CVE-MRG/fixes")), json::parse(R"({"Features":[
      {"Name":"b","NamespaceName":"debian:11","Version":"2.0"},
      {"Name":"c","NamespaceName":"debian:11","Version":"3.0"}]})"));
}

TEST_F(ApiCompatTest, ErrorsUseTheClairEnvelope) {
  auto r = Get("/v1/layers/does-not-exist");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(Body(r), json::parse(R"({"Error":{"Message":"layer not found: does-not-exist"}})"));
  auto unknown_ns = Post("/v1/namespaces/gentoo:1/vulnerabilities",
                         R"({"Vulnerability":{"Name":"X","Severity":"Low"}})");
  EXPECT_EQ(unknown_ns.status, 400);
  auto bad_severity = Post("/v1/namespaces/debian:8/vulnerabilities",
                           R"({"Vulnerability":{"Name":"X","Severity":"Severe"}})");
  EXPECT_EQ(bad_severity.status, 400);
  EXPECT_EQ(Get("/v1/nothing-here").status, 404);
}

TEST_F(ApiCompatTest, MetricsAreServedOnBothPorts) {
  Get("/v1/namespaces");
  auto api = Get("/v1/metrics");
  EXPECT_EQ(api.status, 200);
  EXPECT_NE(api.body.find("clair_api_response_duration_milliseconds_bucket{code=\"200\","
                          "route=\"/v1/namespaces\""),
            std::string::npos)
      << api.body;
  HttpClient health;
  auto h = health.Get(server_->HealthUrl() + "/metrics");
  EXPECT_EQ(h.status, 200);
  EXPECT_NE(h.body.find("clair_api_response_duration_milliseconds"), std::string::npos);
  EXPECT_EQ(health.Get(server_->HealthUrl() + "/health").status, 200);
}

}  // namespace
}  // namespace herald::testing
