// Tests for the back office's accounts, login, sessions and audit: db/staff.h
// on a real SQLite file, then the staff application's request path
// (gateway::StaffApp) called directly with an injected clock — login and its
// rotation, the idle timeout, the CSRF tokens, the roles.
#include "db/staff.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <vector>

#include "db/schema.h"
#include "db/sqlite.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "gateway/http.h"

namespace shiori {
namespace {

const db::PasswordHashing kFastHashing{1, 8u << 20};
const db::Throttle kThrottle;
constexpr int64_t kNow = 1'800'000'000;
constexpr char kPassword[] = "correct-horse-1";

std::string Repeat(std::string_view s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

class StaffDb : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-staff-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto c = db::Connection::Open(path());
    ASSERT_TRUE(c.ok()) << c.status().message();
    c_ = std::move(c).value();
    ASSERT_TRUE(db::Migrate(*c_).ok());
    ASSERT_TRUE(db::SyncBranches(*c_, gateway::DefaultConfig().rules).ok());
  }
  void TearDown() override {
    c_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string path() const { return dir_ + "/shiori.db"; }

  int64_t Add(const std::string& login, const std::string& role = "counter",
              const std::string& password = kPassword) {
    auto id = db::AddStaff(*c_, {login, "窓口 太郎", role}, password, kFastHashing, kNow);
    EXPECT_TRUE(id.ok()) << id.status().message();
    return id.ok() ? *id : -1;
  }
  Result<db::StaffMember> Login(std::string_view login, std::string_view password,
                                int64_t now = kNow, std::string_view address = "192.0.2.1") {
    return db::StaffLogin(*c_, login, password, address, "", kThrottle, now);
  }
  int64_t Int(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok());
    auto r = s->Step();
    EXPECT_TRUE(r.ok() && *r) << sql;
    return s->Int(0);
  }

  std::string dir_;
  std::unique_ptr<db::Connection> c_;
};

TEST_F(StaffDb, AddChecksEveryFieldInJapaneseAndNeverReusesALogin) {
  struct Case {
    db::StaffInput in;
    const char* password;
    Status::Code code;
    const char* words;  // in the message
  } cases[] = {
      {{"", "窓口 太郎", "counter"}, kPassword, Status::Code::kInvalid, "職員IDを入力"},
      {{"yamada taro", "窓口 太郎", "counter"}, kPassword, Status::Code::kInvalid, "英小文字"},
      {{"-yamada", "窓口 太郎", "counter"}, kPassword, Status::Code::kInvalid, "先頭"},
      {{std::string(33, 'a'), "窓口 太郎", "counter"}, kPassword, Status::Code::kInvalid, "32文字"},
      {{"yamada", "　", "counter"}, kPassword, Status::Code::kInvalid, "氏名を入力"},
      {{"yamada", "窓口\x1B[31m", "counter"}, kPassword, Status::Code::kInvalid, "使えない文字"},
      {{"yamada", Repeat("窓", 41), "counter"}, kPassword, Status::Code::kInvalid, "40文字"},
      {{"yamada", "窓口 太郎", "boss"}, kPassword, Status::Code::kInvalid, "権限"},
      {{"yamada", "窓口 太郎", "counter"}, "short-pw", Status::Code::kInvalid, "10文字以上"},
      {{"yamada", "窓口 太郎", "counter"},
       "１２３４５６７８９",
       Status::Code::kInvalid,
       "10文字以上"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in.login + " / " + c.in.role + " / " + c.password);
    auto r = db::AddStaff(*c_, c.in, c.password, kFastHashing, kNow);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), c.code);
    EXPECT_NE(r.status().message().find(c.words), std::string::npos) << r.status().message();
    if (c.password == std::string(kPassword)) {
      EXPECT_EQ(db::CheckNewStaff(*c_, c.in).message(), r.status().message())
          << "the command line refuses before asking for the password, with the same words";
    }
  }
  EXPECT_EQ(Int("SELECT count(*) FROM staff"), 0);

  // Logins are compared in lower case and half-width; one is never taken twice,
  // not even once disabled (the audit names it).
  Add("Yamada");
  auto found = db::FindStaff(*c_, "ＹＡＭＡＤＡ");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->login, "yamada");
  ASSERT_TRUE(db::DisableStaff(*c_, "yamada", kNow).ok());
  auto again = db::AddStaff(*c_, {"yamada", "山田", "admin"}, kPassword, kFastHashing, kNow);
  EXPECT_EQ(again.status().code(), Status::Code::kConflict);
  EXPECT_NE(again.status().message().find("利用停止中"), std::string::npos);
  EXPECT_EQ(db::CheckNewStaff(*c_, {"yamada", "山田", "admin"}).message(),
            again.status().message());
}

