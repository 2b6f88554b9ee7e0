// A layer tarball fetched over http(s) with libcurl's multi interface, pulled
// chunk by chunk as the archive reader asks for more, so a multi-gigabyte
// layer never sits in memory. Redirects are followed up to 9 times, as Go's
// client did for Clair v1; `Headers` (a registry token, say) go with every
// request and are never logged.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "analyzer/budget.h"
#include "analyzer/fetch/byte_source.h"

namespace herald::analyzer {

inline constexpr long kMaxRedirects = 9;

// Starts the request; the first Next() waits for the answer. Errors (HTTP
// status other than 2xx, connection failures, too many redirects) → 400
// "could not find layer"; a body over maxLayerSize → 422.
std::unique_ptr<ByteSource> OpenHttpLayer(const std::string& url,
                                          const std::map<std::string, std::string>& headers,
                                          Budget& budget);

}  // namespace herald::analyzer
