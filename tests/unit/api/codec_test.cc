#include "api/codec.h"

#include <gtest/gtest.h>

#include "api/api_error.h"

namespace herald::api {
namespace {

using nlohmann::json;

int DecodeVulnStatus(const json& body, bool* has_fixed_in = nullptr) {
  bool dummy = false;
  try {
    DecodeVulnerabilityEnvelope(body, "debian:8", "", has_fixed_in ? has_fixed_in : &dummy);
    return 200;
  } catch (const ApiError& e) {
    return e.status();
  }
}

TEST(CodecTest, DecodesVulnerabilityAndNormalisesNone) {
  bool has_fixed_in = false;
  auto v = DecodeVulnerabilityEnvelope(
      json::parse(R"({"Vulnerability":{"Name":"CVE-1","Severity":"Low","Metadata":{"z":1,"a":2},
        "FixedIn":[{"Name":"a","Version":"None"},{"Name":"b","Version":"#MAXV#"},
        {"Name":"c","Version":"#MINV#"},{"Name":"d","Version":"1:2.0-1"}]}})"),
      "debian:8", "", &has_fixed_in);
  EXPECT_TRUE(has_fixed_in);
  EXPECT_EQ(v.namespace_name, "debian:8");
  EXPECT_EQ(v.metadata, R"({"a":2,"z":1})");
  ASSERT_EQ(v.fixed_in.size(), 4u);
  EXPECT_EQ(v.fixed_in[0].version, "#MAXV#");
  EXPECT_EQ(v.fixed_in[1].version, "#MAXV#");
  EXPECT_EQ(v.fixed_in[2].version, "#MINV#");
  EXPECT_EQ(v.fixed_in[3].version, "1:2.0-1");
}

TEST(CodecTest, RejectsBadVulnerabilities) {
  const char* bad[] = {
      R"({})",
      R"({"Vulnerability":[]})",
      R"({"Vulnerability":{"Severity":"Low"}})",
      R"({"Vulnerability":{"Name":"X"}})",
      R"({"Vulnerability":{"Name":"X","Severity":"high"}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","NamespaceName":"ubuntu:16.04"}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","Metadata":[1]}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","FixedIn":{}}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","FixedIn":[{"Name":"a"}]}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","FixedIn":[{"Version":"1"}]}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","FixedIn":[{"Name":"a","Version":"1"},
          {"Name":"a","Version":"2"}]}})",
      R"({"Vulnerability":{"Name":"X","Severity":"Low","FixedIn":[{"Name":"a","Version":"1",
          "NamespaceName":"debian:9"}]}})",
      R"({"Vulnerability":{"Name":7,"Severity":"Low"}})",
  };
  for (const char* body : bad) EXPECT_EQ(DecodeVulnStatus(json::parse(body)), 400) << body;
}

TEST(CodecTest, LayerWithPathButNoFeaturesAsksForAnalysis) {
  const DecodedLayer d = DecodeLayerEnvelope(json::parse(
      R"({"Layer":{"Name":"l","Path":"/x","Format":"Docker","Headers":{"Authorization":"t"}}})"));
  EXPECT_TRUE(d.analyse);
  EXPECT_EQ(d.path, "/x");
  EXPECT_EQ(d.format, "Docker");
  EXPECT_EQ(d.headers, (std::map<std::string, std::string>{{"Authorization", "t"}}));
  // Headers are never echoed back.
  EXPECT_EQ(d.echo,
            json::parse(R"({"Name":"l","Path":"/x","Format":"Docker","IndexedByVersion":3})"));
  // With inline Features the analysis fields are only echoed.
  EXPECT_FALSE(DecodeLayerEnvelope(json::parse(R"({"Layer":{"Name":"l","Path":"/x",
      "NamespaceName":"debian:8","Features":[]}})"))
                   .analyse);
  // Format or Headers without a Path: the Path is missing.
  for (const char* body : {R"({"Layer":{"Name":"l","Format":"Docker"}})",
                           R"({"Layer":{"Name":"l","Headers":{"A":"b"}}})",
                           R"({"Layer":{"Name":"l","Path":"/x","Headers":{"A":1}}})"}) {
    try {
      DecodeLayerEnvelope(json::parse(body));
      ADD_FAILURE() << body;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.status(), 400) << body;
    }
  }
}

TEST(CodecTest, LayerFeaturesNeedANamespaceAndValidVersions) {
  EXPECT_THROW(DecodeLayerEnvelope(json::parse(
                   R"({"Layer":{"Name":"l","Features":[{"Name":"a","Version":"1"}]}})")),
               ApiError);
  EXPECT_THROW(DecodeLayerEnvelope(json::parse(
                   R"({"Layer":{"Name":"l","NamespaceName":"debian:8",
                   "Features":[{"Name":"a","Version":"!!"}]}})")),
               ApiError);
  EXPECT_THROW(DecodeLayerEnvelope(json::parse(R"({"Layer":{"Name":"l","ParentName":"l"}})")),
               ApiError);
  auto ok = DecodeLayerEnvelope(json::parse(
      R"({"Layer":{"Name":"l","Features":[{"Name":"a","NamespaceName":"alpine:v3.4",
      "Version":"1.2.3-r0"}]}})"));
  ASSERT_TRUE(ok.layer.features);
  EXPECT_EQ(ok.echo, json::parse(R"({"Name":"l","IndexedByVersion":3})"));
}

TEST(CodecTest, EncodesOmittingEmptyFields) {
  model::Vulnerability v;
  v.namespace_name = "debian:8";
  v.name = "CVE-2";
  v.severity = "Unknown";
  EXPECT_EQ(EncodeVulnerability(v, true),
            json::parse(R"({"Name":"CVE-2","NamespaceName":"debian:8","Severity":"Unknown"})"));
  v.fixed_in = {{"a", "#MAXV#"}};
  v.metadata = R"({"k":"v"})";
  EXPECT_EQ(EncodeVulnerability(v, true), json::parse(R"({"Name":"CVE-2",
      "NamespaceName":"debian:8","Severity":"Unknown","Metadata":{"k":"v"},
      "FixedIn":[{"Name":"a","NamespaceName":"debian:8","Version":"None"}]})"));
  v.metadata = "{damaged";
  EXPECT_FALSE(EncodeVulnerability(v, false).contains("Metadata"));
}

TEST(CodecTest, NotificationTimesAreSecondStrings) {
  model::NotificationSummary s;
  s.name = "n";
  s.created = 1456247389123;
  s.deleted = 1456247390999;
  s.status = model::NotificationStatus::kDeleted;
  EXPECT_EQ(EncodeNotificationSummary(s), json::parse(R"({"Name":"n","Created":"1456247389",
      "Deleted":"1456247390","Status":"deleted"})"));
}

}  // namespace
}  // namespace herald::api
