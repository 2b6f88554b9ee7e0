// Direct delivery (SPEC §9): the notification itself in chunks of layer
// names, read from a real SQLite store, and a broker attempt that succeeds
// only when every chunk is confirmed.
#include "receivers/direct_delivery.h"

#include <gtest/gtest.h>

#include <future>
#include <nlohmann/json.hpp>
#include <set>

#include "../store/store_factory.h"
#include "inventory/vulnerability_changes.h"
#include "receivers/all_confirmed.h"
#include "receivers/payload.h"

namespace herald::receivers {
namespace {

using model::DeliveryOutcome;
using model::FeatureVersion;
using model::Side;
using nlohmann::json;
using notifier::Outgoing;
using notifier::SendResult;

class DirectChunksTest : public ::testing::Test {
 protected:
  DirectChunksTest() : harness_(store::testing::MakeSqliteHarness(clock_)) {}
  store::Store& store() { return harness_->store(); }

  // `count` base layers named <prefix><i>, each holding pkg at `version`.
  void MakeLayers(const std::string& prefix, int count, const std::string& version) {
    for (int i = 0; i < count; ++i) {
      store().InsertLayer({prefix + std::to_string(100 + i), "", "debian:8",
                           std::vector<FeatureVersion>{{"", "pkg", version}}},
                          3);
    }
  }
  // Posts CVE-D fixed in pkg `fixed` and returns the notification it made.
  std::string Post(const std::string& fixed) {
    model::Vulnerability v;
    v.namespace_name = "debian:8";
    v.name = "CVE-D";
    v.severity = "High";
    v.link = "https://security-tracker.debian.org/tracker/CVE-D";
    v.fixed_in = {{"pkg", fixed}};
    return *store()
                .ChangeVulnerability(v.namespace_name, v.name, inventory::MergePosted(v))
                .notification_name;
  }

