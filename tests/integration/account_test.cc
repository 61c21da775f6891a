// End-to-end tests of 利用照会 through the real server: registration from a
// cookie-less feature phone and a PC with the guide's name troubles, login
// with a full-width password, lockout, password change, e-mail, the lists.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <regex>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

class Account : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("a.db")}))
        << server_->startup_output();
    CommandResult r =
        RunShiori({"patron", "add", "--card", "2000000777", "--name-kana", "イズミ キョウコ",
                   "--phone", "0996-63-7777", "--db", dir_->File("a.db")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static std::string Register(Browser& b, const std::string& card, const std::string& name,
                              const std::string& phone, const std::string& pw, long* status) {
    b.Get("/account/register");
    return b.Post("/account/register",
                  {{"card", card},
                   {"name", name},
                   {"phone", phone},
                   {"password", pw},
                   {"password2", pw},
                   {"email", ""}},
                  status);
  }
  static std::string Login(Browser& b, const std::string& card, const std::string& pw,
                           long* status) {
    b.Get("/account");
    return b.Post("/account/login", {{"card", card}, {"password", pw}}, status);
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* Account::dir_ = nullptr;
Server* Account::server_ = nullptr;

TEST_F(Account, RegistersWithTheNameTypedAsAPatronWould) {
  struct Case {
    bool phone;
    const char* name;
    const char* phone_number;
  } cases[] = {
      {true, "いずみきょうこ",
       "０９９６６３７７７７"},              // cookie-less docomo, hiragana, full-width digits
      {false, "ｲｽﾞﾐ ｷｮｳｺ", "0996-63-7777"},  // PC, half-width katakana
      {false, "イズミ キヨウコ", "(0996)63-7777"},  // large ヨ, as the guide suggests
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Browser b(*server_, c.phone);
    long status = 0;
    std::string page = Register(b, "2000000777", c.name, c.phone_number, "Neko123", &status);
    EXPECT_EQ(status, 200);
    EXPECT_NE(page.find("パスワードを登録しました"), std::string::npos) << page;
  }
}

TEST_F(Account, AMismatchNeverSaysWhichFieldWasWrong) {
  Browser b(*server_, false);
  long s1 = 0, s2 = 0;
  std::string wrong_phone =
      Register(b, "2000000777", "イズミ キョウコ", "0996-63-0000", "Neko123", &s1);
  std::string wrong_name =
      Register(b, "2000000777", "イズミ ハナコ", "0996-63-7777", "Neko123", &s2);
  EXPECT_EQ(s1, 403);
  EXPECT_EQ(s2, 403);
  std::smatch m1, m2;
  ASSERT_TRUE(
      std::regex_search(wrong_phone, m1, std::regex("<p role=\"alert\"><strong>([^<]*)</strong>")));
  ASSERT_TRUE(
      std::regex_search(wrong_name, m2, std::regex("<p role=\"alert\"><strong>([^<]*)</strong>")));
  EXPECT_EQ(std::string(m1[1]), std::string(m2[1])) << "the same words whatever was wrong";
  EXPECT_EQ(std::string(m1[1]).find("電話番号が"), std::string::npos);
  EXPECT_NE(std::string(m1[1]).find("カウンター"), std::string::npos) << "the guide's advice";
}

TEST_F(Account, FullWidthPasswordLogsInAndTheSessionIdChangesAtLogin) {
  Browser b(*server_, true);
  long status = 0;
  Register(b, "1000000044", "きりしま みほ", "0996634444", "Abc123", &status);
  ASSERT_EQ(status, 200);
  b.Get("/account");
  const std::string before = b.sid();
  ASSERT_EQ(before.size(), 32u);
  std::string home = b.Post(
      "/account/login", {{"card", "１０００００００４４"}, {"password", "Ａｂｃ１２３"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(home.find("貸出中一覧"), std::string::npos) << home;
  EXPECT_NE(b.sid(), before) << "a new id at login";
  EXPECT_EQ(b.sid().size(), 32u);
  // The old id is worth nothing now.
  HttpResponse old = server_->Get("/account/loans?sid=" + before,
                                  {"User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)"});
  EXPECT_EQ(old.status, 401);
}

// A stranger who types five wrong passwords for someone's card locks his own
// session, not the patron: she logs in from her own browser at once.
TEST_F(Account, WrongPasswordsLockTheSessionThatTypedThemNotThePatron) {
  Browser b(*server_, false);
  long status = 0;
  Register(b, "1000000055", "サツマ ジュンイチ", "090-1234-5555", "satsuma5", &status);
  ASSERT_EQ(status, 200);
  Browser attacker(*server_, false);
  for (int i = 0; i < 5; ++i) {
    std::string page = Login(attacker, "1000000055", "wrong" + std::to_string(i), &status);
    EXPECT_EQ(status, 403);
    EXPECT_NE(page.find("カード番号またはパスワードが違います"), std::string::npos);
  }
  std::string locked = Login(attacker, "1000000055", "satsuma5", &status);
  EXPECT_EQ(status, 403) << "the guessing session is refused even with the right password";
  EXPECT_NE(locked.find("15分"), std::string::npos) << locked;
  Browser owner(*server_, false);
  std::string home = Login(owner, "1000000055", "satsuma5", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(home.find("貸出中一覧"), std::string::npos) << "the patron is not locked out: " << home;
}

// Her own mistypes lock her own browser; staff let her in again at once.
TEST_F(Account, StaffUnlockLetsAPatronLockedByHerOwnMistypesInAtOnce) {
  long status = 0;
  Browser owner(*server_, false);
  for (int i = 0; i < 5; ++i) Login(owner, "1000000055", "satsuma" + std::to_string(i), &status);
  std::string locked = Login(owner, "1000000055", "satsuma5", &status);
  ASSERT_EQ(status, 403);
  EXPECT_NE(locked.find("15分"), std::string::npos) << locked;
  CommandResult r = RunShiori({"patron", "unlock", "1000000055", "--db", dir_->File("a.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("card ...0055: unlocked"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("1000000055"), std::string::npos) << "only the last digits are shown";
  std::string home = Login(owner, "1000000055", "satsuma5", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(home.find("貸出中一覧"), std::string::npos) << "logged in: " << home;
  CommandResult unknown = RunShiori({"patron", "unlock", "1000000999", "--db", dir_->File("a.db")});
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("no patron has this card number"), std::string::npos) << unknown.err;
}

// Password spraying replayed: one guess per card, a fresh session each time,
// all from one client address (behind the library's reverse proxy, which
// names it in X-Forwarded-For).
TEST(AccountSpraying, OneAddressIsRefusedAfterItsFailuresAcrossCards) {
  TempDir dir;
  const std::string conf = dir.File("s.toml");
  {
    std::ofstream f(conf);
    f << "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n"
         "[passwords]\nsource_max_failures = 8\nsource_window_minutes = 10\n";
  }
  Server server;
  ASSERT_TRUE(server.Start({"--demo", "--config", conf, "--db", dir.File("s.db")}))
      << server.startup_output();
  auto attempt = [&](const std::string& card, const std::string& password,
                     const std::string& from) {
    const std::string pc = "User-Agent: Mozilla/5.0 (Windows NT 10.0) Firefox/120.0";
    HttpResponse form = server.Get("/account", {pc, "X-Forwarded-For: " + from});
    std::smatch v, t;
    std::string cookies = form.Header("set-cookie");
    EXPECT_TRUE(std::regex_search(cookies, v, std::regex("v=([0-9a-f]{32})"))) << cookies;
    EXPECT_TRUE(std::regex_search(form.body, t, std::regex("name=\"_t\" value=\"([^\"]+)\"")));
    return server.Post("/account/login",
                       "_t=" + std::string(t[1]) + "&card=" + card + "&password=" + password,
                       {pc, "Cookie: v=" + std::string(v[1]), "X-Forwarded-For: 198.51.100.9, " + from});
  };
  for (int i = 0; i < 8; ++i) {
    HttpResponse r = attempt("20000000" + std::to_string(10 + i), "hon4649", "203.0.113.5");
    EXPECT_EQ(r.status, 403);
    EXPECT_NE(r.body.find("カード番号またはパスワードが違います"), std::string::npos);
  }
  HttpResponse refused = attempt("1000000033", "hon4649", "203.0.113.5");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("この接続元からの入力の誤りが多いため"), std::string::npos)
      << "refused before the password is looked at, even the right one";
  HttpResponse other = attempt("1000000033", "hon4649", "203.0.113.77");
  EXPECT_EQ(other.status, 303) << "another client behind the same proxy logs in";
}

// A visitor's cookies are Secure when the library's proxy says the client
// came over HTTPS, and only then: the same header sent straight to shiori
// (or from a proxy not listed) changes nothing.
TEST(ForwardedProto, OnlyATrustedProxyMakesCookiesSecure) {
  TempDir dir;
  const std::string conf = dir.File("s.toml");
  {
    std::ofstream f(conf);
    f << "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n";
  }
  const std::string pc = "User-Agent: Mozilla/5.0 (Windows NT 10.0) Firefox/120.0";
  for (const bool trusted : {false, true}) {
    SCOPED_TRACE(trusted ? "127.0.0.1 listed" : "no proxy listed");
    Server server;
    std::vector<std::string> args = {"--demo", "--db", dir.File(trusted ? "t.db" : "u.db")};
    if (trusted) args.insert(args.end(), {"--config", conf});
    ASSERT_TRUE(server.Start(args)) << server.startup_output();
    HttpResponse https = server.Get("/account", {pc, "X-Forwarded-Proto: https"});
    const std::string cookies = https.Header("set-cookie");
    ASSERT_NE(cookies.find("v="), std::string::npos) << cookies;
    EXPECT_EQ(cookies.find("; Secure") != std::string::npos, trusted) << cookies;
    HttpResponse http = server.Get("/account", {pc, "X-Forwarded-Proto: http"});
    EXPECT_EQ(http.Header("set-cookie").find("; Secure"), std::string::npos);
  }
}

TEST_F(Account, PasswordChangeEndsOtherSessionsAndTheOldPasswordStopsWorking) {
  Browser pc(*server_, false), phone(*server_, true);
  long status = 0;
  Login(pc, "1000000022", "Tsuru77", &status);
  ASSERT_EQ(status, 200);
  Login(phone, "1000000022", "Tsuru77", &status);
  ASSERT_EQ(status, 200);
  pc.Get("/account/password");
  std::string done =
      pc.Post("/account/password",
              {{"current", "Tsuru77"}, {"password", "Kame88"}, {"password2", "Kame88"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(done.find("パスワードを変更しました"), std::string::npos);
  EXPECT_EQ(QueryText(dir_->File("a.db"),
                      "SELECT detail FROM outbox o JOIN patrons p ON p.id = o.patron_id"
                      " WHERE p.card = '1000000022' AND o.kind = 'password_changed'"),
            "pc")
      << "a security notice, with the device class, in the same transaction";
  phone.Get("/account/loans", &status);
  EXPECT_EQ(status, 401) << "the phone's session ended";
  pc.Get("/account/loans", &status);
  EXPECT_EQ(status, 200) << "the changing session stays";
  Browser again(*server_, false);
  Login(again, "1000000022", "Tsuru77", &status);
  EXPECT_EQ(status, 403);
  Login(again, "1000000022", "Kame88", &status);
  EXPECT_EQ(status, 200);
}

TEST_F(Account, ListsShowLoansHoldsAndReadyHoldsAsTheGuideDescribes) {
  Browser b(*server_, true);
  long status = 0;
  Login(b, "1000000011", "neko2026", &status);
  ASSERT_EQ(status, 200);
  std::string loans = b.Get("/account/loans", &status);
  EXPECT_EQ(status, 200);
  EXPECT_TRUE(std::regex_search(
      loans, std::regex("返却期限 [0-9]+月[0-9]+日\\((日|月|火|水|木|金|土)\\)")));
  EXPECT_NE(loans.find("坊っちゃん"), std::string::npos);
  std::string holds = b.Get("/account/holds", &status);
  EXPECT_NE(holds.find("2番目"), std::string::npos) << holds;
  EXPECT_NE(holds.find("連絡方法 メール"), std::string::npos);
  std::string ready = b.Get("/account/ready", &status);
  EXPECT_TRUE(std::regex_search(ready, std::regex("取置期限 [0-9]+月[0-9]+日")));
  EXPECT_NE(ready.find("利用者カード"), std::string::npos) << "bring the card";

  Browser other(*server_, false);
  Login(other, "1000000033", "hon4649", &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(other.Get("/account/holds").find("1番目"), std::string::npos);
}

TEST_F(Account, OverdueAndReservedLoansAreMarked) {
  Browser b(*server_, false);
  long status = 0;
  // Card 1000000022 changed its password in another test; register a fresh one first.
  Register(b, "1000000022", "タカオノ ケンジ", "0996-82-2222", "Kaeru99", &status);
  ASSERT_EQ(status, 200);
  Login(b, "1000000022", "Kaeru99", &status);
  ASSERT_EQ(status, 200);
  std::string loans = b.Get("/account/loans");
  EXPECT_NE(loans.find("<strong>延滞</strong>"), std::string::npos);
  EXPECT_NE(loans.find("<strong>予約あり</strong>"), std::string::npos);
}

TEST_F(Account, OwnPagesNeedALogin) {
  for (const char* path : {"/account/loans", "/account/holds", "/account/ready",
                           "/account/password", "/account/email"}) {
    SCOPED_TRACE(path);
    HttpResponse r = server_->Get(path, {"User-Agent: Mozilla/5.0"});
    EXPECT_EQ(r.status, 401);
    EXPECT_NE(r.body.find("ログインしてください"), std::string::npos);
  }
}

TEST_F(Account, EmailChangeAcceptsOldCarrierAddressesAndWarnsBeforeRemoval) {
  Browser b(*server_, false);
  long status = 0;
  Login(b, "1000000011", "neko2026", &status);
  ASSERT_EQ(status, 200);
  const std::string db = dir_->File("a.db");
  const std::string email_now = "SELECT email FROM patrons WHERE card = '1000000011'";
  std::string form = b.Get("/account/email");
  EXPECT_NE(form.find("yoyaku@izumi-library.jp"), std::string::npos) << "the 指定受信 note";
  std::string bad = b.Post("/account/email", {{"email", "a@b"}}, &status);
  EXPECT_EQ(status, 400);
  b.Get("/account/email");
  std::string sent = b.Post("/account/email", {{"email", "taro..yamada.@docomo.ne.jp"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(sent.find("確認のメールを taro..yamada.@docomo.ne.jp に送りました"), std::string::npos)
      << sent;
  EXPECT_NE(sent.find("設定後もメールが届かない場合は、メールアドレスの誤りの可能性があるので、"
                      "再度手続きをしてください"),
            std::string::npos)
      << "the guide's advice";
  EXPECT_EQ(QueryText(db, email_now), "kyoko.izumi@docomo.ne.jp") << "not before it is confirmed";
  // The link as the mail waiting in the outbox carries it.
  const std::string code =
      QueryText(db,
                "SELECT detail FROM outbox WHERE kind = 'email_confirm' AND status = 'pending'"
                " AND to_address = 'taro..yamada.@docomo.ne.jp'");
  ASSERT_EQ(code.size(), 20u);
  std::string confirm = b.Get("/account/email/confirm?c=" + code, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(confirm.find("taro..yamada.@docomo.ne.jp"), std::string::npos) << confirm;
  EXPECT_EQ(QueryText(db, email_now), "kyoko.izumi@docomo.ne.jp")
      << "opening the link changes nothing";
  std::string done = b.Post("/account/email/confirm", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(done.find("変更しました"), std::string::npos) << done;
  EXPECT_EQ(QueryText(db, email_now), "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM outbox WHERE kind = 'email_changed'"
                     " AND to_address = 'kyoko.izumi@docomo.ne.jp' AND detail = 'old'"),
            1)
      << "the old address is told";
  b.Get("/account/email/confirm?c=" + code, &status);
  EXPECT_EQ(status, 410) << "a link works once";
  // Only spaces, full-width ones (what a Japanese keyboard types) included,
  // is no address: asked first like an empty field, nothing changed.
  for (const char* blank : {"\xE3\x80\x80", " \xE3\x80\x80\xE3\x80\x80 "}) {
    SCOPED_TRACE(blank);
    b.Get("/account/email");
    std::string page = b.Post("/account/email", {{"email", blank}}, &status);
    EXPECT_EQ(status, 200);
    EXPECT_NE(page.find("連絡不要"), std::string::npos) << page;
    EXPECT_EQ(page.find("変更しました"), std::string::npos) << page;
    EXPECT_EQ(QueryText(db, email_now), "taro..yamada.@docomo.ne.jp");
  }
  b.Get("/account/email");
  std::string ask = b.Post("/account/email", {{"email", ""}}, &status);
  EXPECT_NE(ask.find("連絡不要"), std::string::npos) << "holds waiting for mail are named first";
  std::string removed = b.Post("/account/email", {}, &status);
  EXPECT_NE(removed.find("登録を消しました"), std::string::npos) << removed;
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM outbox WHERE kind = 'email_changed'"
                     " AND to_address = 'taro..yamada.@docomo.ne.jp' AND detail = 'old'"),
            1)
      << "a removal tells the address removed";
}

// A patron without an address asks for one: her holds may use mail only
// once the address is confirmed from its mailbox.
TEST_F(Account, HoldsUseANewAddressOnlyOnceItIsConfirmed) {
  const std::string db = dir_->File("a.db");
  const std::string hold = std::to_string(
      QueryInt(db, "SELECT h.id FROM holds h JOIN patrons p ON p.id = h.patron_id"
                   " WHERE p.card = '1000000033' AND h.status = 'waiting' ORDER BY h.id LIMIT 1"));
  Browser b(*server_, false);
  long status = 0;
  Login(b, "1000000033", "hon4649", &status);
  ASSERT_EQ(status, 200);
  b.Get("/account/email");
  b.Post("/account/email", {{"email", "shota@example.jp"}}, &status);
  ASSERT_EQ(status, 200);
  std::string detail = b.Get("/account/hold?id=" + hold);
  EXPECT_EQ(detail.find("<option value=\"mail\""), std::string::npos) << detail;
  std::string refused = b.Post("/account/holds/contact", {{"contact", "mail"}}, &status);
  EXPECT_EQ(status, 409) << refused;
  const std::string code = QueryText(
      db, "SELECT o.detail FROM outbox o JOIN patrons p ON p.id = o.patron_id"
          " WHERE p.card = '1000000033' AND o.kind = 'email_confirm' AND o.status = 'pending'");
  ASSERT_EQ(code.size(), 20u);
  b.Get("/account/email/confirm?c=" + code);
  b.Post("/account/email/confirm", {}, &status);
  ASSERT_EQ(status, 200);
  detail = b.Get("/account/hold?id=" + hold);
  EXPECT_NE(detail.find("<option value=\"mail\""), std::string::npos) << detail;
  std::string changed = b.Post("/account/holds/contact", {{"contact", "mail"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(changed.find("連絡方法を変えました"), std::string::npos) << changed;
}

TEST_F(Account, NoPasswordOrCardNumberInTheDatabaseOrTheLog) {
  const std::string log = server_->Stderr();
  for (const char* secret :
       {"Neko123", "Abc123", "satsuma5", "neko2026", "1000000011", "2000000777"}) {
    EXPECT_EQ(log.find(secret), std::string::npos) << secret;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open_v2(dir_->File("a.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr),
            SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(
                db,
                "SELECT count(*) FROM patrons WHERE password_hash LIKE '%Neko123%'"
                " OR password_hash LIKE '%Abc123%' OR password_hash NOT LIKE '$argon2id$%'",
                -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
}

// The database locked by another writer (a long import, a backup) while a
// patron logs in: the generic page in the device's charset, 503 with a retry
// time, never SQLite's own words and never a login refusal; once the lock is
// gone the same login works.
TEST_F(Account, ALockedDatabaseDuringLoginShowsTheGenericPage) {
  for (bool phone : {false, true}) {
    SCOPED_TRACE(phone ? "docomo" : "PC");
    Browser b(*server_, phone);
    b.Get("/account");  // the login form, with its session
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(dir_->File("a.db").c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "BEGIN EXCLUSIVE", nullptr, nullptr, nullptr), SQLITE_OK);
    long status = 0;
    std::string page =
        b.Post("/account/login", {{"card", "1000000033"}, {"password", "hon4649"}}, &status);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    EXPECT_EQ(status, 503);
    EXPECT_NE(page.find("混み合っています"), std::string::npos) << page;
    for (const char* leak : {"locked", "database", "SQLite", "sqlite", "カード番号またはパスワード"}) {
      EXPECT_EQ(page.find(leak), std::string::npos) << leak << ": " << page;
    }
    b.Get("/account");
    b.Post("/account/login", {{"card", "1000000033"}, {"password", "hon4649"}}, &status);
    EXPECT_EQ(status, 200) << "the lock gone, the login works";
  }
}

// Login CSRF: an attacker's own session id and token, posted from the
// attacker's page by the victim's browser, must not log the victim into the
// attacker's account. A device with cookies takes its session from the cookie only.
TEST_F(Account, AnotherSessionsIdInAFormOrUrlIsIgnoredOnDevicesWithCookies) {
  const char* kPc =
      "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
      "Gecko) Chrome/120.0.0.0 Safari/537.36";
  const char* kIphone =
      "User-Agent: Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
      "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1";
  for (const char* ua : {kPc, kIphone}) {
    SCOPED_TRACE(ua);
    // The attacker's session, made from the attacker's own browser (a cart).
    Browser own_browser(*server_, false, std::string(ua).substr(12));
    own_browser.Get("/record?id=1");
    own_browser.Post("/cart/add", {});
    const std::string attacker_sid = own_browser.cookie();
    ASSERT_EQ(attacker_sid.size(), 32u);
    own_browser.Get("/account");
    std::smatch t;
    ASSERT_TRUE(std::regex_search(own_browser.last_page(), t,
                                  std::regex("name=\"_t\" value=\"([0-9a-f]{32})\"")));
    const std::string attacker_token = t[1];
    ASSERT_FALSE(attacker_token.empty());

    // The victim's browser posts the attacker's form: no cookie of the victim's goes with
    // a cross-site POST (SameSite=Lax), only the fields.
    HttpResponse forged = server_->Post(
        "/account/login",
        "sid=" + attacker_sid + "&_t=" + attacker_token + "&card=1000000033&password=hon4649",
        {ua});
    EXPECT_EQ(forged.status, 403);
    EXPECT_EQ(forged.Header("set-cookie").find("sid="), std::string::npos) << "nobody logged in";

    // A URL id is no session either.
    HttpResponse by_url = server_->Get("/account/loans?sid=" + attacker_sid, {ua});
    EXPECT_EQ(by_url.status, 401) << "the login page, not the attacker's account";

    // The attacker's own browser (the cookie) still works as before.
    HttpResponse own = server_->Post("/account/login",
                                     "_t=" + attacker_token + "&card=1000000033&password=hon4649",
                                     {ua, "Cookie: sid=" + attacker_sid});
    EXPECT_EQ(own.status, 303) << own.body;
  }
}


// A crawler that keeps no cookies reads page after page: nothing is written
// for it. The session row appears with the first state change.
TEST_F(Account, ReadingPagesWritesNoSessionRows) {
  auto count = [&] {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open(dir_->File("a.db").c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT count(*) FROM sessions", -1, &st, nullptr);
    sqlite3_step(st);
    const int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
  };
  const int before = count();
  for (const char* ua : {"User-Agent: Mozilla/5.0 (Windows NT 10.0) Firefox/120.0",
                         "User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)",
                         "User-Agent: SoftBank/1.0/910T/TJ001 Browser/NetFront/3.3"}) {
    for (int i = 0; i < 10; ++i) {
      for (const char* path : {"/account", "/search?q=%E7%8C%AB", "/record?id=1", "/charset",
                               "/account/register", "/cart", "/account/loans"}) {
        HttpResponse r = server_->Get(path, {ua});
        EXPECT_TRUE(r.status == 200 || r.status == 401) << path << " " << r.status;
        EXPECT_EQ(r.Header("set-cookie").find("sid="), std::string::npos) << path;
      }
    }
  }
  EXPECT_EQ(count(), before) << "no row for 210 reads";
  // The first 「カートに入れる」 makes one.
  Browser b(*server_, false);
  b.Get("/record?id=1");
  long status = 0;
  b.Post("/cart/add", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(b.cookie().size(), 32u);
  EXPECT_EQ(count(), before + 1);
}

}  // namespace
}  // namespace shiori::test
