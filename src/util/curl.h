// The one RAII layer over libcurl handles: the webhook receiver and the layer
// fetcher both use it.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>
#include <vector>

namespace herald::util {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct CurlMultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// A URL parsed by libcurl's own parser (the one the transfer will use).
class CurlUrl {
 public:
  // Throws std::invalid_argument naming what libcurl refused.
  explicit CurlUrl(const std::string& url);

  // A part (CURLUPART_HOST, …) or "" when the URL has none; `flags` as for
  // curl_url_get (e.g. CURLU_DEFAULT_PORT).
  std::string Get(CURLUPart part, unsigned int flags = 0) const;
  // Throws std::invalid_argument when libcurl refuses the value.
  void Set(CURLUPart part, const std::string& value);

 private:
  std::unique_ptr<CURLU, CurlUrlDeleter> url_;
};

[[noreturn]] void ThrowSetOptionError(CURLoption option, CURLcode rc);

// curl_easy_setopt that throws std::runtime_error naming the option when
// libcurl refuses it (an unsupported option, a bad value, no memory).
template <typename T>
void SetOption(CURL* easy, CURLoption option, T value) {
  if (CURLcode rc = curl_easy_setopt(easy, option, value); rc != CURLE_OK) {
    ThrowSetOptionError(option, rc);
  }
}

// Builds a header list; throws std::bad_alloc when curl cannot allocate.
CurlSlist MakeHeaderList(const std::vector<std::string>& lines);

// curl_global_init once per process, before any thread uses curl.
void EnsureCurlGlobalInit();

}  // namespace herald::util
