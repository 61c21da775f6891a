// End-to-end tests of the device gateway: Shift_JIS for feature phones, the
// session in URLs for cookie-less phones and in a cookie for everyone else,
// input decoding by the probe field, CSRF, the exit page.
#include <gtest/gtest.h>

#include <regex>
#include <set>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

const char kDocomo[] = "User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)";
const char kDocomoMova[] = "User-Agent: DoCoMo/1.0/D505i/c20/TB/W20H10";
const char kDocomoOld[] = "User-Agent: DoCoMo/1.0/N503i";
const char kSoftbank[] =
    "User-Agent: SoftBank/1.0/910T/TJ001/SN000000000000000 Browser/NetFront/3.3";
const char kAu[] = "User-Agent: KDDI-SA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0";
const char kPc[] =
    "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.0.0 Safari/537.36";
const char kIphone[] =
    "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";

// Every href and form action in a page, as a browser reads it (&amp; -> &).
std::vector<std::string> Links(const std::string& html) {
  std::vector<std::string> out;
  std::regex re("(?:href|action)=\"([^\"]*)\"");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator();
       ++it) {
    std::string u = (*it)[1];
    for (size_t at; (at = u.find("&amp;")) != std::string::npos;) u.replace(at, 5, "&");
    out.push_back(u);
  }
  return out;
}

// The value of hidden input `name` in the first form of a page.
std::string Hidden(const std::string& html, const std::string& name) {
  std::smatch m;
  std::regex re("<input type=\"hidden\" name=\"" + name + "\" value=\"([^\"]*)\">");
  return std::regex_search(html, m, re) ? std::string(m[1]) : "";
}

std::string SidOf(const std::string& url) {
  std::smatch m;
  std::regex re("[?&]sid=([0-9a-f]{32})");
  return std::regex_search(url, m, re) ? std::string(m[1]) : "";
}

std::string Decoded(const HttpResponse& r) {
  auto d = charset::SjisToUtf8(r.body);
  EXPECT_TRUE(d.ok()) << d.status().message();
  return d.ok() ? d.value() : "";
}

class Gateway : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--db", dir_->File("g.db")})) << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* Gateway::dir_ = nullptr;
Server* Gateway::server_ = nullptr;

TEST_F(Gateway, FeaturePhonesGetShiftJisThatDecodesAsCp932) {
  for (const char* ua : {kDocomo, kDocomoMova, kSoftbank, kAu}) {
    SCOPED_TRACE(ua);
    HttpResponse r = server_->Get("/", {ua});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=Shift_JIS");
    std::string page = Decoded(r);
    EXPECT_NE(page.find("content=\"text/html; charset=Shift_JIS\""), std::string::npos)
        << "header and meta agree";
    EXPECT_NE(page.find("蔵書検索"), std::string::npos);
    EXPECT_EQ(r.Header("set-cookie"), "") << "no session until one is needed";
  }
}

TEST_F(Gateway, OldDocomoPageFitsItsFiveKilobyteCache) {
  for (const char* path : {"/", "/disclaimer", "/charset", "/nope"}) {
    SCOPED_TRACE(path);
    HttpResponse r = server_->Get(path, {kDocomoOld});
    EXPECT_LE(r.body.size(), 5u * 1024);
    EXPECT_GT(r.body.size(), 200u);
  }
}

TEST_F(Gateway, DocomoMarksMainLinksWithNumberKeyEmoji) {
  HttpResponse r = server_->Get("/", {kDocomo});
  // U+E6E3 (key 2) is 0xF988 in docomo Shift_JIS (the user-defined area, linearly).
  EXPECT_NE(r.body.find("\xF9\x88<a href=\"/account\" accesskey=\"2\">"), std::string::npos);
  HttpResponse au = server_->Get("/", {kAu});
  EXPECT_NE(Decoded(au).find("[2]<a href=\"/account\" accesskey=\"2\">"), std::string::npos);
}

