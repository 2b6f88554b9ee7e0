// Why a layer could not be analysed, and what the API answers for it
// (SPEC §7): the client's fault (400), a layer Herald cannot read (422), or
// the analysis was abandoned because the process is stopping (503).
#pragma once

#include <stdexcept>
#include <string>

namespace herald::analyzer {

class AnalysisError : public std::runtime_error {
 public:
  enum class Kind {
    kBadRequest,     // bad Path or Format, unknown parent, refused local path → 400
    kUnprocessable,  // not an archive, a limit exceeded, unsupported OS → 422
    kCancelled,      // the process is stopping → 503
  };
  AnalysisError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }
  int http_status() const {
    switch (kind_) {
      case Kind::kBadRequest:
        return 400;
      case Kind::kUnprocessable:
        return 422;
      case Kind::kCancelled:
        return 503;
    }
    return 500;
  }

 private:
  Kind kind_;
};

inline AnalysisError BadLayerRequest(const std::string& message) {
  return AnalysisError(AnalysisError::Kind::kBadRequest, message);
}
inline AnalysisError Unprocessable(const std::string& message) {
  return AnalysisError(AnalysisError::Kind::kUnprocessable, message);
}

}  // namespace herald::analyzer
