// Tests for db/patron.h: staff records, password registration by name and
// phone, password policy, e-mail rules, login with lockout, password and
// e-mail changes, and that no password is ever stored in clear.
#include "db/patron.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "db/import.h"
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
const char kPolicyMessage[] = "パスワードは半角英数字6〜8文字で入力してください。";

class PatronTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-patron-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto c = Connection::Open(dir_ + "/shiori.db");
    ASSERT_TRUE(c.ok()) << c.status().message();
    c_ = std::move(c).value();
    ASSERT_TRUE(Migrate(*c_).ok());
    LibraryRules rules;
    rules.branches = {
        {"chuo", "中央図書館", {}}, {"takaono", "高尾野図書館", {}}, {"noda", "野田図書館", {}}};
    ASSERT_TRUE(SyncBranches(*c_, rules).ok());
  }
  void TearDown() override {
    c_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  Status Upsert(const PatronInput& p, Upserted* how = nullptr) {
    Transaction tx(*c_);
    SHIORI_RETURN_IF_ERROR(tx.begun());
    auto r = UpsertPatron(*c_, p);
    if (!r.ok()) return r.status();
    if (how) *how = *r;
    return tx.Commit();
  }

  // The guide's patron: card 1000000011, イズミ キョウコ, 0996-63-1111.
  int64_t AddKyoko() {
    EXPECT_TRUE(Upsert({"1000000011", "イズミ キョウコ", "0996-63-1111", "", "chuo"}).ok());
    return Id("1000000011");
  }

  int64_t Id(const std::string& card) {
    auto p = FindPatronByCard(*c_, card);
    EXPECT_TRUE(p.ok() && p->has_value()) << card;
    return p.ok() && p->has_value() ? (*p)->id : -1;
  }

  Status Register(std::string_view card, std::string_view name, std::string_view phone,
                  std::string_view password, int64_t now = kNow, std::string_view key = "session-1",
                  const NoticeLimits& limits = {}) {
    return RegisterPassword(*c_, card, name, phone, password, key, kPolicy, kFastHashing, kThrottle,
                            now, "pc", limits);
  }

  std::string Text(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return "";
    auto r = s->Step();
    return r.ok() && *r ? s->Text(0) : "";
  }

  // The code of the patron's confirmation mail as it waits in the outbox.
  std::string WaitingCode(int64_t patron) {
    return Text(
        "SELECT detail FROM outbox WHERE kind = 'email_confirm' AND status = 'pending'"
        " AND patron_id = " +
        std::to_string(patron));
  }

  Result<int64_t> LogIn(std::string_view card, std::string_view password, int64_t now = kNow,
                        std::string_view key = "session-1") {
    return Login(*c_, card, password, key, kThrottle, now);
  }

  int64_t Scalar(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return -1;
    auto r = s->Step();
    EXPECT_TRUE(r.ok() && *r) << sql;
    return s->Int(0);
  }

  int64_t AddSession(const std::string& token_hash, std::optional<int64_t> patron) {
    auto id = CreateSession(*c_, token_hash, "csrf", "pc//", kNow);
    EXPECT_TRUE(id.ok());
    EXPECT_TRUE(SetSessionPatron(*c_, *id, patron).ok());
    return *id;
  }

  // A title with one copy, and a hold on it by `patron`.
  void AddHold(int64_t patron, const std::string& contact, const std::string& status) {
    const int n = ++holds_;
    ASSERT_TRUE(c_->Exec("INSERT INTO records(title) VALUES('本" + std::to_string(n) + "')").ok());
    const int64_t record = c_->LastInsertId();
    ASSERT_TRUE(c_->Exec("INSERT INTO copies(barcode, record_id, branch) VALUES('B" +
                         std::to_string(n) + "', " + std::to_string(record) + ", 'chuo')")
                    .ok());
    const int64_t copy = c_->LastInsertId();
    const bool ready = status == "ready";
    ASSERT_TRUE(c_->Exec("INSERT INTO holds(seq, record_id, patron_id, pickup_branch, contact,"
                         " status, placed_at, copy_id, pickup_deadline) VALUES(" +
                         std::to_string(n) + ", " + std::to_string(record) + ", " +
                         std::to_string(patron) + ", 'chuo', '" + contact + "', '" + status +
                         "', '2026-06-01', " + (ready ? std::to_string(copy) : "NULL") + ", " +
                         (ready ? "'2026-06-10'" : "NULL") + ")")
                    .ok());
  }

  std::string dir_;
  std::unique_ptr<Connection> c_;
  int holds_ = 0;
};

// ---------------------------------------------------------------- staff records

