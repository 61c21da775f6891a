// End-to-end tests of the device gateway: Shift_JIS for feature phones, the
// session in URLs for cookie-less phones and in a cookie for everyone else,
// input decoding by the probe field, CSRF, the exit page and the pages `back=` and `next=`
// may send a patron to.
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

// The value of the cookie `name` the response sets, or "".
std::string SetCookie(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == "set-cookie" && v.rfind(name + "=", 0) == 0) {
      return v.substr(name.size() + 1, v.find(';') - name.size() - 1);
    }
  }
  return "";
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
    EXPECT_EQ(SetCookie(r, "sid"), "") << "reading a page makes no session";
    // The form's token is bound to a visitor cookie, which nothing stores.
    const std::string visitor = SetCookie(r, "v");
    ASSERT_EQ(visitor.size(), 32u);
    EXPECT_NE(r.Header("set-cookie").find("HttpOnly"), std::string::npos);
    EXPECT_NE(r.Header("set-cookie").find("SameSite=Lax"), std::string::npos);
    EXPECT_EQ(r.body.find("sid="), std::string::npos) << "no id in any URL or field";
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
    EXPECT_NE(r.body.find("name=\"viewport\""), std::string::npos);
    const std::string token = Hidden(r.body, "_t");
    ASSERT_FALSE(token.empty());
    // The first state change makes the session, in a cookie.
    HttpResponse p = server_->Post(
        "/charset", "_c=" + Hex("表ソ") + "&_t=" + token + "&to=utf8&back=%2Fdisclaimer",
        {ua, "Cookie: v=" + visitor});
    EXPECT_EQ(p.status, 303);
    EXPECT_EQ(p.Header("location"), "/disclaimer");
    const std::string sid = SetCookie(p, "sid");
    EXPECT_EQ(sid.size(), 32u);
    HttpResponse next = server_->Get("/charset", {ua, "Cookie: sid=" + sid + "; v=" + visitor});
    EXPECT_EQ(next.body.find("sid="), std::string::npos);
    EXPECT_EQ(Hidden(next.body, "_t").size(), 32u) << "from now on the session's own token";
  }
}

// A cookie-less phone's session: made by its first POST, then in every URL.
std::string PhoneSession(const Server& server, const char* ua) {
  HttpResponse form = server.Get("/charset?back=/disclaimer", {ua});
  std::string page = Decoded(form);
  HttpResponse post = server.Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&_t=" + Hidden(page, "_t") +
                      "&back=%2Fdisclaimer&to=sjis",
      {ua});
  EXPECT_EQ(post.status, 303);
  return SidOf(post.Header("location"));
}

// A page to go back to may hold any bytes; the redirect's Location carries
// it percent-encoded, so a space or a kanji neither breaks the header nor
// changes where the patron lands.
TEST_F(Gateway, ARedirectToAPageWithASpaceAndKanjiIsPercentEncoded) {
  HttpResponse r = server_->Get("/charset", {kPc});
  ASSERT_EQ(r.status, 200);
  const std::string visitor = SetCookie(r, "v");
  const std::string token = Hidden(r.body, "_t");
  ASSERT_FALSE(token.empty());
  HttpResponse p = server_->Post(
      "/charset",
      "_c=" + Hex("表ソ") + "&_t=" + token + "&to=utf8&back=" + Hex("/search?q=a b猫&p=0"),
      {kPc, "Cookie: v=" + visitor});
  EXPECT_EQ(p.status, 303);
  EXPECT_EQ(p.Header("location"), "/search?q=a%20b%E7%8C%AB&p=0");
  const std::string sid = SetCookie(p, "sid");
  HttpResponse landed = server_->Get(p.Header("location"), {kPc, "Cookie: sid=" + sid});
  EXPECT_EQ(landed.status, 200);
  EXPECT_NE(landed.body.find("value=\"a b猫\""), std::string::npos) << "the search as typed";
}

