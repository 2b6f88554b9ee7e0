// herald analyze ARCHIVE on image archives assembled here from real layer
// tarballs (packed by the system's tar from this machine's package database
// and copies of real release files), in the two published layouts: docker
// save (manifest.json + config with diff_ids) and the OCI image layout
// (oci-layout, index.json, blobs/sha256/…), as a directory and as a tar.
#include <signal.h>

#include <filesystem>

#include "api_fixture.h"
#include "support/layer_builder.h"

namespace herald::testing {
namespace {

constexpr const char* kDebian8OsRelease =
    "PRETTY_NAME=\"Debian GNU/Linux 8 (jessie)\"\nNAME=\"Debian GNU/Linux\"\n"
    "VERSION_ID=\"8\"\nVERSION=\"8 (jessie)\"\nID=debian\nHOME_URL=\"http://www.debian.org/\"\n"
    "SUPPORT_URL=\"http://www.debian.org/support\"\nBUG_REPORT_URL=\"https://bugs.debian.org/\"\n";

CommandResult Herald(std::vector<std::string> args) {
  args.insert(args.begin(), HeraldBinary());
  return RunCommand(args);
}

std::string Sha256(const std::string& path) {
  const CommandResult r = RunCommand({"sha256sum", path});
  return r.output.substr(0, 64);
}

std::size_t Size(const std::string& path) {
  return std::filesystem::file_size(path);
}

// The last line of the output (logs come before it).
json LastLineJson(const std::string& output) {
  std::string text = output;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return json::parse(text.substr(text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1));
}

class AnalyzeCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LayerBuilder base;
    base.File("etc/os-release", kDebian8OsRelease)
        .File("var/lib/dpkg/status",
              "Package: libssl1.0.0\nStatus: install ok installed\nSource: openssl\n"
              "Version: 1.0.1e-2+deb7u20\n\nPackage: bash\nStatus: install ok installed\n"
              "Version: 4.3-11+deb8u2\n\n")
        .Copy("usr/bin/env", "/usr/bin/env");
    base_tar_ = base.Pack(dir_.File("base.tar"), Compression::kNone);
    LayerBuilder app;
    app.File("var/lib/dpkg/status",
             "Package: libssl1.0.0\nStatus: install ok installed\nSource: openssl\n"
             "Version: 1.0.1e-2+deb7u20\n\nPackage: bash\nStatus: install ok installed\n"
             "Version: 4.3-11+deb8u2\n\nPackage: curl\nStatus: install ok installed\n"
             "Version: 7.38.0-4+deb8u16\n\n")
        .File("srv/app/run.sh", "#!/bin/sh\n");
    app_tar_ = app.Pack(dir_.File("app.tar"), Compression::kNone);
  }

  // docker save: <id>/layer.tar, <config>.json with rootfs.diff_ids, and
  // manifest.json naming both.
  std::string DockerSave() {
    const std::string root = dir_.File("save");
    std::filesystem::create_directories(root + "/aaa");
    std::filesystem::create_directories(root + "/bbb");
    std::filesystem::copy_file(base_tar_, root + "/aaa/layer.tar");
    std::filesystem::copy_file(app_tar_, root + "/bbb/layer.tar");
    base_id_ = "sha256:" + Sha256(base_tar_);
    app_id_ = "sha256:" + Sha256(app_tar_);
    const json config = {{"architecture", "amd64"},
                         {"os", "linux"},
                         {"rootfs", {{"type", "layers"}, {"diff_ids", {base_id_, app_id_}}}}};
    WriteFile(root + "/config.json", config.dump());
    const std::string config_name = Sha256(root + "/config.json") + ".json";
    std::filesystem::rename(root + "/config.json", root + "/" + config_name);
    WriteFile(root + "/manifest.json",
              json::array({{{"Config", config_name},
                            {"RepoTags", {"herald-test:1"}},
                            {"Layers", {"aaa/layer.tar", "bbb/layer.tar"}}}})
                  .dump());
    Shell("tar -C " + root + " -cf " + dir_.File("save.tar") + " .");
    return dir_.File("save.tar");
  }

  // An OCI image layout directory with gzip layers.
  std::string OciLayout() {
    const std::string root = dir_.File("oci");
    std::filesystem::create_directories(root + "/blobs/sha256");
    json layers = json::array();
    for (const std::string& tar : {base_tar_, app_tar_}) {
      Shell("gzip -6 -c " + tar + " > " + tar + ".gz");
      const std::string digest = Sha256(tar + ".gz");
      std::filesystem::copy_file(tar + ".gz", root + "/blobs/sha256/" + digest,
                                 std::filesystem::copy_options::overwrite_existing);
      layers.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar+gzip"},
                        {"digest", "sha256:" + digest},
                        {"size", Size(tar + ".gz")}});
    }
    WriteFile(root + "/config.json", R"({"architecture":"amd64","os":"linux"})");
    const std::string config_digest = Sha256(root + "/config.json");
    std::filesystem::rename(root + "/config.json", root + "/blobs/sha256/" + config_digest);
    const json manifest = {{"schemaVersion", 2},
                           {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                           {"config",
                            {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                             {"digest", "sha256:" + config_digest},
                             {"size", 39}}},
                           {"layers", layers}};
    WriteFile(root + "/manifest.json", manifest.dump());
    const std::string manifest_digest = Sha256(root + "/manifest.json");
    std::filesystem::rename(root + "/manifest.json", root + "/blobs/sha256/" + manifest_digest);
    WriteFile(root + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
    WriteFile(root + "/index.json",
              json{{"schemaVersion", 2},
                   {"manifests",
                    {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                      {"digest", "sha256:" + manifest_digest},
                      {"size", Size(root + "/blobs/sha256/" + manifest_digest)}}}}}
                  .dump());
    return root;
  }

  // A database made the way an operator makes one: only migrate (and the
  // first serve) create the file.
  std::string Database() {
    const std::string db = dir_.File("herald.db");
    const CommandResult r = Herald({"migrate", "--database", db});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return db;
  }

  TempDir dir_;
  std::string base_tar_, app_tar_, base_id_, app_id_;
};

