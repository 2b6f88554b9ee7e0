// The webhook receiver (config key "http"): POSTs {"Notification":{"Name":…}}
// to notifier.http.endpoint over libcurl's multi interface — many requests in
// flight on one thread, connections kept alive and reused.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "config/config.h"
#include "notifier/receiver.h"
#include "notifier/receiver_registry.h"
#include "receivers/payload.h"
#include "util/curl.h"

namespace herald::receivers::webhook {

using util::CurlEasy;
using util::CurlMulti;
using util::CurlSlist;
using util::EnsureCurlGlobalInit;
using util::MakeHeaderList;

// The key of Clair v1's webhook; named webhooks are webhooks.<name>.
inline constexpr const char* kKey = "http";

class WebhookReceiver final : public notifier::Receiver {
 public:
  // `key` is its receiver key ("http" or "webhooks.<name>"). `max_in_flight`
  // bounds the connections to the endpoint. Throws config::ConfigError when
  // the secret or the servername is malformed.
  WebhookReceiver(std::string key, config::HttpReceiverConfig config, int max_in_flight);
  ~WebhookReceiver() override;

  std::string_view key() const override { return key_; }
  void Send(const notifier::Outgoing& notification, Done done) override;
  void Shutdown() override;

 private:
  struct Transfer;

  void Loop();
  void Begin(std::unique_ptr<Transfer> transfer);
  void End(CURL* easy, CURLcode code);
  CurlEasy TakeEasy();
  void Configure(CURL* easy) const;  // the options every request shares

  const std::string key_;
  const config::HttpReceiverConfig config_;
  std::string url_;       // the endpoint, or its server-name route
  CurlSlist connect_to_;  // set with a servername override
  // The proxy and no-proxy list: from the config, or read from the
  // environment once (libcurl would read it for every transfer).
  std::string proxy_;
  std::string no_proxy_;
  const std::string signing_key_;  // empty: unsigned
  std::vector<std::string> static_headers_;
  CurlSlist shared_headers_;

  CurlMulti multi_;
  std::vector<CurlEasy> idle_;            // loop thread only
  std::unordered_set<Transfer*> active_;  // loop thread only; in the multi handle

  std::mutex mu_;
  std::deque<std::pair<notifier::Outgoing, Done>> queue_;  // guarded by mu_
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Registers the "http" kind: enabled when notifier.http.endpoint is set.
void Register(notifier::ReceiverRegistry& registry);

}  // namespace herald::receivers::webhook
