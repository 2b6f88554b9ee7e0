// Clair v1 `Path` layers (SPEC §7) through the real binary: layer tarballs
// packed by the system's tar from this machine's own package database and
// from copies of real release files, posted by local path and by URL, then
// read back with GET /v1/layers as a Clair v1 client does.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <future>
#include <set>
#include <thread>

#include "api_fixture.h"
#include "support/layer_builder.h"
#include "support/layer_server.h"

namespace herald::testing {
namespace {

// Copies of the os-release files shipped by Debian 7 and 8.
constexpr const char* kDebian7OsRelease =
    "PRETTY_NAME=\"Debian GNU/Linux 7 (wheezy)\"\nNAME=\"Debian GNU/Linux\"\n"
    "VERSION_ID=\"7\"\nVERSION=\"7 (wheezy)\"\nID=debian\nANSI_COLOR=\"1;31\"\n"
    "HOME_URL=\"http://www.debian.org/\"\nSUPPORT_URL=\"http://www.debian.org/support/\"\n"
    "BUG_REPORT_URL=\"http://bugs.debian.org/\"\n";
constexpr const char* kDebian8OsRelease =
    "PRETTY_NAME=\"Debian GNU/Linux 8 (jessie)\"\nNAME=\"Debian GNU/Linux\"\n"
    "VERSION_ID=\"8\"\nVERSION=\"8 (jessie)\"\nID=debian\nHOME_URL=\"http://www.debian.org/\"\n"
    "SUPPORT_URL=\"http://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n";

std::string Stanza(const std::string& package, const std::string& version,
                   const std::string& source = "") {
  std::string s = "Package: " + package + "\nStatus: install ok installed\nArchitecture: amd64\n";
  if (!source.empty()) s += "Source: " + source + "\n";
  return s + "Version: " + version + "\nDescription: test package\n\n";
}

// What Clair v1's dpkg rule makes of this machine's status file, computed by
// dpkg itself: the source package's name and version of every installed one.
std::set<std::pair<std::string, std::string>> HostPackages() {
  std::set<std::pair<std::string, std::string>> out;
  FILE* p =
      ::popen("dpkg-query -W -f '${db:Status-Abbrev}|${source:Package}|${source:Version}\\n'", "r");
  char line[4096];
  while (p != nullptr && std::fgets(line, sizeof line, p) != nullptr) {
    std::string l(line);
    if (l.rfind("ii ", 0) != 0) continue;
    l.pop_back();
    const auto a = l.find('|'), b = l.find('|', a + 1);
    out.emplace(l.substr(a + 1, b - a - 1), l.substr(b + 1));
  }
  if (p != nullptr) ::pclose(p);
  return out;
}

class LayerAnalysisTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    layers_ = std::make_unique<TempDir>();
    outside_ = std::make_unique<TempDir>();
    files_ = std::make_unique<LayerServer>();
    HeraldServer::Options options;
    options.config_yaml = "clair:\n  analyzer:\n    localPaths: [\"" + layers_->path() +
                          "\"]\n    timeout: 3s\n    maxLayerSize: 64MiB\n";
    server_ = std::make_unique<HeraldServer>(options);
    server_->Start();
  }
  static void TearDownTestSuite() {
    if (server_) {
      EXPECT_EQ(server_->Stop(SIGTERM), 0) << server_->Log();
    }
    server_.reset();
    files_.reset();
    layers_.reset();
    outside_.reset();
  }

  static std::string LayerFile(const std::string& name) { return layers_->File(name); }

