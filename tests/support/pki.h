// Certificates made at test time with the openssl command: a CA, a server
// certificate for 127.0.0.1/localhost, and a client certificate, all signed
// by the CA; plus a second CA that signed nothing we trust.
#pragma once

#include <string>

namespace herald::testing {

struct TestPki {
  std::string ca_cert;
  std::string server_cert;
  std::string server_key;
  std::string client_cert;
  std::string client_key;
  std::string other_ca_cert;
  std::string rogue_client_cert;  // signed by the other CA
  std::string rogue_client_key;
  // A server certificate valid only for the name "receiver.test" (no IP):
  // reachable on 127.0.0.1 only with a server-name override.
  std::string named_server_cert;
  std::string named_server_key;
};

// Writes the files into `dir`. Throws std::runtime_error when openssl fails.
TestPki MakeTestPki(const std::string& dir);

}  // namespace herald::testing
