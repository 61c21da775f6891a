// End-to-end tests of 予約・貸出: a cookie-less phone's cart and bulk
// reservation, hold changes, the staff commands moving a copy through the
// queue across closed days, renewals, and two patrons reserving at once.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <regex>
#include <thread>

#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

class Circulation : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("c.db");
    // A Saturday in December, so the deadlines cross Mondays and the year end.
    env_ = {"SHIORI_TODAY=2026-12-26"};
    ASSERT_TRUE(server_.Start({"--demo", "--db", db_}, env_)) << server_.startup_output();
  }
  CommandResult Staff(std::vector<std::string> args, const std::string& today = "2026-12-26") {
    args.push_back("--db");
    args.push_back(db_);
    return RunShiori(args, {"SHIORI_TODAY=" + today});
  }
  void Login(Browser& b, const std::string& card, const std::string& pw) {
    b.Get("/account");
    long status = 0;
    b.Post("/account/login", {{"card", card}, {"password", pw}}, &status);
    ASSERT_EQ(status, 200) << b.last_page();
  }
  TempDir dir_;
  Server server_;
  std::string db_;
  std::vector<std::string> env_;
};

TEST_F(Circulation, PhonePatronReservesTwoTitlesFromTheCartAndChangesThem) {
  Browser phone(server_, true);
  const int64_t a = RecordId(server_, "雪国"), b = RecordId(server_, "三四郎");
  ASSERT_GT(a, 0);
  ASSERT_GT(b, 0);
  long status = 0;
  for (int64_t id : {a, b}) {
    phone.Get("/record?id=" + std::to_string(id));
    phone.Post("/cart/add", {}, &status);
    ASSERT_EQ(status, 200);
  }
  // A title in the cart is not offered again: its page links to the cart.
  std::string again = phone.Get("/record?id=" + std::to_string(a));
  EXPECT_NE(again.find("カートに入っています"), std::string::npos) << again;
  EXPECT_EQ(again.find("value=\"カートに入れる\""), std::string::npos) << again;
  std::string cart = phone.Get("/cart");
  EXPECT_NE(cart.find("2冊"), std::string::npos) << cart;
  ASSERT_EQ(phone.sid().size(), 32u) << "the cart rides on the URL session";

  // 予約する asks for a login; the cart survives it (and its new session id).
  const std::string before = phone.sid();
  phone.Get("/reserve", &status);
  EXPECT_EQ(status, 401);
  phone.Post("/account/login", {{"card", "1000000033"}, {"password", "hon4649"}}, &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(phone.sid(), before);
  std::string form = phone.last_page();
  EXPECT_NE(form.find("雪国"), std::string::npos) << form;
  EXPECT_EQ(form.find("value=\"mail\""), std::string::npos) << "no mail without an address";
  std::string confirm =
      phone.Post("/reserve/confirm", {{"branch", "takaono"}, {"contact", "none"}}, &status);
  ASSERT_EQ(status, 200);
  EXPECT_NE(confirm.find("受取館: 高尾野図書館"), std::string::npos) << confirm;
  EXPECT_NE(confirm.find("連絡方法: 連絡不要"), std::string::npos);
  std::string result = phone.Post("/reserve/place", {}, &status);
  ASSERT_EQ(status, 200);
  size_t placed = 0;
  for (size_t at = result.find("予約しました"); at != std::string::npos;
       at = result.find("予約しました", at + 1))
    ++placed;
  EXPECT_EQ(placed, 2u) << result;
  EXPECT_NE(result.find("引取期限"), std::string::npos) << "the guide's explanation";

  std::string holds = phone.Get("/account/holds");
  EXPECT_NE(holds.find("雪国"), std::string::npos);
  EXPECT_NE(holds.find("三四郎"), std::string::npos);
  EXPECT_NE(holds.find("1番目"), std::string::npos) << holds;
  EXPECT_NE(holds.find("受取館 高尾野図書館"), std::string::npos);

  // Cancel one: the phone confirms on a page of its own.
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(holds, m, std::regex("href=\"(/account/hold\\?id=[0-9]+)[^\"]*\">雪国<")));
  phone.Get(m[1]);
  std::string ask = phone.Post("/account/holds/cancel", {}, &status);
  EXPECT_NE(ask.find("予約の順番は元に戻せません"), std::string::npos) << ask;
  std::string done = phone.Post("/account/holds/cancel", {}, &status);
  EXPECT_NE(done.find("予約を取り消しました"), std::string::npos) << done;
  EXPECT_EQ(done.find(">雪国<"), std::string::npos);

  // Change the other's pickup branch.
  ASSERT_TRUE(
      std::regex_search(done, m, std::regex("href=\"(/account/hold\\?id=[0-9]+)[^\"]*\">三四郎<")));
  phone.Get(m[1]);
  phone.Post("/account/holds/branch", {{"branch", "noda"}}, &status);
  std::string changed = phone.Post("/account/holds/branch", {}, &status);
  EXPECT_NE(changed.find("受取館を変えました"), std::string::npos) << changed;
  EXPECT_NE(changed.find("受取館 野田図書館"), std::string::npos);
}

