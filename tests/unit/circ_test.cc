// Tests for the operations of db/circ.h: placing holds from a cart (with
// an idempotency key and under concurrency), the hold life cycle through
// checkin, pull, daily expiry and cancel, renewals, checkout, and that a
// failing step leaves nothing half-done.
#include "db/circ.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "db/catalog.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

constexpr char kNow[] = "2026-06-01T10:00:00Z";

Date D(const char* s) { return *Date::Parse(s); }

LibraryRules Rules() {
  LibraryRules r;
  Branch chuo{"chuo", "中央図書館", {}};
  chuo.closed.weekdays = {1};
  chuo.closed.yearly = {{{12, 29}, {1, 3}}};
  Branch takaono{"takaono", "高尾野図書館", {}};
  takaono.closed.weekdays = {1, 2};
  Branch noda{"noda", "野田図書館", {}};
  r.branches = {chuo, takaono, noda};
  return r;
}

class CircTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-circ-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto c = Connection::Open(path());
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
  std::string path() const { return dir_ + "/shiori.db"; }

  void Sql(const std::string& sql) { ASSERT_TRUE(c_->Exec(sql).ok()) << sql; }
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
    EXPECT_TRUE(r.ok() && *r) << sql;
    return r.ok() && *r ? s->Text(0) : "";
  }

  int64_t AddRecord(const std::string& title) {
    Sql("INSERT INTO records(title) VALUES('" + title + "')");
    return c_->LastInsertId();
  }
  int64_t AddCopy(int64_t record, const std::string& barcode, const std::string& branch,
                  const std::string& status = "shelf") {
    Sql("INSERT INTO copies(barcode, record_id, branch, status) VALUES('" + barcode + "', " +
        std::to_string(record) + ", '" + branch + "', '" + status + "')");
    return c_->LastInsertId();
  }
  int64_t AddPatron(const std::string& card, const std::string& email = "") {
    Sql("INSERT INTO patrons(card, name_kana, phone, email) VALUES('" + card +
        "', 'テスト', '0996-00-" + card.substr(card.size() - 4) + "', " +
        (email.empty() ? "NULL" : "'" + email + "'") + ")");
    return c_->LastInsertId();
  }

  // One title, placed; returns its result.
  HoldResult Place(int64_t patron, int64_t record, const std::string& branch = "chuo",
                   const std::string& contact = "none", const std::string& key = "") {
    auto r = PlaceHolds(*c_, patron, {record}, branch, contact, key, rules_, kNow);
    EXPECT_TRUE(r.ok()) << r.status().message();
    if (!r.ok() || r->size() != 1) return {};
    return (*r)[0];
  }
  int64_t HoldId(int64_t patron, int64_t record) {
    return Int("SELECT id FROM holds WHERE patron_id = " + std::to_string(patron) +
               " AND record_id = " + std::to_string(record) + " ORDER BY id DESC LIMIT 1");
  }
  std::string HoldField(int64_t hold, const std::string& col) {
    return Text("SELECT ifnull(" + col + ", '') FROM holds WHERE id = " + std::to_string(hold));
  }
  std::string CopyStatus(const std::string& barcode) {
    return Text("SELECT status FROM copies WHERE barcode = '" + barcode + "'");
  }
  // A loan made through Checkout on `day`.
  void Lend(const std::string& card, const std::string& barcode, const char* day) {
    auto r = Checkout(*c_, card, barcode, "", D(day), rules_);
    ASSERT_TRUE(r.ok()) << r.status().message();
  }
  // The daily run on `day`; its lines are appended to `log`.
  Status Daily(const char* day, std::vector<std::string>* log = nullptr) {
    auto r = DailyRun(*c_, D(day), rules_);
    if (r.ok() && log) log->insert(log->end(), r->begin(), r->end());
    return r.status();
  }
  // A counter result's lines, appended to `log`; its status.
  Status Lines(Result<CounterResult> r, std::vector<std::string>* log = nullptr) {
    if (r.ok() && log) log->insert(log->end(), r->lines.begin(), r->lines.end());
    return r.status();
  }
  // Row counts of every table circulation writes, and the copies' states.
  std::string Snapshot() {
    return Text(
        "SELECT (SELECT count(*) FROM holds) || '/' ||"
        " (SELECT ifnull(group_concat(id || status || ifnull(copy_id,'') || ifnull(closed_at,''),"
        "  ','), '') FROM holds) || '/' ||"
        " (SELECT count(*) FROM loans WHERE returned_on IS NULL) || '/' ||"
        " (SELECT count(*) FROM outbox) || '/' || (SELECT count(*) FROM hold_requests) || '/' ||"
        " (SELECT group_concat(barcode || status, ',') FROM copies)");
  }

  std::string dir_;
  LibraryRules rules_ = Rules();
  std::unique_ptr<Connection> c_;
};

// ---------------------------------------------------------------- PlaceHolds

TEST_F(CircTest, PlaceHoldsGivesQueuePositions) {
  const int64_t book = AddRecord("吾輩は猫である");
  AddCopy(book, "B1", "chuo", "loan");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  HoldResult ra = Place(a, book);
  EXPECT_EQ(ra.outcome, HoldOutcome::kPlaced);
  EXPECT_EQ(ra.position, 1);
  EXPECT_FALSE(ra.available_now);
  EXPECT_NE(ra.message.find("予約順位は1番"), std::string::npos) << ra.message;
  HoldResult rb = Place(b, book, "noda", "phone");
  EXPECT_EQ(rb.outcome, HoldOutcome::kPlaced);
  EXPECT_EQ(rb.position, 2);
  EXPECT_EQ(HoldField(HoldId(b, book), "status"), "waiting");
  EXPECT_EQ(HoldField(HoldId(b, book), "pickup_branch"), "noda");
  EXPECT_EQ(HoldField(HoldId(b, book), "placed_at"), kNow);

  auto lines = PatronHolds(*c_, b, false);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].position, 2);
}

TEST_F(CircTest, PlaceHoldsOnShelfCopyIsAvailableNow) {
  const int64_t book = AddRecord("坊っちゃん");
  AddCopy(book, "B1", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  HoldResult ra = Place(a, book);
  EXPECT_TRUE(ra.available_now);
  EXPECT_NE(ra.message.find("数日でご用意できます"), std::string::npos) << ra.message;
  EXPECT_FALSE(Place(b, book).available_now);  // the one shelf copy is for the first in line
}

TEST_F(CircTest, PlaceHoldsCartOutcomes) {
  const int64_t on_loan = AddRecord("こころ");
  AddCopy(on_loan, "L1", "chuo");
  const int64_t none = AddRecord("copies lost");
  AddCopy(none, "M1", "chuo", "missing");
  const int64_t no_copy = AddRecord("no copy");
  const int64_t ok = AddRecord("三四郎");
  AddCopy(ok, "K1", "noda", "loan");
  const int64_t a = AddPatron("1001");
  Lend("1001", "L1", "2026-06-01");

  auto r = PlaceHolds(*c_, a, {ok, ok, on_loan, none, no_copy, 999999}, "chuo", "none", "", rules_,
                      kNow);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->size(), 6u);
  EXPECT_EQ((*r)[0].outcome, HoldOutcome::kPlaced);
  EXPECT_EQ((*r)[0].record_id, ok);
  EXPECT_EQ((*r)[1].outcome, HoldOutcome::kAlreadyReserved);
  EXPECT_EQ((*r)[1].message, "この資料はすでに予約しています。");
  EXPECT_EQ((*r)[2].outcome, HoldOutcome::kAlreadyOnLoan);
  EXPECT_EQ((*r)[3].outcome, HoldOutcome::kNotLendable);
  EXPECT_EQ((*r)[4].outcome, HoldOutcome::kNotLendable);
  EXPECT_EQ((*r)[5].outcome, HoldOutcome::kNotLendable);
  EXPECT_EQ((*r)[5].message, "この資料は予約できません。");
  EXPECT_EQ(Int("SELECT count(*) FROM holds"), 1);
  // A second call for the same title, later: already reserved.
  EXPECT_EQ(Place(a, ok).outcome, HoldOutcome::kAlreadyReserved);
}

