// End-to-end tests of the back office through the real server: its own
// listener (and none of its paths on the public one), the login with its
// cookie and rotation, the CSRF tokens, the headers of every staff answer,
// the roles and 操作記録, and the staff commands through the real binary.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "tests/integration/staff_client.h"

namespace shiori::test {
namespace {

constexpr char kAdminPassword[] = "kanri-pass-2026";
constexpr char kCounterPassword[] = "madoguchi-pass-1";

class StaffServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    db_ = dir_->File("staff.db");
    server_ = new Server();
    // Behind the library's proxy on this machine, as operations.md sets it up.
    const std::string conf = dir_->File("staff.toml");
    {
      std::ofstream f(conf);
      f << "[server]\ntrusted_proxies = [\"127.0.0.1\"]\n";
    }
    ASSERT_TRUE(server_->Start({"--config", conf, "--db", db_})) << server_->startup_output();
    AddStaff("kanri", "管理 花子", "admin", kAdminPassword);
    AddStaff("madoguchi", "窓口 太郎", "counter", kCounterPassword);
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static void AddStaff(const std::string& login, const std::string& name, const std::string& role,
                       const std::string& password) {
    CommandResult r = RunShioriWithInput(
        {"staff", "add", login, "--name", name, "--role", role, "--db", db_}, password + "\n");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "staff added: " + login + " (" + role + ")\n");
  }
  // The one h1 of a page.
  static std::string H1(const std::string& page) {
    std::smatch m;
    if (!std::regex_search(page, m, std::regex("<h1>([^<]*)</h1>"))) return "";
    return m[1];
  }

  static TempDir* dir_;
  static std::string db_;
  static Server* server_;
};
TempDir* StaffServer::dir_ = nullptr;
std::string StaffServer::db_;
Server* StaffServer::server_ = nullptr;

// Every staff path an admin can reach (the menu of the dashboard, every form's
// action, the stylesheet, the login page) is on the staff listener only: the
// public one answers 404 to each, whatever the method.
TEST_F(StaffServer, EveryStaffPathIsNotFoundOnThePublicListener) {
  StaffBrowser b(*server_);
  ASSERT_EQ(b.Login("kanri", kAdminPassword, "chuo").status, 200);
  std::set<std::string> paths = {"/staff", "/staff/", "/staff/login", "/staff/style.css",
                                 "/staff/nothing"};
  std::set<std::string> seen;
  std::vector<std::string> todo = {"/staff"};
  const std::regex link("(?:href|action)=\"(/staff[^\"?]*)");
  while (!todo.empty()) {  // every page the menu and its pages link to
    const std::string path = todo.back();
    todo.pop_back();
    if (!seen.insert(path).second) continue;
    const std::string page = b.Get(path).body;
    for (auto it = std::sregex_iterator(page.begin(), page.end(), link);
         it != std::sregex_iterator(); ++it) {
      paths.insert((*it)[1]);
      if ((*it)[1] != "/staff/logout") todo.push_back((*it)[1]);
    }
  }
  EXPECT_TRUE(paths.count("/staff/audit")) << "the crawl found the menu";
  EXPECT_TRUE(paths.count("/staff/logout")) << "and the forms";
  for (const auto& path : paths) {
    SCOPED_TRACE(path);
    EXPECT_EQ(server_->Get(path).status, 404);
    EXPECT_EQ(server_->Post(path, "_t=x").status, 404);
    EXPECT_EQ(server_->Head(path).status, 404);
  }
  // And the public pages are not on the staff listener.
  EXPECT_EQ(server_->StaffGet("/").status, 404);
  EXPECT_EQ(server_->StaffGet("/account").status, 404);
  EXPECT_EQ(server_->StaffGet("/style.css").status, 404);
}

