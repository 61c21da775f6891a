// Tests for mail/mail.h: composing carrier (ISO-2022-JP) and other (UTF-8)
// mail, parsed back and decoded; header injection refused; the notices'
// wording; the sender's state machine with a fake transport (back-off, give
// up, crash mid-send, no address, hold no longer ready, claims of their own
// time that only their sender records).
#include "mail/mail.h"

#include <gtest/gtest.h>
#include <iconv.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "charset/charset.h"
#include "db/outbox.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "db/patron.h"
#include "db/circ.h"
#include "db/demo.h"
#include "gateway/clock.h"
#include "mail/curl_lib_internal.h"
#include "tests/mail_decode.h"

namespace shiori::mail {
namespace {

using test::Iconv;
using test::Unbase64;

// ---------------------------------------------------------------- parsing helpers

struct Parsed {
  std::vector<std::string> header_lines;       // physical lines
  std::map<std::string, std::string> headers;  // unfolded, by lower-case name
  std::string body;                            // raw, CRLF
};

// Splits at the first empty line; every line must end in CRLF (no bare LF or CR).
Parsed Parse(const std::string& msg) {
  Parsed p;
  for (size_t i = 0; i < msg.size(); ++i) {
    if (msg[i] == '\n') {
      EXPECT_TRUE(i > 0 && msg[i - 1] == '\r') << "bare LF at " << i;
    }
    if (msg[i] == '\r') {
      EXPECT_TRUE(i + 1 < msg.size() && msg[i + 1] == '\n') << "bare CR at " << i;
    }
  }
  const size_t end = msg.find("\r\n\r\n");
  EXPECT_NE(end, std::string::npos);
  std::string head = msg.substr(0, end + 2);
  p.body = msg.substr(end + 4);
  std::string last;
  size_t pos = 0;
  while (pos < head.size()) {
    const size_t eol = head.find("\r\n", pos);
    const std::string line = head.substr(pos, eol - pos);
    pos = eol + 2;
    p.header_lines.push_back(line);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      p.headers[last] += line;
      continue;
    }
    const size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << line;
    std::string name = line.substr(0, colon);
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    last = name;
    p.headers[name] = line.substr(colon + 1);
  }
  return p;
}

// Decodes RFC 2047 B words (ISO-2022-JP or UTF-8) and drops the folding white space between them.
std::string DecodeWords(const std::string& v) {
  std::regex word("=\\?([A-Za-z0-9-]+)\\?B\\?([A-Za-z0-9+/=]+)\\?=");
  std::string out;
  auto begin = std::sregex_iterator(v.begin(), v.end(), word);
  size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    std::string between = v.substr(last, it->position() - last);
    if (between.find_first_not_of(" \t") != std::string::npos || last == 0) out += between;
    out += Iconv(Unbase64((*it)[2]), (*it)[1].str().c_str());
    last = it->position() + it->length();
  }
  out += v.substr(last);
  // trim the space after the colon
  const size_t s = out.find_first_not_of(' ');
  return s == std::string::npos ? "" : out.substr(s);
}

Settings Config() {
  Settings c;
  c.from = "yoyaku@izumi-library.jp";
  c.from_name = "出水市立図書館";
  return c;
}

constexpr std::time_t kDate = 1796083200;  // 2026-12-01T00:00:00Z

// ---------------------------------------------------------------- composition

