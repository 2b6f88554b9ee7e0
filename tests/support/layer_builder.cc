#include "support/layer_builder.h"

#include <filesystem>
#include <stdexcept>

namespace herald::testing {
namespace {

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

}  // namespace

void Shell(const std::string& script) {
  const CommandResult r = RunCommand({"sh", "-c", script});
  if (r.exit_code != 0) {
    throw std::runtime_error("command failed (" + std::to_string(r.exit_code) + "): " + script +
                             "\n" + r.output);
  }
}

std::string WriteGzipBomb(const std::string& out) {
  const std::string dir = std::filesystem::path(out).parent_path();
  Shell("cd " + Quote(dir) +
        " && python3 -c \"import sys,tarfile; t=tarfile.TarInfo('usr/share/bomb'); "
        "t.size=10<<30; sys.stdout.buffer.write(t.tobuf(format=tarfile.GNU_FORMAT))\" "
        "| gzip > bomb-head.gz && head -c 67108864 /dev/zero | gzip -1 > bomb-zeros.gz && "
        "(cat bomb-head.gz; for i in $(seq 160); do cat bomb-zeros.gz; done) > " +
        Quote(out) + " && rm bomb-head.gz bomb-zeros.gz");
  return out;
}

std::string WriteManyEntriesLayer(const std::string& out, int count) {
  Shell(
      "python3 -c \"import io,sys,tarfile\n"
      "with tarfile.open(sys.argv[1],'w:gz',compresslevel=1) as t:\n"
      "  for i in range(int(sys.argv[2])):\n"
      "    t.addfile(tarfile.TarInfo('usr/share/doc/f%d' % i), io.BytesIO(b''))\n"
      "  d=open('/etc/os-release','rb').read(); i=tarfile.TarInfo('etc/os-release'); "
      "i.size=len(d); t.addfile(i, io.BytesIO(d))\" " +
      Quote(out) + " " + std::to_string(count));
  return out;
}

LayerBuilder::LayerBuilder() : root_(staging_.File("root")) {
  std::filesystem::create_directories(root_);
}

LayerBuilder& LayerBuilder::File(const std::string& path, const std::string& contents) {
  const std::filesystem::path full = std::filesystem::path(root_) / path;
  std::filesystem::create_directories(full.parent_path());
  WriteFile(full, contents);
  return *this;
}

LayerBuilder& LayerBuilder::Copy(const std::string& path, const std::string& host_path) {
  const std::filesystem::path full = std::filesystem::path(root_) / path;
  std::filesystem::create_directories(full.parent_path());
  std::filesystem::copy_file(host_path, full, std::filesystem::copy_options::overwrite_existing);
  return *this;
}

LayerBuilder& LayerBuilder::Symlink(const std::string& path, const std::string& target) {
  const std::filesystem::path full = std::filesystem::path(root_) / path;
  std::filesystem::create_directories(full.parent_path());
  std::filesystem::create_symlink(target, full);
  return *this;
}

std::string LayerBuilder::Pack(const std::string& out, Compression compression,
                               const std::string& prefix) const {
  std::string filter;
  switch (compression) {
    case Compression::kNone:
      filter = "cat";
      break;
    case Compression::kGzip:
      filter = "gzip -6";
      break;
    case Compression::kBzip2:
      filter = "bzip2";
      break;
    case Compression::kXz:
      filter = "xz";
      break;
    case Compression::kZstd:
      filter = "zstd -q";
      break;
  }
  std::string transform;
  if (!prefix.empty()) transform = " --transform " + Quote("s,^\\.,./" + prefix + ",");
  Shell("tar -C " + Quote(root_) + transform + " -cf - . | " + filter + " > " + Quote(out));
  return out;
}

}  // namespace herald::testing