  HttpResult PostPath(const std::string& name, const std::string& path,
                      const std::string& parent = "", const std::string& format = "Docker",
                      const json& headers = nullptr) {
    json layer = {{"Name", name}, {"Path", path}};
    if (!format.empty()) layer["Format"] = format;
    if (!parent.empty()) layer["ParentName"] = parent;
    if (!headers.is_null()) layer["Headers"] = headers;
    return client_.Post(server_->ApiUrl() + "/v1/layers", json{{"Layer", layer}}.dump());
  }
  HttpResult Get(const std::string& path) { return client_.Get(server_->ApiUrl() + path); }
  static json Body(const HttpResult& r) {
    auto doc = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << "not JSON: " << r.body;
    return doc;
  }
  // The error message of a refused post, after checking nothing was stored
  // and the process is healthy.
  std::string Refused(const HttpResult& r, long status, const std::string& name) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(Get("/v1/layers/" + name).status, 404);
    EXPECT_EQ(client_.Get(server_->HealthUrl() + "/health").status, 200);
    return Body(r)["Error"]["Message"].get<std::string>();
  }

  static inline std::unique_ptr<TempDir> layers_, outside_;
  static inline std::unique_ptr<LayerServer> files_;
  static inline std::unique_ptr<HeraldServer> server_;
  HttpClient client_;
};

TEST_F(LayerAnalysisTest, LocalPathLayerAnswers201AndListsThisMachinesPackages) {
  LayerBuilder layer;
  layer.File("etc/os-release", kDebian8OsRelease)
      .Copy("var/lib/dpkg/status", "/var/lib/dpkg/status")
      .Copy("usr/bin/env", "/usr/bin/env");
  const std::string path = layer.Pack(LayerFile("host.tar.gz"));
  auto r = PostPath("host", path);
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(r), json::parse(R"({"Layer":{"Name":"host","Path":")" + path +
                                 R"(","Format":"Docker","IndexedByVersion":3}})"));

  const json got = Body(Get("/v1/layers/host?features"))["Layer"];
  EXPECT_EQ(got["NamespaceName"], "debian:8");
  std::set<std::pair<std::string, std::string>> features;
  for (const auto& f : got["Features"]) {
    EXPECT_EQ(f["NamespaceName"], "debian:8");
    EXPECT_EQ(f["AddedBy"], "host");
    features.emplace(f["Name"], f["Version"]);
  }
  EXPECT_EQ(features, HostPackages());
}

TEST_F(LayerAnalysisTest, DistUpgradeKeepsUnchangedPackagesInTheParentsNamespace) {
  LayerBuilder wheezy;
  wheezy.File("etc/os-release", kDebian7OsRelease)
      .File("var/lib/dpkg/status", Stanza("libssl1.0.0", "1.0.1e-2+deb7u20", "openssl") +
                                       Stanza("bash", "4.2+dfsg-0.1+deb7u3"));
  ASSERT_EQ(PostPath("wheezy", wheezy.Pack(LayerFile("wheezy.tar"), Compression::kXz)).status, 201);
  LayerBuilder jessie;
  jessie.File("etc/os-release", kDebian8OsRelease)
      .File("var/lib/dpkg/status", Stanza("libssl1.0.0", "1.0.1t-1+deb8u12", "openssl") +
                                       Stanza("bash", "4.2+dfsg-0.1+deb7u3") +
                                       Stanza("curl", "7.38.0-4+deb8u16"));
  ASSERT_EQ(
      PostPath("jessie", jessie.Pack(LayerFile("jessie.tar"), Compression::kZstd), "wheezy").status,
      201);

  EXPECT_EQ(Body(Get("/v1/layers/jessie?features")), json::parse(R"({"Layer":{
      "Name":"jessie","NamespaceName":"debian:8","ParentName":"wheezy","IndexedByVersion":3,
      "Features":[
        {"Name":"bash","NamespaceName":"debian:7","Version":"4.2+dfsg-0.1+deb7u3","AddedBy":"wheezy"},
        {"Name":"curl","NamespaceName":"debian:8","Version":"7.38.0-4+deb8u16","AddedBy":"jessie"},
        {"Name":"openssl","NamespaceName":"debian:8","Version":"1.0.1t-1+deb8u12","AddedBy":"jessie"}
      ]}})"));
}