TEST(ComposeMessage, DocomoGetsIso2022JpThatDecodesBack) {
  Message m;
  m.to = "kyoko.izumi@docomo.ne.jp";
  m.subject = "予約資料のご用意ができました";
  m.body = "資料名: 吾輩は猫である\n番号①、髙橋さん、﨑\n絵文字😀です\nｶﾞｲﾄﾞ～ーー\n";
  auto bytes = ComposeMessage(Config(), m, "abc123@izumi-library.jp", kDate);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  for (unsigned char ch : *bytes) EXPECT_LT(ch, 0x80) << "7bit only";
  Parsed p = Parse(*bytes);
  for (const auto& l : p.header_lines) EXPECT_LE(l.size(), 76u) << l;

  EXPECT_EQ(p.headers["content-type"], " text/plain; charset=ISO-2022-JP");
  EXPECT_EQ(p.headers["content-transfer-encoding"], " 7bit");
  EXPECT_EQ(p.headers["mime-version"], " 1.0");
  EXPECT_EQ(p.headers["to"], " kyoko.izumi@docomo.ne.jp");
  EXPECT_TRUE(std::regex_match(p.headers["subject"],
                               std::regex("( =\\?ISO-2022-JP\\?B\\?[A-Za-z0-9+/=]+\\?=)+")))
      << p.headers["subject"];
  EXPECT_EQ(DecodeWords(p.headers["subject"]), m.subject);
  EXPECT_EQ(DecodeWords(p.headers["from"]), "出水市立図書館 <yoyaku@izumi-library.jp>");
  EXPECT_EQ(p.headers["message-id"], " <abc123@izumi-library.jp>");
  EXPECT_TRUE(
      std::regex_match(p.headers["date"],
                       std::regex(" (Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} [A-Z][a-z]{2} [0-9]{4} "
                                  "[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}")))
      << p.headers["date"];

  // Each body line ends in ASCII mode, so it decodes on its own.
  size_t pos = 0;
  std::string decoded;
  while (pos < p.body.size()) {
    const size_t eol = p.body.find("\r\n", pos);
    const std::string line = p.body.substr(pos, eol - pos);
    EXPECT_LE(line.size(), 76u) << line;
    decoded += Iconv(line, "ISO-2022-JP") + "\n";
    pos = eol + 2;
  }
  EXPECT_EQ(decoded, "資料名: 吾輩は猫である\n番号1、高橋さん、崎\n絵文字〓です\nガイド〜ーー\n");
}

TEST(ComposeMessage, NfkcAndVariantsForCarrierMail) {
  struct Case {
    const char* in;
    const char* want;
  } cases[] = {
      {"①②", "12"},
      {"㈱図書", "(株)図書"},
      {"ｶﾀｶﾅ", "カタカナ"},
      {"ﾊﾟﾝ", "パン"},
      {"髙﨑", "高崎"},
      {"～", "〜"},
      {"－", "−"},
      {"¥100", "￥100"},
      {"Ⅲ巻", "III巻"},
      {"한국", "〓〓"},
      {"❤\xEF\xB8\x8F", "〓"},       // variation selector: one 〓
      {"葛\xF3\xA0\x84\x80", "葛"},  // ideographic variation selector dropped
      {"a\x1b$Bb", "a$Bb"},          // ESC from the input is dropped
      {"bad\xFFutf8", "bad〓utf8"},
      {"…ＡＢ", "…ＡＢ"},  // carried as they are, no NFKC
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.in);
    Message m{"x@ezweb.ne.jp", "s", k.in};
    auto bytes = ComposeMessage(Config(), m, "1@izumi-library.jp", kDate);
    ASSERT_TRUE(bytes.ok());
    Parsed p = Parse(*bytes);
    EXPECT_EQ(Iconv(p.body, "ISO-2022-JP"), std::string(k.want) + "\r\n");
  }
}

TEST(ComposeMessage, LongCarrierLinesWrapAt76Bytes) {
  std::string title;
  for (int i = 0; i < 60; ++i) title += (i % 7 == 3) ? "A" : "図";
  Message m{"x@softbank.ne.jp", title + title, title};
  auto bytes = ComposeMessage(Config(), m, "1@izumi-library.jp", kDate);
  ASSERT_TRUE(bytes.ok());
  Parsed p = Parse(*bytes);
  for (const auto& l : p.header_lines) EXPECT_LE(l.size(), 76u) << l;
  EXPECT_EQ(DecodeWords(p.headers["subject"]), title + title);
  std::string decoded;
  size_t pos = 0, lines = 0;
  while (pos < p.body.size()) {
    const size_t eol = p.body.find("\r\n", pos);
    const std::string line = p.body.substr(pos, eol - pos);
    EXPECT_LE(line.size(), 76u);
    decoded += Iconv(line, "ISO-2022-JP");
    pos = eol + 2;
    ++lines;
  }
  EXPECT_GT(lines, 1u);
  EXPECT_EQ(decoded, title);
}