TEST_F(StaffServer, TheLoginLeadsToTheDashboardWithTheBranchAndTheName) {
  StaffBrowser b(*server_);
  HttpResponse start = b.Get("/staff");
  EXPECT_EQ(start.status, 303);
  EXPECT_EQ(start.Header("location"), "/staff/login");
  HttpResponse form = b.Get("/staff/login");
  ASSERT_EQ(form.status, 200);
  EXPECT_EQ(H1(form.body), "職員ログイン");
  EXPECT_NE(form.body.find("<html lang=\"ja\">"), std::string::npos);
  for (const char* branch : {"中央図書館", "高尾野図書館", "野田図書館"}) {
    EXPECT_NE(form.body.find(std::string(">") + branch + "</option>"), std::string::npos);
  }
  EXPECT_NE(form.body.find("name=\"login\" type=\"text\" value=\"\" autocomplete=\"username\" "
                           "required autofocus"),
            std::string::npos)
      << form.body;
  HttpResponse home = b.Post(
      "/staff/login", {{"login", "madoguchi"}, {"password", kCounterPassword}, {"branch", "noda"}});
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_EQ(H1(home.body), "ダッシュボード");
  EXPECT_NE(home.body.find("野田図書館で作業中"), std::string::npos);
  EXPECT_NE(home.body.find("窓口 太郎"), std::string::npos);
  EXPECT_NE(home.body.find(">ログアウト</button>"), std::string::npos);

  // The cookie: HttpOnly, SameSite=Strict, only for /staff; Secure when the
  // proxy says the request came over HTTPS.
  std::string cookie;
  for (const auto& c : b.set_cookies()) {
    if (c.rfind("staff=", 0) == 0) cookie = c;
  }
  EXPECT_EQ(cookie, "staff=" + b.cookie("staff") + "; Path=/staff; HttpOnly; SameSite=Strict");
  EXPECT_EQ(b.cookie("staff").size(), 32u);
  StaffBrowser tls(*server_, {"X-Forwarded-Proto: https"});
  ASSERT_EQ(tls.Login("madoguchi", kCounterPassword, "chuo").status, 200);
  for (const auto& c : tls.set_cookies()) {
    EXPECT_NE(c.find("; HttpOnly; SameSite=Strict; Secure"), std::string::npos) << c;
  }

  // Logging out ends the session: the cookie is cleared and worth nothing.
  const std::string old = b.cookie("staff");
  HttpResponse bye = b.Post("/staff/logout");
  EXPECT_EQ(bye.status, 200);
  EXPECT_EQ(H1(bye.body), "職員ログイン");
  EXPECT_NE(bye.body.find("<p role=\"status\" class=\"done\">ログアウトしました。</p>"),
            std::string::npos);
  EXPECT_EQ(b.cookie("staff"), "");
  b.set_cookie("staff", old);
  EXPECT_EQ(b.Get("/staff").status, 303);
}

TEST_F(StaffServer, EachLoginGivesANewTokenAndTheOldCookieNoLongerWorks) {
  StaffBrowser b(*server_);
  ASSERT_EQ(b.Login("madoguchi", kCounterPassword, "chuo").status, 200);
  const std::string first = b.cookie("staff");
  ASSERT_EQ(b.Login("madoguchi", kCounterPassword, "takaono").status, 200);
  const std::string second = b.cookie("staff");
  EXPECT_NE(first, second);
  EXPECT_NE(b.Get("/staff").body.find("高尾野図書館で作業中"), std::string::npos);
  StaffBrowser stale(*server_);
  stale.set_cookie("staff", first);
  EXPECT_EQ(stale.Get("/staff").status, 303);
  EXPECT_EQ(
      QueryInt(db_, "SELECT count(*) FROM staff_sessions WHERE token_hash = '" + second + "'"), 0)
      << "only the token's hash is stored";
}

