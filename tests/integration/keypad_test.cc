// End to end on the real server: the pages a ガラホ (Android keypad phone)
// gets, and the switch between ケータイ版, スマホ版 and PC版 that one session
// keeps, on every kind of device.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "charset/charset.h"
#include "tests/integration/browser.h"
#include "tests/integration/fixture.h"

namespace shiori::test {
namespace {

// Real User-Agent strings of ガラホ (tests/data/user_agents.tsv has more).
const char* const kGaraho[] = {
    // AQUOS ケータイ SH-02L (docomo), Android 8.1
    "Mozilla/5.0 (Linux; Android 8.1.0; SH-02L Build/S3080; wv) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Version/4.0 Chrome/67.0.3396.127 Mobile Safari/537.36",
    // GRATINA KYF37 (au), Android 5.1
    "Mozilla/5.0 (Linux; Android 5.1.1; KYF37 Build/105.0.2700; wv) AppleWebKit/537.36 (KHTML, "
    "like Gecko) Version/4.0 Chrome/55.0.2883.91 Mobile Safari/537.36",
};

// The budget of ケータイ版 pages on a ガラホ (gateway/device.h kKeypadBudgetBytes).
constexpr size_t kKeypadBudget = 20 * 1024;

bool Has(const std::string& s, const std::string& part) { return s.find(part) != s.npos; }

// Which version a page is: ケータイ版 has no stylesheet, PC版 carries the
// QR code, スマホ版 neither.
std::string VersionOf(const std::string& page) {
  if (!Has(page, "rel=\"stylesheet\"")) return "keitai";
  return Has(page, "class=\"qr\"") ? "pc" : "smart";
}

class Keypad : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("k.db")}))
        << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* Keypad::dir_ = nullptr;
Server* Keypad::server_ = nullptr;

TEST_F(Keypad, AGarahoGetsNumberedNarrowPagesInUtf8WithoutQrOrStylesheet) {
  for (const char* ua : kGaraho) {
    SCOPED_TRACE(ua);
    for (const std::string path : {"/", "/search?q=%E7%8C%AB", "/account", "/search/advanced"}) {
      SCOPED_TRACE(path);
      HttpResponse r = server_->Get(path, {std::string("User-Agent: ") + ua});
      EXPECT_EQ(r.status, 200);
      EXPECT_EQ(r.Header("content-type"), "text/html; charset=UTF-8");
      EXPECT_EQ(VersionOf(r.body), "keitai") << r.body;
      EXPECT_TRUE(Has(r.body, "name=\"viewport\"")) << "a WebView scales the page to the screen";
      EXPECT_FALSE(Has(r.body, "<svg")) << "no QR code, no drawings";
      EXPECT_FALSE(Has(r.body, ":hover"));
      EXPECT_FALSE(Has(r.body, "sid=")) << "the session rides in a cookie";
      EXPECT_LE(r.body.size(), kKeypadBudget);
    }
    HttpResponse top = server_->Get("/", {std::string("User-Agent: ") + ua});
    // The main links are numbered for the keys, the digit shown.
    EXPECT_TRUE(Has(top.body, "[2]<a href=\"/account\" accesskey=\"2\">")) << top.body;
    EXPECT_TRUE(Has(top.body, "[3]<a href=\"/cart\" accesskey=\"3\">"));
    EXPECT_TRUE(Has(top.body, "accesskey=\"1\"")) << "the search field on key 1";
    // A search lists without cart buttons (fewer stops for the D-pad), paged
    // by 前へ/次へ on keys 4 and 6.
    HttpResponse s = server_->Get("/search?q=%E6%96%B0%E6%BD%AE%E7%A4%BE",  // 新潮社
                                  {std::string("User-Agent: ") + ua});
    EXPECT_FALSE(Has(s.body, "カートに入れる"));
    EXPECT_TRUE(Has(s.body, "[6]<a href=\"/search?")) << s.body;
    EXPECT_LE(s.body.size(), kKeypadBudget);
  }
}

