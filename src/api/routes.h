// The route tables: Clair v1's /v1 API plus Herald's additions on the API
// port, and /health + /metrics on the health port.
#pragma once

#include <chrono>
#include <string>

#include "analyzer/analysis_pool.h"
#include "analyzer/analyzer.h"
#include "api/page_token.h"
#include "api/router.h"
#include "config/config.h"
#include "metrics/metrics.h"
#include "store/store.h"
#include "util/clock.h"

namespace herald::api {

struct ApiContext {
  store::Store& store;
  const PageTokens& tokens;
  metrics::Metrics& metrics;
  util::Clock& clock;
  // Layer analysis (SPEC §7); without them a Path layer answers 422.
  analyzer::Analyzer* analyzer = nullptr;
  analyzer::AnalysisPool* analysis_pool = nullptr;
  // The configured feed sources, for GET /v1/updater.
  const std::vector<config::FeedSource>* feed_sources = nullptr;
};

void AddLayerRoutes(Router& router, ApiContext& ctx);
void AddVulnerabilityRoutes(Router& router, ApiContext& ctx);
void AddNotificationRoutes(Router& router, ApiContext& ctx);
void AddUpdaterRoutes(Router& router, ApiContext& ctx);

// Every route of the API port.
Router MakeApiRouter(ApiContext& ctx, std::chrono::nanoseconds timeout);
// /health and /metrics for the health port. `healthy` answers whether the
// database is reachable (false before the store is open at all).
// `problem` says why the database cannot serve, or nullopt when it can.
Router MakeHealthRouter(std::function<std::optional<std::string>()> problem,
                        metrics::Metrics& metrics);

// Shared helpers for the route files.
// `limit` from the query string: absent → fallback; non-numeric or out of
// [min, max] → 400.
int LimitParam(const RequestContext& ctx, int fallback, int min, int max);
Response Json(const RequestContext& ctx, int status, const nlohmann::json& body);
Response Empty(const RequestContext& ctx, int status);

}  // namespace herald::api
