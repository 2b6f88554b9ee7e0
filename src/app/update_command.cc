// herald update [--once] [--source NAME]: runs the feed sources now (SPEC §1,
// §8) and prints what each did.
#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "app/commands.h"
#include "store/open.h"
#include "updater/updater.h"

namespace herald::app {
namespace {

std::string Line(const updater::SourceReport& r) {
  char timing[32];
  std::snprintf(timing, sizeof timing, "%.1f s", r.seconds);
  std::string line = r.name + " (" + r.kind + "): ";
  if (r.outcome == "failure") return line + "FAILED: " + r.error + " (" + timing + ")";
  if (r.outcome == "not-modified") return line + "not modified since the last run (" + timing + ")";
  line += std::to_string(r.counts.added) + " added, " + std::to_string(r.counts.changed) +
          " changed, " + std::to_string(r.counts.unchanged) + " unchanged, " +
          std::to_string(r.skipped) + " skipped, " + std::to_string(r.counts.notifications) +
          " notifications";
  if (r.first_import) line += " (first import)";
  return line + " (" + timing + ")";
}

}  // namespace

int RunUpdate(const CommonOptions& options, const std::string& source) {
  config::Config cfg = LoadEffectiveConfig(options);
  if (cfg.updater.sources.empty()) {
    std::cerr << "herald: no feed sources are configured (clair.updater.sources)" << std::endl;
    return 1;
  }
  auto store = store::OpenStore(cfg.database.source, util::SystemClock::Instance(),
                                cfg.database.pool_size, store::OpenMode::kExisting);
  updater::Updater runner(*store, cfg.updater, nullptr);
  const bool terminal = ::isatty(STDERR_FILENO) == 1;
  std::optional<std::string> only;
  if (!source.empty()) only = source;
  std::vector<updater::SourceReport> reports;
  try {
    reports = runner.RunOnce(only, [&](const updater::SourceReport& r) {
      if (terminal) std::cerr << "\r\033[K";
      std::cout << Line(r) << std::endl;
    });
  } catch (const std::invalid_argument& e) {
    std::cerr << "herald: " << e.what() << std::endl;
    return 2;
  }
  for (const auto& r : reports) {
    if (r.outcome == "failure") return 1;
  }
  return 0;
}

}  // namespace herald::app
