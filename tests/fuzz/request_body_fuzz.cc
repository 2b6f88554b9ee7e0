// Request bodies of the four write routes (SPEC §4): any bytes give a JSON
// object or ApiError(400/422), never another exception or a crash, and what
// a decoder accepts encodes back to JSON that parses again.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "api/api_error.h"
#include "api/codec.h"
#include "api/json_body.h"
#include "fuzz_check.h"

namespace {

using herald::api::ApiError;

void DecodeEveryEnvelope(const nlohmann::json& body) {
  try {
    herald::api::DecodeLayerEnvelope(body);
  } catch (const ApiError&) {
  }
  try {
    bool has_fixed_in = false;
    const auto v = herald::api::DecodeVulnerabilityEnvelope(body, "debian:8", "", &has_fixed_in);
    const std::string encoded =
        herald::api::DumpJson(herald::api::EncodeVulnerability(v, /*with_fixed_in=*/true));
    HERALD_FUZZ_CHECK(herald::api::ParseJsonObject(encoded).is_object());
  } catch (const ApiError&) {
  }
  try {
    const auto fix = herald::api::DecodeFixEnvelope(body, "debian:8", "openssl");
    HERALD_FUZZ_CHECK(herald::api::EncodeFix("debian:8", fix).is_object());
  } catch (const ApiError&) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  nlohmann::json doc;
  try {
    doc = herald::api::ParseJsonObject(body);
  } catch (const ApiError& e) {
    HERALD_FUZZ_CHECK(e.status() == 400);
    return 0;
  }
  HERALD_FUZZ_CHECK(doc.is_object());
  // What was accepted must serialise and read back as the same document.
  HERALD_FUZZ_CHECK(herald::api::ParseJsonObject(herald::api::DumpJson(doc)) == doc);
  DecodeEveryEnvelope(doc);
  return 0;
}
