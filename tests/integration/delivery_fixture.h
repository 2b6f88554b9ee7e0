// Helpers for delivery tests: a herald wired to a TestReceiver, and ways to
// make notifications and read their delivery state through the API.
#pragma once

#include <signal.h>

#include <algorithm>

#include "api_fixture.h"
#include "support/test_receiver.h"

namespace herald::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A notifier section for the config file, plus anything extra.
inline std::string NotifierYaml(const std::string& endpoint, const std::string& notifier_extra,
                                const std::string& http_extra = "") {
  return "clair:\n  notifier:\n" + notifier_extra + "    http:\n      endpoint: " + endpoint +
         "\n" + http_extra;
}

// Conditions for TestReceiver::WaitUntil.
inline auto CountAtLeast(std::size_t n) {
  return [n](const std::vector<ReceivedRequest>& r) { return r.size() >= n; };
}
inline auto CountFor(const std::string& name, std::size_t n) {
  return [name, n](const std::vector<ReceivedRequest>& rs) {
    return static_cast<std::size_t>(std::count_if(
               rs.begin(), rs.end(), [&](const auto& r) { return r.notification == name; })) >= n;
  };
}

class Api {
 public:
  explicit Api(const HeraldServer& server) : base_(server.ApiUrl()) {}

  // Creates one notification (a new vulnerability) and returns its name.
  std::string MakeNotification(const std::string& vuln, const std::string& ns = "debian:8",
                               const std::string& severity = "Low") {
    auto r = client_.Post(
        base_ + "/v1/namespaces/" + ns + "/vulnerabilities",
        R"({"Vulnerability":{"Name":")" + vuln + R"(","Severity":")" + severity + R"("}})");
    EXPECT_EQ(r.status, 201) << r.body;
    return Newest();
  }
  // `count` base layers <prefix><i> in `ns`, each holding `pkg` 1.0: a
  // vulnerability fixed in a later `pkg` is introduced by every one of them.
  void MakeLayers(const std::string& prefix, const std::string& ns, const std::string& pkg,
                  int count) {
    for (int i = 0; i < count; ++i) {
      const json layer = {{"Layer",
                           {{"Name", prefix + std::to_string(i)},
                            {"NamespaceName", ns},
                            {"Features", {{{"Name", pkg}, {"Version", "1.0"}}}}}}};
      auto r = client_.Post(base_ + "/v1/layers", layer.dump());
      ASSERT_EQ(r.status, 201) << r.body;
    }
  }
  std::string Newest() {
    auto doc = json::parse(client_.Get(base_ + "/v1/notifications?limit=1").body);
    return doc["Notifications"].empty() ? "" : doc["Notifications"][0]["Name"].get<std::string>();
  }
  std::string Status(const std::string& name) {
    auto doc = json::parse(client_.Get(base_ + "/v1/notifications?limit=10000").body);
    for (const auto& n : doc["Notifications"]) {
      if (n["Name"] == name) return n["Status"];
    }
    return "";
  }
  json Deliveries(const std::string& name) {
    auto r = client_.Get(base_ + "/v1/notifications/" + name + "/deliveries");
    EXPECT_EQ(r.status, 200) << r.body;
    return json::parse(r.body)["Deliveries"];
  }
  // Polls the API (each poll is an observation, not a pause for timing)
  // until `status` shows or `timeout` passes.
  bool WaitForStatus(const std::string& name, const std::string& status, milliseconds timeout) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < give_up) {
      if (Status(name) == status) return true;
      std::this_thread::sleep_for(milliseconds(20));
    }
    return Status(name) == status;
  }
  // The delivery log once it holds at least `n` attempts (they are written
  // just after the receiver answers).
  json WaitForDeliveries(const std::string& name, std::size_t n, milliseconds timeout) {
    const auto give_up = std::chrono::steady_clock::now() + timeout;
    json d = Deliveries(name);
    while (d.size() < n && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(milliseconds(20));
      d = Deliveries(name);
    }
    return d;
  }
  HttpClient& client() { return client_; }
  const std::string& base() const { return base_; }

 private:
  std::string base_;
  HttpClient client_;
};

}  // namespace herald::testing
