#include "notifier/receiver_registry.h"

#include <stdexcept>

namespace herald::notifier {

void ReceiverRegistry::Register(const std::string& key, Factory factory) {
  if (!factories_.emplace(key, std::move(factory)).second) {
    throw std::logic_error("receiver kind registered twice: " + key);
  }
}

std::vector<std::unique_ptr<Receiver>> ReceiverRegistry::CreateEnabled(
    const config::NotifierConfig& config) const {
  std::vector<std::unique_ptr<Receiver>> out;
  for (const auto& [key, factory] : factories_) {
    if (auto receiver = factory(config)) out.push_back(std::move(receiver));
  }
  return out;
}

std::vector<std::string> ReceiverRegistry::Keys() const {
  std::vector<std::string> keys;
  for (const auto& [key, factory] : factories_) keys.push_back(key);
  return keys;
}

}  // namespace herald::notifier
