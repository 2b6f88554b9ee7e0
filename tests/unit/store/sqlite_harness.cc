#include <unistd.h>

#include <stdexcept>

#include "store/sqlite/sqlite_store.h"
#include "store_factory.h"

namespace herald::store::testing {
namespace {

class SqliteHarness final : public StoreHarness {
 public:
  explicit SqliteHarness(util::Clock& clock) : clock_(clock) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "herald-store-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    Reopen();
  }
  ~SqliteHarness() override {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  Store& store() override { return *store_; }
  void Reopen() override {
    store_.reset();
    store_ = std::make_unique<sqlite::SqliteStore>(dir_ + "/herald.db", clock_, OpenMode::kCreate);
  }
  void ExecSql(const std::string& sql) override {
    sqlite::Connection(dir_ + "/herald.db", OpenMode::kExisting).Exec(sql);
  }

 private:
  util::Clock& clock_;
  std::string dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
};

}  // namespace

std::unique_ptr<StoreHarness> MakeSqliteHarness(util::Clock& clock) {
  return std::make_unique<SqliteHarness>(clock);
}

}  // namespace herald::store::testing