TEST(ComposeMessage, GmailGetsUtf8Base64ThatDecodesExactly) {
  Message m;
  m.to = "kenji@gmail.com";
  m.subject = "予約資料のご用意ができました";
  m.body = "吾輩は猫である ①髙😀\n二行目";
  auto bytes = ComposeMessage(Config(), m, "x@izumi-library.jp", kDate);
  ASSERT_TRUE(bytes.ok());
  Parsed p = Parse(*bytes);
  EXPECT_EQ(p.headers["content-type"], " text/plain; charset=UTF-8");
  EXPECT_EQ(p.headers["content-transfer-encoding"], " base64");
  EXPECT_NE(p.headers["subject"].find("=?UTF-8?B?"), std::string::npos);
  EXPECT_EQ(DecodeWords(p.headers["subject"]), m.subject);
  EXPECT_EQ(DecodeWords(p.headers["from"]), "出水市立図書館 <yoyaku@izumi-library.jp>");
  for (const auto& l : p.header_lines) EXPECT_LE(l.size(), 76u) << l;
  EXPECT_EQ(Unbase64(p.body), "吾輩は猫である ①髙😀\r\n二行目\r\n");
}

TEST(ComposeMessage, CrOrLfInAHeaderValueIsRefused) {
  const Message good{"a@gmail.com", "subject", "body\nwith\nlines"};
  ASSERT_TRUE(ComposeMessage(Config(), good, "1@x.jp", kDate).ok());
  for (const char* bad : {"a\r\nBcc: evil@example.com", "a\nb", "a\rb"}) {
    SCOPED_TRACE(bad);
    Message m = good;
    m.subject = bad;
    auto r = ComposeMessage(Config(), m, "1@x.jp", kDate);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
    m = good;
    m.to = std::string("a@gmail.com") + bad;
    EXPECT_EQ(ComposeMessage(Config(), m, "1@x.jp", kDate).status().code(), Status::Code::kInvalid);
    Settings c = Config();
    c.from_name = bad;
    EXPECT_EQ(ComposeMessage(c, good, "1@x.jp", kDate).status().code(), Status::Code::kInvalid);
    EXPECT_EQ(ComposeMessage(Config(), good, std::string("1@x.jp") + bad, kDate).status().code(),
              Status::Code::kInvalid);
  }
  EXPECT_FALSE(ComposeMessage(Config(), good, "<1@x.jp>", kDate).ok());
  EXPECT_FALSE(ComposeMessage(Config(), good, "no-at-sign", kDate).ok());
  Message m = good;
  m.to = "not an address";
  EXPECT_FALSE(ComposeMessage(Config(), m, "1@x.jp", kDate).ok());
}

TEST(ComposeMessage, LongAsciiSubjectIsFoldedAtSpaces) {
  std::string subject;
  for (int i = 0; i < 20; ++i) subject += "word" + std::to_string(i) + " ";
  subject += "end";
  Message m{"a@gmail.com", subject, "b"};
  auto bytes = ComposeMessage(Config(), m, "1@x.jp", kDate);
  ASSERT_TRUE(bytes.ok());
  Parsed p = Parse(*bytes);
  for (const auto& l : p.header_lines) EXPECT_LE(l.size(), 76u) << l;
  EXPECT_EQ(p.headers["subject"], " " + subject);  // unfolding gives it back
}

TEST(ComposeMessage, OldPhoneAddressIsQuoted) {
  Message m{"taro..yamada.@docomo.ne.jp", "s", "b"};
  auto bytes = ComposeMessage(Config(), m, "1@x.jp", kDate);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_EQ(Parse(*bytes).headers["to"], " \"taro..yamada.\"@docomo.ne.jp");
}

TEST(IsCarrierAddress, DomainsAndSubdomainsIgnoringCase) {
  const auto d = DefaultCarrierDomains();
  EXPECT_TRUE(IsCarrierAddress("a@docomo.ne.jp", d));
  EXPECT_TRUE(IsCarrierAddress("a@DoCoMo.NE.JP", d));
  EXPECT_TRUE(IsCarrierAddress("a@t.vodafone.softbank.ne.jp", d));
  EXPECT_TRUE(IsCarrierAddress("a@x.ezweb.ne.jp", d));
  EXPECT_TRUE(IsCarrierAddress("a@i.softbank.jp", d));
  EXPECT_TRUE(IsCarrierAddress("a@au.com", d));
  EXPECT_FALSE(IsCarrierAddress("a@notdocomo.ne.jp", d));
  EXPECT_FALSE(IsCarrierAddress("a@gmail.com", d));
  EXPECT_FALSE(IsCarrierAddress("a@docomo.ne.jp.example.com", d));
  EXPECT_FALSE(IsCarrierAddress("nodomain", d));

  // A subdomain composes as carrier mail.
  Message m{"a@x.ezweb.ne.jp", "件名", "本文"};
  auto bytes = ComposeMessage(Config(), m, "1@x.jp", kDate);
  ASSERT_TRUE(bytes.ok());
  EXPECT_NE(bytes->find("charset=ISO-2022-JP"), std::string::npos);
}

