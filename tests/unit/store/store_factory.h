// Store implementations under test, each backed by a real database in a
// temporary location. The conformance suite runs unchanged against each.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "store/store.h"
#include "util/clock.h"

namespace herald::store::testing {

// Owns a store and whatever backs it (a temp file, a scratch database).
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  virtual Store& store() = 0;
  // Closes and opens the store again on the same data (a process restart).
  virtual void Reopen() = 0;
};

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>(util::Clock&)> make;
};

std::unique_ptr<StoreHarness> MakeSqliteHarness(util::Clock& clock);

}  // namespace herald::store::testing
