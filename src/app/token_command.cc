#include <iostream>

#include "app/commands.h"
#include "util/crypto.h"

namespace herald::app {

int RunToken(const std::string& name, const std::string& scope) {
  // 32 random bytes: as strong as the SHA-256 that stands for it, and
  // URL-safe so it pastes into any header or shell.
  std::string token = util::Base64UrlEncode(util::RandomBytes(32));
  while (!token.empty() && token.back() == '=') token.pop_back();
  std::cout << "token: " << token << "\n"
            << "# Give the token to the client; put only this entry in the configuration:\n"
            << "clair:\n"
            << "  api:\n"
            << "    tokens:\n"
            << "      - name: " << name << "\n"
            << "        sha256: " << util::Sha256Hex(token) << "\n"
            << "        scope: " << scope << "\n";
  return 0;
}

}  // namespace herald::app
