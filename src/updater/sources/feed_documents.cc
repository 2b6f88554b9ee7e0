#include "updater/sources/feed_documents.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <streambuf>
#include <vector>

#include "analyzer/analysis_error.h"
#include "analyzer/archive/libarchive.h"
#include "analyzer/budget.h"
#include "analyzer/fetch/file_source.h"
#include "util/curl.h"

namespace herald::updater {
namespace {

namespace fs = std::filesystem;

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool IsArchiveName(const std::string& path) {
  for (const char* ext : {".zip", ".tar", ".tar.gz", ".tgz", ".tar.xz", ".tar.zst"}) {
    if (EndsWith(path, ext)) return true;
  }
  return false;
}

// An archive member as a std::istream, capped at limits.max_document_bytes.
class MemberStreambuf : public std::streambuf {
 public:
  MemberStreambuf(analyzer::ArchiveReader& reader, std::int64_t cap, std::string name)
      : reader_(reader), cap_(cap), name_(std::move(name)), buffer_(1 << 16) {}

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    std::size_t n;
    try {
      n = reader_.ReadData(buffer_.data(), buffer_.size());
    } catch (const analyzer::AnalysisError& e) {
      throw FetchError(name_ + ": " + e.what());
    }
    total_ += static_cast<std::int64_t>(n);
    if (total_ > cap_) {
      throw FetchError(name_ + ": larger than " + std::to_string(cap_) +
                       " bytes once decompressed (a zip bomb?)");
    }
    if (n == 0) return traits_type::eof();
    setg(buffer_.data(), buffer_.data(), buffer_.data() + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  analyzer::ArchiveReader& reader_;
  std::int64_t cap_;
  std::string name_;
  std::int64_t total_ = 0;
  std::vector<char> buffer_;
};

void VisitArchive(const std::string& path, const DocumentVisitor& visit,
                  const FetchLimits& limits) {
  analyzer::Limits unlimited;
  unlimited.max_layer_size = std::numeric_limits<std::int64_t>::max();
  unlimited.timeout = std::chrono::hours(24);
  analyzer::Budget budget(unlimited, nullptr);
  try {
    auto file = analyzer::OpenFile(path, budget);
    analyzer::ArchiveReader reader(*file, analyzer::ArchiveReader::Filters::kAll,
                                   analyzer::ArchiveReader::Formats::kTarAndZip);
    while (archive_entry* entry = reader.NextEntry()) {
      if (archive_entry_filetype(entry) != AE_IFREG) continue;
      const char* raw = archive_entry_pathname(entry);
      std::string name = raw == nullptr ? "" : raw;
      while (name.rfind("./", 0) == 0) name.erase(0, 2);
      MemberStreambuf buf(reader, limits.max_document_bytes, name);
      std::istream in(&buf);
      // The streambuf's FetchError (a zip bomb) reaches the caller as it is.
      in.exceptions(std::ios::badbit);
      visit(in, name);
    }
  } catch (const analyzer::AnalysisError& e) {
    throw FetchError(path + ": " + e.what());
  }
}

void VisitFile(const std::string& path, const std::string& name, const DocumentVisitor& visit,
               const FetchLimits& limits) {
  if (IsArchiveName(path)) return VisitArchive(path, visit, limits);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FetchError("cannot read " + path);
  if (static_cast<std::int64_t>(fs::file_size(path)) > limits.max_document_bytes) {
    throw FetchError(path + " is larger than " + std::to_string(limits.max_document_bytes) +
                     " bytes");
  }
  visit(in, name);
}

void VisitLocal(const std::string& path, const DocumentVisitor& visit, const FetchLimits& limits) {
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec || !fs::exists(status)) throw FetchError("cannot read " + path + ": no such file");
  if (!fs::is_directory(status)) return VisitFile(path, "", visit, limits);
  std::vector<fs::path> files;
  for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (it->is_regular_file()) files.push_back(it->path());
  }
  if (ec) throw FetchError("cannot list " + path + ": " + ec.message());
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    VisitFile(file.string(), fs::relative(file, path).string(), visit, limits);
  }
}

