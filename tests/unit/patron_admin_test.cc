// Tests for db/patron_admin.h: staff's search, the card application and the
// 変更届, blocking a card (login, registration and holds refused, sessions
// ended), replacing a lost card (the old number dead everywhere, the patron's
// loans, holds and password kept), and bad input refused with nothing changed.
#include "db/patron_admin.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "db/circ.h"
#include "db/import.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/session.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

const PasswordHashing kFastHashing{1, 8u << 20};
const PasswordPolicy kPolicy;
const Throttle kThrottle;
constexpr int64_t kNow = 1'800'000'000;
constexpr char kToday[] = "2026-06-01";

LibraryRules Rules() {
  LibraryRules r;
  r.branches = {
      {"chuo", "中央図書館", {}}, {"takaono", "高尾野図書館", {}}, {"noda", "野田図書館", {}}};
  return r;
}

class PatronAdminTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-patron-admin-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto c = Connection::Open(dir_ + "/shiori.db");
    ASSERT_TRUE(c.ok()) << c.status().message();
    c_ = std::move(c).value();
    ASSERT_TRUE(Migrate(*c_).ok());
    ASSERT_TRUE(SyncBranches(*c_, rules_).ok());
  }
  void TearDown() override {
    c_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  int64_t Add(const std::string& card, const std::string& name, const std::string& phone,
              const std::string& email = "", const std::string& branch = "") {
    auto id = RegisterPatron(*c_, {card, name, phone, email, branch});
    EXPECT_TRUE(id.ok()) << card << ": " << id.status().message();
    return id.ok() ? *id : -1;
  }
  // The guide's patron, with a password: card 1000000011, イズミ キョウコ, 0996-63-1111.
  int64_t AddKyoko() {
    const int64_t id = Add("1000000011", "イズミ キョウコ", "0996-63-1111", "k@example.jp", "chuo");
    EXPECT_TRUE(Register("1000000011", "Neko123").ok());
    return id;
  }
  Status Register(std::string_view card, std::string_view password,
                  std::string_view name = "いずみ きょうこ", std::string_view phone = "0996631111",
                  std::string_view key = "session-1") {
    return RegisterPassword(*c_, card, name, phone, password, key, kPolicy, kFastHashing, kThrottle,
                            kNow, "pc");
  }
  Result<int64_t> LogIn(std::string_view card, std::string_view password,
                        std::string_view key = "session-1") {
    return Login(*c_, card, password, key, kThrottle, kNow);
  }
  int64_t AddSession(const std::string& token_hash, int64_t patron) {
    auto id = CreateSession(*c_, token_hash, "csrf", "pc//", kNow);
    EXPECT_TRUE(id.ok());
    EXPECT_TRUE(SetSessionPatron(*c_, *id, patron).ok());
    return *id;
  }
  int64_t Int(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return -1;
    auto r = s->Step();
    EXPECT_TRUE(r.ok() && *r) << sql;
    return r.ok() && *r ? s->Int(0) : -1;
  }
  std::string Text(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return "";
    auto r = s->Step();
    return r.ok() && *r ? s->Text(0) : "";
  }
  // Everything the functions under test may write, as one string.
  std::string Snapshot() {
    return Text(
        "SELECT (SELECT group_concat(id || card || name_kana || phone || ifnull(email,'-') ||"
        " ifnull(home_branch,'-') || status || ifnull(block_reason,'-') ||"
        " ifnull(password_hash,'-') || updated_at, '|') FROM patrons) || '#' ||"
        " ifnull((SELECT group_concat(card || patron_id || replaced_at, '|')"
        " FROM replaced_cards), '') || '#' || (SELECT count(*) FROM sessions) || '#' ||"
        " ifnull((SELECT group_concat(kind || key || failures, '|') FROM auth_failures), '')");
  }
  int64_t Failures(const std::string& kind, const std::string& card) {
    return Int("SELECT ifnull(sum(failures), 0) FROM auth_failures WHERE kind = '" + kind +
               "' AND key = '" + card + "'");
  }
  // A title with one copy at 中央; returns the record id.
  int64_t AddTitle(const std::string& title, const std::string& barcode) {
    EXPECT_TRUE(c_->Exec("INSERT INTO records(title) VALUES('" + title + "')").ok());
    const int64_t record = c_->LastInsertId();
    EXPECT_TRUE(c_->Exec("INSERT INTO copies(barcode, record_id, branch) VALUES('" + barcode +
                         "', " + std::to_string(record) + ", 'chuo')")
                    .ok());
    return record;
  }
  Result<std::vector<HoldResult>> Reserve(int64_t patron, int64_t record) {
    return PlaceHolds(*c_, patron, {record}, "chuo", "none", "", rules_, "2026-06-01T10:00:00Z");
  }

  LibraryRules rules_ = Rules();
  std::string dir_;
  std::unique_ptr<Connection> c_;
};

