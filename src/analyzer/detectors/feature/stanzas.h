// Splitting of the text package databases (dpkg's status, apk's installed)
// into stanzas of lines. Lines are cut the way Go's bufio.ScanLines cut them
// for Clair v1, so that both read the same lines from the same bytes: on
// '\n', with one '\r' before it dropped, and a last line without '\n' kept.
// Go's scanner also gave up on a line over 64 KiB, which made Clair v1 lose
// every package after it; here a line may be any length, and the dpkg
// detector refuses such a database whole.
#pragma once

#include <cstddef>
#include <span>
#include <string_view>
#include <vector>

namespace herald::analyzer {

// Calls `visit(std::span<const std::string_view> lines)` once per stanza, in
// order. Stanzas are separated by empty lines (a line of spaces is not
// empty, as in Clair v1); a run of empty lines makes no empty stanza. The
// views point into `text`. Linear in the size of `text`.
template <typename Visit>
void ForEachStanza(std::string_view text, Visit&& visit) {
  std::vector<std::string_view> lines;
  const auto flush = [&] {
    if (!lines.empty()) {
      visit(std::span<const std::string_view>(lines));
      lines.clear();
    }
  };
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) {
      flush();
    } else {
      lines.push_back(line);
    }
  }
  flush();
}

}  // namespace herald::analyzer
