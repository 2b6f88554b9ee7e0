// How an analysed layer becomes a stored layer (SPEC §7): the namespace it
// inherits, the namespace each package is filed under, and what happens when
// the layer holds no package database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/layer.h"

namespace herald::inventory {

struct Package {
  std::string name;
  std::string version;
};

struct AnalyzedLayer {
  model::Layer layer;
  int skipped_packages = 0;  // versions not valid for the namespace's ordering
};

// `parent` is the stored parent with its features (nullopt for a base layer).
// `detected_namespace` is what the namespace detectors found; `packages` is
// nullopt when the layer holds no package database (it then inherits its
// parent's features, as in Clair v1).
//
// A package whose name and version are the same as one of the parent's keeps
// the parent's namespace, so it keeps the parent's AddedBy (Clair v1: after a
// dist-upgrade the packages that were not upgraded stay "debian:7"). Throws
// AnalysisError 422 when the layer has packages but neither it nor its
// ancestors name an OS Herald knows.
AnalyzedLayer BuildAnalyzedLayer(const std::string& name, const std::string& parent_name,
                                 const std::optional<model::LayerDetail>& parent,
                                 std::optional<std::string> detected_namespace,
                                 const std::optional<std::vector<Package>>& packages);

}  // namespace herald::inventory
