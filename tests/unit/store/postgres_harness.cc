#include "store/postgres/postgres_store.h"
#include "store_factory.h"
#include "support/postgres.h"

namespace herald::store::testing {
namespace {

// A fresh database on the private test cluster for every test.
class PostgresHarness final : public StoreHarness {
 public:
  explicit PostgresHarness(util::Clock& clock) : clock_(clock) { Reopen(); }
  ~PostgresHarness() override { store_.reset(); }
  Store& store() override { return *store_; }
  void Reopen() override {
    store_.reset();
    store_ = std::make_unique<postgres::PostgresStore>(db_.conninfo(), 4, clock_);
  }
  void ExecSql(const std::string& sql) override {
    herald::testing::QueryValue(db_.conninfo(), sql);
  }

 private:
  util::Clock& clock_;
  herald::testing::ScratchDatabase db_;
  std::unique_ptr<postgres::PostgresStore> store_;
};

}  // namespace

std::unique_ptr<StoreHarness> MakePostgresHarness(util::Clock& clock) {
  return std::make_unique<PostgresHarness>(clock);
}

}  // namespace herald::store::testing
