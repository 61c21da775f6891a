// Unit tests of the request/response helpers: header injection, percent-coding, query parsing.
#include "gateway/http.h"

#include <gtest/gtest.h>

namespace shiori::gateway {
namespace {

TEST(Response, SetHeaderRefusesCrLfAndNul) {
  struct Case {
    std::string name, value;
    bool ok;
  } cases[] = {
      {"Set-Cookie", "sid=abc; HttpOnly", true},
      {"Location", "/account?x=1", true},
      {"Location", "/\r\nSet-Cookie: evil=1", false},
      {"Location", "/\nX: y", false},
      {"X-Test", std::string("a\0b", 3), false},
      {"Bad Name", "v", false},
      {"Bad:Name", "v", false},
      {"", "v", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name + "=" + c.value);
    Response r;
    Status s = r.SetHeader(c.name, c.value);
    EXPECT_EQ(s.ok(), c.ok);
    EXPECT_EQ(r.headers.size(), c.ok ? 1u : 0u) << "a refused header is not added";
  }
}

TEST(Percent, DecodeHandlesPlusEscapesAndMalformedInput) {
  struct Case {
    std::string in, out;
  } cases[] = {
      {"abc", "abc"},
      {"a+b", "a b"},
      {"%E7%8C%AB", "猫"},
      {"%e7%8c%ab", "猫"},
      {"%95%5C", "\x95\x5C"},  // Shift_JIS 表: bytes stay bytes
      {"100%", "100%"},
      {"%4", "%4"},
      {"%zz", "%zz"},
      {"%2B", "+"},
      {"", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(PercentDecode(c.in), c.out);
  }
}

TEST(Percent, EncodeKeepsOnlyUnreserved) {
  EXPECT_EQ(PercentEncode("a-b_c.d~e"), "a-b_c.d~e");
  EXPECT_EQ(PercentEncode("猫 &="), "%E7%8C%AB%20%26%3D");
  EXPECT_EQ(PercentDecode(PercentEncode("表示 ソフト ～ ①")), "表示 ソフト ～ ①");
}

TEST(Query, ParsesPairsAndSkipsEmptyPieces) {
  Pairs p = ParseQuery("q=%E7%8C%AB&&page=2&flag&=x");
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0], (std::pair<std::string, std::string>("q", "猫")));
  EXPECT_EQ(p[1], (std::pair<std::string, std::string>("page", "2")));
  EXPECT_EQ(p[2], (std::pair<std::string, std::string>("flag", "")));
  EXPECT_EQ(p[3], (std::pair<std::string, std::string>("", "x")));
}

TEST(Query, KeysOnlyDropsEveryValue) {
  EXPECT_EQ(QueryKeysOnly("q=secret&sid=0123&page=2"), "q=&sid=&page=");
  EXPECT_EQ(QueryKeysOnly(""), "");
  EXPECT_EQ(QueryKeysOnly("=onlyvalue"), "");
  EXPECT_EQ(QueryKeysOnly("a%0Ab=1"), "a%0Ab=");
  EXPECT_EQ(QueryKeysOnly("k\nx=1"), "k?x=");
}

TEST(Request, ParamPrefersTheFormOverTheQuery) {
  Request r;
  r.query = {{"q", "from-query"}, {"only", "q"}};
  r.form = {{"q", "from-form"}};
  EXPECT_EQ(r.Param("q"), "from-form");
  EXPECT_EQ(r.Param("only"), "q");
  EXPECT_EQ(r.Param("absent"), "");
  r.headers = {{"user-agent", "DoCoMo/2.0"}};
  EXPECT_EQ(r.Header("user-agent"), "DoCoMo/2.0");
  EXPECT_EQ(r.Header("cookie"), "");
}

}  // namespace
}  // namespace shiori::gateway
