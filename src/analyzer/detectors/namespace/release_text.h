// Reading the text of OS release files, shared by the namespace detectors so
// that quoting, case and what may become part of a namespace name are decided
// in one place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace herald::analyzer {

// The value set by the last `KEY=value` line of `text` (the syntax of
// os-release(5) and lsb-release), ASCII-lowercased, without surrounding
// quotes; nullopt when no line sets it or its value is empty.
std::optional<std::string> ReleaseValue(std::string_view text, std::string_view key);

// Whether `part` may be used as either side of a namespace name: a short run
// of [a-z0-9._-]. Release files are untrusted layer content, and a namespace
// name is stored, matched against feeds and shown to users.
bool IsNamespacePart(std::string_view part);

// The first line of `text`, without its line ending and surrounding blanks.
std::string_view FirstLine(std::string_view text);

// "alpine:vMAJOR.MINOR", the secdb's name, from an Alpine version such as
// "3.18.4" or "3.19_alpha20230901"; nullopt when it does not start so.
std::optional<std::string> AlpineNamespace(std::string_view version);

}  // namespace herald::analyzer
