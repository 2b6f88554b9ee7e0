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
// /health and /metrics for the health port. `problem` says why the database
// cannot serve (503), or nullopt when it can (200); `receiver_problems`,
// which receivers cannot deliver now and why (listed in the 200's body).
Router MakeHealthRouter(std::function<std::optional<std::string>()> problem,
                        std::function<std::map<std::string, std::string>()> receiver_problems,
                        metrics::Metrics& metrics);

// Shared helpers for the route files.
// `limit` from the query string: absent → fallback; non-numeric or out of
// [min, max] → 400.
int LimitParam(const RequestContext& ctx, int fallback, int min, int max);
Response Json(const RequestContext& ctx, int status, const nlohmann::json& body);
Response Empty(const RequestContext& ctx, int status);

}  // namespace herald::api
