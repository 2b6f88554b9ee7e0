#include "receivers/webhook/webhook_receiver.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "notifier/receiver_filter.h"
#include "receivers/webhook/server_name_route.h"
#include "receivers/webhook/signature.h"

namespace herald::receivers::webhook {

struct WebhookReceiver::Transfer {
  CurlEasy easy;
  notifier::Outgoing notification;
  std::string body;
  CurlSlist headers;
  Done done;
  char error[CURL_ERROR_SIZE] = {};
};

namespace {

size_t DiscardBody(char*, size_t size, size_t count, void*) {
  return size * count;
}

// libcurl reads the last response's Retry-After, in seconds or as a date
// (CURLINFO_RETRY_AFTER); 0 means none or unreadable, and a date in the
// past comes back negative. Neither is a hint: the backoff decides, so a
// bogus header can never make a hot loop.
std::optional<std::chrono::milliseconds> RetryAfter(CURL* easy) {
  curl_off_t seconds = 0;
  if (curl_easy_getinfo(easy, CURLINFO_RETRY_AFTER, &seconds) != CURLE_OK || seconds <= 0) {
    return std::nullopt;
  }
  constexpr curl_off_t kDay = 24 * 3600;
  return std::chrono::seconds(std::min(seconds, kDay));
}

std::string Environment(const char* name) {
  const char* value = std::getenv(name);
  return value == nullptr ? "" : value;
}

// The proxy libcurl would take from the environment for a URL of `scheme`:
// <scheme>_proxy (for http only in lower case, as curl does, against the
// httpoxy CGI attack), then all_proxy; "" for none.
std::string EnvironmentProxy(std::string scheme) {
  std::string proxy = Environment((scheme + "_proxy").c_str());
  if (proxy.empty() && scheme != "http") {
    std::transform(scheme.begin(), scheme.end(), scheme.begin(), ::toupper);
    proxy = Environment((scheme + "_PROXY").c_str());
  }
  if (proxy.empty()) proxy = Environment("all_proxy");
  if (proxy.empty()) proxy = Environment("ALL_PROXY");
  return proxy;
}

}  // namespace

WebhookReceiver::WebhookReceiver(std::string key, config::HttpReceiverConfig config,
                                 int max_in_flight)
    : key_(std::move(key)), config_(std::move(config)), url_(config_.endpoint), signing_key_([&] {
        try {
          return config_.secret.empty() ? std::string()
                                        : config::DecodeWebhookSecret(config_.secret);
        } catch (const std::invalid_argument& e) {
          throw config::ConfigError("clair.notifier." + key_ + ".secret", e.what());
        }
      }()) {
  EnsureCurlGlobalInit();
  multi_.reset(curl_multi_init());
  if (!multi_) throw std::runtime_error("curl_multi_init failed");
  curl_multi_setopt(multi_.get(), CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(max_in_flight));
  curl_multi_setopt(multi_.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(max_in_flight));
  static_headers_ = {"Content-Type: application/json", "Expect:"};
  if (!config_.servername.empty()) {
    try {
      ServerNameRoute route = RouteByServerName(config_.endpoint, config_.servername);
      url_ = std::move(route.url);
      connect_to_ = MakeHeaderList({route.connect_to});
      static_headers_.push_back(std::move(route.host_header));
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError("clair.notifier." + key_ + ".servername", e.what());
    }
  }
  // Read once here: with CURLOPT_PROXY and CURLOPT_NOPROXY set (even to
  // ""), libcurl reads no environment for each transfer.
  proxy_ = config_.proxy.empty() ? EnvironmentProxy(util::CurlUrl(url_).Get(CURLUPART_SCHEME))
                                 : config_.proxy;
  no_proxy_ = Environment("no_proxy");
  if (no_proxy_.empty()) no_proxy_ = Environment("NO_PROXY");
  for (const auto& [name, value] : config_.headers) static_headers_.push_back(name + ": " + value);
  shared_headers_ = MakeHeaderList(static_headers_);
  // One handle configured now, so that an option libcurl refuses stops the
  // start with its reason instead of failing every attempt later.
  idle_.push_back(TakeEasy());
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "webhook");
    Loop();
  });
}

WebhookReceiver::~WebhookReceiver() {
  Shutdown();
}

void WebhookReceiver::Send(const notifier::Outgoing& notification, Done done) {
  bool was_empty;
  {
    std::lock_guard lock(mu_);
    was_empty = queue_.empty();
    queue_.emplace_back(notification, std::move(done));
  }
  // One wake-up per batch: the loop drains the whole queue when it wakes.
  if (was_empty) curl_multi_wakeup(multi_.get());
}

void WebhookReceiver::Shutdown() {
  if (stop_.exchange(true)) return;
  curl_multi_wakeup(multi_.get());
  if (thread_.joinable()) thread_.join();
}

CurlEasy WebhookReceiver::TakeEasy() {
  if (!idle_.empty()) {
    CurlEasy easy = std::move(idle_.back());
    idle_.pop_back();
    return easy;  // still configured: only per-request options change
  }
  CurlEasy easy(curl_easy_init());
  if (!easy) throw std::runtime_error("curl_easy_init failed");
  Configure(easy.get());
  return easy;
}

