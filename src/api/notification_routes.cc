// /v1/notifications: Clair v1's read and delete, plus Herald's listing.
#include "api/api_error.h"
#include "api/codec.h"
#include "api/routes.h"

namespace herald::api {
namespace {

// One side of a notification page: up to `limit` names from `offset`.
nlohmann::json SidePage(ApiContext& ctx, std::int64_t id, model::Side side,
                        const model::NotificationSide& data, std::int64_t offset, int limit,
                        std::int64_t* next_offset) {
  std::vector<std::string> names;
  if (offset < data.layer_count) names = ctx.store.NotificationLayers(id, side, offset, limit);
  *next_offset = offset + static_cast<std::int64_t>(names.size());
  return EncodeNotificationSide(data, std::move(names));
}

}  // namespace

void AddNotificationRoutes(Router& router, ApiContext& ctx) {
  router.Add(http::verb::get, "/v1/notifications", [&ctx](const RequestContext& rc) {
    std::optional<model::NotificationStatus> status;
    std::string status_text = rc.Query("status").value_or("");
    if (!status_text.empty()) {
      status = model::ParseNotificationStatus(status_text);
      if (!status) throw BadRequest("status must be pending, failed, notified or deleted");
    }
    const int limit = LimitParam(rc, 100, 1, 10000);
    std::int64_t after = 0;
    if (auto page = rc.Query("page")) {
      auto cursor = ctx.tokens.Open(*page, "notifications");
      if (cursor.value("s", "") != status_text) throw BadRequest("invalid page token");
      after = cursor.value("a", std::int64_t{0});
    }
    auto page = ctx.store.ListNotifications(status, limit, after);
    nlohmann::json list = nlohmann::json::array();
    for (const auto& n : page.notifications) list.push_back(EncodeNotificationSummary(n));
    nlohmann::json body = {{"Notifications", std::move(list)}};
    if (page.next_cursor) {
      body["NextPage"] =
          ctx.tokens.Seal({{"k", "notifications"}, {"s", status_text}, {"a", *page.next_cursor}});
    }
    return Json(rc, 200, body);
  });

  router.Add(http::verb::get, "/v1/notifications/:name", [&ctx](const RequestContext& rc) {
    const std::string& name = rc.Param("name");
    const int limit = LimitParam(rc, 100, 1, 10000);
    std::int64_t old_offset = 0, new_offset = 0;
    std::string page_token;
    if (auto page = rc.Query("page")) {
      auto cursor = ctx.tokens.Open(*page, "notification");
      if (cursor.value("n", "") != name) throw BadRequest("invalid page token");
      old_offset = cursor.value("o", std::int64_t{0});
      new_offset = cursor.value("w", std::int64_t{0});
      if (old_offset < 0 || new_offset < 0) throw BadRequest("invalid page token");
      page_token = *page;
    }
    auto n = ctx.store.GetNotification(name);
    if (!n) throw NotFound("notification not found: " + name);
    if (page_token.empty()) {
      page_token = ctx.tokens.Seal({{"k", "notification"}, {"n", name}, {"o", 0}, {"w", 0}});
    }

    nlohmann::json out = nlohmann::json::object();
    out["Name"] = n->summary.name;
    EncodeNotificationTimes(n->summary, out);
    out["Limit"] = limit;
    out["Page"] = page_token;
    std::int64_t next_old = old_offset, next_new = new_offset;
    bool more = false;
    if (n->old_side) {
      out["Old"] = SidePage(ctx, n->summary.id, model::Side::kOld, *n->old_side, old_offset, limit,
                            &next_old);
      more = more || next_old < n->old_side->layer_count;
    }
    if (n->new_side) {
      out["New"] = SidePage(ctx, n->summary.id, model::Side::kNew, *n->new_side, new_offset, limit,
                            &next_new);
      more = more || next_new < n->new_side->layer_count;
    }
    if (more) {
      out["NextPage"] =
          ctx.tokens.Seal({{"k", "notification"}, {"n", name}, {"o", next_old}, {"w", next_new}});
    }
    return Json(rc, 200, {{"Notification", std::move(out)}});
  });

  router.Add(http::verb::get, "/v1/notifications/:name/deliveries",
             [&ctx](const RequestContext& rc) {
               auto deliveries = ctx.store.ListDeliveries(rc.Param("name"));
               if (!deliveries) throw NotFound("notification not found: " + rc.Param("name"));
               nlohmann::json list = nlohmann::json::array();
               for (const auto& a : *deliveries) list.push_back(EncodeDelivery(a));
               return Json(rc, 200, {{"Deliveries", std::move(list)}});
             });

  router.Add(http::verb::post, "/v1/notifications/:name/redeliver",
             [&ctx](const RequestContext& rc) {
               switch (ctx.store.Redeliver(rc.Param("name"), ctx.clock.NowMillis())) {
                 case store::RedeliverOutcome::kNotFound:
                   throw NotFound("notification not found: " + rc.Param("name"));
                 case store::RedeliverOutcome::kDeleted:
                   throw ApiError(409, "notification is deleted: it is never delivered again");
                 case store::RedeliverOutcome::kScheduled:
                   break;
               }
               return Empty(rc, 202);
             });

  router.Add(http::verb::delete_, "/v1/notifications/:name", [&ctx](const RequestContext& rc) {
    if (ctx.store.DeleteNotification(rc.Param("name")) == store::DeleteOutcome::kNotFound) {
      throw NotFound("notification not found: " + rc.Param("name"));
    }
    return Empty(rc, 200);
  });
}

}  // namespace herald::api
