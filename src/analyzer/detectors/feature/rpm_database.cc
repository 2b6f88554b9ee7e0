#include "analyzer/detectors/feature/rpm_database.h"

#include <fcntl.h>
#include <rpm/header.h>
#include <rpm/rpmdb.h>
#include <rpm/rpmlib.h>
#include <rpm/rpmlog.h>
#include <rpm/rpmmacro.h>
#include <rpm/rpmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "analyzer/detectors/feature/sqlite_header_check.h"

namespace herald::analyzer {
namespace {

// librpm reads a database only from a directory, through macros and a log
// that are process-wide: every use holds this lock from start to end.
std::mutex& LibrpmMutex() {
  static std::mutex mutex;
  return mutex;
}

[[noreturn]] void ThrowErrno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// A fresh directory only this process can enter, removed with its contents.
// The layer's bytes are untrusted: nobody else may swap or read them.
class PrivateDirectory {
 public:
  PrivateDirectory() {
    std::string pattern = (std::filesystem::temp_directory_path() / "herald-rpmdb-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      ThrowErrno("cannot create a directory for the rpm database");
    }
    path_ = std::move(pattern);
  }
  ~PrivateDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateDirectory(const PrivateDirectory&) = delete;
  PrivateDirectory& operator=(const PrivateDirectory&) = delete;

  const std::string& path() const { return path_; }

  void Write(std::string_view name, std::string_view contents) const {
    if (name.empty() || name.find('/') != std::string_view::npos || name == "." || name == "..") {
      throw std::invalid_argument("not an rpm database file name: " + std::string(name));
    }
    const std::string file = path_ + "/" + std::string(name);
    const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) ThrowErrno("cannot create " + file);
    while (!contents.empty()) {
      const ssize_t n = write(fd, contents.data(), contents.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        const int saved = errno;
        close(fd);
        errno = saved;
        ThrowErrno("cannot write " + file);
      }
      contents.remove_prefix(static_cast<std::size_t>(n));
    }
    if (close(fd) != 0) ThrowErrno("cannot write " + file);
  }

 private:
  std::string path_;
};

// Collects what librpm logs while it is alive instead of letting librpm
// print it, and frees the copies librpm keeps of every warning and error
// (they would otherwise pile up for the life of the server).
class LogCapture {
 public:
  LogCapture() { rpmlogSetCallback(&LogCapture::Collect, this); }
  ~LogCapture() {
    rpmlogSetCallback(nullptr, nullptr);
    rpmlogClose();
  }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  bool has_errors() const { return !errors_.empty(); }

  // The first errors librpm logged, or `fallback` when there were none.
  std::string Reason(std::string fallback) const {
    if (errors_.empty()) return fallback;
    std::string reason;
    for (const std::string& e : errors_) {
      if (!reason.empty()) reason += "; ";
      reason += e;
    }
    if (dropped_ > 0) reason += " (and " + std::to_string(dropped_) + " more)";
    return reason;
  }

 private:
  static constexpr std::size_t kMaxErrors = 3;

  // Returning 0 rather than RPMLOG_DEFAULT also keeps librpm from calling
  // exit() after a critical message.
  static int Collect(rpmlogRec rec, rpmlogCallbackData data) {
    auto* self = static_cast<LogCapture*>(data);
    if (rpmlogRecPriority(rec) <= RPMLOG_ERR) {
      if (self->errors_.size() < kMaxErrors) {
        self->errors_.push_back(OneLine(rpmlogRecMessage(rec)));
      } else {
        ++self->dropped_;
      }
    }
    return 0;
  }

  // librpm's messages span lines and pad numbers; the reason ends up in
  // one API error message.
  static std::string OneLine(std::string_view message) {
    std::string out;
    bool space = false;
    bool newline = false;
    for (const char c : message) {
      if (c == '\n') {
        newline = true;
      } else if (c == ' ' || c == '\t') {
        space = true;
      } else {
        if (!out.empty() && newline) {
          out += "; ";
        } else if (!out.empty() && space) {
          out += ' ';
        }
        out += c;
        space = newline = false;
      }
    }
    return out;
  }

  std::vector<std::string> errors_;
  std::size_t dropped_ = 0;
};

// Reads rpm's configuration (rpmrc, macros) once per process: librpm needs
// it before it can open a database.
void RequireConfiguration(const LogCapture& log) {
  static const bool configured = rpmReadConfigFiles(nullptr, nullptr) == 0;
  if (!configured) {
    throw RpmDatabaseError(log.Reason("librpm could not read its configuration files"));
  }
}

// Defines a macro for the life of the object; librpm finds its database
// directory and format through macros only.
class MacroOverride {
 public:
  MacroOverride(const char* name, std::string_view value) : name_(name) {
    // '%' would start a macro expansion inside the value.
    std::string body;
    for (const char c : value) {
      body += c;
      if (c == '%') body += '%';
    }
    rpmPushMacro(nullptr, name_, nullptr, body.c_str(), RMIL_CMDLINE);
  }
  ~MacroOverride() { rpmPopMacro(nullptr, name_); }
  MacroOverride(const MacroOverride&) = delete;
  MacroOverride& operator=(const MacroOverride&) = delete;