void WebhookReceiver::Configure(CURL* h) const {
  using util::SetOption;
  SetOption(h, CURLOPT_URL, url_.c_str());
  SetOption(h, CURLOPT_POST, 1L);
  SetOption(h, CURLOPT_HTTPHEADER, shared_headers_.get());
  SetOption(h, CURLOPT_NOSIGNAL, 1L);
  SetOption(h, CURLOPT_TIMEOUT_MS,
            static_cast<long>(
                std::chrono::duration_cast<std::chrono::milliseconds>(config_.timeout).count()));
  SetOption(h, CURLOPT_WRITEFUNCTION, &DiscardBody);
  SetOption(h, CURLOPT_TCP_NODELAY, 1L);
  SetOption(h, CURLOPT_PROXY, proxy_.c_str());
  SetOption(h, CURLOPT_NOPROXY, no_proxy_.c_str());
  if (!config_.cafile.empty()) SetOption(h, CURLOPT_CAINFO, config_.cafile.c_str());
  if (!config_.certfile.empty()) SetOption(h, CURLOPT_SSLCERT, config_.certfile.c_str());
  if (!config_.keyfile.empty()) SetOption(h, CURLOPT_SSLKEY, config_.keyfile.c_str());
  if (connect_to_) SetOption(h, CURLOPT_CONNECT_TO, connect_to_.get());
}

void WebhookReceiver::Begin(std::unique_ptr<Transfer> t) {
  CURL* h = t->easy.get();
  t->body = Payload(t->notification.name, config_.callback);
  if (!signing_key_.empty()) {
    // Signed requests carry headers of their own; unsigned ones share one
    // list set when the handle was configured.
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const std::string id = WebhookId(t->notification.name, t->notification.round);
    std::vector<std::string> lines = static_headers_;
    lines.push_back("webhook-id: " + id);
    lines.push_back("webhook-timestamp: " + std::to_string(now));
    lines.push_back("webhook-signature: " + Sign(signing_key_, id, now, t->body));
    t->headers = MakeHeaderList(lines);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, t->headers.get());
  }
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, t->body.data());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(t->body.size()));
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, t->error);
  curl_easy_setopt(h, CURLOPT_PRIVATE, t.get());
  CURLMcode rc = curl_multi_add_handle(multi_.get(), h);
  if (rc != CURLM_OK) {
    notifier::SendResult result;
    result.error = std::string("cannot start the request: ") + curl_multi_strerror(rc);
    t->done(std::move(result));
    idle_.push_back(std::move(t->easy));
    return;
  }
  active_.insert(t.release());  // owned by the multi handle until End()
}

void WebhookReceiver::End(CURL* easy, CURLcode code) {
  Transfer* raw = nullptr;
  curl_easy_getinfo(easy, CURLINFO_PRIVATE, &raw);
  std::unique_ptr<Transfer> t(raw);
  active_.erase(raw);
  curl_multi_remove_handle(multi_.get(), easy);

  notifier::SendResult result;
  curl_off_t total_us = 0;
  curl_easy_getinfo(easy, CURLINFO_TOTAL_TIME_T, &total_us);
  result.duration_ms = static_cast<std::int64_t>(total_us / 1000);
  long status = 0;
  curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
  if (code == CURLE_OK) {
    result.http_status = static_cast<int>(status);
    if (status >= 200 && status < 300) {
      result.outcome = model::DeliveryOutcome::kSuccess;
    } else {
      result.outcome = model::DeliveryOutcome::kFailure;
      result.error = "HTTP " + std::to_string(status);
      if (status == 429 || status == 503) result.retry_after = RetryAfter(easy);
    }
  } else {
    result.outcome = code == CURLE_OPERATION_TIMEDOUT ? model::DeliveryOutcome::kTimeout
                                                      : model::DeliveryOutcome::kFailure;
    result.error = t->error[0] != '\0' ? t->error : curl_easy_strerror(code);
    if (status > 0) result.http_status = static_cast<int>(status);
  }
  t->done(std::move(result));
  idle_.push_back(std::move(t->easy));
}

void WebhookReceiver::Loop() {
  while (!stop_) {
    std::deque<std::pair<notifier::Outgoing, Done>> queued;
    {
      std::lock_guard lock(mu_);
      queued.swap(queue_);
    }
    for (auto& [notification, done] : queued) {
      auto t = std::make_unique<Transfer>();
      try {
        t->easy = TakeEasy();
      } catch (const std::exception& e) {  // no memory for another handle
        notifier::SendResult result;
        result.error = std::string("cannot start the request: ") + e.what();
        done(std::move(result));
        continue;
      }
      t->notification = std::move(notification);
      t->done = std::move(done);
      Begin(std::move(t));
    }
    int running = 0;
    curl_multi_perform(multi_.get(), &running);
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(multi_.get(), &left)) {
      if (msg->msg == CURLMSG_DONE) End(msg->easy_handle, msg->data.result);
    }
    curl_multi_poll(multi_.get(), nullptr, 0, 1000, nullptr);
  }
  // Abandon what is still in flight: the engine has released it already.
  for (Transfer* t : active_) {
    curl_multi_remove_handle(multi_.get(), t->easy.get());
    delete t;
  }
  active_.clear();
}

void Register(notifier::ReceiverRegistry& registry) {
  registry.Register(
      "webhook", [](const config::NotifierConfig& cfg, const notifier::ReceiverContext&) {
        std::vector<std::unique_ptr<notifier::Receiver>> out;
        if (!cfg.http.endpoint.empty()) {
          out.push_back(notifier::WithFilter(
              std::make_unique<WebhookReceiver>(kKey, cfg.http, cfg.concurrency), cfg.http.filter));
        }
        for (const auto& [name, webhook] : cfg.webhooks) {
          out.push_back(notifier::WithFilter(
              std::make_unique<WebhookReceiver>("webhooks." + name, webhook, cfg.concurrency),
              webhook.filter));
        }
        return out;
      });
}

}  // namespace herald::receivers::webhook
