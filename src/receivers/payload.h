// What every receiver sends for a notification (SPEC §5, §9): Clair v1's
// webhook body, also the body of an AMQP or STOMP message.
#pragma once

#include <string>
#include <vector>

#include "notifier/receiver.h"

namespace herald::receivers {

// The exact body; with a callback base URL it also carries where to read the
// notification.
std::string Payload(const std::string& name, const std::string& callback);

// One message a broker receiver sends: its id (AMQP message_id, STOMP
// herald-id) and its body.
struct Message {
  std::string id;
  std::string body;
};

// What one attempt sends: the payload with id <name>.<round>; under direct
// delivery, one message per chunk, with id <name>.<round> when there is one
// chunk and <name>.<round>.<i> (i from 1) when there are several, so that a
// consumer that drops repeated ids keeps every chunk.
std::vector<Message> MessagesOf(const notifier::Outgoing& notification);

}  // namespace herald::receivers
