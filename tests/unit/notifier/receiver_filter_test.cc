// Receivers' filters (SPEC §9): which notifications pass, and what the
// receiver behind a filter sees.
#include "notifier/receiver_filter.h"

#include <gtest/gtest.h>

#include <vector>

namespace herald::notifier {
namespace {

Outgoing Notification(std::optional<std::string> ns, std::optional<std::string> severity) {
  return {"n", 1, std::move(ns), std::move(severity)};
}

config::ReceiverFilter Filter(std::string min_severity, std::vector<std::string> namespaces) {
  return {std::move(min_severity), std::move(namespaces)};
}

TEST(FilterMismatchTest, MinSeverityIsReachedByTheHigherSide) {
  const auto high = Filter("High", {});
  EXPECT_FALSE(FilterMismatch(high, Notification("debian:12", "High")));
  EXPECT_FALSE(FilterMismatch(high, Notification("debian:12", "Critical")));
  EXPECT_FALSE(FilterMismatch(high, Notification("debian:12", "Defcon1")));
  EXPECT_EQ(FilterMismatch(high, Notification("debian:12", "Medium")),
            "severity Medium is below minSeverity High");
  EXPECT_TRUE(FilterMismatch(high, Notification("debian:12", "Unknown")));
  // A stored word that is not a severity is below every severity…
  EXPECT_TRUE(FilterMismatch(Filter("Unknown", {}), Notification("debian:12", "bogus")));
  // …but an unknown value (a damaged row from before schema v4) passes.
  EXPECT_FALSE(FilterMismatch(high, Notification(std::nullopt, std::nullopt)));
}

TEST(FilterMismatchTest, NamespacesMatchExactlyOrByPrefix) {
  const auto f = Filter("", {"debian:*", "alpine:v3.18"});
  EXPECT_FALSE(FilterMismatch(f, Notification("debian:12", "Low")));
  EXPECT_FALSE(FilterMismatch(f, Notification("debian:unstable", "Low")));
  EXPECT_FALSE(FilterMismatch(f, Notification("alpine:v3.18", "Low")));
  EXPECT_EQ(FilterMismatch(f, Notification("alpine:v3.19", "Low")),
            "namespace alpine:v3.19 is not in the filter's namespaces");
  EXPECT_TRUE(FilterMismatch(f, Notification("debianx:12", "Low")));
  EXPECT_TRUE(FilterMismatch(f, Notification("debian", "Low")));
  EXPECT_TRUE(FilterMismatch(f, Notification("ubuntu:22.04", "Low")));
  EXPECT_FALSE(FilterMismatch(f, Notification(std::nullopt, "Low")));
}

TEST(FilterMismatchTest, BothPartsMustMatch) {
  const auto f = Filter("High", {"debian:*"});
  EXPECT_FALSE(FilterMismatch(f, Notification("debian:12", "Critical")));
  EXPECT_TRUE(FilterMismatch(f, Notification("debian:12", "Low")));
  EXPECT_TRUE(FilterMismatch(f, Notification("ubuntu:22.04", "Critical")));
  EXPECT_FALSE(FilterMismatch(Filter("", {}), Notification("any:1", "Negligible")));
}

// Records what reaches it and answers success at once.
class RecordingReceiver final : public Receiver {
 public:
  explicit RecordingReceiver(std::vector<std::string>& sent) : sent_(sent) {}
  std::string_view key() const override { return "webhooks.team"; }
  void Send(const Outgoing& n, Done done) override {
    sent_.push_back(n.name);
    done({model::DeliveryOutcome::kSuccess, 200, "", 1, {}});
  }
  void Shutdown() override { shut_down_ = true; }
  bool shut_down_ = false;

 private:
  std::vector<std::string>& sent_;
};

TEST(WithFilterTest, LeftOutNotificationsAreAnsweredFilteredWithoutASend) {
  std::vector<std::string> sent;
  auto inner = std::make_unique<RecordingReceiver>(sent);
  RecordingReceiver* raw = inner.get();
  auto receiver = WithFilter(std::move(inner), Filter("High", {}));
  EXPECT_EQ(receiver->key(), "webhooks.team");

  std::vector<SendResult> results;
  receiver->Send({"low", 1, "debian:12", "Low"}, [&](SendResult r) { results.push_back(r); });
  receiver->Send({"high", 1, "debian:12", "High"}, [&](SendResult r) { results.push_back(r); });
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, model::DeliveryOutcome::kFiltered);
  EXPECT_FALSE(results[0].http_status.has_value());
  EXPECT_EQ(results[1].outcome, model::DeliveryOutcome::kSuccess);
  EXPECT_EQ(sent, std::vector<std::string>{"high"});

  receiver->Shutdown();
  EXPECT_TRUE(raw->shut_down_);
}

TEST(WithFilterTest, AnEmptyFilterAddsNothing) {
  std::vector<std::string> sent;
  auto inner = std::make_unique<RecordingReceiver>(sent);
  Receiver* raw = inner.get();
  EXPECT_EQ(WithFilter(std::move(inner), {}).get(), raw);
}

}  // namespace
}  // namespace herald::notifier
