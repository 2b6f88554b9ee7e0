// A source's documents (SPEC §8) from a real HTTP server on loopback and from
// real files, directories and archives: conditional requests, failures that
// must fail the source, and archives that must not fill memory.
#include "updater/sources/feed_documents.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <iterator>
#include <thread>

#include "support/layer_builder.h"
#include "support/layer_server.h"

namespace herald::updater {
namespace {

using testing::Shell;
using testing::TempDir;
using testing::WriteFile;

// Every document as (name, text).
std::vector<std::pair<std::string, std::string>> ReadAll(const std::string& url,
                                                         const Validators& previous = {},
                                                         Validators* current = nullptr,
                                                         bool* modified = nullptr,
                                                         const FetchLimits& limits = {}) {
  std::vector<std::pair<std::string, std::string>> out;
  const bool m = ReadFeedDocuments(
      url, previous, current,
      [&](std::istream& in, const std::string& name) {
        // Read through the stream buffer as the parsers do, so that what it
        // throws (the zip bomb cap) reaches the caller.
        out.emplace_back(name, std::string(std::istreambuf_iterator<char>(in), {}));
      },
      limits);
  if (modified != nullptr) *modified = m;
  return out;
}

std::string FetchError(const std::string& url, const FetchLimits& limits = {}) {
  try {
    ReadAll(url, {}, nullptr, nullptr, limits);
  } catch (const updater::FetchError& e) {
    return e.what();
  }
  return "";
}

TEST(FeedDocumentsTest, HttpSendsTheValidatorsOfTheLastSuccessAndA304ChangesNothing) {
  TempDir dir;
  WriteFile(dir.File("feed.json"), R"({"a": 1})");
  testing::LayerServer server;
  server.AddFile("feed.json", dir.File("feed.json"));
  Validators current;
  bool modified = false;
  auto docs = ReadAll(server.Url("/files/feed.json"), {}, &current, &modified);
  EXPECT_TRUE(modified);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].second, R"({"a": 1})");
  EXPECT_EQ(current.etag, "\"size-8\"");

  docs = ReadAll(server.Url("/files/feed.json"), current, nullptr, &modified);
  EXPECT_FALSE(modified);
  EXPECT_TRUE(docs.empty());
  EXPECT_EQ(server.Requests().back()["if-none-match"], "\"size-8\"");
}

// A server without ETags: Last-Modified is kept and sent back as
// If-Modified-Since, and its 304 changes nothing either.
TEST(FeedDocumentsTest, HttpSendsIfModifiedSinceWhenTheServerGivesOnlyADate) {
  TempDir dir;
  WriteFile(dir.File("feed.json"), R"({"a": 1})");
  testing::LayerServer server;
  server.AddFile("feed.json", dir.File("feed.json"));
  Validators current;
  bool modified = false;
  auto docs = ReadAll(server.Url("/dated/feed.json"), {}, &current, &modified);
  EXPECT_TRUE(modified);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(current.etag, "");
  EXPECT_EQ(current.last_modified, "Wed, 21 Oct 2015 07:18:00 GMT");
  EXPECT_EQ(server.Requests().back().count("if-modified-since"), 0u);

  docs = ReadAll(server.Url("/dated/feed.json"), current, nullptr, &modified);
  EXPECT_FALSE(modified);
  EXPECT_TRUE(docs.empty());
  EXPECT_EQ(server.Requests().back()["if-modified-since"], "Wed, 21 Oct 2015 07:18:00 GMT");

  // The document changed: a 200 again, with its new date.
  WriteFile(dir.File("feed.json"), R"({"a": 12})");
  Validators next;
  docs = ReadAll(server.Url("/dated/feed.json"), current, &next, &modified);
  EXPECT_TRUE(modified);
  ASSERT_EQ(docs.size(), 1u);
  EXPECT_EQ(docs[0].second, R"({"a": 12})");
  EXPECT_EQ(next.last_modified, "Wed, 21 Oct 2015 07:19:00 GMT");
}

TEST(FeedDocumentsTest, HttpFailuresFailTheSource) {
  testing::LayerServer server;
  EXPECT_NE(FetchError(server.Url("/status/500")).find("the server answered HTTP 500"),
            std::string::npos);
  EXPECT_NE(FetchError(server.Url("/redirect/20/x")).find("redirect"), std::string::npos);
  FetchLimits limits;
  limits.timeout_seconds = 1;
  const std::string stalled = FetchError(server.Url("/stall"), limits);
  EXPECT_NE(stalled.find("imed out"), std::string::npos) << stalled;
  EXPECT_NE(FetchError("http://127.0.0.1:1/feed.json"), "");
}

// SIGTERM must not wait out a stalled feed: the stop flag abandons the
// transfer (the timeout here is the default 600 s, so only the flag ends it).
TEST(FeedDocumentsTest, TheStopFlagAbandonsAStalledTransfer) {
  testing::LayerServer server;
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    while (server.Requests().empty()) std::this_thread::yield();
    stop = true;
  });
  FetchLimits limits;
  limits.stop = &stop;
  const std::string error = FetchError(server.Url("/stall"), limits);
  stopper.join();
  EXPECT_NE(error.find("abandoned: herald is stopping"), std::string::npos) << error;
}

TEST(FeedDocumentsTest, DirectoriesAreReadInPathOrderAndZipsMemberByMember) {
  TempDir dir;
  std::filesystem::create_directories(dir.File("tracker/retired"));
  std::filesystem::create_directories(dir.File("tracker/active"));
  WriteFile(dir.File("tracker/retired/CVE-1"), "one");
  WriteFile(dir.File("tracker/active/CVE-2"), "two");
  auto docs = ReadAll("file://" + dir.File("tracker"));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0], (std::pair<std::string, std::string>{"active/CVE-2", "two"}));
  EXPECT_EQ(docs[1], (std::pair<std::string, std::string>{"retired/CVE-1", "one"}));

  Shell("cd " + dir.File("tracker") +
        " && python3 -c \"import zipfile\n"
        "with zipfile.ZipFile('../feed.zip','w',zipfile.ZIP_DEFLATED) as z:\n"
        "  z.write('active/CVE-2'); z.write('retired/CVE-1')\"");
  docs = ReadAll("file://" + dir.File("feed.zip"));
  ASSERT_EQ(docs.size(), 2u);
  EXPECT_EQ(docs[0].second, "two");
}

TEST(FeedDocumentsTest, AZipBombIsCutAtTheCap) {
  TempDir dir;
  Shell("cd " + dir.path() +
        " && python3 -c \"import zipfile\n"
        "with zipfile.ZipFile('bomb.zip','w',zipfile.ZIP_DEFLATED) as z:\n"
        "  z.writestr('all.json', b'0' * (256 << 20))\"");
  FetchLimits limits;
  limits.max_document_bytes = 16 << 20;
  const std::string error = FetchError("file://" + dir.File("bomb.zip"), limits);
  EXPECT_NE(error.find("all.json: larger than 16777216 bytes once decompressed"), std::string::npos)
      << error;
}

TEST(FeedDocumentsTest, AMissingFileFailsTheSource) {
  EXPECT_NE(FetchError("file:///nonexistent/feed.json").find("no such file"), std::string::npos);
}

}  // namespace
}  // namespace herald::updater
