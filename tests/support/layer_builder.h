// Builds real layer tarballs for tests the way an image builder does: files
// staged in a directory, packed by the system's tar and compressed by the
// system's gzip, bzip2, xz or zstd. Files can be copied from this machine
// (its own /var/lib/dpkg/status and /etc/os-release are real package and
// release files).
#pragma once

#include <string>

#include "support/process.h"

namespace herald::testing {

enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

class LayerBuilder {
 public:
  LayerBuilder();

  LayerBuilder& File(const std::string& path, const std::string& contents);
  LayerBuilder& Copy(const std::string& path, const std::string& host_path);
  LayerBuilder& Symlink(const std::string& path, const std::string& target);

  // Packs what is staged into `out` (tar entries named "./etc/…" as docker
  // writes them; `prefix` puts everything under that directory, e.g.
  // "rootfs" for ACI). Returns `out`. Throws when tar fails.
  std::string Pack(const std::string& out, Compression compression = Compression::kGzip,
                   const std::string& prefix = "") const;

  const std::string& root() const { return root_; }

 private:
  TempDir staging_;
  std::string root_;
};

// Runs `script` with sh -c; throws with its output when it fails.
void Shell(const std::string& script);

// A gzip bomb at `out`: a tar header announcing a 10 GiB file no detector
// reads (usr/share/bomb), then 10 GiB of zeros as 160 concatenated gzip
// members of 64 MiB each: about 10 MB on disk. Returns `out`.
std::string WriteGzipBomb(const std::string& out);

// A gzip layer at `out` with `count` empty entries, then this machine's
// etc/os-release. Returns `out`.
std::string WriteManyEntriesLayer(const std::string& out, int count);

}  // namespace herald::testing