std::vector<std::string> Cards(const PatronMatches& m) {
  std::vector<std::string> out;
  for (const auto& r : m.rows) out.push_back(r.card);
  return out;
}

// ---------------------------------------------------------------- search

TEST_F(PatronAdminTest, FindsByExactCardOrByTheStartOfTheNameInKanaSortedByReading) {
  const int64_t kyoko = AddKyoko();
  Add("1000000012", "いずみ たろう", "0996-63-1212");  // hiragana, as some were typed
  Add("1000000013", "ｲｽﾞﾐ ｱｷﾗ", "0996-63-1313");       // half-width
  Add("1000000033", "ノダ ショウタ", "0996-84-3333", "", "noda");
  Add("10000000", "イズミヤ ハナ", "0996-63-0000");

  auto by_kana = FindPatrons(*c_, "イズミ");
  ASSERT_TRUE(by_kana.ok()) << by_kana.status().message();
  EXPECT_EQ(Cards(*by_kana),
            (std::vector<std::string>{"1000000013", "1000000011", "1000000012", "10000000"}))
      << "アキラ, キョウコ, タロウ, then イズミヤ: Japanese order of the reading";
  EXPECT_FALSE(by_kana->more);

  for (const char* q : {"いずみ　きょ", "ｲｽﾞﾐｷﾖｳｺ", " イズミ・キョウコ ", "イズミキヨ"}) {
    SCOPED_TRACE(q);
    auto m = FindPatrons(*c_, q);
    ASSERT_TRUE(m.ok()) << m.status().message();
    ASSERT_EQ(Cards(*m), std::vector<std::string>{"1000000011"});
    const PatronRow& r = m->rows[0];
    EXPECT_EQ(r.id, kyoko);
    EXPECT_EQ(r.name_kana, "イズミ キョウコ");
    EXPECT_EQ(r.phone, "0996-63-1111");
    EXPECT_EQ(r.email, "k@example.jp");
    EXPECT_EQ(r.home_branch, "chuo");
    EXPECT_EQ(r.status, "active");
    EXPECT_EQ(r.block_reason, "");
    EXPECT_TRUE(r.has_password);
  }

  auto by_card = FindPatrons(*c_, "１０００-０００-０３３");
  ASSERT_TRUE(by_card.ok()) << by_card.status().message();
  EXPECT_EQ(Cards(*by_card), std::vector<std::string>{"1000000033"});
  EXPECT_FALSE(by_card->rows[0].has_password);
  EXPECT_EQ(by_card->rows[0].home_branch, "noda");

  auto prefix_of_card = FindPatrons(*c_, "100000001");
  ASSERT_TRUE(prefix_of_card.ok());
  EXPECT_TRUE(prefix_of_card->rows.empty()) << "a card number is matched exactly";
  auto nobody = FindPatrons(*c_, "サツマ");
  ASSERT_TRUE(nobody.ok());
  EXPECT_TRUE(nobody->rows.empty());

  struct Bad {
    const char* query;
    const char* message;
  } bad[] = {
      {"", "カード番号か氏名(カナ)を入力してください。"},
      {"　 ", "カード番号か氏名(カナ)を入力してください。"},
      {"izumi", "氏名(カナ)はカタカナかひらがなで入力してください。"},
      {"泉", "氏名(カナ)はカタカナかひらがなで入力してください。"},
      {"123", "カード番号は半角数字4〜16桁で入力してください。"},
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b.query);
    auto m = FindPatrons(*c_, b.query);
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(m.status().code(), Status::Code::kInvalid);
    EXPECT_EQ(m.status().message(), b.message);
  }
}

