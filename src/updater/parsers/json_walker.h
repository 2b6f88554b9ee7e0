// A SAX handler for JSON documents of a known shape, such as the feeds
// that are too large for a DOM. The subclass names each place a value can
// sit (a "slot") and what it must be; the walker keeps the path, skips what
// the subclass does not read, and rejects a value of the wrong type with
// the document's byte offset, so no feed code handles raw SAX events.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "updater/parsers/json_stream.h"

namespace herald::updater {

class JsonWalker : public nlohmann::json_sax<nlohmann::json> {
 public:
  // Slots are small numbers the subclass picks; these two are fixed.
  static constexpr int kIgnored = -1;  // anything goes, nothing is read
  static constexpr int kDocument = 0;  // the root value

  enum class Type { kObject, kArray, kString };

  struct Shape {
    Type type;
    // Whether null may stand for the value, meaning "left out".
    bool nullable;
  };

  explicit JsonWalker(JsonStream& stream) : stream_(stream) {}

  bool null() override;
  bool boolean(bool value) override;
  bool number_integer(number_integer_t value) override;
  bool number_unsigned(number_unsigned_t value) override;
  bool number_float(number_float_t value, const string_t& text) override;
  bool string(string_t& value) override;
  bool binary(binary_t& value) override;
  bool start_object(std::size_t elements) override;
  bool key(string_t& value) override;
  bool end_object() override;
  bool start_array(std::size_t elements) override;
  bool end_array() override;
  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& e) override;

 protected:
  virtual Shape ShapeOf(int slot) const = 0;
  // The slot of the member `key` of an object in `parent`. The key may be
  // moved from: the subclass keeps what it needs (a package name, say).
  virtual int MemberSlot(int parent, std::string& key) = 0;
  // The slot of the elements of an array in `parent`.
  virtual int ElementSlot(int parent) = 0;
  // Where a slot's value is, for messages ("package \"openssl\"").
  virtual std::string Describe(int slot) const = 0;

  virtual void OnString(int /*slot*/, std::string& /*value*/) {}
  virtual void OnOpen(int /*slot*/) {}
  virtual void OnClose(int /*slot*/) {}

  JsonStream& stream() { return stream_; }

 private:
  struct Frame {
    int slot;
    bool array;
  };

  // Accepts a value of `type` in the pending slot or throws.
  bool Expect(Type type, const char* found);
  // Accepts a boolean or number only where nothing is read.
  bool Other(const char* found);
  // After a value, an array wants its next element, an object a key.
  bool AfterValue();

  JsonStream& stream_;
  std::vector<Frame> frames_;
  int pending_ = kDocument;
};

}  // namespace herald::updater