TEST_F(LayerAnalysisTest, VulnerabilitiesAloneListsFeaturesWithTheirVulnerabilities) {
  LayerBuilder base;
  base.File("etc/os-release", kDebian8OsRelease)
      .File("var/lib/dpkg/status", Stanza("libssl1.0.0", "1.0.1e-2+deb7u20", "openssl"));
  ASSERT_EQ(PostPath("vuln-base", base.Pack(LayerFile("vuln-base.tgz"))).status, 201);
  auto v = client_.Post(server_->ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities",
                        R"({"Vulnerability":{"Name":"CVE-2016-2108","Severity":"High",
          "FixedIn":[{"Name":"openssl","Version":"1.0.1t-1"}]}})");
  ASSERT_EQ(v.status, 201) << v.body;

  EXPECT_EQ(Body(Get("/v1/layers/vuln-base?vulnerabilities")), json::parse(R"({"Layer":{
      "Name":"vuln-base","NamespaceName":"debian:8","IndexedByVersion":3,
      "Features":[{"Name":"openssl","NamespaceName":"debian:8","Version":"1.0.1e-2+deb7u20",
        "Vulnerabilities":[{"Name":"CVE-2016-2108","NamespaceName":"debian:8","Severity":"High",
          "FixedBy":"1.0.1t-1"}],
        "AddedBy":"vuln-base"}]}})"));
  // Analysing a layer made no notification; the vulnerability's creation did one.
  const json list = Body(Get("/v1/notifications?limit=10000"));
  EXPECT_FALSE(list["Notifications"].empty());
}

TEST_F(LayerAnalysisTest, LayersWithoutADatabaseOrWithAWhiteoutInheritTheParentsFeatures) {
  LayerBuilder base;
  base.File("etc/os-release", kDebian8OsRelease)
      .File("var/lib/dpkg/status", Stanza("bash", "4.3-11+deb8u2"));
  ASSERT_EQ(PostPath("inh-base", base.Pack(LayerFile("inh-base.tgz"))).status, 201);
  LayerBuilder app;
  app.File("srv/app/main.py", "print('hi')\n");
  ASSERT_EQ(PostPath("inh-app", app.Pack(LayerFile("inh-app.tgz")), "inh-base").status, 201);
  LayerBuilder wipe;
  wipe.File("var/lib/dpkg/.wh.status", "");
  ASSERT_EQ(PostPath("inh-wipe", wipe.Pack(LayerFile("inh-wipe.tgz")), "inh-app").status, 201);

  const json expected_features = json::parse(
      R"([{"Name":"bash","NamespaceName":"debian:8","Version":"4.3-11+deb8u2","AddedBy":"inh-base"}])");
  for (const char* name : {"inh-app", "inh-wipe"}) {
    const json got = Body(Get(std::string("/v1/layers/") + name + "?features"))["Layer"];
    EXPECT_EQ(got["Features"], expected_features) << name;
    EXPECT_EQ(got["NamespaceName"], "debian:8") << name;
  }
}

TEST_F(LayerAnalysisTest, RepostingAnAnalysedLayerIsANoOp) {
  LayerBuilder base;
  base.File("etc/os-release", kDebian8OsRelease)
      .File("var/lib/dpkg/status", Stanza("bash", "4.3-11+deb8u2"));
  const std::string path = base.Pack(LayerFile("repost.tgz"));
  ASSERT_EQ(PostPath("repost", path).status, 201);
  std::filesystem::remove(path);  // a second analysis would fail now
  auto again = PostPath("repost", path);
  EXPECT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(Body(again)["Layer"]["IndexedByVersion"], 3);
}

TEST_F(LayerAnalysisTest, PackagesWithoutANamespaceAre422) {
  LayerBuilder layer;
  layer.File("var/lib/dpkg/status", Stanza("bash", "4.3-11+deb8u2"));
  auto r = PostPath("no-os", layer.Pack(LayerFile("no-os.tgz")));
  EXPECT_EQ(Refused(r, 422, "no-os"), "OS and/or package manager are not supported");
  EXPECT_EQ(Body(r),
            json::parse(R"({"Error":{"Message":"OS and/or package manager are not supported"}})"));
}

