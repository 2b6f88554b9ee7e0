#include "analyzer/image/image_archive.h"

#include <sys/stat.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "analyzer/archive/layer_reader.h"
#include "analyzer/archive/libarchive.h"
#include "analyzer/fetch/file_source.h"

namespace herald::analyzer {
namespace {

using nlohmann::json;

// Manifests and configs are small; anything bigger is not one.
constexpr std::int64_t kMaxManifestSize = 16 << 20;

std::string MemberPath(const char* raw) {
  return raw == nullptr ? "" : LayerPath(raw, LayerFormat::kDocker);
}

Limits ManifestLimits() {
  Limits limits;
  limits.max_file_size = kMaxManifestSize;
  limits.timeout = std::chrono::minutes(10);
  limits.max_layer_size = std::numeric_limits<std::int64_t>::max();
  return limits;
}

// The data of one member of a tar, read as a stream. The whole archive is
// read under a budget of its own (the members before this one are not this
// layer's bytes); the member's bytes count against the layer's.
class MemberSource : public ByteSource {
 public:
  MemberSource(const std::string& tar, Budget& layer_budget)
      : archive_budget_(ManifestLimits(), nullptr),
        layer_budget_(layer_budget),
        file_(OpenFile(tar, archive_budget_)),
        reader_(*file_, ArchiveReader::Filters::kAll),
        buffer_(1 << 20) {}

  bool Seek(const std::string& member) {
    while (archive_entry* entry = reader_.NextEntry()) {
      if (MemberPath(archive_entry_pathname(entry)) == member &&
          archive_entry_filetype(entry) == AE_IFREG) {
        return true;
      }
    }
    return false;
  }

  std::string_view Next() override {
    layer_budget_.Check();
    const std::size_t n = reader_.ReadData(buffer_.data(), buffer_.size());
    layer_budget_.CountRead(static_cast<std::int64_t>(n));
    return {buffer_.data(), n};
  }

 private:
  Budget archive_budget_;
  Budget& layer_budget_;
  std::unique_ptr<ByteSource> file_;
  ArchiveReader reader_;
  std::vector<char> buffer_;
};

// The named members of a tar, read whole (they are small JSON documents).
std::map<std::string, std::string> ReadMembers(const std::string& tar,
                                               const std::set<std::string>& names) {
  Budget budget(ManifestLimits(), nullptr);
  auto file = OpenFile(tar, budget);
  ArchiveReader reader(*file, ArchiveReader::Filters::kAll);
  std::map<std::string, std::string> out;
  while (archive_entry* entry = reader.NextEntry()) {
    const std::string path = MemberPath(archive_entry_pathname(entry));
    if (names.count(path) == 0 || archive_entry_filetype(entry) != AE_IFREG) continue;
    if (archive_entry_size(entry) > kMaxManifestSize) {
      throw Unprocessable(path + " is too large for an image manifest");
    }
    std::string contents;
    char buffer[64 * 1024];
    while (std::size_t n = reader.ReadData(buffer, sizeof buffer)) contents.append(buffer, n);
    out[path] = std::move(contents);
    if (out.size() == names.size()) break;
  }
  return out;
}

std::string ReadWholeFile(const std::string& path) {
  Budget budget(ManifestLimits(), nullptr);
  auto file = OpenFile(path, budget);
  std::string contents;
  while (true) {
    const std::string_view chunk = file->Next();
    if (chunk.empty()) break;
    contents.append(chunk);
    if (static_cast<std::int64_t>(contents.size()) > kMaxManifestSize) {
      throw Unprocessable(path + " is too large for an image manifest");
    }
  }
  return contents;
}

json ParseJson(const std::string& text, const std::string& what) {
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) throw Unprocessable(what + " is not valid JSON");
  return doc;
}

// "sha256:abc…" → "blobs/sha256/abc…" (OCI image layout).
std::string BlobPath(const json& descriptor, const std::string& what) {
  if (!descriptor.is_object() || !descriptor.contains("digest") ||
      !descriptor["digest"].is_string()) {
    throw Unprocessable(what + " has no digest");
  }
  const std::string digest = descriptor["digest"];
  const std::size_t colon = digest.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == digest.size() ||
      digest.find('/') != std::string::npos) {
    throw Unprocessable(what + " has a malformed digest: " + digest);
  }
  return "blobs/" + digest.substr(0, colon) + "/" + digest.substr(colon + 1);
}

}  // namespace

