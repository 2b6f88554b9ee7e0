// An attempt that sends several messages (direct delivery's chunks, SPEC §9)
// succeeds only when the far end confirms every one of them.
#pragma once

#include <cstddef>

#include "notifier/receiver.h"

namespace herald::receivers {

// A callback to run once per message, `parts` times in all, from any thread.
// `done` runs once: with the first result that is not a success, or with the
// last success when all `parts` succeeded. Results after the first failure
// are dropped. With `parts` 1 it is `done` itself.
notifier::Receiver::Done AllConfirmed(std::size_t parts, notifier::Receiver::Done done);

}  // namespace herald::receivers
