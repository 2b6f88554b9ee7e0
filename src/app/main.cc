// herald: the command-line entry point (SPEC §1).
#include <spdlog/spdlog.h>

#include <malloc.h>

#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"
#include "config/config.h"
#include "store/store.h"
#include "util/logging.h"

int main(int argc, char** argv) {
  // glibc returns freed heap to the kernel eagerly (madvise on every trim);
  // with request buffers churning on several threads that cost a fifth of
  // the notifier's CPU. Keep up to 64 MiB of free heap instead.
  mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
  mallopt(M_TOP_PAD, 16 * 1024 * 1024);
  using herald::app::CommonOptions;

  CLI::App app{
      "herald: vulnerability notifications, wire-compatible with the Clair v1 API.\n"
      "Stores image layers and vulnerabilities, records a notification whenever a "
      "vulnerability appears, changes or goes away, and delivers it to webhooks."};
  app.require_subcommand(1);
  CommonOptions options;

  auto* serve = app.add_subcommand(
      "serve", "Run the API server, the health server and the notifier until SIGINT/SIGTERM");
  auto* migrate = app.add_subcommand("migrate", "Create or upgrade the database schema, then exit");
  auto* check = app.add_subcommand(
      "check-config",
      "Validate the configuration and print it with secrets redacted (exit 0 valid, 2 invalid)");
  auto* version = app.add_subcommand("version", "Print the version");
  auto* notifications = app.add_subcommand(
      "notifications", "Inspect and operate on notifications, directly in the database");
  notifications->require_subcommand(1);
  std::string status, name;
  int limit = 100;
  auto* list = notifications->add_subcommand("list", "List notifications, newest first");
  list->add_option("--status", status, "pending, failed, notified or deleted")
      ->check(CLI::IsMember({"pending", "failed", "notified", "deleted"}));
  list->add_option("--limit", limit, "at most this many (default 100)")
      ->check(CLI::Range(1, 10000));
  auto* show = notifications->add_subcommand(
      "show", "Print one notification (Old/New vulnerability, layer counts) and its deliveries");
  auto* redeliver = notifications->add_subcommand(
      "redeliver", "Start a new delivery round now (a running serve picks it up within 1 s)");
  auto* remove = notifications->add_subcommand(
      "delete", "Mark a notification deleted: it is never delivered again");
  for (auto* cmd : {show, redeliver, remove}) {
    cmd->add_option("NAME", name, "the notification's name")->required();
  }
  auto* analyze = app.add_subcommand(
      "analyze",
      "Register a whole image from a docker save tarball or an OCI image layout (directory or "
      "tar), one layer per image layer chained by parent, and print its features and "
      "vulnerabilities, most severe first");
  std::string archive, name_prefix, output_format = "text";
  analyze->add_option("ARCHIVE", archive, "the docker save tarball or OCI image layout")
      ->required();
  analyze->add_option("--name", name_prefix,
                      "name the layers PREFIX-1, PREFIX-2, … (default: each layer's digest)");
  analyze
      ->add_option("--format", output_format,
                   "text (default) or json (the GET /v1/layers/:name?features&vulnerabilities "
                   "envelope of the top layer)")
      ->check(CLI::IsMember({"text", "json"}));
  auto* update = app.add_subcommand(
      "update",
      "Run every feed source of updater.sources (or the one named) now, then exit: prints what "
      "each added, changed and left alone; exit 0 when every source succeeded, 1 otherwise");
  std::string update_source;
  bool update_once = false;
  update->add_flag("--once", update_once,
                   "run once and exit (the only mode; accepted for clarity)");
  update->add_option("--source", update_source, "run only the source with this name");
  auto* token = app.add_subcommand(
      "token",
      "Make a new random API bearer token and print it with the api.tokens entry (its SHA-256) "
      "to paste into the configuration; Herald stores only the hash");
  std::string token_name = "client", token_scope = "read";
  token->add_option("--name", token_name,
                    "the entry's name, for you and the logs (default client)");
  token->add_option("--scope", token_scope, "read (default), write or admin")
      ->check(CLI::IsMember({"read", "write", "admin"}));
  for (auto* cmd : {serve, migrate, check, list, show, redeliver, remove, analyze, update}) {
    herald::app::AddCommonOptions(*cmd, options);
  }

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }

  if (*version) {
    std::cout << "herald " << HERALD_VERSION << std::endl;
    return 0;
  }
  if (*token) return herald::app::RunToken(token_name, token_scope);
  try {
    herald::util::SetupLogging(options.log_format, options.log_level);
    if (*serve) return herald::app::RunServe(options);
    if (*migrate) return herald::app::RunMigrate(options);
    if (*check) return herald::app::RunCheckConfig(options);
    if (*list) return herald::app::RunNotificationsList(options, status, limit);
    if (*show) return herald::app::RunNotificationsShow(options, name);
    if (*redeliver) return herald::app::RunNotificationsRedeliver(options, name);
    if (*remove) return herald::app::RunNotificationsDelete(options, name);
    if (*analyze) return herald::app::RunAnalyze(options, archive, name_prefix, output_format);
    if (*update) return herald::app::RunUpdate(options, update_source);

  } catch (const herald::config::ConfigError& e) {
    std::cerr << "herald: invalid configuration: " << e.what() << std::endl;
    return 2;
  } catch (const herald::store::StoreError& e) {
    spdlog::critical("database: {}", e.what());
    return 1;
  } catch (const std::exception& e) {
    spdlog::critical("{}", e.what());
    return 1;
  }
  return 0;
}
