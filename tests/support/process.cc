#include "support/process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "support/http_client.h"
#include "support/postgres.h"

namespace herald::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "herald-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd);
    throw std::runtime_error("bind for a free port failed");
  }
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& output_file) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    int fd = open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      dup2(fd, STDOUT_FILENO);
      dup2(fd, STDERR_FILENO);
      close(fd);
    }
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  return pid;
}

int ExitStatus(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

CommandResult RunCommand(const std::vector<std::string>& argv) {
  TempDir dir;
  const std::string out = dir.File("output");
  pid_t pid = Spawn(argv, out);
  int status = 0;
  waitpid(pid, &status, 0);
  return {ExitStatus(status), ReadFile(out)};
}

std::string HeraldBinary() {
  if (const char* env = std::getenv("HERALD_BINARY")) return env;
  return HERALD_TEST_BINARY;
}

HeraldServer::HeraldServer(Options options)
    : options_(std::move(options)), api_port_(FreePort()), health_port_(FreePort()) {
  if (!options_.database.empty()) {
    database_ = options_.database;
  } else if (UsePostgres()) {
    scratch_ = std::make_unique<ScratchDatabase>();
    database_ = scratch_->conninfo();
  } else {
    database_ = dir_.File("herald.db");
  }
}

HeraldServer::~HeraldServer() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
}

void HeraldServer::Start() {
  std::vector<std::string> argv = {HeraldBinary(),  "serve",
                                   "--database",    database_,
                                   "--api-port",    std::to_string(api_port_),
                                   "--health-port", std::to_string(health_port_)};
  if (!options_.config_yaml.empty()) {
    WriteFile(dir_.File("herald.yaml"), options_.config_yaml);
    argv.push_back("-c");
    argv.push_back(dir_.File("herald.yaml"));
  }
  argv.insert(argv.end(), options_.args.begin(), options_.args.end());
  argv.insert(argv.begin(), options_.command_prefix.begin(), options_.command_prefix.end());
  pid_ = Spawn(argv, dir_.File("herald.log"));

  // Readiness is an event we can observe: /health answering 200.
  HttpClient client;
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < give_up) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("herald exited (status " + std::to_string(ExitStatus(status)) +
                               ") before it was ready:\n" + Log());
    }
    const long health = client.Get(HealthUrl() + "/health").status;
    if (health == 200 || (!options_.wait_healthy && health != 0)) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("herald did not become ready within 30 s:\n" + Log());
}

int HeraldServer::Stop(int signal) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return ExitStatus(status);
}

bool HeraldServer::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string HeraldServer::ApiUrl() const {
  return std::string(options_.tls ? "https" : "http") + "://127.0.0.1:" + std::to_string(api_port_);
}

std::string HeraldServer::HealthUrl() const {
  return "http://127.0.0.1:" + std::to_string(health_port_);
}

std::string HeraldServer::Log() const {
  return ReadFile(dir_.File("herald.log"));
}

}  // namespace herald::testing