TEST_F(StaffServer, PostsWithoutTheRightTokenAreRefusedWithAJapanesePage) {
  StaffBrowser b(*server_);
  b.Get("/staff/login");
  const std::string creds =
      "login=madoguchi&password=" + std::string(kCounterPassword) + "&branch=noda";
  for (const std::string& body :
       {creds, creds + "&_t=", creds + "&_t=1-00112233445566778899aabbccddeeff"}) {
    HttpResponse r = b.PostRaw("/staff/login", body);
    EXPECT_EQ(r.status, 403) << body;
    EXPECT_EQ(H1(r.body), "もう一度操作してください");
  }
  ASSERT_EQ(b.Login("madoguchi", kCounterPassword, "noda").status, 200);
  for (const std::string& body :
       {std::string(), std::string("_t=0123456789abcdef0123456789abcdef")}) {
    HttpResponse r = b.PostRaw("/staff/logout", body);
    EXPECT_EQ(r.status, 403) << body;
    EXPECT_NE(r.body.find("読み込み直して"), std::string::npos);
  }
  EXPECT_EQ(b.Get("/staff").status, 200) << "the session is still there";
}

TEST_F(StaffServer, EveryStaffAnswerIsNoStoreAndNeverFramed) {
  StaffBrowser b(*server_);
  b.Get("/staff");                                                        // 303 to the login
  b.Get("/staff/login");                                                  // 200
  b.Get("/staff/style.css");                                              // the stylesheet
  b.Get("/staff/nothing");                                                // 404
  EXPECT_EQ(b.PostRaw("/staff/audit", "").Header("allow"), "GET, HEAD");  // 405
  b.PostRaw("/staff/login", "");                                          // 403
  b.Get("/staff/login?%ff=1");                                            // 400: not UTF-8
  b.Login("madoguchi", "wrong-password", "noda");                         // 403, refused
  b.Login("madoguchi", kCounterPassword, "noda");                         // 303 and the dashboard
  b.Get("/staff/audit");    // 403 for a counter member
  b.Post("/staff/logout");  // 303 and the login page
  std::set<long> statuses;
  for (const auto& r : b.answers()) {
    SCOPED_TRACE(std::to_string(r.status) + " " + r.body.substr(0, 200));
    statuses.insert(r.status);
    EXPECT_EQ(r.Header("cache-control"), "no-store");
    EXPECT_EQ(r.Header("x-frame-options"), "DENY");
    EXPECT_NE(r.Header("content-security-policy").find("frame-ancestors 'none'"),
              std::string::npos);
    EXPECT_EQ(r.Header("x-content-type-options"), "nosniff");
    EXPECT_EQ(r.Header("referrer-policy"), "no-referrer");
  }
  EXPECT_EQ(statuses, (std::set<long>{200, 303, 400, 403, 404, 405}));
}

TEST_F(StaffServer, OnlyAnAdminOpensTheAuditAndTheLoginsAreInIt) {
  StaffBrowser counter(*server_);
  ASSERT_EQ(counter.Login("madoguchi", kCounterPassword, "takaono").status, 200);
  EXPECT_EQ(counter.last().body.find("操作記録"), std::string::npos) << "not in its menu";
  HttpResponse refused = counter.Get("/staff/audit");
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(H1(refused.body), "管理者だけが開けるページです");
  StaffBrowser stranger(*server_);
  ASSERT_EQ(stranger.Login("nobody", "whatever-it-is", "chuo").status, 403);

  StaffBrowser admin(*server_);
  HttpResponse home = admin.Login("kanri", kAdminPassword, "chuo");
  ASSERT_EQ(home.status, 200);
  EXPECT_NE(home.body.find("<a href=\"/staff/audit\">操作記録</a>"), std::string::npos);
  HttpResponse audit = admin.Get("/staff/audit");
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(H1(audit.body), "操作記録");
  for (const char* col : {"日時", "職員", "館", "操作", "カード", "バーコード", "結果", "詳細"}) {
    EXPECT_NE(audit.body.find(std::string("<th scope=\"col\">") + col + "</th>"),
              std::string::npos);
  }
  // Newest first: the admin's own login, the stranger's refusal, the counter member's.
  const size_t own = audit.body.find("<td>kanri</td><td>中央図書館</td><td>ログイン</td>");
  const size_t nobody = audit.body.find(
      "<td>nobody</td><td>中央図書館</td><td>ログイン</td><td></td><td></td>"
      "<td class=\"refused\">職員IDまたはパスワードが違います。</td>");
  const size_t theirs = audit.body.find(
      "<td>madoguchi</td><td>高尾野図書館</td><td>ログイン</td><td></td><td></td>"
      "<td>成功</td><td>接続元 127.0.0.1</td>");
  EXPECT_NE(own, std::string::npos);
  EXPECT_NE(nobody, std::string::npos);
  EXPECT_NE(theirs, std::string::npos);
  EXPECT_LT(own, nobody);
  EXPECT_LT(nobody, theirs);
  EXPECT_NE(audit.body.find("<td>cli:"), std::string::npos) << "the staff commands too";
}

