#include "store/round_progress_codec.h"

#include <nlohmann/json.hpp>

#include "store/store.h"

namespace herald::store {

std::string ProgressToJson(const model::RoundProgress& progress) {
  if (progress.empty()) return "";
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [receiver, p] : progress) {
    doc[receiver] = {{"a", p.attempts}, {"s", p.succeeded}, {"n", p.next_attempt_ms}};
  }
  return doc.dump();
}

model::RoundProgress ProgressFromJson(const std::string& text) {
  model::RoundProgress out;
  if (text.empty()) return out;
  try {
    auto doc = nlohmann::json::parse(text);
    for (const auto& [receiver, p] : doc.items()) {
      out[receiver] = {p.at("a").get<int>(), p.at("s").get<bool>(), p.at("n").get<std::int64_t>()};
    }
  } catch (const nlohmann::json::exception& e) {
    throw StoreError(StoreError::Kind::kUnavailable,
                     std::string("damaged receiver progress in the database: ") + e.what());
  }
  return out;
}

}  // namespace herald::store