TEST_F(PatronAdminTest, FindGivesAtMostFiftyAndSaysThereAreMore) {
  const char* given[] = {"ア", "イ", "ウ", "エ", "オ", "カ", "キ", "ク", "ケ", "コ", "サ"};
  int n = 0;
  for (const char* g1 : given) {
    for (const char* g2 : {"ア", "イ", "ウ", "エ", "オ"}) {
      ++n;
      Add(std::to_string(3000000000 + n), std::string("サトウ ") + g1 + g2, "0996-00-0000");
    }
  }
  ASSERT_EQ(n, 55);
  auto m = FindPatrons(*c_, "さとう");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->rows.size(), 50u);
  EXPECT_TRUE(m->more);
  EXPECT_EQ(m->rows.front().name_kana, "サトウ アア");
  EXPECT_EQ(m->rows.back().name_kana, "サトウ コオ") << "the first 50 in the order of readings";
  auto few = FindPatrons(*c_, "サトウ サ");
  ASSERT_TRUE(few.ok());
  EXPECT_EQ(few->rows.size(), 5u);
  EXPECT_FALSE(few->more);
  auto small = FindPatrons(*c_, "サトウ", 3);
  ASSERT_TRUE(small.ok());
  EXPECT_EQ(small->rows.size(), 3u);
  EXPECT_TRUE(small->more);
}

// ---------------------------------------------------------------- application and 変更届

TEST_F(PatronAdminTest, RegisterRefusesACardInUseOrReplacedWithUpsertsChecks) {
  const int64_t id = Add("2000000001", "ノダ ショウタ", "0996-84-3333", "", "noda");
  ASSERT_GT(id, 0);
  auto p = FindPatronById(*c_, id);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->status, "active");
  EXPECT_FALSE((*p)->has_password);

  const std::string before = Snapshot();
  auto again = RegisterPatron(*c_, {"2000000001", "ノダ ハナコ", "0996-84-4444", "", ""});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), Status::Code::kConflict);
  EXPECT_EQ(again.status().message(), "カード番号はすでに登録されています。");

  struct Case {
    PatronInput in;
    const char* message;
  } cases[] = {
      {{"123", "ア", "123456", "", ""}, "カード番号は半角数字4〜16桁で入力してください。"},
      {{"2000000002", "Noda", "123456", "", ""}, "氏名(カナ)はカタカナで入力してください。"},
      {{"2000000002", "ノダ", "12345", "", ""}, "電話番号は6〜15桁の数字で入力してください。"},
      {{"2000000002", "ノダ", "123456", "no-at", ""}, "メールアドレスの形式が正しくありません。"},
      {{"2000000002", "ノダ", "123456", "", "kagoshima"}, "登録館「kagoshima」はありません。"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.message);
    auto r = RegisterPatron(*c_, c.in);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
    EXPECT_EQ(r.status().message(), c.message);
  }
  EXPECT_EQ(Snapshot(), before);

  ASSERT_TRUE(ReplaceCard(*c_, "2000000001", "2000000009", kNow).ok());
  auto old = RegisterPatron(*c_, {"2000000001", "ノダ ハナコ", "0996-84-4444", "", ""});
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().code(), Status::Code::kConflict);
  EXPECT_EQ(old.status().message(), "カード番号は再発行済みの旧番号のため使えません。");
}