TEST_F(LayerAnalysisTest, BadRequestsAre400WithNothingStored) {
  LayerBuilder layer;
  layer.File("etc/os-release", kDebian8OsRelease);
  const std::string good = layer.Pack(LayerFile("good.tgz"));

  EXPECT_EQ(Refused(PostPath("bad-1", good, "", ""), 400, "bad-1"),
            "Layer.Format is required with Layer.Path");
  EXPECT_EQ(Refused(PostPath("bad-2", good, "", "Rocket"), 400, "bad-2"),
            "unsupported image format: Rocket");
  EXPECT_EQ(Refused(PostPath("bad-3", good, "nope"), 400, "bad-3"), "parent layer not found: nope");
  auto no_path = client_.Post(server_->ApiUrl() + "/v1/layers",
                              R"({"Layer":{"Name":"bad-4","Format":"Docker"}})");
  EXPECT_EQ(Refused(no_path, 400, "bad-4"), "Layer.Path is required to analyse a layer");
  EXPECT_NE(Refused(PostPath("bad-5", LayerFile("missing.tgz")), 400, "bad-5")
                .find("could not find layer"),
            std::string::npos);
  // Accepted case-insensitively, as Clair v1 did.
  EXPECT_EQ(PostPath("good-oci", good, "", "oci").status, 201);
}

TEST_F(LayerAnalysisTest, LocalPathsOutsideTheAllowedDirectoriesAreRefused) {
  LayerBuilder layer;
  layer.File("etc/os-release", kDebian8OsRelease);
  const std::string outside = layer.Pack(outside_->File("outside.tgz"));
  std::filesystem::create_symlink("/etc/passwd", LayerFile("passwd-link"));
  std::filesystem::create_symlink(outside_->path(), LayerFile("dir-link"));
  const std::string escaping = layers_->path() + "/../" +
                               std::filesystem::path(outside_->path()).filename().string() +
                               "/outside.tgz";
  for (const std::string& path :
       {std::string("/etc/shadow"), std::string("file:///etc/shadow"), outside,
        LayerFile("passwd-link"), LayerFile("dir-link") + "/outside.tgz", escaping}) {
    const std::string message = Refused(PostPath("escape", path), 400, "escape");
    EXPECT_NE(message.find("analyzer.localPaths"), std::string::npos) << path << ": " << message;
  }
}

TEST_F(LayerAnalysisTest, BrokenArchivesAre422) {
  WriteFile(LayerFile("not-an-archive"), std::string(4096, 'z'));
  EXPECT_NE(Refused(PostPath("broken-1", LayerFile("not-an-archive")), 422, "broken-1")
                .find("could not extract"),
            std::string::npos);
  LayerBuilder layer;
  layer.Copy("var/lib/dpkg/status", "/var/lib/dpkg/status").Copy("usr/bin/env", "/usr/bin/env");
  const std::string gz = layer.Pack(LayerFile("truncated.tgz"));
  std::filesystem::resize_file(gz, std::filesystem::file_size(gz) / 2);
  EXPECT_NE(Refused(PostPath("broken-2", gz), 422, "broken-2").find("could not extract"),
            std::string::npos);
  LayerBuilder bomb;
  bomb.File("var/lib/dpkg/status", "");
  std::filesystem::resize_file(bomb.root() + "/var/lib/dpkg/status", 10LL << 30);
  Shell("tar -C " + bomb.root() + " -S -cf - . | gzip > " + LayerFile("bomb.tgz"));
  EXPECT_NE(Refused(PostPath("broken-3", LayerFile("bomb.tgz")), 422, "broken-3")
                .find("analyzer.maxFileSize"),
            std::string::npos);
}