TEST_F(Gateway, CookielessDocomoKeepsItsSessionThroughUrlsOnly) {
  // The 文字コード page has a POST form; reading it makes no session yet.
  HttpResponse first = server_->Get("/charset?back=/disclaimer", {kDocomo});
  ASSERT_EQ(first.status, 200);
  EXPECT_EQ(first.Header("set-cookie"), "") << "old i-mode keeps no cookie: none is sent";
  std::string page = Decoded(first);
  EXPECT_EQ(page.find("sid="), std::string::npos) << "no session, no id";
  EXPECT_EQ(Hidden(page, "sid"), "");

  // Post the form as the phone would: Shift_JIS bytes, fields from the page.
  const std::string token = Hidden(page, "_t");
  ASSERT_FALSE(token.empty());
  HttpResponse post = server_->Post("/charset",
                                    "_c=" + Hex("\x95\x5C\x83\x5C") + "&_t=" + token +
                                        "&back=%2Fdisclaimer&to=sjis",
                                    {kDocomo, "Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(post.status, 303);
  EXPECT_EQ(post.Header("set-cookie"), "");
  const std::string sid = SidOf(post.Header("location"));
  ASSERT_EQ(sid.size(), 32u) << post.Header("location");
  EXPECT_EQ(post.Header("location"), "/disclaimer?sid=" + sid);

  // From now on every same-site link and form carries it.
  HttpResponse next = server_->Get("/charset?back=/disclaimer&sid=" + sid, {kDocomo});
  ASSERT_EQ(next.status, 200);
  std::string page2 = Decoded(next);
  std::vector<std::string> links = Links(page2);
  ASSERT_GE(links.size(), 4u);
  for (const auto& l : links) EXPECT_EQ(SidOf(l), sid) << "every same-site link carries it: " << l;
  EXPECT_EQ(Hidden(page2, "sid"), sid) << "and every form";
  HttpResponse follow = server_->Get(links.back(), {kDocomo});
  ASSERT_EQ(follow.status, 200);
  for (const auto& l : Links(Decoded(follow))) EXPECT_EQ(SidOf(l), sid) << l;
}

TEST_F(Gateway, ProbeDevicesLoseTheUrlIdOnceTheCookieComesBack) {
  HttpResponse form = server_->Get("/charset", {kSoftbank});
  EXPECT_EQ(form.Header("set-cookie"), "") << "no session from reading";
  HttpResponse first = server_->Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&_t=" + Hidden(Decoded(form), "_t") + "&to=sjis",
      {kSoftbank});
  ASSERT_EQ(first.status, 303);
  const std::string sid = SetCookie(first, "sid");
  ASSERT_EQ(sid.size(), 32u) << "SoftBank may keep cookies: one is offered";
  EXPECT_EQ(SidOf(first.Header("location")), sid) << "until it comes back, the URL carries the id";
  HttpResponse by_url = server_->Get("/charset?sid=" + sid, {kSoftbank});
  std::string page = Decoded(by_url);
  EXPECT_EQ(SidOf(Links(page).at(0)), sid);
  HttpResponse again = server_->Get("/charset", {kSoftbank, "Cookie: sid=" + sid});
  std::string page2 = Decoded(again);
  EXPECT_EQ(page2.find("sid="), std::string::npos) << "cookie proven: no id in URLs";
  EXPECT_EQ(Hidden(page2, "_t"), Hidden(page, "_t")) << "same session";
}

TEST_F(Gateway, SessionIsBoundToTheDevice) {
  const std::string sid = PhoneSession(*server_, kDocomo);
  std::string page = Decoded(server_->Get("/charset?sid=" + sid, {kDocomo}));
  const std::string token = Hidden(page, "_t");
  // The same URL from a PC: a PC's session is its cookie's, the id is not even looked at.
  HttpResponse pc = server_->Post("/charset", "sid=" + sid + "&_t=" + token + "&to=utf8", {kPc});
  EXPECT_EQ(pc.status, 403);
  // From another docomo handset (a copied URL): refused, and the session ended.
  const char other[] = "User-Agent: DoCoMo/2.0 SH905i(c100;TB;W24H16)";
  HttpResponse copied = server_->Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&sid=" + sid + "&_t=" + token + "&to=sjis",
      {other});
  EXPECT_EQ(copied.status, 403);
  HttpResponse back = server_->Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&sid=" + sid + "&_t=" + token + "&to=sjis",
      {kDocomo});
  EXPECT_EQ(back.status, 403) << "gone for the phone as well";
}

