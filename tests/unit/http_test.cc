// Unit tests of the request/response helpers: header injection, percent-coding, query parsing,
// and gzip: which Accept-Encoding values accept it and when a body goes out compressed.
#include "gateway/http.h"

#include <gtest/gtest.h>
#include <zlib.h>

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

// The bytes a gzip body inflates to ("<error>" when it is not gzip).
std::string Gunzip(const std::string& gz) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return "<error>";
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  const int rc = inflate(&z, Z_FINISH);
  out.resize(z.total_out);
  inflateEnd(&z);
  return rc == Z_STREAM_END ? out : "<error>";
}

// A page as text as the server sends it: repetitive markup, some kanji.
std::string SomePage() {
  std::string page = "<!DOCTYPE html><html lang=\"ja\"><body><ol>";
  for (int i = 0; i < 40; ++i) {
    page += "<li><a href=\"/record?id=" + std::to_string(1000 + i) +
            "\">吾輩は猫である</a> 夏目漱石</li>";
  }
  return page + "</ol></body></html>";
}

TEST(Gzip, AcceptEncodingIsReadAsRfc9110Says) {
  struct Case {
    const char* value;
    bool gzip;
  } cases[] = {
      {"", false},  // old feature phones send none
      {"gzip", true},
      {"gzip, deflate, br", true},  // smartphone and PC browsers
      {"deflate, gzip;q=1.0, *;q=0.5", true},
      {"br, deflate", false},
      {"identity", false},
      {"GZIP", true},  // codings are case-insensitive
      {"x-gzip", true},
      {"X-Gzip;Q=0.5", true},
      {"gzip;q=0", false},  // q=0: not acceptable
      {"gzip; q=0.000", false},
      {"gzip;q=0.001", true},
      {"gzip ; q = 0.5", true},  // spaces around ; and =
      {"gzip;q=1", true},
      {"gzip;q=1.000", true},
      {"*", true},  // any coding
      {"br, *;q=0.1", true},
      {"*;q=0", false},
      {"gzip;q=0, *", false},  // gzip named and refused: * does not bring it back
      {"*, gzip;q=0", false},
      {"x-gzip;q=0, *", false},
      {"gzip;q=0, x-gzip", false},  // gzip's own name decides
      {"gzip;q=abc", false},        // a malformed weight: the element counts for nothing
      {"gzip;q=1.5", false},
      {"gzip;q=0.5000", false},
      {"gzip;q=2", false},
      {"gzipx, xgzip, gzi", false},  // tokens, not substrings
      {", ,gzip,", true},            // empty elements are skipped
      {"gzip;level=9", true},        // other parameters are ignored
      {"\tgzip\t", true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string("Accept-Encoding: ") + c.value);
    EXPECT_EQ(AcceptsGzip(c.value), c.gzip);
  }
}

TEST(Gzip, TextAndSvgAreCompressibleAndNothingElse) {
  EXPECT_TRUE(Compressible("text/html; charset=UTF-8"));
  EXPECT_TRUE(Compressible("text/html; charset=Shift_JIS"));
  EXPECT_TRUE(Compressible("text/css; charset=UTF-8"));
  EXPECT_TRUE(Compressible("text/plain; charset=UTF-8"));
  EXPECT_TRUE(Compressible("Text/HTML"));
  EXPECT_FALSE(Compressible("image/png"));
  EXPECT_TRUE(Compressible("image/svg+xml"));  // XML text: the card's drawing
  EXPECT_FALSE(Compressible("application/octet-stream"));
  EXPECT_FALSE(Compressible("text/htmlx"));
}