TEST_F(PatronTest, UpsertValidation) {
  struct Case {
    const char* what;
    PatronInput in;
    const char* message;  // nullptr: accepted
  };
  const Case cases[] = {
      {"complete",
       {"2000000001", "イズミ キョウコ", "0996-63-1111", "k@example.jp", "chuo"},
       nullptr},
      {"no e-mail, no branch", {"2000000002", "ノダ ショウタ", "0996-84-3333", "", ""}, nullptr},
      {"hiragana name is accepted", {"2000000003", "のだ しょうた", "0996843333", "", ""}, nullptr},
      {"half-width name", {"2000000004", "ﾉﾀﾞ ｼｮｳﾀ", "0996843333", "", ""}, nullptr},
      {"name with ー and ヴ", {"2000000005", "ヴァーノン ユーコ", "0996843333", "", ""}, nullptr},
      {"4-digit card", {"1234", "ア", "123456", "", ""}, nullptr},
      {"16-digit card", {"1234567890123456", "ア", "123456", "", ""}, nullptr},
      {"carrier e-mail", {"2000000006", "ア", "123456", "taro..yamada.@docomo.ne.jp", ""}, nullptr},
      {"3-digit card",
       {"123", "ア", "123456", "", ""},
       "カード番号は半角数字4〜16桁で入力してください。"},
      {"17-digit card",
       {"12345678901234567", "ア", "123456", "", ""},
       "カード番号は半角数字4〜16桁で入力してください。"},
      {"card with hyphen",
       {"1000-0000", "ア", "123456", "", ""},
       "カード番号は半角数字4〜16桁で入力してください。"},
      {"full-width card",
       {"１０００００", "ア", "123456", "", ""},
       "カード番号は半角数字4〜16桁で入力してください。"},
      {"empty name",
       {"3000000001", "", "123456", "", ""},
       "氏名(カナ)はカタカナで入力してください。"},
      {"name of spaces",
       {"3000000002", "　 ", "123456", "", ""},
       "氏名(カナ)はカタカナで入力してください。"},
      {"kanji name",
       {"3000000003", "出水 京子", "123456", "", ""},
       "氏名(カナ)はカタカナで入力してください。"},
      {"latin name",
       {"3000000004", "Kyoko", "123456", "", ""},
       "氏名(カナ)はカタカナで入力してください。"},
      {"5-digit phone",
       {"3000000005", "ア", "12-345", "", ""},
       "電話番号は6〜15桁の数字で入力してください。"},
      {"16-digit phone",
       {"3000000006", "ア", "1234567890123456", "", ""},
       "電話番号は6〜15桁の数字で入力してください。"},
      {"phone without digits",
       {"3000000007", "ア", "なし", "", ""},
       "電話番号は6〜15桁の数字で入力してください。"},
      {"a control character in the phone (it is printed at the counter)",
       {"3000000010", "ア", "0996\x1B[31m-63-1111", "", ""},
       "電話番号に使えない文字が含まれています。"},
      {"a right-to-left override in the phone",
       {"3000000011", "ア", "0996-63\u202E-1111", "", ""},
       "電話番号に使えない文字が含まれています。"},
      {"bad e-mail",
       {"3000000008", "ア", "123456", "a@b", ""},
       "メールアドレスの形式が正しくありません。"},
      {"unknown branch",
       {"3000000009", "ア", "123456", "", "kagoshima"},
       "登録館「kagoshima」はありません。"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Upserted how;
    Status s = Upsert(c.in, &how);
    if (!c.message) {
      EXPECT_TRUE(s.ok()) << s.message();
      EXPECT_EQ(how, Upserted::kInserted);
    } else {
      EXPECT_EQ(s.code(), Status::Code::kInvalid);
      EXPECT_EQ(s.message(), c.message);
    }
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM patrons"), 8);
  EXPECT_EQ(Scalar("SELECT count(*) FROM patrons WHERE card LIKE '3%'"), 0);
}

TEST_F(PatronTest, UpsertUpdatesByCardAndKeepsPassword) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  Upserted how;
  ASSERT_TRUE(
      Upsert({" 1000000011 ", "　イズミ キョウコ ", " 0996-63-2222", "k@example.jp", "noda"}, &how)
          .ok());
  EXPECT_EQ(how, Upserted::kUpdated);
  auto p = FindPatronByCard(*c_, "1000000011");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_EQ((*p)->id, id);
  EXPECT_EQ((*p)->name_kana, "イズミ キョウコ");  // trimmed, inner space kept
  EXPECT_EQ((*p)->phone, "0996-63-2222");
  EXPECT_EQ((*p)->email, "k@example.jp");
  EXPECT_EQ((*p)->home_branch, "noda");
  EXPECT_EQ((*p)->status, "active");
  EXPECT_TRUE((*p)->has_password);
  EXPECT_TRUE(LogIn("1000000011", "neko2026").ok());
}

TEST_F(PatronTest, ImportMessagesAreOneLineOfUtf8) {
  auto import = [&](const std::string& bytes, ImportReport* rep) {
    const std::string path = dir_ + "/patrons.tsv";
    std::ofstream(path, std::ios::binary) << bytes;
    return ImportPatrons(*c_, path, rep);
  };
  ImportReport rep;
  // A CR inside a row (not at its end) is a space where the reason quotes it.
  Status s = import(
      "card\tname_kana\tphone\tbranch\n1000000011\tイズミ キョウコ\t0996631111\tch\ruo\n", &rep);
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  ASSERT_EQ(rep.problems.size(), 1u);
  EXPECT_EQ(rep.problems[0].reason, "登録館「ch uo」はありません。");
  EXPECT_EQ(s.message().find('\r'), std::string::npos) << s.message();
  // So in a header's unknown column; a header that is not UTF-8 is refused as such.
  s = import("card\rx\tname_kana\tphone\n", &rep);
  EXPECT_NE(s.message().find("line 1: unknown column 'card x'"), std::string::npos) << s.message();
  s = import("card\tname_kana\tphone\t\xFF\n", &rep);
  EXPECT_NE(s.message().find("line 1: the header is not valid UTF-8"), std::string::npos)
      << s.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM patrons"), 0);
}

TEST_F(PatronTest, FindPatronByCardNormalisesTheNumber) {
  const int64_t id = AddKyoko();
  for (const char* typed : {"1000000011", "１０００００００１１", "1000-0000-11", " 1000000011"}) {
    SCOPED_TRACE(typed);
    auto p = FindPatronByCard(*c_, typed);
    ASSERT_TRUE(p.ok());
    ASSERT_TRUE(p->has_value());
    EXPECT_EQ((*p)->id, id);
    EXPECT_FALSE((*p)->has_password);
  }
  auto none = FindPatronByCard(*c_, "9999999999");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
}

// ---------------------------------------------------------------- registration

TEST_F(PatronTest, RegistrationMatchesTheWaysPatronsTypeTheirName) {
  AddKyoko();
  struct Case {
    const char* name;
    const char* phone;
  };
  const Case cases[] = {
      {"いずみきょうこ", "０９９６６３１１１１"}, {"ｲｽﾞﾐ ｷｮｳｺ", "0996-63-1111"},
      {"イズミ キヨウコ", "(0996)63-1111"},       {"イズミ・キョウコ", "０９９６ー６３ー１１１１"},
      {"イズミ　キョウコ", "0996 63 1111"},
  };
  int64_t now = kNow;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Status s = Register("1000000011", c.name, c.phone, "neko2026", now++);
    EXPECT_TRUE(s.ok()) << s.message();
  }
  auto p = FindPatronByCard(*c_, "1000000011");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_TRUE((*p)->has_password);
  EXPECT_TRUE(LogIn("1000000011", "neko2026").ok());
}

TEST_F(PatronTest, StoredNameAndPhoneAreNormalisedToo) {
  ASSERT_TRUE(Upsert({"1000000099", "ﾊｯﾄﾘ ﾕｰｺ", "(0996)６３-9999", "", ""}).ok());
  EXPECT_TRUE(Register("1000000099", "ハツトリ ユーコ", "0996639999", "abc123").ok());
}

TEST_F(PatronTest, AHyphenTypedForTheProlongedMarkIsAccepted) {
  ASSERT_TRUE(Upsert({"1000000099", "ハットリ ユーコ", "0996639999", "", ""}).ok());
  // A keypad without ー: the patron types a hyphen after the kana.
  EXPECT_TRUE(Register("1000000099", "はっとり ゆ-こ", "0996639999", "abc123").ok());
}