TEST_F(Circulation, CheckinGivesTheCopyToTheFirstHoldAndDailyPassesItOn) {
  // 坊っちゃん's only copy is on loan to card 1000000011; card 1000000022
  // waits for it in the demo. Card 1000000033 queues second.
  Browser second(server_, false);
  Login(second, "1000000033", "hon4649");
  const int64_t id = RecordId(server_, "坊っちゃん");
  second.Get("/record?id=" + std::to_string(id));
  long status = 0;
  second.Post("/cart/add", {}, &status);
  second.Get("/reserve");
  second.Post("/reserve/confirm", {{"branch", "chuo"}, {"contact", "phone"}}, &status);
  std::string r = second.Post("/reserve/place", {}, &status);
  EXPECT_NE(r.find("2番目"), std::string::npos) << r;

  // Staff scan the copy's barcode (patrons never see barcodes; read it from the file).
  const std::string barcode = QueryText(db_,
                                        "SELECT barcode FROM copies k JOIN records r ON r.id = "
                                        "k.record_id WHERE r.title = '坊っちゃん'");
  ASSERT_FALSE(barcode.empty());
  // Returned at 高尾野, the first hold's pickup branch: set aside there.
  CommandResult find = Staff({"circ", "checkin", barcode, "--branch", "takaono"});
  ASSERT_EQ(find.exit_code, 0) << find.err;
  EXPECT_NE(find.out.find("取置: " + barcode), std::string::npos) << find.out;

  Browser first(server_, false);
  Login(first, "1000000022", "Tsuru77");
  std::string ready = first.Get("/account/ready");
  // Set aside on Sat 12-26 at 高尾野 (closed Mondays, 12-29..01-03): open days
  // 12-27 (Sun), 12-28 (Mon closed), then 01-04 (Mon closed) ... 7th open day.
  EXPECT_NE(ready.find("坊っちゃん"), std::string::npos) << ready;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(ready, m, std::regex("取置期限 ([0-9]+)月([0-9]+)日")));
  EXPECT_EQ(m[1], "1") << "the deadline is in January: the year-end closure is skipped";

  // The day after the deadline, circ daily expires it and the copy travels
  // to 中央図書館 for the second patron, whose hold is not ready until it arrives.
  CommandResult daily = Staff({"circ", "daily"}, "2027-01-31");
  ASSERT_EQ(daily.exit_code, 0) << daily.err;
  EXPECT_NE(daily.out.find("期限切れ"), std::string::npos) << daily.out;
  EXPECT_NE(daily.out.find("中央図書館へ送ってください"), std::string::npos) << daily.out;
  CommandResult again = Staff({"circ", "daily"}, "2027-01-31");
  ASSERT_EQ(again.exit_code, 0);
  EXPECT_EQ(again.out.find("期限切れ"), std::string::npos) << "safe to run twice: " << again.out;
  EXPECT_EQ(second.Get("/account/ready").find("坊っちゃん"), std::string::npos);
  EXPECT_NE(second.Get("/account/holds").find("回送中"), std::string::npos);
  CommandResult arrived = Staff({"circ", "receive", barcode}, "2027-02-01");
  ASSERT_EQ(arrived.exit_code, 0) << arrived.err;
  EXPECT_NE(arrived.out.find("取置: " + barcode), std::string::npos) << arrived.out;
  EXPECT_NE(second.Get("/account/ready").find("坊っちゃん"), std::string::npos);
}

TEST_F(Circulation, RenewalOverdueAndReservedLoans) {
  Browser b(server_, false);
  Login(b, "1000000011", "neko2026");
  std::string loans = b.Get("/account/loans");
  // 坊っちゃん (on time, not reserved... but the demo has a hold on it) and
  // the already-renewed loan have no 延長; find any 延長 button.
  std::smatch m;
  if (std::regex_search(loans, m, std::regex("value=\"延長\""))) {
    long status = 0;
    std::string done = b.Post("/account/loans/renew", {}, &status);
    EXPECT_NE(done.find("延長しました。新しい返却期限は1月9日(土)です。"), std::string::npos)
        << done;
  }
  Browser k(server_, false);
  Login(k, "1000000022", "Tsuru77");
  std::string kl = k.Get("/account/loans");
  EXPECT_NE(kl.find("<strong>延滞</strong>"), std::string::npos);
  EXPECT_NE(kl.find("<strong>予約あり</strong>"), std::string::npos);
  // Neither the overdue nor the reserved loan offers 延長.
  EXPECT_EQ(kl.find("value=\"延長\""), std::string::npos) << kl;
}