TEST_F(StaffDb, PasswordsAreTenCharactersOrMoreAndNeverStoredInClear) {
  EXPECT_FALSE(db::CheckStaffPassword("123456789").ok());
  EXPECT_TRUE(db::CheckStaffPassword("1234567890").ok());
  EXPECT_TRUE(db::CheckStaffPassword("としょかんのぱすわーど").ok()) << "characters, not bytes";
  EXPECT_FALSE(db::CheckStaffPassword("ぱすわーど").ok()) << "15 bytes, 5 characters";
  EXPECT_FALSE(db::CheckStaffPassword(std::string(129, 'x')).ok());
  EXPECT_FALSE(db::CheckStaffPassword("1234567890\t").ok());
  Add("suzuki");
  auto s = c_->Prepare("SELECT password_hash FROM staff");
  ASSERT_TRUE(s.ok() && *s->Step());
  EXPECT_EQ(s->Text(0).rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(s->Text(0).find(kPassword), std::string::npos);
  // Full-width letters typed with the IME on are the same password.
  EXPECT_TRUE(Login("suzuki", "ｃｏｒｒｅｃｔ－ｈｏｒｓｅ－１").ok());
}

TEST_F(StaffDb, AMismatchIsOneMessageForAnUnknownLoginAWrongPasswordAndADisabledAccount) {
  Add("tanaka");
  Add("sato");
  ASSERT_TRUE(db::DisableStaff(*c_, "sato", kNow).ok());
  auto ok = Login("TANAKA", kPassword);
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->login, "tanaka");
  EXPECT_EQ(ok->role, "counter");
  for (auto [login, password] : {std::pair{"tanaka", "wrong-password"},
                                 std::pair{"nobody", kPassword}, std::pair{"sato", kPassword}}) {
    SCOPED_TRACE(login);
    auto r = Login(login, password);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
    EXPECT_EQ(r.status().message(), db::kStaffLoginMismatch);
  }
}

TEST_F(StaffDb, FiveFailuresLockTheLoginEvenWithTheRightPasswordForFifteenMinutes) {
  Add("kimura");
  for (int i = 0; i < 5; ++i) {
    // From five addresses: the login itself is what is counted.
    auto r = Login("kimura", "wrong-password", kNow + i, "192.0.2." + std::to_string(i));
    EXPECT_EQ(r.status().message(), db::kStaffLoginMismatch);
  }
  auto locked = Login("kimura", kPassword, kNow + 10);
  ASSERT_FALSE(locked.ok());
  EXPECT_EQ(locked.status().code(), Status::Code::kLocked);
  EXPECT_NE(locked.status().message().find("15分後"), std::string::npos)
      << locked.status().message();
  // An unknown login locks the same way: the lock tells nobody who exists.
  for (int i = 0; i < 5; ++i) (void)Login("ghost", "wrong-password", kNow + i, "");
  EXPECT_EQ(Login("ghost", "wrong-password", kNow + 10, "").status().code(), Status::Code::kLocked);
  // Still locked a moment before fifteen minutes after the last failure ...
  EXPECT_EQ(Login("kimura", kPassword, kNow + 4 + 15 * 60 - 1).status().code(),
            Status::Code::kLocked);
  // ... and in at fifteen.
  auto in = Login("kimura", kPassword, kNow + 4 + 15 * 60);
  EXPECT_TRUE(in.ok()) << in.status().message();
  EXPECT_EQ(Int("SELECT count(*) FROM staff_failures WHERE key = 'login:kimura'"), 0)
      << "a success forgets the login's failures";
}