TEST_F(PatronAdminTest, ChangeTakesTheSameChecksAndNeverTheCard) {
  const int64_t id = AddKyoko();
  // A hold notified by mail: removing the address turns it to 連絡不要.
  const int64_t record = AddTitle("坊っちゃん", "B1");
  ASSERT_TRUE(
      PlaceHolds(*c_, id, {record}, "chuo", "mail", "", rules_, "2026-06-01T10:00:00Z").ok());
  const std::string before = Snapshot();
  struct Case {
    PatronInput in;
    const char* message;
  } bad[] = {
      {{"", "Izumi", "0996-63-1111", "", ""}, "氏名(カナ)はカタカナで入力してください。"},
      {{"", "イズミ キョウコ", "0996\x1b", "", ""}, "電話番号は6〜15桁の数字で入力してください。"},
      {{"", "イズミ キョウコ", "0996-63-1111\x1b", "", ""},
       "電話番号に使えない文字が含まれています。"},
      {{"", "イズミ キョウコ", "0996-63-1111", "a@@b.jp", ""},
       "メールアドレスの形式が正しくありません。"},
      {{"", "イズミ キョウコ", "0996-63-1111", "", "tokyo"}, "登録館「tokyo」はありません。"},
      {{"1000000099", "イズミ キョウコ", "0996-63-1111", "", ""},
       "カード番号はここでは変えられません。なくしたカードは再発行の手続きをしてください。"},
  };
  for (const auto& c : bad) {
    SCOPED_TRACE(c.message);
    Status s = ChangePatron(*c_, id, c.in);
    EXPECT_EQ(s.code(), Status::Code::kInvalid);
    EXPECT_EQ(s.message(), c.message);
  }
  EXPECT_EQ(Snapshot(), before);
  Status unknown = ChangePatron(*c_, id + 100, {"", "イズミ", "0996-63-1111", "", ""});
  EXPECT_EQ(unknown.code(), Status::Code::kNotFound);
  EXPECT_EQ(unknown.message(), "利用者が見つかりません。");

  // The 変更届: new name and phone, address removed, home branch moved; the
  // card (given as it is) and the password stay.
  ASSERT_TRUE(
      ChangePatron(*c_, id, {" 1000000011 ", "イズミ ヨウコ　", "0996-63-2222", "", "takaono"})
          .ok());
  auto p = FindPatronById(*c_, id);
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->card, "1000000011");
  EXPECT_EQ((*p)->name_kana, "イズミ ヨウコ");
  EXPECT_EQ((*p)->phone, "0996-63-2222");
  EXPECT_EQ((*p)->email, "");
  EXPECT_EQ((*p)->home_branch, "takaono");
  EXPECT_TRUE((*p)->has_password);
  EXPECT_EQ(Text("SELECT contact FROM holds WHERE patron_id = " + std::to_string(id)), "none");
  EXPECT_TRUE(LogIn("1000000011", "Neko123").ok());
  // Staff's address is in force at once.
  ASSERT_TRUE(
      ChangePatron(*c_, id, {"", "イズミ ヨウコ", "0996-63-2222", "ｙ＠example.jp", ""}).ok());
  EXPECT_EQ(Text("SELECT email FROM patrons WHERE id = " + std::to_string(id)), "y@example.jp");
}

// ---------------------------------------------------------------- blocking

TEST_F(PatronAdminTest, ABlockedCardCannotLogInRegisterOrReserveAndUnblockingGivesItAllBack) {
  const int64_t id = AddKyoko();
  const int64_t record = AddTitle("銀河鉄道の夜", "B1");
  ASSERT_TRUE(BlockPatron(*c_, id, "  延滞資料の督促に応答がないため\t").ok());
  auto row = FindPatronById(*c_, id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "blocked");
  EXPECT_EQ((*row)->block_reason, "延滞資料の督促に応答がないため") << "trimmed";

  auto login = LogIn("1000000011", "Neko123");
  ASSERT_FALSE(login.ok());
  EXPECT_EQ(login.status().code(), Status::Code::kConflict);
  EXPECT_EQ(login.status().message(), kCardBlocked);
  EXPECT_NE(std::string(kCardBlocked).find("カウンター"), std::string::npos);
  auto wrong = LogIn("1000000011", "Wrong12");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().message(), kLoginMismatch) << "no status told without the password";

  // 新規パスワード登録 with the right name and phone: refused, not counted,
  // and the password on file stays.
  const std::string hash = Text("SELECT password_hash FROM patrons WHERE id = 1");
  const int64_t counted = Failures("register_card", "1000000011");
  Status reg = Register("1000000011", "Other99");
  EXPECT_EQ(reg.code(), Status::Code::kConflict);
  EXPECT_EQ(reg.message(), kCardBlocked);
  EXPECT_EQ(Failures("register_card", "1000000011"), counted) << "a match is no failure";
  EXPECT_EQ(Text("SELECT password_hash FROM patrons WHERE id = 1"), hash);
  EXPECT_EQ(Int("SELECT count(*) FROM outbox WHERE kind = 'password_registered'"), 1)
      << "only the first registration's notice";
  // A stranger with the wrong phone hears the one mismatch sentence, counted.
  Status stranger = Register("1000000011", "Other99", "イズミ キョウコ", "0996-00-0000");
  EXPECT_EQ(stranger.code(), Status::Code::kInvalid);
  EXPECT_EQ(stranger.message(), kRegistrationMismatch);
  EXPECT_EQ(Failures("register_card", "1000000011"), counted + 1);

  auto hold = Reserve(id, record);
  ASSERT_FALSE(hold.ok());
  EXPECT_EQ(hold.status().code(), Status::Code::kConflict);
  EXPECT_NE(hold.status().message().find("予約できません"), std::string::npos)
      << hold.status().message();
  Status lend = Checkout(*c_, "1000000011", "B1", "", *Date::Parse(kToday), rules_).status();
  EXPECT_EQ(lend.code(), Status::Code::kConflict) << lend.message();

  ASSERT_TRUE(UnblockPatron(*c_, id).ok());
  row = FindPatronById(*c_, id);
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->status, "active");
  EXPECT_EQ((*row)->block_reason, "");
  auto again = LogIn("1000000011", "Neko123");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(*again, id);
  EXPECT_TRUE(Register("1000000011", "Other99").ok());
  EXPECT_TRUE(LogIn("1000000011", "Other99").ok());
  auto placed = Reserve(id, record);
  ASSERT_TRUE(placed.ok()) << placed.status().message();
  EXPECT_EQ((*placed)[0].outcome, HoldOutcome::kPlaced);
}

