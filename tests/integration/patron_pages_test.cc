// End-to-end tests of the staff side's patron pages (利用者) against the real
// server on a demo library: the search by name and by card (a list shows the
// last four digits, the patron's page the whole number), 新規登録 and its
// refusals, the 変更届, 利用停止 and its 解除 as the public site and the
// counter see them, カード再発行, ログイン制限の解除 after wrong passwords,
// and the audit of every action.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/integration/browser.h"
#include "tests/integration/staff_client.h"

namespace shiori::test {
namespace {

class PatronPages : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("patrons.db");
    ASSERT_TRUE(server_.Start({"--demo", "--db", db_})) << server_.startup_output();
    HttpResponse in = staff_.Login("madoguchi", "madoguchi-2026", "noda");
    ASSERT_EQ(in.status, 200) << in.body;
  }
  std::string Text(const std::string& sql) { return QueryText(db_, sql); }
  int64_t Int(const std::string& sql) { return QueryInt(db_, sql); }
  std::string Id(const std::string& card) {
    return Text("SELECT id FROM patrons WHERE card = '" + card + "'");
  }
  // The search for `q` (typed as UTF-8).
  HttpResponse Search(const std::string& q) { return staff_.Get("/staff/patrons?q=" + Hex(q)); }
  // The patron's page, opened as staff do: search by card, follow the link.
  HttpResponse Open(const std::string& card) {
    HttpResponse list = Search(card);
    std::smatch m;
    EXPECT_TRUE(std::regex_search(list.body, m, std::regex("href=\"(/staff/patron\\?id=\\d+)\"")))
        << list.body;
    return staff_.Get(m[1]);
  }
  // The public login: the page, and its status in `status`.
  std::string PublicLogin(Browser& b, const std::string& card, const std::string& pw,
                          long* status) {
    b.Get("/account");
    return b.Post("/account/login", {{"card", card}, {"password", pw}}, status);
  }
  static size_t Count(const std::string& s, const std::string& what) {
    size_t n = 0;
    for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
    return n;
  }
  // The results table of a search page ("" when none).
  static std::string TableOf(const std::string& page) {
    const size_t at = page.find("<table");
    return at == std::string::npos ? "" : page.substr(at, page.find("</table>") - at);
  }
  // The CSRF token of a page's forms.
  static std::string Token(const std::string& page) {
    std::smatch m;
    if (!std::regex_search(page, m, std::regex("name=\"_t\" value=\"([^\"]+)\""))) return "";
    return m[1];
  }
  static std::string Status(const std::string& page) {
    std::smatch m;
    if (!std::regex_search(page, m, std::regex("<p role=\"status\"[^>]*>([^<]*)</p>"))) return "";
    return m[1];
  }

  TempDir dir_;
  Server server_;
  std::string db_;
  StaffBrowser staff_{server_};
};

