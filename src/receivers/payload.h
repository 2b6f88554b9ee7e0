// What every receiver sends for a notification (SPEC §5, §9): Clair v1's
// webhook body, also the body of an AMQP or STOMP message.
#pragma once

#include <string>

namespace herald::receivers {

// The exact body; with a callback base URL it also carries where to read the
// notification.
std::string Payload(const std::string& name, const std::string& callback);

}  // namespace herald::receivers
