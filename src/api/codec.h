// The Clair v1 JSON shapes (CLAIR_V1_WIRE.md) ⇄ model types. Decoders
// validate as they go and throw ApiError(400/422) naming the field; encoders
// omit empty fields as Clair v1 did.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "model/delivery.h"
#include "model/layer.h"
#include "model/notification.h"
#include "model/vulnerability.h"

namespace herald::api {

inline constexpr int kIndexedByVersion = model::kEngineVersion;

struct DecodedLayer {
  model::Layer layer;
  nlohmann::json echo;  // the fields Clair v1 echoed back on POST
  // A Clair v1 layer to analyse (no inline Features, SPEC §7): where its
  // tarball is, the request headers to fetch it with, and its format.
  bool analyse = false;
  std::string path;
  std::string format;
  std::map<std::string, std::string> headers;
};

// {"Layer": {...}} from POST /v1/layers. Inline Features win over a Path;
// without Features, a Path (or a Format or Headers) asks for analysis.
DecodedLayer DecodeLayerEnvelope(const nlohmann::json& body);

// {"Vulnerability": {...}}. The namespace comes from the path; a
// NamespaceName in the body must agree. `path_name` (PUT) fills a missing
// Name and must agree with a present one. Sets *has_fixed_in when the body
// carries a non-empty FixedIn.
model::Vulnerability DecodeVulnerabilityEnvelope(const nlohmann::json& body,
                                                 const std::string& path_namespace,
                                                 const std::string& path_name, bool* has_fixed_in);

// {"Feature": {"Name","NamespaceName","Version"}} from PUT .../fixes/:feature.
model::FixedIn DecodeFixEnvelope(const nlohmann::json& body, const std::string& path_namespace,
                                 const std::string& path_feature);

// Validates a namespace name and its version ordering prefix (400 if unknown).
void RequireKnownNamespace(const std::string& namespace_name);

nlohmann::json EncodeVulnerability(const model::Vulnerability& v, bool with_fixed_in);
nlohmann::json EncodeFix(const std::string& namespace_name, const model::FixedIn& fix);
nlohmann::json EncodeLayer(const model::LayerDetail& layer, bool with_features,
                           bool with_vulnerabilities);
// Created/Notified/Deleted as Unix-seconds strings, absent when unset.
void EncodeNotificationTimes(const model::NotificationSummary& s, nlohmann::json& out);
// One side (Old or New) of a notification with some of the layers that
// introduced it; LayersIntroducingVulnerability is absent when there are none.
nlohmann::json EncodeNotificationSide(const model::NotificationSide& side,
                                      std::vector<std::string> layers);
nlohmann::json EncodeNotificationSummary(const model::NotificationSummary& s);
// One entry of /v1/notifications/:name/deliveries.
nlohmann::json EncodeDelivery(const model::DeliveryAttempt& a);

}  // namespace herald::api
