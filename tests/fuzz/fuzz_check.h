// The oracle of every fuzz target: a broken invariant aborts, so libFuzzer
// records the input that broke it as a crash, whatever the build type.
#pragma once

#include <cstdio>
#include <cstdlib>

#define HERALD_FUZZ_CHECK(condition)                                                         \
  do {                                                                                       \
    if (!(condition)) {                                                                      \
      std::fprintf(stderr, "%s:%d: invariant broken: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                          \
    }                                                                                        \
  } while (false)
