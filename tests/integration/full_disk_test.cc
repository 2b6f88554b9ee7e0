// SQLite on a file system that fills up (SPEC §6, issue 9): writes answer
// 5xx saying why, /health says why, nothing acknowledged is lost, and
// Herald recovers by itself once space is freed. A 10 MiB tmpfs mounted by
// the test (CI runs as root) is the small disk; 6 MiB of ballast on it is
// the space given back later, enough for the write-ahead log to be
// checkpointed into the database at the restart.
#include <sys/mount.h>

#include <filesystem>

#include "api_fixture.h"

namespace herald::testing {
namespace {

// A tmpfs of `size` at `dir`, unmounted on destruction.
class SmallDisk {
 public:
  SmallDisk(const std::string& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    const std::string options = "size=" + size + ",mode=0755";
    if (::mount("tmpfs", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      throw std::runtime_error("mounting a tmpfs at " + dir + " failed (" + std::strerror(errno) +
                               "): this test needs root, as CI has");
    }
  }
  ~SmallDisk() { ::umount2(dir_.c_str(), MNT_DETACH); }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

 private:
  std::string dir_;
};

std::string Vulnerability(const std::string& name) {
  // Big enough that a few dozen fill the disk.
  return json{{"Vulnerability",
               {{"Name", name}, {"Severity", "Low"}, {"Description", std::string(64 * 1024, 'x')}}}}
      .dump();
}

TEST(FullDiskTest, WritesFailClearlyNothingAcknowledgedIsLostAndItRecovers) {
  TempDir dir;
  SmallDisk disk(dir.File("disk"), "10m");
  WriteFile(dir.File("disk/ballast"), std::string(6 * 1024 * 1024, 'b'));
  const std::string db = dir.File("disk/herald.db");
  auto server = std::make_unique<HeraldServer>(HeraldServer::Options{.database = db});
  server->Start();
  HttpClient client;
  const std::string post = server->ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities";

  std::vector<std::string> acknowledged;
  HttpResult refused;
  for (int i = 0; i < 400; ++i) {
    const std::string name = "CVE-FULL-" + std::to_string(i);
    HttpResult r = client.Post(post, Vulnerability(name));
    if (r.status == 201) {
      acknowledged.push_back(name);
      continue;
    }
    refused = r;
    break;
  }
  ASSERT_GE(refused.status, 500) << "the disk never filled";
  EXPECT_NE(refused.body.find("disk is full"), std::string::npos) << refused.body;
  EXPECT_FALSE(acknowledged.empty());

  auto health = client.Get(server->HealthUrl() + "/health");
  EXPECT_EQ(health.status, 503);
  EXPECT_NE(health.body.find("full"), std::string::npos) << health.body;
  // Reads still work, and the process is up.
  EXPECT_EQ(client.Get(server->ApiUrl() + "/v1/namespaces").status, 200);

  // Space comes back: health and writes recover without a restart.
  std::filesystem::remove(dir.File("disk/ballast"));
  EXPECT_EQ(client.Get(server->HealthUrl() + "/health").status, 200);
  ASSERT_EQ(client.Post(post, Vulnerability("CVE-AFTER")).status, 201);
  acknowledged.push_back("CVE-AFTER");

  // Everything acknowledged is there, before and after a restart.
  for (int pass = 0; pass < 2; ++pass) {
    for (const auto& name : acknowledged) {
      EXPECT_EQ(
          client.Get(server->ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities/" + name).status,
          200)
          << name << " (pass " << pass << ")";
    }
    if (pass == 0) {
      ASSERT_EQ(server->Stop(SIGTERM), 0) << server->Log();
      server = std::make_unique<HeraldServer>(HeraldServer::Options{.database = db});
      server->Start();
    }
  }
  EXPECT_EQ(server->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace herald::testing
