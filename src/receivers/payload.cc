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

std::vector<Message> MessagesOf(const notifier::Outgoing& notification) {
  const std::string id = notification.name + "." + std::to_string(notification.round);
  std::vector<Message> out;
  if (!notification.chunks) {
    out.push_back({id, Payload(notification.name, /*callback=*/"")});
    return out;
  }
  const std::vector<std::string>& chunks = *notification.chunks;
  out.reserve(chunks.size());
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    out.push_back({chunks.size() == 1 ? id : id + "." + std::to_string(i + 1), chunks[i]});
  }
  return out;
}

}  // namespace herald::receivers