TEST(Gzip, CompressesOnlyWhenThatIsSmaller) {
  const std::string page = SomePage();
  const std::string gz = Gzip(page);
  ASSERT_FALSE(gz.empty());
  EXPECT_LT(gz.size(), page.size() / 4);
  EXPECT_EQ(Gunzip(gz), page);
  // Too short, or not compressible (every byte different): plain it stays.
  EXPECT_EQ(Gzip(""), "");
  EXPECT_EQ(Gzip("ok\n"), "");
  EXPECT_EQ(Gzip("ok\nmaintenance: off\n"), "");
  std::string noise;
  uint32_t x = 12345;
  for (int i = 0; i < 2000; ++i) {
    x = x * 1103515245 + 12345;
    noise += static_cast<char>(x >> 24);
  }
  EXPECT_EQ(Gzip(noise), "");
}

TEST(Gzip, ForClientSendsGzipOnlyToThoseWhoAskAndVariesAlways) {
  Response r;
  r.body = SomePage();
  std::string scratch;
  Wire plain = ForClient(r, "", scratch);
  EXPECT_EQ(plain.bytes, &r.body);
  EXPECT_FALSE(plain.gzip);
  EXPECT_TRUE(plain.vary);
  EXPECT_FALSE(plain.kept);

  Wire packed = ForClient(r, "gzip, deflate, br", scratch);
  EXPECT_TRUE(packed.gzip);
  EXPECT_TRUE(packed.vary);
  EXPECT_EQ(Gunzip(*packed.bytes), r.body);

  EXPECT_FALSE(ForClient(r, "gzip;q=0", scratch).gzip);

  // A Shift_JIS page is bytes like any other.
  Response sjis;
  sjis.content_type = "text/html; charset=Shift_JIS";
  sjis.body = std::string(40, '\x94') + std::string(400, '\x4c');
  Wire s = ForClient(sjis, "gzip", scratch);
  EXPECT_TRUE(s.gzip);
  EXPECT_EQ(Gunzip(*s.bytes), sjis.body);

  // Not text: neither compressed nor varied.
  Response png;
  png.content_type = "image/png";
  png.body = SomePage();
  Wire p = ForClient(png, "gzip", scratch);
  EXPECT_FALSE(p.gzip);
  EXPECT_FALSE(p.vary);
  EXPECT_EQ(p.bytes, &png.body);

  // Too short to gain: plain, still varied.
  Response tiny;
  tiny.content_type = "text/plain; charset=UTF-8";
  tiny.body = "ok\n";
  Wire t = ForClient(tiny, "gzip", scratch);
  EXPECT_FALSE(t.gzip);
  EXPECT_TRUE(t.vary);
  EXPECT_EQ(*t.bytes, "ok\n");
}

TEST(Gzip, AKeptBodyIsCompressedOnceAndSentFromWhereItIs) {
  const KeptBody kept = SomePage();  // kept as a page is: from its plain bytes
  EXPECT_EQ(kept.plain, SomePage());
  EXPECT_EQ(Gunzip(kept.gzip), kept.plain);
  Response r;
  r.kept_body = &kept;
  EXPECT_EQ(&r.Sent(), &kept.plain) << "the device budget is checked on the plain bytes";
  std::string scratch;
  Wire packed = ForClient(r, "gzip", scratch);
  EXPECT_EQ(packed.bytes, &kept.gzip) << "the kept gzip form, not a new one";
  EXPECT_TRUE(packed.kept);
  EXPECT_TRUE(packed.gzip);
  EXPECT_TRUE(scratch.empty());
  Wire plain = ForClient(r, "", scratch);
  EXPECT_EQ(plain.bytes, &kept.plain);
  EXPECT_TRUE(plain.kept);
  EXPECT_FALSE(plain.gzip);
  EXPECT_TRUE(plain.vary);

  const KeptBody small = std::string("ok\n");
  EXPECT_TRUE(small.gzip.empty());
  r.kept_body = &small;
  r.content_type = "text/plain";
  Wire s = ForClient(r, "gzip", scratch);
  EXPECT_EQ(s.bytes, &small.plain);
  EXPECT_FALSE(s.gzip);
}

}  // namespace
}  // namespace shiori::gateway
