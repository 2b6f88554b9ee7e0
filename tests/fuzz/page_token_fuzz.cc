// Fernet page tokens (SPEC §4): a token from a client is hostile. Decrypt
// returns nullopt and PageTokens::Open throws ApiError(400) for anything but
// a token this key made; whatever is sealed opens to itself.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/api_error.h"
#include "api/fernet.h"
#include "api/page_token.h"
#include "fuzz_check.h"

namespace {

// The key of the Fernet specification's test vectors, so the seed corpus can
// hold the published tokens.
constexpr std::string_view kSpecKey = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";

const herald::api::Fernet& SpecFernet() {
  static const herald::api::Fernet fernet = [] {
    std::string error;
    auto f = herald::api::Fernet::FromKey(kSpecKey, &error);
    HERALD_FUZZ_CHECK(f.has_value());
    return *f;
  }();
  return fernet;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const herald::api::Fernet& fernet = SpecFernet();

  fernet.Decrypt(input);
  std::string error;
  herald::api::Fernet::FromKey(input, &error);

  const herald::api::PageTokens tokens(fernet);
  try {
    tokens.Open(input, "notification");
  } catch (const herald::api::ApiError& e) {
    HERALD_FUZZ_CHECK(e.status() == 400);
  }

  const std::optional<std::string> opened = fernet.Decrypt(fernet.Encrypt(input));
  HERALD_FUZZ_CHECK(opened.has_value() && *opened == input);
  return 0;
}
