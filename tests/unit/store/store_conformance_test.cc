// The Store contract, run unchanged against every implementation.
#include <gtest/gtest.h>

#include <atomic>

#include "inventory/vulnerability_changes.h"
#include "store/migrations.h"
#include "store_factory.h"

namespace herald::store::testing {
namespace {

using model::FeatureVersion;
using model::FixedIn;
using model::Layer;
using model::Side;
using model::Vulnerability;

Layer MakeLayer(std::string name, std::string parent, std::string ns,
                std::optional<std::vector<FeatureVersion>> features) {
  return {std::move(name), std::move(parent), std::move(ns), std::move(features)};
}

Vulnerability MakeVuln(std::string name, std::vector<FixedIn> fixed, std::string description = "") {
  Vulnerability v;
  v.namespace_name = "debian:8";
  v.name = std::move(name);
  v.severity = "High";
  v.description = std::move(description);
  v.fixed_in = std::move(fixed);
  return v;
}

class StoreConformanceTest : public ::testing::TestWithParam<StoreFactory> {
 protected:
  void SetUp() override { harness_ = GetParam().make(clock_); }
  Store& store() { return harness_->store(); }

  VulnerabilityChange Post(const Vulnerability& v) {
    return store().ChangeVulnerability(v.namespace_name, v.name, inventory::MergePosted(v));
  }
  model::NotificationStatus Status(const std::string& name) {
    return store().GetNotification(name)->summary.status;
  }
  std::vector<std::string> Layers(const std::string& notification, Side side) {
    auto n = store().GetNotification(notification);
    EXPECT_TRUE(n.has_value());
    return store().NotificationLayers(n->summary.id, side, 0, 10000);
  }

  // Four notifications of one vulnerability whose severity changes.
  struct SeverityChanges {
    std::string created, raised, lowered, removed;
  };
  SeverityChanges PostSeverityChanges() {
    SeverityChanges out;
    Vulnerability v = MakeVuln("CVE-F1", {});
    v.severity = "Medium";
    out.created = *Post(v).notification_name;  // New only: Medium
    v.severity = "Critical";
    out.raised = *Post(v).notification_name;  // Medium → Critical
    v.severity = "Low";
    out.lowered = *Post(v).notification_name;  // Critical → Low: still Critical
    out.removed = *store()
                       .ChangeVulnerability("debian:8", "CVE-F1", inventory::Remove())
                       .notification_name;  // Old only: Low
    return out;
  }

