// Table-driven tests of the library's loan and hold rules (db/rules.h): the
// one copy of each, which both the transactions and the pages' buttons use.
#include "db/rules.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <ctime>

namespace shiori::db {
namespace {

Date D(const char* s) { return *Date::Parse(s); }

LibraryRules Rules(int max_renewals = 1, int max_holds = 10) {
  LibraryRules r;
  r.loan_days = 14;
  r.max_renewals = max_renewals;
  r.max_holds = max_holds;
  return r;
}

// The library's calendar: closed on Mondays and from 12-29 to 01-03.
ClosedDays Calendar() {
  ClosedDays c;
  c.weekdays = {1};
  c.yearly = {{{12, 29}, {1, 3}}};
  return c;
}

TEST(DueDate, IsLoanDaysFromTodayOnAnOpenDay) {
  const struct {
    const char* lent;
    const char* due;
    const char* what;
  } cases[] = {
      {"2026-12-07", "2026-12-22", "12-21 is a Monday: the Tuesday after"},
      {"2026-12-08", "2026-12-22", "an open Tuesday"},
      {"2026-12-17", "2027-01-05", "12-31 is closed until 01-03, and 01-04 is a Monday"},
      {"2026-12-15", "2027-01-05", "the closure's first day"},
      {"2026-12-20", "2027-01-05", "01-03 is the closure's last day"},
      {"2026-12-25", "2027-01-08", "across the year end, open"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Date due = DueDate(D(c.lent), Calendar(), Rules());
    EXPECT_EQ(due, D(c.due)) << due.ToString();
    EXPECT_FALSE(Calendar().IsClosed(due));
  }
  EXPECT_EQ(DueDate(D("2026-12-07"), ClosedDays{}, Rules()), D("2026-12-21")) << "never closed";
  ClosedDays always;
  always.weekdays = {0, 1, 2, 3, 4, 5, 6};
  EXPECT_EQ(DueDate(D("2026-12-07"), always, Rules()), D("2026-12-21").AddDays(366))
      << "a branch closed every day gives up after a year";
}

TEST(Renewal, MovesPastClosedDaysToo) {
  LoanFacts loan{D("2026-12-20"), 0, false, Calendar()};
  auto r = Renewal(loan, D("2026-12-17"), Rules());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(*r, D("2027-01-05"));
}

TEST(Renewal, TheGuidesRuleAndNothingElse) {
  const Date today = D("2026-12-07");
  const struct {
    const char* what;
    LoanFacts loan;
    int max_renewals;
    const char* due;     // the new due date, or nullptr when refused
    const char* reason;  // part of the refusal
  } cases[] = {
      {"due in a week", {D("2026-12-14"), 0, false}, 1, "2026-12-21", nullptr},
      {"due today", {D("2026-12-07"), 0, false}, 1, "2026-12-21", nullptr},
      {"overdue by a day", {D("2026-12-06"), 0, false}, 1, nullptr, "返却期限を過ぎている"},
      {"someone waits", {D("2026-12-14"), 0, true}, 1, nullptr, "予約をして待っている方"},
      {"renewed once already", {D("2026-12-14"), 1, false}, 1, nullptr, "1回まで"},
      {"twice allowed, once done", {D("2026-12-14"), 1, false}, 2, "2026-12-21", nullptr},
      {"no renewals at all", {D("2026-12-14"), 0, false}, 0, nullptr, "この資料は延長できません"},
      {"lent today: no later", {D("2026-12-21"), 0, false}, 1, nullptr, "延びない"},
      {"overdue and waited for: overdue first",
       {D("2026-12-01"), 0, true},
       1,
       nullptr,
       "返却期限を過ぎている"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    auto r = Renewal(c.loan, today, Rules(c.max_renewals));
    if (c.due) {
      ASSERT_TRUE(r.ok()) << r.status().message();
      EXPECT_EQ(*r, D(c.due));
    } else {
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Status::Code::kConflict);
      EXPECT_TRUE(r.status().refusal());
      EXPECT_NE(r.status().message().find(c.reason), std::string::npos) << r.status().message();
    }
  }
}

TEST(MayReserve, FirstRefusalFirst) {
  const struct {
    const char* what;
    HoldFacts facts;
    HoldVerdict verdict;
    const char* reason;
  } cases[] = {
      {"a lendable title", {2, false, false, 0}, HoldVerdict::kAllowed, ""},
      {"the tenth hold", {1, false, false, 9}, HoldVerdict::kAllowed, ""},
      {"the eleventh", {1, false, false, 10}, HoldVerdict::kLimitReached, "10件まで"},
      {"every copy missing", {0, false, false, 0}, HoldVerdict::kNotLendable, "予約できません"},
      {"held already", {1, true, false, 3}, HoldVerdict::kAlreadyHeld, "すでに予約"},
      {"on loan to her", {1, false, true, 3}, HoldVerdict::kOnLoan, "お借りになっている"},
      {"no copy and held", {0, true, true, 10}, HoldVerdict::kNotLendable, "予約できません"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(MayReserve(c.facts, Rules()), c.verdict);
    const std::string reason = HoldRefusal(c.verdict, Rules());
    if (*c.reason) {
      EXPECT_NE(reason.find(c.reason), std::string::npos) << reason;
    } else {
      EXPECT_EQ(reason, "");
    }
  }
}


// Notices and pages show moments (a confirmation's deadline, when a notice
// went out) in the library's local time.
TEST(JapaneseDateTime, IsTheLocalDateAndTimeAsPatronsReadIt) {
  setenv("TZ", "JST-9", 1);  // a POSIX rule: needs no tzdata
  tzset();
  EXPECT_EQ(JapaneseDateTime(0), "1月1日(木) 09:00");
  EXPECT_EQ(JapaneseDateTime(0, false), "1月1日 09:00");
  // 2026-12-15 08:05 UTC is 17:05 in Japan, a Tuesday.
  EXPECT_EQ(JapaneseDateTime(1797321900), "12月15日(火) 17:05");
}

}  // namespace
}  // namespace shiori::db
