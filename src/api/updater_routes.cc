// GET /v1/updater (Herald, SPEC §8 rule 6): every configured feed source with
// what its runs did.
#include <map>

#include "api/codec.h"
#include "api/routes.h"

namespace herald::api {
namespace {

std::string Seconds(std::int64_t ms) {
  return std::to_string(ms / 1000);
}

nlohmann::json EncodeSource(const config::FeedSource* configured,
                            const store::FeedSourceState* state) {
  nlohmann::json out = nlohmann::json::object();
  out["Name"] = configured != nullptr ? configured->name : state->name;
  out["Kind"] = configured != nullptr ? configured->kind : state->kind;
  out["Configured"] = configured != nullptr;
  if (state == nullptr) return out;
  if (state->last_attempt_ms) out["LastAttempt"] = Seconds(*state->last_attempt_ms);
  if (state->last_success_ms) out["LastSuccess"] = Seconds(*state->last_success_ms);
  if (!state->outcome.empty()) out["Outcome"] = state->outcome;
  if (!state->error.empty()) out["Error"] = state->error;
  out["Added"] = state->counts.added;
  out["Changed"] = state->counts.changed;
  out["Unchanged"] = state->counts.unchanged;
  out["Skipped"] = state->skipped;
  out["Notifications"] = state->counts.notifications;
  return out;
}

}  // namespace

void AddUpdaterRoutes(Router& router, ApiContext& ctx) {
  router.Add(http::verb::get, "/v1/updater", [&ctx](const RequestContext& rc) {
    std::map<std::string, store::FeedSourceState> states;
    for (auto& state : ctx.store.ListFeedSources()) states.emplace(state.name, std::move(state));
    nlohmann::json sources = nlohmann::json::array();
    if (ctx.feed_sources != nullptr) {
      for (const auto& source : *ctx.feed_sources) {
        auto it = states.find(source.name);
        sources.push_back(EncodeSource(&source, it == states.end() ? nullptr : &it->second));
        if (it != states.end()) states.erase(it);
      }
    }
    // Sources run before but no longer configured: still shown, marked so.
    for (const auto& [name, state] : states) sources.push_back(EncodeSource(nullptr, &state));
    return Json(rc, 200, {{"Sources", sources}});
  });
}

}  // namespace herald::api
