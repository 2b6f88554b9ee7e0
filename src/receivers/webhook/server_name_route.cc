#include "receivers/webhook/server_name_route.h"

#include <stdexcept>

#include "util/curl.h"

namespace herald::receivers::webhook {

ServerNameRoute RouteByServerName(const std::string& endpoint, const std::string& servername) {
  util::CurlUrl url(endpoint);
  const std::string host = url.Get(CURLUPART_HOST);
  const std::string port = url.Get(CURLUPART_PORT, CURLU_DEFAULT_PORT);
  const std::string explicit_port = url.Get(CURLUPART_PORT);
  if (host.empty() || port.empty()) {
    throw std::invalid_argument("the endpoint \"" + endpoint + "\" has no host or port");
  }
  // A name with ':' or brackets would make the CONNECT_TO entry ambiguous,
  // and is no DNS name a certificate could carry anyway.
  if (servername.find_first_of(":[]/ ") != std::string::npos) {
    throw std::invalid_argument("\"" + servername + "\" is not a DNS name");
  }
  url.Set(CURLUPART_HOST, servername);
  ServerNameRoute route;
  route.url = url.Get(CURLUPART_URL);
  route.connect_to = servername + ":" + port + ":" + host + ":" + port;
  route.host_header = "Host: " + host + (explicit_port.empty() ? "" : ":" + explicit_port);
  return route;
}

}  // namespace herald::receivers::webhook
