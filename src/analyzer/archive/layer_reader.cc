#include "analyzer/archive/layer_reader.h"

#include <map>

#include "analyzer/archive/gzip_source.h"
#include "analyzer/archive/libarchive.h"
#include "analyzer/archive/prepend_source.h"
#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/detectors/namespace/namespace_detector.h"
#include "config/config.h"

namespace herald::analyzer {
namespace {

constexpr int kMaxLinkHops = 16;

std::vector<std::string_view> Components(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") out.push_back(part);
    start = end + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string_view>& parts, std::size_t from = 0) {
  std::string out;
  for (std::size_t i = from; i < parts.size(); ++i) {
    if (!out.empty()) out += '/';
    out += parts[i];
  }
  return out;
}

bool IsWhiteout(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
  return base.substr(0, 4) == ".wh.";
}

// Where a link at `link_path` pointing at `target` leads, inside the layer:
// absolute targets start at the layer's root, ".." stops at the root (as it
// does in a chroot).
std::string ResolveLink(std::string_view link_path, std::string_view target, bool hard) {
  std::vector<std::string> parts;
  if (!hard && !target.empty() && target.front() != '/') {
    for (auto part : Components(link_path)) parts.emplace_back(part);
    if (!parts.empty()) parts.pop_back();  // the link's own name
  }
  for (auto part : Components(target)) {
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.emplace_back(part);
    }
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string ReadEntry(ArchiveReader& reader, const std::string& path, std::int64_t limit,
                      Budget& budget) {
  std::string contents;
  char buffer[64 * 1024];
  while (true) {
    const std::size_t n = reader.ReadData(buffer, sizeof buffer);
    if (n == 0) break;
    if (static_cast<std::int64_t>(contents.size() + n) > limit) {
      throw Unprocessable(path + " is larger than analyzer.maxFileSize (" +
                          config::FormatByteSize(limit) + ")");
    }
    contents.append(buffer, n);
    budget.Check();
  }
  return contents;
}

}  // namespace

bool FileSelector::Wants(std::string_view path) const {
  if (paths.count(path) > 0) return true;
  for (const auto& prefix : prefixes) {
    if (path.size() > prefix.size() && path.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

const FileSelector& DetectorFiles() {
  static const FileSelector selector = [] {
    FileSelector s;
    for (const auto& d : NamespaceDetectors()) s.paths.insert(d.paths.begin(), d.paths.end());
    for (const auto& d : FeatureDetectors()) {
      s.paths.insert(d.paths.begin(), d.paths.end());
      s.prefixes.insert(s.prefixes.end(), d.prefixes.begin(), d.prefixes.end());
    }
    return s;
  }();
  return selector;
}

std::string LayerPath(std::string_view entry_path, LayerFormat format) {
  std::vector<std::string_view> parts = Components(entry_path);
  for (auto part : parts) {
    if (part == "..") return "";
  }
  std::size_t from = 0;
  if (format == LayerFormat::kAci) {
    if (parts.empty() || parts.front() != "rootfs") return "";
    from = 1;
  }
  return Join(parts, from);
}

LayerFiles ReadLayerFiles(ByteSource& source, LayerFormat format, const FileSelector& selector,
                          Budget& budget, LayerReadStats* stats) {
  // Sniff the compression from the first chunk.
  std::string head(source.Next());
  const bool gzip = LooksLikeGzip(head);
  PrependSource whole(std::move(head), source);
  std::unique_ptr<ByteSource> inflated;
  ByteSource* tar = &whole;
  auto filters = ArchiveReader::Filters::kAll;
  if (gzip) {
    inflated = InflateGzip(whole, budget);
    tar = inflated.get();
    filters = ArchiveReader::Filters::kNone;
  }
  ArchiveReader reader(*tar, filters);

  const std::int64_t max_file = budget.limits().max_file_size;
  std::int64_t kept_bytes = 0;
  std::map<std::string, std::int64_t> kept_sizes;
  std::map<std::string, std::pair<std::string, bool>> links;  // path → (target, hard)
  LayerFiles files;
  std::int64_t entries = 0;
  while (archive_entry* entry = reader.NextEntry()) {
    ++entries;
    if ((entries & 1023) == 0) budget.Check();
    const char* raw = archive_entry_pathname(entry);
    if (raw == nullptr) continue;
    std::string path = LayerPath(raw, format);
    if (path.empty() || IsWhiteout(path) || !selector.Wants(path)) continue;

    if (const char* hard = archive_entry_hardlink(entry)) {
      links[path] = {LayerPath(hard, format), true};
      continue;
    }
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFLNK) {
      const char* target = archive_entry_symlink(entry);
      if (target != nullptr) links[path] = {ResolveLink(path, target, false), false};
      continue;
    }
    if (type != AE_IFREG) continue;
    links.erase(path);
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > max_file) {
      throw Unprocessable(path + " is larger than analyzer.maxFileSize (" +
                          config::FormatByteSize(max_file) + ")");
    }
    std::string contents = ReadEntry(reader, path, max_file, budget);
    kept_bytes += static_cast<std::int64_t>(contents.size()) - kept_sizes[path];
    kept_sizes[path] = static_cast<std::int64_t>(contents.size());
    if (kept_bytes > 2 * max_file) {
      throw Unprocessable(
          "the package databases of the layer add up to more than twice "
          "analyzer.maxFileSize (" +
          config::FormatByteSize(max_file) + ")");
    }
    files.Add(std::move(path), std::move(contents));
  }

  // Links to files kept in this layer (etc/os-release → ../usr/lib/os-release).
  for (const auto& [path, link] : links) {
    std::string target = link.first;
    for (int hop = 0; hop < kMaxLinkHops && !target.empty(); ++hop) {
      if (const std::string* contents = files.Find(target)) {
        files.Add(path, *contents);
        break;
      }
      auto next = links.find(target);
      if (next == links.end()) break;
      target = next->second.first;
    }
  }
  if (stats != nullptr) stats->entries = entries;
  return files;
}

}  // namespace herald::analyzer
