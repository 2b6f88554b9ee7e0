// JsonStream::Sax on its own: the numbers it hands out. Feeds carry few
// numbers (CVSS scores, bug numbers), but each must be the value nlohmann's
// parser gave for the same text, since every parser was written against it.
#include "updater/parsers/json_stream.h"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "updater/parsers/feed_parser.h"

namespace herald::updater {
namespace {

using Json = nlohmann::json;

// Records every number, with its type, as nlohmann would hold it.
class Numbers final : public nlohmann::json_sax<Json> {
 public:
  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t value) override {
    seen.emplace_back(value);
    return true;
  }
  bool number_unsigned(number_unsigned_t value) override {
    seen.emplace_back(value);
    return true;
  }
  bool number_float(number_float_t value, const string_t&) override {
    seen.emplace_back(value);
    return true;
  }
  bool string(string_t&) override { return true; }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override { return true; }
  bool key(string_t&) override { return true; }
  bool end_object() override { return true; }
  bool start_array(std::size_t) override { return true; }
  bool end_array() override { return true; }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

  std::vector<Json> seen;
};

std::vector<Json> NumbersIn(const std::string& text) {
  std::istringstream in(text);
  JsonStream stream(in, "n.json", {});
  Numbers numbers;
  stream.Sax(numbers);
  return numbers.seen;
}

TEST(JsonStreamTest, NumbersAreTheValuesAndTypesNlohmannGives) {
  const std::string text =
      "[0, 7, -0, -7, 18446744073709551615, -9223372036854775808, 18446744073709551616, "
      "9.8, 0.1, -0.0, 1e2, 0E-201, 1e-400, 2.2250738585072011e-308, "
      "123456789012345678901234567890e-10]";
  const std::vector<Json> seen = NumbersIn(text);
  const Json want = Json::parse(text);
  ASSERT_EQ(seen.size(), want.size());
  for (std::size_t i = 0; i < seen.size(); ++i) {
    SCOPED_TRACE(want[i].dump());
    EXPECT_EQ(seen[i].type(), want[i].type());
    EXPECT_EQ(seen[i], want[i]);
  }
  // RapidJSON 1.1.0's own full-precision conversion read this as -1.47e-185.
  EXPECT_EQ(seen[11].get<double>(), 0.0);
}

TEST(JsonStreamTest, AFloatTooLargeForADoubleIsAParseError) {
  for (const std::string text : {"[1e400]", "[-1e309]", "[1.8e308]"}) {
    SCOPED_TRACE(text);
    try {
      NumbersIn(text);
      ADD_FAILURE() << "no ParseError";
    } catch (const ParseError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("n.json: byte ", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace herald::updater
