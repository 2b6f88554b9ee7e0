// The documents of one feed source (SPEC §8): fetched over http(s) with the
// validators of the last success, or read from file:// — a file, a directory
// (every file below it, in path order), or an archive (.zip, .tar, .tar.gz,
// .tgz) whose members are streamed without unpacking. Each document reaches
// the visitor as a stream with its name, so a parser never needs the whole
// feed in memory.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <istream>
#include <stdexcept>
#include <string>

namespace herald::updater {

// The source could not be read: unreachable, a non-2xx answer, a redirect
// loop, a timeout, an unreadable file or archive, a member over the cap.
class FetchError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Validators {
  std::string etag;
  std::string last_modified;
};

struct FetchLimits {
  std::int64_t max_document_bytes = 4LL << 30;  // one document or archive member, inflated
  long timeout_seconds = 600;                   // one HTTP transfer
  long max_redirects = 9;
  // When set to true, a transfer in progress is abandoned within a second
  // (FetchError): `herald serve` must not wait out a slow feed on SIGTERM.
  const std::atomic<bool>* stop = nullptr;
};

// Called once per document, in order. `name` is the path relative to the
// source ("" for a single file or an HTTP body that is not an archive).
using DocumentVisitor = std::function<void(std::istream& document, const std::string& name)>;

// Reads every document of `url` into `visit`. For http(s), sends the
// `previous` validators and returns false on a 304 (nothing visited);
// `*current` receives the answer's validators. Throws FetchError; whatever
// `visit` throws passes through.
bool ReadFeedDocuments(const std::string& url, const Validators& previous, Validators* current,
                       const DocumentVisitor& visit, const FetchLimits& limits = {});

}  // namespace herald::updater