 private:
  const char* name_;
};

struct TransactionFree {
  void operator()(rpmts ts) const { rpmtsFree(ts); }
};
using Transaction = std::unique_ptr<rpmts_s, TransactionFree>;

struct IteratorFree {
  void operator()(rpmdbMatchIterator it) const { rpmdbFreeIterator(it); }
};
using Iterator = std::unique_ptr<rpmdbMatchIterator_s, IteratorFree>;

// librpm's name for the backend that reads each format. Naming it rather
// than letting librpm guess from the files keeps a host's rpm macros out of
// the choice.
std::string_view BackendFor(std::span<const RpmDatabaseFile> files) {
  for (const RpmDatabaseFile& f : files) {
    if (f.name == "rpmdb.sqlite") return "sqlite";
    if (f.name == "Packages") return "bdb_ro";
    if (f.name == "Packages.db") return "ndb";
  }
  throw std::invalid_argument("no rpm database file among the files given");
}

void ReplaceAll(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) {
    s.replace(at, from.size(), to);
  }
}

// librpm names the files it failed on by their temporary path, which means
// nothing to the client that sent the layer; they keep their own names.
RpmDatabaseError Failure(std::string reason, const PrivateDirectory& directory) {
  ReplaceAll(reason, directory.path() + "/", "");
  ReplaceAll(reason, directory.path(), "its directory");
  return RpmDatabaseError(reason);
}

std::string String(Header h, rpmTagVal tag) {
  const char* s = headerGetString(h, tag);
  return s == nullptr ? std::string() : std::string(s);
}

RpmHeader ReadHeader(Header h) {
  RpmHeader header{.name = String(h, RPMTAG_NAME),
                   .epoch = std::nullopt,
                   .version = String(h, RPMTAG_VERSION),
                   .release = String(h, RPMTAG_RELEASE)};
  if (headerIsEntry(h, RPMTAG_EPOCH)) header.epoch = headerGetNumber(h, RPMTAG_EPOCH);
  return header;
}

}  // namespace

std::vector<RpmHeader> ReadRpmDatabase(std::span<const RpmDatabaseFile> files) {
  const std::string_view backend = BackendFor(files);
  for (const RpmDatabaseFile& f : files) {
    if (f.name != "rpmdb.sqlite") continue;
    if (std::string problem = SqliteHeaderProblem(f.contents); !problem.empty()) {
      throw RpmDatabaseError(problem);
    }
  }
  // Declared in the order they must be undone in reverse: librpm closes the
  // database before the macros go, and the files go last.
  const std::lock_guard<std::mutex> lock(LibrpmMutex());
  const PrivateDirectory directory;
  for (const RpmDatabaseFile& f : files) directory.Write(f.name, f.contents);
  const LogCapture log;
  RequireConfiguration(log);
  const MacroOverride dbpath("_dbpath", directory.path());
  const MacroOverride db_backend("_db_backend", backend);

  const Transaction ts(rpmtsCreate());
  rpmtsSetRootDir(ts.get(), "/");
  // Signatures need keys the layer's database does not carry; the headers'
  // own digests are still checked.
  rpmtsSetVSFlags(ts.get(), rpmtsVSFlags(ts.get()) | RPMVSF_MASK_NOSIGNATURES);
  if (rpmtsOpenDB(ts.get(), O_RDONLY) != 0) {
    throw Failure(log.Reason("librpm could not open it"), directory);
  }
  // A librpm built without this format's backend silently opens an empty
  // stand-in database; only the backend in use names the file it reads.
  struct stat st {};
  if (rpmdbFStat(rpmtsGetRdb(ts.get()), &st) != 0) {
    throw RpmDatabaseError("this librpm has no " + std::string(backend) + " backend");
  }

  std::vector<RpmHeader> headers;
  {
    const Iterator it(rpmtsInitIterator(ts.get(), RPMDBI_PACKAGES, nullptr, 0));
    if (it == nullptr) throw Failure(log.Reason("librpm could not iterate over it"), directory);
    while (Header h = rpmdbNextIterator(it.get())) headers.push_back(ReadHeader(h));
  }
  // librpm skips a damaged header with an error and goes on; a partial
  // list would hide packages, so it fails the whole database.
  if (log.has_errors()) throw Failure(log.Reason(""), directory);
  return headers;
}

}  // namespace herald::analyzer
