#include "analyzer/fetch/http_source.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include "config/config.h"
#include "util/curl.h"

namespace herald::analyzer {
namespace {

// Past this much unread body, curl is paused until the reader catches up.
constexpr std::size_t kHighWater = 4 << 20;

class HttpSource : public ByteSource {
 public:
  HttpSource(const std::string& url, const std::map<std::string, std::string>& headers,
             Budget& budget)
      : budget_(budget) {
    util::EnsureCurlGlobalInit();
    easy_.reset(curl_easy_init());
    multi_.reset(curl_multi_init());
    if (!easy_ || !multi_) throw std::bad_alloc();
    std::vector<std::string> lines;
    for (const auto& [name, value] : headers) {
      if (name.find_first_of(":\r\n") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos) {
        throw BadLayerRequest("Layer.Headers." + name + " is not a valid HTTP header");
      }
      lines.push_back(name + ": " + value);
    }
    header_list_ = util::MakeHeaderList(lines);
    CURL* e = easy_.get();
    curl_easy_setopt(e, CURLOPT_URL, url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, header_list_.get());
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, kMaxRedirects);
    curl_easy_setopt(e, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
                     static_cast<curl_off_t>(budget.limits().max_layer_size));
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &HttpSource::OnData);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, this);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error_);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "herald/" HERALD_VERSION);
    curl_multi_add_handle(multi_.get(), e);
  }

  ~HttpSource() override { curl_multi_remove_handle(multi_.get(), easy_.get()); }
  HttpSource(const HttpSource&) = delete;
  HttpSource& operator=(const HttpSource&) = delete;

  std::string_view Next() override {
    // The chunk handed out last time has been consumed.
    pending_.erase(0, handed_out_);
    handed_out_ = 0;
    if (paused_) {
      paused_ = false;
      curl_easy_pause(easy_.get(), CURLPAUSE_CONT);
    }
    while (pending_.empty() && !done_) {
      budget_.Check();
      int running = 0;
      curl_multi_perform(multi_.get(), &running);
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &queued)) {
        if (msg->msg == CURLMSG_DONE) Finish(msg->data.result);
      }
      if (pending_.empty() && !done_ && !paused_) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            budget_.deadline() - std::chrono::steady_clock::now());
        const int wait_ms = static_cast<int>(std::clamp<long long>(left.count(), 0, 100));
        curl_multi_poll(multi_.get(), nullptr, 0, wait_ms, nullptr);
      }
    }
    budget_.CountRead(static_cast<std::int64_t>(pending_.size()));
    handed_out_ = pending_.size();
    return pending_;
  }

 private:
  static size_t OnData(char* data, size_t size, size_t count, void* self_ptr) {
    auto* self = static_cast<HttpSource*>(self_ptr);
    if (self->pending_.size() >= kHighWater) {
      self->paused_ = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    self->pending_.append(data, size * count);
    return size * count;
  }

  void Finish(CURLcode code) {
    done_ = true;
    if (code == CURLE_OK) return;
    if (code == CURLE_FILESIZE_EXCEEDED) {
      throw Unprocessable("the layer is larger than analyzer.maxLayerSize (" +
                          config::FormatByteSize(budget_.limits().max_layer_size) + ")");
    }
    if (code == CURLE_HTTP_RETURNED_ERROR) {
      long status = 0;
      curl_easy_getinfo(easy_.get(), CURLINFO_RESPONSE_CODE, &status);
      throw BadLayerRequest("could not find layer: the server answered HTTP " +
                            std::to_string(status));
    }
    if (code == CURLE_TOO_MANY_REDIRECTS) {
      throw BadLayerRequest("could not find layer: more than " + std::to_string(kMaxRedirects) +
                            " redirects");
    }
    const std::string detail = error_[0] != '\0' ? error_ : curl_easy_strerror(code);
    throw BadLayerRequest("could not find layer: " + detail);
  }

  Budget& budget_;
  util::CurlEasy easy_;
  util::CurlMulti multi_;
  util::CurlSlist header_list_;
  std::string pending_;  // body bytes received and not yet consumed
  std::size_t handed_out_ = 0;
  bool paused_ = false;
  bool done_ = false;
  char error_[CURL_ERROR_SIZE] = {};
};

}  // namespace

std::unique_ptr<ByteSource> OpenHttpLayer(const std::string& url,
                                          const std::map<std::string, std::string>& headers,
                                          Budget& budget) {
  return std::make_unique<HttpSource>(url, headers, budget);
}

}  // namespace herald::analyzer