TEST_F(PatronAdminTest, BlockingEndsThePatronsSessionsOnly) {
  const int64_t id = AddKyoko();
  const int64_t other = Add("1000000022", "タカオノ ケンジ", "0996-82-2222");
  AddSession("a", id);
  AddSession("b", id);
  AddSession("c", other);
  ASSERT_TRUE(CreateSession(*c_, "visitor", "csrf", "pc//", kNow).ok());
  ASSERT_TRUE(BlockPatron(*c_, id, "カード不正利用の疑い").ok());
  EXPECT_EQ(Int("SELECT count(*) FROM sessions WHERE patron_id = " + std::to_string(id)), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM sessions"), 2) << "the other patron's and the visitor's";
}

TEST_F(PatronAdminTest, BlockAndUnblockRefuseBadReasonsAndWrongStatesChangingNothing) {
  const int64_t id = AddKyoko();
  std::string kana201;
  for (int i = 0; i < 201; ++i) kana201 += "あ";
  std::string kana200 = kana201.substr(3);
  struct Case {
    std::string reason;
    const char* message;
  } bad[] = {
      {"", "利用停止の理由を入力してください。"},
      {" 　\t", "利用停止の理由を入力してください。"},
      {kana201, "利用停止の理由は200文字以内で入力してください。"},
      {"延滞\n督促",
       "利用停止の理由に使えない文字（改行や制御文字）が含まれています。1行で入力してください。"},
      {"延滞\x1b[31m",
       "利用停止の理由に使えない文字（改行や制御文字）が含まれています。1行で入力してください。"},
      {"延滞\u202e督促",
       "利用停止の理由に使えない文字（改行や制御文字）が含まれています。1行で入力してください。"},
      {"延滞\xff",
       "利用停止の理由に使えない文字（改行や制御文字）が含まれています。1行で入力してください。"},
  };
  const std::string before = Snapshot();
  for (const auto& c : bad) {
    SCOPED_TRACE(c.message);
    Status s = BlockPatron(*c_, id, c.reason);
    EXPECT_EQ(s.code(), Status::Code::kInvalid);
    EXPECT_EQ(s.message(), c.message);
  }
  Status unknown = BlockPatron(*c_, id + 100, "延滞");
  EXPECT_EQ(unknown.code(), Status::Code::kNotFound);
  EXPECT_EQ(unknown.message(), "利用者が見つかりません。");
  Status not_blocked = UnblockPatron(*c_, id);
  EXPECT_EQ(not_blocked.code(), Status::Code::kConflict);
  EXPECT_EQ(not_blocked.message(), "この利用者カードは利用停止中ではありません。");
  EXPECT_EQ(UnblockPatron(*c_, id + 100).code(), Status::Code::kNotFound);
  EXPECT_EQ(Snapshot(), before);

  ASSERT_TRUE(BlockPatron(*c_, id, kana200).ok()) << "200 characters are allowed";
  const std::string blocked = Snapshot();
  Status twice = BlockPatron(*c_, id, "別の理由");
  EXPECT_EQ(twice.code(), Status::Code::kConflict);
  EXPECT_NE(twice.message().find("すでに利用停止中"), std::string::npos) << twice.message();
  EXPECT_EQ(Snapshot(), blocked);

  const int64_t expired = Add("1000000077", "ヒガシ ユキ", "0996-77-7777");
  ASSERT_TRUE(
      c_->Exec("UPDATE patrons SET status = 'expired' WHERE id = " + std::to_string(expired)).ok());
  Status exp = BlockPatron(*c_, expired, "延滞");
  EXPECT_EQ(exp.code(), Status::Code::kConflict);
  EXPECT_NE(exp.message().find("有効期限切れ"), std::string::npos) << exp.message();
}

// ---------------------------------------------------------------- replacing a card

TEST_F(PatronAdminTest, AReplacedCardKeepsThePatronAndTheOldNumberStopsWorkingEverywhere) {
  const int64_t id = AddKyoko();
  const int64_t lent = AddTitle("坊っちゃん", "B1");
  const int64_t held = AddTitle("銀河鉄道の夜", "B2");
  ASSERT_TRUE(Checkout(*c_, "1000000011", "B1", "", *Date::Parse(kToday), rules_).ok());
  ASSERT_TRUE(Reserve(id, held).ok());
  (void)lent;
  AddSession("found-the-card", id);
  const std::string hash = Text("SELECT password_hash FROM patrons WHERE id = 1");

  auto r = ReplaceCard(*c_, "1000-000-011", "2000000011", kNow);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, id);
  EXPECT_EQ(Int("SELECT count(*) FROM sessions"), 0) << "whoever has the lost card is logged out";

  // The new card: the same patron, password, loans and holds.
  auto p = FindPatronByCard(*c_, "2000000011");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->id, id);
  EXPECT_EQ(Text("SELECT password_hash FROM patrons WHERE id = 1"), hash);
  auto login = LogIn("2000000011", "Neko123");
  ASSERT_TRUE(login.ok()) << login.status().message();
  EXPECT_EQ(*login, id);
  auto loans = PatronLoans(*c_, *login, *Date::Parse(kToday));
  ASSERT_TRUE(loans.ok());
  ASSERT_EQ(loans->size(), 1u);
  EXPECT_EQ((*loans)[0].title, "坊っちゃん");
  auto holds = PatronHolds(*c_, *login, false);
  ASSERT_TRUE(holds.ok());
  ASSERT_EQ(holds->size(), 1u);
  EXPECT_EQ((*holds)[0].title, "銀河鉄道の夜");

  // The old number: the one mismatch message for login and registration.
  auto old_login = LogIn("1000000011", "Neko123", "session-2");
  ASSERT_FALSE(old_login.ok());
  EXPECT_EQ(old_login.status().code(), Status::Code::kInvalid);
  EXPECT_EQ(old_login.status().message(), kLoginMismatch);
  Status old_reg = Register("1000000011", "Other99", "いずみ きょうこ", "0996631111", "s-3");
  EXPECT_EQ(old_reg.code(), Status::Code::kInvalid);
  EXPECT_EQ(old_reg.message(), kRegistrationMismatch);
  auto nobody = FindPatronByCard(*c_, "1000000011");
  ASSERT_TRUE(nobody.ok());
  EXPECT_FALSE(nobody->has_value());
  auto found = FindPatrons(*c_, "1000000011");
  ASSERT_TRUE(found.ok());
  EXPECT_TRUE(found->rows.empty());

  // Staff tools say it was replaced, and by whom.
  auto replaced = ReplacedCardOf(*c_, "１０００００００１１");
  ASSERT_TRUE(replaced.ok());
  ASSERT_TRUE(replaced->has_value());
  EXPECT_EQ((*replaced)->card, "1000000011");
  EXPECT_EQ((*replaced)->patron_id, id);
  EXPECT_EQ((*replaced)->replaced_at, kNow);
  auto holder = CardHolder(*c_, "1000000011");
  ASSERT_FALSE(holder.ok());
  EXPECT_EQ(holder.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(holder.status().message(), "このカードは再発行済みです。");
  auto current = CardHolder(*c_, "2000000011");
  ASSERT_TRUE(current.ok());
  EXPECT_EQ(current->id, id);
  auto never = ReplacedCardOf(*c_, "2000000011");
  ASSERT_TRUE(never.ok());
  EXPECT_FALSE(never->has_value());
  EXPECT_EQ(CardHolder(*c_, "9999999999").status().message(), "このカード番号の利用者はいません。");

  // The old number is never given out again: not by patron add, not by an import.
  {
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    auto up = UpsertPatron(*c_, {"1000000011", "ヤマダ ハナコ", "0996-00-1234", "", ""});
    ASSERT_FALSE(up.ok());
    EXPECT_EQ(up.status().code(), Status::Code::kConflict);
    EXPECT_EQ(up.status().message(), "カード番号は再発行済みの旧番号のため使えません。");
  }
  const std::string file = dir_ + "/patrons.tsv";
  {
    std::ofstream f(file);
    f << "card\tname_kana\tphone\n3000000001\tヤマダ タロウ\t0996001111\n"
         "1000000011\tヤマダ ハナコ\t0996001234\n";
  }
  ImportReport report;
  Status imported = ImportPatrons(*c_, file, &report);
  EXPECT_FALSE(imported.ok());
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_EQ(report.problems[0].record, 3);
  EXPECT_EQ(report.problems[0].reason, "カード番号は再発行済みの旧番号のため使えません。");
  EXPECT_EQ(Int("SELECT count(*) FROM patrons"), 1) << "nothing imported";
}