TEST_F(PatronTest, AMismatchNeverSaysWhichFieldWasWrong) {
  AddKyoko();
  Status wrong_phone = Register("1000000011", "イズミ キョウコ", "0996-63-1112", "neko2026");
  Status wrong_name = Register("1000000011", "イズミ ケイコ", "0996-63-1111", "neko2026");
  Status unknown_card = Register("1000000012", "イズミ キョウコ", "0996-63-1111", "neko2026");
  Status empty_phone = Register("1000000011", "イズミ キョウコ", "", "neko2026");
  for (const Status* s : {&wrong_phone, &wrong_name, &unknown_card, &empty_phone}) {
    EXPECT_EQ(s->code(), Status::Code::kInvalid);
  }
  EXPECT_EQ(wrong_phone.message(), wrong_name.message());
  EXPECT_EQ(wrong_phone.message(), unknown_card.message());
  EXPECT_EQ(wrong_phone.message(), empty_phone.message());
  EXPECT_EQ(wrong_phone.message(), kRegistrationMismatch);
  EXPECT_NE(
      wrong_phone.message().find("図書館でカードを作ったときの氏名・電話番号でお試しください。"),
      std::string::npos);
  EXPECT_NE(
      wrong_phone.message().find("登録できないときは、お近くの図書館のカウンターにお問い合わせ"
                                 "ください。"),
      std::string::npos);
  auto p = FindPatronByCard(*c_, "1000000011");
  ASSERT_TRUE(p.ok() && p->has_value());
  EXPECT_FALSE((*p)->has_password);
}

TEST_F(PatronTest, PasswordPolicy) {
  struct Case {
    const char* what;
    const char* password;
    bool ok;
  };
  const Case cases[] = {
      {"6 letters and digits", "abc123", true},
      {"8 mixed case", "NeKo2026", true},
      {"only digits", "123456", true},
      {"full-width letters and digits", "ＡＢＣ１２３", true},
      {"too short", "abc12", false},
      {"too long", "abcd12345", false},
      {"empty", "", false},
      {"ASCII symbol", "abc!123", false},
      {"full-width symbols", "ａｂｃ！＃１", false},
      {"space inside", "abc 123", false},
      {"full-width space inside", "abc　123", false},
      {"hiragana", "ねこねこねこ", false},
      {"half-width katakana", "ﾈｺﾈｺﾈｺ", false},
      {"accented letters", "abcdé1", false},
  };
  AddKyoko();
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    Status s = Register("1000000011", "イズミ キョウコ", "0996-63-1111", c.password);
    EXPECT_EQ(s.ok(), c.ok) << s.message();
    if (!c.ok) {
      EXPECT_EQ(s.code(), Status::Code::kInvalid);
      EXPECT_EQ(s.message(), kPolicyMessage);
    }
  }
  // Policy failures are not identity failures: nothing was counted.
  EXPECT_EQ(Scalar("SELECT count(*) FROM auth_failures"), 0);

  EXPECT_EQ(CheckPassword("abcd", PasswordPolicy{4, 4}).message(), "");
  EXPECT_EQ(CheckPassword("abc", PasswordPolicy{4, 4}).message(),
            "パスワードは半角英数字4文字で入力してください。");
  EXPECT_EQ(CheckPassword("abc", PasswordPolicy{8, 12}).message(),
            "パスワードは半角英数字8〜12文字で入力してください。");
}

TEST_F(PatronTest, FullWidthPasswordLogsInHalfWidth) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "ＡＢＣ１２３").ok());
  auto a = LogIn("1000000011", "ABC123");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(*a, id);
  auto b = LogIn("１０００００００１１", "ＡＢＣ１２３");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, id);
  auto c = LogIn("1000000011", "abc123");  // case matters
  EXPECT_EQ(c.status().code(), Status::Code::kInvalid);
}

TEST_F(PatronTest, RegistrationKeepsTheAddressAndTellsIt) {
  ASSERT_TRUE(
      Upsert({"1000000011", "イズミ キョウコ", "0996-63-1111", "kyoko@docomo.ne.jp", ""}).ok());
  const int64_t id = Id("1000000011");
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "abc123").ok());
  EXPECT_EQ((*FindPatronById(*c_, id))->email, "kyoko@docomo.ne.jp");
  // The notice is bound to the address on file now, whatever happens to it later.
  EXPECT_EQ(Text("SELECT kind || ' ' || to_address || ' ' || detail FROM outbox"),
            "password_registered kyoko@docomo.ne.jp pc");
  ASSERT_TRUE(c_->Exec("UPDATE patrons SET email = 'other@example.jp'").ok());
  EXPECT_EQ(Text("SELECT to_address FROM outbox"), "kyoko@docomo.ne.jp");
}

TEST_F(PatronTest, ResetEndsSessionsAndTheLoginLock) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  AddSession("h1", id);
  AddSession("h2", id);
  const int64_t other = AddSession("h3", std::nullopt);
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    EXPECT_EQ(LogIn("1000000011", "wrong1", kNow + i).status().code(), Status::Code::kInvalid);
  }
  EXPECT_EQ(LogIn("1000000011", "neko2026", kNow + 10).status().code(), Status::Code::kLocked);
  // 新規パスワード登録 again, as the guide says for a forgotten password.
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "tsuru77", kNow + 20).ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions WHERE patron_id = " + std::to_string(id)), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions WHERE id = " + std::to_string(other)), 1);
  EXPECT_TRUE(LogIn("1000000011", "tsuru77", kNow + 21).ok());
  EXPECT_EQ(LogIn("1000000011", "neko2026", kNow + 22).status().code(), Status::Code::kInvalid);
}

TEST_F(PatronTest, RegistrationSlowsACardDownEvenForUnknownCards) {
  AddKyoko();
  // Six failures from six sessions: the card makes the next attempt wait 2 s.
  for (int i = 0; i <= kThrottle.max_failures; ++i) {
    Status s = Register("1000000011", "イズミ ケイコ", "0996-63-1111", "neko2026", kNow + i,
                        "key-" + std::to_string(i));
    EXPECT_EQ(s.code(), Status::Code::kInvalid);
  }
  const int64_t last = kNow + kThrottle.max_failures;
  Status wait =
      Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026", last + 1, "fresh-key");
  EXPECT_EQ(wait.code(), Status::Code::kLocked);
  EXPECT_NE(wait.message().find("1秒後"), std::string::npos) << wait.message();
  EXPECT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026", last + 2,
                       "fresh-key")
                  .ok())
      << "seconds, not a lock";

  // An unknown card number is counted like a known one (same answers).
  for (int i = 0; i <= kThrottle.max_failures; ++i) {
    EXPECT_EQ(Register("5555555555", "ア", "123456", "neko2026", kNow + i, "k" + std::to_string(i))
                  .code(),
              Status::Code::kInvalid);
  }
  EXPECT_EQ(Register("5555555555", "ア", "123456", "neko2026", last + 1, "other").code(),
            Status::Code::kLocked);
}

