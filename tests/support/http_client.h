// A small blocking HTTP client over libcurl's easy interface, for tests and
// benchmarks that talk to a real herald over the network.
#pragma once

#include <curl/curl.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace herald::testing {

struct HttpResult {
  long status = 0;  // 0 when no response came
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string error;                           // curl's message when the transfer failed
};

struct TlsClientOptions {
  std::string cafile;
  std::string certfile;
  std::string keyfile;
};

class HttpClient {
 public:
  HttpClient();
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  void SetTls(TlsClientOptions tls) { tls_ = std::move(tls); }

  // One request; the connection is kept alive for the next one.
  HttpResult Request(const std::string& method, const std::string& url,
                     const std::string& body = "", const std::vector<std::string>& headers = {});

  HttpResult Get(const std::string& url) { return Request("GET", url); }
  HttpResult Post(const std::string& url, const std::string& body) {
    return Request("POST", url, body, {"Content-Type: application/json"});
  }
  HttpResult Put(const std::string& url, const std::string& body) {
    return Request("PUT", url, body, {"Content-Type: application/json"});
  }
  HttpResult Delete(const std::string& url) { return Request("DELETE", url); }

 private:
  CURL* curl_;
  TlsClientOptions tls_;
};

// Percent-encodes a path segment or query value.
std::string UrlEncode(const std::string& text);

}  // namespace herald::testing