  util::ManualClock clock_;
  std::unique_ptr<StoreHarness> harness_;
};

TEST_P(StoreConformanceTest, LayersKeepCompleteFeatureSetsWithAddedBy) {
  store().InsertLayer(
      MakeLayer("base", "", "debian:8",
                std::vector<FeatureVersion>{{"", "openssl", "1.0"}, {"", "bash", "4.3"}}),
      3);
  store().InsertLayer(
      MakeLayer("child", "base", "",
                std::vector<FeatureVersion>{{"", "openssl", "1.0"}, {"", "curl", "7.0"}}),
      3);
  store().InsertLayer(MakeLayer("grandchild", "child", "", std::nullopt), 3);

  auto child = store().GetLayer("child", true, false);
  ASSERT_TRUE(child);
  EXPECT_EQ(child->namespace_name, "debian:8");  // inherited from the parent
  EXPECT_EQ(child->parent_name, "base");
  EXPECT_EQ(child->indexed_by_version, 3);
  ASSERT_EQ(child->features.size(), 2u);  // bash was removed in child
  EXPECT_EQ(child->features[0].feature.name, "curl");
  EXPECT_EQ(child->features[0].added_by, "child");
  EXPECT_EQ(child->features[1].feature.name, "openssl");
  EXPECT_EQ(child->features[1].added_by, "base");

  auto grandchild = store().GetLayer("grandchild", true, false);
  ASSERT_TRUE(grandchild);
  ASSERT_EQ(grandchild->features.size(), 2u);  // inherited whole
  EXPECT_EQ(grandchild->features[0].added_by, "child");

  EXPECT_FALSE(store().GetLayer("nope", true, true));
}

TEST_P(StoreConformanceTest, UnknownParentIsNotFoundAndWritesNothing) {
  try {
    store().InsertLayer(MakeLayer("orphan", "missing", "debian:8", std::vector<FeatureVersion>{}),
                        3);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kNotFound);
  }
  EXPECT_FALSE(store().GetLayer("orphan", false, false));
}

TEST_P(StoreConformanceTest, FeaturesInheritingTheParentNamespaceAreValidated) {
  store().InsertLayer(MakeLayer("vp", "", "debian:8", std::vector<FeatureVersion>{}), 3);
  try {
    store().InsertLayer(
        MakeLayer("vc", "vp", "", std::vector<FeatureVersion>{{"", "a", "not a version"}}), 3);
    FAIL() << "expected StoreError";
  } catch (const StoreError& e) {
    EXPECT_EQ(e.kind(), StoreError::Kind::kInvalidArgument);
  }
  EXPECT_FALSE(store().GetLayer("vc", false, false));
}

TEST_P(StoreConformanceTest, RepostingALayerChangesNothing) {
  store().InsertLayer(MakeLayer("l", "", "debian:8", std::vector<FeatureVersion>{{"", "a", "1"}}),
                      3);
  store().InsertLayer(MakeLayer("l", "", "debian:8", std::vector<FeatureVersion>{{"", "b", "2"}}),
                      3);
  auto l = store().GetLayer("l", true, false);
  ASSERT_EQ(l->features.size(), 1u);
  EXPECT_EQ(l->features[0].feature.name, "a");
}

TEST_P(StoreConformanceTest, DeleteLayerRemovesDescendants) {
  store().InsertLayer(MakeLayer("a", "", "debian:8", std::vector<FeatureVersion>{{"", "x", "1"}}),
                      3);
  store().InsertLayer(MakeLayer("b", "a", "", std::nullopt), 3);
  store().InsertLayer(MakeLayer("c", "b", "", std::vector<FeatureVersion>{{"", "y", "1"}}), 3);
  store().InsertLayer(MakeLayer("d", "a", "", std::nullopt), 3);
  EXPECT_TRUE(store().DeleteLayer("b"));
  EXPECT_TRUE(store().GetLayer("a", false, false));
  EXPECT_TRUE(store().GetLayer("d", false, false));
  EXPECT_FALSE(store().GetLayer("b", false, false));
  EXPECT_FALSE(store().GetLayer("c", false, false));
  EXPECT_FALSE(store().DeleteLayer("b"));
}

TEST_P(StoreConformanceTest, NotificationsFollowTheCreationRules) {
  store().InsertLayer(
      MakeLayer("l1", "", "debian:8", std::vector<FeatureVersion>{{"", "openssl", "1.0"}}), 3);
  store().InsertLayer(
      MakeLayer("l2", "", "debian:8", std::vector<FeatureVersion>{{"", "openssl", "1.5"}}), 3);

  // New → New only, with the introducing layers.
  auto created = Post(MakeVuln("CVE-1", {{"openssl", "1.2"}}));
  ASSERT_TRUE(created.notification_name);
  auto n = store().GetNotification(*created.notification_name);
  ASSERT_TRUE(n);
  EXPECT_FALSE(n->old_side);
  ASSERT_TRUE(n->new_side);
  EXPECT_EQ(n->new_side->vulnerability.fixed_in, (std::vector<FixedIn>{{"openssl", "1.2"}}));
  EXPECT_EQ(Layers(*created.notification_name, Side::kNew), std::vector<std::string>{"l1"});
  EXPECT_EQ(n->summary.status, model::NotificationStatus::kPending);
  EXPECT_EQ(n->summary.created, clock_.NowMillis());

  // Identical re-post → nothing.
  EXPECT_FALSE(Post(MakeVuln("CVE-1", {{"openssl", "1.2"}})).notification_name);

  // Changed FixedIn → Old and New, each frozen as it was.
  auto changed = Post(MakeVuln("CVE-1", {{"openssl", "2.0"}}));
  ASSERT_TRUE(changed.notification_name);
  n = store().GetNotification(*changed.notification_name);
  ASSERT_TRUE(n->old_side && n->new_side);
  EXPECT_EQ(n->old_side->vulnerability.fixed_in[0].version, "1.2");
  EXPECT_EQ(n->new_side->vulnerability.fixed_in[0].version, "2.0");
  EXPECT_EQ(Layers(*changed.notification_name, Side::kOld), std::vector<std::string>{"l1"});
  EXPECT_EQ(Layers(*changed.notification_name, Side::kNew), (std::vector<std::string>{"l1", "l2"}));

  // Changed description only → Old and New.
  auto described = Post(MakeVuln("CVE-1", {}, "now with words"));
  ASSERT_TRUE(described.notification_name);
  EXPECT_EQ(described.after->fixed_in, (std::vector<FixedIn>{{"openssl", "2.0"}}));  // merged

  // Deleted → Old only.
  auto removed = store().ChangeVulnerability("debian:8", "CVE-1", inventory::Remove());
  ASSERT_TRUE(removed.notification_name);
  n = store().GetNotification(*removed.notification_name);
  EXPECT_TRUE(n->old_side);
  EXPECT_FALSE(n->new_side);
  EXPECT_FALSE(store().GetVulnerability("debian:8", "CVE-1"));

  // The first notification still reads exactly as it was.
  n = store().GetNotification(*created.notification_name);
  EXPECT_EQ(n->new_side->vulnerability.fixed_in, (std::vector<FixedIn>{{"openssl", "1.2"}}));
  EXPECT_EQ(n->new_side->vulnerability.description, "");
}

TEST_P(StoreConformanceTest, FailedMutationWritesNothing) {
  const auto before = store().ListNotifications(std::nullopt, 100, 0).notifications.size();
  EXPECT_THROW(store().ChangeVulnerability("debian:8", "CVE-NONE", inventory::Remove()),
               StoreError);
  EXPECT_THROW(store().ChangeVulnerability("debian:8", "CVE-NONE", inventory::SetFix({"a", "1"})),
               StoreError);
  EXPECT_EQ(store().ListNotifications(std::nullopt, 100, 0).notifications.size(), before);
  EXPECT_FALSE(store().GetVulnerability("debian:8", "CVE-NONE"));
}

TEST_P(StoreConformanceTest, MaxVersionAffectsEveryVersion) {
  store().InsertLayer(
      MakeLayer("m", "", "debian:8", std::vector<FeatureVersion>{{"", "zlib", "99:9"}}), 3);
  auto c = Post(MakeVuln("CVE-MAX", {{"zlib", "#MAXV#"}}));
  EXPECT_EQ(Layers(*c.notification_name, Side::kNew), std::vector<std::string>{"m"});
  auto layer = store().GetLayer("m", true, true);
  ASSERT_EQ(layer->features[0].vulnerabilities.size(), 1u);
  EXPECT_EQ(layer->features[0].vulnerabilities[0].fixed_by, "");  // no fix: FixedBy omitted
}

TEST_P(StoreConformanceTest, NotificationLayersPageByOffset) {
  for (int i = 0; i < 30; ++i) {
    store().InsertLayer(MakeLayer("p" + std::to_string(100 + i), "", "debian:8",
                                  std::vector<FeatureVersion>{{"", "pkg", "1"}}),
                        3);
  }
  auto c = Post(MakeVuln("CVE-PAGE", {{"pkg", "2"}}));
  auto n = store().GetNotification(*c.notification_name);
  EXPECT_EQ(n->new_side->layer_count, 30);
  std::vector<std::string> all;
  for (std::int64_t offset = 0; offset < 30; offset += 7) {
    auto page = store().NotificationLayers(n->summary.id, Side::kNew, offset, 7);
    all.insert(all.end(), page.begin(), page.end());
  }
  ASSERT_EQ(all.size(), 30u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));
  EXPECT_TRUE(store().NotificationLayers(n->summary.id, Side::kNew, 30, 7).empty());
  EXPECT_TRUE(store().NotificationLayers(n->summary.id, Side::kOld, 0, 7).empty());
}

