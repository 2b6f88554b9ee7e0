// Layer analysis (SPEC §7): from a Clair v1 `Path` layer request to a stored
// layer. Fetch, read, detect and register run on the calling thread (an
// AnalysisPool thread for the API, the main thread for `herald analyze`);
// nothing is written unless every step succeeded.
#pragma once

#include <atomic>
#include <map>
#include <string>

#include "analyzer/archive/layer_reader.h"
#include "analyzer/budget.h"
#include "analyzer/fetch/byte_source.h"
#include "config/config.h"
#include "metrics/metrics.h"
#include "store/store.h"

namespace herald::analyzer {

struct LayerRequest {
  std::string name;
  std::string parent_name;  // "" for a base layer
  std::string path;         // http(s) URL, local path or file:// URL
  std::string format;       // Docker, OCI or ACI, any case
  std::map<std::string, std::string> headers;
};

struct LayerReport {
  bool already_indexed = false;  // the name was analysed before: nothing done
  std::string namespace_name;
  std::size_t features = 0;         // packages found in this layer's own database
  bool inherited_features = false;  // no package database: the parent's set
  int skipped_packages = 0;
  std::int64_t bytes_read = 0;
  double seconds = 0;
};

// "Docker"/"OCI" → kDocker, "ACI" → kAci; missing → 400 "Layer.Format is
// required"; anything else → 400 "unsupported image format".
LayerFormat ParseLayerFormat(const std::string& format);

Limits LimitsFrom(const config::AnalyzerConfig& config);

class Analyzer {
 public:
  // `metrics` may be null.
  Analyzer(store::Store& store, config::AnalyzerConfig config, metrics::Metrics* metrics);

  // Fetches request.path and registers the layer. Throws AnalysisError (400,
  // 422, or 503 once `cancelled` is set) or store::StoreError.
  LayerReport Analyze(const LayerRequest& request, const std::atomic<bool>* cancelled);

  // The same from a stream the caller opened (a layer inside an image
  // archive); request.path is only reported.
  LayerReport AnalyzeStream(const LayerRequest& request, ByteSource& source, Budget& budget);

  const config::AnalyzerConfig& config() const { return config_; }

 private:
  // Returns true when the layer is already stored (a re-post is a no-op);
  // throws 400 for an unknown parent.
  bool Precheck(const LayerRequest& request, LayerFormat* format,
                std::optional<model::LayerDetail>* parent);
  LayerReport Register(const LayerRequest& request, LayerFormat format,
                       const std::optional<model::LayerDetail>& parent, ByteSource& source,
                       Budget& budget);
  void Record(const std::string& outcome, const LayerReport* report, double seconds);

  store::Store& store_;
  config::AnalyzerConfig config_;
  metrics::Metrics* metrics_;
};

}  // namespace herald::analyzer