TEST_F(Gateway, PcsAndSmartphonesGetUtf8AndNoSessionIdInUrls) {
  for (const char* ua : {kPc, kIphone}) {
    SCOPED_TRACE(ua);
    HttpResponse r = server_->Get("/charset?back=/", {ua});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=UTF-8");
    const std::string cookie = r.Header("set-cookie");
    EXPECT_NE(cookie.find("sid="), std::string::npos);
    EXPECT_NE(cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(cookie.find("SameSite=Lax"), std::string::npos);
    EXPECT_EQ(r.body.find("sid="), std::string::npos) << "no id in any URL or field";
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
    EXPECT_NE(r.body.find("name=\"viewport\""), std::string::npos);
    // The cookie carries the session: the form posts with it.
    const std::string sid = cookie.substr(4, 32);
    const std::string token = Hidden(r.body, "_t");
    ASSERT_EQ(token.size(), 32u);
    HttpResponse p = server_->Post(
        "/charset", "_c=" + Hex("表ソ") + "&_t=" + token + "&to=utf8&back=%2Fdisclaimer",
        {ua, "Cookie: sid=" + sid});
    EXPECT_EQ(p.status, 303);
    EXPECT_EQ(p.Header("location"), "/disclaimer");
  }
}

// A page to go back to may hold any bytes; the redirect's Location carries
// it percent-encoded, so a space or a kanji neither breaks the header nor
// changes where the patron lands.
TEST_F(Gateway, ARedirectToAPageWithASpaceAndKanjiIsPercentEncoded) {
  HttpResponse r = server_->Get("/charset", {kPc});
  ASSERT_EQ(r.status, 200);
  const std::string sid = r.Header("set-cookie").substr(4, 32);
  const std::string token = Hidden(r.body, "_t");
  ASSERT_EQ(token.size(), 32u);
  HttpResponse p = server_->Post(
      "/charset",
      "_c=" + Hex("表ソ") + "&_t=" + token + "&to=utf8&back=" + Hex("/search?q=a b猫&p=0"),
      {kPc, "Cookie: sid=" + sid});
  EXPECT_EQ(p.status, 303);
  EXPECT_EQ(p.Header("location"), "/search?q=a%20b%E7%8C%AB&p=0");
  HttpResponse landed = server_->Get(p.Header("location"), {kPc, "Cookie: sid=" + sid});
  EXPECT_EQ(landed.status, 200);
  EXPECT_NE(landed.body.find("value=\"a b猫\""), std::string::npos) << "the search as typed";
}

TEST_F(Gateway, CookielessDocomoKeepsItsSessionThroughUrlsOnly) {
  // The 文字コード page needs a session (it has a POST form).
  HttpResponse first = server_->Get("/charset?back=/disclaimer", {kDocomo});
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("set-cookie"), "") << "old i-mode keeps no cookie: none is sent";
  std::string page = Decoded(first);
  std::vector<std::string> links = Links(page);
  ASSERT_GE(links.size(), 4u);
  const std::string sid = SidOf(links[0]);
  ASSERT_EQ(sid.size(), 32u) << links[0];
  for (const auto& l : links) EXPECT_EQ(SidOf(l), sid) << "every same-site link carries it: " << l;
  EXPECT_EQ(Hidden(page, "sid"), sid) << "and every form";

  // Follow a link: the next page carries the same id.
  HttpResponse next = server_->Get(links.back(), {kDocomo});
  ASSERT_EQ(next.status, 200);
  for (const auto& l : Links(Decoded(next))) EXPECT_EQ(SidOf(l), sid) << l;

  // Post the form as the phone would: Shift_JIS bytes, fields from the page.
  const std::string token = Hidden(page, "_t");
  ASSERT_EQ(token.size(), 32u);
  HttpResponse post = server_->Post("/charset",
                                    "_c=" + Hex("\x95\x5C\x83\x5C") + "&sid=" + sid +
                                        "&_t=" + token + "&back=%2Fdisclaimer&to=sjis",
                                    {kDocomo, "Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(post.status, 303);
  EXPECT_EQ(post.Header("location"), "/disclaimer?sid=" + sid);
  EXPECT_EQ(post.Header("set-cookie"), "");
}

TEST_F(Gateway, ProbeDevicesLoseTheUrlIdOnceTheCookieComesBack) {
  HttpResponse first = server_->Get("/charset", {kSoftbank});
  const std::string cookie = first.Header("set-cookie");
  ASSERT_NE(cookie.find("sid="), std::string::npos) << "SoftBank may keep cookies: one is offered";
  const std::string sid = cookie.substr(4, 32);
  std::string page = Decoded(first);
  EXPECT_EQ(SidOf(Links(page).at(0)), sid) << "until it comes back, the URL carries the id";
  HttpResponse again = server_->Get("/charset", {kSoftbank, "Cookie: sid=" + sid});
  std::string page2 = Decoded(again);
  EXPECT_EQ(page2.find("sid="), std::string::npos) << "cookie proven: no id in URLs";
  EXPECT_EQ(Hidden(page2, "_t"), Hidden(page, "_t")) << "same session";
}

TEST_F(Gateway, SessionIsBoundToTheDevice) {
  HttpResponse phone = server_->Get("/charset", {kDocomo});
  std::string page = Decoded(phone);
  const std::string sid = SidOf(Links(page).at(0));
  const std::string token = Hidden(page, "_t");
  // The same URL from a PC: the session is dropped, not shared.
  HttpResponse pc = server_->Post("/charset", "sid=" + sid + "&_t=" + token + "&to=utf8", {kPc});
  EXPECT_EQ(pc.status, 403);
  // And it is gone for the phone as well.
  HttpResponse back = server_->Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&sid=" + sid + "&_t=" + token + "&to=sjis",
      {kDocomo});
  EXPECT_EQ(back.status, 403);
}

TEST_F(Gateway, ShiftJisFormInputIsDecodedAndShownBackExactly) {
  const std::string text = "表示 ソフト ～ ①";
  const std::string sjis = charset::Utf8ToSjis(text);
  HttpResponse r = server_->Get("/?_c=" + Hex("\x95\x5C\x83\x5C") + "&q=" + Hex(sjis), {kDocomo});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(Decoded(r).find("value=\"" + text + "\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"" + sjis + "\""), std::string::npos) << "the same bytes go back";
  // The same text from a UTF-8 browser (probe in UTF-8) comes back in UTF-8.
  HttpResponse u = server_->Get("/?_c=" + Hex("表ソ") + "&q=" + Hex(text), {kPc});
  EXPECT_NE(u.body.find("value=\"" + text + "\""), std::string::npos);
  // A Shift_JIS phone's form without a probe is read as Shift_JIS.
  HttpResponse n = server_->Get("/?q=" + Hex(sjis), {kAu});
  EXPECT_NE(Decoded(n).find("value=\"" + text + "\""), std::string::npos);
}

TEST_F(Gateway, InvalidBytesGetA400PageInTheDevicesCharset) {
  struct Case {
    const char* ua;
    std::string query;
  } cases[] = {
      {kDocomo, "q=%81"},                        // truncated lead byte
      {kDocomo, "q=%81%20"},                     // invalid trail byte
      {kDocomo, "q=%FF"},                        // never valid
      {kPc, "_c=" + Hex("表ソ") + "&q=%E3%81"},  // truncated UTF-8
      {kPc, "q=%C0%80"},                         // overlong UTF-8
      {kPc, "_c=garbage&q=a"},                   // probe neither charset
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    HttpResponse r = server_->Get("/?" + c.query, {c.ua});
    EXPECT_EQ(r.status, 400);
    const bool phone = std::string(c.ua) == kDocomo;
    EXPECT_EQ(r.Header("content-type"),
              phone ? "text/html; charset=Shift_JIS" : "text/html; charset=UTF-8");
    const std::string page = phone ? Decoded(r) : r.body;
    EXPECT_NE(page.find("文字を読み取れません"), std::string::npos);
  }
  EXPECT_EQ(server_->Get("/", {kDocomo}).status, 200);
}

TEST_F(Gateway, PostsWithoutTheRightTokenAreRefusedWithAClearPage) {
  HttpResponse form = server_->Get("/charset", {kPc});
  const std::string sid = form.Header("set-cookie").substr(4, 32);
  for (std::string body :
       {std::string("to=utf8"), std::string("to=utf8&_t=") + std::string(32, 'a'),
        std::string("to=utf8&_t=")}) {
    SCOPED_TRACE(body);
    HttpResponse r = server_->Post("/charset", body, {kPc, "Cookie: sid=" + sid});
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("もう一度操作してください"), std::string::npos);
  }
  HttpResponse none = server_->Post("/charset", "to=utf8", {kPc});
  EXPECT_EQ(none.status, 403) << "no session at all";
}