TEST_F(AnalyzeCommandTest, DockerSaveArchiveRegistersEachLayerByDiffId) {
  const std::string archive = DockerSave();
  const std::string db = Database();
  const CommandResult r =
      Herald({"analyze", archive, "--database", db, "--format", "json", "--log-level", "warn"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(LastLineJson(r.output), json::parse(R"({"Layer":{"Name":")" + app_id_ +
                                                R"(","NamespaceName":"debian:8","ParentName":")" +
                                                base_id_ + R"(","IndexedByVersion":3,"Features":[
      {"Name":"bash","NamespaceName":"debian:8","Version":"4.3-11+deb8u2","AddedBy":")" +
                                                base_id_ + R"("},
      {"Name":"curl","NamespaceName":"debian:8","Version":"7.38.0-4+deb8u16","AddedBy":")" +
                                                app_id_ + R"("},
      {"Name":"openssl","NamespaceName":"debian:8","Version":"1.0.1e-2+deb7u20","AddedBy":")" +
                                                base_id_ + R"("}]}})"));
}

TEST_F(AnalyzeCommandTest, OciLayoutAsDirectoryAndAsTarWithANamePrefix) {
  const std::string layout = OciLayout();
  const std::string db = Database();
  CommandResult r = Herald({"analyze", layout, "--name", "dir", "--database", db, "--format",
                            "json", "--log-level", "warn"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  json doc = LastLineJson(r.output);
  EXPECT_EQ(doc["Layer"]["Name"], "dir-2");
  EXPECT_EQ(doc["Layer"]["ParentName"], "dir-1");
  EXPECT_EQ(doc["Layer"]["Features"].size(), 3u);

  Shell("tar -C " + layout + " -cf " + dir_.File("oci.tar") + " .");
  r = Herald({"analyze", dir_.File("oci.tar"), "--name", "tar", "--database", db, "--format",
              "json", "--log-level", "warn"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  doc = LastLineJson(r.output);
  EXPECT_EQ(doc["Layer"]["Name"], "tar-2");
  EXPECT_EQ(doc["Layer"]["Features"][1]["AddedBy"], "tar-2");  // curl
}

TEST_F(AnalyzeCommandTest, ReportListsTheMostSevereFirst) {
  const std::string layout = OciLayout();
  const std::string db = Database();
  ASSERT_EQ(Herald({"analyze", layout, "--name", "img", "--database", db}).exit_code, 0);
  {
    HeraldServer server({.database = db});
    server.Start();
    HttpClient client;
    for (
        const char* body :
        {R"({"Vulnerability":{"Name":"CVE-LOW","Severity":"Low","FixedIn":[{"Name":"bash","Version":"4.3-11+deb8u3"}]}})",
         R"({"Vulnerability":{"Name":"CVE-CRIT","Severity":"Critical","FixedIn":[{"Name":"openssl","Version":"None"}]}})"}) {
      ASSERT_EQ(
          client.Post(server.ApiUrl() + "/v1/namespaces/debian:8/vulnerabilities", body).status,
          201);
    }
    ASSERT_EQ(server.Stop(SIGTERM), 0);
  }
  // The layers are registered already: analysing again only reports.
  const CommandResult r = Herald({"analyze", layout, "--name", "img", "--database", db});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("image img-2: 2 layers, namespace debian:8, 3 features, 2 vulnerable "
                          "(2 vulnerabilities)"),
            std::string::npos)
      << r.output;
  const auto crit = r.output.find("Critical  CVE-CRIT");
  const auto low = r.output.find("Low  CVE-LOW  fixed by 4.3-11+deb8u3");
  ASSERT_NE(crit, std::string::npos) << r.output;
  ASSERT_NE(low, std::string::npos) << r.output;
  EXPECT_LT(crit, low);
  EXPECT_LT(r.output.find("openssl 1.0.1e-2+deb7u20"), r.output.find("bash 4.3-11+deb8u2"));
}

TEST_F(AnalyzeCommandTest, ShowsAProgressLinePerLayerOnATerminal) {
  const std::string layout = OciLayout();
  // script(1) gives the command a terminal.
  const CommandResult r =
      RunCommand({"script", "-qec",
                  HeraldBinary() + " analyze " + layout + " --name tty --database " + Database(),
                  "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("[1/2] tty-1 debian:8, 2 packages"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("[2/2] tty-2 debian:8, 3 packages"), std::string::npos) << r.output;
}

TEST_F(AnalyzeCommandTest, UnreadableArchivesExit1WithAMessage) {
  WriteFile(dir_.File("junk.tar"), std::string(2048, 'j'));
  const std::string db = Database();
  CommandResult r = Herald({"analyze", dir_.File("junk.tar"), "--database", db});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("could not extract"), std::string::npos) << r.output;
  std::filesystem::create_directories(dir_.File("empty-dir"));
  r = Herald({"analyze", dir_.File("empty-dir"), "--database", db});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.output.find("neither a docker save archive"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace herald::testing
