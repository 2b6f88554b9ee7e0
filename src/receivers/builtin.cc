#include "receivers/builtin.h"

#include "receivers/amqp/amqp_receiver.h"
#include "receivers/stomp/stomp_receiver.h"
#include "receivers/webhook/webhook_receiver.h"

namespace herald::receivers {

const notifier::ReceiverRegistry& BuiltinRegistry() {
  static const notifier::ReceiverRegistry registry = [] {
    notifier::ReceiverRegistry r;
    webhook::Register(r);
    amqp::Register(r);
    stomp::Register(r);
    return r;
  }();
  return registry;
}

}  // namespace herald::receivers