TEST_F(Gateway, ChosenCharsetIsRememberedInTheSession) {
  HttpResponse form = server_->Get("/charset", {kPc});
  const std::string sid = form.Header("set-cookie").substr(4, 32);
  HttpResponse p = server_->Post("/charset", "to=sjis&back=%2F&_t=" + Hidden(form.body, "_t"),
                                 {kPc, "Cookie: sid=" + sid});
  ASSERT_EQ(p.status, 303);
  HttpResponse top = server_->Get("/", {kPc, "Cookie: sid=" + sid});
  EXPECT_EQ(top.Header("content-type"), "text/html; charset=Shift_JIS");
  EXPECT_NE(Decoded(top).find("蔵書検索"), std::string::npos);
}

TEST_F(Gateway, OffSiteLinksGoThroughAnExitPageWithoutTheId) {
  HttpResponse r = server_->Get("/exit?to=" + Hex("https://www.example.jp/a?b=1"), {kDocomo});
  ASSERT_EQ(r.status, 200);
  std::string page = Decoded(r);
  EXPECT_NE(page.find("href=\"https://www.example.jp/a?b=1\" rel=\"noreferrer\""),
            std::string::npos);
  for (const char* bad : {"javascript:alert(1)", "//evil.example/", "https://x\"onmouseover=1"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(server_->Get("/exit?to=" + Hex(bad), {kPc}).status, 400);
  }
}

TEST_F(Gateway, RedirectsStayOnTheSite) {
  HttpResponse form = server_->Get("/charset", {kPc});
  const std::string sid = form.Header("set-cookie").substr(4, 32);
  for (const char* back : {"https://evil.example/", "//evil.example/", "/\\evil"}) {
    SCOPED_TRACE(back);
    HttpResponse p =
        server_->Post("/charset", "to=utf8&back=" + Hex(back) + "&_t=" + Hidden(form.body, "_t"),
                      {kPc, "Cookie: sid=" + sid});
    EXPECT_EQ(p.status, 303);
    EXPECT_EQ(p.Header("location"), "/");
  }
}

}  // namespace
}  // namespace shiori::test