TEST_F(Keypad, AGarahoLogsInWithACookieAndReadsItsAccountWithinTheBudget) {
  Browser b(*server_, false, kGaraho[0]);
  b.Get("/account");
  std::string page = b.Post("/account/login", {{"card", "1000000011"}, {"password", "neko2026"}});
  EXPECT_TRUE(Has(page, "でログイン中")) << page;
  EXPECT_FALSE(b.cookie().empty()) << "a ガラホ keeps cookies";
  for (const char* path : {"/account", "/account/loans", "/account/holds", "/account/ready"}) {
    SCOPED_TRACE(path);
    long status = 0;
    page = b.Get(path, &status);
    EXPECT_EQ(status, 200);
    EXPECT_EQ(VersionOf(page), "keitai");
    EXPECT_FALSE(Has(page, "sid="));
    EXPECT_LE(b.last_bytes(), kKeypadBudget);
  }
}

struct Kind {
  const char* name;
  const char* ua;
  bool phone;  // Shift_JIS and the session in URLs (the Browser's phone mode)
  const char* native;
};

const Kind kKinds[] = {
    {"docomo FOMA", "DoCoMo/2.0 P903i(c100;TB;W24H12)", true, "keitai"},
    {"au", "KDDI-SA31 UP.Browser/6.2.0.7.3.129 (GUI) MMP/2.0", true, "keitai"},
    {"SoftBank", "SoftBank/1.0/910T/TJ001/SN123456789012345 Browser/NetFront/3.3", true, "keitai"},
    {"garaho", kGaraho[1], false, "keitai"},
    {"iPhone",
     "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
     "Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
     false, "smart"},
    {"Android tablet",
     "Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36",
     false, "smart"},
    {"PC", "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:120.0) Gecko/20100101 Firefox/120.0",
     false, "pc"},
};

// Every kind of device can move its session to each version and back to its
// own; the choice holds on the pages that follow (the kept top page, a
// search) and the charset stays the device's.
TEST_F(Keypad, TheSwitchMovesOneSessionBetweenVersionsOnEveryDevice) {
  for (const Kind& k : kKinds) {
    SCOPED_TRACE(k.name);
    Browser b(*server_, k.phone, k.ua);
    EXPECT_EQ(VersionOf(b.Get("/")), k.native);
    const std::string footer = b.last_page();
    EXPECT_TRUE(Has(footer, "表示切替（ケータイ版・スマホ版・PC版）")) << footer;
    for (const std::string to : {"keitai", "smart", "pc", "auto", "smart", "keitai", "auto"}) {
      SCOPED_TRACE(to);
      long status = 0;
      std::string form = b.Get("/version?back=%2Fsearch%3Fq%3Dneko", &status);
      ASSERT_EQ(status, 200);
      EXPECT_TRUE(Has(form, "value=\"keitai\"") && Has(form, "value=\"pc\"")) << form;
      std::string page = b.Post("/version", {{"to", to}}, &status);
      ASSERT_EQ(status, 200) << page;
      const std::string want = to == "auto" ? k.native : to;
      // A feature phone's PC版 has no QR code (it cannot draw one): it
      // looks like its スマホ版, the page above says which it is.
      const std::string shown = k.phone && want == "pc" ? "smart" : want;
      EXPECT_EQ(VersionOf(page), shown);
      EXPECT_TRUE(Has(page, "value=\"neko\"")) << "back on the page it came from: " << page;
      EXPECT_EQ(VersionOf(b.Get("/")), shown) << "the top page too";
      EXPECT_EQ(VersionOf(b.Get("/search?q=%E7%8C%AB")), shown);
      if (k.phone) {
        EXPECT_TRUE(Has(b.last_page(), "sid=" + b.sid())) << "the session still rides in URLs";
      }
      // The form says what is shown now.
      const std::string names[] = {"ケータイ版", "スマホ版", "PC版"};
      const std::string now = want == "keitai" ? names[0] : want == "smart" ? names[1] : names[2];
      EXPECT_TRUE(Has(b.Get("/version"), "いまは" + now + "で表示しています。"));
    }
  }
}

