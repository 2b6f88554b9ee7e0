// The STOMP 1.2 codec against the examples and rules of the specification
// (https://stomp.github.io/stomp-specification-1.2.html); the frames below
// are the spec's examples, with ^@ written as \0.
#include "receivers/stomp/stomp_frame.h"

#include <gtest/gtest.h>

namespace herald::receivers::stomp {
namespace {

using namespace std::string_literals;

std::vector<Frame> DecodeAll(const std::string& bytes, std::size_t chunk = 0) {
  FrameDecoder decoder;
  std::vector<Frame> out;
  const std::size_t step = chunk == 0 ? bytes.size() : chunk;
  for (std::size_t i = 0; i < bytes.size(); i += step) {
    decoder.Feed(std::string_view(bytes).substr(i, step));
    while (auto frame = decoder.Next()) out.push_back(std::move(*frame));
  }
  return out;
}

TEST(StompFrameTest, EncodesTheSpecsConnectFrameUnescaped) {
  const Frame connect{"CONNECT", {{"accept-version", "1.2"}, {"host", "stomp.github.org"}}, ""};
  EXPECT_EQ(Encode(connect), "CONNECT\naccept-version:1.2\nhost:stomp.github.org\n\n\0"s);
}

TEST(StompFrameTest, EncodesTheSpecsSendFrame) {
  const Frame send{
      "SEND", {{"destination", "/queue/a"}, {"content-type", "text/plain"}}, "hello queue a"};
  EXPECT_EQ(Encode(send),
            "SEND\ndestination:/queue/a\ncontent-type:text/plain\n\nhello queue a\0"s);
}

TEST(StompFrameTest, DecodesTheSpecsServerFrames) {
  const auto frames =
      DecodeAll("CONNECTED\nversion:1.2\n\n\0"s + "RECEIPT\nreceipt-id:message-12345\n\n\0"s);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].command, "CONNECTED");
  EXPECT_EQ(frames[0].Header("version"), "1.2");
  EXPECT_EQ(frames[1].command, "RECEIPT");
  EXPECT_EQ(frames[1].Header("receipt-id"), "message-12345");
  EXPECT_EQ(frames[1].body, "");
}

TEST(StompFrameTest, DecodesTheSpecsErrorFrameWithContentLength) {
  const std::string body =
      "The message:\n-----\nMESSAGE\ndestined:/queue/a\nreceipt:message-12345\n\nHello queue "
      "a!\n-----\nDid not contain a destination header, which is REQUIRED\nfor message "
      "propagation.\n";
  ASSERT_EQ(body.size(), 170u);  // the content-length of the spec's example
  const std::string bytes =
      "ERROR\nreceipt-id:message-12345\ncontent-type:text/plain\ncontent-length:170\n"
      "message:malformed frame received\n\n" +
      body + "\0"s;
  for (std::size_t chunk : {0, 1, 7}) {
    const auto frames = DecodeAll(bytes, chunk);
    ASSERT_EQ(frames.size(), 1u) << chunk;
    EXPECT_EQ(frames[0].command, "ERROR");
    EXPECT_EQ(frames[0].Header("message"), "malformed frame received");
    EXPECT_EQ(frames[0].body, body);
  }
}

TEST(StompFrameTest, ContentLengthCarriesNulOctets) {
  const auto frames = DecodeAll("MESSAGE\ncontent-length:3\n\na\0b\0"s);
  ASSERT_EQ(frames.size(), 1u);
  EXPECT_EQ(frames[0].body, "a\0b"s);
  EXPECT_THROW(DecodeAll("MESSAGE\ncontent-length:1\n\nab\0"s), ProtocolError);
  EXPECT_THROW(DecodeAll("MESSAGE\ncontent-length:x\n\na\0"s), ProtocolError);
}

TEST(StompFrameTest, HeartBeatsAndCrLfBetweenFramesAreSkipped) {
  const auto frames =
      DecodeAll("\n\r\n\nRECEIPT\r\nreceipt-id:1\r\n\r\n\0\n\nRECEIPT\nreceipt-id:2\n\n\0\n"s, 1);
  ASSERT_EQ(frames.size(), 2u);
  EXPECT_EQ(frames[0].Header("receipt-id"), "1");
  EXPECT_EQ(frames[1].Header("receipt-id"), "2");
}

TEST(StompFrameTest, HeadersAreEscapedAndTheFirstRepeatWins) {
  const Frame send{"SEND", {{"a:b", "line\nbreak\\ and\r:"}}, ""};
  const std::string bytes = Encode(send);
  EXPECT_EQ(bytes, "SEND\na\\cb:line\\nbreak\\\\ and\\r\\c\n\n\0"s);
  const auto back = DecodeAll(bytes);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].Header("a:b"), "line\nbreak\\ and\r:");

  const auto repeated = DecodeAll("MESSAGE\nfoo:World\nfoo:Hello\n\n\0"s);
  EXPECT_EQ(repeated[0].Header("foo"), "World");
  // CONNECTED is not unescaped: a backslash there is a plain character.
  EXPECT_EQ(DecodeAll("CONNECTED\nserver:a\\b\n\n\0"s)[0].Header("server"), "a\\b");
}

TEST(StompFrameTest, MalformedFramesAreProtocolErrors) {
  EXPECT_THROW(DecodeAll("MESSAGE\nbad\\tescape:x\n\n\0"s), ProtocolError);  // undefined escape
  EXPECT_THROW(DecodeAll("RECEIPT\nreceipt-id\n\n\0"s), ProtocolError);      // no colon
  EXPECT_THROW(DecodeAll("receipt\n\n\0"s), ProtocolError);                  // not a command
  EXPECT_THROW(DecodeAll("\x01\x02garbage\n\n\0"s), ProtocolError);
  FrameDecoder small(64);
  small.Feed("MESSAGE\n\n" + std::string(100, 'x'));
  EXPECT_THROW(small.Next(), ProtocolError);  // no NUL within the limit
}

TEST(StompFrameTest, AnIncompleteFrameWaitsForMoreBytes) {
  FrameDecoder decoder;
  decoder.Feed("RECEIPT\nreceipt-id:7\n");
  EXPECT_FALSE(decoder.Next());
  decoder.Feed("\n");
  EXPECT_FALSE(decoder.Next());
  decoder.Feed("\0"s);
  const auto frame = decoder.Next();
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->Header("receipt-id"), "7");
  EXPECT_FALSE(decoder.Next());
}

}  // namespace
}  // namespace herald::receivers::stomp
