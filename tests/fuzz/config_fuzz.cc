// The configuration file (SPEC §2): any bytes give a Config or a ConfigError
// naming the problem, and an accepted Config prints as YAML. The scalar
// parsers it uses (durations, byte sizes, webhook secrets) throw only
// std::invalid_argument.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "config/config.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    const herald::config::Config config = herald::config::ParseYaml(text);
    try {
      herald::config::Validate(config);
    } catch (const herald::config::ConfigError&) {
    }
    // The redacted print is what `check-config` shows; it must parse again.
    herald::config::ParseYaml(herald::config::ToRedactedYaml(config));
  } catch (const herald::config::ConfigError&) {
  }
  try {
    herald::config::ParseGoDuration(text);
  } catch (const std::invalid_argument&) {
  }
  try {
    HERALD_FUZZ_CHECK(herald::config::ParseByteSize(text) >= 0);
  } catch (const std::invalid_argument&) {
  }
  try {
    HERALD_FUZZ_CHECK(!herald::config::DecodeWebhookSecret(text).empty());
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