TEST_F(PatronAdminTest, ReplaceRefusesBadNumbersChangingNothing) {
  const int64_t id = AddKyoko();
  Add("1000000022", "タカオノ ケンジ", "0996-82-2222");
  Add("1000000033", "ノダ ショウタ", "0996-84-3333");
  ASSERT_TRUE(ReplaceCard(*c_, "1000000033", "1000000034", kNow).ok());
  AddSession("s", id);
  struct Case {
    const char *old_card, *new_card;
    Status::Code code;
    const char* message;
  } bad[] = {
      {"1000000011", "1000000011", Status::Code::kInvalid,
       "新しいカード番号が今のカード番号と同じです。"},
      {"1000000011", "１０００００００１２", Status::Code::kInvalid,
       "新しいカード番号は半角数字4〜16桁で入力してください。"},
      {"1000000011", "123", Status::Code::kInvalid,
       "新しいカード番号は半角数字4〜16桁で入力してください。"},
      {"1000000011", "", Status::Code::kInvalid,
       "新しいカード番号は半角数字4〜16桁で入力してください。"},
      {"1000000011", "1000000022", Status::Code::kConflict,
       "新しいカード番号はすでに登録されています。"},
      {"1000000011", "1000000033", Status::Code::kConflict,
       "新しいカード番号は再発行済みの旧番号のため使えません。"},
      {"1000000099", "2000000099", Status::Code::kNotFound, "このカード番号の利用者はいません。"},
      {"1000000033", "2000000033", Status::Code::kNotFound, "このカードは再発行済みです。"},
  };
  const std::string before = Snapshot();
  for (const auto& c : bad) {
    SCOPED_TRACE(std::string(c.old_card) + " -> " + c.new_card);
    auto r = ReplaceCard(*c_, c.old_card, c.new_card, kNow + 60);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_EQ(r.status().message(), c.message);
  }
  EXPECT_EQ(Snapshot(), before);
  // Replaced twice: both old numbers stay refused.
  ASSERT_TRUE(ReplaceCard(*c_, "1000000034", "1000000035", kNow + 60).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM replaced_cards WHERE patron_id = 3"), 2);
  EXPECT_EQ(CardHolder(*c_, "1000000033").status().message(), kCardReplaced);
  EXPECT_EQ(CardHolder(*c_, "1000000034").status().message(), kCardReplaced);
}

}  // namespace
}  // namespace shiori::db