TEST_F(PatronTest, RegistrationLocksPerThrottleKey) {
  AddKyoko();
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    const std::string card = "900000000" + std::to_string(i);
    EXPECT_EQ(Register(card, "ア", "123456", "neko2026", kNow + i, "phone-A").code(),
              Status::Code::kInvalid);
  }
  // Right data, untouched card, same key: refused.
  EXPECT_EQ(
      Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026", kNow + 10, "phone-A")
          .code(),
      Status::Code::kLocked);
  // Another device behind the same carrier gateway is not affected.
  EXPECT_TRUE(
      Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026", kNow + 10, "phone-B")
          .ok());
}

// ---------------------------------------------------------------- login

TEST_F(PatronTest, LoginMismatchIsOneMessage) {
  AddKyoko();
  ASSERT_TRUE(Upsert({"1000000044", "キリシマ ミホ", "0996-63-4444", "", ""}).ok());  // no password
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  auto wrong = LogIn("1000000011", "neko2027", kNow, "a");
  auto unknown = LogIn("1000000012", "neko2026", kNow, "b");
  auto unregistered = LogIn("1000000044", "neko2026", kNow, "c");
  auto empty = LogIn("", "", kNow, "d");
  for (const auto* r : {&wrong, &unknown, &unregistered, &empty}) {
    EXPECT_EQ(r->status().code(), Status::Code::kInvalid);
    EXPECT_EQ(r->status().message(), "カード番号またはパスワードが違います。");
  }
}

// Guesses at one card from ever new sessions: after max_failures each guess
// waits twice as long as the one before (2, 4, 8 ... s, at most
// card_delay_max_seconds); the patron herself is never kept out longer.
TEST_F(PatronTest, ACardGuessedFromManySessionsWaitsLongerEachTimeButNeverLong) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  int64_t now = kNow;
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    EXPECT_EQ(LogIn("1000000011", "guess", now++, "s" + std::to_string(i)).status().code(),
              Status::Code::kInvalid);
  }
  // Five failures: no wait yet, the right password works at once (nobody is locked out)...
  auto in = LogIn("1000000011", "neko2026", now, "owner");
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(*in, id);
  // ...and clears the card. Now a long run of guesses:
  now += 1;
  int64_t last = now;
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    last = now;
    EXPECT_EQ(LogIn("1000000011", "guess", now++, "g" + std::to_string(i)).status().code(),
              Status::Code::kInvalid);
  }
  int64_t wait = 0;
  for (int n = kThrottle.max_failures + 1; n <= kThrottle.max_failures + 8; ++n) {
    // failure number n happens at the earliest moment allowed
    const int64_t at = last + wait;
    if (wait > 0) {
      auto early = LogIn("1000000011", "neko2026", at - 1, "early");
      EXPECT_EQ(early.status().code(), Status::Code::kLocked) << n;
      EXPECT_NE(early.status().message().find("1秒後"), std::string::npos)
          << early.status().message();
    }
    EXPECT_EQ(LogIn("1000000011", "guess", at, "g" + std::to_string(n)).status().code(),
              Status::Code::kInvalid)
        << n;
    last = at;
    wait = std::min<int64_t>(int64_t{1} << (n - kThrottle.max_failures),
                             kThrottle.card_delay_max_seconds);
  }
  EXPECT_EQ(wait, kThrottle.card_delay_max_seconds) << "the wait stops growing at its ceiling";
  EXPECT_EQ(LogIn("1000000011", "neko2026", last + wait - 1, "owner").status().code(),
            Status::Code::kLocked);
  auto later = LogIn("1000000011", "neko2026", last + wait, "owner");
  ASSERT_TRUE(later.ok()) << later.status().message();
}

TEST_F(PatronTest, StaffUnlockEndsACardsWaitAtOnce) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  for (int i = 0; i <= kThrottle.max_failures + 1; ++i) {
    (void)LogIn("1000000011", "guess" + std::to_string(i), kNow + i * 4, std::to_string(i));
  }
  const int64_t then = kNow + (kThrottle.max_failures + 1) * 4;
  ASSERT_EQ(LogIn("1000000011", "neko2026", then, "x").status().code(), Status::Code::kLocked);
  auto n = UnlockCard(*c_, "１０００ ０００ ０１１", then);  // as staff may type it
  ASSERT_TRUE(n.ok()) << n.status().message();
  EXPECT_EQ(*n, 1);
  auto in = LogIn("1000000011", "neko2026", then, "x");
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(*in, id);
  EXPECT_EQ(*UnlockCard(*c_, "1000000011", then + 2), 0) << "nothing left to forget";
  EXPECT_EQ(UnlockCard(*c_, "1000000999", then + 2).status().code(), Status::Code::kNotFound);
}

// Password spraying: one guess on each of many cards, every time from a new
// session, but from one address.
TEST_F(PatronTest, OneAddressIsRefusedAfterTooManyFailuresAcrossCards) {
  AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  Throttle t = kThrottle;
  t.source_max_failures = 10;
  int64_t now = kNow;
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(Login(*c_, "20000000" + std::to_string(10 + i), "neko2026", "s" + std::to_string(i),
                    t, now++, "203.0.113.5")
                  .status()
                  .code(),
              Status::Code::kInvalid);
  }
  auto refused = Login(*c_, "1000000011", "neko2026", "fresh", t, now, "203.0.113.5");
  EXPECT_EQ(refused.status().code(), Status::Code::kLocked);
  EXPECT_NE(refused.status().message().find("接続元"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("10分後"), std::string::npos)
      << refused.status().message();
  // Registration shares the address's counter.
  EXPECT_EQ(RegisterPassword(*c_, "1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026",
                             "fresh", kPolicy, kFastHashing, t, now, "", {}, "203.0.113.5")
                .code(),
            Status::Code::kLocked);
  EXPECT_TRUE(Login(*c_, "1000000011", "neko2026", "fresh", t, now, "203.0.113.6").ok())
      << "another address is not affected";
  EXPECT_TRUE(Login(*c_, "1000000011", "neko2026", "fresh", t, now - 1 + t.source_window_seconds,
                    "203.0.113.5")
                  .ok())
      << "the window after the last failure";
}

