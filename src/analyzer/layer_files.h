// The files of one layer that the detectors asked for, read from its archive.
// Paths are relative to the layer's root, without a leading "/" or "./"
// (e.g. "etc/os-release"), exactly as the detectors name them.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace herald::analyzer {

class LayerFiles {
 public:
  // A later Add of the same path replaces the earlier one (a tar may hold a
  // path twice; the last entry is the one a runtime would see).
  void Add(std::string path, std::string contents) {
    files_.insert_or_assign(std::move(path), std::move(contents));
  }

  // nullptr when the layer does not hold the file.
  const std::string* Find(std::string_view path) const {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : &it->second;
  }

  bool Has(std::string_view path) const { return files_.find(path) != files_.end(); }

  // Every file whose path starts with `prefix` (a directory such as
  // "var/lib/dpkg/status.d/"), in path order.
  std::vector<std::pair<std::string_view, const std::string*>> Under(
      std::string_view prefix) const {
    std::vector<std::pair<std::string_view, const std::string*>> out;
    for (auto it = files_.lower_bound(prefix);
         it != files_.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix;
         ++it) {
      out.emplace_back(it->first, &it->second);
    }
    return out;
  }

  bool empty() const { return files_.empty(); }
  std::size_t size() const { return files_.size(); }

 private:
  std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace herald::analyzer
