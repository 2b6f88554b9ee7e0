#include "util/curl.h"

#include <mutex>
#include <new>
#include <stdexcept>
#include <string>

namespace herald::util {

CurlSlist MakeHeaderList(const std::vector<std::string>& lines) {
  curl_slist* list = nullptr;
  for (const auto& line : lines) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next == nullptr) {
      curl_slist_free_all(list);
      throw std::bad_alloc();
    }
    list = next;
  }
  return CurlSlist(list);
}

void ThrowSetOptionError(CURLoption option, CURLcode rc) {
  throw std::runtime_error("libcurl refused option " + std::to_string(static_cast<int>(option)) +
                           ": " + curl_easy_strerror(rc));
}

CurlUrl::CurlUrl(const std::string& url) : url_(curl_url()) {
  if (!url_) throw std::bad_alloc();
  Set(CURLUPART_URL, url);
}

std::string CurlUrl::Get(CURLUPart part, unsigned int flags) const {
  char* value = nullptr;
  if (curl_url_get(url_.get(), part, &value, flags) != CURLUE_OK || value == nullptr) return "";
  std::string out(value);
  curl_free(value);
  return out;
}

void CurlUrl::Set(CURLUPart part, const std::string& value) {
  if (CURLUcode rc = curl_url_set(url_.get(), part, value.c_str(), 0); rc != CURLUE_OK) {
    throw std::invalid_argument("\"" + value + "\": " + curl_url_strerror(rc));
  }
}

void EnsureCurlGlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

}  // namespace herald::util
