// Parsing request bodies defensively: any input gives either a JSON object or
// an ApiError(400) with a message; never a crash, whatever the nesting depth
// or encoding.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace herald::api {

// Deeper documents are refused before parsing; Clair v1 payloads nest < 10.
inline constexpr int kMaxJsonDepth = 64;

// Parses `body` as a JSON object. Throws ApiError(400).
nlohmann::json ParseJsonObject(std::string_view body);

// Serialises a document; invalid UTF-8 that reached storage through an older
// version is replaced rather than thrown on.
std::string DumpJson(const nlohmann::json& doc);

}  // namespace herald::api
