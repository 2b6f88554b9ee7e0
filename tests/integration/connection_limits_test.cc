// The API port under too many connections, too few descriptors and clients
// that trickle their headers (SPEC §11, issue 9 fault 2).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include "api_fixture.h"

namespace herald::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using std::chrono::steady_clock;

// A plain TCP connection to 127.0.0.1:port, closed on destruction.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  }
  ~RawConnection() { Close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(const std::string& bytes) {
    return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // What arrives within `timeout`: "" when nothing did, "<closed>" on EOF.
  std::string Receive(milliseconds timeout) {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return "";
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n <= 0) return "<closed>";
    return std::string(buf, static_cast<std::size_t>(n));
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
  bool connected_ = false;
};

std::uint16_t PortOf(const std::string& url) {
  return static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
}

constexpr const char* kGet = "GET /v1/namespaces HTTP/1.1\r\nHost: herald\r\n\r\n";

// User and system CPU seconds the process has used (/proc/PID/stat).
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string field;
  long ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 || i == 15) ticks += std::stol(field);  // utime, stime
  }
  return static_cast<double>(ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::size_t CountLines(const std::string& log, const std::string& needle) {
  std::size_t n = 0;
  for (std::size_t at = log.find(needle); at != std::string::npos; at = log.find(needle, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ConnectionLimitsTest, PastMaxConnectionsNewOnesWaitUntilOthersClose) {
  HeraldServer server({.config_yaml = "clair:\n  api:\n    maxConnections: 4\n"});
  server.Start();
  const std::uint16_t port = PortOf(server.ApiUrl());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 4; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port));
    ASSERT_TRUE(idle.back()->connected());
  }
  // Each idle connection is accepted (and so counted) once it answers.
  for (auto& c : idle) {
    ASSERT_TRUE(c->Send(kGet));
    ASSERT_NE(c->Receive(seconds(10)).find("HTTP/1.1 200"), std::string::npos);
  }
  // A fifth waits in the kernel's backlog: connected, never answered...
  RawConnection waiting(port);
  ASSERT_TRUE(waiting.connected());
  ASSERT_TRUE(waiting.Send(kGet));
  EXPECT_EQ(waiting.Receive(milliseconds(1500)), "");
  // ...while the health port, with its own connections, still answers.
  HttpClient health;
  EXPECT_EQ(health.Get(server.HealthUrl() + "/health").status, 200);
  // One closes: the waiting one is accepted and answered.
  idle.front()->Close();
  EXPECT_NE(waiting.Receive(seconds(10)).find("HTTP/1.1 200"), std::string::npos);
}

TEST(ConnectionLimitsTest, RunningOutOfDescriptorsNeitherSpinsNorFloodsTheLog) {
  // 64 descriptors: enough to start and serve, far fewer than the clients.
  HeraldServer server({.command_prefix = {"prlimit", "--nofile=64:64"}});
  server.Start();
  const std::uint16_t port = PortOf(server.ApiUrl());
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 100; ++i) idle.push_back(std::make_unique<RawConnection>(port));
  // Observe a window of four seconds: a process spinning on EMFILE used
  // about 1.2 cores and wrote tens of thousands of lines in such a window.
  const std::size_t lines_before = CountLines(server.Log(), "cannot accept");
  const double cpu_before = CpuSeconds(server.pid());
  std::this_thread::sleep_for(seconds(4));  // a measurement window, not a synchronisation
  const double cpu = CpuSeconds(server.pid()) - cpu_before;
  const std::size_t lines = CountLines(server.Log(), "cannot accept") - lines_before;
  EXPECT_LT(cpu, 0.5) << "CPU seconds in 4 s";
  EXPECT_GE(lines, 1u) << server.Log();  // it does say why
  EXPECT_LE(lines, 5u) << "at most one line per second";
  // Once the clients go, it serves again.
  idle.clear();
  HttpClient client;
  EXPECT_EQ(client.Get(server.ApiUrl() + "/v1/namespaces").status, 200);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST(ConnectionLimitsTest, HeadersMustArriveWithinTenSecondsOfTheFirstByte) {
  HeraldServer server({});
  server.Start();
  const std::uint16_t port = PortOf(server.ApiUrl());
  RawConnection idle(port);  // says nothing: may wait up to the idle timeout
  RawConnection trickle(port);
  ASSERT_TRUE(idle.connected() && trickle.connected());
  // One header byte every half second never completes the headers; the
  // connection is closed at the header deadline (a slowloris client).
  const std::string request = std::string(kGet) + std::string(200, ' ');
  const auto start = steady_clock::now();
  std::string answer;
  for (std::size_t i = 0; i < request.size() && steady_clock::now() - start < seconds(30); ++i) {
    if (!trickle.Send(request.substr(i, 1))) break;
    answer = trickle.Receive(milliseconds(500));
    if (!answer.empty()) break;
  }
  EXPECT_EQ(answer, "<closed>");
  // The silent connection outlived it and still serves a request.
  ASSERT_TRUE(idle.Send(kGet));
  EXPECT_NE(idle.Receive(seconds(10)).find("HTTP/1.1 200"), std::string::npos);
}

}  // namespace
}  // namespace herald::testing
