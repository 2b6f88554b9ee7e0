// herald notifications list|show|redeliver|delete against a real database.
#include "delivery_fixture.h"

namespace herald::testing {
namespace {

CommandResult Herald(std::vector<std::string> args) {
  args.insert(args.begin(), HeraldBinary());
  return RunCommand(args);
}

TEST(NotificationsCliTest, ListShowRedeliverDelete) {
  TempDir dir;
  const std::string db = dir.File("cli.db");
  std::string name;
  {
    // Create a notification through the API, then stop the server: the
    // commands work on the database directly.
    HeraldServer server({.database = db});
    server.Start();
    Api api(server);
    name = api.MakeNotification("CVE-CLI");
    ASSERT_EQ(server.Stop(SIGTERM), 0);
  }
  auto list = Herald({"notifications", "list", "--database", db});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  EXPECT_NE(list.output.find(name), std::string::npos);
  EXPECT_NE(list.output.find("pending"), std::string::npos);
  EXPECT_EQ(
      Herald({"notifications", "list", "--status", "failed", "--database", db}).output.find(name),
      std::string::npos);
  EXPECT_EQ(Herald({"notifications", "list", "--status", "bogus", "--database", db}).exit_code, 2);

  auto show = Herald({"notifications", "show", name, "--database", db});
  EXPECT_EQ(show.exit_code, 0) << show.output;
  auto doc = json::parse(show.output);
  EXPECT_EQ(doc["Name"], name);
  EXPECT_EQ(doc["New"]["Vulnerability"]["Name"], "CVE-CLI");
  EXPECT_EQ(doc["Deliveries"], json::array());

  EXPECT_EQ(Herald({"notifications", "redeliver", name, "--database", db}).exit_code, 0);
  auto missing = Herald({"notifications", "show", "no-such", "--database", db});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.output.find("not found"), std::string::npos);

  EXPECT_EQ(Herald({"notifications", "delete", name, "--database", db}).exit_code, 0);
  EXPECT_NE(
      Herald({"notifications", "list", "--status", "deleted", "--database", db}).output.find(name),
      std::string::npos);
  auto again = Herald({"notifications", "redeliver", name, "--database", db});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("deleted"), std::string::npos);
  EXPECT_EQ(Herald({"notifications", "delete", "no-such", "--database", db}).exit_code, 1);
}

// Run in the wrong folder, the CLI must say there is no database rather
// than create an empty one and list nothing (issue 9, fault 10).
TEST(NotificationsCliTest, AMissingDatabaseIsAnErrorAndIsNotCreated) {
  TempDir dir;
  const std::string db = dir.File("herald.db");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"notifications", "list", "--database", db},
        {"notifications", "show", "n", "--database", db}}) {
    auto r = Herald(args);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("does not exist"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(db));
  }
}

TEST(NotificationsCliTest, RedeliverFromTheCliReachesARunningServer) {
  TestReceiver receiver({});
  HeraldServer server({.config_yaml = NotifierYaml(receiver.Url(), "")});
  server.Start();
  Api api(server);
  const std::string name = api.MakeNotification("CVE-CLI-REDELIVER");
  ASSERT_TRUE(api.WaitForStatus(name, "notified", seconds(10)));
  auto r = Herald({"notifications", "redeliver", name, "--database", server.database()});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  // The server is not woken in-process: it notices within its idle bound.
  EXPECT_TRUE(receiver.WaitUntil(
      [&](const auto& rs) {
        return std::count_if(rs.begin(), rs.end(),
                             [&](const auto& q) { return q.notification == name; }) >= 2;
      },
      seconds(5)));
}

}  // namespace
}  // namespace herald::testing
