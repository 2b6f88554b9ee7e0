// notifier.http.servername, as Go's tls.Config.ServerName reads it: the TLS
// handshake (SNI and certificate verification) uses that name, while the
// connection still goes to the endpoint's host and the Host header still
// says the endpoint's host.
#pragma once

#include <string>

namespace herald::receivers::webhook {

struct ServerNameRoute {
  // The endpoint with its host replaced by the server name: libcurl sends
  // SNI for it and verifies the certificate against it.
  std::string url;
  // CURLOPT_CONNECT_TO entry "NAME:PORT:HOST:PORT": where to connect for it.
  std::string connect_to;
  // "Host: HOST[:PORT]", as a request to the endpoint itself would carry.
  std::string host_header;
};

// Throws std::invalid_argument when the endpoint or the name is not one
// libcurl accepts.
ServerNameRoute RouteByServerName(const std::string& endpoint, const std::string& servername);

}  // namespace herald::receivers::webhook