TEST_F(PatronPages, SearchByNameOrCardListsTheLastDigitsAndThePatronsPageTheWholeNumber) {
  HttpResponse empty = staff_.Get("/staff/patrons");
  ASSERT_EQ(empty.status, 200);
  EXPECT_EQ(Count(empty.body, "<h1>"), 1u);
  EXPECT_NE(empty.body.find("<h1>利用者</h1>"), std::string::npos);
  EXPECT_NE(empty.body.find("<a href=\"/staff/patrons\" aria-current=\"page\">利用者</a>"),
            std::string::npos)
      << "in the menu";
  EXPECT_NE(empty.body.find("<form action=\"/staff/patrons\" method=\"get\">"), std::string::npos);
  EXPECT_NE(empty.body.find("<label>カード番号または氏名（カナ） <input name=\"q\" type=\"text\" "
                            "value=\"\" autocomplete=\"off\" required autofocus>"),
            std::string::npos)
      << empty.body;
  EXPECT_NE(empty.body.find("href=\"/staff/patron/new\""), std::string::npos);
  EXPECT_NE(staff_.Get("/staff").body.find("<a href=\"/staff/patrons\">利用者</a>"),
            std::string::npos)
      << "on the dashboard";

  // A kana prefix, in katakana or hiragana.
  for (const std::string q : {"イズミ", "いず"}) {
    SCOPED_TRACE(q);
    HttpResponse r = Search(q);
    ASSERT_EQ(r.status, 200) << r.body;
    const std::string table = TableOf(r.body);
    EXPECT_NE(table.find("イズミ キョウコ"), std::string::npos) << r.body;
    EXPECT_NE(table.find("……0011"), std::string::npos);
    EXPECT_NE(table.find("中央図書館"), std::string::npos);
    EXPECT_NE(table.find("利用可"), std::string::npos);
    EXPECT_EQ(r.body.find("1000000011"), std::string::npos) << "never the whole number in a list";
    EXPECT_EQ(table.find("タカオノ"), std::string::npos);
  }
  // By card: the list still shows the last digits; its link opens the whole record.
  HttpResponse card = Search("1000000022");
  ASSERT_EQ(card.status, 200);
  const std::string table = TableOf(card.body);
  EXPECT_NE(table.find("タカオノ ケンジ"), std::string::npos) << card.body;
  EXPECT_NE(table.find("……0022"), std::string::npos);
  EXPECT_EQ(table.find("1000000022"), std::string::npos);
  HttpResponse page = Open("1000000022");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(Count(page.body, "<h1>"), 1u);
  EXPECT_NE(page.body.find("<h1>利用者の詳細</h1>"), std::string::npos);
  EXPECT_NE(page.body.find("<dd>1000000022</dd>"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<dd>0996-82-2222</dd>"), std::string::npos);
  EXPECT_NE(page.body.find("<dd>kenji.takaono@example.jp</dd>"), std::string::npos);
  EXPECT_NE(page.body.find("<dd>登録済み</dd>"), std::string::npos) << "a password";
  EXPECT_NE(page.body.find("延滞"), std::string::npos) << "the demo's overdue loan";
  EXPECT_NE(page.body.find("href=\"/staff/checkout?card=1000000022\""), std::string::npos);
  EXPECT_EQ(Count(page.body, "autofocus"), 1u);
  for (const char* action : {"change", "block", "replace", "unlock"}) {
    EXPECT_NE(page.body.find("<form action=\"/staff/patron/" + std::string(action) +
                             "\" method=\"post\"><input type=\"hidden\" name=\"_t\""),
              std::string::npos)
        << action;
  }
  EXPECT_EQ(page.body.find("/staff/patron/unblock"), std::string::npos) << "not blocked";
  EXPECT_NE(Open("1000000044").body.find("未登録"), std::string::npos) << "no password yet";

  // Nobody, and what cannot be a query.
  HttpResponse none = Search("ヲヲヲ");
  EXPECT_EQ(none.status, 200);
  EXPECT_NE(none.body.find("該当する利用者はいません"), std::string::npos) << none.body;
  HttpResponse bad = Search("abc");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(Status(bad.body).find("カタカナかひらがな"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("value=\"abc\""), std::string::npos) << "what was typed stays";
  EXPECT_EQ(staff_.Get("/staff/patron?id=999999").status, 404);
  EXPECT_EQ(staff_.Get("/staff/patron?id=x").status, 404);

  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_find' AND staff = 'madoguchi'"
                " AND branch = 'noda'"),
            7);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_find' AND card = '1000000022'"
                " AND outcome = 'ok'"),
            2);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_find' AND outcome <> 'ok'"), 1);
}