// 操作記録 shows 100 entries a page, newest first, and a card only by its
// last four digits.
TEST_F(StaffServer, TheAuditIsPagedAndShowsOnlyACardsLastDigits) {
  TempDir dir;
  Server s;
  const std::string db = dir.File("audit.db");
  ASSERT_TRUE(s.Start({"--db", db})) << s.startup_output();
  ASSERT_EQ(
      RunShioriWithInput({"staff", "add", "kanri", "--name", "管理", "--role", "admin", "--db", db},
                         std::string(kAdminPassword) + "\n")
          .exit_code,
      0);
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  std::string sql = "BEGIN;";
  for (int i = 0; i < 250; ++i) {
    sql += "INSERT INTO audit(at, staff, branch, action, card, barcode, outcome) VALUES(" +
           std::to_string(1'700'000'000 + i) + ", 'madoguchi', 'noda', 'checkout', '100000" +
           std::to_string(1000 + i) + "', 'B" + std::to_string(i) + "', 'ok');";
  }
  sql += "COMMIT;";
  ASSERT_EQ(sqlite3_exec(h, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(h);

  StaffBrowser admin(s);
  ASSERT_EQ(admin.Login("kanri", kAdminPassword, "noda").status, 200);
  auto rows = [](const std::string& page) {
    size_t n = 0;
    for (size_t at = page.find("<tr><td>"); at != std::string::npos;
         at = page.find("<tr><td>", at + 1)) {
      ++n;
    }
    return n;
  };
  HttpResponse first = admin.Get("/staff/audit");
  EXPECT_EQ(rows(first.body), 100u);
  EXPECT_NE(first.body.find("<a href=\"/staff/audit?page=2\" rel=\"next\">古い記録へ</a>"),
            std::string::npos);
  EXPECT_EQ(first.body.find("rel=\"prev\""), std::string::npos);
  // The newest checkout is the last inserted; its card shows as ……1249.
  EXPECT_NE(first.body.find("<td>貸出</td><td>……1249</td><td>B249</td>"), std::string::npos);
  EXPECT_EQ(first.body.find("1000001249"), std::string::npos) << "never the whole number";
  HttpResponse third = admin.Get("/staff/audit?page=3");
  // 250 checkouts, the login and the command: 52 on the third page.
  EXPECT_EQ(rows(third.body), 52u);
  EXPECT_NE(third.body.find("rel=\"prev\""), std::string::npos);
  EXPECT_EQ(third.body.find("rel=\"next\""), std::string::npos);
  EXPECT_NE(third.body.find("201〜252件目"), std::string::npos);
  EXPECT_EQ(rows(admin.Get("/staff/audit?page=9").body), 0u);
  EXPECT_EQ(admin.Get("/staff/audit?page=abc").status, 200) << "the first page";
}

// `shiori staff add` through the real binary (the password from stdin), then
// the login works; `staff disable` ends its session and refuses the login;
// `staff passwd` ends the sessions and the new password works.
TEST_F(StaffServer, TheStaffCommandsAddDisableAndChangeAPassword) {
  AddStaff("tanaka", "田中 一郎", "counter", "tanaka-first-pw");
  CommandResult again = RunShioriWithInput(
      {"staff", "add", "tanaka", "--name", "田中", "--role", "counter", "--db", db_}, "x\n");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_EQ(again.err, "shiori: 職員ID「tanaka」はすでに登録されています。\n");
  CommandResult weak = RunShioriWithInput(
      {"staff", "add", "suzuki", "--name", "鈴木", "--role", "counter", "--db", db_}, "short\n");
  EXPECT_EQ(weak.exit_code, 1);
  EXPECT_EQ(weak.err, "shiori: パスワードは10文字以上にしてください。\n");
  CommandResult role =
      RunShiori({"staff", "add", "suzuki", "--name", "鈴木", "--role", "boss", "--db", db_});
  EXPECT_EQ(role.exit_code, 2);

  StaffBrowser b(*server_);
  HttpResponse home = b.Login("tanaka", "tanaka-first-pw", "noda");
  ASSERT_EQ(home.status, 200) << home.body;
  EXPECT_NE(home.body.find("田中 一郎"), std::string::npos);

  CommandResult passwd =
      RunShioriWithInput({"staff", "passwd", "tanaka", "--db", db_}, "tanaka-second-pw\r\n");
  ASSERT_EQ(passwd.exit_code, 0) << passwd.err;
  EXPECT_EQ(passwd.out, "staff tanaka: password changed, its sessions ended\n");
  EXPECT_EQ(b.Get("/staff").status, 303) << "the session ended";
  EXPECT_EQ(b.Login("tanaka", "tanaka-first-pw", "noda").status, 403);
  ASSERT_EQ(b.Login("tanaka", "tanaka-second-pw", "noda").status, 200);

  CommandResult off = RunShiori({"staff", "disable", "tanaka", "--db", db_});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(off.out, "staff tanaka: disabled, its sessions ended\n");
  EXPECT_EQ(b.Get("/staff").status, 303) << "the session ended at once";
  HttpResponse refused = b.Login("tanaka", "tanaka-second-pw", "noda");
  EXPECT_EQ(refused.status, 403);
  EXPECT_NE(refused.body.find("職員IDまたはパスワードが違います。"), std::string::npos);
  CommandResult unknown = RunShiori({"staff", "disable", "nobody", "--db", db_});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_EQ(unknown.err, "shiori: その職員IDは登録されていません。\n");

  // Each command is in the audit, under the system user who ran it.
  EXPECT_EQ(QueryInt(db_,
                     "SELECT count(*) FROM audit WHERE staff LIKE 'cli:%' AND action IN "
                     "('staff_add', 'staff_passwd', 'staff_disable') AND detail LIKE "
                     "'職員ID tanaka%'"),
            4);
  EXPECT_EQ(QueryText(db_,
                      "SELECT outcome FROM audit WHERE action = 'staff_disable' AND detail = "
                      "'職員ID nobody'"),
            "その職員IDは登録されていません。");
}

// The demo library prints an admin and a counter member, who log in.
TEST_F(StaffServer, TheDemoLibraryHasAnAdminAndACounterMember) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.Start({"--demo", "--db", dir.File("demo.db")})) << s.startup_output();
  const std::string& out = s.startup_output();
  EXPECT_NE(out.find("  kanri / kanri-demo-2026 出水 管理 (admin)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("  madoguchi / madoguchi-2026 野田 窓口 (counter)\n"), std::string::npos);
  StaffBrowser admin(s), counter(s);
  EXPECT_EQ(admin.Login("kanri", "kanri-demo-2026", "chuo").status, 200);
  EXPECT_EQ(admin.Get("/staff/audit").status, 200);
  EXPECT_EQ(counter.Login("madoguchi", "madoguchi-2026", "noda").status, 200);
  EXPECT_EQ(counter.Get("/staff/audit").status, 403);
}

TEST_F(StaffServer, ABusyStaffPortIsNamedInOneLine) {
  TempDir dir;
  Server first;
  ASSERT_TRUE(first.Start({"--db", dir.File("a.db")})) << first.startup_output();
  const std::string busy = "127.0.0.1:" + std::to_string(first.staff_port());
  CommandResult r = RunShiori(
      {"serve", "--db", dir.File("b.db"), "--listen", "127.0.0.1:0", "--staff-listen", busy});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "shiori: staff pages ([staff] listen): cannot listen on " + busy +
                       ": Address already in use\n");
}

}  // namespace
}  // namespace shiori::test
