#include "analyzer/budget.h"

#include "config/config.h"

namespace herald::analyzer {

void Budget::Check() const {
  if (cancelled()) {
    throw AnalysisError(AnalysisError::Kind::kCancelled,
                        "the analysis was abandoned: herald is stopping");
  }
  if (std::chrono::steady_clock::now() >= deadline_) {
    throw Unprocessable("the layer took longer than analyzer.timeout (" +
                        config::FormatGoDuration(limits_.timeout) + ") to fetch and analyse");
  }
}

void Budget::CountRead(std::int64_t n) {
  bytes_read_ += n;
  if (bytes_read_ > limits_.max_layer_size) {
    throw Unprocessable("the layer is larger than analyzer.maxLayerSize (" +
                        config::FormatByteSize(limits_.max_layer_size) + ")");
  }
}

void Budget::CountInflated(std::int64_t n) {
  bytes_inflated_ += n;
  if (bytes_inflated_ / kMaxExpansion > limits_.max_layer_size) {
    throw Unprocessable("the layer decompresses to more than " + std::to_string(kMaxExpansion) +
                        " times analyzer.maxLayerSize (" +
                        config::FormatByteSize(limits_.max_layer_size) + ")");
  }
}

}  // namespace herald::analyzer