TEST_F(StaffDb, OneAddressIsRefusedAfterThirtyFailuresAcrossLoginsAndKeptOnlyHashed) {
  for (int i = 0; i < 7; ++i) Add("user" + std::to_string(i));
  int failures = 0;
  for (int i = 0; i < 6; ++i) {  // five on each of six logins: none of them locked yet
    for (int j = 0; j < 5; ++j, ++failures) {
      EXPECT_EQ(Login("user" + std::to_string(i), "wrong-password", kNow + failures, "198.51.100.7")
                    .status()
                    .code(),
                Status::Code::kInvalid);
    }
  }
  auto r = Login("user6", kPassword, kNow + 31, "198.51.100.7");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kLocked);
  EXPECT_NE(r.status().message().find("この端末"), std::string::npos) << r.status().message();
  EXPECT_TRUE(Login("user6", kPassword, kNow + 31, "198.51.100.8").ok()) << "another address";
  // Ten minutes after the last failure the address may try again.
  EXPECT_TRUE(Login("user6", kPassword, kNow + 29 + 10 * 60, "198.51.100.7").ok());
  EXPECT_EQ(Int("SELECT count(*) FROM staff_failures WHERE key LIKE '%198.51.100%'"), 0);
  EXPECT_EQ(Int("SELECT count(*) FROM staff_failures WHERE key LIKE 'source:%'"), 2)
      << "one counter for each address";
  // The daily purge forgets counters past their time.
  auto n = db::PurgeStaffFailures(*c_, kThrottle, kNow + 3600);
  ASSERT_TRUE(n.ok());
  EXPECT_GT(*n, 0);
  EXPECT_EQ(Int("SELECT count(*) FROM staff_failures"), 0);
}

TEST_F(StaffDb, AnIdleSessionEndsAndActivityKeepsItAlive) {
  const int64_t id = Add("ito");
  const int64_t idle = 30 * 60;
  auto sid = db::CreateStaffSession(*c_, "hash-1", "csrf-1", id, "noda", kNow);
  ASSERT_TRUE(sid.ok()) << sid.status().message();
  EXPECT_EQ(db::CreateStaffSession(*c_, "hash-2", "csrf-2", id, "nowhere", kNow).status().code(),
            Status::Code::kConflict);
  // Used every 29 minutes, it lives on.
  for (int64_t t = kNow + 29 * 60; t < kNow + 3 * 3600; t += 29 * 60) {
    auto s = db::FindStaffSession(*c_, "hash-1", t, idle);
    ASSERT_TRUE(s.ok() && s->has_value()) << t - kNow;
    EXPECT_EQ((*s)->branch, "noda");
    EXPECT_EQ((*s)->staff.login, "ito");
    EXPECT_EQ((*s)->csrf, "csrf-1");
  }
  const int64_t last = Int("SELECT seen_at FROM staff_sessions");
  auto still = db::FindStaffSession(*c_, "hash-1", last + idle - 1, idle);
  ASSERT_TRUE(still.ok() && still->has_value());
  // Thirty minutes without a request: gone, and deleted.
  auto gone = db::FindStaffSession(*c_, "hash-1", last + idle - 1 + idle, idle);
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  EXPECT_EQ(Int("SELECT count(*) FROM staff_sessions"), 0);
  // The purge takes those nobody came back to.
  ASSERT_TRUE(db::CreateStaffSession(*c_, "hash-3", "csrf-3", id, "chuo", kNow).ok());
  ASSERT_TRUE(db::CreateStaffSession(*c_, "hash-4", "csrf-4", id, "chuo", kNow + idle).ok());
  auto purged = db::PurgeStaffSessions(*c_, kNow + idle, idle);
  ASSERT_TRUE(purged.ok());
  EXPECT_EQ(*purged, 1);
}

