#include "analyzer/analyzer.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "analyzer/detectors/feature/feature_detector.h"
#include "analyzer/detectors/namespace/namespace_detector.h"
#include "analyzer/fetch/file_source.h"
#include "analyzer/fetch/http_source.h"
#include "inventory/analyzed_layer.h"

namespace herald::analyzer {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  });
  return s;
}

bool IsHttpUrl(const std::string& path) {
  const std::string lower = Lower(path.substr(0, 8));
  return lower.rfind("http://", 0) == 0 || lower.rfind("https://", 0) == 0;
}

std::string OutcomeOf(const AnalysisError& e) {
  switch (e.kind()) {
    case AnalysisError::Kind::kBadRequest:
      return "rejected";
    case AnalysisError::Kind::kUnprocessable:
      return "unprocessable";
    case AnalysisError::Kind::kCancelled:
      return "cancelled";
  }
  return "error";
}

// Every feature detector's packages, merged. nullopt when the layer holds no
// package database at all.
std::optional<std::vector<inventory::Package>> DetectPackages(const LayerFiles& files) {
  std::optional<std::set<DetectedPackage>> found;
  for (const auto& detector : FeatureDetectors()) {
    std::optional<std::vector<DetectedPackage>> packages;
    try {
      packages = detector.detect(files);
    } catch (const DetectorError& e) {
      throw Unprocessable(std::string("could not read the ") + detector.name +
                          " database: " + e.what());
    }
    if (!packages) continue;
    if (!found) found.emplace();
    found->insert(packages->begin(), packages->end());
  }
  if (!found) return std::nullopt;
  std::vector<inventory::Package> out;
  out.reserve(found->size());
  for (const auto& p : *found) out.push_back({p.name, p.version});
  return out;
}

}  // namespace

LayerFormat ParseLayerFormat(const std::string& format) {
  if (format.empty()) throw BadLayerRequest("Layer.Format is required with Layer.Path");
  const std::string lower = Lower(format);
  if (lower == "docker" || lower == "oci") return LayerFormat::kDocker;
  if (lower == "aci") return LayerFormat::kAci;
  throw BadLayerRequest("unsupported image format: " + format);
}

Limits LimitsFrom(const config::AnalyzerConfig& config) {
  Limits limits;
  limits.max_layer_size = config.max_layer_size;
  limits.max_file_size = config.max_file_size;
  limits.timeout = config.timeout;
  return limits;
}

Analyzer::Analyzer(store::Store& store, config::AnalyzerConfig config, metrics::Metrics* metrics)
    : store_(store), config_(std::move(config)), metrics_(metrics) {}

bool Analyzer::Precheck(const LayerRequest& request, LayerFormat* format,
                        std::optional<model::LayerDetail>* parent) {
  if (request.path.empty()) throw BadLayerRequest("Layer.Path is required");
  *format = ParseLayerFormat(request.format);
  if (request.parent_name == request.name) {
    throw BadLayerRequest("Layer.ParentName names the layer itself");
  }
  if (store_.GetLayer(request.name, false, false)) return true;
  if (!request.parent_name.empty()) {
    *parent = store_.GetLayer(request.parent_name, true, false);
    if (!*parent) throw BadLayerRequest("parent layer not found: " + request.parent_name);
  }
  return false;
}

LayerReport Analyzer::Analyze(const LayerRequest& request, const std::atomic<bool>* cancelled) {
  const auto started = std::chrono::steady_clock::now();
  Budget budget(LimitsFrom(config_), cancelled);
  try {
    budget.Check();
    LayerFormat format;
    std::optional<model::LayerDetail> parent;
    if (Precheck(request, &format, &parent)) {
      LayerReport report;
      report.already_indexed = true;
      Record("already_indexed", nullptr, 0);
      return report;
    }
    std::unique_ptr<ByteSource> source =
        IsHttpUrl(request.path) ? OpenHttpLayer(request.path, request.headers, budget)
                                : OpenLocalLayer(request.path, config_.local_paths, budget);
    LayerReport report = Register(request, format, parent, *source, budget);
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    Record("analyzed", &report, report.seconds);
    return report;
  } catch (const AnalysisError& e) {
    if (metrics_ != nullptr) metrics_->AddAnalyzedBytes(static_cast<double>(budget.bytes_read()));
    Record(OutcomeOf(e), nullptr,
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    spdlog::info("layer {} not analysed: {}", request.name, e.what());
    throw;
  } catch (...) {
    Record("error", nullptr, 0);
    throw;
  }
}

LayerReport Analyzer::AnalyzeStream(const LayerRequest& request, ByteSource& source,
                                    Budget& budget) {
  LayerFormat format;
  std::optional<model::LayerDetail> parent;
  if (Precheck(request, &format, &parent)) {
    LayerReport report;
    report.already_indexed = true;
    return report;
  }
  return Register(request, format, parent, source, budget);
}

LayerReport Analyzer::Register(const LayerRequest& request, LayerFormat format,
                               const std::optional<model::LayerDetail>& parent, ByteSource& source,
                               Budget& budget) {
  LayerReadStats stats;
  const LayerFiles files = ReadLayerFiles(source, format, DetectorFiles(), budget, &stats);
  budget.Check();
  const auto packages = DetectPackages(files);
  inventory::AnalyzedLayer analyzed = inventory::BuildAnalyzedLayer(
      request.name, request.parent_name, parent, DetectNamespace(files), packages);
  budget.Check();  // a stop that came during detection still writes nothing
  try {
    store_.InsertLayer(analyzed.layer, model::kEngineVersion);
  } catch (const store::StoreError& e) {
    // The parent was deleted while this layer was being read.
    if (e.kind() == store::StoreError::Kind::kNotFound) throw BadLayerRequest(e.what());
    throw;
  }
  LayerReport report;
  report.namespace_name = analyzed.layer.namespace_name;
  report.inherited_features = !analyzed.layer.features.has_value();
  report.features = analyzed.layer.features ? analyzed.layer.features->size() : 0;
  report.skipped_packages = analyzed.skipped_packages;
  report.bytes_read = budget.bytes_read();
  if (analyzed.skipped_packages > 0) {
    spdlog::warn("layer {}: {} packages skipped (version not valid for {})", request.name,
                 analyzed.skipped_packages, report.namespace_name);
  }
  return report;
}

void Analyzer::Record(const std::string& outcome, const LayerReport* report, double seconds) {
  if (metrics_ == nullptr) return;
  metrics_->CountAnalysis(outcome);
  if (report != nullptr) {
    metrics_->ObserveAnalysisSeconds(seconds);
    metrics_->AddAnalyzedBytes(static_cast<double>(report->bytes_read));
  }
}

}  // namespace herald::analyzer