// Hostile archives through the API: each ends in an answer, the process
// stays healthy, and nothing half-read is stored.
TEST_F(LayerAnalysisTest, HostileArchivesLeaveTheProcessHealthy) {
  // A gzip bomb of a file no detector reads: 10 GiB of zeros in ~10 MB,
  // cut by the cap on inflated bytes (16 × maxLayerSize, 1 GiB here)
  // without filling memory or disk.
  WriteGzipBomb(LayerFile("gzbomb.tgz"));
  EXPECT_EQ(Refused(PostPath("hostile-1", LayerFile("gzbomb.tgz")), 422, "hostile-1"),
            "the layer decompresses to more than 16 times analyzer.maxLayerSize (64MiB)");

  // 100,000 tiny entries before the release file: read through, registered.
  WriteManyEntriesLayer(LayerFile("many.tgz"), 100000);
  ASSERT_EQ(PostPath("hostile-2", LayerFile("many.tgz")).status, 201);
  EXPECT_FALSE(
      Body(Get("/v1/layers/hostile-2"))["Layer"]["NamespaceName"].get<std::string>().empty());

  // A symlink loop where the release file should be: no namespace, so the
  // packages cannot be filed.
  LayerBuilder loop;
  loop.Symlink("etc/os-release", "../usr/lib/os-release")
      .Symlink("usr/lib/os-release", "/etc/os-release")
      .File("var/lib/dpkg/status", Stanza("bash", "4.3-11+deb8u2"));
  EXPECT_EQ(Refused(PostPath("hostile-3", loop.Pack(LayerFile("loop.tgz"))), 422, "hostile-3"),
            "OS and/or package manager are not supported");

  // A tar whose members climb out with "../": they have no place in the
  // layer and are ignored, like the release file behind them.
  LayerBuilder climb;
  climb.File("a/etc/os-release", kDebian8OsRelease)
      .File("a/var/lib/dpkg/status", Stanza("bash", "4.3-11+deb8u2"));
  Shell("cd " + climb.root() + "/a && tar -P -cf " + LayerFile("climb.tar") +
        " ../a/etc/os-release ../a/var/lib/dpkg/status");
  auto r = PostPath("hostile-4", LayerFile("climb.tar"));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Body(Get("/v1/layers/hostile-4?features")),
            json::parse(R"({"Layer":{"Name":"hostile-4","IndexedByVersion":3}})"));
}

TEST_F(LayerAnalysisTest, MalformedPackageDatabasesAre422) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"no-version", "Package: bash\nStatus: install ok installed\nArchitecture: amd64\n\n"},
      {"bad-utf8", Stanza("b\xff\xfe"
                          "ash",
                          "4.3-11")},
      {"long-line", "Package: bash\nStatus: install ok installed\nDescription: " +
                        std::string(1 << 20, 'a') + "\nVersion: 4.3-11\n\n"},
  };
  for (const auto& [name, status] : cases) {
    LayerBuilder layer;
    layer.File("etc/os-release", kDebian8OsRelease).File("var/lib/dpkg/status", status);
    const std::string message =
        Refused(PostPath(name, layer.Pack(LayerFile(name + ".tgz"))), 422, name);
    EXPECT_NE(message.find("dpkg"), std::string::npos) << name << ": " << message;
  }
}

