#include "store/round_progress_codec.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

namespace herald::store {

std::string ProgressToJson(const model::RoundProgress& progress) {
  if (progress.empty()) return "";
  nlohmann::json doc = nlohmann::json::object();
  for (const auto& [receiver, p] : progress) {
    doc[receiver] = {{"a", p.attempts}, {"s", p.succeeded}, {"n", p.next_attempt_ms}};
  }
  return doc.dump();
}

model::RoundProgress ProgressFromJson(const std::string& text, std::string_view notification) {
  model::RoundProgress out;
  if (text.empty()) return out;
  try {
    auto doc = nlohmann::json::parse(text);
    for (const auto& [receiver, p] : doc.items()) {
      out[receiver] = {p.at("a").get<int>(), p.at("s").get<bool>(), p.at("n").get<std::int64_t>()};
    }
  } catch (const nlohmann::json::exception& e) {
    spdlog::warn(
        "notification {}: damaged receiver progress in the database ({}); its round "
        "starts over",
        notification, e.what());
    return {};
  }
  return out;
}

}  // namespace herald::store
