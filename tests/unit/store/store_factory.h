// Store implementations under test, each backed by a real database in a
// temporary location. The conformance suite runs unchanged against each.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
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
  // Runs SQL on the database behind the store's back, as an older version
  // or an operator might have left it.
  virtual void ExecSql(const std::string& sql) = 0;
};

struct StoreFactory {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>(util::Clock&)> make;
  friend void PrintTo(const StoreFactory& f, std::ostream* os) { *os << f.name; }
};

std::unique_ptr<StoreHarness> MakeSqliteHarness(util::Clock& clock);
// Needs HERALD_TEST_POSTGRES (scripts/test.sh sets it); fails without.
std::unique_ptr<StoreHarness> MakePostgresHarness(util::Clock& clock);

}  // namespace herald::store::testing