TEST_F(CircTest, PlaceHoldsLimitStopsTheRestOfTheCart) {
  rules_.max_holds = 3;
  const int64_t a = AddPatron("1001");
  std::vector<int64_t> cart;
  for (int i = 0; i < 5; ++i) {
    cart.push_back(AddRecord("title " + std::to_string(i)));
    AddCopy(cart.back(), "C" + std::to_string(i), "chuo", "loan");
  }
  // One hold already: two more fit.
  EXPECT_EQ(Place(a, cart[4]).outcome, HoldOutcome::kPlaced);
  cart.pop_back();
  auto r = PlaceHolds(*c_, a, cart, "chuo", "none", "", rules_, kNow);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].outcome, HoldOutcome::kPlaced);
  EXPECT_EQ((*r)[1].outcome, HoldOutcome::kPlaced);
  EXPECT_EQ((*r)[2].outcome, HoldOutcome::kLimitReached);
  EXPECT_EQ((*r)[3].outcome, HoldOutcome::kLimitReached);
  EXPECT_NE((*r)[2].message.find("3件まで"), std::string::npos) << (*r)[2].message;
  EXPECT_EQ(Int("SELECT count(*) FROM holds WHERE status = 'waiting'"), 3);
}

TEST_F(CircTest, CheckHoldsAnswersAsPlaceHoldsWouldAndPlacesNothing) {
  rules_.max_holds = 3;
  const int64_t on_loan = AddRecord("こころ");
  AddCopy(on_loan, "L1", "chuo");
  const int64_t held = AddRecord("門");
  AddCopy(held, "H1", "chuo", "loan");
  const int64_t none = AddRecord("copies lost");
  AddCopy(none, "M1", "chuo", "missing");
  std::vector<int64_t> free;
  for (int i = 0; i < 3; ++i) {
    free.push_back(AddRecord("title " + std::to_string(i)));
    AddCopy(free.back(), "C" + std::to_string(i), "chuo", "loan");
  }
  const int64_t a = AddPatron("1001");
  Lend("1001", "L1", "2026-06-01");
  ASSERT_EQ(Place(a, held).outcome, HoldOutcome::kPlaced);  // one of three already

  const std::vector<int64_t> cart = {free[0], free[0], on_loan, held, none, free[1], free[2]};
  auto checked = CheckHolds(*c_, a, cart, rules_);
  ASSERT_TRUE(checked.ok()) << checked.status().message();
  EXPECT_EQ(Int("SELECT count(*) FROM holds"), 1) << "nothing placed";
  auto placed = PlaceHolds(*c_, a, cart, "chuo", "none", "", rules_, kNow);
  ASSERT_TRUE(placed.ok());
  ASSERT_EQ(checked->size(), cart.size());
  ASSERT_EQ(placed->size(), cart.size());
  const HoldOutcome expected[] = {HoldOutcome::kPlaced,        HoldOutcome::kAlreadyReserved,
                                  HoldOutcome::kAlreadyOnLoan, HoldOutcome::kAlreadyReserved,
                                  HoldOutcome::kNotLendable,   HoldOutcome::kPlaced,
                                  HoldOutcome::kLimitReached};
  for (size_t i = 0; i < cart.size(); ++i) {
    EXPECT_EQ((*checked)[i].outcome, expected[i]) << i;
    EXPECT_EQ((*placed)[i].outcome, expected[i]) << i;
    EXPECT_EQ((*checked)[i].record_id, cart[i]);
    if (expected[i] != HoldOutcome::kPlaced) {
      EXPECT_EQ((*checked)[i].message, (*placed)[i].message) << i;
    }
  }
  EXPECT_EQ((*checked)[0].message, "") << "no message for a title that would be placed";
  EXPECT_NE((*checked)[6].message.find("3件まで"), std::string::npos) << (*checked)[6].message;
}

