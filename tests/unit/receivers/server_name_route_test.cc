// How a servername override becomes libcurl options: the handshake uses the
// name, the connection and the Host header stay the endpoint's.
#include "receivers/webhook/server_name_route.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace herald::receivers::webhook {
namespace {

TEST(ServerNameRouteTest, ExplicitPortIsKeptEverywhere) {
  const auto r = RouteByServerName("https://127.0.0.1:8443/hook?x=1", "receiver.test");
  EXPECT_EQ(r.url, "https://receiver.test:8443/hook?x=1");
  EXPECT_EQ(r.connect_to, "receiver.test:8443:127.0.0.1:8443");
  EXPECT_EQ(r.host_header, "Host: 127.0.0.1:8443");
}

TEST(ServerNameRouteTest, DefaultPortComesFromTheScheme) {
  const auto r = RouteByServerName("https://hooks.internal/clair", "hooks.example.com");
  EXPECT_EQ(r.url, "https://hooks.example.com/clair");
  EXPECT_EQ(r.connect_to, "hooks.example.com:443:hooks.internal:443");
  EXPECT_EQ(r.host_header, "Host: hooks.internal");
}

TEST(ServerNameRouteTest, Ipv6HostsKeepTheirBrackets) {
  const auto r = RouteByServerName("https://[::1]:9000/hook", "receiver.test");
  EXPECT_EQ(r.connect_to, "receiver.test:9000:[::1]:9000");
  EXPECT_EQ(r.host_header, "Host: [::1]:9000");
}

TEST(ServerNameRouteTest, NamesThatAreNoDnsNameAreRefused) {
  for (const char* bad : {"a:b", "[::1]", "a b", "x/y", ""}) {
    EXPECT_THROW(RouteByServerName("https://127.0.0.1/hook", bad), std::invalid_argument) << bad;
  }
}

}  // namespace
}  // namespace herald::receivers::webhook