TEST_P(StoreConformanceTest, ListingIsNewestFirstFilteredAndPaged) {
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(std::chrono::seconds(1));
    names.push_back(*Post(MakeVuln("CVE-L" + std::to_string(i), {})).notification_name);
  }
  EXPECT_EQ(store().DeleteNotification(names[1]), DeleteOutcome::kDeleted);
  EXPECT_EQ(store().DeleteNotification(names[1]), DeleteOutcome::kAlreadyDeleted);
  EXPECT_EQ(store().DeleteNotification("unknown"), DeleteOutcome::kNotFound);

  auto first = store().ListNotifications(model::NotificationStatus::kPending, 2, 0);
  ASSERT_EQ(first.notifications.size(), 2u);
  EXPECT_EQ(first.notifications[0].name, names[4]);
  EXPECT_EQ(first.notifications[1].name, names[3]);
  ASSERT_TRUE(first.next_cursor);
  auto second =
      store().ListNotifications(model::NotificationStatus::kPending, 2, *first.next_cursor);
  ASSERT_EQ(second.notifications.size(), 2u);
  EXPECT_EQ(second.notifications[0].name, names[2]);
  EXPECT_EQ(second.notifications[1].name, names[0]);
  EXPECT_FALSE(second.next_cursor);

  auto deleted = store().ListNotifications(model::NotificationStatus::kDeleted, 10, 0);
  ASSERT_EQ(deleted.notifications.size(), 1u);
  EXPECT_EQ(deleted.notifications[0].name, names[1]);
  EXPECT_TRUE(deleted.notifications[0].deleted);
  EXPECT_EQ(store().ListNotifications(std::nullopt, 10, 0).notifications.size(), 5u);
}

