// Receiver kinds register a factory under their config key (like Clair v1's
// RegisterNotifier); the notifier creates whichever are configured, without
// naming any of them.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "notifier/receiver.h"

namespace herald::store {
class Store;
}

namespace herald::notifier {

// What a receiver may need from the rest of Herald besides its config.
struct ReceiverContext {
  // Where direct delivery reads the notifications it sends; null where no
  // receiver is started (e.g. a test of the registry alone).
  store::Store* store = nullptr;
};

class ReceiverRegistry {
 public:
  // Every receiver of its kind that the config enables (none, one, or
  // several, like the named webhooks); throws config::ConfigError when one
  // is enabled but misconfigured.
  using Factory = std::function<std::vector<std::unique_ptr<Receiver>>(
      const config::NotifierConfig&, const ReceiverContext&)>;

  // REQUIRES: `kind` not registered yet.
  void Register(const std::string& kind, Factory factory);

  // Every receiver the configuration enables, by kind, in the order each
  // kind lists them. Receiver keys are unique.
  std::vector<std::unique_ptr<Receiver>> CreateEnabled(const config::NotifierConfig& config,
                                                       const ReceiverContext& context = {}) const;

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace herald::notifier
