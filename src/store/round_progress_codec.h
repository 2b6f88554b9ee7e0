// How per-receiver round progress is kept in the notification row: compact
// JSON owned by the store.
#pragma once

#include <string>
#include <string_view>

#include "model/delivery.h"

namespace herald::store {

std::string ProgressToJson(const model::RoundProgress& progress);

// "" → empty progress. Damaged text (an older version's, a hand edit) also
// gives empty progress, with a warning naming `notification`: the round
// starts over for that one notification (at-least-once allows the repeat),
// rather than a throw that would roll back every claim beside it.
model::RoundProgress ProgressFromJson(const std::string& text, std::string_view notification);

}  // namespace herald::store
