#include "updater/parsers/cvss.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <optional>
#include <string_view>

namespace herald::updater {
namespace {

struct Value {
  char letter;
  double weight;
};

// A metric and the weights of its values. The privileges weights depend on
// the scope, so PR keeps both: `weight` when unchanged, `changed` when not.
struct Metric {
  std::string_view name;
  std::array<Value, 4> values;
  std::array<double, 4> changed;
};

enum Base { kAV, kAC, kPR, kUI, kS, kC, kI, kA, kBaseCount };

constexpr std::array<Metric, kBaseCount> kBase = {{
    {"AV", {{{'N', 0.85}, {'A', 0.62}, {'L', 0.55}, {'P', 0.2}}}, {}},
    {"AC", {{{'L', 0.77}, {'H', 0.44}}}, {}},
    {"PR", {{{'N', 0.85}, {'L', 0.62}, {'H', 0.27}}}, {0.85, 0.68, 0.5}},
    {"UI", {{{'N', 0.85}, {'R', 0.62}}}, {}},
    // Scope has no weight; its value only picks formulas.
    {"S", {{{'U', 0.0}, {'C', 0.0}}}, {}},
    {"C", {{{'H', 0.56}, {'L', 0.22}, {'N', 0.0}}}, {}},
    {"I", {{{'H', 0.56}, {'L', 0.22}, {'N', 0.0}}}, {}},
    {"A", {{{'H', 0.56}, {'L', 0.22}, {'N', 0.0}}}, {}},
}};

// Temporal and environmental metrics, accepted so that full vectors parse,
// with the value letters the specification allows.
struct Extra {
  std::string_view name;
  std::string_view letters;
};

constexpr std::array<Extra, 14> kExtra = {{
    {"E", "XUPFH"},
    {"RL", "XOTWU"},
    {"RC", "XURC"},
    {"CR", "XLMH"},
    {"IR", "XLMH"},
    {"AR", "XLMH"},
    {"MAV", "XNALP"},
    {"MAC", "XLH"},
    {"MPR", "XNLH"},
    {"MUI", "XNR"},
    {"MS", "XUC"},
    {"MC", "XNLH"},
    {"MI", "XNLH"},
    {"MA", "XNLH"},
}};

// Roundup as CVSS v3.1 Appendix A defines it: the smallest one-decimal
// number not below the input, computed on integers so that 4.000000001
// (binary noise) is not taken up to 4.1. v3.0 meant the same number.
double Roundup(double value) {
  const auto scaled = static_cast<std::int64_t>(std::llround(value * 100000.0));
  if (scaled % 10000 == 0) {
    return static_cast<double>(scaled) / 100000.0;
  }
  const std::int64_t tenths = scaled / 10000 + 1;  // floor, then up one
  return static_cast<double>(tenths) / 10.0;
}

// The index of `letter` among `metric`'s values, or -1.
int ValueIndex(const Metric& metric, char letter) {
  for (std::size_t i = 0; i < metric.values.size(); ++i) {
    if (metric.values[i].letter == letter && metric.values[i].letter != '\0') {
      return static_cast<int>(i);
    }
  }
  return -1;
}

// Reads one "NAME:V" part into the chosen values; false when it is not one.
bool ReadPart(std::string_view part, std::array<int, kBaseCount>& base,
              std::array<bool, kExtra.size()>& extra_seen) {
  const std::size_t colon = part.find(':');
  if (colon == std::string_view::npos || part.size() != colon + 2) {
    return false;
  }
  const std::string_view name = part.substr(0, colon);
  const char letter = part[colon + 1];
  for (std::size_t m = 0; m < kBase.size(); ++m) {
    if (kBase[m].name != name) {
      continue;
    }
    const int index = ValueIndex(kBase[m], letter);
    if (base[m] != -1 || index < 0) {
      return false;
    }
    base[m] = index;
    return true;
  }
  for (std::size_t m = 0; m < kExtra.size(); ++m) {
    if (kExtra[m].name != name) {
      continue;
    }
    if (extra_seen[m] || kExtra[m].letters.find(letter) == std::string_view::npos) {
      return false;
    }
    extra_seen[m] = true;
    return true;
  }
  return false;
}

}  // namespace

std::optional<double> CvssV3BaseScore(std::string_view vector) {
  if (vector.starts_with("CVSS:")) {
    if (!vector.starts_with("CVSS:3.0/") && !vector.starts_with("CVSS:3.1/")) {
      return std::nullopt;
    }
    vector.remove_prefix(9);
  }
  std::array<int, kBaseCount> base;
  base.fill(-1);
  std::array<bool, kExtra.size()> extra_seen{};
  while (true) {
    const std::size_t slash = vector.find('/');
    if (!ReadPart(vector.substr(0, slash), base, extra_seen)) {
      return std::nullopt;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    vector.remove_prefix(slash + 1);
  }
  if (std::ranges::find(base, -1) != base.end()) {
    return std::nullopt;
  }

  const auto weight = [&](Base m) { return kBase[m].values[base[m]].weight; };
  const bool changed = kBase[kS].values[base[kS]].letter == 'C';
  const double privileges = changed ? kBase[kPR].changed[base[kPR]] : weight(kPR);

  const double iss = 1.0 - (1.0 - weight(kC)) * (1.0 - weight(kI)) * (1.0 - weight(kA));
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15.0) : 6.42 * iss;
  if (impact <= 0.0) {
    return 0.0;
  }
  const double exploitability = 8.22 * weight(kAV) * weight(kAC) * privileges * weight(kUI);
  const double sum = changed ? 1.08 * (impact + exploitability) : impact + exploitability;
  return Roundup(std::min(sum, 10.0));
}

std::string_view SeverityFromCvssScore(double score) {
  // Scores have one decimal; comparing in tenths keeps 3.9 and 4.0 apart
  // however the double was computed.
  const long tenths = std::lround(score * 10.0);
  if (tenths >= 1 && tenths <= 39) {
    return "Low";
  }
  if (tenths >= 40 && tenths <= 69) {
    return "Medium";
  }
  if (tenths >= 70 && tenths <= 89) {
    return "High";
  }
  if (tenths >= 90 && tenths <= 100) {
    return "Critical";
  }
  return "Unknown";
}

}  // namespace herald::updater
