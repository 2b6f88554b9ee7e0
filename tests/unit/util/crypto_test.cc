#include "util/crypto.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace herald::util {
namespace {

std::string Hex(std::string_view raw) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (const char c : raw) {
    out += kDigits[(static_cast<unsigned char>(c) >> 4) & 0xF];
    out += kDigits[static_cast<unsigned char>(c) & 0xF];
  }
  return out;
}

std::string Repeat(char c, std::size_t n) {
  return std::string(n, c);
}

// RFC 4231 §4: HMAC-SHA256 test cases 1-7.
struct HmacVector {
  const char* name;
  std::string key;
  std::string data;
  std::string expected_hex;
};

TEST(HmacSha256Test, Rfc4231Vectors) {
  std::string key4;
  for (int i = 1; i <= 25; ++i) {
    key4 += static_cast<char>(i);
  }
  const HmacVector vectors[] = {
      {"case 1", Repeat('\x0b', 20), "Hi There",
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {"case 2", "Jefe", "what do ya want for nothing?",
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {"case 3", Repeat('\xaa', 20), Repeat('\xdd', 50),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {"case 4", key4, Repeat('\xcd', 50),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {"case 6", Repeat('\xaa', 131), "Test Using Larger Than Block-Size Key - Hash Key First",
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {"case 7", Repeat('\xaa', 131),
       "This is a test using a larger than block-size key and a larger than block-size data. The "
       "key needs to be hashed before being used by the HMAC algorithm.",
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (const HmacVector& v : vectors) {
    const std::string mac = HmacSha256(v.key, v.data);
    EXPECT_EQ(mac.size(), 32u) << v.name;
    EXPECT_EQ(Hex(mac), v.expected_hex) << v.name;
  }
}

TEST(HmacSha256Test, Rfc4231TruncatedCase5) {
  // The RFC only specifies the first 128 bits for this case.
  const std::string mac = HmacSha256(Repeat('\x0c', 20), "Test With Truncation");
  EXPECT_EQ(Hex(mac).substr(0, 32), "a3b6167473100ee06e0c796c2955552b");
}

TEST(HmacSha256Test, EmptyKeyAndData) {
  EXPECT_EQ(Hex(HmacSha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
  EXPECT_EQ(Hex(HmacSha256(std::string_view(), std::string_view())),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(HmacSha256Test, KeyAndDataMatter) {
  EXPECT_NE(HmacSha256("key", "data"), HmacSha256("key2", "data"));
  EXPECT_NE(HmacSha256("key", "data"), HmacSha256("key", "data2"));
  EXPECT_EQ(HmacSha256("key", "data"), HmacSha256("key", "data"));
}

TEST(HmacSha256KeyTest, APreparedKeySignsEveryMessageAsTheOneShotDoesOnAnyThread) {
  // RFC 4231 test case 2, then other messages under the same prepared key,
  // from several threads at once (the prepared state is shared, not copied).
  const HmacSha256Key jefe("Jefe");
  EXPECT_EQ(Hex(jefe.Sign("what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  const HmacSha256Key copy = jefe;
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        const std::string message = "message " + std::to_string(t) + "/" + std::to_string(i);
        if (copy.Sign(message) != HmacSha256("Jefe", message)) ++mismatches[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
  EXPECT_EQ(HmacSha256Key("").Sign(""), HmacSha256("", ""));
}

TEST(RandomBytesTest, SizeAndVariety) {
  EXPECT_TRUE(RandomBytes(0).empty());
  EXPECT_EQ(RandomBytes(1).size(), 1u);
  EXPECT_EQ(RandomBytes(1000).size(), 1000u);
  // 2^-256 chance of a false failure.
  EXPECT_NE(RandomBytes(32), RandomBytes(32));
}

// RFC 4648 §10.
TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string_view, std::string_view> vectors[] = {
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  };
  for (const auto& [raw, encoded] : vectors) {
    EXPECT_EQ(Base64Encode(raw), encoded);
    EXPECT_EQ(Base64UrlEncode(raw), encoded);
    EXPECT_EQ(Base64Decode(encoded), std::string(raw));
    EXPECT_EQ(Base64UrlDecode(encoded), std::string(raw));
  }
}

TEST(Base64Test, AlphabetsDiffer) {
  const std::string raw = "\xfb\xff\xbf";
  EXPECT_EQ(Base64Encode(raw), "+/+/");
  EXPECT_EQ(Base64UrlEncode(raw), "-_-_");
  EXPECT_EQ(Base64Decode("+/+/"), raw);
  EXPECT_EQ(Base64UrlDecode("-_-_"), raw);
  EXPECT_EQ(Base64Decode("-_-_"), std::nullopt);
  EXPECT_EQ(Base64UrlDecode("+/+/"), std::nullopt);
}

TEST(Base64Test, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) {
    all += static_cast<char>(i);
  }
  for (std::size_t len = 0; len <= all.size(); ++len) {
    const std::string raw = all.substr(all.size() - len);
    EXPECT_EQ(Base64Decode(Base64Encode(raw)), raw) << len;
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(raw)), raw) << len;
  }
  for (int i = 0; i < 50; ++i) {
    const std::string raw = RandomBytes(static_cast<std::size_t>(i) * 7);
    EXPECT_EQ(Base64Decode(Base64Encode(raw)), raw);
    EXPECT_EQ(Base64UrlDecode(Base64UrlEncode(raw)), raw);
  }
}

TEST(Base64Test, UrlDecodeAcceptsMissingPadding) {
  EXPECT_EQ(Base64UrlDecode("Zg"), "f");
  EXPECT_EQ(Base64UrlDecode("Zm8"), "fo");
  EXPECT_EQ(Base64UrlDecode("Zm9vYg"), "foob");
  EXPECT_EQ(Base64UrlDecode("-_8"), "\xfb\xff");
}

TEST(Base64Test, StdDecodeRequiresPadding) {
  EXPECT_EQ(Base64Decode("Zg"), std::nullopt);
  EXPECT_EQ(Base64Decode("Zm8"), std::nullopt);
}

TEST(Base64Test, RejectsInvalidInput) {
  const std::string_view invalid[] = {
      "Z",         // a lone character holds less than a byte
      "Zm9vY",     // likewise after full groups
      "Zg=",       // partial padding
      "Z===",      // too much padding
      "====",      //
      "=",         //
      "==",        //
      "Zg==Zg==",  // padding in the middle
      "Zg==\n",    // trailing whitespace
      " Zg==",     // leading whitespace
      "Zm 9v",     // embedded whitespace
      "Zm9v\r\n",  //
      "Zm9v!",     // not in any alphabet
      "Zh==",      // non-zero trailing bits (non-canonical "f")
      "Zm9=",      // non-canonical "fo"
      "Zg==trailing",
      std::string_view("Zm\0v", 4),
      "\xc3\xa9\xc3\xa9",  // non-ASCII
  };
  for (const std::string_view text : invalid) {
    EXPECT_EQ(Base64Decode(text), std::nullopt) << text;
    EXPECT_EQ(Base64UrlDecode(text), std::nullopt) << text;
  }
}

TEST(ConstantTimeEqualTest, Compares) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual(std::string_view(), ""));
  EXPECT_TRUE(ConstantTimeEqual("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEqual("abc", "ab"));
  EXPECT_FALSE(ConstantTimeEqual("", "a"));
  EXPECT_TRUE(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0b", 3)));
  EXPECT_FALSE(ConstantTimeEqual(std::string_view("a\0b", 3), std::string_view("a\0c", 3)));
}

}  // namespace
}  // namespace herald::util
