// Small helpers shared by the benchmark drivers.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace herald::bench {

using Clock = std::chrono::steady_clock;

inline double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The q-quantile (0..1) of the samples, nearest-rank.
double Quantile(std::vector<double> samples, double q);

// Runs wrk against `url` and returns its Requests/sec (throws when wrk fails).
double WrkRequestsPerSecond(const std::string& url, int threads, int connections, int seconds,
                            std::string* raw_output);

// Integer flag "--name=value" from argv, or fallback.
long FlagOr(int argc, char** argv, const std::string& name, long fallback);

// String flag "--name=value" from argv, or fallback.
std::string FlagStringOr(int argc, char** argv, const std::string& name,
                         const std::string& fallback);

// A driver's main(): runs `run`; an exception is printed as "NAME: what"
// and exits 1.
int Main(const char* name, int (*run)(int, char**), int argc, char** argv);

}  // namespace herald::bench
