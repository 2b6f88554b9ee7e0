#include "bench_util.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <regex>
#include <stdexcept>

#include "support/process.h"

namespace herald::bench {

double Quantile(std::vector<double> samples, double q) {
  if (samples.empty()) return 0;
  std::sort(samples.begin(), samples.end());
  auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(samples.size())));
  return samples[std::clamp<std::size_t>(rank, 1, samples.size()) - 1];
}

double WrkRequestsPerSecond(const std::string& url, int threads, int connections, int seconds,
                            std::string* raw_output) {
  auto r = testing::RunCommand({"wrk", "-t" + std::to_string(threads),
                                "-c" + std::to_string(connections),
                                "-d" + std::to_string(seconds) + "s", "--latency", url});
  if (raw_output) *raw_output = r.output;
  std::smatch m;
  if (r.exit_code != 0 ||
      !std::regex_search(r.output, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) {
    throw std::runtime_error("wrk failed: " + r.output);
  }
  if (r.output.find("Non-2xx") != std::string::npos) {
    throw std::runtime_error("wrk saw non-2xx answers: " + r.output);
  }
  return std::stod(m[1]);
}

std::string FlagStringOr(int argc, char** argv, const std::string& name,
                         const std::string& fallback) {
  const std::string prefix = "--" + name + "=";
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind(prefix, 0) == 0) return arg.substr(prefix.size());
  }
  return fallback;
}

long FlagOr(int argc, char** argv, const std::string& name, long fallback) {
  const std::string value = FlagStringOr(argc, argv, name, "");
  return value.empty() ? fallback : std::stol(value);
}

int Main(const char* name, int (*run)(int, char**), int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << std::endl;
    return 1;
  }
}

}  // namespace herald::bench
