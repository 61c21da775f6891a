// End-to-end tests of the counter on the staff listener, against the real
// server on a demo library: a copy returned at one branch for a hold picked
// up at another travels and is ready only when received there; the pull
// list, a missing copy, the phone list; checkout and renewal dates on the
// year-end calendar; blocked and replaced cards; and the audit of it all.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/integration/browser.h"
#include "tests/integration/staff_client.h"

namespace shiori::test {
namespace {

constexpr char kPassword[] = "counter-pass-2026";

class Counter : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("counter.db");
    // A Thursday in December: 14 days on is 12-31, inside the year-end closure.
    ASSERT_TRUE(server_.Start({"--demo", "--db", db_}, {"SHIORI_TODAY=2026-12-17"}))
        << server_.startup_output();
    for (const char* who : {"noda1", "chuo1", "takaono1"}) {
      CommandResult add =
          RunShioriWithInput({"staff", "add", who, "--name", std::string(who) + "さん", "--role",
                              "counter", "--db", db_},
                             std::string(kPassword) + "\n");
      ASSERT_EQ(add.exit_code, 0) << add.err;
    }
  }
  CommandResult Staff(std::vector<std::string> args) {
    args.push_back("--db");
    args.push_back(db_);
    return RunShiori(args, {"SHIORI_TODAY=2026-12-17"});
  }
  void Login(Browser& b, const std::string& card, const std::string& pw) {
    b.Get("/account");
    long status = 0;
    b.Post("/account/login", {{"card", card}, {"password", pw}}, &status);
    ASSERT_EQ(status, 200) << b.last_page();
  }
  // The patron reserves record `id` online, picked up at `branch`.
  void Reserve(Browser& b, int64_t id, const std::string& branch, const std::string& contact) {
    b.Get("/record?id=" + std::to_string(id));
    long status = 0;
    b.Post("/cart/add", {}, &status);
    b.Get("/reserve");
    b.Post("/reserve/confirm", {{"branch", branch}, {"contact", contact}}, &status);
    std::string placed = b.Post("/reserve/place", {}, &status);
    ASSERT_NE(placed.find("予約しました"), std::string::npos) << placed;
  }
  std::string Text(const std::string& sql) { return QueryText(db_, sql); }
  // The counter account of a branch, made in SetUp.
  static std::string branch_login(const std::string& code) { return code + "1"; }
  int64_t Int(const std::string& sql) { return QueryInt(db_, sql); }
  std::string HoldStatus(const std::string& card, int64_t record) {
    return Text(
        "SELECT h.status FROM holds h JOIN patrons p ON p.id = h.patron_id WHERE p.card = '" +
        card + "' AND h.record_id = " + std::to_string(record) + " ORDER BY h.id DESC LIMIT 1");
  }
  // A title with a single copy, on the shelf, nobody's hold or loan on it:
  // its record id and the copy's barcode.
  std::pair<int64_t, std::string> QuietTitle(const std::string& extra = "") {
    const std::string sql =
        "SELECT r.id || ' ' || k.barcode FROM records r JOIN copies k ON k.record_id = r.id"
        " WHERE k.status = 'shelf' AND (SELECT count(*) FROM copies c WHERE c.record_id = r.id) = 1"
        " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id) " +
        extra + " ORDER BY r.id LIMIT 1";
    const std::string row = Text(sql);
    const size_t sp = row.find(' ');
    EXPECT_NE(sp, std::string::npos) << sql;
    if (sp == std::string::npos) return {0, ""};
    return {std::stoll(row.substr(0, sp)), row.substr(sp + 1)};
  }

  TempDir dir_;
  Server server_;
  std::string db_;
};

