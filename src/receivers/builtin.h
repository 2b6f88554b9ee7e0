// Every receiver kind compiled into this binary, registered by config key.
// Adding a kind (amqp, stomp, …) means one line in builtin.cc and a folder
// of its own; the notifier never names one.
#pragma once

#include "notifier/receiver_registry.h"

namespace herald::receivers {

const notifier::ReceiverRegistry& BuiltinRegistry();

}  // namespace herald::receivers
