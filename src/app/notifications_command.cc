// herald notifications list|show|redeliver|delete: operate on the store
// directly, for operators (SPEC §1).
#include <ctime>
#include <iostream>

#include "api/codec.h"
#include "api/json_body.h"
#include "app/commands.h"
#include "store/open.h"

namespace herald::app {
namespace {

std::string Iso(std::optional<std::int64_t> ms) {
  if (!ms) return "-";
  std::time_t t = *ms / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::unique_ptr<store::Store> Open(const CommonOptions& options) {
  config::Config cfg = LoadEffectiveConfig(options);
  return store::OpenStore(cfg.database.source, util::SystemClock::Instance(),
                          cfg.database.pool_size, store::OpenMode::kExisting);
}

int NotFound(const std::string& name) {
  std::cerr << "herald: notification not found: " << name << std::endl;
  return 1;
}

}  // namespace

int RunNotificationsList(const CommonOptions& options, const std::string& status, int limit) {
  std::optional<model::NotificationStatus> filter;
  if (!status.empty()) filter = model::ParseNotificationStatus(status);
  auto store = Open(options);
  auto page = store->ListNotifications(filter, limit, 0);
  std::printf("%-36s  %-8s  %-20s  %-20s  %-20s\n", "NAME", "STATUS", "CREATED", "NOTIFIED",
              "DELETED");
  for (const auto& n : page.notifications) {
    std::printf("%-36s  %-8s  %-20s  %-20s  %-20s\n", n.name.c_str(),
                std::string(model::ToString(n.status)).c_str(), Iso(n.created).c_str(),
                Iso(n.notified).c_str(), Iso(n.deleted).c_str());
  }
  if (page.next_cursor) std::printf("(more: raise --limit)\n");
  return 0;
}

int RunNotificationsShow(const CommonOptions& options, const std::string& name) {
  auto store = Open(options);
  auto n = store->GetNotification(name);
  if (!n) return NotFound(name);
  nlohmann::json out = api::EncodeNotificationSummary(n->summary);
  if (n->old_side) {
    out["Old"] = {{"Vulnerability", api::EncodeVulnerability(n->old_side->vulnerability, true)},
                  {"LayerCount", n->old_side->layer_count}};
  }
  if (n->new_side) {
    out["New"] = {{"Vulnerability", api::EncodeVulnerability(n->new_side->vulnerability, true)},
                  {"LayerCount", n->new_side->layer_count}};
  }
  nlohmann::json deliveries = nlohmann::json::array();
  for (const auto& a :
       store->ListDeliveries(name).value_or(std::vector<model::DeliveryAttempt>{})) {
    deliveries.push_back(api::EncodeDelivery(a));
  }
  out["Deliveries"] = std::move(deliveries);
  std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
  return 0;
}

int RunNotificationsRedeliver(const CommonOptions& options, const std::string& name) {
  auto store = Open(options);
  // Due now by the database's clock, which the serving processes follow.
  const std::int64_t now =
      store->DatabaseNowMillis().value_or(util::SystemClock::Instance().NowMillis());
  switch (store->Redeliver(name, now)) {
    case store::RedeliverOutcome::kNotFound:
      return NotFound(name);
    case store::RedeliverOutcome::kDeleted:
      std::cerr << "herald: notification " << name << " is deleted: it is never delivered again"
                << std::endl;
      return 1;
    case store::RedeliverOutcome::kScheduled:
      break;
  }
  std::cout << "redelivery of " << name
            << " scheduled: a running herald serve picks it up within a second" << std::endl;
  return 0;
}

int RunNotificationsDelete(const CommonOptions& options, const std::string& name) {
  auto store = Open(options);
  if (store->DeleteNotification(name) == store::DeleteOutcome::kNotFound) return NotFound(name);
  std::cout << "deleted " << name << std::endl;
  return 0;
}

}  // namespace herald::app
