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

namespace herald::notifier {

class ReceiverRegistry {
 public:
  // Every receiver of its kind that the config enables (none, one, or
  // several, like the named webhooks); throws config::ConfigError when one
  // is enabled but misconfigured.
  using Factory =
      std::function<std::vector<std::unique_ptr<Receiver>>(const config::NotifierConfig&)>;

  // REQUIRES: `kind` not registered yet.
  void Register(const std::string& kind, Factory factory);

  // Every receiver the configuration enables, by kind, in the order each
  // kind lists them. Receiver keys are unique.
  std::vector<std::unique_ptr<Receiver>> CreateEnabled(const config::NotifierConfig& config) const;

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace herald::notifier
