// End-to-end tests of the back office's patron commands on the demo library
// while the server runs: `patron find`, `block`, `unblock` and `replace`
// through the real binary (one line each, cards by their last digits, an
// audit row each), and what patrons then see: a blocked card's 新規パスワード登録
// and login, the old number of a replaced card refused, the new one logging
// in to the same loans.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

class PatronAdmin : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("p.db")}))
        << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static CommandResult Staff(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(dir_->File("p.db"));
    return RunShiori(args);
  }
  static std::string Db() { return dir_->File("p.db"); }
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
  // The alert a refused form shows.
  static std::string Alert(const std::string& page) {
    std::smatch m;
    return std::regex_search(page, m, std::regex("<p role=\"alert\"><strong>([^<]*)</strong>"))
               ? std::string(m[1])
               : "";
  }
  static int64_t AuditRows(const std::string& action, const std::string& card,
                           const std::string& outcome) {
    return QueryInt(Db(), "SELECT count(*) FROM audit WHERE action = '" + action +
                              "' AND card IS '" + card + "' AND outcome " + outcome +
                              " AND staff LIKE 'cli:%' AND branch IS NULL AND barcode IS NULL");
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* PatronAdmin::dir_ = nullptr;
Server* PatronAdmin::server_ = nullptr;

const char kBlocked[] =
    "このカードは現在ご利用いただけません。お近くの図書館のカウンターにお問い合わせください。";

TEST_F(PatronAdmin, FindShowsFullCardsByNameOrNumberAndRefusesBadQueries) {
  CommandResult by_name = Staff({"patron", "find", "いずみ"});
  ASSERT_EQ(by_name.exit_code, 0) << by_name.err;
  EXPECT_NE(by_name.out.find("card 1000000011  イズミ キョウコ  tel 0996-63-1111"),
            std::string::npos)
      << by_name.out;
  EXPECT_NE(by_name.out.find("password registered"), std::string::npos);
  EXPECT_EQ(std::count(by_name.out.begin(), by_name.out.end(), '\n'), 1) << by_name.out;

  CommandResult by_card = Staff({"patron", "find", "1000000044"});
  ASSERT_EQ(by_card.exit_code, 0) << by_card.err;
  EXPECT_NE(by_card.out.find("card 1000000044  キリシマ ミホ"), std::string::npos) << by_card.out;
  EXPECT_NE(by_card.out.find("no password"), std::string::npos) << by_card.out;

  CommandResult none = Staff({"patron", "find", "ヤマダ"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_EQ(none.out, "");
  EXPECT_EQ(none.err, "shiori: no patron found for 'ヤマダ'\n");
  CommandResult bad = Staff({"patron", "find", "izumi"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_EQ(bad.err, "shiori: 氏名(カナ)はカタカナかひらがなで入力してください。\n");

  EXPECT_EQ(QueryInt(Db(),
                     "SELECT count(*) FROM audit WHERE action = 'patron_find'"
                     " AND outcome = 'ok' AND detail = 'query いずみ: 1 found'"),
            1);
  EXPECT_EQ(AuditRows("patron_find", "1000000044", "= 'ok'"), 1);
  EXPECT_EQ(QueryInt(Db(),
                     "SELECT count(*) FROM audit WHERE action = 'patron_find'"
                     " AND card IS NULL AND outcome LIKE 'no patron found%'"),
            1);
}

// キリシマ ミホ has no password yet: 新規パスワード登録 on her blocked card
// says so only to whoever typed her name and phone, and works again once
// staff unblock it.
TEST_F(PatronAdmin, ABlockedCardsRegistrationShowsTheCounterMessageOnlyAfterAMatch) {
  CommandResult block =
      Staff({"patron", "block", "1000000044", "--reason", "利用者カードの紛失届（再発行前）"});
  ASSERT_EQ(block.exit_code, 0) << block.err;
  EXPECT_EQ(block.out,
            "card ...0044: blocked (no login, password registration, holds or loans); its "
            "sessions ended\n");
  EXPECT_EQ(block.out.find("1000000044"), std::string::npos) << "only the last digits";
  EXPECT_EQ(QueryText(Db(), "SELECT block_reason FROM patrons WHERE card = '1000000044'"),
            "利用者カードの紛失届（再発行前）");

  CommandResult twice = Staff({"patron", "block", "1000000044", "--reason", "別の理由"});
  EXPECT_NE(twice.exit_code, 0);
  EXPECT_NE(twice.err.find("すでに利用停止中"), std::string::npos) << twice.err;
  EXPECT_EQ(std::count(twice.err.begin(), twice.err.end(), '\n'), 1) << twice.err;
  CommandResult empty = Staff({"patron", "block", "1000000011", "--reason", "　"});
  EXPECT_EQ(empty.err, "shiori: 利用停止の理由を入力してください。\n");
  EXPECT_EQ(QueryText(Db(), "SELECT status FROM patrons WHERE card = '1000000011'"), "active");

  Browser pc(*server_, false), phone(*server_, true);
  long status = 0;
  std::string page =
      Register(pc, "1000000044", "キリシマ ミホ", "0996-63-4444", "Kiri2026", &status);
  EXPECT_EQ(status, 403);
  EXPECT_EQ(Alert(page), kBlocked) << page;
  std::string on_phone =
      Register(phone, "1000000044", "きりしま みほ", "0996634444", "Kiri2026", &status);
  EXPECT_EQ(status, 403);
  EXPECT_NE(on_phone.find("カウンター"), std::string::npos) << on_phone;
  std::string stranger =
      Register(pc, "1000000044", "キリシマ ミホ", "0996-00-0000", "Kiri2026", &status);
  EXPECT_EQ(status, 403);
  EXPECT_EQ(Alert(stranger).find("現在ご利用いただけません"), std::string::npos)
      << "a stranger is not told the card's status: " << Alert(stranger);
  EXPECT_EQ(QueryInt(Db(), "SELECT password_hash IS NULL FROM patrons WHERE card = '1000000044'"),
            1);

  CommandResult unblock = Staff({"patron", "unblock", "1000000044"});
  ASSERT_EQ(unblock.exit_code, 0) << unblock.err;
  EXPECT_EQ(unblock.out, "card ...0044: unblocked; the card works again\n");
  page = Register(pc, "1000000044", "キリシマ ミホ", "0996-63-4444", "Kiri2026", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("パスワードを登録しました"), std::string::npos) << page;
  CommandResult again = Staff({"patron", "unblock", "1000000044"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(again.err, "shiori: この利用者カードは利用停止中ではありません。\n");

  EXPECT_EQ(AuditRows("patron_block", "1000000044", "= 'ok'"), 1);
  EXPECT_EQ(AuditRows("patron_block", "1000000044", "LIKE '%すでに利用停止中%'"), 1);
  EXPECT_EQ(AuditRows("patron_unblock", "1000000044", "= 'ok'"), 1);
  EXPECT_EQ(QueryText(Db(),
                      "SELECT detail FROM audit WHERE action = 'patron_unblock'"
                      " AND outcome = 'ok'"),
            "was: 利用者カードの紛失届（再発行前）");
}

// タカオノ ケンジ is logged in when staff block his card: he is logged out,
// his login shows the counter's sentence, and after the unblock he is back.
TEST_F(PatronAdmin, BlockingLogsThePatronOutAndHisLoginShowsTheRefusal) {
  Browser pc(*server_, false);
  long status = 0;
  Login(pc, "1000000022", "Tsuru77", &status);
  ASSERT_EQ(status, 200) << pc.last_page();
  pc.Get("/account/loans", &status);
  ASSERT_EQ(status, 200);

  CommandResult block = Staff({"patron", "block", "1000000022", "--reason", "延滞資料の督促"});
  ASSERT_EQ(block.exit_code, 0) << block.err;
  pc.Get("/account/loans", &status);
  EXPECT_EQ(status, 401) << "the session ended with the block";
  std::string refused = Login(pc, "1000000022", "Tsuru77", &status);
  EXPECT_EQ(status, 403);
  EXPECT_EQ(Alert(refused), kBlocked) << refused;
  std::string wrong = Login(pc, "1000000022", "Wrong77", &status);
  EXPECT_EQ(Alert(wrong), "カード番号またはパスワードが違います。");

  ASSERT_EQ(Staff({"patron", "unblock", "1000000022"}).exit_code, 0);
  std::string home = Login(pc, "1000000022", "Tsuru77", &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(home.find("貸出中一覧"), std::string::npos) << home;
}

// イズミ キョウコ lost her card: the old number logs in nowhere, the new one
// logs in with her password to the same loans.
TEST_F(PatronAdmin, AfterAReplacementTheOldNumberFailsAndTheNewOneSeesTheLoans) {
  Browser phone(*server_, true);
  long status = 0;
  Login(phone, "1000000011", "neko2026", &status);
  ASSERT_EQ(status, 200) << phone.last_page();
  const std::string before = phone.Get("/account/loans", &status);
  ASSERT_EQ(status, 200);
  ASSERT_NE(before.find("坊っちゃん"), std::string::npos) << before;

  CommandResult r = Staff({"patron", "replace", "1000000011", "2000000311"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "card ...0011 replaced by ...0311 (patron 1); the old number no longer works and the "
            "patron's sessions ended\n");
  EXPECT_EQ(AuditRows("patron_replace", "1000000011", "= 'ok'"), 1);
  EXPECT_EQ(QueryText(Db(), "SELECT detail FROM audit WHERE action = 'patron_replace'"),
            "new card 2000000311");

  phone.Get("/account/loans", &status);
  EXPECT_EQ(status, 401) << "whoever held the lost card's session is logged out";
  Browser pc(*server_, false);
  std::string old_login = Login(pc, "1000000011", "neko2026", &status);
  EXPECT_EQ(status, 403);
  EXPECT_EQ(Alert(old_login), "カード番号またはパスワードが違います。");
  std::string old_reg =
      Register(pc, "1000000011", "イズミ キョウコ", "0996-63-1111", "Other99", &status);
  EXPECT_EQ(status, 403);
  EXPECT_NE(Alert(old_reg).find("ご入力の内容では登録できませんでした"), std::string::npos)
      << Alert(old_reg);

  Login(pc, "2000000311", "neko2026", &status);
  ASSERT_EQ(status, 200) << pc.last_page();
  const std::string after = pc.Get("/account/loans", &status);
  ASSERT_EQ(status, 200);
  auto due_dates = [](const std::string& page) {
    std::vector<std::string> out;
    const std::regex due("返却期限 [0-9]+月[0-9]+日");
    for (auto it = std::sregex_iterator(page.begin(), page.end(), due);
         it != std::sregex_iterator(); ++it) {
      out.push_back(it->str());
    }
    return out;
  };
  EXPECT_FALSE(due_dates(after).empty());
  EXPECT_EQ(due_dates(after), due_dates(before)) << "the same loans, due the same days";
  EXPECT_NE(after.find("坊っちゃん"), std::string::npos) << after;

  // The counter's tools: the old number is told as replaced, never reused.
  CommandResult find = Staff({"patron", "find", "1000000011"});
  ASSERT_EQ(find.exit_code, 0) << find.err;
  EXPECT_NE(find.out.find("card 1000000011: このカードは再発行済みです。 now card 2000000311"),
            std::string::npos)
      << find.out;
  EXPECT_NE(find.out.find("card 2000000311  イズミ キョウコ"), std::string::npos) << find.out;
  CommandResult again = Staff({"patron", "replace", "1000000011", "2000000312"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(again.err, "shiori: このカードは再発行済みです。\n");
  CommandResult add = Staff({"patron", "add", "--card", "1000000011", "--name-kana",
                             "ヤマダ ハナコ", "--phone", "0996-00-1234"});
  EXPECT_NE(add.exit_code, 0);
  EXPECT_EQ(add.err, "shiori: カード番号は再発行済みの旧番号のため使えません。\n");
  CommandResult block = Staff({"patron", "block", "1000000011", "--reason", "紛失"});
  EXPECT_NE(block.exit_code, 0);
  EXPECT_EQ(block.err, "shiori: このカードは再発行済みです。\n");
  CommandResult taken = Staff({"patron", "replace", "2000000311", "1000000033"});
  EXPECT_EQ(taken.err, "shiori: 新しいカード番号はすでに登録されています。\n");
  EXPECT_EQ(QueryInt(Db(), "SELECT count(*) FROM patrons WHERE card = '2000000311'"), 1);
}

}  // namespace
}  // namespace shiori::test
