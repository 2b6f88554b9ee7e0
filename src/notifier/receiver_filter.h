// Receivers' filters (SPEC §9), for every receiver kind alike: a receiver
// whose filter does not match a notification is not sent it, and the attempt
// is logged as `filtered`, which counts as done for the round.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "config/config.h"
#include "notifier/receiver.h"

namespace herald::notifier {

// Why `filter` does not match `notification` (for the delivery log), or
// nullopt when it matches. A notification whose namespace or severity is
// unknown (a damaged row from before schema v4) passes that part of the
// filter: an extra delivery is better than a lost one.
std::optional<std::string> FilterMismatch(const config::ReceiverFilter& filter,
                                          const Outgoing& notification);

// `receiver` itself when `filter` is empty, else `receiver` behind the filter.
std::unique_ptr<Receiver> WithFilter(std::unique_ptr<Receiver> receiver,
                                     const config::ReceiverFilter& filter);

}  // namespace herald::notifier