// The switch is a state change: without the form's token it changes nothing.
TEST_F(Keypad, TheSwitchNeedsTheFormsToken) {
  Browser b(*server_, false, kGaraho[0]);
  b.Get("/version");
  long status = 0;
  std::string page = b.Post("/version", {{"to", "pc"}, {"_t", "forged"}}, &status);
  EXPECT_EQ(status, 403);
  EXPECT_TRUE(Has(page, "もう一度操作してください")) << page;
  EXPECT_EQ(VersionOf(b.Get("/")), "keitai");
}

// A ガラホ shown スマホ版 gets a smartphone's list: a cart button a hit,
// no key labels.
TEST_F(Keypad, AGarahoOnSmartphonePagesGetsASmartphonesList) {
  Browser b(*server_, false, kGaraho[1]);
  const std::string many = "/search?q=%E6%96%B0%E6%BD%AE%E7%A4%BE";  // 新潮社
  std::string keitai = b.Get(many);
  EXPECT_FALSE(Has(keitai, "カートに入れる"));
  EXPECT_TRUE(Has(keitai, "[6]<a"));
  b.Get("/version");
  std::string smart = b.Post("/version", {{"to", "smart"}, {"back", many}});
  EXPECT_EQ(VersionOf(smart), "smart");
  EXPECT_TRUE(Has(smart, "カートに入れる")) << smart;
  EXPECT_FALSE(Has(smart, "[6]<a"));
}

// Pages without the stylesheet name no icon, so a WebView asks for
// /favicon.ico: nothing, kept for a day even within a session (as the
// stylesheet is), while the session's pages are kept by nobody.
TEST_F(Keypad, TheIconAndTheStylesheetStayCachedInASession) {
  Browser b(*server_, false, kGaraho[0]);
  b.Get("/version");
  b.Post("/version", {{"to", "smart"}});
  ASSERT_FALSE(b.cookie().empty());
  const std::vector<std::string> h = {std::string("User-Agent: ") + kGaraho[0],
                                      "Cookie: sid=" + b.cookie()};
  for (const char* path : {"/favicon.ico", "/style.css", "/"}) {
    SCOPED_TRACE(path);
    HttpResponse r = server_->Get(path, h);
    int n = 0;
    for (const auto& [name, value] : r.headers) n += name == "cache-control";
    EXPECT_EQ(n, 1);
    EXPECT_EQ(r.Header("cache-control"),
              std::string(path) == "/" ? "private, no-store" : "public, max-age=86400");
    EXPECT_EQ(r.status, std::string(path) == "/favicon.ico" ? 204 : 200);
  }
}

TEST_F(Keypad, AnUnknownVersionIsRefusedInJapanese) {
  Browser b(*server_, false);
  b.Get("/version");
  long status = 0;
  std::string page = b.Post("/version", {{"to", "tv"}}, &status);
  EXPECT_EQ(status, 400);
  EXPECT_TRUE(Has(page, "ケータイ版・スマホ版・PC版のどれかを選んでください。")) << page;
  EXPECT_EQ(VersionOf(b.Get("/")), "pc") << "nothing changed";
}

TEST_F(Keypad, APhonesShiftJisVersionPageFitsItsCache) {
  Browser b(*server_, true, "DoCoMo/1.0/D501i");  // no cache token: 5 KB
  b.Get("/version?back=%2F");
  EXPECT_LE(b.last_bytes(), 5u * 1024);
  std::string page = b.Post("/version", {{"to", "smart"}});
  EXPECT_EQ(VersionOf(page), "smart");
  EXPECT_TRUE(Has(page, "charset=Shift_JIS")) << "the charset stays the phone's";
}

}  // namespace
}  // namespace shiori::test
