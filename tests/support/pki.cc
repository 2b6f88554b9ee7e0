#include "support/pki.h"

#include <stdexcept>

#include "support/process.h"

namespace herald::testing {
namespace {

void Openssl(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  CommandResult r = RunCommand(argv);
  if (r.exit_code != 0) throw std::runtime_error("openssl failed: " + r.output);
}

void MakeCa(const std::string& dir, const std::string& name) {
  Openssl({"req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=" + name,
           "-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".crt"});
}

void MakeLeaf(const std::string& dir, const std::string& ca, const std::string& name,
              const std::string& ext) {
  const std::string base = dir + "/" + name;
  Openssl({"req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + name, "-keyout", base + ".key",
           "-out", base + ".csr"});
  WriteFile(base + ".ext", ext);
  Openssl({"x509", "-req", "-in", base + ".csr", "-CA", dir + "/" + ca + ".crt", "-CAkey",
           dir + "/" + ca + ".key", "-CAcreateserial", "-days", "2", "-extfile", base + ".ext",
           "-out", base + ".crt"});
}

}  // namespace

TestPki MakeTestPki(const std::string& dir) {
  MakeCa(dir, "ca");
  MakeCa(dir, "other-ca");
  MakeLeaf(dir, "ca", "server",
           "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  MakeLeaf(dir, "ca", "client", "extendedKeyUsage=clientAuth\n");
  MakeLeaf(dir, "other-ca", "rogue", "extendedKeyUsage=clientAuth\n");
  MakeLeaf(dir, "ca", "named", "subjectAltName=DNS:receiver.test\nextendedKeyUsage=serverAuth\n");
  TestPki pki;
  pki.ca_cert = dir + "/ca.crt";
  pki.server_cert = dir + "/server.crt";
  pki.server_key = dir + "/server.key";
  pki.client_cert = dir + "/client.crt";
  pki.client_key = dir + "/client.key";
  pki.other_ca_cert = dir + "/other-ca.crt";
  pki.rogue_client_cert = dir + "/rogue.crt";
  pki.rogue_client_key = dir + "/rogue.key";
  pki.named_server_cert = dir + "/named.crt";
  pki.named_server_key = dir + "/named.key";
  return pki;
}

}  // namespace herald::testing
