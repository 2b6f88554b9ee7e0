#include "api/json_body.h"

#include <gtest/gtest.h>

#include "api/api_error.h"

namespace herald::api {
namespace {

int StatusOf(std::string_view body) {
  try {
    ParseJsonObject(body);
    return 200;
  } catch (const ApiError& e) {
    EXPECT_FALSE(std::string(e.what()).empty());
    return e.status();
  }
}

TEST(JsonBodyTest, AcceptsObjectsOnly) {
  EXPECT_EQ(StatusOf(R"({"a":[1,{"b":2}]})"), 200);
  for (std::string_view bad : {"", "[]", "1", "\"s\"", "null", "{", "{\"a\":}", "{'a':1}"}) {
    EXPECT_EQ(StatusOf(bad), 400) << bad;
  }
}

TEST(JsonBodyTest, RefusesDeepNestingBeforeParsing) {
  std::string ok = std::string(kMaxJsonDepth - 1, '[');
  EXPECT_EQ(StatusOf("{\"a\":" + ok + std::string(kMaxJsonDepth - 1, ']') + "}"), 200);
  EXPECT_EQ(StatusOf("{\"a\":" + std::string(kMaxJsonDepth, '[') + "}"), 400);
  EXPECT_EQ(StatusOf(std::string(1'000'000, '{')), 400);
  // Brackets inside strings do not count, escaped quotes do not end strings.
  EXPECT_EQ(StatusOf("{\"a\":\"" + std::string(1000, '[') + "\\\"" + "\"}"), 200);
}

TEST(JsonBodyTest, RefusesInvalidUtf8AndOverflow) {
  EXPECT_EQ(StatusOf("{\"a\":\"\xff\"}"), 400);
  EXPECT_EQ(StatusOf("{\"a\":\"\xed\xa0\x80\"}"), 400);  // a UTF-16 surrogate
  EXPECT_EQ(StatusOf("{\"a\":1e999999}"), 400);
}

TEST(JsonBodyTest, DumpReplacesInvalidUtf8) {
  nlohmann::json doc = {{"a", std::string("x\xffy")}};
  EXPECT_EQ(DumpJson(doc), "{\"a\":\"x\xEF\xBF\xBDy\"}");
}

}  // namespace
}  // namespace herald::api
