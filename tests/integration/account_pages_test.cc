// End-to-end tests of what the account pages tell a patron and ask before
// they act, through the real server on a PC, a smartphone and a cookie-less
// docomo phone in Shift_JIS: who is logged in and ログアウト on every page,
// the confirmation before a renewal or a cancellation, the lists' facts, the
// guide's sentences where patrons start, the card's help, the QR code on PCs
// only, and the 413 page in Japanese.
#include <gtest/gtest.h>

#include <regex>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

constexpr char kIphone[] =
    "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
constexpr char kDocomo[] = "User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)";

bool Has(const std::string& page, const std::string& text) {
  return page.find(text) != std::string::npos;
}

// A Shift_JIS page as UTF-8 ("" when it is not Shift_JIS).
std::string FromSjis(const std::string& body) {
  auto utf8 = charset::SjisToUtf8(body);
  return utf8.ok() ? *utf8 : "";
}

class AccountPages : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    db_ = dir_.File("a.db");
    ASSERT_TRUE(server_.Start({"--demo", "--db", db_})) << server_.startup_output();
  }
  bool phone() const { return GetParam(); }
  std::string Login(Browser& b, const std::string& card, const std::string& pw) {
    b.Get("/account");
    long status = 0;
    std::string page = b.Post("/account/login", {{"card", card}, {"password", pw}}, &status);
    EXPECT_EQ(status, 200) << page;
    return page;
  }
  int64_t Int(const std::string& sql) { return QueryInt(db_, sql); }

  TempDir dir_;
  std::string db_;
  Server server_;
};

