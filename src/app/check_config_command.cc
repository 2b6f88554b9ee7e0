#include <iostream>

#include "app/commands.h"

namespace herald::app {

int RunCheckConfig(const CommonOptions& options) {
  config::Config cfg = LoadEffectiveConfig(options);
  std::cout << config::ToRedactedYaml(cfg) << std::endl;
  return 0;
}

}  // namespace herald::app
