// A whole image for `herald analyze` (SPEC §7): a `docker save` tarball
// (manifest.json) or an OCI image layout (index.json), as a directory or a
// tar. Lists the image's layers, base first, and streams each one without
// unpacking the archive.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "analyzer/budget.h"
#include "analyzer/fetch/byte_source.h"

namespace herald::analyzer {

struct ImageLayer {
  std::string digest;  // OCI: the blob's digest; docker save: the layer's diff_id
  std::string member;  // its path inside the archive or layout directory
};

class ImageArchive {
 public:
  // Reads the manifests. Throws AnalysisError 400/422 with a message saying
  // what is missing or malformed.
  static ImageArchive Open(const std::string& path);

  const std::vector<ImageLayer>& layers() const { return layers_; }
  const std::string& kind() const { return kind_; }  // "docker-save" or "oci"

  // The bytes of one layer, as stored (compressed or not).
  std::unique_ptr<ByteSource> OpenLayer(const ImageLayer& layer, Budget& budget) const;

 private:
  std::string path_;
  bool directory_ = false;
  std::string kind_;
  std::vector<ImageLayer> layers_;
};

}  // namespace herald::analyzer
