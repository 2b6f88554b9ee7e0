#include "api/fernet.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "util/crypto.h"

namespace herald::api {
namespace {

// Test vectors from https://github.com/fernet/spec (generate.json, verify.json,
// invalid.json); all use this secret.
constexpr std::string_view kSpecSecret = "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=";
constexpr std::uint64_t kSpecNow = 499162800;  // 1985-10-26T01:20:00-07:00
constexpr std::string_view kSpecToken =
    "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_"
    "5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4Iw"
    "qDA==";

std::string SpecIv() {
  std::string iv;
  for (int i = 0; i < 16; ++i) {
    iv += static_cast<char>(i);
  }
  return iv;
}

Fernet SpecFernet() {
  std::string error;
  std::optional<Fernet> fernet = Fernet::FromKey(kSpecSecret, &error);
  if (!fernet) {
    throw std::runtime_error("spec key rejected: " + error);
  }
  return *fernet;
}

// Re-signs a raw token with the spec key, so tests can reach the checks that
// run after MAC verification.
std::string SignWithSpecKey(std::string body) {
  const std::string key = *util::Base64UrlDecode(kSpecSecret);
  body += util::HmacSha256(key.substr(0, 16), body);
  return util::Base64UrlEncode(body);
}

TEST(FernetTest, SpecGenerateVector) {
  const Fernet fernet = SpecFernet();
  EXPECT_EQ(fernet.EncryptAt("hello", kSpecNow, SpecIv()), kSpecToken);
}

TEST(FernetTest, SpecVerifyVector) {
  EXPECT_EQ(SpecFernet().Decrypt(kSpecToken), "hello");
}

TEST(FernetTest, SpecInvalidVectors) {
  const Fernet fernet = SpecFernet();
  const std::pair<const char*, std::string_view> invalid[] = {
      {"incorrect mac",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-"
       "szkFVzXTuGb4hR8AKtwcaX1YdykQUFBQUFBQU"
       "FBQQ=="},
      {"too short", "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPA=="},
      {"invalid base64",
       "%%%%%%%%%%%%%AECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AKtwcaX1YdykRtfsH-"
       "p1Y"
       "sUD2Q=="},
      {"payload size not multiple of block size",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPOm73QeoCk9uGib28Xe5vz6oxq5nmxbx_"
       "v7mrfyudz"
       "Um"},
      {"payload padding error",
       "gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0ODz4LEpdELGQAad7aNEHbf-"
       "JkLPIpuiYRLQ3RtXatOYREu2FWke6CnJNYIbkuKN"
       "qOhw=="},
      {"incorrect IV (causes padding error)",
       "gAAAAAAdwJ6xBQECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-"
       "fWPAkLhFLHpGtDBRLRTZeUfWgHSv49TF2AUEZ1TIvcZj"
       "K1zQ=="},
      {"trailing characters after b64 padding",
       "gAAAAAAdwJ6wAAECAwQFBgcICQoLDA0ODy021cpGVWKZ_eEwCGM4BLLF_"
       "5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmpU4I"
       "wqDA==trailingdata"},
      {"invalid characters in b64",
       "*gAAAAAAdwJ6wAAECAwQFBgcI!CQoLDA0ODy021?cpGVWKZ_eEwC@GM4BLLF_"
       "5CV9dOPmrhuVUPgJobwOz7JcbmrR64jV"
       "mpU4IwqDA=="},
      {"invalid non-urlsafe characters in b64",
       "gAAAAAAdwJ6wAAEC/"
       "AwQFBgcICQoLDA0ODy+021cpGVWKZ_eEwCGM4BLLF_5CV9dOPmrhuVUPgJobwOz7JcbmrR64jVmp"
       "U4IwqDA=="},
  };
  for (const auto& [desc, token] : invalid) {
    EXPECT_EQ(fernet.Decrypt(token), std::nullopt) << desc;
  }
}

TEST(FernetTest, TimestampsAreNotChecked) {
  // invalid.json rejects these two only for age and clock skew; Herald's page
  // tokens never expire, so both are valid (their plaintext is empty).
  const Fernet fernet = SpecFernet();
  EXPECT_EQ(
      fernet.Decrypt("gAAAAAAdwJ6xAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAl1-szkFVzXTuGb4hR8AK"
                     "twcaX1YdykRtfsH-p1YsUD2Q=="),
      "");
  EXPECT_EQ(
      fernet.Decrypt("gAAAAAAdwStRAAECAwQFBgcICQoLDA0OD3HkMATM5lFqGaerZ-fWPAnja1xKYyhd-Y6mSkTOyT"
                     "GJmw2Xc2a6kBd-iX9b_qXQcw=="),
      "");
  EXPECT_EQ(fernet.Decrypt(fernet.EncryptAt("old", 0, SpecIv())), "old");
  EXPECT_EQ(fernet.Decrypt(fernet.EncryptAt("future", UINT64_MAX, SpecIv())), "future");
}

TEST(FernetTest, RoundTrip) {
  const std::optional<Fernet> fernet = Fernet::FromKey(Fernet::GenerateKey(), nullptr);
  ASSERT_TRUE(fernet.has_value());
  const std::string inputs[] = {
      "",
      "a",
      std::string(15, 'x'),
      std::string(16, 'x'),
      std::string(17, 'x'),
      std::string("bin\0ary\xff\x80", 9),
      std::string(10000, 'z'),
      R"({"notification_id":"5e4b387e-88d3-4364-86fd-063447a6fad2","page":2})",
  };
  for (const std::string& plaintext : inputs) {
    const std::string token = fernet->Encrypt(plaintext);
    EXPECT_EQ(token.rfind("gAAAAA", 0), 0u);
    EXPECT_EQ(fernet->Decrypt(token), plaintext) << plaintext.size();
  }
}

TEST(FernetTest, EncryptUsesFreshIvAndCurrentTime) {
  const Fernet fernet = SpecFernet();
  const std::string a = fernet.Encrypt("same");
  const std::string b = fernet.Encrypt("same");
  EXPECT_NE(a, b);

  const std::string raw = *util::Base64UrlDecode(a);
  std::uint64_t timestamp = 0;
  for (int i = 1; i <= 8; ++i) {
    timestamp = (timestamp << 8) | static_cast<unsigned char>(raw[i]);
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  EXPECT_LE(timestamp, static_cast<std::uint64_t>(now));
  EXPECT_GE(timestamp + 60, static_cast<std::uint64_t>(now));
}

TEST(FernetTest, EncryptAtRejectsBadIvSize) {
  const Fernet fernet = SpecFernet();
  EXPECT_THROW(fernet.EncryptAt("x", kSpecNow, "short"), std::invalid_argument);
  EXPECT_THROW(fernet.EncryptAt("x", kSpecNow, std::string(17, '\0')), std::invalid_argument);
}

TEST(FernetTest, RejectsEveryTamperedByte) {
  const Fernet fernet = SpecFernet();
  const std::string raw = *util::Base64UrlDecode(kSpecToken);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    for (const unsigned char flip : {0x01, 0x80, 0xff}) {
      std::string tampered = raw;
      tampered[i] = static_cast<char>(static_cast<unsigned char>(tampered[i]) ^ flip);
      EXPECT_EQ(fernet.Decrypt(util::Base64UrlEncode(tampered)), std::nullopt)
          << "byte " << i << " flip " << static_cast<int>(flip);
    }
  }
}

TEST(FernetTest, RejectsEveryTamperedCharacter) {
  const Fernet fernet = SpecFernet();
  const std::string token(kSpecToken);
  for (std::size_t i = 0; i < token.size(); ++i) {
    std::string tampered = token;
    tampered[i] = tampered[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(fernet.Decrypt(tampered), std::nullopt) << "char " << i;
  }
}

TEST(FernetTest, RejectsTruncatedAndExtendedTokens) {
  const Fernet fernet = SpecFernet();
  const std::string raw = *util::Base64UrlDecode(kSpecToken);
  for (std::size_t len = 0; len < raw.size(); ++len) {
    EXPECT_EQ(fernet.Decrypt(util::Base64UrlEncode(raw.substr(0, len))), std::nullopt) << len;
  }
  const std::string token(kSpecToken);
  for (std::size_t len = 0; len < token.size() - 2; ++len) {
    EXPECT_EQ(fernet.Decrypt(token.substr(0, len)), std::nullopt) << len;
  }
  EXPECT_EQ(fernet.Decrypt(util::Base64UrlEncode(raw + std::string(16, '\0'))), std::nullopt);
}

TEST(FernetTest, AcceptsUnpaddedToken) {
  // Padding carries no information; some clients strip it from URLs.
  const std::string token(kSpecToken);
  EXPECT_EQ(SpecFernet().Decrypt(token.substr(0, token.size() - 2)), "hello");
}

TEST(FernetTest, RejectsWrongKey) {
  const std::optional<Fernet> other = Fernet::FromKey(Fernet::GenerateKey(), nullptr);
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(other->Decrypt(kSpecToken), std::nullopt);
  EXPECT_EQ(SpecFernet().Decrypt(other->Encrypt("secret")), std::nullopt);
}

TEST(FernetTest, RejectsSignedButMalformedTokens) {
  const Fernet fernet = SpecFernet();
  const std::string raw = *util::Base64UrlDecode(kSpecToken);
  const std::string body = raw.substr(0, raw.size() - 32);
  ASSERT_EQ(SignWithSpecKey(body), kSpecToken);

  std::string wrong_version = body;
  wrong_version[0] = static_cast<char>(0x81);
  EXPECT_EQ(fernet.Decrypt(SignWithSpecKey(wrong_version)), std::nullopt);
  wrong_version[0] = static_cast<char>(0xA0);  // the spec's AES-192 variant
  EXPECT_EQ(fernet.Decrypt(SignWithSpecKey(wrong_version)), std::nullopt);

  // Header only, no ciphertext block.
  EXPECT_EQ(fernet.Decrypt(SignWithSpecKey(body.substr(0, 25))), std::nullopt);
  // Ciphertext one byte short of a block, and one byte over.
  EXPECT_EQ(fernet.Decrypt(SignWithSpecKey(body.substr(0, body.size() - 1))), std::nullopt);
  EXPECT_EQ(fernet.Decrypt(SignWithSpecKey(body + "x")), std::nullopt);
}

TEST(FernetTest, RejectsGarbage) {
  const Fernet fernet = SpecFernet();
  const std::string garbage[] = {
      "",
      "gAAAAA",
      "not a token",
      "%%%%",
      std::string(200, 'A'),
      std::string(200, '='),
      util::Base64UrlEncode(util::RandomBytes(100)),
      util::Base64UrlEncode("\x80" + util::RandomBytes(88)),
      util::Base64Encode(*util::Base64UrlDecode(kSpecToken)),  // standard alphabet
      std::string(kSpecToken) + "\n",
  };
  for (const std::string& token : garbage) {
    EXPECT_EQ(fernet.Decrypt(token), std::nullopt) << token;
  }
}

TEST(FernetKeyTest, GeneratedKeysAreValidAndDistinct) {
  const std::string a = Fernet::GenerateKey();
  const std::string b = Fernet::GenerateKey();
  EXPECT_EQ(a.size(), 44u);
  EXPECT_NE(a, b);
  EXPECT_EQ(util::Base64UrlDecode(a)->size(), 32u);
  std::string error;
  EXPECT_TRUE(Fernet::FromKey(a, &error).has_value()) << error;
}

TEST(FernetKeyTest, RejectsWrongLengthKeys) {
  for (const std::size_t size : {0, 1, 16, 31, 33, 48, 64}) {
    std::string error;
    EXPECT_FALSE(Fernet::FromKey(util::Base64UrlEncode(std::string(size, 'k')), &error).has_value())
        << size;
    EXPECT_NE(error.find("32 bytes"), std::string::npos) << error;
    EXPECT_NE(error.find(std::to_string(size)), std::string::npos) << error;
  }
}

TEST(FernetKeyTest, RejectsMalformedBase64) {
  const std::string_view keys[] = {
      "cw/0x689RpI+jtRR7oE8h/eQsKImvJapLeSbXpwF4e4=",  // standard alphabet
      "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=\n",
      " cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4=",
      "not a key",
      "cw_0x689RpI-jtRR7oE8h_eQsKImvJapLeSbXpwF4e4",  // 43 chars: fine, see below
  };
  for (std::size_t i = 0; i + 1 < std::size(keys); ++i) {
    std::string error;
    EXPECT_FALSE(Fernet::FromKey(keys[i], &error).has_value()) << keys[i];
    EXPECT_NE(error.find("base64"), std::string::npos) << error;
  }
  // Unpadded keys decode to the same 32 bytes and are accepted.
  std::string error;
  const std::optional<Fernet> unpadded = Fernet::FromKey(keys[std::size(keys) - 1], &error);
  ASSERT_TRUE(unpadded.has_value()) << error;
  EXPECT_EQ(unpadded->Decrypt(kSpecToken), "hello");
}

TEST(FernetKeyTest, NullErrorPointerIsAllowed) {
  EXPECT_FALSE(Fernet::FromKey("short", nullptr).has_value());
  EXPECT_FALSE(Fernet::FromKey("%%%", nullptr).has_value());
}

}  // namespace
}  // namespace herald::api
