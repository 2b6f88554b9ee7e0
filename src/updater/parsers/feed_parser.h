// Feed parsers (SPEC §8): one file per source kind, each a streaming reader
// from the documents of one source snapshot to the vulnerabilities it lists,
// registered by kind. The I/O (HTTP, files, zips) stays outside them: a
// parser is handed each document as a stream, in the order the source gives
// them, and then asked for the result.
#pragma once

#include <cstdint>
#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "model/vulnerability.h"
#include "updater/parsers/vulnerability_stream.h"

namespace herald::updater {

// A document that is not what its kind says: truncated, wrong types, not
// JSON/XML. The source fails as a whole and changes nothing.
class ParseError : public std::runtime_error {
 public:
  // `document`: its name within the source ("" for a single file);
  // `position`: a byte offset or "line N", as the format gives it.
  ParseError(const std::string& document, const std::string& position, const std::string& what)
      : std::runtime_error((document.empty() ? "" : document + ": ") +
                           (position.empty() ? "" : position + ": ") + what) {}
};

struct FeedResult {
  // Every vulnerability the snapshot lists, one per (namespace, name), with
  // FixedIn sorted by feature and one entry per feature; severity one of
  // model::kSeverities; metadata "" or a JSON object's text.
  VulnerabilityStream vulnerabilities;
  // Metadata-only kinds (nvd): per vulnerability name (a CVE id), an object
  // whose keys are merged into the Metadata of every stored vulnerability of
  // that name, in every namespace.
  std::map<std::string, std::string> metadata_by_name;
  // What was skipped on purpose, by reason ("unknown release sid-x",
  // "ecosystem PyPI"): counted, never an error.
  std::map<std::string, std::int64_t> skipped;
};

class FeedParser {
 public:
  virtual ~FeedParser() = default;
  // Reads one document of the snapshot. Throws ParseError. Memory use must
  // not grow with the document's size beyond what the result holds.
  virtual void Parse(std::istream& document, const std::string& document_name) = 0;
  // The vulnerabilities of every document parsed so far.
  virtual FeedResult Finish() = 0;
};

using FeedParserFactory = std::function<std::unique_ptr<FeedParser>()>;

// Every parser kind: debian-tracker, ubuntu-tracker, rhel-oval,
// alpine-secdb, osv, nvd.
const std::map<std::string, FeedParserFactory>& FeedParsers();

// One factory per parser file.
std::unique_ptr<FeedParser> NewDebianTrackerParser();
std::unique_ptr<FeedParser> NewUbuntuTrackerParser();
std::unique_ptr<FeedParser> NewRhelOvalParser();
std::unique_ptr<FeedParser> NewAlpineSecdbParser();
std::unique_ptr<FeedParser> NewOsvParser();
std::unique_ptr<FeedParser> NewNvdParser();

}  // namespace herald::updater