TEST_F(LayerAnalysisTest, HttpLayersFollowRedirectsAndSendTheHeaders) {
  LayerBuilder layer;
  layer.File("etc/os-release", kDebian8OsRelease)
      .File("var/lib/dpkg/status", Stanza("bash", "4.3-11+deb8u2"));
  files_->AddFile("http.tgz", layer.Pack(LayerFile("http.tgz")));

  const std::string url = files_->Url("/files/http.tgz");
  auto r = PostPath("http-1", url, "", "Docker", {{"Authorization", "Bearer secret-token-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  // Headers are sent, never echoed back and never logged.
  EXPECT_EQ(Body(r), json::parse(R"({"Layer":{"Name":"http-1","Path":")" + url +
                                 R"(","Format":"Docker","IndexedByVersion":3}})"));
  EXPECT_EQ(files_->Requests().back()["authorization"], "Bearer secret-token-1");
  EXPECT_EQ(server_->Log().find("secret-token-1"), std::string::npos);
  EXPECT_EQ(Body(Get("/v1/layers/http-1?features"))["Layer"]["Features"].size(), 1u);

  EXPECT_EQ(PostPath("http-2", files_->Url("/redirect/9/http.tgz")).status, 201);
  EXPECT_EQ(Refused(PostPath("http-3", files_->Url("/redirect/10/http.tgz")), 400, "http-3"),
            "could not find layer: more than 9 redirects");
  EXPECT_EQ(Refused(PostPath("http-4", files_->Url("/status/404")), 400, "http-4"),
            "could not find layer: the server answered HTTP 404");
  EXPECT_EQ(Refused(PostPath("http-5", files_->Url("/status/500")), 400, "http-5"),
            "could not find layer: the server answered HTTP 500");
  EXPECT_NE(Refused(PostPath("http-6", "http://127.0.0.1:1/layer.tgz"), 400, "http-6")
                .find("could not find layer"),
            std::string::npos);
}

TEST_F(LayerAnalysisTest, StallingAndEndlessServersEndInA422) {
  EXPECT_EQ(Refused(PostPath("stall", files_->Url("/stall")), 422, "stall"),
            "the layer took longer than analyzer.timeout (3s) to fetch and analyse");
  EXPECT_EQ(Refused(PostPath("endless", files_->Url("/endless")), 422, "endless"),
            "the layer is larger than analyzer.maxLayerSize (64MiB)");
}

TEST_F(LayerAnalysisTest, MetricsCountAnalyses) {
  LayerBuilder layer;
  layer.File("etc/os-release", kDebian8OsRelease);
  ASSERT_EQ(PostPath("metrics-1", layer.Pack(LayerFile("metrics.tgz"))).status, 201);
  const std::string metrics = client_.Get(server_->HealthUrl() + "/metrics").body;
  EXPECT_NE(metrics.find("herald_analyzer_layers_total{outcome=\"analyzed\"}"), std::string::npos);
  EXPECT_NE(metrics.find("herald_analyzer_duration_seconds_count"), std::string::npos);
  EXPECT_NE(metrics.find("herald_analyzer_bytes_total"), std::string::npos);
}

// SIGTERM while analyses are stuck on a stalled server: the process still
// stops within rule 8's 10 s, answers them 503 and stores nothing.
TEST(LayerAnalysisStopTest, SigtermAbandonsAnalysesInFlight) {
  LayerServer files;
  HeraldServer::Options options;
  options.config_yaml = "clair:\n  analyzer:\n    concurrency: 2\n";
  HeraldServer server(options);
  server.Start();
  std::vector<std::future<HttpResult>> posts;
  for (int i = 0; i < 3; ++i) {
    posts.push_back(std::async(std::launch::async, [&, i] {
      HttpClient client;
      return client.Post(server.ApiUrl() + "/v1/layers",
                         json{{"Layer",
                               {{"Name", "stuck-" + std::to_string(i)},
                                {"Path", files.Url("/stall")},
                                {"Format", "Docker"}}}}
                             .dump());
    }));
  }
  // Wait until both pool threads hold a stalled fetch.
  HttpClient probe;
  for (int i = 0; i < 500 && files.Requests().size() < 2; ++i) {
    ASSERT_EQ(probe.Get(server.HealthUrl() + "/health").status, 200);
  }
  ASSERT_GE(files.Requests().size(), 2u);
  const auto started = std::chrono::steady_clock::now();
  EXPECT_EQ(server.Stop(SIGTERM), 0) << server.Log();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  for (auto& p : posts) {
    const HttpResult r = p.get();
    // 503 when the answer made it out before the port closed.
    if (r.status != 0) {
      EXPECT_EQ(r.status, 503) << r.body;
    }
  }
}

}  // namespace
}  // namespace herald::testing