TEST(NewMessageId, RandomAtTheSendersDomain) {
  Random& random = gateway::SystemRandom();
  const std::string a = NewMessageId(Config(), random), b = NewMessageId(Config(), random);
  EXPECT_TRUE(std::regex_match(a, std::regex("[0-9a-f]{32}@izumi-library\\.jp"))) << a;
  EXPECT_NE(a, b);
  // Its random part is the given source's, nothing else.
  class Zeros : public Random {
   public:
    void Fill(unsigned char* out, size_t n) override {
      for (size_t i = 0; i < n; ++i) out[i] = 0;
    }
  } zeros;
  EXPECT_EQ(NewMessageId(Config(), zeros), std::string(32, '0') + "@izumi-library.jp");
}

// ---------------------------------------------------------------- notices

TEST(Notices, HoldReadyIsShortAndComplete) {
  const Message m =
      HoldReadyMessage("a@docomo.ne.jp", "吾輩は猫である", "中央図書館",
                       *db::Date::Parse("2026-12-08"), "出水市立図書館", "http://127.0.0.1:8080");
  EXPECT_EQ(m.subject, "予約資料のご用意ができました");
  for (const char* want :
       {"吾輩は猫である", "中央図書館", "12月8日(火)", "利用者カードをお持ちください",
        "出水市立図書館", "http://127.0.0.1:8080/account/ready"}) {
    EXPECT_NE(m.body.find(want), std::string::npos) << want;
  }
  size_t pos = 0;
  while (pos < m.body.size()) {
    const size_t eol = m.body.find('\n', pos);
    const std::string line = m.body.substr(pos, eol - pos);
    if (line.find("吾輩") == std::string::npos && line.find("http") == std::string::npos) {
      EXPECT_LE(charset::CodePointCount(line), 30u) << line;
    }
    pos = eol + 1;
  }
}

TEST(Notices, SecurityNoticesNeverHoldThePassword) {
  const Message p =
      PasswordNoticeMessage("a@gmail.com", false, kDate, "feature", "出水市立図書館", "http://x");
  EXPECT_EQ(p.subject, "パスワードの変更");
  EXPECT_NE(p.body.find("携帯電話"), std::string::npos);
  EXPECT_NE(p.body.find("日時: 12月"), std::string::npos);
  const Message r = PasswordNoticeMessage("a@gmail.com", true, kDate, "pc", "L", "http://x");
  EXPECT_EQ(r.subject, "パスワードの登録");
  EXPECT_NE(r.body.find("パソコン"), std::string::npos);
  const Message old = EmailChangedMessage("old@gmail.com", true, kDate, "L", "http://x");
  EXPECT_NE(old.body.find("今後"), std::string::npos);
  const Message now = EmailChangedMessage("new@gmail.com", false, kDate, "L", "http://x");
  EXPECT_NE(now.body.find("このアドレスに変更"), std::string::npos);
}

