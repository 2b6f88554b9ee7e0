// A layer tarball on this host. SPEC §7: a local Path is allowed only inside
// a directory of analyzer.localPaths, judged after resolving ".." and
// symlinks (Clair v1 read any path the server could open).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analyzer/budget.h"
#include "analyzer/fetch/byte_source.h"

namespace herald::analyzer {

// Opens a regular file the caller chose (herald analyze's own archive): no
// localPaths policy. Throws AnalysisError 400 when it cannot be opened.
std::unique_ptr<ByteSource> OpenFile(const std::string& path, Budget& budget);

// Opens `path` (a plain path or a file:// URL) for reading. Throws
// AnalysisError 400 when it is outside `allowed_dirs` or cannot be opened.
std::unique_ptr<ByteSource> OpenLocalLayer(const std::string& path,
                                           const std::vector<std::string>& allowed_dirs,
                                           Budget& budget);

}  // namespace herald::analyzer
