#include "analyzer/detectors/namespace/release_text.h"

#include <cstddef>

#include "version/numbers.h"

namespace herald::analyzer {
namespace {

using version::IsDigit;

// Longer than any real ID or version; keeps hostile files from making huge
// namespace names.
constexpr std::size_t kMaxPartLength = 64;
// Enough for any release number; the rest of a longer run is not a version.
constexpr std::size_t kMaxNumberLength = 8;

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Consumes a run of digits from the front of `s`; empty when there is none
// or it is too long to be a release number.
std::string_view TakeNumber(std::string_view& s) {
  std::size_t n = 0;
  while (n < s.size() && IsDigit(static_cast<unsigned char>(s[n]))) ++n;
  if (n > kMaxNumberLength) return {};
  std::string_view number = s.substr(0, n);
  s.remove_prefix(n);
  return number;
}

}  // namespace

std::optional<std::string> ReleaseValue(std::string_view text, std::string_view key) {
  std::optional<std::string_view> found;
  while (!text.empty()) {
    std::size_t end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == '=') {
      // Later assignments override earlier ones, as when the file is sourced
      // by a shell.
      found = Trim(line.substr(key.size() + 1));
    }
  }
  if (!found) return std::nullopt;
  std::string_view value = *found;
  if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
      value.back() == value.front()) {
    value = value.substr(1, value.size() - 2);
  }
  if (value.empty()) return std::nullopt;
  return AsciiLower(value);
}

bool IsNamespacePart(std::string_view part) {
  if (part.empty() || part.size() > kMaxPartLength) return false;
  for (char c : part) {
    bool lower = c >= 'a' && c <= 'z';
    if (!lower && !IsDigit(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::string_view FirstLine(std::string_view text) {
  return Trim(text.substr(0, text.find('\n')));
}

std::optional<std::string> AlpineNamespace(std::string_view version) {
  std::string_view rest = version;
  std::string_view major = TakeNumber(rest);
  if (major.empty() || rest.empty() || rest.front() != '.') return std::nullopt;
  rest.remove_prefix(1);
  std::string_view minor = TakeNumber(rest);
  if (minor.empty()) return std::nullopt;
  // A patch level ("3.18.4") or a pre-release tag ("3.19_alpha20230901")
  // may follow; the secdb names only the branch.
  if (!rest.empty() && rest.front() != '.' && rest.front() != '_') return std::nullopt;
  return "alpine:v" + std::string(major) + "." + std::string(minor);
}

}  // namespace herald::analyzer
