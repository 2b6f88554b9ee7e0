// The built-in feed parsers, listed once by kind.
#include "updater/parsers/feed_parser.h"

namespace herald::updater {

const std::map<std::string, FeedParserFactory>& FeedParsers() {
  static const std::map<std::string, FeedParserFactory> parsers = {
      {"alpine-secdb", NewAlpineSecdbParser},
      {"debian-tracker", NewDebianTrackerParser},
      {"nvd", NewNvdParser},
      {"osv", NewOsvParser},
      {"rhel-oval", NewRhelOvalParser},
      {"ubuntu-tracker", NewUbuntuTrackerParser},
  };
  return parsers;
}

}  // namespace herald::updater
