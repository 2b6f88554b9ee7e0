#include "inventory/analyzed_layer.h"

#include <map>
#include <utility>

#include "analyzer/analysis_error.h"
#include "version/comparator.h"

namespace herald::inventory {

AnalyzedLayer BuildAnalyzedLayer(const std::string& name, const std::string& parent_name,
                                 const std::optional<model::LayerDetail>& parent,
                                 std::optional<std::string> detected_namespace,
                                 const std::optional<std::vector<Package>>& packages) {
  // A namespace whose version ordering Herald does not know can match no
  // feed; it counts as not found.
  if (detected_namespace && version::ForNamespace(*detected_namespace) == nullptr) {
    detected_namespace.reset();
  }
  AnalyzedLayer out;
  out.layer.name = name;
  out.layer.parent_name = parent_name;
  const std::string namespace_name =
      detected_namespace ? *detected_namespace : (parent ? parent->namespace_name : "");
  out.layer.namespace_name = namespace_name;
  if (!packages) return out;  // features: inherited from the parent

  const version::Comparator* own = version::ForNamespace(namespace_name);
  if (!packages->empty() && own == nullptr) {
    throw analyzer::Unprocessable("OS and/or package manager are not supported");
  }
  std::map<std::pair<std::string, std::string>, std::string> parent_namespaces;
  if (parent) {
    for (const auto& lf : parent->features) {
      parent_namespaces.emplace(std::make_pair(lf.feature.name, lf.feature.version),
                                lf.feature.namespace_name);
    }
  }
  out.layer.features.emplace();
  for (const auto& package : *packages) {
    model::FeatureVersion fv{namespace_name, package.name, package.version};
    auto it = parent_namespaces.find({package.name, package.version});
    if (it != parent_namespaces.end()) fv.namespace_name = it->second;
    const version::Comparator* cmp =
        fv.namespace_name == namespace_name ? own : version::ForNamespace(fv.namespace_name);
    if (cmp == nullptr || !cmp->valid(fv.version)) {
      ++out.skipped_packages;
      continue;
    }
    out.layer.features->push_back(std::move(fv));
  }
  return out;
}

}  // namespace herald::inventory
