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

TEST(Percent, EncodeUrlLeavesOnlyPrintableAsciiForAHeader) {
  struct Case {
    std::string in, want;
  } cases[] = {
      {"/search?q=a%20b&p=20", "/search?q=a%20b&p=20"},  // escapes already there stay
      {"/search?q=a b猫", "/search?q=a%20b%E7%8C%AB"},
      {"/x?a=1&b=%zz&c=%4", "/x?a=1&b=%25zz&c=%254"},  // a '%' that starts no escape
      {std::string("/a\r\nSet-Cookie: x=1\0", 20), "/a%0D%0ASet-Cookie:%20x=1%00"},
      {"/a\"<>\\^`{|}\x7f\xff", "/a%22%3C%3E%5C%5E%60%7B%7C%7D%7F%FF"},
      {"/record?id=1#top:[]@!$&'()*+,;=-._~", "/record?id=1#top:[]@!$&'()*+,;=-._~"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    const std::string out = EncodeUrl(c.in);
    EXPECT_EQ(out, c.want);
    for (unsigned char b : out) EXPECT_TRUE(b > 0x20 && b < 0x7f) << static_cast<int>(b);
    Response r;
    EXPECT_TRUE(r.SetHeader("Location", out).ok());
    EXPECT_EQ(EncodeUrl(out), out) << "encoding twice changes nothing";
  }
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