TEST_F(CircTest, PlaceHoldsRefusesTheWholeRequest) {
  const int64_t book = AddRecord("羅生門");
  AddCopy(book, "B1", "chuo");
  const int64_t no_mail = AddPatron("1001"), with_mail = AddPatron("1002", "a@example.jp");
  auto r = PlaceHolds(*c_, no_mail, {book}, "chuo", "mail", "k1", rules_, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
  EXPECT_NE(r.status().message().find("メールアドレスが登録されていない"), std::string::npos);
  EXPECT_EQ(Int("SELECT count(*) FROM hold_requests"), 0);  // the form may be sent again, fixed

  EXPECT_EQ(PlaceHolds(*c_, no_mail, {book}, "nowhere", "none", "", rules_, kNow).status().code(),
            Status::Code::kInvalid);
  EXPECT_EQ(PlaceHolds(*c_, no_mail, {book}, "chuo", "fax", "", rules_, kNow).status().code(),
            Status::Code::kInvalid);
  EXPECT_EQ(PlaceHolds(*c_, no_mail, {}, "chuo", "none", "", rules_, kNow).status().code(),
            Status::Code::kInvalid);
  EXPECT_EQ(PlaceHolds(*c_, 4242, {book}, "chuo", "none", "", rules_, kNow).status().code(),
            Status::Code::kNotFound);
  Sql("UPDATE patrons SET status = 'blocked' WHERE id = " + std::to_string(no_mail));
  EXPECT_EQ(PlaceHolds(*c_, no_mail, {book}, "chuo", "none", "", rules_, kNow).status().code(),
            Status::Code::kConflict);
  EXPECT_EQ(Int("SELECT count(*) FROM holds"), 0);

  // Mail with an address, and the same retry with phone, both work.
  EXPECT_EQ(Place(with_mail, book, "chuo", "mail").outcome, HoldOutcome::kPlaced);
  EXPECT_EQ(HoldField(HoldId(with_mail, book), "contact"), "mail");
  Sql("UPDATE patrons SET status = 'active' WHERE id = " + std::to_string(no_mail));
  EXPECT_EQ(Place(no_mail, book, "chuo", "phone", "k1").outcome, HoldOutcome::kPlaced);
}

TEST_F(CircTest, PlaceHoldsSameRequestKeyPlacesNothingMore) {
  const int64_t x = AddRecord("x"), y = AddRecord("y");
  AddCopy(x, "X1", "chuo", "loan");
  AddCopy(y, "Y1", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  auto first = PlaceHolds(*c_, a, {x, y}, "chuo", "none", "token-1", rules_, kNow);
  ASSERT_TRUE(first.ok());
  const std::string before = Snapshot();
  // The back button, then a double tap: the first answers, nothing placed.
  auto again = PlaceHolds(*c_, a, {x, y}, "chuo", "none", "token-1", rules_, kNow);
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(Snapshot(), before);
  ASSERT_EQ(again->size(), first->size());
  for (size_t i = 0; i < first->size(); ++i) {
    EXPECT_EQ((*again)[i].record_id, (*first)[i].record_id);
    EXPECT_EQ((*again)[i].outcome, HoldOutcome::kPlaced);
    EXPECT_EQ((*again)[i].position, (*first)[i].position);
    EXPECT_EQ((*again)[i].available_now, (*first)[i].available_now);
    EXPECT_EQ((*again)[i].message, (*first)[i].message);
  }
  EXPECT_TRUE((*again)[1].available_now);
  // The key is the patron's own: another patron's token of the same text is a new request.
  EXPECT_EQ(Place(b, x, "chuo", "none", "token-1").position, 2);
  // A new token is a new request.
  EXPECT_EQ(Place(a, x, "chuo", "none", "token-2").outcome, HoldOutcome::kAlreadyReserved);
  // Kept two days, then DailyRun forgets it.
  ASSERT_TRUE(Daily("2026-06-03", nullptr).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM hold_requests"), 3);
  ASSERT_TRUE(Daily("2026-06-04", nullptr).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM hold_requests"), 0);
}

// Two server threads reserving the same title at the same moment queue one
// after the other.
TEST_F(CircTest, ConcurrentPlaceHoldsGetDistinctPositions) {
  rules_.max_holds = 100;  // each patron places one hold per round
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  auto ca = Connection::Open(path());
  auto cb = Connection::Open(path());
  ASSERT_TRUE(ca.ok() && cb.ok());
  for (int round = 0; round < 20; ++round) {
    const int64_t book = AddRecord("race " + std::to_string(round));
    AddCopy(book, "R" + std::to_string(round), "chuo", "loan");
    std::atomic<int> ready{0};
    HoldResult ra, rb;
    Status sa, sb;
    auto run = [&](Connection* c, int64_t patron, HoldResult* out, Status* st) {
      ready.fetch_add(1);
      while (ready.load() < 2) {
      }
      auto r = PlaceHolds(*c, patron, {book}, "chuo", "none", "", rules_, kNow);
      if (!r.ok()) {
        *st = r.status();
        return;
      }
      *out = (*r)[0];
    };
    std::thread ta(run, ca->get(), a, &ra, &sa);
    std::thread tb(run, cb->get(), b, &rb, &sb);
    ta.join();
    tb.join();
    ASSERT_TRUE(sa.ok()) << sa.message();
    ASSERT_TRUE(sb.ok()) << sb.message();
    ASSERT_EQ(ra.outcome, HoldOutcome::kPlaced);
    ASSERT_EQ(rb.outcome, HoldOutcome::kPlaced);
    EXPECT_EQ(std::min(ra.position, rb.position), 1) << "round " << round;
    EXPECT_EQ(std::max(ra.position, rb.position), 2) << "round " << round;
  }
  EXPECT_EQ(Int("SELECT count(DISTINCT seq) FROM holds"), 40);
}

// ---------------------------------------------------------------- life cycle

TEST_F(CircTest, CheckinServesTheQueueAcrossAWeeklyClosure) {
  const int64_t book = AddRecord("銀河鉄道の夜");
  AddCopy(book, "B1", "takaono");
  const int64_t lender = AddPatron("1000");
  const int64_t first = AddPatron("1001", "first@example.jp"), second = AddPatron("1002");
  Lend("1000", "B1", "2026-05-23");
  (void)lender;
  ASSERT_EQ(Place(first, book, "takaono", "mail").position, 1);
  ASSERT_EQ(Place(second, book, "noda", "phone").position, 2);
  const int64_t h1 = HoldId(first, book), h2 = HoldId(second, book);

  // Returned on Saturday 2026-06-06; takaono closes Mondays and Tuesdays:
  // Sun 7 (1), Wed 10..Sun 14 (2..6), Wed 17 (7).
  std::vector<std::string> log;
  ASSERT_TRUE(Lines(Checkin(*c_, "B1", "", D("2026-06-06"), rules_), &log).ok());
  EXPECT_EQ(HoldField(h1, "status"), "ready");
  EXPECT_EQ(HoldField(h1, "ready_on"), "2026-06-06");
  EXPECT_EQ(HoldField(h1, "pickup_deadline"), "2026-06-17");
  EXPECT_EQ(HoldField(h2, "status"), "waiting");
  EXPECT_EQ(CopyStatus("B1"), "held");
  EXPECT_EQ(Int("SELECT count(*) FROM loans WHERE returned_on = '2026-06-06'"), 1);
  EXPECT_EQ(Int("SELECT count(*) FROM outbox WHERE kind = 'hold_ready' AND status = 'pending'"
                " AND sent_at IS NULL AND hold_id = " +
                std::to_string(h1) + " AND patron_id = " + std::to_string(first)),
            1);
  ASSERT_GE(log.size(), 2u);
  EXPECT_NE(log[0].find("返却: B1"), std::string::npos) << log[0];
  EXPECT_NE(log[1].find("取置: B1"), std::string::npos) << log[1];
  auto ready = PatronHolds(*c_, first, true);
  ASSERT_TRUE(ready.ok());
  ASSERT_EQ(ready->size(), 1u);
  EXPECT_EQ((*ready)[0].deadline, "2026-06-17");

  // Not collected: on the deadline itself nothing happens, the day after it expires.
  log.clear();
  ASSERT_TRUE(Daily("2026-06-17", &log).ok());
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(HoldField(h1, "status"), "ready");
  ASSERT_TRUE(Daily("2026-06-18", &log).ok());
  EXPECT_EQ(HoldField(h1, "status"), "expired");
  EXPECT_EQ(HoldField(h1, "closed_at"), "2026-06-18");
  // The second hold is picked up at noda: the copy travels there and the
  // hold is not ready until it arrives; nobody is told yet.
  EXPECT_EQ(HoldField(h2, "status"), "waiting");
  EXPECT_EQ(HoldField(h2, "ready_on"), "");
  EXPECT_EQ(CopyStatus("B1"), "transit");
  EXPECT_EQ(Text("SELECT transit_to FROM copies WHERE barcode = 'B1'"), "noda");
  bool sent = false;
  for (const auto& l : log) sent |= l.find("野田図書館へ送ってください") != std::string::npos;
  EXPECT_TRUE(sent) << ::testing::PrintToString(log);
  EXPECT_TRUE(PatronHolds(*c_, second, true)->empty());
  EXPECT_TRUE((*PatronHolds(*c_, second, false))[0].in_transit);

  // Again the same day: nothing changes.
  const std::string before = Snapshot();
  log.clear();
  ASSERT_TRUE(Daily("2026-06-18", &log).ok());
  EXPECT_TRUE(log.empty()) << ::testing::PrintToString(log);
  EXPECT_EQ(Snapshot(), before);

  // Received at noda two days later: ready now, deadline counted from then
  // (noda is open every day), and the phone call is asked for now.
  EXPECT_EQ(Lines(ReceiveTransit(*c_, "B1", "takaono", D("2026-06-20"), rules_)).code(),
            Status::Code::kConflict)
      << "the copy goes to noda, not takaono";
  log.clear();
  ASSERT_TRUE(Lines(ReceiveTransit(*c_, "B1", "noda", D("2026-06-20"), rules_), &log).ok());
  EXPECT_EQ(HoldField(h2, "status"), "ready");
  EXPECT_EQ(HoldField(h2, "ready_on"), "2026-06-20");
  EXPECT_EQ(HoldField(h2, "pickup_deadline"), "2026-06-27");
  EXPECT_EQ(CopyStatus("B1"), "held");
  bool call = false;
  for (const auto& l : log) call |= l.find("0996-00-1002") != std::string::npos;
  EXPECT_TRUE(call) << ::testing::PrintToString(log);
  EXPECT_EQ(Int("SELECT count(*) FROM outbox"), 1);  // phone: no mail queued

  // Expired too, nobody waits: the copy goes home to takaono, and is shelved
  // when received there.
  ASSERT_TRUE(Daily("2026-06-28").ok());
  EXPECT_EQ(HoldField(h2, "status"), "expired");
  EXPECT_EQ(CopyStatus("B1"), "transit");
  EXPECT_EQ(Text("SELECT transit_to FROM copies WHERE barcode = 'B1'"), "takaono");
  ASSERT_TRUE(Lines(ReceiveTransit(*c_, "B1", "takaono", D("2026-06-30"), rules_)).ok());
  EXPECT_EQ(CopyStatus("B1"), "shelf");
}

TEST_F(CircTest, PickupDeadlineSkipsTheYearEnd) {
  const int64_t book = AddRecord("年末の本");
  AddCopy(book, "B1", "chuo");
  const int64_t p = AddPatron("1001");
  AddPatron("1000");
  Lend("1000", "B1", "2026-12-12");
  Place(p, book, "chuo");
  ASSERT_TRUE(Lines(Checkin(*c_, "B1", "", D("2026-12-26"), rules_), nullptr).ok());
  // Sun 12-27 (1); Mon 12-28 and 12-29..01-03 closed; Mon 01-04 closed;
  // Tue 01-05 .. Sun 01-10 (2..7).
  EXPECT_EQ(HoldField(HoldId(p, book), "pickup_deadline"), "2027-01-10");
}

TEST_F(CircTest, PullForHoldHandsTheCopyOverWhereItIsTaken) {
  const int64_t book = AddRecord("走れメロス");
  AddCopy(book, "S1", "noda");
  AddCopy(book, "S2", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  Place(a, book, "chuo");
  Place(b, book, "chuo");
  const int64_t ha = HoldId(a, book), hb = HoldId(b, book);
  std::vector<std::string> log;
  // A copy is taken from the shelf of the branch where staff work only.
  EXPECT_EQ(Lines(PullForHold(*c_, "S1", "chuo", D("2026-06-02"), rules_), &log).code(),
            Status::Code::kConflict);
  EXPECT_TRUE(log.empty());
  // At the pickup branch: the first hold is ready at once.
  auto r = PullForHold(*c_, "S2", "chuo", D("2026-06-02"), rules_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  ASSERT_EQ(r->fates.size(), 1u);
  EXPECT_EQ(r->fates[0].kind, CopyFate::Kind::kHoldReady);
  EXPECT_EQ(r->fates[0].hold_id, ha);
  EXPECT_EQ(HoldField(ha, "status"), "ready");
  EXPECT_EQ(CopyStatus("S2"), "held");
  // At another branch: the copy travels to the next hold's pickup branch.
  r = PullForHold(*c_, "S1", "noda", D("2026-06-02"), rules_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->fates[0].kind, CopyFate::Kind::kTransit);
  EXPECT_EQ(r->fates[0].branch_name, "中央図書館");
  EXPECT_EQ(HoldField(hb, "status"), "waiting");
  EXPECT_EQ(CopyStatus("S1"), "transit");
  // In transit, not on the shelf; unknown barcode.
  EXPECT_EQ(Lines(PullForHold(*c_, "S1", "noda", D("2026-06-02"), rules_)).code(),
            Status::Code::kConflict);
  EXPECT_EQ(Lines(PullForHold(*c_, "nope", "noda", D("2026-06-02"), rules_)).code(),
            Status::Code::kNotFound);
}

TEST_F(CircTest, CheckoutRespectsReadyHolds) {
  const int64_t book = AddRecord("雪国");
  AddCopy(book, "Y1", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  Place(a, book, "chuo");
  ASSERT_TRUE(Lines(PullForHold(*c_, "Y1", "", D("2026-06-02"), rules_), nullptr).ok());
  const int64_t ha = HoldId(a, book);

  // Set aside for a: b cannot borrow it.
  std::vector<std::string> log;
  Status s = Lines(Checkout(*c_, "1002", "Y1", "", D("2026-06-03"), rules_), &log);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_NE(s.message().find("他の利用者の予約の取置中"), std::string::npos) << s.message();
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(Int("SELECT count(*) FROM loans"), 0);

  // a collects it: the hold is fulfilled, due in 14 days.
  ASSERT_TRUE(Lines(Checkout(*c_, "1001", "Y1", "", D("2026-06-03"), rules_), &log).ok());
  EXPECT_EQ(HoldField(ha, "status"), "fulfilled");
  EXPECT_EQ(HoldField(ha, "closed_at"), "2026-06-03");
  EXPECT_EQ(CopyStatus("Y1"), "loan");
  EXPECT_EQ(Text("SELECT due_on FROM loans"), "2026-06-17");
  EXPECT_EQ(Text("SELECT loaned_on FROM loans"), "2026-06-03");

  // Already on loan; unknown card and barcode.
  EXPECT_EQ(Lines(Checkout(*c_, "1002", "Y1", "", D("2026-06-03"), rules_), &log).code(),
            Status::Code::kConflict);
  EXPECT_EQ(Lines(Checkout(*c_, "9999", "Y1", "", D("2026-06-03"), rules_), &log).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(Lines(Checkout(*c_, "1002", "ZZ", "", D("2026-06-03"), rules_), &log).code(),
            Status::Code::kNotFound);
  EXPECT_EQ(Lines(Checkin(*c_, "ZZ", "", D("2026-06-03"), rules_), &log).code(),
            Status::Code::kNotFound);
  // A copy on the shelf is not checked in; a blocked card borrows nothing.
  const int64_t more = AddRecord("伊豆の踊子");
  AddCopy(more, "Y2", "noda");
  EXPECT_EQ(Lines(Checkin(*c_, "Y2", "", D("2026-06-03"), rules_), &log).code(),
            Status::Code::kConflict);
  Sql("UPDATE patrons SET status = 'blocked' WHERE id = " + std::to_string(b));
  EXPECT_EQ(Lines(Checkout(*c_, "1002", "Y2", "", D("2026-06-03"), rules_), &log).code(),
            Status::Code::kConflict);
  EXPECT_EQ(CopyStatus("Y2"), "shelf");
}

TEST_F(CircTest, CheckoutOfAnotherCopyReleasesTheOneSetAside) {
  const int64_t book = AddRecord("草枕");
  AddCopy(book, "K1", "chuo");
  AddCopy(book, "K2", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  Place(a, book, "chuo");
  ASSERT_TRUE(Lines(PullForHold(*c_, "K1", "", D("2026-06-02"), rules_), nullptr).ok());
  Place(b, book, "chuo");
  // a takes K2 from the shelf instead: the hold is fulfilled and K1 goes to b.
  ASSERT_TRUE(Lines(Checkout(*c_, "1001", "K2", "", D("2026-06-03"), rules_), nullptr).ok());
  EXPECT_EQ(HoldField(HoldId(a, book), "status"), "fulfilled");
  EXPECT_EQ(HoldField(HoldId(b, book), "status"), "ready");
  EXPECT_EQ(HoldField(HoldId(b, book), "copy_id"),
            Text("SELECT id FROM copies WHERE barcode = 'K1'"));
}

// ---------------------------------------------------------------- renewals

TEST_F(CircTest, RenewLoanRules) {
  const int64_t book = AddRecord("山椒大夫"), other = AddRecord("高瀬舟");
  AddCopy(book, "R1", "chuo");
  AddCopy(other, "R2", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  Lend("1001", "R1", "2026-06-01");  // due 06-16: 06-15 is a Monday, chuo is closed
  Lend("1001", "R2", "2026-06-01");
  const int64_t loan =
      Int("SELECT l.id FROM loans l JOIN copies k ON k.id = l.copy_id WHERE k.barcode = 'R1'");
  const int64_t loan2 =
      Int("SELECT l.id FROM loans l JOIN copies k ON k.id = l.copy_id WHERE k.barcode = 'R2'");

  // Renewed on the day it was lent: the due date would not move.
  auto r = RenewLoan(*c_, a, loan, D("2026-06-01"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
  EXPECT_NE(r.status().message().find("延びない"), std::string::npos);

  r = RenewLoan(*c_, a, loan, D("2026-06-10"), rules_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->ToString(), "2026-06-24");
  EXPECT_EQ(Text("SELECT due_on || '/' || renewals FROM loans WHERE id = " + std::to_string(loan)),
            "2026-06-24/1");
  // Once only.
  r = RenewLoan(*c_, a, loan, D("2026-06-20"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("1回まで"), std::string::npos) << r.status().message();

  // Someone waits: not renewable.
  EXPECT_EQ(Place(b, other).outcome, HoldOutcome::kPlaced);
  r = RenewLoan(*c_, a, loan2, D("2026-06-10"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("予約"), std::string::npos) << r.status().message();
  ASSERT_TRUE(CancelHold(*c_, b, HoldId(b, other), D("2026-06-10"), rules_).ok());
  // Overdue: not renewable.
  r = RenewLoan(*c_, a, loan2, D("2026-06-17"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("返却期限を過ぎている"), std::string::npos);
  // Due today is not overdue.
  r = RenewLoan(*c_, a, loan2, D("2026-06-16"), rules_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->ToString(), "2026-06-30");
  // Not the patron's loan; returned.
  EXPECT_EQ(RenewLoan(*c_, b, loan2, D("2026-06-16"), rules_).status().code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(Lines(Checkin(*c_, "R2", "", D("2026-06-17"), rules_), nullptr).ok());
  EXPECT_EQ(RenewLoan(*c_, a, loan2, D("2026-06-17"), rules_).status().code(),
            Status::Code::kNotFound);
}

// ---------------------------------------------------------------- patron changes

TEST_F(CircTest, CancelReadyHoldPassesTheCopyOn) {
  const int64_t book = AddRecord("舞姫");
  AddCopy(book, "M1", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002", "b@example.jp");
  Place(a, book, "chuo");
  Place(b, book, "chuo", "mail");
  ASSERT_TRUE(Lines(PullForHold(*c_, "M1", "", D("2026-06-02"), rules_), nullptr).ok());
  const int64_t ha = HoldId(a, book), hb = HoldId(b, book);
  ASSERT_EQ(HoldField(ha, "status"), "ready");

  // Not b's hold to cancel.
  EXPECT_EQ(CancelHold(*c_, b, ha, D("2026-06-03"), rules_).code(), Status::Code::kNotFound);
  ASSERT_TRUE(CancelHold(*c_, a, ha, D("2026-06-03"), rules_).ok());
  EXPECT_EQ(HoldField(ha, "status"), "cancelled");
  EXPECT_EQ(HoldField(ha, "closed_at"), "2026-06-03");
  EXPECT_EQ(HoldField(hb, "status"), "ready");
  EXPECT_EQ(HoldField(hb, "ready_on"), "2026-06-03");
  EXPECT_EQ(CopyStatus("M1"), "held");
  EXPECT_EQ(Int("SELECT count(*) FROM outbox WHERE hold_id = " + std::to_string(hb)), 1);
  // Ended holds cannot be cancelled again.
  Status s = CancelHold(*c_, a, ha, D("2026-06-03"), rules_);
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_EQ(s.message(), "この予約はすでに終了しています。");
  // b cancels too: nobody waits, back to the shelf.
  ASSERT_TRUE(CancelHold(*c_, b, hb, D("2026-06-04"), rules_).ok());
  EXPECT_EQ(CopyStatus("M1"), "shelf");
}

TEST_F(CircTest, CancelWaitingHoldMovesTheQueueUp) {
  const int64_t book = AddRecord("蟹工船");
  AddCopy(book, "K1", "chuo", "loan");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  Place(a, book);
  Place(b, book);
  ASSERT_TRUE(CancelHold(*c_, a, HoldId(a, book), D("2026-06-03"), rules_).ok());
  auto lines = PatronHolds(*c_, b, false);
  ASSERT_TRUE(lines.ok());
  ASSERT_EQ(lines->size(), 1u);
  EXPECT_EQ((*lines)[0].position, 1);
  EXPECT_EQ(CopyStatus("K1"), "loan");
  // Reserving again after a cancel is allowed: the hold goes to the end.
  EXPECT_EQ(Place(a, book).position, 2);
}

TEST_F(CircTest, ChangeHoldBranchOnlyWhileWaiting) {
  const int64_t book = AddRecord("檸檬");
  AddCopy(book, "L1", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002");
  Place(a, book, "chuo");
  const int64_t h = HoldId(a, book);
  ASSERT_TRUE(ChangeHoldBranch(*c_, a, h, "takaono").ok());
  EXPECT_EQ(HoldField(h, "pickup_branch"), "takaono");
  EXPECT_EQ(ChangeHoldBranch(*c_, a, h, "nowhere").code(), Status::Code::kInvalid);
  EXPECT_EQ(ChangeHoldBranch(*c_, b, h, "noda").code(), Status::Code::kNotFound);
  ASSERT_TRUE(Lines(PullForHold(*c_, "L1", "", D("2026-06-02"), rules_), nullptr).ok());
  EXPECT_EQ(CopyStatus("L1"), "transit");  // chuo's copy, picked up at takaono
  Status s = ChangeHoldBranch(*c_, a, h, "chuo");
  EXPECT_EQ(s.code(), Status::Code::kConflict);
  EXPECT_NE(s.message().find("変更できません"), std::string::npos) << s.message();
  EXPECT_EQ(HoldField(h, "pickup_branch"), "takaono");
}

TEST_F(CircTest, ChangeHoldContactNeedsAnAddressForMail) {
  const int64_t book = AddRecord("城の崎にて");
  AddCopy(book, "C1", "chuo");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002", "b@example.jp");
  Place(a, book);
  Place(b, book);
  const int64_t ha = HoldId(a, book), hb = HoldId(b, book);
  EXPECT_EQ(ChangeHoldContact(*c_, a, ha, "mail").code(), Status::Code::kInvalid);
  EXPECT_EQ(ChangeHoldContact(*c_, a, ha, "pigeon").code(), Status::Code::kInvalid);
  ASSERT_TRUE(ChangeHoldContact(*c_, a, ha, "phone").ok());
  EXPECT_EQ(HoldField(ha, "contact"), "phone");
  ASSERT_TRUE(ChangeHoldContact(*c_, b, hb, "mail").ok());
  EXPECT_EQ(HoldField(hb, "contact"), "mail");
  // Ready holds too.
  ASSERT_TRUE(Lines(PullForHold(*c_, "C1", "", D("2026-06-02"), rules_), nullptr).ok());
  ASSERT_TRUE(ChangeHoldContact(*c_, a, ha, "none").ok());
  EXPECT_EQ(HoldField(ha, "contact"), "none");
  ASSERT_TRUE(CancelHold(*c_, b, hb, D("2026-06-02"), rules_).ok());
  EXPECT_EQ(ChangeHoldContact(*c_, b, hb, "phone").code(), Status::Code::kConflict);
}

// ---------------------------------------------------------------- crash safety

// A step failing late inside each operation (injected with a trigger that
// aborts, as a CHECK failing or a full disk would) leaves every table as it was.
TEST_F(CircTest, FailingStepLeavesNothingHalfDone) {
  const int64_t book = AddRecord("失敗");
  AddCopy(book, "F1", "chuo");
  AddCopy(book, "F2", "chuo");
  AddPatron("1000");
  const int64_t a = AddPatron("1001", "a@example.jp"), b = AddPatron("1002");
  Lend("1000", "F1", "2026-06-01");
  Place(a, book, "chuo", "mail");
  Place(b, book, "chuo");

  // Checkin: the loan is closed and the hold made ready before the notice fails.
  Sql("CREATE TEMP TRIGGER fail_outbox BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, "
      "'injected'); END");
  std::string before = Snapshot();
  std::vector<std::string> log;
  Status s = Lines(Checkin(*c_, "F1", "", D("2026-06-05"), rules_), &log);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(Snapshot(), before);
  EXPECT_TRUE(log.empty());
  EXPECT_EQ(Int("SELECT count(*) FROM loans WHERE returned_on IS NULL"), 1);
  Sql("DROP TRIGGER fail_outbox");
  ASSERT_TRUE(Lines(Checkin(*c_, "F1", "", D("2026-06-05"), rules_), &log).ok());
  ASSERT_EQ(HoldField(HoldId(a, book), "status"), "ready");

  // DailyRun: the first expiry is written, then handing the copy on fails.
  Sql("CREATE TEMP TRIGGER fail_ready BEFORE UPDATE OF status ON holds WHEN NEW.status = 'ready'"
      " BEGIN SELECT RAISE(ABORT, 'injected'); END");
  before = Snapshot();
  EXPECT_FALSE(Daily("2026-06-30", &log).ok());
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(HoldField(HoldId(a, book), "status"), "ready");

  // CancelHold of a ready hold: same.
  EXPECT_FALSE(CancelHold(*c_, a, HoldId(a, book), D("2026-06-06"), rules_).ok());
  EXPECT_EQ(Snapshot(), before);
  Sql("DROP TRIGGER fail_ready");

  // PlaceHolds: holds are inserted, then storing the request key fails.
  const int64_t t2 = AddRecord("second"), t3 = AddRecord("third");
  AddCopy(t2, "G1", "chuo");
  AddCopy(t3, "G2", "chuo");
  Sql("CREATE TEMP TRIGGER fail_key BEFORE INSERT ON hold_requests BEGIN SELECT RAISE(ABORT, "
      "'injected'); END");
  before = Snapshot();
  EXPECT_FALSE(PlaceHolds(*c_, b, {t2, t3}, "chuo", "none", "tok", rules_, kNow).ok());
  EXPECT_EQ(Snapshot(), before);
  Sql("DROP TRIGGER fail_key");

  // Checkout: the loan is written and the copy lent, then fulfilling the
  // hold fails on a CHECK constraint (a copy status that does not exist).
  Sql("CREATE TEMP TRIGGER fail_fulfil BEFORE UPDATE OF status ON holds WHEN NEW.status = "
      "'fulfilled'"
      " BEGIN UPDATE copies SET status = 'bogus' WHERE barcode = 'F2'; END");
  before = Snapshot();
  s = Lines(Checkout(*c_, "1001", "F1", "", D("2026-06-06"), rules_), &log);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kConflict) << s.message();
  EXPECT_EQ(Snapshot(), before);
  EXPECT_EQ(Int("SELECT count(*) FROM loans WHERE returned_on IS NULL"), 0);
  Sql("DROP TRIGGER fail_fulfil");
  ASSERT_TRUE(Lines(Checkout(*c_, "1001", "F1", "", D("2026-06-06"), rules_), &log).ok());
  EXPECT_EQ(HoldField(HoldId(a, book), "status"), "fulfilled");
}

// ---------------------------------------------------------------- the counter

// A copy returned at noda for a hold picked up at chuo: 回送, not ready, no
// notice, not in 予約確保一覧; received at chuo: ready from that day (chuo is
// closed on Mondays), the notice queued only then.
TEST_F(CircTest, TransitMakesTheHoldReadyOnlyOnArrival) {
  const int64_t book = AddRecord("こころ");
  AddCopy(book, "T1", "noda");
  AddPatron("1000");
  const int64_t a = AddPatron("1001", "a@example.jp"), b = AddPatron("1002");
  Lend("1000", "T1", "2026-12-01");
  Place(a, book, "chuo", "mail");
  Place(b, book, "chuo", "phone");
  const int64_t ha = HoldId(a, book), hb = HoldId(b, book);

  auto in = Checkin(*c_, "T1", "noda", D("2026-12-10"), rules_);
  ASSERT_TRUE(in.ok()) << in.status().message();
  ASSERT_EQ(in->fates.size(), 1u);
  EXPECT_EQ(in->fates[0].kind, CopyFate::Kind::kTransit);
  EXPECT_EQ(in->fates[0].branch_name, "中央図書館");
  EXPECT_EQ(in->fates[0].hold_id, ha);
  EXPECT_EQ(HoldField(ha, "status"), "waiting");
  EXPECT_EQ(Int("SELECT count(*) FROM outbox"), 0);
  EXPECT_TRUE(PatronHolds(*c_, a, true)->empty());
  auto waiting = PatronHolds(*c_, a, false);
  ASSERT_EQ(waiting->size(), 1u);
  EXPECT_TRUE((*waiting)[0].in_transit);
  EXPECT_EQ((*waiting)[0].position, 0);
  EXPECT_EQ((*PatronHolds(*c_, b, false))[0].position, 1) << "b is next for another copy";
  // The van is on the way: the pickup branch cannot change, another branch
  // cannot receive it, and nobody can borrow it.
  EXPECT_EQ(ChangeHoldBranch(*c_, a, ha, "noda").code(), Status::Code::kConflict);
  auto wrong = ReceiveTransit(*c_, "T1", "takaono", D("2026-12-11"), rules_);
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("回送先は中央図書館"), std::string::npos)
      << wrong.status().message();
  EXPECT_EQ(Checkout(*c_, "1001", "T1", "chuo", D("2026-12-11"), rules_).status().code(),
            Status::Code::kConflict);
  auto transit = TransitsTo(*c_, "chuo");
  ASSERT_TRUE(transit.ok());
  ASSERT_EQ(transit->size(), 1u);
  EXPECT_EQ((*transit)[0].hold_id, ha);
  EXPECT_EQ((*transit)[0].from_branch_name, "野田図書館");

  // Arrives on Saturday 12-12: 7 open days of chuo from then (Mondays closed).
  auto got = ReceiveTransit(*c_, "T1", "chuo", D("2026-12-12"), rules_);
  ASSERT_TRUE(got.ok()) << got.status().message();
  ASSERT_EQ(got->fates.size(), 1u);
  EXPECT_EQ(got->fates[0].kind, CopyFate::Kind::kHoldReady);
  EXPECT_TRUE(got->fates[0].mail_queued);
  EXPECT_EQ(HoldField(ha, "status"), "ready");
  EXPECT_EQ(HoldField(ha, "ready_on"), "2026-12-12");
  EXPECT_EQ(HoldField(ha, "pickup_deadline"), "2026-12-20");
  EXPECT_EQ(CopyStatus("T1"), "held");
  EXPECT_EQ(Int("SELECT count(*) FROM outbox WHERE kind = 'hold_ready' AND hold_id = " +
                std::to_string(ha)),
            1);
  EXPECT_TRUE(TransitsTo(*c_, "chuo")->empty());
  EXPECT_EQ(ReceiveTransit(*c_, "T1", "chuo", D("2026-12-12"), rules_).status().code(),
            Status::Code::kConflict)
      << "received twice";
  (void)hb;
}

// A hold cancelled while its copy travels: the copy goes on and is handed
// over where it arrives (the next hold there, or home).
TEST_F(CircTest, ACopyArrivingForACancelledHoldIsHandedOverThere) {
  const int64_t book = AddRecord("明暗");
  AddCopy(book, "X1", "noda");
  const int64_t a = AddPatron("1001");
  Place(a, book, "chuo");
  ASSERT_TRUE(PullForHold(*c_, "X1", "noda", D("2026-12-08"), rules_).ok());
  ASSERT_TRUE(CancelHold(*c_, a, HoldId(a, book), D("2026-12-08"), rules_).ok());
  EXPECT_EQ(CopyStatus("X1"), "transit");
  auto got = ReceiveTransit(*c_, "X1", "chuo", D("2026-12-09"), rules_);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->fates[0].kind, CopyFate::Kind::kTransit) << "nobody waits: back home";
  EXPECT_EQ(got->fates[0].branch, "noda");
  ASSERT_TRUE(ReceiveTransit(*c_, "X1", "", D("2026-12-10"), rules_).ok());
  EXPECT_EQ(CopyStatus("X1"), "shelf");
}

TEST_F(CircTest, CheckoutRefusesCopiesNotHereAndCardsNotInUse) {
  const int64_t book = AddRecord("坑夫");
  AddCopy(book, "C1", "noda");
  AddCopy(book, "C2", "chuo", "missing");
  const int64_t p = AddPatron("1001");
  auto r = Checkout(*c_, "1001", "C1", "chuo", D("2026-12-08"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("野田図書館の書架の資料"), std::string::npos)
      << r.status().message();
  EXPECT_EQ(Checkout(*c_, "1001", "C1", "nowhere", D("2026-12-08"), rules_).status().code(),
            Status::Code::kInvalid);
  // A copy marked missing, in hand: lent and noted.
  r = Checkout(*c_, "1001", "C2", "chuo", D("2026-12-08"), rules_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_TRUE(r->was_missing);
  EXPECT_EQ(Text("SELECT branch FROM loans"), "chuo");
  // Blocked, then replaced.
  Sql("UPDATE patrons SET status = 'blocked' WHERE id = " + std::to_string(p));
  r = Checkout(*c_, "1001", "C1", "noda", D("2026-12-08"), rules_);
  EXPECT_NE(r.status().message().find("利用停止中"), std::string::npos) << r.status().message();
  Sql("UPDATE patrons SET status = 'active', card = '2001' WHERE id = " + std::to_string(p));
  Sql("INSERT INTO replaced_cards VALUES('1001', " + std::to_string(p) + ", 0)");
  r = Checkout(*c_, "1001", "C1", "noda", D("2026-12-08"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("再発行済み"), std::string::npos) << r.status().message();
  EXPECT_EQ(CopyStatus("C1"), "shelf");
  ASSERT_TRUE(Checkout(*c_, "2001", "C1", "noda", D("2026-12-08"), rules_).ok());
}

// 12-17 + 14 days is 12-31, inside chuo's 12-29…01-03 closure; 01-04 is a
// Monday: due 01-05. A renewal at the counter keeps to the same calendar.
TEST_F(CircTest, CheckoutAndRenewalDueDatesAreOpenDaysOfTheLendingBranch) {
  const int64_t book = AddRecord("三四郎"), other = AddRecord("それから");
  AddCopy(book, "D1", "chuo");
  AddCopy(other, "D2", "noda");
  AddPatron("1001");
  auto r = Checkout(*c_, "1001", "D1", "chuo", D("2026-12-17"), rules_);
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->due_on, "2027-01-05");
  // noda has no closed days in these rules: 12-31 it is.
  EXPECT_EQ(Checkout(*c_, "1001", "D2", "noda", D("2026-12-17"), rules_)->due_on, "2026-12-31");
  auto renewed = RenewAtCounter(*c_, "D1", D("2026-12-20"), rules_);
  ASSERT_FALSE(renewed.ok()) << "12-20 + 14 is 01-03, closed: 01-05 again, no later";
  renewed = RenewAtCounter(*c_, "D1", D("2026-12-28"), rules_);
  ASSERT_TRUE(renewed.ok()) << renewed.status().message();
  EXPECT_EQ(renewed->due_on, "2027-01-12") << "12-28 + 14 is a Monday";
  EXPECT_EQ(renewed->card, "1001");
  EXPECT_EQ(RenewAtCounter(*c_, "D1", D("2026-12-30"), rules_).status().code(),
            Status::Code::kConflict)
      << "once only";
  EXPECT_EQ(RenewAtCounter(*c_, "nope", D("2026-12-21"), rules_).status().code(),
            Status::Code::kNotFound);
}

// The pull list at a branch, 確保 and 見つからない.
TEST_F(CircTest, PullListOffersOnShelfCopiesForTheOldestHolds) {
  const int64_t book = AddRecord("門"), lone = AddRecord("行人");
  AddCopy(book, "P1", "takaono");
  AddCopy(book, "P2", "takaono");
  AddCopy(lone, "Q1", "chuo");
  AddCopy(lone, "Q2", "takaono");
  const int64_t a = AddPatron("1001"), b = AddPatron("1002"), c = AddPatron("1003");
  Place(a, book, "noda");
  Place(b, lone, "chuo");  // chuo has a copy on its own shelf: only chuo lists it
  Place(c, book, "noda");
  auto list = PullList(*c_, "takaono");
  ASSERT_TRUE(list.ok()) << list.status().message();
  ASSERT_EQ(list->size(), 2u) << "two copies here: the first two holds on 門";
  EXPECT_EQ((*list)[0].hold_id, HoldId(a, book));
  EXPECT_EQ((*list)[0].barcode, "P1");
  EXPECT_EQ((*list)[0].pickup_name, "野田図書館");
  EXPECT_EQ((*list)[1].hold_id, HoldId(c, book));
  auto chuo = PullList(*c_, "chuo");
  ASSERT_EQ(chuo->size(), 1u);
  EXPECT_EQ((*chuo)[0].barcode, "Q1");
  EXPECT_EQ(CountsAt(*c_, "takaono", D("2026-12-08"))->pull, 2);

  // P1 is not on the shelf: missing; the line takes P2.
  auto gone = MarkMissing(*c_, "P1", "takaono", rules_);
  ASSERT_TRUE(gone.ok()) << gone.status().message();
  EXPECT_EQ(CopyStatus("P1"), "missing");
  list = PullList(*c_, "takaono");
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].hold_id, HoldId(a, book));
  EXPECT_EQ((*list)[0].barcode, "P2");
  EXPECT_EQ(HoldField(HoldId(a, book), "status"), "waiting");
  EXPECT_EQ(MarkMissing(*c_, "Q1", "takaono", rules_).status().code(), Status::Code::kConflict);

  // 確保 at takaono for a noda pickup: transit; the next hold is listed.
  auto pulled = PullForHold(*c_, "P2", "takaono", D("2026-12-08"), rules_);
  ASSERT_TRUE(pulled.ok()) << pulled.status().message();
  EXPECT_EQ(pulled->fates[0].kind, CopyFate::Kind::kTransit);
  EXPECT_TRUE(PullList(*c_, "takaono")->empty()) << "no copy left on the shelf";
  // A copy lent at the counter before it was pulled just leaves the list.
  ASSERT_TRUE(Checkout(*c_, "1003", "Q1", "chuo", D("2026-12-08"), rules_).ok());
  EXPECT_TRUE(PullList(*c_, "chuo")->empty());
}

// 取置棚, 電話連絡 and the daily run for one branch.
TEST_F(CircTest, HoldShelfAndPhoneList) {
  const int64_t b1 = AddRecord("一"), b2 = AddRecord("二"), b3 = AddRecord("三");
  AddCopy(b1, "H1", "chuo");
  AddCopy(b2, "H2", "chuo");
  AddCopy(b3, "H3", "chuo");
  const int64_t phone = AddPatron("1001"), mail = AddPatron("1002", "m@example.jp"),
                none = AddPatron("1003");
  Place(phone, b1, "chuo", "phone");
  Place(mail, b2, "chuo", "mail");
  Place(none, b3, "chuo", "none");
  for (const char* k : {"H1", "H2", "H3"}) {
    ASSERT_TRUE(PullForHold(*c_, k, "chuo", D("2026-12-08"), rules_).ok());
  }
  auto shelf = HoldShelf(*c_, "chuo", D("2026-12-08"));
  ASSERT_TRUE(shelf.ok());
  EXPECT_EQ(shelf->size(), 3u);
  EXPECT_TRUE(HoldShelf(*c_, "noda", D("2026-12-08"))->empty());

  auto calls = PhoneList(*c_, "chuo");
  ASSERT_TRUE(calls.ok()) << calls.status().message();
  ASSERT_EQ(calls->size(), 1u) << "mail is sent, 連絡不要 is never called";
  const int64_t hp = HoldId(phone, b1);
  EXPECT_EQ((*calls)[0].hold_id, hp);
  // A mail notice that failed for good: on the list too.
  Sql("UPDATE outbox SET status = 'failed'");
  EXPECT_EQ(PhoneList(*c_, "chuo")->size(), 2u);
  // 不在 keeps it with the attempt; 連絡済 removes it.
  ASSERT_TRUE(RecordCall(*c_, hp, false, "tanaka", 1000).ok());
  calls = PhoneList(*c_, "chuo");
  EXPECT_EQ((*calls)[0].attempts, 1);
  EXPECT_EQ((*calls)[0].last_attempt_at, 1000);
  ASSERT_TRUE(RecordCall(*c_, hp, true, "tanaka", 2000).ok());
  EXPECT_EQ(PhoneList(*c_, "chuo")->size(), 1u);
  EXPECT_EQ(RecordCall(*c_, 999999, true, "tanaka", 2000).code(), Status::Code::kNotFound);

  // Past the deadline (12-16 at chuo): listed as expired; the branch's run expires them.
  shelf = HoldShelf(*c_, "chuo", D("2026-12-17"));
  EXPECT_TRUE((*shelf)[0].expired);
  EXPECT_EQ(CountsAt(*c_, "chuo", D("2026-12-17"))->expired, 3);
  auto other = DailyRun(*c_, D("2026-12-17"), rules_, "noda");
  ASSERT_TRUE(other.ok());
  EXPECT_TRUE(other->empty()) << "another branch's run touches nothing here";
  auto run = DailyRun(*c_, D("2026-12-17"), rules_, "chuo");
  ASSERT_TRUE(run.ok());
  EXPECT_EQ(run->size(), 6u) << ::testing::PrintToString(*run);
  EXPECT_EQ(CopyStatus("H1"), "shelf");
}

// Staff cancel on the patron's request: a mail hold's patron is told.
TEST_F(CircTest, CancelAtTheCounterTellsAMailPatron) {
  const int64_t book = AddRecord("虞美人草");
  AddCopy(book, "Z1", "chuo", "loan");
  const int64_t a = AddPatron("1001", "a@example.jp"), b = AddPatron("1002");
  Place(a, book, "chuo", "mail");
  Place(b, book, "chuo", "phone");
  ASSERT_TRUE(CancelHoldAtCounter(*c_, HoldId(a, book), D("2026-12-08"), rules_).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM outbox WHERE kind = 'hold_cancelled' AND hold_id = " +
                std::to_string(HoldId(a, book))),
            1);
  ASSERT_TRUE(CancelHoldAtCounter(*c_, HoldId(b, book), D("2026-12-08"), rules_).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM outbox"), 1) << "phone: nobody mailed";
  EXPECT_EQ(CancelHoldAtCounter(*c_, 424242, D("2026-12-08"), rules_).code(),
            Status::Code::kNotFound);
  // The patron's own cancel online sends nothing.
  Place(a, book, "chuo", "mail");
  ASSERT_TRUE(CancelHold(*c_, a, HoldId(a, book), D("2026-12-08"), rules_).ok());
  EXPECT_EQ(Int("SELECT count(*) FROM outbox"), 1);
}

// ---------------------------------------------------------------- 館内のみ

// A reference copy (館内のみ, 禁帯出) stays in the library: the counter
// refuses to lend it, a hold is never given it, and it does not make a hold
// "ready in a few days".
TEST_F(CircTest, AReferenceCopyIsNeverLent) {
  const int64_t book = AddRecord("広辞苑");
  AddCopy(book, "R1", "chuo");
  Sql("UPDATE copies SET in_library = 1 WHERE barcode = 'R1'");
  AddPatron("1001");
  const std::string before = Snapshot();
  auto r = Checkout(*c_, "1001", "R1", "chuo", D("2026-06-02"), rules_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kConflict);
  EXPECT_EQ(r.status().message(), "この資料は館内でのご利用のみです（貸出できません）。");
  EXPECT_EQ(Snapshot(), before) << "nothing written";
}

// A copy marked 館内のみ by an import while it travelled to a hold is not
// made ready on arrival: the hold queues again, the copy goes home.
TEST_F(CircTest, ACopyMarkedReferenceInTransitIsNotMadeReady) {
  const int64_t book = AddRecord("こころ");
  AddCopy(book, "T1", "noda");
  AddPatron("1000");
  const int64_t a = AddPatron("1001");
  Lend("1000", "T1", "2026-12-01");
  Place(a, book, "chuo", "phone");
  const int64_t ha = HoldId(a, book);
  ASSERT_TRUE(Checkin(*c_, "T1", "noda", D("2026-12-10"), rules_).ok());
  ASSERT_EQ(CopyStatus("T1"), "transit");
  Sql("UPDATE copies SET in_library = 1 WHERE barcode = 'T1'");
  auto got = ReceiveTransit(*c_, "T1", "chuo", D("2026-12-12"), rules_);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(HoldField(ha, "status"), "waiting");
  EXPECT_EQ(
      Int("SELECT count(*) FROM holds WHERE copy_id IS NOT NULL AND id = " + std::to_string(ha)), 0)
      << "the hold waits for a copy that may be lent";
  EXPECT_EQ(CopyStatus("T1"), "transit") << "sent home to noda";
  EXPECT_EQ(Int("SELECT count(*) FROM outbox"), 0);
}

TEST_F(CircTest, AHoldOnATitleWithOnlyAReferenceCopyIsRefused) {
  const int64_t book = AddRecord("広辞苑");
  AddCopy(book, "R1", "chuo");
  Sql("UPDATE copies SET in_library = 1 WHERE barcode = 'R1'");
  HoldResult r = Place(AddPatron("1001"), book);
  EXPECT_EQ(r.outcome, HoldOutcome::kNotLendable);
  EXPECT_EQ(r.message, "この資料は予約できません。");
}

TEST_F(CircTest, AReferenceCopyOnTheShelfDoesNotMakeAHoldReadySoon) {
  const int64_t book = AddRecord("広辞苑");
  AddCopy(book, "R1", "chuo");
  AddCopy(book, "L1", "noda", "loan");
  Sql("UPDATE copies SET in_library = 1 WHERE barcode = 'R1'");
  HoldResult r = Place(AddPatron("1001"), book);
  ASSERT_EQ(r.outcome, HoldOutcome::kPlaced);
  EXPECT_FALSE(r.available_now) << r.message;
  EXPECT_NE(r.message.find("資料が返却されしだい"), std::string::npos) << r.message;
  auto pull = PullList(*c_, "chuo");
  ASSERT_TRUE(pull.ok());
  EXPECT_TRUE(pull->empty()) << "the reference copy is not to be taken for the hold";
  auto pulled = PullForHold(*c_, "R1", "chuo", D("2026-06-02"), rules_);
  ASSERT_FALSE(pulled.ok());
  EXPECT_EQ(pulled.status().code(), Status::Code::kConflict);
  EXPECT_EQ(CopyStatus("R1"), "shelf");
}

// A copy lent before it was marked 館内のみ comes back to its shelf (or home),
// not to the hold that waits for the title; the lendable copy goes to it.
TEST_F(CircTest, AReturnedReferenceCopyGoesToNoHold) {
  const int64_t book = AddRecord("広辞苑");
  AddCopy(book, "R1", "chuo");
  AddCopy(book, "L1", "noda");
  AddPatron("1001");
  const int64_t waiting = AddPatron("1002");
  Lend("1001", "R1", "2026-06-01");
  Lend("1001", "L1", "2026-06-01");
  Sql("UPDATE copies SET in_library = 1 WHERE barcode = 'R1'");
  ASSERT_EQ(Place(waiting, book, "noda").outcome, HoldOutcome::kPlaced);
  const int64_t hold = HoldId(waiting, book);

  auto back = Checkin(*c_, "R1", "noda", D("2026-06-05"), rules_);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_EQ(back->fates.size(), 1u);
  EXPECT_EQ(back->fates[0].kind, CopyFate::Kind::kTransit);
  EXPECT_EQ(back->fates[0].branch, "chuo") << "home, not to the hold";
  EXPECT_EQ(back->fates[0].hold_id, 0);
  EXPECT_EQ(HoldField(hold, "status"), "waiting");
  EXPECT_EQ(HoldField(hold, "copy_id"), "");
  auto home = ReceiveTransit(*c_, "R1", "chuo", D("2026-06-06"), rules_);
  ASSERT_TRUE(home.ok()) << home.status().message();
  EXPECT_EQ(CopyStatus("R1"), "shelf");
  EXPECT_EQ(HoldField(hold, "status"), "waiting");

  auto lendable = Checkin(*c_, "L1", "noda", D("2026-06-06"), rules_);
  ASSERT_TRUE(lendable.ok()) << lendable.status().message();
  EXPECT_EQ(HoldField(hold, "status"), "ready");
  EXPECT_EQ(CopyStatus("L1"), "held");
}

}  // namespace
}  // namespace shiori::db
