#include "updater/parsers/json_walker.h"

#include <cstddef>
#include <string>

namespace herald::updater {
namespace {

const char* TypeName(JsonWalker::Type type) {
  switch (type) {
    case JsonWalker::Type::kObject:
      return "an object";
    case JsonWalker::Type::kArray:
      return "an array";
    case JsonWalker::Type::kString:
      break;
  }
  return "a string";
}

}  // namespace

bool JsonWalker::Expect(Type type, const char* found) {
  if (pending_ == kIgnored) {
    return true;
  }
  const Shape shape = ShapeOf(pending_);
  if (shape.type != type) {
    stream_.Fail(Describe(pending_) + " must be " + TypeName(shape.type) + ", not " + found);
  }
  return true;
}

bool JsonWalker::Other(const char* found) {
  // No slot has a boolean or number shape: only ignored places take them.
  if (pending_ != kIgnored) {
    stream_.Fail(Describe(pending_) + " must be " + TypeName(ShapeOf(pending_).type) + ", not " +
                 found);
  }
  return AfterValue();
}

bool JsonWalker::AfterValue() {
  if (!frames_.empty() && frames_.back().array) {
    pending_ = frames_.back().slot == kIgnored ? kIgnored : ElementSlot(frames_.back().slot);
  }
  return true;
}

bool JsonWalker::null() {
  if (pending_ != kIgnored && !ShapeOf(pending_).nullable) {
    stream_.Fail(Describe(pending_) + " must be " + TypeName(ShapeOf(pending_).type) +
                 ", not null");
  }
  return AfterValue();
}

bool JsonWalker::boolean(bool /*value*/) {
  return Other("a boolean");
}

bool JsonWalker::number_integer(number_integer_t /*value*/) {
  return Other("a number");
}

bool JsonWalker::number_unsigned(number_unsigned_t /*value*/) {
  return Other("a number");
}

bool JsonWalker::number_float(number_float_t /*value*/, const string_t& /*text*/) {
  return Other("a number");
}

bool JsonWalker::binary(binary_t& /*value*/) {
  return Other("binary data");
}

bool JsonWalker::string(string_t& value) {
  if (pending_ != kIgnored) {
    Expect(Type::kString, "a string");
    OnString(pending_, value);
  }
  return AfterValue();
}

bool JsonWalker::start_object(std::size_t /*elements*/) {
  Expect(Type::kObject, "an object");
  frames_.push_back({pending_, false});
  if (pending_ != kIgnored) {
    OnOpen(pending_);
  }
  return true;
}

bool JsonWalker::key(string_t& value) {
  const int parent = frames_.back().slot;
  pending_ = parent == kIgnored ? kIgnored : MemberSlot(parent, value);
  return true;
}

bool JsonWalker::end_object() {
  const int slot = frames_.back().slot;
  frames_.pop_back();
  if (slot != kIgnored) {
    OnClose(slot);
  }
  return AfterValue();
}

bool JsonWalker::start_array(std::size_t /*elements*/) {
  Expect(Type::kArray, "an array");
  const int slot = pending_;
  frames_.push_back({slot, true});
  if (slot != kIgnored) {
    OnOpen(slot);
  }
  pending_ = slot == kIgnored ? kIgnored : ElementSlot(slot);
  return true;
}

bool JsonWalker::end_array() {
  const int slot = frames_.back().slot;
  frames_.pop_back();
  if (slot != kIgnored) {
    OnClose(slot);
  }
  return AfterValue();
}

bool JsonWalker::parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                             const nlohmann::detail::exception& /*e*/) {
  // JsonStream turns syntax errors into ParseError before they get here.
  return false;
}

}  // namespace herald::updater
