// A chunked request body may reach the server in pieces of any size; Beast's
// parser must take them as HttpServer's read loop hands them over (found by
// tests/fuzz/http_request_fuzz, see src/util/boost_assert.cc).
#include <gtest/gtest.h>

#include <boost/beast/http.hpp>
#include <string>
#include <vector>

namespace herald::api {
namespace {

namespace http = boost::beast::http;

// Feeds `pieces` one after another the way Beast's read loop does: the bytes
// not yet consumed stay at the front of the buffer for the next put.
bool ParsesInPieces(const std::vector<std::string>& pieces) {
  http::request_parser<http::string_body> parser;
  std::string buffer;
  for (const std::string& piece : pieces) {
    buffer += piece;
    while (!parser.is_done()) {
      boost::beast::error_code ec;
      const std::size_t used = parser.put(boost::asio::buffer(buffer), ec);
      buffer.erase(0, used);
      if (ec == http::error::need_more) break;  // wait for the next piece
      if (ec) return false;
      if (used == 0) break;
    }
  }
  return parser.is_done();
}

constexpr const char* kHeader =
    "PUT /v1/namespaces/debian:8/vulnerabilities/CVE-1 HTTP/1.1\r\n"
    "Host: herald\r\nTransfer-Encoding: chunked\r\n\r\n";

TEST(ChunkedBodyTest, AnEmptyBodyMayEndInPieces) {
  // Before src/util/boost_assert.cc, the second piece aborted a debug build.
  EXPECT_TRUE(ParsesInPieces({kHeader, "0\r\n", "\r", "\n"}));
  EXPECT_TRUE(ParsesInPieces({kHeader, "0\r\n", "\r\n"}));
  EXPECT_TRUE(ParsesInPieces({kHeader, "0", "\r", "\n", "\r", "\n"}));
}

TEST(ChunkedBodyTest, ChunksInPiecesStillParse) {
  EXPECT_TRUE(ParsesInPieces({kHeader, "2\r\n{}", "\r\n0\r\n", "\r", "\n"}));
  EXPECT_FALSE(ParsesInPieces({kHeader, "2\r\n{}", "\r\nzz\r\n\r\n"}));
}

}  // namespace
}  // namespace herald::api