TEST_P(StoreConformanceTest, VulnerabilitiesListInStablePages) {
  for (int i = 0; i < 5; ++i) Post(MakeVuln("CVE-V" + std::to_string(i), {{"p", "1"}}));
  auto p1 = store().ListVulnerabilities("debian:8", 3, 0);
  ASSERT_EQ(p1.vulnerabilities.size(), 3u);
  EXPECT_EQ(p1.vulnerabilities[0].fixed_in.size(), 1u);
  ASSERT_TRUE(p1.next_cursor);
  auto p2 = store().ListVulnerabilities("debian:8", 3, *p1.next_cursor);
  EXPECT_EQ(p2.vulnerabilities.size(), 2u);
  EXPECT_FALSE(p2.next_cursor);
  EXPECT_THROW(store().ListVulnerabilities("nowhere:1", 3, 0), StoreError);
  EXPECT_EQ(store().ListNamespaces(), std::vector<std::string>{"debian:8"});
}

TEST_P(StoreConformanceTest, DataSurvivesReopen) {
  store().InsertLayer(MakeLayer("r", "", "debian:8", std::vector<FeatureVersion>{{"", "a", "1"}}),
                      3);
  auto c = Post(MakeVuln("CVE-R", {{"a", "2"}}));
  harness_->Reopen();
  EXPECT_TRUE(store().GetLayer("r", false, false));
  EXPECT_TRUE(store().GetNotification(*c.notification_name));
  EXPECT_EQ(store().HealthProblem(), std::nullopt);
}

// ---- The notifier's side of the contract ----

TEST_P(StoreConformanceTest, ClaimLeasesDueWorkOnceAndFencesLateResults) {
  const std::string a = *Post(MakeVuln("CVE-D1", {})).notification_name;
  clock_.Advance(std::chrono::milliseconds(1));
  const std::string b = *Post(MakeVuln("CVE-D2", {})).notification_name;
  const std::int64_t now = clock_.NowMillis();
  EXPECT_EQ(store().NextDueMillis(), now - 1);

  auto first = store().ClaimDue("p1", now, now + 1000, 1);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].name, a);  // earliest due first
  EXPECT_EQ(first[0].round, 1);
  auto second = store().ClaimDue("p2", now, now + 1000, 10);
  ASSERT_EQ(second.size(), 1u);  // a is leased: only b is left
  EXPECT_EQ(second[0].name, b);
  EXPECT_TRUE(store().ClaimDue("p3", now, now + 1000, 10).empty());

  // Renewal by the holder works; by anyone else, or with an old token, not.
  EXPECT_TRUE(store().RenewLeases("p1", {{first[0].id, first[0].lease_token}}, now + 5000).empty());
  EXPECT_EQ(store().RenewLeases("p2", {{first[0].id, first[0].lease_token}}, now + 5000),
            std::vector<std::int64_t>{first[0].id});

  // After the lease lapses another process takes it, and the first is fenced.
  auto lapsed = store().ClaimDue("p3", now + 5000, now + 9000, 10);
  ASSERT_EQ(lapsed.size(), 2u);  // b's lease (1 s) and a's renewed one (5 s) both lapsed
  std::vector<ClaimedNotification> stolen;
  for (const auto& c : lapsed) {
    if (c.id == first[0].id) stolen.push_back(c);
  }
  ASSERT_EQ(stolen.size(), 1u);

  RoundUpdate late;
  late.lease = {first[0].id, first[0].lease_token};
  late.attempts = {{"http", 1, 1, now, 3, model::DeliveryOutcome::kSuccess, 200, ""}};
  late.status = model::NotificationStatus::kNotified;
  late.notified_ms = now;
  late.due_ms = now + 100000;
  EXPECT_EQ(store().CompleteRounds("p1", {late}), std::vector<std::int64_t>{first[0].id});
  EXPECT_EQ(Status(a), model::NotificationStatus::kPending);
  EXPECT_EQ(store().ListDeliveries(a)->size(), 1u);  // the attempt is still logged

  RoundUpdate held = late;
  held.lease = {stolen[0].id, stolen[0].lease_token};
  EXPECT_TRUE(store().CompleteRounds("p3", {held}).empty());
  EXPECT_EQ(Status(a), model::NotificationStatus::kNotified);
  auto n = store().GetNotification(a);
  EXPECT_EQ(n->summary.notified, now);
}

