#include "api/codec.h"

#include <set>

#include "api/api_error.h"
#include "model/severity.h"
#include "version/comparator.h"

namespace herald::api {
namespace {

using nlohmann::json;

// A member that is absent or null counts as unset, as in Clair v1 (Go).
const json* Member(const json& obj, const char* key) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

std::string String(const json& obj, const char* key, const std::string& where) {
  const json* v = Member(obj, key);
  if (v == nullptr) return {};
  if (!v->is_string()) throw BadRequest(where + "." + key + " must be a string");
  return v->get<std::string>();
}

std::string RequiredString(const json& obj, const char* key, const std::string& where) {
  std::string s = String(obj, key, where);
  if (s.empty()) throw BadRequest(where + "." + key + " is required");
  return s;
}

const json& Envelope(const json& body, const char* key) {
  const json* v = Member(body, key);
  if (v == nullptr) throw BadRequest(std::string(key) + " is required");
  if (!v->is_object()) throw BadRequest(std::string(key) + " must be an object");
  return *v;
}

const version::Comparator& ComparatorFor(const std::string& namespace_name) {
  const version::Comparator* cmp = version::ForNamespace(namespace_name);
  if (cmp == nullptr) {
    throw BadRequest("unknown namespace " + namespace_name +
                     ": its prefix selects no version ordering (debian, ubuntu, centos, rhel, "
                     "fedora, oracle, amzn, opensuse, sles, alpine)");
  }
  return *cmp;
}

// "None" and "#MAXV#" mean "no fix"; "#MINV#" (only in updates) removes.
std::string FixVersion(const std::string& version, const std::string& namespace_name,
                       const std::string& where) {
  if (version.empty()) throw BadRequest(where + ".Version is required");
  if (version == "None" || version == version::kMaxVersion)
    return std::string(version::kMaxVersion);
  if (version == version::kMinVersion) return version;
  if (!ComparatorFor(namespace_name).valid(version)) {
    throw BadRequest(where + ".Version is not a valid version: " + version);
  }
  return version;
}

void SetIfNotEmpty(json& obj, const char* key, const std::string& value) {
  if (!value.empty()) obj[key] = value;
}

// Metadata is stored as canonical JSON text; a damaged value is skipped
// rather than failing the whole response.
void SetMetadata(json& obj, const std::string& metadata) {
  if (metadata.empty()) return;
  json parsed = json::parse(metadata, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_object() && !parsed.empty()) obj["Metadata"] = std::move(parsed);
}

std::string Seconds(model::UnixMillis ms) {
  return std::to_string(ms / 1000);
}

}  // namespace

void RequireKnownNamespace(const std::string& namespace_name) {
  ComparatorFor(namespace_name);
}

DecodedLayer DecodeLayerEnvelope(const json& body) {
  const json& l = Envelope(body, "Layer");
  DecodedLayer out;
  out.layer.name = RequiredString(l, "Name", "Layer");
  out.layer.parent_name = String(l, "ParentName", "Layer");
  out.layer.namespace_name = String(l, "NamespaceName", "Layer");
  const std::string path = String(l, "Path", "Layer");
  const std::string format = String(l, "Format", "Layer");
  if (out.layer.parent_name == out.layer.name)
    throw BadRequest("Layer.ParentName names the layer itself");
  if (!out.layer.namespace_name.empty()) RequireKnownNamespace(out.layer.namespace_name);

  const json* features = Member(l, "Features");
  const json* headers = Member(l, "Headers");
  if (headers != nullptr) {
    if (!headers->is_object()) throw BadRequest("Layer.Headers must be an object");
    for (const auto& [name, value] : headers->items()) {
      if (!value.is_string()) throw BadRequest("Layer.Headers." + name + " must be a string");
      out.headers[name] = value.get<std::string>();
    }
  }
  if (features == nullptr && (!path.empty() || !format.empty() || !out.headers.empty())) {
    if (path.empty()) throw BadRequest("Layer.Path is required to analyse a layer");
    out.analyse = true;
    out.path = path;
    out.format = format;
  }
  if (features != nullptr) {
    if (!features->is_array()) throw BadRequest("Layer.Features must be an array");
    out.layer.features.emplace();

    for (std::size_t i = 0; i < features->size(); ++i) {
      const json& f = (*features)[i];
      const std::string where = "Layer.Features[" + std::to_string(i) + "]";
      if (!f.is_object()) throw BadRequest(where + " must be an object");
      model::FeatureVersion fv;
      fv.name = RequiredString(f, "Name", where);
      fv.version = RequiredString(f, "Version", where);
      fv.namespace_name = String(f, "NamespaceName", where);
      const std::string& ns =
          fv.namespace_name.empty() ? out.layer.namespace_name : fv.namespace_name;
      if (ns.empty() && out.layer.parent_name.empty()) {
        throw BadRequest(where + ".NamespaceName is required when Layer.NamespaceName is not set");
      }
      if (!ns.empty() && !ComparatorFor(ns).valid(fv.version)) {
        throw BadRequest(where + ".Version is not a valid version: " + fv.version);
      }
      out.layer.features->push_back(std::move(fv));
    }
  }

  out.echo = json::object();
  out.echo["Name"] = out.layer.name;
  SetIfNotEmpty(out.echo, "ParentName", out.layer.parent_name);
  SetIfNotEmpty(out.echo, "NamespaceName", out.layer.namespace_name);
  SetIfNotEmpty(out.echo, "Path", path);
  SetIfNotEmpty(out.echo, "Format", format);
  // Headers (a registry token, say) are never echoed back (SPEC §7).
  out.echo["IndexedByVersion"] = kIndexedByVersion;
  return out;
}

model::Vulnerability DecodeVulnerabilityEnvelope(const json& body,
                                                 const std::string& path_namespace,
                                                 const std::string& path_name, bool* has_fixed_in) {
  const json& j = Envelope(body, "Vulnerability");
  model::Vulnerability v;
  v.namespace_name = String(j, "NamespaceName", "Vulnerability");
  if (v.namespace_name.empty()) v.namespace_name = path_namespace;
  if (v.namespace_name != path_namespace) {
    throw BadRequest("Vulnerability.NamespaceName " + v.namespace_name +
                     " does not match the namespace in the path " + path_namespace);
  }
  RequireKnownNamespace(v.namespace_name);
  v.name = String(j, "Name", "Vulnerability");
  if (v.name.empty()) v.name = path_name;
  if (v.name.empty()) throw BadRequest("Vulnerability.Name is required");
  if (!path_name.empty() && v.name != path_name) {
    throw BadRequest("Vulnerability.Name " + v.name + " does not match the name in the path " +
                     path_name);
  }
  v.description = String(j, "Description", "Vulnerability");
  v.link = String(j, "Link", "Vulnerability");
  const std::string severity = RequiredString(j, "Severity", "Vulnerability");
  auto parsed = model::ParseSeverity(severity);
  if (!parsed) {
    throw BadRequest("Vulnerability.Severity " + severity +
                     " is not one of Unknown, Negligible, Low, Medium, High, Critical, Defcon1");
  }
  v.severity = std::string(*parsed);
  if (const json* metadata = Member(j, "Metadata")) {
    if (!metadata->is_object()) throw BadRequest("Vulnerability.Metadata must be an object");
    if (!metadata->empty()) v.metadata = metadata->dump();  // keys sorted: canonical
  }
  *has_fixed_in = false;
  if (const json* fixed = Member(j, "FixedIn")) {
    if (!fixed->is_array()) throw BadRequest("Vulnerability.FixedIn must be an array");
    *has_fixed_in = !fixed->empty();
    std::set<std::string> seen;
    for (std::size_t i = 0; i < fixed->size(); ++i) {
      const json& f = (*fixed)[i];
      const std::string where = "Vulnerability.FixedIn[" + std::to_string(i) + "]";
      if (!f.is_object()) throw BadRequest(where + " must be an object");
      model::FixedIn fix;
      fix.feature = RequiredString(f, "Name", where);
      const std::string ns = String(f, "NamespaceName", where);
      if (!ns.empty() && ns != v.namespace_name) {
        throw BadRequest(where + ".NamespaceName must be the vulnerability's namespace " +
                         v.namespace_name);
      }
      fix.version = FixVersion(String(f, "Version", where), v.namespace_name, where);
      if (!seen.insert(fix.feature).second) {
        throw BadRequest(where + " repeats the feature " + fix.feature);
      }
      v.fixed_in.push_back(std::move(fix));
    }
  }
  return v;
}

model::FixedIn DecodeFixEnvelope(const json& body, const std::string& path_namespace,
                                 const std::string& path_feature) {
  const json& f = Envelope(body, "Feature");
  model::FixedIn fix;
  fix.feature = RequiredString(f, "Name", "Feature");
  if (fix.feature != path_feature) {
    throw BadRequest("Feature.Name " + fix.feature + " does not match the feature in the path " +
                     path_feature);
  }
  const std::string ns = String(f, "NamespaceName", "Feature");
  if (!ns.empty() && ns != path_namespace) {
    throw BadRequest("Feature.NamespaceName must be the vulnerability's namespace " +
                     path_namespace);
  }
  RequireKnownNamespace(path_namespace);
  fix.version = FixVersion(String(f, "Version", "Feature"), path_namespace, "Feature");
  return fix;
}

json EncodeFix(const std::string& namespace_name, const model::FixedIn& fix) {
  return {{"Name", fix.feature},
          {"NamespaceName", namespace_name},
          {"Version", fix.version == version::kMaxVersion ? std::string("None") : fix.version}};
}

json EncodeVulnerability(const model::Vulnerability& v, bool with_fixed_in) {
  json out = json::object();
  out["Name"] = v.name;
  out["NamespaceName"] = v.namespace_name;
  SetIfNotEmpty(out, "Description", v.description);
  SetIfNotEmpty(out, "Link", v.link);
  out["Severity"] = v.severity;
  SetMetadata(out, v.metadata);
  if (with_fixed_in && !v.fixed_in.empty()) {
    json fixed = json::array();
    for (const auto& f : v.fixed_in) fixed.push_back(EncodeFix(v.namespace_name, f));
    out["FixedIn"] = std::move(fixed);
  }
  return out;
}

json EncodeLayer(const model::LayerDetail& layer, bool with_features, bool with_vulnerabilities) {
  json out = json::object();
  out["Name"] = layer.name;
  SetIfNotEmpty(out, "NamespaceName", layer.namespace_name);
  SetIfNotEmpty(out, "ParentName", layer.parent_name);
  out["IndexedByVersion"] = layer.indexed_by_version;
  if ((with_features || with_vulnerabilities) && !layer.features.empty()) {
    json features = json::array();
    for (const auto& lf : layer.features) {
      json f = json::object();
      f["Name"] = lf.feature.name;
      f["NamespaceName"] = lf.feature.namespace_name;
      f["Version"] = lf.feature.version;
      if (with_vulnerabilities && !lf.vulnerabilities.empty()) {
        json vulns = json::array();
        for (const auto& av : lf.vulnerabilities) {
          json v = json::object();
          v["Name"] = av.name;
          v["NamespaceName"] = av.namespace_name;
          SetIfNotEmpty(v, "Description", av.description);
          SetIfNotEmpty(v, "Link", av.link);
          v["Severity"] = av.severity;
          SetMetadata(v, av.metadata);
          SetIfNotEmpty(v, "FixedBy", av.fixed_by);
          vulns.push_back(std::move(v));
        }
        f["Vulnerabilities"] = std::move(vulns);
      }
      f["AddedBy"] = lf.added_by;
      features.push_back(std::move(f));
    }
    out["Features"] = std::move(features);
  }
  return out;
}

void EncodeNotificationTimes(const model::NotificationSummary& s, json& out) {
  out["Created"] = Seconds(s.created);
  if (s.notified) out["Notified"] = Seconds(*s.notified);
  if (s.deleted) out["Deleted"] = Seconds(*s.deleted);
}

json EncodeNotificationSide(const model::NotificationSide& side, std::vector<std::string> layers) {
  json out = {{"Vulnerability", EncodeVulnerability(side.vulnerability, true)}};
  if (!layers.empty()) out["LayersIntroducingVulnerability"] = std::move(layers);
  return out;
}

json EncodeNotificationSummary(const model::NotificationSummary& s) {
  json out = json::object();
  out["Name"] = s.name;
  EncodeNotificationTimes(s, out);
  out["Status"] = std::string(model::ToString(s.status));
  return out;
}

json EncodeDelivery(const model::DeliveryAttempt& a) {
  json out = {{"Receiver", a.receiver},      {"Round", a.round},
              {"Attempt", a.attempt},        {"Started", Seconds(a.started_ms)},
              {"DurationMs", a.duration_ms}, {"Outcome", std::string(model::ToString(a.outcome))}};
  if (a.http_status) out["HTTPStatus"] = *a.http_status;
  SetIfNotEmpty(out, "Error", a.error);
  return out;
}

}  // namespace herald::api