TEST(Notices, TheConfirmationLinkIsOneLineOfAPhonesMail) {
  // A site address of 31 characters, as long as the link allows.
  const std::string site = "https://opac.izumi-library.jp.x";
  const Message m = EmailConfirmMessage("kyoko@docomo.ne.jp", "abcdefghijklmnopqrst", kDate,
                                        "出水市立図書館", site);
  EXPECT_EQ(m.subject, "メールアドレスの確認");
  const std::string link = site + "/account/email/confirm?c=abcdefghijklmnopqrst";
  EXPECT_NE(m.body.find("\n" + link + "\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("有効期限: 12月1日(火)"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("破棄してください"), std::string::npos) << m.body;
  auto bytes = ComposeMessage(Config(), m, "x@izumi-library.jp", kDate);
  ASSERT_TRUE(bytes.ok()) << bytes.status().message();
  EXPECT_NE(bytes->find("\r\n" + link + "\r\n"), std::string::npos) << "not cut at 76 bytes";
}

// ---------------------------------------------------------------- the sender

db::LibraryRules Rules() {
  db::LibraryRules r;
  r.branches = {{"chuo", "中央図書館", {}}, {"noda", "野田図書館", {}}};
  return r;
}

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-mail-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto c = db::Connection::Open(dir_ + "/m.db");
    ASSERT_TRUE(c.ok());
    c_ = std::move(c).value();
    ASSERT_TRUE(db::Migrate(*c_).ok());
    ASSERT_TRUE(db::SyncBranches(*c_, rules_).ok());
    Sql("INSERT INTO records(id, title, volume) VALUES(1, '吾輩は猫である', '上')");
    Sql("INSERT INTO copies(id, barcode, record_id, branch, status) VALUES(1, 'B1', 1, 'chuo', "
        "'held')");
    Sql("INSERT INTO patrons(id, card, name_kana, phone, email) VALUES(1, '1000', 'イズミ', "
        "'0996', 'kyoko@docomo.ne.jp')");
    Sql("INSERT INTO patrons(id, card, name_kana, phone) VALUES(2, '2000', 'ノダ', '0996')");
    Sql("INSERT INTO holds(id, seq, record_id, patron_id, pickup_branch, contact, status, "
        "placed_at, copy_id, ready_on, pickup_deadline) VALUES(1, 1, 1, 1, 'chuo', 'mail', "
        "'ready', '2026-11-30T10:00:00Z', 1, '2026-12-01', '2026-12-08')");
    Sql("INSERT INTO outbox(id, kind, patron_id, hold_id) VALUES(1, 'hold_ready', 1, 1)");
  }
  void TearDown() override {
    c_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  void Sql(const std::string& sql) { ASSERT_TRUE(c_->Exec(sql).ok()) << sql; }
  std::string Text(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return "";
    auto r = s->Step();
    return r.ok() && *r ? s->Text(0) : "";
  }
  SenderStats Run(int64_t now, const MailTransport& t) {
    log_.clear();
    auto r = SendPending(
        *c_, mc_, "出水市立図書館", rules_, [now] { return now; }, gateway::SystemRandom(), &log_,
        t);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SenderStats{};
  }

  std::string dir_;
  std::unique_ptr<db::Connection> c_;
  db::LibraryRules rules_ = Rules();
  Settings mc_ = Config();
  std::vector<std::string> log_;
  std::vector<std::string> sent_;  // what the fake transport got
  MailTransport ok_ = [this](const std::string& to, const std::string& bytes) {
    sent_.push_back(to + "\n" + bytes);
    return SendResult{SendOutcome::kSent, "250 ok", true};
  };
  MailTransport down_ = [this](const std::string&, const std::string&) {
    sent_.push_back("(down)");
    return SendResult{SendOutcome::kTemporary, "Couldn't connect to server", false};
  };
};

constexpr int64_t kNow = 1796112000;  // 2026-12-01T08:00:00Z

TEST_F(SenderTest, SendsOnceAndRecordsIt) {
  SenderStats s = Run(kNow, ok_);
  EXPECT_EQ(s.sent, 1);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_EQ(sent_[0].substr(0, sent_[0].find('\n')), "kyoko@docomo.ne.jp");
  EXPECT_EQ(Text("SELECT status || '/' || attempts || '/' || sent_at FROM outbox"),
            "sent/1/" + std::to_string(kNow));
  auto at = db::NoticeSentAt(*c_, 1);
  ASSERT_TRUE(at.ok());
  ASSERT_TRUE(at->has_value());
  EXPECT_NE((*at)->find("12月1日"), std::string::npos) << **at;
  EXPECT_EQ(Run(kNow + 3600, ok_).sent, 0);
  EXPECT_EQ(sent_.size(), 1u);
  auto status = db::OutboxStatus(*c_);
  ASSERT_TRUE(status.ok());
  EXPECT_TRUE(status->empty());
}

TEST_F(SenderTest, BacksOffThenGivesUp) {
  int64_t now = kNow;
  const int64_t want_waits[] = {60, 120, 240, 480, 960, 1800, 1800};
  for (int64_t wait : want_waits) {
    SenderStats s = Run(now, down_);
    EXPECT_EQ(s.retried, 1);
    EXPECT_EQ(Text("SELECT status FROM outbox"), "pending");
    EXPECT_EQ(Text("SELECT next_try_at - " + std::to_string(now) + " FROM outbox"),
              std::to_string(wait));
    EXPECT_EQ(Run(now + wait - 1, down_).retried, 0) << "not due before the back-off";
    now += wait;
  }
  EXPECT_EQ(Text("SELECT last_error FROM outbox"), "Couldn't connect to server");
  SenderStats s = Run(kNow + mc_.give_up_after_s, down_);
  EXPECT_EQ(s.failed, 1);
  EXPECT_EQ(Text("SELECT status FROM outbox"), "failed");
  auto status = db::OutboxStatus(*c_);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->size(), 1u);
  EXPECT_NE((*status)[0].last_error.find("gave up"), std::string::npos);
}