// A damaged receiver_state (an older version's, or a hand edit) must cost
// that notification its round's progress, never every claim (issue 9, fault
// 8: the parse threw inside the claim transaction, so each pass rolled back).
TEST_P(StoreConformanceTest, DamagedProgressRestartsThatRoundAndBlocksNothing) {
  std::vector<std::string> names;
  for (const char* cve : {"CVE-P1", "CVE-P2", "CVE-P3", "CVE-P4"}) {
    names.push_back(*Post(MakeVuln(cve, {})).notification_name);
  }
  harness_->ExecSql("UPDATE notifications SET receiver_state = 'not json' WHERE name = '" +
                    names[0] + "'");
  harness_->ExecSql(R"(UPDATE notifications SET receiver_state = '{"http":{"a":"x"}}' )"
                    "WHERE name = '" +
                    names[1] + "'");
  harness_->ExecSql(R"(UPDATE notifications SET receiver_state = '[1,2]' WHERE name = ')" +
                    names[2] + "'");
  const std::int64_t now = clock_.NowMillis();
  auto claims = store().ClaimDue("p", now, now + 1000, 10);
  ASSERT_EQ(claims.size(), 4u);
  for (const auto& claim : claims) {
    EXPECT_TRUE(claim.progress.empty()) << claim.name;
    RoundUpdate done;
    done.lease = {claim.id, claim.lease_token};
    done.status = model::NotificationStatus::kNotified;
    done.notified_ms = now;
    done.due_ms = now + 60000;
    done.progress = {{"http", {1, true, 0}}};
    EXPECT_TRUE(store().CompleteRounds("p", {done}).empty());
  }
  for (const auto& name : names) EXPECT_EQ(Status(name), model::NotificationStatus::kNotified);
}

// Filters (SPEC §9) match on the namespace and the higher of the two
// severities; a claim carries both, read from the notification's own row.
std::map<std::string, std::pair<std::optional<std::string>, std::optional<std::string>>>
ClaimFilterKeys(Store& store, std::int64_t now) {
  std::map<std::string, std::pair<std::optional<std::string>, std::optional<std::string>>> out;
  for (const auto& claim : store.ClaimDue("p", now, now + 1000, 100)) {
    out[claim.name] = {claim.namespace_name, claim.severity};
  }
  return out;
}

TEST_P(StoreConformanceTest, ClaimsCarryWhatFiltersMatchOn) {
  const auto names = PostSeverityChanges();
  const auto keys = ClaimFilterKeys(store(), clock_.NowMillis());
  using Keys = std::pair<std::optional<std::string>, std::optional<std::string>>;
  EXPECT_EQ(keys.at(names.created), Keys("debian:8", "Medium"));
  EXPECT_EQ(keys.at(names.raised), Keys("debian:8", "Critical"));
  EXPECT_EQ(keys.at(names.lowered), Keys("debian:8", "Critical"));
  EXPECT_EQ(keys.at(names.removed), Keys("debian:8", "Low"));
}

// Schema v4 added those two columns: rows made before it are filled from
// their snapshots by the migration itself (run here again on rows stripped
// back to v3); a damaged snapshot leaves them unknown, never fails it.
TEST_P(StoreConformanceTest, SchemaV4FillsWhatFiltersMatchOnForOlderRows) {
  const auto names = PostSeverityChanges();
  Vulnerability other = MakeVuln("CVE-F2", {});
  const std::string damaged = *Post(other).notification_name;
  harness_->ExecSql("UPDATE notifications SET new_snapshot = '{\"namespace\": [' WHERE name = '" +
                    damaged + "'");
  harness_->ExecSql("ALTER TABLE notifications DROP COLUMN namespace");
  harness_->ExecSql("ALTER TABLE notifications DROP COLUMN severity");
  const auto migrations = GetParam().name == "sqlite" ? Migrations_sqlite() : Migrations_postgres();
  const auto v4 = std::find_if(migrations.begin(), migrations.end(),
                               [](const Migration& m) { return m.version == 4; });
  ASSERT_NE(v4, migrations.end());
  harness_->ExecSql(std::string(v4->sql));

  const auto keys = ClaimFilterKeys(store(), clock_.NowMillis());
  using Keys = std::pair<std::optional<std::string>, std::optional<std::string>>;
  EXPECT_EQ(keys.at(names.created), Keys("debian:8", "Medium"));
  EXPECT_EQ(keys.at(names.raised), Keys("debian:8", "Critical"));
  EXPECT_EQ(keys.at(names.lowered), Keys("debian:8", "Critical"));
  EXPECT_EQ(keys.at(names.removed), Keys("debian:8", "Low"));
  EXPECT_EQ(keys.at(damaged), Keys(std::nullopt, std::nullopt));
}

