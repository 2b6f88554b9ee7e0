#include <spdlog/spdlog.h>

#include "app/commands.h"
#include "store/open.h"

namespace herald::app {

int RunMigrate(const CommonOptions& options) {
  config::Config cfg = LoadEffectiveConfig(options);
  // Opening a store applies every pending migration, all in one transaction.

  auto store = store::OpenStore(cfg.database.source, util::SystemClock::Instance(),
                                cfg.database.pool_size, store::OpenMode::kCreate);
  spdlog::info("database schema is up to date");
  return 0;
}

}  // namespace herald::app