TEST_F(SenderTest, PermanentRefusalFails) {
  MailTransport refuse = [](const std::string&, const std::string&) {
    return SendResult{SendOutcome::kPermanent, "550 no such user", true};
  };
  EXPECT_EQ(Run(kNow, refuse).failed, 1);
  EXPECT_EQ(Text("SELECT status || ': ' || last_error FROM outbox"),
            "failed: refused: 550 no such user");
}

TEST_F(SenderTest, UnreachableServerStopsTheRun) {
  Sql("INSERT INTO outbox(id, kind, patron_id, hold_id) VALUES(2, 'hold_ready', 1, 1)");
  SenderStats s = Run(kNow, down_);
  EXPECT_EQ(s.retried, 1);
  EXPECT_EQ(sent_.size(), 1u) << "the second notice waits for the next run";
  EXPECT_EQ(Text("SELECT status || attempts FROM outbox WHERE id = 2"), "pending0");
}

TEST_F(SenderTest, CrashMidSendIsSentOnceMoreThenFailed) {
  // As if a sender died after claiming the row, an hour ago.
  Sql("UPDATE outbox SET status = 'sending', sending_at = " + std::to_string(kNow - 3600) +
      ", attempts = 1, first_try_at = " + std::to_string(kNow - 3600) +
      ", message_id = 'kept@izumi-library.jp'");
  // A claim younger than any send could take is left alone (another sender is busy).
  EXPECT_EQ(Run(kNow - 3600 + 30, ok_).sent, 0);
  SenderStats s = Run(kNow, ok_);
  EXPECT_EQ(s.sent, 1);
  ASSERT_EQ(sent_.size(), 1u);
  EXPECT_NE(sent_[0].find("Message-ID: <kept@izumi-library.jp>"), std::string::npos);
  bool logged = false;
  for (const auto& l : log_)
    logged |= l.find("outcome uncertain, sending once more") != std::string::npos;
  EXPECT_TRUE(logged);
  EXPECT_EQ(Run(kNow + 60, ok_).sent, 0);

  // Stopped mid-send again during the uncertain resend: failed, not sent a third time.
  Sql("UPDATE outbox SET status = 'sending', sending_at = " + std::to_string(kNow) +
      ", resent_uncertain = 1");
  SenderStats again = Run(kNow + 3600, ok_);
  EXPECT_EQ(again.sent, 0);
  EXPECT_EQ(again.failed, 1);
  EXPECT_EQ(sent_.size(), 1u);
  EXPECT_EQ(Text("SELECT status FROM outbox"), "failed");
}

TEST_F(SenderTest, NoAddressFailsAndAHoldNoLongerReadyIsSkipped) {
  Sql("UPDATE outbox SET patron_id = 2");
  EXPECT_EQ(Run(kNow, ok_).failed, 1);
  EXPECT_EQ(Text("SELECT status || ': ' || last_error FROM outbox"),
            "failed: the patron has no e-mail address");
  Sql("INSERT INTO outbox(id, kind, patron_id, hold_id) VALUES(2, 'hold_ready', 1, 1)");
  Sql("UPDATE holds SET status = 'fulfilled'");
  SenderStats s = Run(kNow, ok_);
  EXPECT_EQ(s.sent + s.failed, 0);
  EXPECT_EQ(Text("SELECT status FROM outbox WHERE id = 2"), "skipped");
  EXPECT_TRUE(sent_.empty());
}