TEST_P(StoreConformanceTest, ProgressAndRoundsPersist) {
  const std::string name = *Post(MakeVuln("CVE-D3", {})).notification_name;
  const std::int64_t now = clock_.NowMillis();
  auto claim = store().ClaimDue("p", now, now + 1000, 10);
  ASSERT_EQ(claim.size(), 1u);
  RoundUpdate retry;
  retry.lease = {claim[0].id, claim[0].lease_token};
  retry.attempts = {{"http", 1, 1, now, 2, model::DeliveryOutcome::kFailure, 503, "HTTP 503"}};
  retry.status = model::NotificationStatus::kPending;
  retry.due_ms = now + 1000;
  retry.progress = {{"http", {1, false, now + 1000}}};
  EXPECT_TRUE(store().CompleteRounds("p", {retry}).empty());
  EXPECT_EQ(store().NextDueMillis(), now + 1000);
  EXPECT_TRUE(store().ClaimDue("p", now + 999, now + 2000, 10).empty());
  auto again = store().ClaimDue("p", now + 1000, now + 2000, 10);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].progress, retry.progress);  // the round's progress survived

  RoundUpdate failed = retry;
  failed.lease = {again[0].id, again[0].lease_token};
  failed.attempts = {
      {"http", 1, 2, now + 1000, 1, model::DeliveryOutcome::kTimeout, std::nullopt, "timed out"}};
  failed.status = model::NotificationStatus::kFailed;
  failed.due_ms = now + 60000;
  EXPECT_TRUE(store().CompleteRounds("p", {failed}).empty());
  EXPECT_EQ(Status(name), model::NotificationStatus::kFailed);
  EXPECT_EQ(store().CountByStatus(model::NotificationStatus::kFailed), 1);

  // The next claim opens round 2 with fresh progress.
  auto round2 = store().ClaimDue("p", now + 60000, now + 61000, 10);
  ASSERT_EQ(round2.size(), 1u);
  EXPECT_EQ(round2[0].round, 2);
  EXPECT_TRUE(round2[0].progress.empty());
  EXPECT_EQ(Status(name), model::NotificationStatus::kPending);

  auto log = *store().ListDeliveries(name);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].http_status, 503);
  EXPECT_EQ(log[0].error, "HTTP 503");
  EXPECT_EQ(log[1].outcome, model::DeliveryOutcome::kTimeout);
  EXPECT_FALSE(log[1].http_status);
  EXPECT_FALSE(store().ListDeliveries("unknown"));
}

TEST_P(StoreConformanceTest, ReleaseRedeliverAndDelete) {
  const std::string name = *Post(MakeVuln("CVE-D4", {})).notification_name;
  const std::int64_t now = clock_.NowMillis();
  auto claim = store().ClaimDue("p", now, now + 100000, 10);
  // A graceful stop hands the lease back as a pending round due now.
  RoundUpdate release;
  release.lease = {claim[0].id, claim[0].lease_token};
  release.status = model::NotificationStatus::kPending;
  release.due_ms = now;
  EXPECT_TRUE(store().CompleteRounds("p", {release}).empty());
  EXPECT_EQ(store().ClaimDue("q", now, now + 100000, 10).size(), 1u);  // at once, no lapse

  EXPECT_EQ(store().Redeliver(name, now + 5), RedeliverOutcome::kScheduled);
  EXPECT_EQ(store().NextDueMillis(), now + 5);
  EXPECT_EQ(store().Redeliver("unknown", now), RedeliverOutcome::kNotFound);
  EXPECT_EQ(store().DeleteNotification(name), DeleteOutcome::kDeleted);
  EXPECT_EQ(store().Redeliver(name, now), RedeliverOutcome::kDeleted);
  EXPECT_FALSE(store().NextDueMillis());
  EXPECT_TRUE(store().ClaimDue("q", now + 1000000, now + 2000000, 10).empty());
}

