// Shared by the feed parser tests: test documents, readable failure output
// for vulnerabilities, and documents too large to hold in memory.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <istream>
#include <ostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "model/vulnerability.h"
#include "updater/parsers/feed_parser.h"

namespace herald::model {

inline void PrintTo(const Vulnerability& v, std::ostream* os) {
  *os << "{" << v.namespace_name << " " << v.name << " severity=" << v.severity
      << " link=" << v.link << " description=\"" << v.description.substr(0, 60)
      << (v.description.size() > 60 ? "...\"" : "\"") << " fixed_in=[";
  for (const FixedIn& f : v.fixed_in) {
    *os << " " << f.feature << "@" << f.version;
  }
  *os << " ]}";
}

}  // namespace herald::model

namespace herald::updater::testing {

// tests/data/feeds/<relative>. The unit test binary may be built without
// HERALD_SOURCE_DIR; this header's own path then says where the tree is.
inline std::string FeedDataPath(std::string_view relative) {
#ifdef HERALD_SOURCE_DIR
  const std::string root = HERALD_SOURCE_DIR;
#else
  const std::string file = __FILE__;
  const std::size_t at = file.rfind("tests/unit/updater/parsers/");
  const std::string root = at == std::string::npos || at == 0 ? "." : file.substr(0, at - 1);
#endif
  return root + "/tests/data/feeds/" + std::string(relative);
}

// Parses the named files of tests/data/feeds/ in order, as one snapshot.
inline FeedResult ParseFiles(FeedParser& parser, const std::vector<std::string>& files) {
  for (const std::string& file : files) {
    std::ifstream in(FeedDataPath(file), std::ios::binary);
    EXPECT_TRUE(in.is_open()) << FeedDataPath(file);
    parser.Parse(in, file);
  }
  return parser.Finish();
}

inline FeedResult ParseText(FeedParser& parser, std::string_view text,
                            const std::string& name = "doc.json") {
  std::istringstream in{std::string(text)};
  parser.Parse(in, name);
  return parser.Finish();
}

// tests/data/feeds/<relative>, whole.
inline std::string ReadFeedData(std::string_view relative) {
  std::ifstream in(FeedDataPath(relative), std::ios::binary);
  EXPECT_TRUE(in.good()) << relative;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// (document name, contents), in the order a source would give them.
using Documents = std::vector<std::pair<std::string, std::string>>;

// Parses `documents` in order, as one snapshot.
inline FeedResult ParseDocuments(FeedParser& parser, const Documents& documents) {
  for (const auto& [name, contents] : documents) {
    std::istringstream in(contents);
    parser.Parse(in, name);
  }
  return parser.Finish();
}

// FeedResult promises no order; tests compare in (namespace, name) order.
inline std::vector<model::Vulnerability> Sorted(std::vector<model::Vulnerability> v) {
  std::ranges::sort(v, [](const model::Vulnerability& a, const model::Vulnerability& b) {
    return std::tie(a.namespace_name, a.name) < std::tie(b.namespace_name, b.name);
  });
  return v;
}

// The message of the ParseError `parse` throws; fails the test when it
// throws nothing or something else (an nlohmann exception escaping, say).
template <typename Parse>
std::string ParseErrorOf(Parse parse) {
  try {
    parse();
  } catch (const ParseError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a ParseError: " << e.what();
    return "";
  }
  ADD_FAILURE() << "no ParseError";
  return "";
}

// `prefix`, then `count` copies of `fill`, then `suffix`, made as they are
// read, so that a test can hand a parser 100 MB without holding them.
// bytes_read() tells how far the parser got.
class GeneratedStreambuf : public std::streambuf {
 public:
  GeneratedStreambuf(std::string prefix, char fill, std::uint64_t count, std::string suffix)
      : prefix_(std::move(prefix)), fill_(fill), count_(count), suffix_(std::move(suffix)) {}

  std::uint64_t bytes_read() const {
    return produced_ - static_cast<std::uint64_t>(egptr() - gptr());
  }

 protected:
  int_type underflow() override {
    const std::uint64_t fill_end = prefix_.size() + count_;
    const std::uint64_t total = fill_end + suffix_.size();
    if (produced_ >= total) {
      return traits_type::eof();
    }
    std::size_t n = 0;
    if (produced_ < prefix_.size()) {
      n = std::min(sizeof(chunk_), static_cast<std::size_t>(prefix_.size() - produced_));
      std::copy_n(prefix_.data() + produced_, n, chunk_);
    } else if (produced_ < fill_end) {
      n = static_cast<std::size_t>(std::min<std::uint64_t>(sizeof(chunk_), fill_end - produced_));
      std::fill_n(chunk_, n, fill_);
    } else {
      n = std::min(sizeof(chunk_), static_cast<std::size_t>(total - produced_));
      std::copy_n(suffix_.data() + (produced_ - fill_end), n, chunk_);
    }
    produced_ += n;
    setg(chunk_, chunk_, chunk_ + n);
    return traits_type::to_int_type(chunk_[0]);
  }

 private:
  std::string prefix_;
  char fill_;
  std::uint64_t count_;
  std::string suffix_;
  std::uint64_t produced_ = 0;
  char chunk_[1 << 16];
};

}  // namespace herald::updater::testing
