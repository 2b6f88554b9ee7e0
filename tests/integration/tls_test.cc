// TLS and mutual TLS on the API port, with certificates made at test time.
#include "api_fixture.h"
#include "support/pki.h"

namespace herald::testing {
namespace {

class TlsTest : public ::testing::Test {
 protected:
  TempDir pki_dir_;
  TestPki pki_ = MakeTestPki(pki_dir_.path());

  std::string Config(bool mutual) const {
    std::string yaml = "clair:\n  api:\n    certfile: " + pki_.server_cert +
                       "\n    keyfile: " + pki_.server_key + "\n";
    if (mutual) yaml += "    cafile: " + pki_.ca_cert + "\n";
    return yaml;
  }
};

TEST_F(TlsTest, ServesHttpsWithTheConfiguredCertificate) {
  HeraldServer server({.config_yaml = Config(false), .tls = true});
  server.Start();
  HttpClient client;
  client.SetTls({.cafile = pki_.ca_cert});
  auto r = client.Get(server.ApiUrl() + "/v1/namespaces");
  EXPECT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"Namespaces":[]})"));

  HttpClient untrusting;
  untrusting.SetTls({.cafile = pki_.other_ca_cert});
  EXPECT_EQ(untrusting.Get(server.ApiUrl() + "/v1/namespaces").status, 0);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(TlsTest, MutualTlsRequiresAClientCertificateFromTheCa) {
  HeraldServer server({.config_yaml = Config(true), .tls = true});
  server.Start();

  HttpClient good;
  good.SetTls({pki_.ca_cert, pki_.client_cert, pki_.client_key});
  auto ok = good.Get(server.ApiUrl() + "/v1/namespaces");
  EXPECT_EQ(ok.status, 200) << ok.error;

  HttpClient anonymous;
  anonymous.SetTls({.cafile = pki_.ca_cert});
  auto no_cert = anonymous.Get(server.ApiUrl() + "/v1/namespaces");
  EXPECT_EQ(no_cert.status, 0);
  EXPECT_FALSE(no_cert.error.empty());

  HttpClient rogue;
  rogue.SetTls({pki_.ca_cert, pki_.rogue_client_cert, pki_.rogue_client_key});
  EXPECT_EQ(rogue.Get(server.ApiUrl() + "/v1/namespaces").status, 0);

  // The server survives refused handshakes.
  EXPECT_EQ(good.Get(server.ApiUrl() + "/v1/namespaces").status, 200);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(TlsTest, UnreadableCertificateIsAClearStartupError) {
  HeraldServer server({.config_yaml = "clair:\n  api:\n    certfile: /nonexistent.crt\n"
                                      "    keyfile: /nonexistent.key\n"});
  try {
    server.Start();
    FAIL() << "herald started with a missing certificate";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent.crt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace herald::testing
