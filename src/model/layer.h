// Layers and the feature versions (packages) they hold.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace herald::model {

// The engine version reported as IndexedByVersion (Clair v1.2 reported 3). A
// layer registered by an older engine would be analysed again by a newer one.
inline constexpr int kEngineVersion = 3;

struct FeatureVersion {
  std::string namespace_name;
  std::string name;
  std::string version;
  bool operator==(const FeatureVersion&) const = default;
};

// A layer as posted. `features` absent means "inherit the parent's set";
// present and empty means the layer has none (SPEC §3).
struct Layer {
  std::string name;
  std::string parent_name;     // "" when the layer is a base layer
  std::string namespace_name;  // "" inherits the parent's
  std::optional<std::vector<FeatureVersion>> features;
};

// A vulnerability affecting one feature version of a layer.
struct AffectingVulnerability {
  std::string namespace_name;
  std::string name;
  std::string description;
  std::string link;
  std::string severity;
  std::string metadata;
  std::string fixed_by;  // "" when there is no fix
};

struct LayerFeature {
  FeatureVersion feature;
  std::string added_by;  // name of the layer that introduced it
  std::vector<AffectingVulnerability> vulnerabilities;
};

struct LayerDetail {
  std::string name;
  std::string parent_name;
  std::string namespace_name;
  int indexed_by_version = 0;
  std::vector<LayerFeature> features;  // filled only when asked for
};

}  // namespace herald::model
