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

using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;
using CurlMulti = std::unique_ptr<CURLM, CurlMultiDeleter>;
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Builds a header list; throws std::bad_alloc when curl cannot allocate.
CurlSlist MakeHeaderList(const std::vector<std::string>& lines);

// curl_global_init once per process, before any thread uses curl.
void EnsureCurlGlobalInit();

}  // namespace herald::util
