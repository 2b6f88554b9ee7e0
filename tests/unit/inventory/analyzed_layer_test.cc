// The SPEC §7 rules that turn an analysis into a stored layer.
#include "inventory/analyzed_layer.h"

#include <gtest/gtest.h>

#include "analyzer/analysis_error.h"

namespace herald::inventory {
namespace {

model::LayerDetail Parent(const std::string& ns,
                          std::vector<std::pair<std::string, std::string>> features,
                          const std::string& feature_ns = "") {
  model::LayerDetail d;
  d.name = "parent";
  d.namespace_name = ns;
  for (auto& [name, version] : features) {
    model::LayerFeature f;
    f.feature = {feature_ns.empty() ? ns : feature_ns, name, version};
    f.added_by = "parent";
    d.features.push_back(f);
  }
  return d;
}

TEST(AnalyzedLayerTest, UnchangedPackagesKeepTheParentsNamespace) {
  const auto out =
      BuildAnalyzedLayer("child", "parent", Parent("debian:7", {{"bash", "4.2-1"}}), "debian:8",
                         std::vector<Package>{{"bash", "4.2-1"}, {"curl", "7.38-4"}});
  EXPECT_EQ(out.layer.namespace_name, "debian:8");
  ASSERT_TRUE(out.layer.features.has_value());
  EXPECT_EQ(*out.layer.features,
            (std::vector<model::FeatureVersion>{{"debian:7", "bash", "4.2-1"},
                                                {"debian:8", "curl", "7.38-4"}}));
}

TEST(AnalyzedLayerTest, NoDatabaseInheritsTheParentsFeaturesAndNamespace) {
  const auto out = BuildAnalyzedLayer("child", "parent", Parent("debian:8", {{"bash", "4.3-1"}}),
                                      std::nullopt, std::nullopt);
  EXPECT_FALSE(out.layer.features.has_value());
  EXPECT_EQ(out.layer.namespace_name, "debian:8");
}

TEST(AnalyzedLayerTest, PackagesWithoutANamespaceAre422) {
  try {
    BuildAnalyzedLayer("l", "", std::nullopt, std::nullopt, std::vector<Package>{{"bash", "1"}});
    FAIL() << "no error";
  } catch (const analyzer::AnalysisError& e) {
    EXPECT_EQ(e.http_status(), 422);
    EXPECT_STREQ(e.what(), "OS and/or package manager are not supported");
  }
  // A namespace whose ordering Herald does not know is no namespace.
  EXPECT_THROW(
      BuildAnalyzedLayer("l", "", std::nullopt, "rocky:8", std::vector<Package>{{"bash", "1-1"}}),
      analyzer::AnalysisError);
}

TEST(AnalyzedLayerTest, RootLayerWithoutNamespaceOrPackagesIsStoredWithoutOne) {
  const auto out = BuildAnalyzedLayer("l", "", std::nullopt, std::nullopt, std::nullopt);
  EXPECT_EQ(out.layer.namespace_name, "");
  EXPECT_FALSE(out.layer.features.has_value());
}

TEST(AnalyzedLayerTest, VersionsInvalidForTheNamespaceAreSkippedAndCounted) {
  const auto out = BuildAnalyzedLayer("l", "", std::nullopt, "debian:12",
                                      std::vector<Package>{{"ok", "1.0-1"}, {"bad", "!!"}});
  ASSERT_TRUE(out.layer.features.has_value());
  EXPECT_EQ(out.layer.features->size(), 1u);
  EXPECT_EQ(out.skipped_packages, 1);
}

}  // namespace
}  // namespace herald::inventory