TEST_F(StaffDb, DisablingEndsTheSessionsAndANewPasswordEndsThemAndLiftsTheLock) {
  const int64_t id = Add("endo");
  ASSERT_TRUE(db::CreateStaffSession(*c_, "h1", "c1", id, "chuo", kNow).ok());
  for (int i = 0; i < 5; ++i) (void)Login("endo", "wrong-password");
  ASSERT_EQ(Login("endo", kPassword).status().code(), Status::Code::kLocked);
  // A new password: every session ends, the lock is lifted at once.
  EXPECT_EQ(db::SetStaffPassword(*c_, "endo", "short", kFastHashing, kNow).code(),
            Status::Code::kInvalid);
  EXPECT_EQ(db::SetStaffPassword(*c_, "nobody", "new-password-1", kFastHashing, kNow).message(),
            db::kStaffUnknownLogin);
  ASSERT_TRUE(db::SetStaffPassword(*c_, "endo", "new-password-1", kFastHashing, kNow).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM staff_sessions"), 0);
  EXPECT_EQ(Login("endo", kPassword).status().message(), db::kStaffLoginMismatch);
  ASSERT_TRUE(Login("endo", "new-password-1").ok());
  // Disabled: the sessions end and the right password is refused like a wrong one.
  ASSERT_TRUE(db::CreateStaffSession(*c_, "h2", "c2", id, "chuo", kNow).ok());
  auto changed = db::DisableStaff(*c_, "endo", kNow);
  ASSERT_TRUE(changed.ok());
  EXPECT_TRUE(*changed);
  EXPECT_EQ(Int("SELECT count(*) FROM staff_sessions"), 0);
  EXPECT_EQ(Login("endo", "new-password-1").status().message(), db::kStaffLoginMismatch);
  auto twice = db::DisableStaff(*c_, "endo", kNow);
  ASSERT_TRUE(twice.ok());
  EXPECT_FALSE(*twice) << "disabled already";
  EXPECT_EQ(db::DisableStaff(*c_, "nobody", kNow).status().code(), Status::Code::kNotFound);
}

TEST_F(StaffDb, TheAuditKeepsEveryFieldNewestFirst) {
  db::AuditEntry e;
  e.at = kNow;
  e.staff = "tanaka";
  e.branch = "noda";
  e.action = "checkout";
  e.card = "1000000011";
  e.barcode = "2000000123";
  e.detail = "返却期限 12月21日(月)";
  ASSERT_TRUE(db::RecordAudit(*c_, e).ok());
  db::AuditEntry cli;
  cli.at = kNow;  // the same second: the later entry still comes first
  cli.staff = "cli:root";
  cli.action = "staff_add";
  cli.outcome = "パスワードは10文字以上にしてください。";
  ASSERT_TRUE(db::RecordAudit(*c_, cli).ok());
  cli.at = kNow - 60;
  ASSERT_TRUE(db::RecordAudit(*c_, cli).ok());
  auto list = db::ListAudit(*c_, 0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].staff, "cli:root");
  EXPECT_EQ((*list)[0].at, kNow);
  EXPECT_EQ((*list)[0].branch, "");
  EXPECT_EQ((*list)[0].outcome, "パスワードは10文字以上にしてください。");
  const db::AuditEntry& got = (*list)[1];
  EXPECT_EQ(got.staff, "tanaka");
  EXPECT_EQ(got.branch, "noda");
  EXPECT_EQ(got.action, "checkout");
  EXPECT_EQ(got.card, "1000000011") << "kept whole; pages show the last digits";
  EXPECT_EQ(got.barcode, "2000000123");
  EXPECT_EQ(got.outcome, "ok");
  EXPECT_EQ(got.detail, "返却期限 12月21日(月)");
  EXPECT_EQ((*list)[2].at, kNow - 60);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE branch IS NULL AND card IS NULL"), 2)
      << "empty fields are NULL";
  auto second = db::ListAudit(*c_, 2, 10);
  ASSERT_TRUE(second.ok());
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ(db::AuditOutcome(Status::Ok()), "ok");
  EXPECT_EQ(db::AuditOutcome(Status::Conflict("貸出中です。")), "貸出中です。");
  EXPECT_EQ(db::AuditOutcome(Status::Io("disk I/O error")), "error") << "no system message";
}

// ---------------------------------------------------------------- the request path

class FakeClock : public gateway::Clock {
 public:
  int64_t Now() const override { return now.load(); }
  db::Date Today() const override { return *db::Date::Parse("2027-01-15"); }
  std::atomic<int64_t> now{kNow};
};

// The staff application on a real database, called without a server.
class StaffAppTest : public StaffDb {
 protected:
  void SetUp() override {
    StaffDb::SetUp();
    cfg_ = gateway::DefaultConfig();
    cfg_.db_path = path();
    auto pool = db::Pool::Open(path(), 2);
    ASSERT_TRUE(pool.ok());
    pool_ = std::move(pool).value();
    app_ = std::make_unique<gateway::StaffApp>(cfg_, *pool_, clock_, gateway::SystemRandom());
    Add("madoguchi", "counter");
    Add("kanri", "admin");
  }
  void TearDown() override {
    app_.reset();
    pool_.reset();
    StaffDb::TearDown();
  }

