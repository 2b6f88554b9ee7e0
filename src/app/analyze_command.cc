// herald analyze ARCHIVE: registers a whole image from a docker save or OCI
// image-layout archive, layer by layer through the same analyzer the API
// uses, then prints what is installed and what it is vulnerable to (SPEC §7).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>

#include "analyzer/analyzer.h"
#include "analyzer/image/image_archive.h"
#include "api/codec.h"
#include "api/json_body.h"
#include "app/commands.h"
#include "model/severity.h"
#include "store/open.h"

namespace herald::app {
namespace {

int SeverityRank(const std::string& severity) {
  for (std::size_t i = 0; i < model::kSeverities.size(); ++i) {
    if (model::kSeverities[i] == severity) return static_cast<int>(i);
  }
  return 0;
}

std::string Short(const std::string& digest) {
  return digest.size() > 19 ? digest.substr(0, 19) + "…" : digest;
}

int WorstRank(const model::LayerFeature& f) {
  int worst = -1;
  for (const auto& v : f.vulnerabilities) worst = std::max(worst, SeverityRank(v.severity));
  return worst;
}

void PrintText(const model::LayerDetail& top, std::size_t layer_count) {
  std::vector<const model::LayerFeature*> features;
  std::size_t vulnerable = 0, vulnerabilities = 0;
  for (const auto& f : top.features) {
    features.push_back(&f);
    if (!f.vulnerabilities.empty()) ++vulnerable;
    vulnerabilities += f.vulnerabilities.size();
  }
  // Most severe first, then by name: the line to act on comes first.
  std::stable_sort(features.begin(), features.end(), [](const auto* a, const auto* b) {
    const int ra = WorstRank(*a), rb = WorstRank(*b);
    if (ra != rb) return ra > rb;
    return a->feature.name < b->feature.name;
  });
  std::cout << "image " << top.name << ": " << layer_count << " layers, namespace "
            << (top.namespace_name.empty() ? "unknown" : top.namespace_name) << ", "
            << top.features.size() << " features, " << vulnerable << " vulnerable ("
            << vulnerabilities << " vulnerabilities)\n";
  for (const auto* f : features) {
    std::cout << f->feature.name << " " << f->feature.version << "  [" << f->feature.namespace_name
              << ", added by " << Short(f->added_by) << "]\n";
    auto vulns = f->vulnerabilities;
    std::stable_sort(vulns.begin(), vulns.end(), [](const auto& a, const auto& b) {
      return SeverityRank(a.severity) > SeverityRank(b.severity);
    });
    for (const auto& v : vulns) {
      std::cout << "    " << v.severity << "  " << v.name;
      if (!v.fixed_by.empty()) std::cout << "  fixed by " << v.fixed_by;
      if (!v.link.empty()) std::cout << "  " << v.link;
      std::cout << "\n";
    }
  }
}

}  // namespace

int RunAnalyze(const CommonOptions& options, const std::string& archive, const std::string& prefix,
               const std::string& format) {
  config::Config cfg = LoadEffectiveConfig(options);
  auto store = store::OpenStore(cfg.database.source, util::SystemClock::Instance(),
                                cfg.database.pool_size, store::OpenMode::kExisting);
  analyzer::Analyzer layer_analyzer(*store, cfg.analyzer, nullptr);
  const bool terminal = ::isatty(STDERR_FILENO) == 1;

  try {
    const analyzer::ImageArchive image = analyzer::ImageArchive::Open(archive);
    const auto& layers = image.layers();
    if (layers.empty()) {
      std::cerr << "herald: " << archive << " lists no layers" << std::endl;
      return 1;
    }
    std::string parent;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const std::string name =
          prefix.empty() ? layers[i].digest : prefix + "-" + std::to_string(i + 1);
      const std::string progress =
          "[" + std::to_string(i + 1) + "/" + std::to_string(layers.size()) + "] " + Short(name);
      if (terminal) std::cerr << progress << " analysing…" << std::flush;
      const auto started = std::chrono::steady_clock::now();
      analyzer::Budget budget(analyzer::LimitsFrom(cfg.analyzer), nullptr);
      auto source = image.OpenLayer(layers[i], budget);
      const analyzer::LayerRequest request{name, parent, layers[i].member, "Docker", {}};
      const analyzer::LayerReport report = layer_analyzer.AnalyzeStream(request, *source, budget);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      if (terminal) {
        char line[256];
        if (report.already_indexed) {
          std::snprintf(line, sizeof line, "already registered");
        } else if (report.inherited_features) {
          std::snprintf(
              line, sizeof line, "%s, no package database (%.1f s)",
              report.namespace_name.empty() ? "no namespace" : report.namespace_name.c_str(),
              seconds);
        } else {
          std::snprintf(line, sizeof line, "%s, %zu packages, %.1f MB read (%.1f s)",
                        report.namespace_name.c_str(), report.features,
                        static_cast<double>(report.bytes_read) / 1e6, seconds);
        }
        std::cerr << "\r\033[K" << progress << " " << line << std::endl;
      }
      parent = name;
    }
    auto top = store->GetLayer(parent, true, true);
    if (!top) throw std::runtime_error("the image's top layer vanished: " + parent);
    if (format == "json") {
      std::cout << api::DumpJson({{"Layer", api::EncodeLayer(*top, true, true)}}) << std::endl;
    } else {
      PrintText(*top, layers.size());
    }
    return 0;
  } catch (const analyzer::AnalysisError& e) {
    if (terminal) std::cerr << "\n";
    std::cerr << "herald: " << archive << ": " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace herald::app
