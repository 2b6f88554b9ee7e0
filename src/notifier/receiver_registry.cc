#include "notifier/receiver_registry.h"

#include <set>
#include <stdexcept>

namespace herald::notifier {

void ReceiverRegistry::Register(const std::string& kind, Factory factory) {
  if (!factories_.emplace(kind, std::move(factory)).second) {
    throw std::logic_error("receiver kind registered twice: " + kind);
  }
}

std::vector<std::unique_ptr<Receiver>> ReceiverRegistry::CreateEnabled(
    const config::NotifierConfig& config, const ReceiverContext& context) const {
  std::vector<std::unique_ptr<Receiver>> out;
  std::set<std::string, std::less<>> keys;
  for (const auto& [kind, factory] : factories_) {
    for (auto& receiver : factory(config, context)) {
      if (!keys.insert(std::string(receiver->key())).second) {
        throw std::logic_error("two receivers with the key " + std::string(receiver->key()));
      }
      out.push_back(std::move(receiver));
    }
  }
  return out;
}

}  // namespace herald::notifier