// Steps 1 and 2: returned at 野田, picked up at 中央.
TEST_F(Counter, ACopyReturnedElsewhereTravelsAndIsReadyOnlyWhenReceived) {
  auto [t, barcode] = QuietTitle();
  ASSERT_GT(t, 0);
  ASSERT_EQ(Staff({"circ", "checkout", "1000000022", barcode}).exit_code, 0);
  Browser a(server_, false), b(server_, true);
  Login(a, "1000000011", "neko2026");
  Login(b, "1000000033", "hon4649");
  Reserve(a, t, "chuo", "mail");
  Reserve(b, t, "chuo", "phone");

  StaffBrowser noda(server_);
  HttpResponse in = noda.Login("noda1", kPassword, "noda");
  ASSERT_EQ(in.status, 200) << in.body;
  EXPECT_NE(in.body.find("野田図書館で作業中"), std::string::npos) << in.body;
  noda.Get("/staff/checkin");
  HttpResponse r = noda.Post("/staff/checkin", {{"barcode", barcode}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("role=\"status\""), std::string::npos);
  EXPECT_NE(r.body.find("回送（中央図書館へ）"), std::string::npos) << r.body;
  EXPECT_EQ(HoldStatus("1000000011", t), "waiting");
  EXPECT_EQ(Int("SELECT count(*) FROM outbox o JOIN holds h ON h.id = o.hold_id"
                " WHERE h.record_id = " +
                std::to_string(t)),
            0)
      << "nobody is told while the book is in the van";
  const std::string title = Text("SELECT title FROM records WHERE id = " + std::to_string(t));
  EXPECT_EQ(a.Get("/account/ready").find(title), std::string::npos);
  EXPECT_NE(a.Get("/account/holds").find("回送中"), std::string::npos);

  // 取消 on a card's page cancels that card's holds only.
  const std::string b_hold = Text(
      "SELECT h.id FROM holds h JOIN patrons p ON p.id = h.patron_id WHERE p.card = '1000000033'"
      " AND h.record_id = " +
      std::to_string(t));
  noda.Get("/staff/checkout?card=1000000011");
  r = noda.Post("/staff/hold/cancel", {{"hold", b_hold}});
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_NE(r.body.find("この利用者の予約ではありません"), std::string::npos) << r.body;
  EXPECT_EQ(HoldStatus("1000000033", t), "waiting");

  // Another branch cannot receive it; 中央 can.
  StaffBrowser takaono(server_);
  takaono.Login("takaono1", kPassword, "takaono");
  takaono.Get("/staff/receive");
  r = takaono.Post("/staff/receive", {{"barcode", barcode}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("回送先は中央図書館"), std::string::npos) << r.body;

  StaffBrowser chuo(server_);
  HttpResponse dash = chuo.Login("chuo1", kPassword, "chuo");
  EXPECT_NE(dash.body.find("回送受入待ち <strong>1</strong>冊"), std::string::npos) << dash.body;
  r = chuo.Get("/staff/receive");
  EXPECT_NE(r.body.find(barcode), std::string::npos) << "listed as coming here: " << r.body;
  r = chuo.Post("/staff/receive", {{"barcode", barcode}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("取置"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("取置票"), std::string::npos);
  EXPECT_NE(r.body.find("……0011"), std::string::npos) << "the slip's card digits";
  EXPECT_EQ(r.body.find("1000000011"), std::string::npos) << "never the whole number";
  EXPECT_EQ(HoldStatus("1000000011", t), "ready");
  // 7 open days of 中央 from 12-17, Monday 12-21 closed: 12-25.
  EXPECT_EQ(Text("SELECT h.pickup_deadline FROM holds h JOIN patrons p ON p.id = h.patron_id"
                 " WHERE p.card = '1000000011' AND h.record_id = " +
                 std::to_string(t)),
            "2026-12-25");
  EXPECT_EQ(Int("SELECT count(*) FROM outbox o JOIN holds h ON h.id = o.hold_id"
                " WHERE o.kind = 'hold_ready' AND h.record_id = " +
                std::to_string(t)),
            1)
      << "the mail follows now";
  EXPECT_NE(a.Get("/account/ready").find(title), std::string::npos);

  dash = chuo.Get("/staff");
  EXPECT_NE(dash.body.find("回送受入待ち <strong>0</strong>冊"), std::string::npos) << dash.body;

  // Audited with who, where and what; the staff command as its system user.
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE staff LIKE 'cli:%' AND action = 'checkout'"
                " AND card = '1000000022' AND barcode = '" +
                barcode + "' AND outcome = 'ok'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE staff = 'noda1' AND branch = 'noda'"
                " AND action = 'checkin' AND barcode = '" +
                barcode + "' AND outcome = 'ok'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE staff = 'takaono1' AND action = 'receive'"
                " AND outcome <> 'ok'"),
            1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE staff = 'chuo1' AND action = 'receive'"
                " AND outcome = 'ok'"),
            1);
}

// Steps 3, 4 and 5: the pull list, 見つからない, and the phone list.
TEST_F(Counter, PullListTransitAndThePhoneList) {
  // A title whose only copy is on 高尾野's shelf, for pickup at 野田 by phone.
  auto [u, ubc] = QuietTitle("AND k.branch = 'takaono'");
  ASSERT_GT(u, 0);
  Browser a(server_, false);
  Login(a, "1000000011", "neko2026");
  Reserve(a, u, "noda", "phone");

  StaffBrowser takaono(server_);
  takaono.Login("takaono1", kPassword, "takaono");
  HttpResponse list = takaono.Get("/staff/pull");
  ASSERT_EQ(list.status, 200);
  EXPECT_NE(list.body.find(ubc), std::string::npos) << list.body;
  HttpResponse r = takaono.Post("/staff/pull", {{"barcode", ubc}, {"found", "1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("回送（野田図書館へ）"), std::string::npos) << r.body;
  EXPECT_EQ(takaono.Get("/staff/pull").body.find(ubc), std::string::npos);
  EXPECT_EQ(HoldStatus("1000000011", u), "waiting");

  StaffBrowser noda(server_);
  noda.Login("noda1", kPassword, "noda");
  EXPECT_EQ(noda.Get("/staff/calls").body.find(ubc), std::string::npos);
  noda.Get("/staff/receive");
  r = noda.Post("/staff/receive", {{"barcode", ubc}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(HoldStatus("1000000011", u), "ready");
  EXPECT_NE(r.body.find("電話で連絡"), std::string::npos) << r.body;

  // 電話連絡: listed with the number; 不在 keeps it with the attempt, 連絡済 removes it.
  const std::string title = Text("SELECT title FROM records WHERE id = " + std::to_string(u));
  HttpResponse calls = noda.Get("/staff/calls");
  ASSERT_NE(calls.body.find(title), std::string::npos) << calls.body;
  EXPECT_NE(calls.body.find("0996-63-1111"), std::string::npos);
  const std::string hold = Text(
      "SELECT h.id FROM holds h JOIN patrons p ON p.id = h.patron_id WHERE p.card = '1000000011'"
      " AND h.record_id = " +
      std::to_string(u));
  r = noda.Post("/staff/calls", {{"hold", hold}, {"reached", "0"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("不在 1回"), std::string::npos) << r.body;
  r = noda.Post("/staff/calls", {{"hold", hold}, {"reached", "1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.find(title), std::string::npos) << r.body;
  EXPECT_NE(noda.Get("/staff/shelf").body.find(title), std::string::npos) << "on the hold shelf";

  // 見つからない: a title on the shelves of two branches, picked up at the
  // third; the first branch cannot find its copy, the other's is listed.
  const std::string row = Text(
      "SELECT k.record_id FROM copies k WHERE k.status = 'shelf'"
      " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = k.record_id)"
      " GROUP BY k.record_id HAVING count(DISTINCT k.branch) = 2 AND count(*) = 2"
      " ORDER BY k.record_id LIMIT 1");
  ASSERT_FALSE(row.empty()) << "the demo has a title at two branches";
  const int64_t v = std::stoll(row);
  const std::string rec = std::to_string(v);
  const std::string x = Text("SELECT min(branch) FROM copies WHERE record_id = " + rec),
                    z = Text("SELECT max(branch) FROM copies WHERE record_id = " + rec);
  const std::string pickup =
      Text("SELECT code FROM branches WHERE code NOT IN ('" + x + "', '" + z + "')");
  const std::string first = Text("SELECT barcode FROM copies WHERE record_id = " + rec +
                                 " AND branch = '" + x + "'"),
                    second = Text("SELECT barcode FROM copies WHERE record_id = " + rec +
                                  " AND branch = '" + z + "'");
  Reserve(a, v, pickup, "none");
  StaffBrowser there(server_), other(server_);
  there.Login(branch_login(x), kPassword, x);
  other.Login(branch_login(z), kPassword, z);
  EXPECT_NE(there.Get("/staff/pull").body.find("value=\"" + first + "\""), std::string::npos);
  r = there.Post("/staff/pull", {{"barcode", first}, {"found", "0"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("見つからない"), std::string::npos);
  EXPECT_EQ(Text("SELECT status FROM copies WHERE barcode = '" + first + "'"), "missing");
  EXPECT_EQ(HoldStatus("1000000011", v), "waiting");
  EXPECT_EQ(r.body.find("value=\"" + first + "\""), std::string::npos) << r.body;
  EXPECT_NE(other.Get("/staff/pull").body.find("value=\"" + second + "\""), std::string::npos)
      << "the other branch's copy is listed";
  EXPECT_EQ(
      Int("SELECT count(*) FROM audit WHERE action = 'missing' AND barcode = '" + first + "'"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'call'"), 2);
}

// Step 6: a checkout on 12-17 is due after the year-end closure; a renewal too.
TEST_F(Counter, DueDatesSkipTheYearEndClosure) {
  const std::string wbc = Text(
      "SELECT k.barcode FROM copies k WHERE k.branch = 'chuo' AND k.status = 'shelf' AND NOT"
      " EXISTS (SELECT 1 FROM holds h WHERE h.record_id = k.record_id) ORDER BY k.id LIMIT 1");
  ASSERT_FALSE(wbc.empty());
  StaffBrowser chuo(server_);
  chuo.Login("chuo1", kPassword, "chuo");
  HttpResponse card = chuo.Get("/staff/checkout?card=1000000033");
  ASSERT_EQ(card.status, 200);
  EXPECT_NE(card.body.find("ノダ ショウタ"), std::string::npos) << card.body;
  HttpResponse r = chuo.Post("/staff/checkout", {{"barcode", wbc}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("返却期限 1月5日(火)"), std::string::npos) << r.body;
  EXPECT_EQ(
      Text("SELECT due_on FROM loans l JOIN copies k ON k.id = l.copy_id WHERE k.barcode = '" +
           wbc + "'"),
      "2027-01-05");
  // The same copy again: on loan.
  r = chuo.Post("/staff/checkout", {{"barcode", wbc}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find("貸出中です"), std::string::npos) << r.body;

  // 1000000055's loan due today, renewed at the counter: 12-31 → 01-05.
  const std::string due_today = Text(
      "SELECT k.barcode FROM loans l JOIN copies k ON k.id = l.copy_id JOIN patrons p ON"
      " p.id = l.patron_id WHERE p.card = '1000000055' AND l.due_on = '2026-12-17'");
  ASSERT_FALSE(due_today.empty());
  chuo.Get("/staff/checkout?card=1000000055");
  r = chuo.Post("/staff/renew", {{"barcode", due_today}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("新しい返却期限 1月5日(火)"), std::string::npos) << r.body;
  r = chuo.Post("/staff/renew", {{"barcode", due_today}});
  EXPECT_EQ(r.status, 409) << "once only";
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'renew' AND outcome = 'ok'"), 1);

  // 延滞: the demo's overdue loan is listed at the branch that owns the copy,
  // and counted on its dashboard.
  const std::string late = Text(
      "SELECT k.branch || ' ' || k.barcode FROM loans l JOIN copies k ON k.id = l.copy_id"
      " WHERE l.returned_on IS NULL AND l.due_on < '2026-12-17' LIMIT 1");
  ASSERT_FALSE(late.empty());
  const std::string late_branch = late.substr(0, late.find(' ')),
                    late_barcode = late.substr(late.find(' ') + 1);
  StaffBrowser owner(server_);
  HttpResponse dash = owner.Login(late_branch + "1", kPassword, late_branch);
  EXPECT_NE(dash.body.find("延滞 <strong>1</strong>冊"), std::string::npos) << dash.body;
  HttpResponse overdue = owner.Get("/staff/overdue");
  EXPECT_NE(overdue.body.find(late_barcode), std::string::npos) << overdue.body;
  EXPECT_NE(overdue.body.find("16日"), std::string::npos) << overdue.body;
  EXPECT_EQ(Int("SELECT count(*) FROM audit WHERE action = 'checkout'"), 2);
}

// Step 7: a blocked card, and a replaced one.
TEST_F(Counter, BlockedAndReplacedCards) {
  auto [w, wbc] = QuietTitle("AND k.branch = 'noda'");
  ASSERT_GT(w, 0);
  Browser before(server_, false);
  Login(before, "1000000033", "hon4649");
  ASSERT_EQ(Staff({"patron", "block", "1000000033", "--reason", "長期延滞"}).exit_code, 0);
  // Logged out, and refused everywhere.
  EXPECT_NE(before.Get("/account/holds").find("ログインしてください"), std::string::npos);
  Browser b(server_, false);
  b.Get("/account");
  long status = 0;
  std::string page =
      b.Post("/account/login", {{"card", "1000000033"}, {"password", "hon4649"}}, &status);
  EXPECT_NE(status, 200);
  EXPECT_NE(page.find("カウンター"), std::string::npos) << page;
  b.Get("/account/register");
  page = b.Post("/account/register",
                {{"card", "1000000033"},
                 {"name", "ノダ ショウタ"},
                 {"phone", "0996-84-3333"},
                 {"password", "newpw123"},
                 {"password2", "newpw123"}},
                &status);
  EXPECT_NE(status, 200) << page;
  StaffBrowser noda(server_);
  noda.Login("noda1", kPassword, "noda");
  HttpResponse card = noda.Get("/staff/checkout?card=1000000033");
  EXPECT_NE(card.body.find("利用停止中"), std::string::npos) << card.body;
  EXPECT_NE(card.body.find("理由: 長期延滞"), std::string::npos) << card.body;
  HttpResponse r = noda.PostRaw("/staff/checkout", "");  // no token: refused before anything
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(
      Int("SELECT count(*) FROM loans l JOIN copies k ON k.id = l.copy_id WHERE k.barcode = '" +
          wbc + "'"),
      0);

  ASSERT_EQ(Staff({"patron", "unblock", "1000000033"}).exit_code, 0);
  Login(b, "1000000033", "hon4649");
  card = noda.Get("/staff/checkout?card=1000000033");
  r = noda.Post("/staff/checkout", {{"barcode", wbc}});
  EXPECT_EQ(r.status, 200) << r.body;

  // Replaced: the old number is refused, the new one logs in with the same
  // password and sees the same loans.
  const std::string loan_title = Text(
      "SELECT r.title FROM loans l JOIN copies k ON k.id = l.copy_id JOIN records r ON r.id ="
      " k.record_id JOIN patrons p ON p.id = l.patron_id WHERE p.card = '1000000055' LIMIT 1");
  ASSERT_EQ(Staff({"patron", "replace", "1000000055", "1000000066"}).exit_code, 0);
  Browser d(server_, false);
  d.Get("/account");
  page = d.Post("/account/login", {{"card", "1000000055"}, {"password", "satsuma5"}}, &status);
  EXPECT_NE(status, 200);
  Login(d, "1000000066", "satsuma5");
  EXPECT_NE(d.Get("/account/loans").find(loan_title), std::string::npos);
  card = noda.Get("/staff/checkout?card=1000000055");
  EXPECT_NE(card.body.find("再発行済み"), std::string::npos) << card.body;
}

}  // namespace
}  // namespace shiori::test