TEST_F(Gateway, TheSameHandsetKeepsItsSessionWhateverItsSerialToken) {
  // A FOMA handset sends its serial only when a page asks (utn): same model, same phone.
  const char plain[] = "User-Agent: DoCoMo/2.0 D902i(c100;TB;W23H16)";
  const char serial[] =
      "User-Agent: DoCoMo/2.0 D902i(c100;TB;W23H16;ser999999999999999;icc0000000000000000000f)";
  const std::string sid = PhoneSession(*server_, plain);
  std::string page = Decoded(server_->Get("/charset?sid=" + sid, {plain}));
  const std::string token = Hidden(page, "_t");
  HttpResponse post = server_->Post("/charset",
                                    "_c=" + Hex("\x95\x5C\x83\x5C") + "&sid=" + sid +
                                        "&_t=" + token + "&back=%2Fdisclaimer&to=sjis",
                                    {serial});
  EXPECT_EQ(post.status, 303);
}

TEST_F(Gateway, AProbePhonesUrlIdCountsNoMoreOnceItsCookieCameBack) {
  const std::string sid = PhoneSession(*server_, kSoftbank);
  const std::string token = Hidden(Decoded(server_->Get("/charset?sid=" + sid, {kSoftbank})), "_t");
  // The cookie comes back once: from then on the session is the cookie's.
  ASSERT_EQ(server_->Get("/charset", {kSoftbank, "Cookie: sid=" + sid}).status, 200);
  HttpResponse by_url = server_->Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&sid=" + sid + "&_t=" + token + "&to=utf8",
      {kSoftbank});
  EXPECT_EQ(by_url.status, 403);
  HttpResponse by_cookie = server_->Post(
      "/charset", "_c=" + Hex("\x95\x5C\x83\x5C") + "&_t=" + token + "&to=utf8",
      {kSoftbank, "Cookie: sid=" + sid});
  EXPECT_EQ(by_cookie.status, 303);
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
  const std::string visitor = SetCookie(form, "v");
  const std::string token = Hidden(form.body, "_t");
  ASSERT_EQ(visitor.size(), 32u);
  // Another visitor's token, as an attacker's page would carry it.
  HttpResponse other = server_->Get("/charset", {kPc});
  const std::string theirs = Hidden(other.body, "_t");
  ASSERT_NE(theirs, token);
  std::string forged_time = token;
  forged_time[0] = forged_time[0] == '1' ? '2' : '1';
  for (std::string body :
       {std::string("to=utf8"), std::string("to=utf8&_t=") + std::string(32, 'a'),
        std::string("to=utf8&_t="), "to=utf8&_t=" + theirs, "to=utf8&_t=" + forged_time}) {
    SCOPED_TRACE(body);
    HttpResponse r = server_->Post("/charset", body, {kPc, "Cookie: v=" + visitor});
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("もう一度操作してください"), std::string::npos);
    EXPECT_EQ(SetCookie(r, "sid"), "") << "no session for a refused post";
  }
  HttpResponse none = server_->Post("/charset", "to=utf8&_t=" + token, {kPc});
  EXPECT_EQ(none.status, 403) << "the right token without its cookie (a cross-site post)";
  HttpResponse right = server_->Post("/charset", "to=utf8&_t=" + token, {kPc, "Cookie: v=" + visitor});
  EXPECT_EQ(right.status, 303);
}

