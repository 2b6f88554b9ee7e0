#include "analyzer/fetch/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

namespace herald::analyzer {
namespace {

constexpr std::size_t kChunk = 1 << 20;

class FileSource : public ByteSource {
 public:
  FileSource(int fd, Budget& budget) : fd_(fd), budget_(budget), buffer_(new char[kChunk]) {}
  ~FileSource() override { ::close(fd_); }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;

  std::string_view Next() override {
    budget_.Check();
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.get(), kChunk);
    } while (n < 0 && errno == EINTR);
    if (n < 0) throw Unprocessable(std::string("could not read layer: ") + std::strerror(errno));
    budget_.CountRead(n);
    return {buffer_.get(), static_cast<std::size_t>(n)};
  }

 private:
  int fd_;
  Budget& budget_;
  std::unique_ptr<char[]> buffer_;
};

bool Inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d) {
    if (d->empty()) continue;  // a trailing separator
    if (p == path.end() || *p != *d) return false;
    ++p;
  }
  return true;
}

bool InsideAny(const std::filesystem::path& path, const std::vector<std::filesystem::path>& dirs) {
  for (const auto& dir : dirs) {
    if (Inside(path, dir)) return true;
  }
  return false;
}

std::string RealPath(const std::string& path) {
  char resolved[PATH_MAX];
  if (::realpath(path.c_str(), resolved) == nullptr) return "";
  return resolved;
}

AnalysisError Refused(const std::string& path, const std::vector<std::string>& allowed_dirs) {
  if (allowed_dirs.empty()) {
    return BadLayerRequest("local layer paths are refused: analyzer.localPaths is empty (" + path +
                           ")");
  }
  return BadLayerRequest("local layer path refused: " + path +
                         " is not inside a directory listed in analyzer.localPaths");
}

}  // namespace

std::unique_ptr<ByteSource> OpenFile(const std::string& path, Budget& budget) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw BadLayerRequest("cannot open " + path + ": " + std::strerror(errno));
  auto source = std::make_unique<FileSource>(fd, budget);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw BadLayerRequest(path + " is not a regular file");
  }
  return source;
}

std::unique_ptr<ByteSource> OpenLocalLayer(const std::string& raw_path,
                                           const std::vector<std::string>& allowed_dirs,
                                           Budget& budget) {
  std::string path = raw_path;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  if (path.empty() || path.find('\0') != std::string::npos) {
    throw BadLayerRequest("Layer.Path is not a valid path or URL");
  }
  // First lexically, so that a path outside every allowed directory is
  // refused without saying whether it exists.
  const auto lexical = std::filesystem::absolute(path).lexically_normal();
  std::vector<std::filesystem::path> lexical_dirs, real_dirs;
  for (const auto& dir : allowed_dirs) {
    lexical_dirs.push_back(std::filesystem::path(dir).lexically_normal());
    const std::string real = RealPath(dir);
    if (!real.empty()) real_dirs.emplace_back(real);
  }
  if (!InsideAny(lexical, lexical_dirs)) throw Refused(raw_path, allowed_dirs);

  // Then as the kernel resolves it: no symlink may lead out.
  const std::string real = RealPath(path);
  if (real.empty()) {
    throw BadLayerRequest("could not find layer: " + raw_path + ": " + std::strerror(errno));
  }
  if (!InsideAny(real, real_dirs)) throw Refused(raw_path, allowed_dirs);

  const int fd = ::open(real.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) {
    throw BadLayerRequest("could not find layer: " + raw_path + ": " + std::strerror(errno));
  }
  auto source = std::make_unique<FileSource>(fd, budget);
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    throw BadLayerRequest("could not find layer: " + raw_path + " is not a regular file");
  }
  // The file that was opened, not the name that was checked: a symlink
  // swapped in between the two would show here.
  if (!InsideAny(RealPath("/proc/self/fd/" + std::to_string(fd)), real_dirs)) {
    throw Refused(raw_path, allowed_dirs);
  }
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  return source;
}

}  // namespace herald::analyzer