TEST_F(Circulation, AnOldPhonesListsAreCutToItsFiveKilobytes) {
  // DoCoMo/1.0 without a cache token: 5 KB pages, no cookies.
  Browser phone(server_, true, "DoCoMo/1.0/N503i");
  Login(phone, "1000000055", "satsuma5");
  long status = 0;
  for (const char* title : {"こころ", "三四郎", "それから", "門", "草枕", "雪国", "古都", "金閣寺",
                            "潮騒", "人間失格"}) {
    const int64_t id = RecordId(server_, title);
    ASSERT_GT(id, 0) << title;
    phone.Get("/record?id=" + std::to_string(id));
    phone.Post("/cart/add", {}, &status);
    ASSERT_EQ(status, 200) << title;
  }
  phone.Get("/reserve");
  phone.Post("/reserve/confirm", {{"branch", "noda"}, {"contact", "none"}}, &status);
  std::string result = phone.Post("/reserve/place", {}, &status);
  ASSERT_EQ(status, 200);
  std::string page = phone.Get("/account/holds", &status);
  ASSERT_EQ(status, 200);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page, m, std::regex("href=\"([^\"]*)\" accesskey=\"6\">次へ</a>")))
      << "ten holds do not fit one 5 KB page";
  std::string next = m[1];
  for (size_t at; (at = next.find("&amp;")) != std::string::npos;) next.replace(at, 5, "&");
  HttpResponse raw = server_.Get(next, {"User-Agent: DoCoMo/1.0/N503i"});
  EXPECT_EQ(raw.status, 200);
  EXPECT_LE(raw.body.size(), 5u * 1024);
  for (const char* path : {"/account/holds", "/account/loans", "/account/ready", "/account"}) {
    HttpResponse r =
        server_.Get(std::string(path) + "?sid=" + phone.sid(), {"User-Agent: DoCoMo/1.0/N503i"});
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_LE(r.body.size(), 5u * 1024) << path;
  }
}

TEST_F(Circulation, TwoPatronsReservingAtOnceGetPositionsOneAndTwo) {
  const int64_t id = RecordId(server_, "三四郎");
  Browser a(server_, false), b(server_, true);
  Login(a, "1000000011", "neko2026");
  Login(b, "1000000033", "hon4649");
  for (Browser* x : {&a, &b}) {
    long status = 0;
    x->Get("/record?id=" + std::to_string(id));
    x->Post("/cart/add", {}, &status);
    x->Get("/reserve");
    x->Post("/reserve/confirm", {{"branch", "chuo"}, {"contact", "phone"}}, &status);
    ASSERT_EQ(status, 200) << (x == &a ? "PC: " : "phone: ") << x->last_page();
  }
  std::string ra, rb;
  std::thread ta([&] { ra = a.Post("/reserve/place", {}); });
  std::thread tb([&] { rb = b.Post("/reserve/place", {}); });
  ta.join();
  tb.join();
  const bool a_first = ra.find("1番目") != std::string::npos;
  EXPECT_NE((a_first ? rb : ra).find("2番目"), std::string::npos) << ra << rb;
  EXPECT_NE((a_first ? ra : rb).find("1番目"), std::string::npos) << ra << rb;
}

// Wrong passwords leave counters (per card and per device) that matter only
// for the lock time; the daily job forgets those whose time is over and
// keeps the rest.
TEST_F(Circulation, TheDailyJobForgetsFailedLoginsPastTheirLockTime) {
  Browser pc(server_, false);
  pc.Get("/account");
  long status = 0;
  pc.Post("/account/login", {{"card", "1000000022"}, {"password", "wrong1"}}, &status);
  ASSERT_EQ(status, 403);
  const std::string count = "SELECT count(*) FROM auth_failures";
  ASSERT_EQ(QueryInt(db_, count), 3) << "one for the card, one for the session, one for the address";
  // A day passes for the card's counter only (the lock time is 15 minutes).
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h,
                         "UPDATE auth_failures SET last_at = last_at - 86400"
                         " WHERE kind = 'login_card'",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);

  CommandResult daily = Staff({"circ", "daily"});
  ASSERT_EQ(daily.exit_code, 0) << daily.err;
  EXPECT_NE(daily.out.find("forgot 1 failed-login counters past their lock time"),
            std::string::npos)
      << daily.out;
  EXPECT_EQ(QueryInt(db_, count), 2);
  EXPECT_EQ(QueryText(db_, "SELECT group_concat(kind) FROM auth_failures"), "login_key,source")
      << "the session's and the address's counters are still within their time";
  CommandResult again = Staff({"circ", "daily"});
  EXPECT_EQ(again.out.find("forgot"), std::string::npos) << again.out;
}

}  // namespace
}  // namespace shiori::test
