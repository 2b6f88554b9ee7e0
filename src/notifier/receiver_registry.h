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
  // Returns nullptr when the config does not enable this kind; throws
  // config::ConfigError when it is enabled but misconfigured.
  using Factory = std::function<std::unique_ptr<Receiver>(const config::NotifierConfig&)>;

  // REQUIRES: `key` not registered yet.
  void Register(const std::string& key, Factory factory);

  // Every receiver the configuration enables, in key order.
  std::vector<std::unique_ptr<Receiver>> CreateEnabled(const config::NotifierConfig& config) const;

  std::vector<std::string> Keys() const;

 private:
  std::map<std::string, Factory> factories_;
};

}  // namespace herald::notifier
