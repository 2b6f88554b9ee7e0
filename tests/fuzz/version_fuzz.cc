// A version comparator (SPEC §3), built once per packaging system with
// HERALD_FUZZ_NAMESPACE naming a namespace it orders. The input is up to
// three versions, one per line. Oracles: valid() never crashes; on valid
// versions compare() is reflexive, antisymmetric and transitive, and the
// sentinels sort outside every real version.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "version/comparator.h"

namespace {

int Sign(int v) {
  return (v > 0) - (v < 0);
}

std::vector<std::string_view> Lines(std::string_view input) {
  std::vector<std::string_view> lines;
  while (lines.size() < 3) {
    const std::size_t end = input.find('\n');
    lines.push_back(input.substr(0, end));
    if (end == std::string_view::npos) break;
    input.remove_prefix(end + 1);
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using herald::version::CompareWithSentinels;
  const herald::version::Comparator* cmp = herald::version::ForNamespace(HERALD_FUZZ_NAMESPACE);
  HERALD_FUZZ_CHECK(cmp != nullptr);

  std::vector<std::string_view> valid;
  for (std::string_view v : Lines(std::string_view(reinterpret_cast<const char*>(data), size))) {
    if (cmp->valid(v)) valid.push_back(v);
  }
  for (std::string_view a : valid) {
    HERALD_FUZZ_CHECK(cmp->compare(a, a) == 0);
    HERALD_FUZZ_CHECK(CompareWithSentinels(*cmp, a, herald::version::kMaxVersion) < 0);
    HERALD_FUZZ_CHECK(CompareWithSentinels(*cmp, herald::version::kMinVersion, a) < 0);
    for (std::string_view b : valid) {
      HERALD_FUZZ_CHECK(Sign(cmp->compare(a, b)) == -Sign(cmp->compare(b, a)));
      for (std::string_view c : valid) {
        if (cmp->compare(a, b) <= 0 && cmp->compare(b, c) <= 0) {
          HERALD_FUZZ_CHECK(cmp->compare(a, c) <= 0);
        }
      }
    }
  }
  return 0;
}