TEST_F(PatronPages, RegisterANewPatronAndADuplicateCardIsRefused) {
  HttpResponse form = staff_.Get("/staff/patron/new");
  ASSERT_EQ(form.status, 200);
  EXPECT_NE(form.body.find("<h1>新規登録</h1>"), std::string::npos);
  EXPECT_NE(form.body.find("<input name=\"card\" type=\"text\" value=\"\" autocomplete=\"off\" "
                           "required autofocus>"),
            std::string::npos)
      << form.body;
  EXPECT_NE(form.body.find("<option value=\"noda\" selected>野田図書館</option>"),
            std::string::npos)
      << "the branch of the session first";
  HttpResponse r = staff_.Post("/staff/patron/new", {{"card", "2000000077"},
                                                     {"name_kana", "ミナミ ハナコ"},
                                                     {"phone", "0996-11-2222"},
                                                     {"email", ""},
                                                     {"home_branch", "takaono"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Status(r.body).find("登録しました"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<h1>利用者の詳細</h1>"), std::string::npos);
  EXPECT_NE(r.body.find("<dd>2000000077</dd>"), std::string::npos);
  EXPECT_NE(r.body.find("<dd>高尾野図書館</dd>"), std::string::npos);
  EXPECT_EQ(Text("SELECT name_kana || '|' || phone || '|' || ifnull(email, '') || '|' ||"
                 " home_branch || '|' || status || '|' || (password_hash IS NULL)"
                 " FROM patrons WHERE card = '2000000077'"),
            "ミナミ ハナコ|0996-11-2222||takaono|active|1");
  EXPECT_NE(TableOf(Search("ミナミ").body).find("……0077"), std::string::npos);

  // The same card again: refused, the form shown back as typed.
  staff_.Get("/staff/patron/new");
  r = staff_.Post("/staff/patron/new", {{"card", "2000000077"},
                                        {"name_kana", "ヒガシ タロウ"},
                                        {"phone", "0996-11-3333"},
                                        {"email", "taro@example.jp"},
                                        {"home_branch", "chuo"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(Status(r.body), "カード番号はすでに登録されています。") << r.body;
  EXPECT_NE(r.body.find("<h1>新規登録</h1>"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"ヒガシ タロウ\""), std::string::npos);
  EXPECT_NE(r.body.find("value=\"taro@example.jp\""), std::string::npos);
  EXPECT_NE(r.body.find("<option value=\"chuo\" selected>"), std::string::npos);
  // A name not in kana, and a replaced number: refused too.
  r = staff_.Post("/staff/patron/new", {{"card", "2000000088"},
                                        {"name_kana", "Taro"},
                                        {"phone", "0996-11-3333"},
                                        {"email", ""},
                                        {"home_branch", "chuo"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Status(r.body).find("氏名"), std::string::npos) << r.body;
  EXPECT_EQ(Int("SELECT count(*) FROM patrons WHERE card IN ('2000000088')"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM patrons WHERE name_kana = 'ヒガシ タロウ'"), 0);

  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_register' AND outcome = 'ok'"
                " AND card = '2000000077' AND staff = 'madoguchi'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_register' AND outcome ="
                " 'カード番号はすでに登録されています。'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_register'"), 3);
}

TEST_F(PatronPages, TheChangeFormChangesPhoneAndEmail) {
  HttpResponse page = Open("1000000033");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<input name=\"name_kana\" type=\"text\" value=\"ノダ ショウタ\" "
                           "autocomplete=\"off\" required autofocus>"),
            std::string::npos)
      << "the 変更届 takes the focus: " << page.body;
  const std::string id = Id("1000000033");
  HttpResponse r = staff_.Post("/staff/patron/change", {{"name_kana", "ノダ ショウタ"},
                                                        {"phone", "0996-84-9999"},
                                                        {"email", "shota@example.jp"},
                                                        {"home_branch", "noda"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Status(r.body), "変更届を受け付けました。");
  EXPECT_EQ(Text("SELECT phone || '|' || email FROM patrons WHERE id = " + id),
            "0996-84-9999|shota@example.jp");
  EXPECT_NE(r.body.find("<dd>0996-84-9999</dd>"), std::string::npos);
  EXPECT_EQ(Text("SELECT detail FROM audit WHERE action = 'patron_change' ORDER BY id LIMIT 1"),
            "電話番号 0996-84-3333 → 0996-84-9999 / メールアドレス なし → shota@example.jp");
  EXPECT_EQ(Text("SELECT card FROM audit WHERE action = 'patron_change'"), "1000000033");

  // A bad address: refused, nothing changed, what was typed shown back.
  r = staff_.Post("/staff/patron/change", {{"name_kana", "ノダ ショウタ"},
                                           {"phone", "0996-84-1234"},
                                           {"email", "not an address"},
                                           {"home_branch", "noda"}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_NE(Status(r.body).find("メールアドレス"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("value=\"not an address\""), std::string::npos);
  EXPECT_EQ(Text("SELECT phone FROM patrons WHERE id = " + id), "0996-84-9999");
  // Another patron's id in the form changes that patron only: the id is what
  // names the patron, and the card is never the form's.
  const std::string other = Id("1000000044");
  r = staff_.Post("/staff/patron/change", {{"id", other},
                                           {"card", "1000000033"},
                                           {"name_kana", "キリシマ ミホ"},
                                           {"phone", "0996-63-4445"},
                                           {"email", ""},
                                           {"home_branch", "chuo"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(Text("SELECT card || '|' || phone FROM patrons WHERE id = " + other),
            "1000000044|0996-63-4445");
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_change'"), 3);
}

TEST_F(PatronPages, ABlockedPatronCannotLogInOrBorrowUntilUnblocked) {
  Browser before(server_, false);
  long status = 0;
  PublicLogin(before, "1000000033", "hon4649", &status);
  ASSERT_EQ(status, 200);

  Open("1000000033");
  // A reason is required.
  HttpResponse r = staff_.Post("/staff/patron/block", {{"reason", "  "}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Status(r.body), "利用停止の理由を入力してください。") << r.body;
  EXPECT_NE(r.body.find("<input name=\"reason\" type=\"text\" value=\"\" autocomplete=\"off\" "
                        "required autofocus>"),
            std::string::npos)
      << "the refused form takes the focus";
  r = staff_.Post("/staff/patron/block", {{"reason", "延滞\x1B[31m"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Text("SELECT status FROM patrons WHERE card = '1000000033'"), "active");
  r = staff_.Post("/staff/patron/block", {{"reason", "長期延滞"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Status(r.body).find("利用停止にしました"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("利用停止中（理由: 長期延滞）"), std::string::npos);
  EXPECT_NE(r.body.find("/staff/patron/unblock"), std::string::npos);
  EXPECT_EQ(r.body.find("action=\"/staff/patron/block\""), std::string::npos);
  EXPECT_EQ(Text("SELECT status || '|' || block_reason FROM patrons WHERE card = '1000000033'"),
            "blocked|長期延滞");

  // The public site: logged out, and the login refused.
  EXPECT_NE(before.Get("/account/holds").find("ログインしてください"), std::string::npos);
  Browser b(server_, false);
  std::string page = PublicLogin(b, "1000000033", "hon4649", &status);
  EXPECT_NE(status, 200);
  EXPECT_NE(page.find("カウンター"), std::string::npos) << page;
  // 貸出 says so; the list too.
  HttpResponse checkout = staff_.Get("/staff/checkout?card=1000000033");
  EXPECT_NE(checkout.body.find("利用停止中"), std::string::npos) << checkout.body;
  EXPECT_NE(TableOf(Search("ノダ").body).find("利用停止中"), std::string::npos);
  // Blocked twice: refused (the page offers no such form; a stale one would).
  const std::string id = Id("1000000033");
  const std::string token = Token(Open("1000000033").body);
  EXPECT_EQ(staff_.PostRaw("/staff/patron/block", "id=" + id + "&reason=x").status, 403)
      << "without the token";
  r = staff_.PostRaw("/staff/patron/block", "_t=" + token + "&id=" + id + "&reason=x");
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(Status(r.body).find("利用停止中"), std::string::npos) << r.body;
  EXPECT_EQ(Text("SELECT block_reason FROM patrons WHERE id = " + id), "長期延滞");
  Open("1000000033");

  r = staff_.Post("/staff/patron/unblock");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Status(r.body).find("利用停止を解除しました"), std::string::npos);
  EXPECT_EQ(Text("SELECT status || '|' || ifnull(block_reason, '') FROM patrons"
                 " WHERE card = '1000000033'"),
            "active|");
  PublicLogin(b, "1000000033", "hon4649", &status);
  EXPECT_EQ(status, 200);
  // Unblocked twice: refused with the patron's page.
  r = staff_.PostRaw("/staff/patron/unblock", "_t=" + token + "&id=" + id);
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("<h1>利用者の詳細</h1>"), std::string::npos) << r.body;
  // An id nobody has: 404, audited.
  r = staff_.PostRaw("/staff/patron/unblock", "_t=" + token + "&id=999999");
  EXPECT_EQ(r.status, 404);

  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_block' AND outcome = 'ok'"
                " AND card = '1000000033' AND detail = '理由 長期延滞'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_block' AND outcome <> 'ok'"), 3);
  EXPECT_EQ(Text("SELECT detail FROM audit WHERE action = 'patron_block' AND outcome <> 'ok'"
                 " AND detail IS NOT NULL ORDER BY id LIMIT 1"),
            "理由 延滞[31m")
      << "what was typed, without its control characters";
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE instr(detail, char(27)) > 0"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_unblock'"), 3);
  EXPECT_EQ(Text("SELECT detail FROM audit WHERE action = 'patron_unblock' AND outcome = 'ok'"),
            "解除前の理由 長期延滞");
}

TEST_F(PatronPages, AReplacedCardsOldNumberPointsToTheNewOneWhichLogsInWithTheOldPassword) {
  const std::string id = Id("1000000055");
  Open("1000000055");
  // A number in use: refused, shown back.
  HttpResponse r = staff_.Post("/staff/patron/replace", {{"new_card", "1000000011"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_NE(r.body.find("<input name=\"new_card\" type=\"text\" value=\"1000000011\" "
                        "autocomplete=\"off\" required autofocus>"),
            std::string::npos)
      << r.body;
  r = staff_.Post("/staff/patron/replace", {{"new_card", "1000000066"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Status(r.body).find("再発行しました"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<dd>1000000066</dd>"), std::string::npos);
  EXPECT_EQ(Text("SELECT card FROM patrons WHERE id = " + id), "1000000066");

  // The old number at 利用者: 再発行済み, and a link to the patron under the new card.
  HttpResponse old = Search("1000000055");
  ASSERT_EQ(old.status, 200);
  EXPECT_NE(Status(old.body).find("このカードは再発行済みです"), std::string::npos) << old.body;
  const std::string table = TableOf(old.body);
  EXPECT_NE(table.find("href=\"/staff/patron?id=" + id + "\""), std::string::npos) << old.body;
  EXPECT_NE(table.find("……0066"), std::string::npos);
  EXPECT_NE(staff_.Get("/staff/checkout?card=1000000055").body.find("再発行済み"),
            std::string::npos);

  Browser d(server_, false);
  long status = 0;
  PublicLogin(d, "1000000055", "satsuma5", &status);
  EXPECT_NE(status, 200);
  PublicLogin(d, "1000000066", "satsuma5", &status);
  EXPECT_EQ(status, 200);

  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_replace' AND outcome = 'ok'"
                " AND card = '1000000055' AND detail = '新しいカード番号 1000000066'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_replace' AND outcome <> 'ok'"),
            1);
}

TEST_F(PatronPages, UnlockAfterFiveWrongPasswordsLetsTheRightOneInAtOnce) {
  Browser owner(server_, false);
  long status = 0;
  for (int i = 0; i < 5; ++i) PublicLogin(owner, "1000000011", "neko" + std::to_string(i), &status);
  std::string locked = PublicLogin(owner, "1000000011", "neko2026", &status);
  ASSERT_EQ(status, 403);
  EXPECT_NE(locked.find("15分"), std::string::npos) << locked;

  Open("1000000011");
  // The card unlocked is the patron row's: a card in the form changes nothing.
  HttpResponse r = staff_.Post("/staff/patron/unlock", {{"card", "1000000022"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(Status(r.body).find("ログイン制限を解除しました"), std::string::npos) << r.body;
  std::string home = PublicLogin(owner, "1000000011", "neko2026", &status);
  EXPECT_EQ(status, 200) << home;
  EXPECT_NE(home.find("貸出中一覧"), std::string::npos);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'patron_unlock' AND outcome = 'ok'"
                " AND card = '1000000011' AND staff = 'madoguchi'"),
            1);

  // Every action of this page has its name in 操作記録.
  StaffBrowser admin(server_);
  ASSERT_EQ(admin.Login("kanri", "kanri-demo-2026", "chuo").status, 200);
  HttpResponse audit = admin.Get("/staff/audit");
  EXPECT_NE(audit.body.find("<td>ログイン制限の解除</td><td>……0011</td>"), std::string::npos)
      << audit.body;
  EXPECT_NE(audit.body.find("<td>利用者の検索</td>"), std::string::npos);
}

}  // namespace
}  // namespace shiori::test