TEST_F(SenderTest, SecurityNoticesGoToTheirAddresses) {
  Sql("DELETE FROM outbox");
  {
    db::Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    const db::NoticeLimits limits;
    ASSERT_TRUE(
        db::QueueNotice(*c_, "email_changed", 1, "old@gmail.com", "old", kNow, limits).ok());
    ASSERT_TRUE(
        db::QueueNotice(*c_, "email_changed", 1, "kyoko@docomo.ne.jp", "new", kNow, limits).ok());
    ASSERT_TRUE(db::QueueNotice(*c_, "password_changed", 1, "kyoko@docomo.ne.jp", "smartphone",
                                kNow, limits)
                    .ok());
    EXPECT_FALSE(
        db::QueueNotice(*c_, "hold_ready", 1, "kyoko@docomo.ne.jp", "", kNow, limits).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  EXPECT_EQ(Run(kNow, ok_).sent, 3);
  ASSERT_EQ(sent_.size(), 3u);
  EXPECT_EQ(sent_[0].substr(0, sent_[0].find('\n')), "old@gmail.com");
  EXPECT_EQ(sent_[1].substr(0, sent_[1].find('\n')), "kyoko@docomo.ne.jp");
  EXPECT_EQ(sent_[2].substr(0, sent_[2].find('\n')), "kyoko@docomo.ne.jp");
}

// Each claim is stamped when it is made, not when the run began: a run that
// takes longer than a lease never leaves its later rows looking abandoned.
TEST_F(SenderTest, EachClaimHasItsOwnTimeAndTheCardOnlyItsLastDigits) {
  Sql("UPDATE patrons SET card = '1000000011' WHERE id = 1");
  for (int i = 2; i <= 4; ++i) {
    Sql("INSERT INTO outbox(id, kind, patron_id, to_address, detail) VALUES(" + std::to_string(i) +
        ", 'password_changed', 1, 'n" + std::to_string(i) + "@example.jp', 'pc')");
  }
  int64_t clock = kNow;
  std::vector<int64_t> claimed_at;
  MailTransport slow = [&](const std::string&, const std::string&) {
    claimed_at.push_back(
        std::stoll(Text("SELECT sending_at FROM outbox WHERE status = 'sending'")));
    clock += 100;  // each send takes 100 s: the run lasts longer than a lease
    return SendResult{SendOutcome::kSent, "250 ok", true};
  };
  log_.clear();
  auto r = SendPending(
      *c_, mc_, "出水市立図書館", rules_, [&] { return clock; }, gateway::SystemRandom(), &log_,
      slow);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sent, 4);
  EXPECT_EQ(claimed_at, (std::vector<int64_t>{kNow, kNow + 100, kNow + 200, kNow + 300}));
  EXPECT_EQ(Text("SELECT group_concat(sent_at, ' ') FROM outbox"),
            std::to_string(kNow + 100) + " " + std::to_string(kNow + 200) + " " +
                std::to_string(kNow + 300) + " " + std::to_string(kNow + 400));
  ASSERT_FALSE(log_.empty());
  for (const auto& l : log_) {
    EXPECT_EQ(l.find("1000000011"), std::string::npos) << l;
    EXPECT_NE(l.find("card ...0011"), std::string::npos) << l;
  }
}

// Another sender took a row over while this one was sending it: this one
// records nothing on it, says so, and goes on with the next row.
TEST_F(SenderTest, ARowAnotherSenderHoldsIsNeverMarkedAndTheRunGoesOn) {
  Sql("INSERT INTO outbox(id, kind, patron_id, to_address, detail) VALUES(2, 'password_changed',"
      " 1, 'n2@example.jp', 'pc')");
  MailTransport taken = [&](const std::string& to, const std::string& bytes) {
    if (sent_.empty()) {  // meanwhile, someone else holds the first row
      Sql("UPDATE outbox SET claim_token = 'other', sending_at = " + std::to_string(kNow + 1) +
          " WHERE id = 1");
    }
    return ok_(to, bytes);
  };
  SenderStats s = Run(kNow, taken);
  EXPECT_EQ(s.sent, 1);
  EXPECT_EQ(s.errors, 1);
  EXPECT_EQ(sent_.size(), 2u);
  EXPECT_EQ(Text("SELECT status || '/' || claim_token FROM outbox WHERE id = 1"), "sending/other")
      << "left as the other sender holds it";
  EXPECT_EQ(Text("SELECT status FROM outbox WHERE id = 2"), "sent");
  bool said = false;
  for (const auto& l : log_)
    said |= l.find("notice 1") == 0 && l.find("not recorded") != std::string::npos;
  EXPECT_TRUE(said);
  // Nor does an abandoned row's outcome count once someone else took it over.
  EXPECT_EQ(Run(kNow + 2, ok_).sent, 0) << "the other sender's claim is young";
}

TEST_F(SenderTest, AConfirmationCarriesItsLinkAndItsCodeGoesOnceSent) {
  Sql("DELETE FROM outbox");
  Sql("INSERT INTO outbox(id, kind, patron_id, to_address, detail, created_at) VALUES(5,"
      " 'email_confirm', 1, 'new@example.jp', 'abcdefghijklmnopqrst', '2026-12-01T07:00:00Z')");
  EXPECT_EQ(Run(kNow, ok_).sent, 1);
  ASSERT_EQ(sent_.size(), 1u);
  const std::string body = sent_[0].substr(sent_[0].find("\r\n\r\n") + 4);
  EXPECT_NE(Unbase64(body).find("/account/email/confirm?c=abcdefghijklmnopqrst"),
            std::string::npos);
  EXPECT_EQ(Text("SELECT status || '/' || ifnull(detail, '-') FROM outbox"), "sent/-");
  // One that waited past its validity is not sent.
  Sql("INSERT INTO outbox(id, kind, patron_id, to_address, detail, created_at) VALUES(6,"
      " 'email_confirm', 1, 'new@example.jp', 'bcdefghijklmnopqrstu', '2026-11-30T07:00:00Z')");
  EXPECT_EQ(Run(kNow, ok_).sent, 0);
  EXPECT_EQ(Text("SELECT status || '/' || ifnull(detail, '-') FROM outbox WHERE id = 6"),
            "skipped/-");
}

TEST_F(SenderTest, MigrationRebuildsTheOutboxKeepingItsRows) {
  // Put back the outbox of schema 6 with a row in each state, then migrate again.
  Sql("DROP TABLE outbox");
  Sql(R"sql(CREATE TABLE outbox(
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK(kind IN ('hold_ready')),
  patron_id  INTEGER NOT NULL REFERENCES patrons(id),
  hold_id    INTEGER REFERENCES holds(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  sent_at    TEXT,
  status     TEXT NOT NULL DEFAULT 'pending' CHECK(status IN ('pending','sent','failed'))
))sql");
  Sql("INSERT INTO outbox(id, kind, patron_id, hold_id, created_at) VALUES(1, 'hold_ready', 1, 1,"
      " '2026-11-30T01:00:00Z')");
  Sql("INSERT INTO outbox(id, kind, patron_id, hold_id, sent_at, status) VALUES(2, 'hold_ready', 1,"
      " 1, '2026-12-01T00:00:00Z', 'sent')");
  Sql("PRAGMA user_version = 6");
  ASSERT_TRUE(db::Migrate(*c_).ok());
  EXPECT_EQ(Text("SELECT group_concat(id || ':' || status || ':' || ifnull(sent_at, '-') || ':' ||"
                 " created_at, ' ') FROM outbox"),
            "1:pending:-:2026-11-30T01:00:00Z 2:sent:1796083200:" +
                Text("SELECT created_at FROM outbox WHERE id = 2"));
  EXPECT_EQ(Text("PRAGMA foreign_key_check"), "");
  EXPECT_EQ(Run(kNow, ok_).sent, 1);
}

// ---------------------------------------------------------------- libcurl

// The first send opens libcurl; senders on several threads at once get the
// one copy, initialised once. curl_lib.cc counts on Debian's build having
// thread-safe init as well: if this fails on a new libcurl, read the comment
// above curl_global_init there.
TEST(CurlLibrary, OpenedOnceForEveryThreadWithThreadSafeInit) {
  std::vector<const detail::CurlApi*> got(8, nullptr);
  std::vector<std::thread> threads;
  for (auto& g : got) {
    threads.emplace_back([&g] {
      auto api = detail::LoadCurl();
      if (api.ok()) g = *api;
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_NE(got[0], nullptr);
  for (const auto* g : got) EXPECT_EQ(g, got[0]);
  const curl_version_info_data* v = got[0]->curl_version_info(CURLVERSION_NOW);
  ASSERT_NE(v, nullptr);
  EXPECT_NE(v->features & CURL_VERSION_THREADSAFE, 0) << v->version;
  CURL* h = got[0]->curl_easy_init();
  EXPECT_NE(h, nullptr);
  got[0]->curl_easy_cleanup(h);
}

}  // namespace
}  // namespace shiori::mail
