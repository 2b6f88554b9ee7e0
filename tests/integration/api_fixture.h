// One herald per test suite, shared by its tests (each test uses names of its
// own), plus helpers to call the API and compare whole JSON documents.
#pragma once

#include <gtest/gtest.h>
#include <signal.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "support/http_client.h"
#include "support/process.h"

namespace herald::testing {

using nlohmann::json;

class ApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<HeraldServer>(HeraldServer::Options{});
    server_->Start();
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
    server_.reset();
  }

  std::string Url(const std::string& path) const { return server_->ApiUrl() + path; }

  HttpResult Get(const std::string& path) { return client_.Get(Url(path)); }
  HttpResult Post(const std::string& path, const std::string& body) {
    return client_.Post(Url(path), body);
  }
  HttpResult Put(const std::string& path, const std::string& body) {
    return client_.Put(Url(path), body);
  }
  HttpResult Delete(const std::string& path) { return client_.Delete(Url(path)); }

  // The response body as JSON (fails the test when it is not JSON).
  static json Body(const HttpResult& r) {
    auto doc = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << "not JSON: " << r.body;
    return doc;
  }

  void PostLayer(const json& layer) {
    auto r = Post("/v1/layers", json{{"Layer", layer}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  void PostVulnerability(const std::string& ns, const json& vuln) {
    auto r =
        Post("/v1/namespaces/" + ns + "/vulnerabilities", json{{"Vulnerability", vuln}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Names of all notifications, newest first.
  std::vector<std::string> NotificationNames() {
    std::vector<std::string> names;
    const json doc = Body(Get("/v1/notifications?limit=10000"));
    for (const auto& n : doc["Notifications"]) {
      names.push_back(n["Name"]);
    }
    return names;
  }
  std::string NewestNotification() {
    auto names = NotificationNames();
    return names.empty() ? "" : names.front();
  }

  static inline std::unique_ptr<HeraldServer> server_;
  HttpClient client_;
};

}  // namespace herald::testing
