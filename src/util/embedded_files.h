// Files of the source tree compiled into the binary at build time
// (cmake/EmbedFiles.cmake), such as docs/openapi.json.
#pragma once

#include <optional>
#include <string_view>

namespace herald::util {

// The content of the embedded file at `path` (relative to the project's
// root, e.g. "docs/openapi.json"), or nullopt when none was embedded there.
std::optional<std::string_view> EmbeddedFile(std::string_view path);

}  // namespace herald::util
