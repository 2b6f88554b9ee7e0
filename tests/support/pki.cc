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
  return {dir + "/ca.crt",     dir + "/server.crt",   dir + "/server.key", dir + "/client.crt",
          dir + "/client.key", dir + "/other-ca.crt", dir + "/rogue.crt",  dir + "/rogue.key"};
}

}  // namespace herald::testing