TEST_F(PatronTest, StaffUnlockAlsoLetsInThePatronsOwnDevice) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  // Her own phone, every time: the card and the phone are both locked.
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    (void)LogIn("1000000011", "guess" + std::to_string(i), kNow + i, "her-phone");
  }
  const int64_t then = kNow + kThrottle.max_failures;
  ASSERT_EQ(LogIn("1000000011", "neko2026", then, "her-phone").status().code(),
            Status::Code::kLocked);
  ASSERT_TRUE(UnlockCard(*c_, "1000000011", then + 1).ok());
  auto in = LogIn("1000000011", "neko2026", then + 2, "her-phone");
  ASSERT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(*in, id);
}

TEST_F(PatronTest, AnUnlockDoesNotFreeADeviceForOtherCards) {
  AddKyoko();
  ASSERT_TRUE(Upsert({"1000000022", "タカオノ ケンジ", "0996-82-2222", "", ""}).ok());
  ASSERT_TRUE(Register("1000000022", "タカオノ ケンジ", "0996-82-2222", "Tsuru77").ok());
  // One device tries five different cards: the device is locked.
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    (void)LogIn("100000009" + std::to_string(i), "guess", kNow + i, "probe");
  }
  const int64_t then = kNow + kThrottle.max_failures;
  ASSERT_TRUE(UnlockCard(*c_, "1000000011", then).ok());
  EXPECT_EQ(LogIn("1000000022", "Tsuru77", then + 1, "probe").status().code(), Status::Code::kLocked)
      << "unlocking one card frees the device for that card only";
}

TEST_F(PatronTest, LoginLockMinutesFollowTheThrottle) {
  AddKyoko();
  const Throttle t{3, 30 * 60};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(Login(*c_, "1000000011", "wrong1", "k", t, kNow).status().code(),
              Status::Code::kInvalid);
  }
  auto r = Login(*c_, "1000000011", "wrong1", "k", t, kNow);
  EXPECT_EQ(r.status().code(), Status::Code::kLocked);
  EXPECT_NE(r.status().message().find("30分後にもう一度お試しください"), std::string::npos);
}

TEST_F(PatronTest, LoginLocksPerThrottleKey) {
  AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  for (int i = 0; i < kThrottle.max_failures; ++i) {
    // The same password tried on many cards from one device.
    EXPECT_EQ(
        LogIn("200000000" + std::to_string(i), "neko2026", kNow + i, "device-A").status().code(),
        Status::Code::kInvalid);
  }
  EXPECT_EQ(LogIn("1000000011", "neko2026", kNow + 10, "device-A").status().code(),
            Status::Code::kLocked);
  EXPECT_TRUE(LogIn("1000000011", "neko2026", kNow + 10, "device-B").ok());
  EXPECT_TRUE(LogIn("1000000011", "neko2026", kNow + 10 + kThrottle.lock_seconds, "device-A").ok());
}

TEST_F(PatronTest, ASuccessClearsTheCardCounter) {
  AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  int64_t now = kNow;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < kThrottle.max_failures - 1; ++i) {
      EXPECT_EQ(LogIn("1000000011", "wrong1", now++).status().code(), Status::Code::kInvalid);
    }
    auto ok = LogIn("1000000011", "neko2026", now++);
    EXPECT_TRUE(ok.ok()) << round << ": " << ok.status().message();
  }
}

TEST_F(PatronTest, SuccessfulLoginsDoNotFillTheKeyCounter) {
  AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  for (int i = 0; i < 3 * kThrottle.max_failures; ++i) {
    ASSERT_TRUE(LogIn("1000000011", "neko2026", kNow + i, "family-phone").ok()) << i;
  }
}

TEST_F(PatronTest, ASuccessLeavesFailuresOnOtherCardsOnTheKey) {
  AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  int64_t now = kNow;
  for (int i = 0; i < 3; ++i) {  // three other cards
    EXPECT_FALSE(LogIn("300000000" + std::to_string(i), "neko2026", now++, "K").ok());
  }
  EXPECT_FALSE(LogIn("1000000011", "wrong1", now++, "K").ok());   // her own mistype
  EXPECT_TRUE(LogIn("1000000011", "neko2026", now++, "K").ok());  // takes back 2: K holds 3
  EXPECT_FALSE(LogIn("3000000007", "neko2026", now++, "K").ok());
  EXPECT_FALSE(LogIn("3000000008", "neko2026", now++, "K").ok());  // 5: K is locked
  EXPECT_EQ(LogIn("1000000011", "neko2026", now++, "K").status().code(), Status::Code::kLocked);
}

TEST_F(PatronTest, BlockedAndExpiredCardsAreTold) {
  AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  ASSERT_TRUE(c_->Exec("UPDATE patrons SET status = 'blocked' WHERE card = '1000000011'").ok());
  auto blocked = LogIn("1000000011", "neko2026");
  EXPECT_EQ(blocked.status().code(), Status::Code::kConflict);
  EXPECT_NE(blocked.status().message().find("カウンター"), std::string::npos);
  // A wrong password says nothing about the status.
  EXPECT_EQ(LogIn("1000000011", "neko2027").status().message(), kLoginMismatch);
  ASSERT_TRUE(c_->Exec("UPDATE patrons SET status = 'expired' WHERE card = '1000000011'").ok());
  auto expired = LogIn("1000000011", "neko2026");
  EXPECT_EQ(expired.status().code(), Status::Code::kConflict);
  EXPECT_NE(expired.status().message().find("有効期限"), std::string::npos);
}