INSTANTIATE_TEST_SUITE_P(PcAndPhone, AccountPages, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Docomo" : "Pc"; });

// A shared library PC: every page says whose account is open and offers
// ログアウト, which says it is done and leaves nobody named.
TEST_P(AccountPages, EveryPageNamesThePatronAndOffersLogout) {
  Browser b(server_, phone());
  Login(b, "1000000011", "neko2026");
  for (const char* path :
       {"/", "/account", "/account/loans", "/account/holds", "/account/ready", "/account/password",
        "/account/email", "/search?q=%E7%8C%AB", "/cart", "/account/guide"}) {
    SCOPED_TRACE(path);
    std::string page = b.Get(path);
    EXPECT_TRUE(Has(page, "イズミ キョウコ さん（カード ……0011）でログイン中")) << page;
    EXPECT_TRUE(std::regex_search(page, std::regex("action=\"/account/logout[^\"]*\"")));
    EXPECT_TRUE(Has(page, "value=\"ログアウト\""));
    EXPECT_FALSE(Has(page, "1000000011")) << "the whole card number is never shown";
  }
  long status = 0;
  std::string out = b.Post("/account/logout", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(Has(out, "ログアウトしました。")) << out;
  EXPECT_TRUE(Has(out, "利用照会（ログイン）"));
  EXPECT_FALSE(Has(out, "イズミ キョウコ"));
  EXPECT_FALSE(Has(b.Get("/"), "ログイン中"));
  b.Get("/account/loans", &status);
  EXPECT_EQ(status, 401) << "the session is over";
}

// 延長 can be used once: the first POST only asks, naming the new due date;
// the loan is renewed by the second, and the list says 延長済み.
TEST_P(AccountPages, RenewingAsksFirstAndTheListThenSaysRenewed) {
  Browser b(server_, phone());
  Login(b, "1000000055", "satsuma5");
  std::string loans = b.Get("/account/loans");
  EXPECT_TRUE(Has(loans, "貸出日 ")) << loans;
  EXPECT_TRUE(std::regex_search(
      loans, std::regex("貸出日 [0-9]+月[0-9]+日\\([^)]+\\) / (中央|高尾野|野田)図書館")))
      << loans;
  const std::string due_before =
      QueryText(db_,
                "SELECT due_on FROM loans l JOIN patrons p ON p.id = l.patron_id"
                " WHERE p.card = '1000000055' AND l.returned_on IS NULL");
  long status = 0;
  std::string ask = b.Post("/account/loans/renew", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(Has(ask, "<h1>貸出の延長</h1>")) << ask;
  EXPECT_TRUE(Has(ask, "延長は1回だけです。"));
  EXPECT_TRUE(
      std::regex_search(ask, std::regex("新しい返却期限は[0-9]+月[0-9]+日\\([^)]+\\)です")));
  EXPECT_TRUE(Has(ask, "やめる（貸出中一覧へ）"));
  EXPECT_EQ(Int("SELECT sum(renewals) FROM loans l JOIN patrons p ON p.id = l.patron_id"
                " WHERE p.card = '1000000055'"),
            0)
      << "asking renews nothing";
  EXPECT_EQ(QueryText(db_,
                      "SELECT due_on FROM loans l JOIN patrons p ON p.id = l.patron_id"
                      " WHERE p.card = '1000000055' AND l.returned_on IS NULL"),
            due_before);

  // A confirmation whose date is no longer the one a renewal gives (left
  // open past midnight) asks again and renews nothing.
  std::string again = b.Post("/account/loans/renew", {{"due", "2000-01-01"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(Has(again, "延長した場合の返却期限が変わりました")) << again;
  EXPECT_EQ(Int("SELECT sum(renewals) FROM loans l JOIN patrons p ON p.id = l.patron_id"
                " WHERE p.card = '1000000055'"),
            0);
  std::string done = b.Post("/account/loans/renew", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(Has(done, "延長しました。")) << done;
  EXPECT_TRUE(Has(done, "延長済み"));
  EXPECT_FALSE(Has(done, "value=\"延長\"")) << "renewed once: no second 延長";
  EXPECT_EQ(Int("SELECT sum(renewals) FROM loans l JOIN patrons p ON p.id = l.patron_id"
                " WHERE p.card = '1000000055'"),
            1);
}

// A cancelled hold's place in the queue is gone for good: the detail page
// shows the hold's facts, the first POST asks, and the hold stays until the
// second.
TEST_P(AccountPages, CancellingAsksFirstAndTheHoldWaitsUntilConfirmed) {
  Browser b(server_, phone());
  Login(b, "1000000033", "hon4649");
  std::string holds = b.Get("/account/holds");
  EXPECT_TRUE(std::regex_search(holds, std::regex("予約日 [0-9]+月[0-9]+日\\([^)]+\\)"))) << holds;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(holds, m, std::regex("href=\"/account/hold\\?id=([0-9]+)")))
      << holds;
  const std::string id = m[1];
  std::string detail = b.Get("/account/hold?id=" + id);
  for (const char* fact :
       {"<dt>予約日</dt>", "<dt>受取館</dt>", "<dt>順番</dt>", "<dt>著者</dt>"}) {
    EXPECT_TRUE(Has(detail, fact)) << fact << "\n" << detail;
  }
  const std::string status_sql = "SELECT status = 'waiting' FROM holds WHERE id = " + id;
  long status = 0;
  std::string ask = b.Post("/account/holds/cancel", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(Has(ask, "<h1>予約の取り消し</h1>")) << ask;
  EXPECT_TRUE(Has(ask, "予約の順番は元に戻せません"));
  EXPECT_TRUE(Has(ask, "やめる（予約はそのまま）"));
  EXPECT_EQ(Int(status_sql), 1) << "asking cancels nothing";
  std::string done = b.Post("/account/holds/cancel", {}, &status);
  EXPECT_TRUE(Has(done, "予約を取り消しました")) << done;
  EXPECT_EQ(Int(status_sql), 0);
}

// The ready hold's detail says where and until when to collect it.
TEST_P(AccountPages, AReadyHoldsDetailSaysWhereAndUntilWhen) {
  Browser b(server_, phone());
  Login(b, "1000000055", "satsuma5");
  std::string ready = b.Get("/account/ready");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(ready, m, std::regex("href=\"(/account/hold\\?id=[0-9]+)")))
      << ready;
  std::string detail = b.Get(m[1]);
  EXPECT_TRUE(
      std::regex_search(detail, std::regex("<dt>受取館</dt><dd>(中央|高尾野|野田)図書館</dd>")))
      << detail;
  EXPECT_TRUE(std::regex_search(
      detail, std::regex("<dt>取置期限</dt><dd>[0-9]+月[0-9]+日\\([^)]+\\)</dd>")))
      << detail;
}

// A first-time patron whose login fails is sent to 新規パスワード登録.
TEST_P(AccountPages, AFailedLoginPointsToRegistration) {
  Browser b(server_, phone());
  b.Get("/account");
  long status = 0;
  std::string page =
      b.Post("/account/login", {{"card", "1000000044"}, {"password", "nothing1"}}, &status);
  EXPECT_EQ(status, 403);
  EXPECT_TRUE(Has(page, "先に")) << page;
  EXPECT_TRUE(std::regex_search(
      page, std::regex("<a href=\"/account/register[^\"]*\">新規パスワード登録</a>")))
      << page;
}

// The guide's sentences on the pages the guide names them for, on every
// device (the phone's pages in Shift_JIS).
TEST_P(AccountPages, TheGuidesSentencesAreOnThePagesPatronsUse) {
  Browser b(server_, phone());
  const std::string fees = "通信料・パケット料は自己負担";
  EXPECT_TRUE(Has(b.Get("/"), fees));
  std::string guide = b.Get("/account/guide");
  EXPECT_TRUE(Has(guide, fees));
  EXPECT_TRUE(Has(guide, "カウンターで変更届を出してください")) << guide;
  EXPECT_FALSE(Has(guide, "住所・氏名・電話番号が変わった")) << "no address is asked";
  for (const char* path : {"/account", "/account/register"}) {
    SCOPED_TRACE(path);
    std::string page = b.Get(path);
    EXPECT_TRUE(Has(page, "バーコードの下にある10桁の数字です")) << page;
    EXPECT_TRUE(Has(page, "aria-describedby=\"card-help\""));
    // A drawing of the card where there is a screen for it; one line on a phone.
    EXPECT_EQ(Has(page, "<img src=\"/card.svg\" width=\"160\" height=\"96\" alt=\"\">"), !phone());
  }
  // The drawing: the library's card with a sample number of its digits.
  HttpResponse card = server_.Get("/card.svg");
  EXPECT_EQ(card.status, 200);
  EXPECT_EQ(card.Header("content-type"), "image/svg+xml");
  EXPECT_EQ(card.Header("cache-control"), "public, max-age=86400");
  EXPECT_TRUE(Has(card.body, ">出水市立図書館 利用者カード</text>")) << card.body;
  EXPECT_TRUE(Has(card.body, ">1234567890</text>"));
  Login(b, "1000000011", "neko2026");
  std::string email = b.Get("/account/email");
  EXPECT_TRUE(Has(email, fees));
  EXPECT_TRUE(Has(email,
                  "設定後もメールが届かない場合は、メールアドレスの誤りの可能性があるので、"
                  "再度手続きをしてください"))
      << email;
  if (phone()) {
    HttpResponse raw = server_.Get("/account/guide", {kDocomo});
    EXPECT_NE(raw.Header("content-type").find("Shift_JIS"), std::string::npos);
    EXPECT_TRUE(Has(raw.body, charset::Utf8ToSjis(fees)));
  }
}

// The logged-in line and its ログアウト form cost every page of a
// cookie-less phone some 400 bytes: the lists and results are cut to make
// room, and the oldest docomo's pages stay within its 5 KB.
TEST(AccountPagesBudget, LoggedInPagesOfTheOldestDocomoStayWithin5Kb) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(server.Start({"--demo", "--db", dir.File("b.db")})) << server.startup_output();
  Browser b(server, true, "DoCoMo/1.0/N503i");
  b.Get("/account");
  long status = 0;
  b.Post("/account/login", {{"card", "1000000011"}, {"password", "neko2026"}}, &status);
  ASSERT_EQ(status, 200);
  for (const char* path :
       {"/", "/search?q=%82%CC", "/search?q=%94%4C", "/account", "/account/loans", "/account/holds",
        "/account/ready", "/account/email", "/account/password", "/cart"}) {
    SCOPED_TRACE(path);
    std::string page = b.Get(path, &status);
    EXPECT_EQ(status, 200);
    EXPECT_TRUE(Has(page, "でログイン中")) << page;
    EXPECT_LE(b.last_bytes(), 5u * 1024) << page;
  }
}

// The QR code carries a page from a PC to a phone: smartphones and feature
// phones get none, not even on the top page kept rendered.
TEST(AccountPagesQr, TheQrCodeIsOnPcPagesOnly) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(server.Start({"--demo", "--db", dir.File("q.db")})) << server.startup_output();
  for (const char* path : {"/", "/search?q=%E7%8C%AB", "/account"}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(Has(server.Get(path).body, "携帯電話で開く（QRコード）"));
    EXPECT_FALSE(Has(server.Get(path, {kIphone}).body, "QRコード"));
    EXPECT_FALSE(Has(server.Get(path, {kIphone}).body, "class=\"qr\""));
    EXPECT_FALSE(Has(FromSjis(server.Get(path, {kDocomo}).body), "QRコード"));
  }
}

// A form over max_body_bytes gets a Japanese page in the device's charset,
// on the public and on the staff listener.
TEST(AccountPagesTooLarge, ATooLargeFormIsRefusedInJapanese) {
  TempDir dir;
  Server server;
  ASSERT_TRUE(server.Start({"--demo", "--db", dir.File("t.db")})) << server.startup_output();
  const std::string body = "q=" + std::string(20000, 'a');
  const std::string form = "Content-Type: application/x-www-form-urlencoded";
  HttpResponse pc = server.Post("/account/login", body, {form});
  EXPECT_EQ(pc.status, 413);
  EXPECT_EQ(pc.Header("content-type"), "text/html; charset=UTF-8");
  EXPECT_TRUE(Has(pc.body, "送られた内容が大きすぎます")) << pc.body;
  HttpResponse docomo = server.Post("/account/login", body, {form, kDocomo});
  EXPECT_EQ(docomo.status, 413);
  EXPECT_EQ(docomo.Header("content-type"), "text/html; charset=Shift_JIS");
  EXPECT_TRUE(Has(FromSjis(docomo.body), "送られた内容が大きすぎます"));
  HttpResponse staff = server.StaffPost("/staff/login", body, {form});
  EXPECT_EQ(staff.status, 413);
  EXPECT_TRUE(Has(staff.body, "送られた内容が大きすぎます")) << staff.body;
  EXPECT_NE(staff.Header("content-security-policy").find("frame-ancestors 'none'"),
            std::string::npos);
}

// 文字コード leads back to the page it was chosen on, with its query: the
// record the patron was reading, not a record page without an id.
TEST_P(AccountPages, TheCharsetChoiceLeadsBackToThePageWithItsQuery) {
  Browser b(server_, phone());
  std::string record = b.Get("/record?id=1");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(record, m, std::regex("<h1>([^<]+)</h1>"))) << record;
  const std::string title = m[1];
  ASSERT_TRUE(std::regex_search(record, m, std::regex("href=\"(/charset\\?back=[^\"]+)\"")))
      << record;
  std::string link = std::regex_replace(std::string(m[1]), std::regex("&amp;"), "&");
  EXPECT_NE(link.find("back=%2Frecord%3Fid%3D1"), std::string::npos) << link;
  EXPECT_EQ(link.find("sid%3D"), std::string::npos) << "the way back carries no session id";
  b.Get(link.substr(0, link.find("&sid=")));
  long status = 0;
  // The charset the Browser reads: the way back is the subject here.
  std::string back = b.Post("/charset", {{"to", phone() ? "sjis" : "utf8"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(back.find("<h1>" + title + "</h1>"), std::string::npos) << back;
}

}  // namespace
}  // namespace shiori::test
