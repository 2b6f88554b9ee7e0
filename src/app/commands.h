// The commands of the herald binary (SPEC §1). Each returns the exit code.
#pragma once

#include <string>

#include "app/options.h"

namespace herald::app {

// herald token [--name N] [--scope S]: prints a new random bearer token and
// the api.tokens entry that admits it (SPEC §11).
int RunToken(const std::string& name, const std::string& scope);

// Runs the API server, the health server and the notifier until
// SIGINT/SIGTERM; 0 after a graceful stop.

int RunServe(const CommonOptions& options);

// Creates or upgrades the schema, then exits.
int RunMigrate(const CommonOptions& options);

// Validates the configuration and prints it with secrets redacted: 0 valid,
// 2 invalid.
int RunCheckConfig(const CommonOptions& options);

// herald notifications …: `status` "" for all; exit 1 when the name is
// unknown (or, for redeliver, deleted).
int RunNotificationsList(const CommonOptions& options, const std::string& status, int limit);
int RunNotificationsShow(const CommonOptions& options, const std::string& name);
int RunNotificationsRedeliver(const CommonOptions& options, const std::string& name);
int RunNotificationsDelete(const CommonOptions& options, const std::string& name);

// herald analyze ARCHIVE: registers each layer of a docker save or OCI
// image-layout archive (name: the layer's digest, or PREFIX-N), chained by
// parent, and prints the image's features and vulnerabilities as text or, with
// format "json", as the GET /v1/layers envelope. 1 when the archive or a
// layer cannot be read.
int RunAnalyze(const CommonOptions& options, const std::string& archive, const std::string& prefix,
               const std::string& format);

// herald update [--once] [--source NAME]: runs every feed source (or the one
// named) now and prints a line per source; 0 when all succeeded, 1 when one
// failed (or none is configured), 2 for an unknown source name.
int RunUpdate(const CommonOptions& options, const std::string& source);

}  // namespace herald::app