TEST_F(Gateway, ChosenCharsetIsRememberedInTheSession) {
  HttpResponse form = server_->Get("/charset", {kPc});
  HttpResponse p = server_->Post("/charset", "to=sjis&back=%2F&_t=" + Hidden(form.body, "_t"),
                                 {kPc, "Cookie: v=" + SetCookie(form, "v")});
  ASSERT_EQ(p.status, 303);
  const std::string sid = SetCookie(p, "sid");
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
  const std::string visitor = SetCookie(form, "v");
  for (const char* back : {"https://evil.example/", "//evil.example/", "/\\evil"}) {
    SCOPED_TRACE(back);
    HttpResponse p =
        server_->Post("/charset", "to=utf8&back=" + Hex(back) + "&_t=" + Hidden(form.body, "_t"),
                      {kPc, "Cookie: v=" + visitor});
    EXPECT_EQ(p.status, 303);
    EXPECT_EQ(p.Header("location"), "/");
  }
}

// ---------------------------------------------------------------- the exit page and the id

// An old au or SoftBank phone sends the address of the page it leaves as the
// Referer to the site it goes to: /exit must never be reached with the
// session id in its address, nor give one out. On the demo library, where
// patrons can log in and add to the cart.
class ExitPage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("e.db")}))
        << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  // A cookie-less phone's session, made by its first POST (文字コード), and
  // the session's form token.
  static std::pair<std::string, std::string> PhoneSessionAndToken(const char* ua) {
    const std::string sid = PhoneSession(*server_, ua);
    const std::string page = Decoded(server_->Get("/charset?sid=" + sid, {ua}));
    return {sid, Hidden(page, "_t")};
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* ExitPage::dir_ = nullptr;
Server* ExitPage::server_ = nullptr;

const char kAttack[] = "/exit?to=http://evil.example/";

TEST_F(ExitPage, CharsetBackNeverLeadsToTheExitPage) {
  for (const char* ua : {kDocomo, kAu}) {
    SCOPED_TRACE(ua);
    // The link an attacker hands out: the form goes back to the top page instead.
    auto [sid, token] = PhoneSessionAndToken(ua);
    HttpResponse form =
        server_->Get(std::string("/charset?back=") + Hex(kAttack) + "&sid=" + sid, {ua});
    ASSERT_EQ(form.status, 200);
    const std::string page = Decoded(form);
    EXPECT_EQ(Hidden(page, "back"), "/");
    ASSERT_EQ(sid.size(), 32u) << page;
    // The form's field rewritten: anything but one of the site's own pages
    // goes to the top page, and the id goes nowhere near /exit.
    for (const char* back : {kAttack, "/exit", "/exit?to=https%3A%2F%2Fevil.example%2F",
                             "/%65xit?to=http://evil.example/", "/exit/", "/EXIT?to=x",
                             "/style.css", "/healthz", "/nowhere", "https://evil.example/"}) {
      SCOPED_TRACE(back);
      HttpResponse p = server_->Post(
          "/charset", "to=sjis&back=" + Hex(back) + "&_t=" + token + "&sid=" + sid, {ua});
      ASSERT_EQ(p.status, 303);
      EXPECT_EQ(p.Header("location"), "/?sid=" + sid);
      EXPECT_EQ(Decoded(p).find("exit"), std::string::npos);
    }
    // The site's own pages still work, without any id of their own.
    HttpResponse search = server_->Post(
        "/charset",
        "to=sjis&back=" + Hex("/search?q=neko&sid=0123456789abcdef0123456789abcdef#top") +
            "&_t=" + token + "&sid=" + sid,
        {ua});
    EXPECT_EQ(search.Header("location"), "/search?q=neko&sid=" + sid);
  }
}

TEST_F(ExitPage, LoginNextNeverLeadsToTheExitPage) {
  for (const char* ua : {kDocomo, kAu}) {
    SCOPED_TRACE(ua);
    auto [sid, token] = PhoneSessionAndToken(ua);
    ASSERT_EQ(sid.size(), 32u);
    // A failed login does not keep the address in its form either.
    HttpResponse bad = server_->Post(
        "/account/login",
        "card=1000000033&password=wrong1&next=" + Hex(kAttack) + "&_t=" + token + "&sid=" + sid,
        {ua});
    EXPECT_EQ(bad.status, 403);
    EXPECT_EQ(Decoded(bad).find("exit"), std::string::npos) << Decoded(bad);
    HttpResponse ok = server_->Post(
        "/account/login",
        "card=1000000033&password=hon4649&next=" + Hex(kAttack) + "&_t=" + token + "&sid=" + sid,
        {ua});
    ASSERT_EQ(ok.status, 303) << Decoded(ok);
    const std::string location = ok.Header("location");
    EXPECT_EQ(location.rfind("/account?sid=", 0), 0u) << location;
    EXPECT_EQ(location.find("exit"), std::string::npos);
    // What a login is for: back to the page of one's own that asked for it.
    auto [sid2, token2] = PhoneSessionAndToken(ua);
    HttpResponse loans = server_->Post("/account/login",
                                       "card=1000000033&password=hon4649&next=%2Faccount%2Floans"
                                       "&_t=" +
                                           token2 + "&sid=" + sid2,
                                       {ua});
    EXPECT_EQ(loans.Header("location").rfind("/account/loans?sid=", 0), 0u)
        << loans.Header("location");
  }
}

TEST_F(ExitPage, CartBackNeverLinksToTheExitPage) {
  auto [sid, token] = PhoneSessionAndToken(kDocomo);
  HttpResponse r = server_->Post(
      "/cart/add", "id=1&back=" + Hex(kAttack) + "&_t=" + token + "&sid=" + sid, {kDocomo});
  ASSERT_EQ(r.status, 200);
  const std::string page = Decoded(r);
  EXPECT_NE(page.find("カートに入れました"), std::string::npos) << page;
  for (const std::string& link : Links(page)) {
    EXPECT_EQ(link.find("exit"), std::string::npos) << link;
  }
}

TEST_F(ExitPage, TheExitPageNeverCarriesTheSessionId) {
  for (const char* ua : {kDocomo, kAu, kSoftbank}) {
    SCOPED_TRACE(ua);
    auto [sid, token] = PhoneSessionAndToken(ua);
    ASSERT_EQ(sid.size(), 32u);
    // Reached with the id (a crafted link): sent again without it.
    HttpResponse r = server_->Get("/exit?to=" + Hex("http://evil.example/") + "&sid=" + sid, {ua});
    ASSERT_EQ(r.status, 303);
    const std::string location = r.Header("location");
    EXPECT_EQ(location.rfind("/exit?to=", 0), 0u) << location;
    EXPECT_EQ(location.find("sid"), std::string::npos) << location;
    EXPECT_EQ(Decoded(r).find(sid), std::string::npos);
    // The page itself, and every link on it, without the id.
    HttpResponse page = server_->Get(location, {ua});
    ASSERT_EQ(page.status, 200);
    const std::string body = Decoded(page);
    EXPECT_NE(body.find("href=\"http://evil.example/\" rel=\"noreferrer\""), std::string::npos)
        << body;
    EXPECT_EQ(body.find("sid"), std::string::npos) << body;
    for (const std::string& link : Links(body)) EXPECT_EQ(SidOf(link), "") << link;
    // A refused address with the id: the error page gives no id out either.
    HttpResponse bad = server_->Get("/exit?to=" + Hex("javascript:alert(1)") + "&sid=" + sid, {ua});
    EXPECT_EQ(bad.status, 400);
    EXPECT_EQ(Decoded(bad).find(sid), std::string::npos);
    // The session itself goes on: the id still opens the cart.
    HttpResponse cart = server_->Get("/cart?sid=" + sid, {ua});
    EXPECT_NE(Decoded(cart).find("sid=" + sid), std::string::npos);
  }
}

}  // namespace
}  // namespace shiori::test