TEST_F(PatronTest, PurgeForgetsOldCounters) {
  AddKyoko();
  EXPECT_FALSE(LogIn("1000000011", "wrong1", kNow, "k").ok());
  EXPECT_FALSE(LogIn("1000000099", "wrong1", kNow + 100, "").ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM auth_failures"), 3);  // two cards, one key
  auto n = PurgeAuthFailures(*c_, kThrottle, kNow + kThrottle.lock_seconds);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(*n, 2);
  EXPECT_EQ(Scalar("SELECT count(*) FROM auth_failures"), 1);
}

TEST_F(PatronTest, ThrottleKeysAreStoredHashed) {
  AddKyoko();
  const std::string token = "0123456789abcdef0123456789abcdef";
  EXPECT_FALSE(LogIn("1000000011", "wrong1", kNow, token).ok());
  EXPECT_EQ(Scalar("SELECT count(*) FROM auth_failures WHERE key = '" + token + "'"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM auth_failures WHERE kind = 'login_key'"
                   " AND length(key) = 64"),
            1);
}

// ---------------------------------------------------------------- sessions and changes

TEST_F(PatronTest, SetSessionPatron) {
  const int64_t id = AddKyoko();
  const int64_t s = AddSession("h1", std::nullopt);
  ASSERT_TRUE(SetSessionPatron(*c_, s, id).ok());
  EXPECT_EQ(Scalar("SELECT patron_id FROM sessions WHERE id = " + std::to_string(s)), id);
  ASSERT_TRUE(SetSessionPatron(*c_, s, std::nullopt).ok());
  EXPECT_EQ(Scalar("SELECT patron_id IS NULL FROM sessions WHERE id = " + std::to_string(s)), 1);
  EXPECT_EQ(SetSessionPatron(*c_, s + 100, id).code(), Status::Code::kNotFound);
}

TEST_F(PatronTest, ChangePasswordEndsTheOtherSessions) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Upsert({"1000000022", "タカオノ ケンジ", "0996-82-2222", "", ""}).ok());
  const int64_t other_patron = Id("1000000022");
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  const int64_t here = AddSession("here", id);
  AddSession("phone", id);
  AddSession("library-pc", id);
  const int64_t someone_else = AddSession("else", other_patron);
  const int64_t anonymous = AddSession("anon", std::nullopt);

  EXPECT_EQ(ChangePassword(*c_, id, "neko2026", "abc", here, kPolicy, kFastHashing, kThrottle, kNow)
                .message(),
            kPolicyMessage);
  Status wrong =
      ChangePassword(*c_, id, "neko2027", "tsuru77", here, kPolicy, kFastHashing, kThrottle, kNow);
  EXPECT_EQ(wrong.code(), Status::Code::kInvalid);
  EXPECT_EQ(wrong.message(), "現在のパスワードが違います。");
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions WHERE patron_id = " + std::to_string(id)), 3);

  Status s = ChangePassword(*c_, id, "ｎｅｋｏ２０２６", "Tsuru77", here, kPolicy, kFastHashing,
                            kThrottle, kNow + 1);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions WHERE patron_id = " + std::to_string(id)), 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions WHERE id = " + std::to_string(here)), 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM sessions WHERE id IN (" + std::to_string(someone_else) +
                   ", " + std::to_string(anonymous) + ")"),
            2);
  EXPECT_EQ(LogIn("1000000011", "neko2026", kNow + 2).status().code(), Status::Code::kInvalid);
  EXPECT_TRUE(LogIn("1000000011", "Tsuru77", kNow + 3).ok());
  EXPECT_EQ(ChangePassword(*c_, id + 1000, "Tsuru77", "abc123", here, kPolicy, kFastHashing,
                           kThrottle, kNow)
                .code(),
            Status::Code::kNotFound);
}

TEST_F(PatronTest, ChangePasswordGuessesSlowTheCardDown) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "neko2026").ok());
  for (int i = 0; i <= kThrottle.max_failures; ++i) {
    EXPECT_EQ(ChangePassword(*c_, id, "guess" + std::to_string(i), "abc123", 0, kPolicy,
                             kFastHashing, kThrottle, kNow + i)
                  .code(),
              Status::Code::kInvalid);
  }
  const int64_t last = kNow + kThrottle.max_failures;
  EXPECT_EQ(
      ChangePassword(*c_, id, "neko2026", "abc123", 0, kPolicy, kFastHashing, kThrottle, last + 1)
          .code(),
      Status::Code::kLocked);
  EXPECT_EQ(LogIn("1000000011", "neko2026", last + 1).status().code(), Status::Code::kLocked);
  EXPECT_TRUE(LogIn("1000000011", "neko2026", last + 2).ok());
}

TEST(ValidateEmailTest, Table) {
  struct Case {
    std::string email;
    bool ok;
  };
  const std::string local64(64, 'a'), local65(65, 'a');
  const std::string label63(63, 'b'), label64(64, 'b');
  // 64 + 1 + 189 = 254 characters; one more is too long.
  const std::string domain189 = label63 + "." + label63 + "." + std::string(58, 'c') + ".jp";
  const Case cases[] = {
      {"kyoko.izumi@docomo.ne.jp", true},
      {"taro..yamada.@docomo.ne.jp", true},
      {"taro..yamada.@DoCoMo.ne.jp", true},
      {"a..b.@ezweb.ne.jp", true},
      {"a..b.@au.com", true},
      {"a..b.@softbank.ne.jp", true},
      {"a..b.@i.softbank.jp", true},
      {"a..b.@ymobile.ne.jp", true},
      {"a..b.@willcom.com", true},
      {"kenji.takaono@example.jp", true},
      {"o'brien+lib@example.co.jp", true},
      {"x@a-b.example", true},
      {"x@xn--eckwd4c7c.jp", true},
      {local64 + "@example.jp", true},
      {"a@" + label63 + ".jp", true},
      {local64 + "@" + domain189, true},
      {"", false},
      {"a@b", false},
      {"a..b@example.com", false},
      {"a.@example.com", false},
      {".a@docomo.ne.jp", false},
      {"a..b@docomo.ne.jp.example.com", false},
      {"a..b@xdocomo.ne.jp", false},
      {"a@@example.com", false},
      {"a@b@example.com", false},
      {"@example.com", false},
      {"a@", false},
      {"a@.example.com", false},
      {"a@example..com", false},
      {"a@example.com.", false},
      {"a@-example.com", false},
      {"a@example-.com", false},
      {"a@exa_mple.com", false},
      {"a@1.2.3.4", false},
      {"a b@example.com", false},
      {"\"a b\"@example.com", false},
      {"a(b)@example.com", false},
      {"ねこ@example.jp", false},
      {"a@例え.jp", false},
      {"ａ@example.jp", false},  // callers fold the width first
      {local65 + "@example.jp", false},
      {"a@" + label64 + ".jp", false},
      {local64 + "@a" + domain189, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.email);
    Status s = ValidateEmail(c.email);
    EXPECT_EQ(s.ok(), c.ok) << s.message();
    if (!c.ok) {
      EXPECT_EQ(s.code(), Status::Code::kInvalid);
      EXPECT_FALSE(s.message().empty());
    }
  }
  EXPECT_EQ(domain189.size(), 189u);
}

// A Random that gives 0, 1, 2, ... so each code differs and is known.
class CountingRandom : public Random {
 public:
  void Fill(unsigned char* out, size_t n) override {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<unsigned char>(next_++);
  }

