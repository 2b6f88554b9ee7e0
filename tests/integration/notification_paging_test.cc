// GET /v1/notifications/:name paging (SPEC §4): Old and New paged together by
// one token, each layer exactly once in a stable order, forged tokens → 400.
#include <set>

#include "api_fixture.h"

namespace herald::testing {
namespace {

class NotificationPagingTest : public ApiTest {
 protected:
  // `count` base layers, each introducing pkg at version 1.<i>.
  void MakeLayers(const std::string& prefix, const std::string& ns, const std::string& pkg,
                  int count) {
    for (int i = 0; i < count; ++i) {
      PostLayer({{"Name", prefix + std::to_string(1000 + i)},
                 {"NamespaceName", ns},
                 {"Features", {{{"Name", pkg}, {"Version", "1." + std::to_string(i)}}}}});
    }
  }

  struct Pages {
    std::vector<std::string> old_layers, new_layers;
    int pages = 0;
  };

  Pages ReadAll(const std::string& name, int limit) {
    Pages out;
    std::string path = "/v1/notifications/" + name + "?limit=" + std::to_string(limit);
    while (true) {
      auto r = Get(path);
      EXPECT_EQ(r.status, 200) << r.body;
      if (r.status != 200) break;
      auto n = Body(r)["Notification"];
      ++out.pages;
      EXPECT_EQ(n["Limit"], limit);
      for (const char* side : {"Old", "New"}) {
        if (!n.contains(side) || !n[side].contains("LayersIntroducingVulnerability")) continue;
        auto& layers = n[side]["LayersIntroducingVulnerability"];
        EXPECT_LE(layers.size(), static_cast<std::size_t>(limit));
        for (const auto& l : layers) {
          (std::string(side) == "Old" ? out.old_layers : out.new_layers).push_back(l);
        }
      }
      if (!n.contains("NextPage")) break;
      path = "/v1/notifications/" + name + "?limit=" + std::to_string(limit) +
             "&page=" + UrlEncode(n["NextPage"].get<std::string>());
      if (out.pages > 1000) break;
    }
    return out;
  }
};

TEST_F(NotificationPagingTest, OldAndNewPageTogetherEachLayerOnce) {
  MakeLayers("pg-", "debian:7", "libpg", 25);
  // Old side: versions below 1.10 (1.0 … 1.9): 10 layers. New side: below
  // 1.20: 20 layers.
  PostVulnerability("debian:7", {{"Name", "CVE-PG"},
                                 {"Severity", "Low"},
                                 {"FixedIn", {{{"Name", "libpg"}, {"Version", "1.10"}}}}});
  PostVulnerability("debian:7", {{"Name", "CVE-PG"},
                                 {"Severity", "Low"},
                                 {"FixedIn", {{{"Name", "libpg"}, {"Version", "1.20"}}}}});
  const std::string name = NewestNotification();

  for (int limit : {1, 3, 7, 10, 100}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    Pages p = ReadAll(name, limit);
    EXPECT_EQ(p.old_layers.size(), 10u);
    EXPECT_EQ(p.new_layers.size(), 20u);
    EXPECT_EQ(std::set<std::string>(p.old_layers.begin(), p.old_layers.end()).size(), 10u);
    EXPECT_EQ(std::set<std::string>(p.new_layers.begin(), p.new_layers.end()).size(), 20u);
    EXPECT_TRUE(std::is_sorted(p.new_layers.begin(), p.new_layers.end()));
    EXPECT_EQ(p.pages, (20 + limit - 1) / limit);
    // A second read gives the same order: the order is stable.
    EXPECT_EQ(ReadAll(name, limit).new_layers, p.new_layers);
  }
}

TEST_F(NotificationPagingTest, FrozenLayersDoNotChangeWhenInventoryChanges) {
  MakeLayers("fz-", "debian:6", "libfz", 3);
  PostVulnerability("debian:6", {{"Name", "CVE-FZ"},
                                 {"Severity", "Low"},
                                 {"FixedIn", {{{"Name", "libfz"}, {"Version", "9"}}}}});
  const std::string name = NewestNotification();
  MakeLayers("fz-late-", "debian:6", "libfz", 2);
  ASSERT_EQ(Delete("/v1/layers/fz-1000").status, 200);
  auto p = ReadAll(name, 100);
  EXPECT_EQ(p.new_layers, (std::vector<std::string>{"fz-1000", "fz-1001", "fz-1002"}));
}

TEST_F(NotificationPagingTest, LimitIsValidated) {
  PostVulnerability("debian:5", {{"Name", "CVE-LIM"}, {"Severity", "Low"}});
  const std::string name = NewestNotification();
  for (const char* bad : {"0", "10001", "-1", "abc", "1.5", ""}) {
    auto r = Get("/v1/notifications/" + name + "?limit=" + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(Body(r)["Error"]["Message"].is_string());
  }
  EXPECT_EQ(Get("/v1/notifications/" + name + "?limit=10000").status, 200);
  EXPECT_EQ(Get("/v1/notifications/" + name + "?limit=1").status, 200);
}

TEST_F(NotificationPagingTest, ForgedOrForeignTokensAre400) {
  MakeLayers("tk-", "debian:4", "libtk", 3);
  PostVulnerability("debian:4", {{"Name", "CVE-TK"},
                                 {"Severity", "Low"},
                                 {"FixedIn", {{{"Name", "libtk"}, {"Version", "9"}}}}});
  const std::string name = NewestNotification();
  auto first = Body(Get("/v1/notifications/" + name + "?limit=1"))["Notification"];
  const std::string next = first["NextPage"];
  // The genuine token works.
  EXPECT_EQ(Get("/v1/notifications/" + name + "?limit=1&page=" + UrlEncode(next)).status, 200);
  // Flip one character in the middle.
  std::string forged = next;
  forged[forged.size() / 2] = forged[forged.size() / 2] == 'A' ? 'B' : 'A';
  auto r = Get("/v1/notifications/" + name + "?limit=1&page=" + UrlEncode(forged));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Body(r), json::parse(R"({"Error":{"Message":"invalid page token"}})"));
  EXPECT_EQ(Get("/v1/notifications/" + name + "?page=garbage").status, 400);
  // A token of another notification is not accepted here.
  PostVulnerability("debian:4", {{"Name", "CVE-TK2"}, {"Severity", "Low"}});
  const std::string other = NewestNotification();
  EXPECT_EQ(Get("/v1/notifications/" + other + "?limit=1&page=" + UrlEncode(next)).status, 400);
  // A notification page token is not a listing token.
  EXPECT_EQ(Get("/v1/notifications?page=" + UrlEncode(next)).status, 400);
}

TEST_F(NotificationPagingTest, ListingFiltersByStatusAndPages) {
  PostVulnerability("debian:3", {{"Name", "CVE-LS0"}, {"Severity", "Low"}});
  PostVulnerability("debian:3", {{"Name", "CVE-LS1"}, {"Severity", "Low"}});
  const std::string first = NewestNotification();
  PostVulnerability("debian:3", {{"Name", "CVE-LS2"}, {"Severity", "Low"}});
  const std::string second = NewestNotification();
  ASSERT_EQ(Delete("/v1/notifications/" + first).status, 200);

  auto deleted = Body(Get("/v1/notifications?status=deleted&limit=10000"))["Notifications"];
  bool found = false;
  for (const auto& n : deleted) {
    EXPECT_EQ(n["Status"], "deleted");
    EXPECT_TRUE(n["Deleted"].is_string());
    found = found || n["Name"] == first;
  }
  EXPECT_TRUE(found);
  auto pending = Body(Get("/v1/notifications?status=pending&limit=1"));
  ASSERT_EQ(pending["Notifications"].size(), 1u);
  EXPECT_EQ(pending["Notifications"][0]["Name"], second);  // newest first
  EXPECT_EQ(pending["Notifications"][0]["Status"], "pending");
  EXPECT_FALSE(pending["Notifications"][0].contains("Notified"));
  EXPECT_FALSE(pending["Notifications"][0].contains("Deleted"));
  ASSERT_TRUE(pending.contains("NextPage"));
  auto next = Body(Get("/v1/notifications?status=pending&limit=1&page=" +
                       UrlEncode(pending["NextPage"].get<std::string>())));
  ASSERT_EQ(next["Notifications"].size(), 1u);
  EXPECT_NE(next["Notifications"][0]["Name"], second);
  // The token is bound to its filter.
  EXPECT_EQ(Get("/v1/notifications?status=deleted&page=" +
                UrlEncode(pending["NextPage"].get<std::string>()))
                .status,
            400);
  EXPECT_EQ(Get("/v1/notifications?status=bogus").status, 400);
}

}  // namespace
}  // namespace herald::testing
