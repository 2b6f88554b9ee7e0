#include "support/test_receiver.h"

#include <openssl/ssl.h>

#include <nlohmann/json.hpp>
#include <set>

namespace herald::testing {

TestReceiver::TestReceiver(Options options) : options_(std::move(options)) {
  if (!options_.policy) {
    options_.policy = [](const ReceivedRequest&, int) { return ReceiverAnswer{}; };
  }
  api::HttpServer::Options server_options;
  server_options.address = "127.0.0.1";
  server_options.port = options_.port;
  if (!options_.tls.certfile.empty()) {
    server_options.tls = api::MakeServerTlsContext(options_.tls);
    SSL_CTX* ctx = server_options.tls->native_handle();
    SSL_CTX_set_tlsext_servername_arg(ctx, this);
    SSL_CTX_set_tlsext_servername_callback(
        ctx, +[](SSL* ssl, int*, void* self) -> int {
          if (const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
            auto* receiver = static_cast<TestReceiver*>(self);
            std::lock_guard lock(receiver->mu_);
            receiver->server_names_.push_back(name);
          }
          return SSL_TLSEXT_ERR_OK;
        });
  }
  server_ = std::make_unique<api::HttpServer>(ioc_, server_options,
                                              [this](const api::Request& r) { return Handle(r); });
  server_->Start();
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

TestReceiver::~TestReceiver() {
  server_->Stop();
  ioc_.stop();
  for (auto& t : threads_) t.join();
}

std::string TestReceiver::Url() const {
  return std::string(options_.tls.certfile.empty() ? "http" : "https") +
         "://127.0.0.1:" + std::to_string(server_->port()) + "/hook";
}

api::Response TestReceiver::Handle(const api::Request& request) {
  ReceivedRequest r;
  r.method = std::string(request.method_string());
  r.target = std::string(request.target());
  r.body = request.body();
  for (const auto& field : request) {
    std::string name(field.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(field.value());
  }
  auto doc = nlohmann::json::parse(r.body, nullptr, false);
  if (doc.is_object() && doc.contains("Notification") && doc["Notification"].is_object() &&
      doc["Notification"].value("Name", "").size() > 0) {
    r.notification = doc["Notification"]["Name"];
  }
  r.at = std::chrono::steady_clock::now();
  int seen;
  {
    std::lock_guard lock(mu_);
    seen = seen_[r.notification]++;
  }
  ReceiverAnswer answer = options_.policy(r, seen);
  r.answered = answer.status;
  {
    std::lock_guard lock(mu_);
    requests_.push_back(r);
  }
  cv_.notify_all();
  api::Response res{static_cast<boost::beast::http::status>(answer.status), request.version()};
  for (const auto& [name, value] : answer.headers) res.set(name, value);
  res.keep_alive(request.keep_alive());
  res.prepare_payload();
  return res;
}

std::vector<ReceivedRequest> TestReceiver::Requests() {
  std::lock_guard lock(mu_);
  return requests_;
}

std::vector<ReceivedRequest> TestReceiver::RequestsFor(const std::string& notification) {
  std::lock_guard lock(mu_);
  std::vector<ReceivedRequest> out;
  for (const auto& r : requests_) {
    if (r.notification == notification) out.push_back(r);
  }
  return out;
}

bool TestReceiver::WaitUntil(const std::function<bool(const std::vector<ReceivedRequest>&)>& done,
                             std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return done(requests_); });
}

std::size_t TestReceiver::DistinctSucceeded() {
  std::lock_guard lock(mu_);
  std::set<std::string> names;
  for (const auto& r : requests_) {
    if (r.answered >= 200 && r.answered < 300) names.insert(r.notification);
  }
  return names.size();
}

std::vector<std::string> TestReceiver::ServerNames() {
  std::lock_guard lock(mu_);
  return server_names_;
}

}  // namespace herald::testing
