// Direct delivery (SPEC §9, `direct: true` on a broker receiver): the message
// carries the notification itself, as GET /v1/notifications/:name returns
// it with every page at once, so that a consumer needs no way back to the
// API. Big notifications are split in chunks of at most 1,000 layer names.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "notifier/receiver.h"
#include "notifier/receiver_registry.h"
#include "store/store.h"

namespace herald::receivers {

inline constexpr std::size_t kLayersPerChunk = 1000;

// The bodies of notification `name`, in order: each is
// {"Notification": …, "Chunk": i, "Chunks": n} with the whole notification
// (Name, Created, Notified, Deleted, Old and New vulnerabilities) except that
// the two LayersIntroducingVulnerability lists are split so that each layer
// name is in exactly one chunk, Old's names first. No Limit, Page or
// NextPage. A notification without layers is one chunk. nullopt when there
// is no such notification; throws what the store throws.
std::optional<std::vector<std::string>> DirectChunks(
    store::Store& store, const std::string& name, std::size_t layers_per_chunk = kLayersPerChunk);

// `receiver` sent each notification's chunks instead of its name. The store
// is read on a thread of its own, so Send still never blocks; a notification
// that cannot be read is a failed attempt, retried like any other.
std::unique_ptr<notifier::Receiver> WithDirectDelivery(std::unique_ptr<notifier::Receiver> receiver,
                                                       store::Store& store);

}  // namespace herald::receivers

namespace herald::receivers {

// A broker receiver as its config asks: behind direct delivery when
// `direct`, and behind its filter, which comes first so that a notification
// it leaves out is never read. REQUIRES: context.store when `direct`.
std::unique_ptr<notifier::Receiver> AsConfigured(std::unique_ptr<notifier::Receiver> receiver,
                                                 bool direct, const config::ReceiverFilter& filter,
                                                 const notifier::ReceiverContext& context);

}  // namespace herald::receivers
