// Test support: temporary directories, free ports, child processes, and a
// real herald binary started on loopback.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <memory>

#include <cstdint>
#include <string>
#include <vector>

namespace herald::testing {

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void WriteFile(const std::string& path, const std::string& content);
std::string ReadFile(const std::string& path);

// A TCP port on 127.0.0.1 that was free a moment ago.
std::uint16_t FreePort();

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a program to completion (argv[0] searched in PATH) and captures its output.
CommandResult RunCommand(const std::vector<std::string>& argv);

// The herald binary under test (build/herald of this build).
std::string HeraldBinary();

class ScratchDatabase;

// A `herald serve` child process with its own config and database: an
// SQLite file, or a scratch PostgreSQL database when HERALD_TEST_STORE is
// "postgres".

class HeraldServer {
 public:
  struct Options {
    std::string config_yaml;        // written to <dir>/herald.yaml when non-empty
    std::vector<std::string> args;  // extra flags for `serve`
    // Runs before the binary, e.g. {"env", "VAR=value"} to give only this
    // process a setting.
    std::vector<std::string> command_prefix;
    std::string database;  // --database; default <dir>/herald.db
    bool tls = false;      // the API port speaks TLS (config carries the files)
    // Start() waits for /health 200; false: for any answer from the health
    // port (a herald waiting for its database answers 503).
    bool wait_healthy = true;
  };

  explicit HeraldServer(Options options);
  ~HeraldServer();  // SIGKILLs the child when still running
  HeraldServer(const HeraldServer&) = delete;
  HeraldServer& operator=(const HeraldServer&) = delete;

  // Starts the child and waits until /health answers 200 (throws with the
  // child's log when it exits first or does not get ready in 30 s).
  void Start();
  // Sends `signal` and waits for the exit; returns the exit status (or
  // 128+signal when killed by one).
  int Stop(int signal);
  bool Running();

  std::string ApiUrl() const;     // http(s)://127.0.0.1:<api port>
  std::string HealthUrl() const;  // http://127.0.0.1:<health port>
  std::string Log() const;        // what the child wrote to stderr/stdout
  const std::string& dir() const { return dir_.path(); }
  std::string database() const { return database_; }
  pid_t pid() const { return pid_; }

 private:
  Options options_;
  TempDir dir_;
  std::string database_;
  std::uint16_t api_port_;
  std::uint16_t health_port_;
  pid_t pid_ = -1;
  std::unique_ptr<ScratchDatabase> scratch_;  // PostgreSQL runs only
};

}  // namespace herald::testing