  struct Browser {
    std::string staff, pre;  // the two cookies
    std::string CookieHeader() const {
      std::string h;
      if (!staff.empty()) h += "staff=" + staff;
      if (!pre.empty()) h += std::string(h.empty() ? "" : "; ") + "staff_pre=" + pre;
      return h;
    }
  };
  gateway::Response Call(Browser& b, const std::string& method, const std::string& path,
                         gateway::Pairs form = {}) {
    gateway::Request req;
    req.method = method;
    req.path = path;
    req.remote = "127.0.0.1";
    if (!b.CookieHeader().empty()) req.headers.emplace_back("cookie", b.CookieHeader());
    req.form = std::move(form);
    gateway::Response r = app_->Handle(req);
    for (const auto& [k, v] : r.headers) {
      if (k != "Set-Cookie") continue;
      const std::string value = v.substr(v.find('=') + 1, v.find(';') - v.find('=') - 1);
      (v.rfind("staff=", 0) == 0 ? b.staff : b.pre) = value;
    }
    return r;
  }
  // The CSRF token of the first form of `page`.
  static std::string Token(const std::string& page) {
    const std::string marker = "name=\"_t\" value=\"";
    const size_t at = page.find(marker);
    if (at == std::string::npos) return "";
    return page.substr(at + marker.size(), page.find('"', at + marker.size()) - at - marker.size());
  }
  gateway::Response LogIn(Browser& b, const std::string& login, const std::string& branch = "noda",
                          const std::string& password = kPassword) {
    gateway::Response form = Call(b, "GET", "/staff/login");
    EXPECT_EQ(form.status, 200);
    return Call(
        b, "POST", "/staff/login",
        {{"_t", Token(form.body)}, {"login", login}, {"password", password}, {"branch", branch}});
  }

  gateway::Config cfg_;
  FakeClock clock_;
  std::unique_ptr<db::Pool> pool_;
  std::unique_ptr<gateway::StaffApp> app_;
};

TEST_F(StaffAppTest, EachLoginGivesANewTokenAndTheOldOneStopsWorking) {
  Browser b;
  gateway::Response in = LogIn(b, "madoguchi");
  ASSERT_EQ(in.status, 303) << in.body;
  const std::string first = b.staff;
  ASSERT_EQ(first.size(), 32u);
  EXPECT_EQ(Int("SELECT count(*) FROM staff_sessions WHERE token_hash = '" + first + "'"), 0)
      << "only the token's hash is stored";
  gateway::Response home = Call(b, "GET", "/staff");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("野田図書館で作業中"), std::string::npos);
  EXPECT_NE(home.body.find("窓口 太郎"), std::string::npos);

  // The same browser logs in again (another branch): a new token, the old one is worth nothing.
  ASSERT_EQ(LogIn(b, "madoguchi", "takaono").status, 303);
  EXPECT_NE(b.staff, first);
  EXPECT_NE(Call(b, "GET", "/staff").body.find("高尾野図書館で作業中"), std::string::npos);
  Browser old{first, ""};
  gateway::Response stale = Call(old, "GET", "/staff");
  EXPECT_EQ(stale.status, 303);
  EXPECT_EQ(Int("SELECT count(*) FROM staff_sessions"), 1);
}

TEST_F(StaffAppTest, ASessionEndsAfterItsIdleMinutes) {
  Browser b;
  ASSERT_EQ(LogIn(b, "madoguchi").status, 303);
  clock_.now += 29 * 60;
  EXPECT_EQ(Call(b, "GET", "/staff").status, 200);
  clock_.now += 29 * 60;
  EXPECT_EQ(Call(b, "GET", "/staff").status, 200) << "each request starts the idle time again";
  clock_.now += 30 * 60;
  gateway::Response r = Call(b, "GET", "/staff/audit");
  EXPECT_EQ(r.status, 303);
  bool to_login = false;
  for (const auto& [k, v] : r.headers)
    to_login |= k == "Location" && v == "/staff/login?next=%2Fstaff%2Faudit";
  EXPECT_TRUE(to_login) << "back to the page asked for after the login";

  // [staff] idle_minutes sets it.
  cfg_.staff_idle_minutes = 5;
  app_ = std::make_unique<gateway::StaffApp>(cfg_, *pool_, clock_, gateway::SystemRandom());
  ASSERT_EQ(LogIn(b, "madoguchi").status, 303);
  clock_.now += 5 * 60;
  EXPECT_EQ(Call(b, "GET", "/staff").status, 303);
}