// A temporary file removed with this object: HTTP bodies land here, so that
// archives can be read with libarchive and memory stays bounded.
class TempFile {
 public:
  TempFile() {
    std::string pattern = (fs::temp_directory_path() / "herald-feed.XXXXXX").string();
    fd_ = ::mkstemp(pattern.data());
    if (fd_ < 0) throw FetchError("cannot create a temporary file for the download");
    path_ = pattern;
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

struct Download {
  TempFile file;
  std::int64_t bytes = 0;
  std::int64_t cap = 0;
  bool too_large = false;
  Validators validators;
};

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* d = static_cast<Download*>(user);
  const size_t n = size * count;
  d->bytes += static_cast<std::int64_t>(n);
  if (d->bytes > d->cap) {
    d->too_large = true;
    return 0;
  }
  size_t written = 0;
  while (written < n) {
    const ssize_t w = ::write(d->file.fd(), data + written, n - written);
    if (w <= 0) return 0;
    written += static_cast<size_t>(w);
  }
  return n;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* d = static_cast<Download*>(user);
  std::string line(data, size * count);
  const auto colon = line.find(':');
  if (colon != std::string::npos) {
    std::string key = line.substr(0, colon);
    std::transform(key.begin(), key.end(), key.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string value = line.substr(colon + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n')) value.pop_back();
    if (key == "etag") d->validators.etag = value;
    if (key == "last-modified") d->validators.last_modified = value;
  }
  return size * count;
}

// libcurl calls this at least once a second, even on a stalled transfer.
int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* stop = static_cast<const std::atomic<bool>*>(user);
  return stop != nullptr && stop->load() ? 1 : 0;
}

bool VisitHttp(const std::string& url, const Validators& previous, Validators* current,
               const DocumentVisitor& visit, const FetchLimits& limits) {
  util::EnsureCurlGlobalInit();
  util::CurlEasy easy(curl_easy_init());
  if (!easy) throw std::bad_alloc();
  Download download;
  download.cap = limits.max_document_bytes;
  std::vector<std::string> headers;
  if (!previous.etag.empty()) headers.push_back("If-None-Match: " + previous.etag);
  if (!previous.last_modified.empty()) {
    headers.push_back("If-Modified-Since: " + previous.last_modified);
  }
  util::CurlSlist header_list = util::MakeHeaderList(headers);
  char error[CURL_ERROR_SIZE] = {};
  CURL* e = easy.get();
  curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(e, CURLOPT_MAXREDIRS, limits.max_redirects);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT, limits.timeout_seconds);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");  // gzip on the wire, inflated by curl
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &download);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &download);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "herald/" HERALD_VERSION);
  curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, &OnProgress);
  curl_easy_setopt(e, CURLOPT_XFERINFODATA, limits.stop);
  const CURLcode code = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  if (download.too_large) {
    throw FetchError(url + ": larger than " + std::to_string(limits.max_document_bytes) + " bytes");
  }
  if (code == CURLE_ABORTED_BY_CALLBACK) throw FetchError("abandoned: herald is stopping");
  if (code != CURLE_OK) {
    throw FetchError(url + ": " + (error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  if (status == 304) return false;
  if (status < 200 || status > 299) {
    throw FetchError(url + ": the server answered HTTP " + std::to_string(status));
  }
  if (current != nullptr) *current = download.validators;
  // The path decides how the body is read: an archive by its name, else one
  // document.
  std::string path = url.substr(0, url.find_first_of("?#"));
  if (IsArchiveName(path)) {
    VisitArchive(download.file.path(), visit, limits);
  } else {
    std::ifstream in(download.file.path(), std::ios::binary);
    visit(in, "");
  }
  return true;
}

}  // namespace

bool ReadFeedDocuments(const std::string& url, const Validators& previous, Validators* current,
                       const DocumentVisitor& visit, const FetchLimits& limits) {
  if (url.rfind("file://", 0) == 0) {
    VisitLocal(url.substr(7), visit, limits);
    return true;
  }
  return VisitHttp(url, previous, current, visit, limits);
}

}  // namespace herald::updater