// The updater's bulk path (SPEC §8 rules 1-3) through the same rules as the
// API: counts, the notification policy, and metadata merges.
TEST_P(StoreConformanceTest, FeedSnapshotsApplyInOneTransactionWithTheirPolicy) {
  store().InsertLayer(
      MakeLayer("img", "", "debian:8", std::vector<FeatureVersion>{{"", "openssl", "1.0"}}), 3);
  FeedSourceState source;
  source.name = "debian";
  source.kind = "debian-tracker";
  source.last_attempt_ms = source.last_success_ms = 1000;
  source.outcome = "success";
  const std::vector<Vulnerability> first = {MakeVuln("CVE-A", {{"openssl", "2.0"}}),
                                            MakeVuln("CVE-B", {{"zlib", "2.0"}})};
  // First import: stored, counted, no notification.
  FeedCounts counts = store().ApplyFeed(source, FeedOf(first), {}, {.notify = false});
  EXPECT_EQ(counts.added, 2);
  EXPECT_EQ(counts.notifications, 0);
  EXPECT_TRUE(store().ListNotifications(std::nullopt, 10, 0).notifications.empty());
  auto recorded = store().GetFeedSource("debian");
  ASSERT_TRUE(recorded.has_value());
  EXPECT_EQ(recorded->counts.added, 2);
  EXPECT_EQ(recorded->outcome, "success");
  EXPECT_EQ(recorded->last_success_ms, 1000);

  // The same snapshot again: nothing changes.
  counts = store().ApplyFeed(source, FeedOf(first), {}, {});
  EXPECT_EQ(counts.unchanged, 2);
  EXPECT_EQ(counts.added + counts.changed + counts.notifications, 0);

  // NVD metadata enriches every namespace's CVE-A; a later import of the
  // distribution feed (no metadata of its own) keeps it.
  Vulnerability other_ns = MakeVuln("CVE-A", {{"openssl", "2.0"}});
  other_ns.namespace_name = "debian:9";
  store().ApplyFeed(source, FeedOf({other_ns}), {}, {.notify = false});
  counts = store().ApplyFeed(source, FeedOf({}), {{"CVE-A", R"({"NVD":{"CVSSv3":{"Score":9.8}}})"}},
                             {.notify = false});
  EXPECT_EQ(counts.changed, 2);
  counts = store().ApplyFeed(source, FeedOf(first), {}, {});
  EXPECT_EQ(counts.unchanged, 2);
  EXPECT_EQ(store().GetVulnerability("debian:8", "CVE-A")->metadata,
            R"({"NVD":{"CVSSv3":{"Score":9.8}}})");
  EXPECT_EQ(store().GetVulnerability("debian:9", "CVE-A")->metadata,
            R"({"NVD":{"CVSSv3":{"Score":9.8}}})");

  // notifyUnaffected: false → only the change that affects a layer notifies.
  const std::vector<Vulnerability> second = {MakeVuln("CVE-A", {{"openssl", "3.0"}}),
                                             MakeVuln("CVE-B", {{"zlib", "3.0"}})};
  counts =
      store().ApplyFeed(source, FeedOf(second), {}, {.notify = true, .only_if_affected = true});
  EXPECT_EQ(counts.changed, 2);
  EXPECT_EQ(counts.notifications, 1);
  const auto listed = store().ListNotifications(std::nullopt, 10, 0).notifications;
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(Layers(listed[0].name, Side::kNew), std::vector<std::string>{"img"});

  // A vulnerability the snapshot no longer lists is left in place.
  counts = store().ApplyFeed(source, FeedOf({second[0]}), {}, {});
  EXPECT_TRUE(store().GetVulnerability("debian:8", "CVE-B").has_value());

  FeedSourceState failed = *store().GetFeedSource("debian");
  failed.outcome = "failure";
  failed.error = "HTTP 500";
  store().RecordFeedSource(failed);
  const auto all = store().ListFeedSources();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].error, "HTTP 500");
}

// A re-import skips rows whose stored feed digest matches the entry (schema
// v5): a write by anything else must clear it, or the feed would never
// restore what the API changed under it.
TEST_P(StoreConformanceTest, AFeedRowChangedThroughTheApiIsRestoredByTheNextReimport) {
  FeedSourceState source;
  source.name = "debian";
  source.kind = "debian-tracker";
  const Vulnerability fed = MakeVuln("CVE-R", {{"openssl", "2.0"}}, "from the feed");
  EXPECT_EQ(store().ApplyFeed(source, FeedOf({fed}), {}, {.notify = false}).added, 1);

  Vulnerability edited = fed;
  edited.description = "edited through the API";
  ASSERT_TRUE(Post(edited).notification_name.has_value());
  FeedCounts counts = store().ApplyFeed(source, FeedOf({fed}), {}, {});
  EXPECT_EQ(counts.changed, 1);
  EXPECT_EQ(counts.notifications, 1);
  EXPECT_EQ(store().GetVulnerability("debian:8", "CVE-R")->description, "from the feed");

  // Only its FixedIn changed: the same.
  Vulnerability refixed = fed;
  refixed.fixed_in = {{"openssl", "3.0"}};
  ASSERT_TRUE(
      store()
          .ChangeVulnerability("debian:8", "CVE-R",
                               [&](const auto&) { return std::optional<Vulnerability>(refixed); })
          .notification_name);
  counts = store().ApplyFeed(source, FeedOf({fed}), {}, {});
  EXPECT_EQ(counts.changed, 1);
  EXPECT_EQ(store().GetVulnerability("debian:8", "CVE-R")->fixed_in,
            (std::vector<FixedIn>{{"openssl", "2.0"}}));

  counts = store().ApplyFeed(source, FeedOf({fed}), {}, {});
  EXPECT_EQ(counts.unchanged, 1);
  EXPECT_EQ(counts.changed + counts.notifications, 0);
}

