// How per-receiver round progress is kept in the notification row: compact
// JSON owned by the store.
#pragma once

#include <string>

#include "model/delivery.h"

namespace herald::store {

std::string ProgressToJson(const model::RoundProgress& progress);

// "" → empty progress. Throws StoreError(kUnavailable) on damaged text.
model::RoundProgress ProgressFromJson(const std::string& text);

}  // namespace herald::store
