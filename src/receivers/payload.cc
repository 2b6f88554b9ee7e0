#include "receivers/payload.h"

#include <nlohmann/json.hpp>

namespace herald::receivers {

std::string Payload(const std::string& name, const std::string& callback) {
  // Built by hand: the field order is part of the wire format.
  std::string body = "{\"Notification\":{\"Name\":" + nlohmann::json(name).dump();
  if (!callback.empty()) {
    std::string base = callback;
    while (!base.empty() && base.back() == '/') base.pop_back();
    body += ",\"Callback\":" + nlohmann::json(base + "/v1/notifications/" + name).dump();
  }
  return body + "}}";
}

}  // namespace herald::receivers
