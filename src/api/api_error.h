// An error answered as {"Error":{"Message":…}} with an HTTP status (SPEC §4).
#pragma once

#include <stdexcept>
#include <string>

namespace herald::api {

class ApiError : public std::runtime_error {
 public:
  ApiError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const { return status_; }

 private:
  int status_;
};

inline ApiError BadRequest(const std::string& message) {
  return ApiError(400, message);
}
inline ApiError NotFound(const std::string& message) {
  return ApiError(404, message);
}

}  // namespace herald::api
