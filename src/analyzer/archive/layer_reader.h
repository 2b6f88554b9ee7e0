// Reads one layer's archive in a single pass and keeps only the files the
// detectors asked for (SPEC §7). Nothing is written to disk; whiteouts are
// ignored, as in Clair v1.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "analyzer/budget.h"
#include "analyzer/fetch/byte_source.h"
#include "analyzer/layer_files.h"

namespace herald::analyzer {

enum class LayerFormat { kDocker, kAci };  // OCI layers are Docker's tar format

// What to keep: exact paths, and every file under a directory prefix.
struct FileSelector {
  std::set<std::string, std::less<>> paths;
  std::vector<std::string> prefixes;  // each ends with '/'
  bool Wants(std::string_view path) const;
};

// The selector of every registered detector.
const FileSelector& DetectorFiles();

// The path of a tar entry relative to the layer's root ("./etc/x" and "/etc/x"
// → "etc/x"; ACI: only what is under "rootfs/"), or "" when the entry has no
// place in the tree (a ".." component, nothing left).
std::string LayerPath(std::string_view entry_path, LayerFormat format);

struct LayerReadStats {
  std::int64_t entries = 0;
};

// Decompresses (gzip through ISA-L; bzip2, xz and zstd through libarchive; or
// none) and reads the tar. A wanted file larger than maxFileSize, or wanted
// files adding up to more than twice that, → 422 naming the limit; a stream
// that is not a tar → 422 "could not extract". A wanted path that is a
// symlink or hard link to another kept file gets that file's contents.
LayerFiles ReadLayerFiles(ByteSource& source, LayerFormat format, const FileSelector& selector,
                          Budget& budget, LayerReadStats* stats = nullptr);

}  // namespace herald::analyzer