 private:
  unsigned next_ = 0;
};

TEST_F(PatronTest, ANewAddressIsInForceOnlyOnceConfirmed) {
  ASSERT_TRUE(
      Upsert({"1000000011", "イズミ キョウコ", "0996-63-1111", "kyoko@docomo.ne.jp", ""}).ok());
  const int64_t id = Id("1000000011");
  CountingRandom random;
  const NoticeLimits limits;
  auto change =
      RequestEmailChange(*c_, id, "　ｔａｒｏ．．ｙａｍａｄａ．＠ｄｏｃｏｍｏ．ｎｅ．ｊｐ ", random,
                         kNow, 3600, limits);
  ASSERT_TRUE(change.ok()) << change.status().message();
  EXPECT_EQ(change->address, "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(change->expires_at, kNow + 3600);
  EXPECT_EQ((*FindPatronById(*c_, id))->email, "kyoko@docomo.ne.jp") << "not yet";
  const std::string code = WaitingCode(id);
  ASSERT_EQ(code.size(), 20u);
  EXPECT_EQ(Text("SELECT to_address FROM outbox WHERE kind = 'email_confirm'"),
            "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(Text("SELECT count(*) FROM email_changes WHERE code_hash LIKE '%" + code + "%'"), "0")
      << "only the code's hash is kept with the change";
  auto pending = PendingEmailChange(*c_, id, kNow + 60);
  ASSERT_TRUE(pending.ok() && pending->has_value());
  EXPECT_EQ((*pending)->address, "taro..yamada.@docomo.ne.jp");

  for (const char* bad : {"a@b", "a..b@example.com", ""}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(RequestEmailChange(*c_, id, bad, random, kNow, 3600, limits).status().code(),
              Status::Code::kInvalid);
  }
  EXPECT_EQ(RequestEmailChange(*c_, id, "kyoko@docomo.ne.jp", random, kNow, 3600, limits)
                .status()
                .message(),
            "いま登録されているアドレスと同じです。");
  EXPECT_EQ(RequestEmailChange(*c_, id + 1000, "a@example.jp", random, kNow, 3600, limits)
                .status()
                .code(),
            Status::Code::kNotFound);

  // Another patron's session, a wrong code, an expired one: nothing.
  ASSERT_TRUE(Upsert({"1000000022", "タカオノ ケンジ", "0996-82-2222", "", ""}).ok());
  const int64_t other = Id("1000000022");
  EXPECT_EQ(ConfirmEmailChange(*c_, other, code, kNow, limits).status().message(),
            kEmailCodeUnusable);
  EXPECT_FALSE((*FindEmailChange(*c_, id, "aaaaaaaaaaaaaaaaaaaa", kNow)).has_value());
  EXPECT_FALSE((*FindEmailChange(*c_, id, code, kNow + 3600)).has_value()) << "expired";
  ASSERT_TRUE((*FindEmailChange(*c_, id, code, kNow + 60)).has_value());

  auto done = ConfirmEmailChange(*c_, id, code, kNow + 60, limits);
  ASSERT_TRUE(done.ok()) << done.status().message();
  EXPECT_EQ(*done, "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ((*FindPatronById(*c_, id))->email, "taro..yamada.@docomo.ne.jp");
  EXPECT_EQ(Text("SELECT to_address || ' ' || detail FROM outbox WHERE kind = 'email_changed'"),
            "kyoko@docomo.ne.jp old")
      << "the old address is told";
  EXPECT_EQ(ConfirmEmailChange(*c_, id, code, kNow + 61, limits).status().code(),
            Status::Code::kConflict)
      << "a code works once";
  EXPECT_FALSE((*PendingEmailChange(*c_, id, kNow + 61)).has_value());
}

TEST_F(PatronTest, ASecondRequestReplacesTheFirstAndItsCode) {
  ASSERT_TRUE(Upsert({"1000000011", "イズミ キョウコ", "0996-63-1111", "", ""}).ok());
  const int64_t id = Id("1000000011");
  CountingRandom random;
  ASSERT_TRUE(RequestEmailChange(*c_, id, "typo@exmaple.jp", random, kNow, 3600, {}).ok());
  const std::string first = WaitingCode(id);
  ASSERT_TRUE(RequestEmailChange(*c_, id, "kyoko@example.jp", random, kNow + 5, 3600, {}).ok());
  const std::string second = WaitingCode(id);
  EXPECT_NE(first, second);
  EXPECT_EQ(Text("SELECT count(*) || ' ' || to_address FROM outbox"), "1 kyoko@example.jp")
      << "one confirmation waits, to the address asked for last";
  EXPECT_EQ(ConfirmEmailChange(*c_, id, first, kNow + 10, {}).status().code(),
            Status::Code::kConflict);
  ASSERT_TRUE(ConfirmEmailChange(*c_, id, second, kNow + 10, {}).ok());
  EXPECT_EQ((*FindPatronById(*c_, id))->email, "kyoko@example.jp");
  EXPECT_EQ(Text("SELECT count(*) FROM outbox WHERE kind = 'email_changed'"), "0")
      << "no old address to tell";
}

TEST_F(PatronTest, NoticesPastTheLimitRefuseTheChangeAndWriteNothing) {
  ASSERT_TRUE(
      Upsert({"1000000011", "イズミ キョウコ", "0996-63-1111", "kyoko@example.jp", ""}).ok());
  const int64_t id = Id("1000000011");
  CountingRandom random;
  const NoticeLimits limits{4, 2};
  // Two to one outside address, then the address's limit.
  ASSERT_TRUE(RequestEmailChange(*c_, id, "x@evil.example", random, kNow, 3600, limits).ok());
  ASSERT_TRUE(RequestEmailChange(*c_, id, "X@Evil.Example", random, kNow + 1, 3600, limits).ok());
  EXPECT_EQ(Text("SELECT count(*) FROM outbox"), "1") << "the same notice, told once";
  auto third = RequestEmailChange(*c_, id, "x@evil.example", random, kNow + 2, 3600, limits);
  EXPECT_EQ(third.status().code(), Status::Code::kLocked);
  EXPECT_EQ(third.status().message(), kNoticeLimitMessage);
  // Two more elsewhere, then the patron's limit.
  ASSERT_TRUE(RequestEmailChange(*c_, id, "y@evil.example", random, kNow + 3, 3600, limits).ok());
  ASSERT_TRUE(RequestEmailChange(*c_, id, "z@evil.example", random, kNow + 4, 3600, limits).ok());
  const std::string before = Text("SELECT address || code_hash FROM email_changes");
  EXPECT_EQ(
      RequestEmailChange(*c_, id, "w@evil.example", random, kNow + 5, 3600, limits).status().code(),
      Status::Code::kLocked);
  EXPECT_EQ(Text("SELECT address || code_hash FROM email_changes"), before) << "nothing written";
  EXPECT_EQ(
      Register("1000000011", "イズミ キョウコ", "0996-63-1111", "abc123", kNow + 6, "k", limits)
          .code(),
      Status::Code::kLocked);
  EXPECT_EQ(Text("SELECT password_hash IS NULL FROM patrons WHERE id = " + std::to_string(id)), "1")
      << "no password registered without its notice";
  EXPECT_EQ(RemoveEmail(*c_, id, kNow + 7, limits).status().code(), Status::Code::kLocked);
  EXPECT_EQ((*FindPatronById(*c_, id))->email, "kyoko@example.jp");
  // An hour later the patron may again.
  EXPECT_TRUE(
      RequestEmailChange(*c_, id, "w@evil.example", random, kNow + 3601, 3600, limits).ok());
}

TEST_F(PatronTest, RemovingTheEmailTurnsMailHoldsToNone) {
  const int64_t id = AddKyoko();
  ASSERT_TRUE(Upsert({"1000000022", "タカオノ ケンジ", "0996-82-2222", "k@example.jp", ""}).ok());
  const int64_t other = Id("1000000022");
  ASSERT_TRUE(
      c_->Exec("UPDATE patrons SET email = 'kyoko@docomo.ne.jp' WHERE id = " + std::to_string(id))
          .ok());
  AddHold(id, "mail", "waiting");
  AddHold(id, "mail", "ready");
  AddHold(id, "mail", "fulfilled");
  AddHold(id, "phone", "waiting");
  AddHold(other, "mail", "waiting");

  auto count = MailHoldCount(*c_, id);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2);
  auto r = RemoveEmail(*c_, id, kNow, {});
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, 2);
  EXPECT_EQ(Text("SELECT to_address || ' ' || detail FROM outbox WHERE kind = 'email_changed'"),
            "kyoko@docomo.ne.jp old")
      << "the old address is told";
  auto p = FindPatronByCard(*c_, "1000000011");
  EXPECT_EQ((*p)->email, "");
  EXPECT_EQ(Scalar("SELECT email IS NULL FROM patrons WHERE id = " + std::to_string(id)), 1);
  const std::string pid = std::to_string(id);
  EXPECT_EQ(Scalar("SELECT count(*) FROM holds WHERE patron_id = " + pid +
                   " AND contact = 'none' AND status IN ('waiting','ready')"),
            2);
  EXPECT_EQ(Scalar("SELECT count(*) FROM holds WHERE patron_id = " + pid +
                   " AND contact = 'mail' AND status = 'fulfilled'"),
            1);
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM holds WHERE patron_id = " + pid + " AND contact = 'phone'"), 1);
  EXPECT_EQ(Scalar("SELECT count(*) FROM holds WHERE patron_id = " + std::to_string(other) +
                   " AND contact = 'mail'"),
            1);
  EXPECT_EQ(*MailHoldCount(*c_, id), 0);
  // Removing again changes nothing and tells nobody.
  EXPECT_EQ(*RemoveEmail(*c_, id, kNow, {}), 0);
  EXPECT_EQ(Text("SELECT count(*) FROM outbox"), "1");

  // Staff clearing the address does the same.
  AddHold(other, "mail", "ready");
  ASSERT_TRUE(Upsert({"1000000022", "タカオノ ケンジ", "0996-82-2222", "", ""}).ok());
  EXPECT_EQ(*MailHoldCount(*c_, other), 0);
}

// ---------------------------------------------------------------- no password in clear

TEST_F(PatronTest, TheDatabaseNeverHoldsAPasswordInClear) {
  const int64_t id = AddKyoko();
  const int64_t session = AddSession("here", id);
  ASSERT_TRUE(Register("1000000011", "イズミ キョウコ", "0996-63-1111", "ＱｗＥ９８７").ok());
  ASSERT_TRUE(LogIn("1000000011", "QwE987").ok());
  EXPECT_FALSE(LogIn("1000000011", "Zx5Zx5Zx").ok());  // a wrong one must not be kept either
  ASSERT_TRUE(
      ChangePassword(*c_, id, "QwE987", "Pq4Rs8Tu", session, kPolicy, kFastHashing, kThrottle, kNow)
          .ok());
  ASSERT_TRUE(
      ChangePassword(*c_, id, "wrong9", "Ab3Cd5", session, kPolicy, kFastHashing, kThrottle, kNow)
          .code() == Status::Code::kInvalid);
  const std::vector<std::string> secrets = {"QwE987",   "ＱｗＥ９８７", "Zx5Zx5Zx",
                                            "Pq4Rs8Tu", "wrong9",       "Ab3Cd5"};

  // Every text or blob value of every table, shadow tables included.
  auto tables = c_->Prepare("SELECT name FROM sqlite_schema WHERE type = 'table'");
  ASSERT_TRUE(tables.ok());
  int values = 0;
  while (true) {
    auto row = tables->Step();
    ASSERT_TRUE(row.ok());
    if (!*row) break;
    const std::string table = tables->Text(0);
    auto all = c_->Prepare("SELECT * FROM \"" + table + "\"");
    ASSERT_TRUE(all.ok()) << table;
    auto cols = c_->Prepare("SELECT count(*) FROM pragma_table_info('" + table + "')");
    ASSERT_TRUE(cols.ok() && *cols->Step());
    const int n = static_cast<int>(cols->Int(0));
    while (true) {
      auto r = all->Step();
      ASSERT_TRUE(r.ok()) << table;
      if (!*r) break;
      for (int i = 0; i < n; ++i) {
        const std::string v = all->Text(i);
        ++values;
        for (const auto& secret : secrets) {
          EXPECT_EQ(v.find(secret), std::string::npos) << table << " column " << i;
        }
      }
    }
  }
  EXPECT_GT(values, 20);
  EXPECT_EQ(Scalar("SELECT count(*) FROM patrons WHERE password_hash LIKE '$argon2id$%'"), 1);

  // And the bytes on disk, the write-ahead log included.
  for (const char* file : {"/shiori.db", "/shiori.db-wal"}) {
    std::ifstream in(dir_ + file, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& secret : secrets) {
      EXPECT_EQ(bytes.find(secret), std::string::npos) << file << ": " << secret;
    }
  }
}

}  // namespace
}  // namespace shiori::db
