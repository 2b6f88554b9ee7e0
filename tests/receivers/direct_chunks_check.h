// What a consumer of direct delivery (SPEC §9) must be able to rely on,
// checked on the messages a broker received: the whole notification in every
// chunk, as GET /v1/notifications/:name shows it, and each layer name in
// exactly one chunk.
#pragma once

#include <gtest/gtest.h>

#include <set>

#include "delivery_fixture.h"

namespace herald::testing {

// A notification with New layers only, sent in its first round.
inline void ExpectDirectChunks(Api& api, const std::string& name,
                               const std::vector<std::string>& bodies,
                               std::size_t expected_layers) {
  const std::size_t chunks = (expected_layers + 999) / 1000;
  ASSERT_EQ(bodies.size(), chunks);
  auto r = api.client().Get(api.base() + "/v1/notifications/" + name + "?limit=1");
  ASSERT_EQ(r.status, 200) << r.body;
  json whole = json::parse(r.body)["Notification"];
  for (const char* paging : {"Limit", "Page", "NextPage", "Notified"}) whole.erase(paging);
  whole["New"].erase("LayersIntroducingVulnerability");

  std::set<std::string> layers;
  for (std::size_t i = 0; i < bodies.size(); ++i) {
    json doc = json::parse(bodies[i]);
    EXPECT_EQ(doc["Chunk"], i + 1);
    EXPECT_EQ(doc["Chunks"], chunks);
    json& n = doc["Notification"];
    const json names = n["New"]["LayersIntroducingVulnerability"];
    EXPECT_EQ(names.size(), i + 1 < chunks ? 1000u : expected_layers - 1000 * (chunks - 1));
    for (const auto& l : names) EXPECT_TRUE(layers.insert(l.get<std::string>()).second) << l;
    n["New"].erase("LayersIntroducingVulnerability");
    EXPECT_EQ(n, whole);  // everything but the layer names, and no paging
  }
  EXPECT_EQ(layers.size(), expected_layers);
}

}  // namespace herald::testing