ImageArchive ImageArchive::Open(const std::string& path) {
  ImageArchive image;
  image.path_ = path;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw BadLayerRequest("cannot open " + path);
  image.directory_ = S_ISDIR(st.st_mode);

  auto read = [&](const std::string& member) -> std::optional<std::string> {
    if (image.directory_) {
      struct stat m {};
      if (::stat((path + "/" + member).c_str(), &m) != 0) return std::nullopt;
      return ReadWholeFile(path + "/" + member);
    }
    auto found = ReadMembers(path, {member});
    if (found.empty()) return std::nullopt;
    return found.begin()->second;
  };

  // docker save wins when both are present (Docker 25+ writes both, and its
  // manifest.json names the layers in order with their diff_ids).
  std::optional<std::string> manifest = image.directory_ ? read("manifest.json") : std::nullopt;
  std::optional<std::string> index;
  if (!image.directory_) {
    auto found = ReadMembers(path, {"manifest.json", "index.json"});
    if (found.count("manifest.json")) manifest = found["manifest.json"];
    if (found.count("index.json")) index = found["index.json"];
  } else {
    index = read("index.json");
  }

  if (manifest) {
    image.kind_ = "docker-save";
    const json doc = ParseJson(*manifest, "manifest.json");
    if (!doc.is_array() || doc.empty() || !doc[0].is_object() || !doc[0].contains("Layers") ||
        !doc[0]["Layers"].is_array()) {
      throw Unprocessable("manifest.json does not list the image's Layers");
    }
    std::vector<std::string> diff_ids;
    if (doc[0].contains("Config") && doc[0]["Config"].is_string()) {
      if (auto config = read(doc[0]["Config"].get<std::string>())) {
        const json c = ParseJson(*config, "the image config");
        if (c.contains("rootfs") && c["rootfs"].is_object() && c["rootfs"].contains("diff_ids") &&
            c["rootfs"]["diff_ids"].is_array()) {
          for (const auto& id : c["rootfs"]["diff_ids"]) {
            if (id.is_string()) diff_ids.push_back(id);
          }
        }
      }
    }
    const json& layers = doc[0]["Layers"];
    for (std::size_t i = 0; i < layers.size(); ++i) {
      if (!layers[i].is_string()) throw Unprocessable("manifest.json: a layer is not a path");
      const std::string member = MemberPath(layers[i].get<std::string>().c_str());
      const std::string digest =
          diff_ids.size() == layers.size() ? diff_ids[i] : member.substr(0, member.find('/'));
      image.layers_.push_back({digest, member});
    }
    return image;
  }
  if (!index) {
    throw Unprocessable(path +
                        " is neither a docker save archive (manifest.json) nor an OCI image "
                        "layout (index.json)");
  }
  image.kind_ = "oci";
  json doc = ParseJson(*index, "index.json");
  // index.json → (maybe a nested index) → the image manifest.
  for (int depth = 0; depth < 4; ++depth) {
    if (doc.contains("layers")) break;
    if (!doc.contains("manifests") || !doc["manifests"].is_array() || doc["manifests"].empty()) {
      throw Unprocessable("index.json lists no manifests");
    }
    const std::string blob = BlobPath(doc["manifests"][0], "the first manifest");
    auto next = read(blob);
    if (!next) throw Unprocessable("the image manifest " + blob + " is missing");
    doc = ParseJson(*next, blob);
  }
  if (!doc.contains("layers") || !doc["layers"].is_array()) {
    throw Unprocessable("the image manifest lists no layers");
  }
  for (const auto& layer : doc["layers"]) {
    image.layers_.push_back({layer.value("digest", ""), BlobPath(layer, "a layer")});
  }
  return image;
}

std::unique_ptr<ByteSource> ImageArchive::OpenLayer(const ImageLayer& layer, Budget& budget) const {
  if (directory_) return OpenFile(path_ + "/" + layer.member, budget);
  auto source = std::make_unique<MemberSource>(path_, budget);
  if (!source->Seek(layer.member)) throw Unprocessable("the archive has no member " + layer.member);
  return source;
}

}  // namespace herald::analyzer
