// Standard Webhooks signing (SPEC §5) against the specification's own test
// vector, and the secret spellings its reference libraries accept.
#include "receivers/webhook/signature.h"

#include <gtest/gtest.h>

#include "config/config.h"
#include "util/crypto.h"

namespace herald::receivers::webhook {
namespace {

using config::DecodeWebhookSecret;

// The example of the Standard Webhooks specification (standard-webhooks.md,
// "Signature scheme"), which every reference library verifies in its tests.
constexpr const char* kVectorSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr const char* kVectorId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t kVectorTimestamp = 1614265330;
constexpr const char* kVectorBody = R"({"test": 2432232314})";
constexpr const char* kVectorSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(SignatureTest, ThePublishedTestVectorVerifies) {
  EXPECT_EQ(Sign(DecodeWebhookSecret(kVectorSecret), kVectorId, kVectorTimestamp, kVectorBody),
            kVectorSignature);
}

TEST(SignatureTest, TheSecretIsBase64WithOrWithoutThePrefix) {
  const std::string key = DecodeWebhookSecret(kVectorSecret);
  EXPECT_EQ(key.size(), 24u);
  // The reference libraries strip "whsec_" when present and decode the rest
  // either way: an unprefixed secret is the same key, not raw bytes.
  EXPECT_EQ(DecodeWebhookSecret("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), key);
}

TEST(SignatureTest, PaddedAndUnpaddedSecretsAreTheSameKey) {
  const std::string key = "a key of 29 bytes, not 3 × n";
  const std::string padded = util::Base64Encode(key);
  ASSERT_EQ(padded.back(), '=');
  const std::string unpadded = padded.substr(0, padded.find('='));
  EXPECT_EQ(DecodeWebhookSecret("whsec_" + padded), key);
  EXPECT_EQ(DecodeWebhookSecret("whsec_" + unpadded), key);
  EXPECT_EQ(DecodeWebhookSecret(unpadded), key);
}

TEST(SignatureTest, SecretsThatAreNotBase64AreRefused) {
  for (const char* bad : {"whsec_not*base64", "s3cret!", "topsecret", "whsec_", "whsec_a", "==="}) {
    EXPECT_THROW(DecodeWebhookSecret(bad), std::invalid_argument) << bad;
  }
}

TEST(SignatureTest, TheIdIsNewForEachRound) {
  EXPECT_EQ(WebhookId("0f6a…", 1), "0f6a….1");
  EXPECT_NE(WebhookId("n", 1), WebhookId("n", 2));
}

}  // namespace
}  // namespace herald::receivers::webhook