  util::ManualClock clock_;
  std::unique_ptr<store::testing::StoreHarness> harness_;
};

TEST_F(DirectChunksTest, ANotificationWithoutLayersIsOneChunkWithEverythingButPaging) {
  const std::string name = Post("2");
  const auto chunks = DirectChunks(store(), name);
  ASSERT_TRUE(chunks);
  ASSERT_EQ(chunks->size(), 1u);
  const std::string created = std::to_string(clock_.NowMillis() / 1000);
  EXPECT_EQ((*chunks)[0],
            R"({"Chunk":1,"Chunks":1,"Notification":{"Created":")" + created + R"(","Name":")" +
                name +
                R"(","New":{"Vulnerability":{"FixedIn":[{"Name":"pkg","NamespaceName":"debian:8",)"
                R"("Version":"2"}],"Link":"https://security-tracker.debian.org/tracker/CVE-D",)"
                R"("Name":"CVE-D","NamespaceName":"debian:8","Severity":"High"}}}})");
}

TEST_F(DirectChunksTest, EachLayerNameIsInExactlyOneChunkOldFirst) {
  MakeLayers("a", 7, "1");
  MakeLayers("b", 5, "2");
  Post("2");                           // affects the 7 a-layers
  const std::string name = Post("3");  // Old: 7 layers; New: 7 + 5 = 12
  const auto chunks = DirectChunks(store(), name, /*layers_per_chunk=*/10);
  ASSERT_TRUE(chunks);
  ASSERT_EQ(chunks->size(), 2u);  // 19 names, 10 per chunk

  std::vector<std::string> old_names, new_names;
  for (std::size_t i = 0; i < chunks->size(); ++i) {
    const json doc = json::parse((*chunks)[i]);
    EXPECT_EQ(doc["Chunk"], i + 1);
    EXPECT_EQ(doc["Chunks"], 2);
    const json& n = doc["Notification"];
    EXPECT_EQ(n["Name"], name);
    // Paging has no meaning here.
    EXPECT_FALSE(n.contains("Limit") || n.contains("Page") || n.contains("NextPage")) << n;
    // Both vulnerabilities whole in every chunk.
    EXPECT_EQ(n["Old"]["Vulnerability"]["FixedIn"][0]["Version"], "2");
    EXPECT_EQ(n["New"]["Vulnerability"]["FixedIn"][0]["Version"], "3");
    std::size_t in_chunk = 0;
    for (const auto& [side, into] : {std::pair{"Old", &old_names}, std::pair{"New", &new_names}}) {
      if (!n[side].contains("LayersIntroducingVulnerability")) continue;
      for (const auto& l : n[side]["LayersIntroducingVulnerability"]) into->push_back(l);
      in_chunk += n[side]["LayersIntroducingVulnerability"].size();
    }
    EXPECT_EQ(in_chunk, i == 0 ? 10u : 9u);
  }
  // Chunk 1: the 7 Old names and the first 3 New; chunk 2: the other 9 New.
  const auto n = store().GetNotification(name);
  EXPECT_EQ(old_names, store().NotificationLayers(n->summary.id, Side::kOld, 0, 100));
  EXPECT_EQ(new_names, store().NotificationLayers(n->summary.id, Side::kNew, 0, 100));
  EXPECT_EQ(old_names.size(), 7u);
  EXPECT_EQ(new_names.size(), 12u);
  EXPECT_FALSE(
      json::parse((*chunks)[1])["Notification"]["Old"].contains("LayersIntroducingVulnerability"));
}

TEST_F(DirectChunksTest, ChunksHoldAThousandNamesByDefault) {
  MakeLayers("c", 2001, "1");
  const auto chunks = DirectChunks(store(), Post("2"));
  ASSERT_TRUE(chunks);
  ASSERT_EQ(chunks->size(), 3u);
  std::set<std::string> seen;
  for (const std::string& chunk : *chunks) {
    const json doc = json::parse(chunk);
    for (const auto& l : doc["Notification"]["New"]["LayersIntroducingVulnerability"]) {
      EXPECT_TRUE(seen.insert(l.get<std::string>()).second) << l;
    }
  }
  EXPECT_EQ(seen.size(), 2001u);
  EXPECT_EQ(
      json::parse((*chunks)[2])["Notification"]["New"]["LayersIntroducingVulnerability"].size(),
      1u);
}

TEST_F(DirectChunksTest, AnUnknownNotificationHasNoChunks) {
  EXPECT_FALSE(DirectChunks(store(), "no-such-notification"));
}

// The receiver behind direct delivery, as a broker receiver sees it.
class RecordingReceiver final : public notifier::Receiver {
 public:
  std::string_view key() const override { return "amqp"; }
  void Send(const Outgoing& notification, Done done) override {
    sent.set_value(notification);
    done(SendResult{DeliveryOutcome::kSuccess, {}, {}, 0, {}});
  }
  void Shutdown() override {}
  std::promise<Outgoing> sent;
};

TEST_F(DirectChunksTest, TheDecoratorSendsTheChunksOfTheNotification) {
  auto inner = std::make_unique<RecordingReceiver>();
  std::future<Outgoing> sent = inner->sent.get_future();
  auto direct = WithDirectDelivery(std::move(inner), store());
  EXPECT_EQ(direct->key(), "amqp");
  const std::string name = Post("2");
  std::promise<SendResult> result;
  direct->Send({name, 3, "debian:8", "High", nullptr},
               [&result](SendResult r) { result.set_value(std::move(r)); });
  EXPECT_EQ(result.get_future().get().outcome, DeliveryOutcome::kSuccess);
  const Outgoing forwarded = sent.get();
  EXPECT_EQ(forwarded.name, name);
  EXPECT_EQ(forwarded.round, 3);
  ASSERT_TRUE(forwarded.chunks);
  EXPECT_EQ(*forwarded.chunks, *DirectChunks(store(), name));
  direct->Shutdown();
}

TEST_F(DirectChunksTest, ANotificationThatIsGoneIsAFailedAttemptNotSent) {
  auto inner = std::make_unique<RecordingReceiver>();
  std::future<Outgoing> sent = inner->sent.get_future();
  auto direct = WithDirectDelivery(std::move(inner), store());
  std::promise<SendResult> result;
  direct->Send({"gone", 1, std::nullopt, std::nullopt, nullptr},
               [&result](SendResult r) { result.set_value(std::move(r)); });
  const SendResult r = result.get_future().get();
  EXPECT_EQ(r.outcome, DeliveryOutcome::kFailure);
  EXPECT_EQ(r.error, "the notification no longer exists");
  direct->Shutdown();
  EXPECT_EQ(sent.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
}

TEST(MessagesOfTest, OneMessagePerChunkWithAnIdForEach) {
  const auto one = MessagesOf({"n1", 2, std::nullopt, std::nullopt, nullptr});
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].id, "n1.2");
  EXPECT_EQ(one[0].body, R"({"Notification":{"Name":"n1"}})");

  auto single = std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"{}"});
  const auto direct = MessagesOf({"n1", 2, std::nullopt, std::nullopt, single});
  ASSERT_EQ(direct.size(), 1u);
  EXPECT_EQ(direct[0].id, "n1.2");  // as webhook-id when there is one chunk
  EXPECT_EQ(direct[0].body, "{}");

  auto three =
      std::make_shared<const std::vector<std::string>>(std::vector<std::string>{"a", "b", "c"});
  const auto split = MessagesOf({"n1", 2, std::nullopt, std::nullopt, three});
  ASSERT_EQ(split.size(), 3u);
  EXPECT_EQ(split[0].id, "n1.2.1");
  EXPECT_EQ(split[2].id, "n1.2.3");
  EXPECT_EQ(split[1].body, "b");
}

TEST(AllConfirmedTest, SucceedsOnlyWhenEveryPartSucceeds) {
  std::vector<SendResult> results;
  auto each = AllConfirmed(3, [&](SendResult r) { results.push_back(std::move(r)); });
  each({DeliveryOutcome::kSuccess, {}, {}, 1, {}});
  each({DeliveryOutcome::kSuccess, {}, {}, 2, {}});
  EXPECT_TRUE(results.empty());
  each({DeliveryOutcome::kSuccess, {}, {}, 3, {}});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, DeliveryOutcome::kSuccess);
  EXPECT_EQ(results[0].duration_ms, 3);
}

TEST(AllConfirmedTest, TheFirstFailureDecidesAndTheRestAreDropped) {
  std::vector<SendResult> results;
  auto each = AllConfirmed(3, [&](SendResult r) { results.push_back(std::move(r)); });
  each({DeliveryOutcome::kSuccess, {}, {}, 1, {}});
  each({DeliveryOutcome::kFailure, {}, "nacked", 2, {}});
  each({DeliveryOutcome::kTimeout, {}, "late", 3, {}});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].outcome, DeliveryOutcome::kFailure);
  EXPECT_EQ(results[0].error, "nacked");
}

}  // namespace
}  // namespace herald::receivers