TEST_F(StaffAppTest, APostNeedsTheSessionsTokenOrTheLoginFormsOwn) {
  Browser b;
  gateway::Response form = Call(b, "GET", "/staff/login");
  const std::string token = Token(form.body);
  ASSERT_FALSE(b.pre.empty()) << "the login form's token is bound to a cookie";
  gateway::Pairs login = {{"login", "madoguchi"}, {"password", kPassword}, {"branch", "noda"}};
  auto with = [](gateway::Pairs p, const std::string& t) {
    p.emplace_back("_t", t);
    return p;
  };
  // No token, a made-up one, another browser's, one past its twelve hours.
  Browser other;
  const std::string others = Token(Call(other, "GET", "/staff/login").body);
  EXPECT_EQ(Call(b, "POST", "/staff/login", login).status, 403);
  EXPECT_EQ(Call(b, "POST", "/staff/login", with(login, "1-deadbeef")).status, 403);
  EXPECT_EQ(Call(b, "POST", "/staff/login", with(login, others)).status, 403);
  Browser no_cookie;
  EXPECT_EQ(Call(no_cookie, "POST", "/staff/login", with(login, token)).status, 403);
  clock_.now += 12 * 3600 + 1;
  EXPECT_EQ(Call(b, "POST", "/staff/login", with(login, token)).status, 403);
  clock_.now -= 12 * 3600 + 1;
  gateway::Response refused = Call(b, "POST", "/staff/login", login);
  EXPECT_NE(refused.body.find("もう一度操作してください"), std::string::npos);
  EXPECT_EQ(Int("SELECT count(*) FROM audit"), 0) << "a refused POST reaches no handler";
  ASSERT_EQ(Call(b, "POST", "/staff/login", with(login, token)).status, 303);

  // Logged in: only the session's own token will do.
  const std::string csrf = Token(Call(b, "GET", "/staff").body);
  ASSERT_EQ(csrf.size(), 32u);
  EXPECT_EQ(Call(b, "POST", "/staff/logout", {}).status, 403);
  EXPECT_EQ(Call(b, "POST", "/staff/logout", {{"_t", token}}).status, 403)
      << "a login form's token is no session's";
  EXPECT_EQ(Call(b, "GET", "/staff").status, 200) << "still logged in";
  EXPECT_EQ(Call(b, "POST", "/staff/logout", {{"_t", csrf}}).status, 303);
  EXPECT_TRUE(b.staff.empty()) << "the cookie is cleared";
  EXPECT_EQ(Int("SELECT count(*) FROM staff_sessions"), 0);
}

TEST_F(StaffAppTest, TheRoleDecidesWhoOpensTheAudit) {
  Browser counter, admin;
  ASSERT_EQ(LogIn(counter, "madoguchi").status, 303);
  ASSERT_EQ(LogIn(admin, "kanri", "chuo").status, 303);
  gateway::Response refused = Call(counter, "GET", "/staff/audit");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("管理者"), std::string::npos);
  EXPECT_EQ(Call(counter, "GET", "/staff").body.find("/staff/audit"), std::string::npos)
      << "not in a counter member's menu";
  gateway::Response audit = Call(admin, "GET", "/staff/audit");
  EXPECT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("madoguchi"), std::string::npos);
}

TEST_F(StaffAppTest, AFailedLoginIsAuditedAndTellsNothingOfTheLogin) {
  Browser b;
  gateway::Response unknown = LogIn(b, "nobody\x1B[31m");
  gateway::Response wrong = LogIn(b, "madoguchi", "noda", "wrong-password");
  EXPECT_EQ(unknown.status, 403);
  EXPECT_EQ(wrong.status, 403);
  EXPECT_NE(unknown.body.find(db::kStaffLoginMismatch), std::string::npos);
  EXPECT_NE(wrong.body.find(db::kStaffLoginMismatch), std::string::npos);
  EXPECT_NE(unknown.body.find("role=\"status\""), std::string::npos);
  auto list = db::ListAudit(*c_, 0, 10);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[1].staff, "nobody[31m") << "kept on one line, without controls";
  EXPECT_EQ((*list)[0].staff, "madoguchi");
  EXPECT_EQ((*list)[0].outcome, db::kStaffLoginMismatch);
  EXPECT_EQ((*list)[0].branch, "noda");
  EXPECT_EQ((*list)[0].detail, "接続元 127.0.0.1");
  // A branch that is not configured is refused before any password is tried.
  gateway::Response nowhere = LogIn(b, "madoguchi", "atlantis");
  EXPECT_EQ(nowhere.status, 400);
  EXPECT_NE(nowhere.body.find("作業する館を選んでください"), std::string::npos);
}

}  // namespace
}  // namespace shiori
