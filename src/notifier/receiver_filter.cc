#include "notifier/receiver_filter.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "model/severity.h"

namespace herald::notifier {
namespace {

bool NamespaceMatches(std::string_view pattern, std::string_view name) {
  if (pattern.ends_with(":*")) return name.starts_with(pattern.substr(0, pattern.size() - 1));
  return pattern == name;
}

// Answers `filtered` for what the filter leaves out; the rest goes through.
class FilteredReceiver final : public Receiver {
 public:
  FilteredReceiver(std::unique_ptr<Receiver> inner, config::ReceiverFilter filter)
      : inner_(std::move(inner)), filter_(std::move(filter)) {}

  std::string_view key() const override { return inner_->key(); }

  void Send(const Outgoing& notification, Done done) override {
    if (auto why = FilterMismatch(filter_, notification)) {
      SendResult result;
      result.outcome = model::DeliveryOutcome::kFiltered;
      result.error = std::move(*why);
      done(std::move(result));
      return;
    }
    inner_->Send(notification, std::move(done));
  }

  std::optional<std::string> Problem() const override { return inner_->Problem(); }

  void Shutdown() override { inner_->Shutdown(); }

 private:
  std::unique_ptr<Receiver> inner_;
  config::ReceiverFilter filter_;
};

}  // namespace

std::optional<std::string> FilterMismatch(const config::ReceiverFilter& filter,
                                          const Outgoing& notification) {
  if (!filter.min_severity.empty() && notification.severity) {
    const int wanted = model::SeverityRank(filter.min_severity).value_or(0);
    // A stored word that is not a severity ranks below every severity.
    if (model::SeverityRank(*notification.severity).value_or(-1) < wanted) {
      return "severity " + *notification.severity + " is below minSeverity " + filter.min_severity;
    }
  }
  if (!filter.namespaces.empty() && notification.namespace_name) {
    const std::string& name = *notification.namespace_name;
    if (std::none_of(filter.namespaces.begin(), filter.namespaces.end(),
                     [&](const std::string& pattern) { return NamespaceMatches(pattern, name); })) {
      return "namespace " + name + " is not in the filter's namespaces";
    }
  }
  return std::nullopt;
}

std::unique_ptr<Receiver> WithFilter(std::unique_ptr<Receiver> receiver,
                                     const config::ReceiverFilter& filter) {
  if (filter.empty()) return receiver;
  return std::make_unique<FilteredReceiver>(std::move(receiver), filter);
}

}  // namespace herald::notifier