// The bulk path works in batches (a few hundred per round trip on
// PostgreSQL): what crosses a batch boundary must come out as if applied one
// by one — every row, its FixedIn, a key listed twice, metadata by name.
TEST_P(StoreConformanceTest, FeedSnapshotsLargerThanABatchApplyEveryVulnerability) {
  store().InsertLayer(
      MakeLayer("img", "", "debian:9", std::vector<FeatureVersion>{{"", "pkg7", "1.0"}}), 3);
  FeedSourceState source;
  source.name = "big";
  source.kind = "debian-tracker";
  constexpr int kCount = 1234;
  auto snapshot = [](int changed_every) {
    std::vector<Vulnerability> out;
    for (int i = 0; i < kCount; ++i) {
      const std::string pkg = "pkg" + std::to_string(i % 50);
      // Every third has no FixedIn at all; changed ones get a newer fix.
      std::vector<FixedIn> fixed;
      if (i % 3 != 0) {
        fixed.push_back({pkg, (changed_every > 0 && i % changed_every == 1) ? "9.0" : "2.0"});
      }
      Vulnerability v = MakeVuln("CVE-" + std::to_string(i), fixed, "about " + std::to_string(i));
      v.namespace_name = i % 2 == 0 ? "debian:8" : "debian:9";
      out.push_back(std::move(v));
    }
    return out;
  };
  FeedCounts counts = store().ApplyFeed(source, FeedOf(snapshot(0)), {}, {.notify = false});
  EXPECT_EQ(counts.added, kCount);
  for (int i : {0, 1, 499, 500, 501, 1233}) {
    const std::string ns = i % 2 == 0 ? "debian:8" : "debian:9";
    const auto stored = store().GetVulnerability(ns, "CVE-" + std::to_string(i));
    ASSERT_TRUE(stored.has_value()) << i;
    EXPECT_EQ(stored->description, "about " + std::to_string(i));
    EXPECT_EQ(stored->fixed_in.size(), i % 3 == 0 ? 0u : 1u) << i;
  }

  // Every 7th (that has a fix) changes: exactly those notify.
  int expected = 0;
  for (int i = 0; i < kCount; ++i) expected += (i % 3 != 0 && i % 7 == 1) ? 1 : 0;
  counts = store().ApplyFeed(source, FeedOf(snapshot(7)), {}, {});
  EXPECT_EQ(counts.changed, expected);
  EXPECT_EQ(counts.unchanged, kCount - expected);
  EXPECT_EQ(counts.notifications, expected);
  EXPECT_EQ(store().GetVulnerability("debian:9", "CVE-1")->fixed_in,
            (std::vector<FixedIn>{{"pkg1", "9.0"}}));
  // A batch's notifications are written together: each keeps its own
  // layers (CVE-407 and CVE-757 fix pkg7 in debian:9, which "img" has).
  const auto listed = store().ListNotifications(std::nullopt, 1000, 0).notifications;
  ASSERT_EQ(listed.size(), static_cast<std::size_t>(expected));
  int with_layers = 0;
  for (const auto& summary : listed) {
    const auto n = store().GetNotification(summary.name);
    ASSERT_TRUE(n && n->new_side);
    const std::string& cve = n->new_side->vulnerability.name;
    const bool affects = cve == "CVE-407" || cve == "CVE-757";
    EXPECT_EQ(Layers(summary.name, Side::kNew),
              affects ? std::vector<std::string>{"img"} : std::vector<std::string>{})
        << cve;
    with_layers += affects ? 1 : 0;
  }
  EXPECT_EQ(with_layers, 2);

  // A key listed twice: the second sees the first, and wins.
  Vulnerability twice = MakeVuln("CVE-T", {{"pkg7", "3.0"}});
  Vulnerability again = MakeVuln("CVE-T", {{"pkg7", "4.0"}});
  counts = store().ApplyFeed(source, FeedOf({twice, again}), {}, {.notify = false});
  EXPECT_EQ(counts.added, 1);
  EXPECT_EQ(counts.changed, 1);
  EXPECT_EQ(store().GetVulnerability("debian:8", "CVE-T")->fixed_in,
            (std::vector<FixedIn>{{"pkg7", "4.0"}}));

  // Metadata for more names than a batch, some of them stored nowhere.
  std::map<std::string, std::string> metadata;
  for (int i = 0; i < 700; ++i) {
    metadata["CVE-" + std::to_string(i * 2)] = R"({"NVD":{"CVSSv3":{"Score":5.0}}})";
  }
  counts = store().ApplyFeed(source, FeedOf({}), metadata, {.notify = false});
  EXPECT_EQ(counts.changed, kCount / 2);  // the even ones below 1234
  EXPECT_EQ(store().GetVulnerability("debian:8", "CVE-1000")->metadata,
            R"({"NVD":{"CVSSv3":{"Score":5.0}}})");
  EXPECT_EQ(store().GetVulnerability("debian:9", "CVE-1001")->metadata, "");
}

TEST_P(StoreConformanceTest, NewNotificationsWakeTheListener) {
  std::atomic<int> woken{0};
  store().SetDueListener([&] { ++woken; });
  Post(MakeVuln("CVE-D5", {}));
  EXPECT_GE(woken.load(), 1);
  store().SetDueListener(nullptr);
}

INSTANTIATE_TEST_SUITE_P(Stores, StoreConformanceTest,

                         ::testing::Values(StoreFactory{"sqlite", MakeSqliteHarness},
                                           StoreFactory{"postgres", MakePostgresHarness}),

                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace herald::store::testing
