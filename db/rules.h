// The library's rules as plain values and functions: civil dates, the dates
// as patrons read them, closed days (休館日), branches, the loan and hold
// limits, and the pickup deadline of a ready hold. No SQL and no clock: the
// caller passes today's date. Thread-safe (pure functions on values).
#ifndef SHIORI_DB_RULES_H_
#define SHIORI_DB_RULES_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace shiori::db {

// A civil date (proleptic Gregorian), no time zone: library rules count days.
struct Date {
  int year = 1970, month = 1, day = 1;

  // Parses YYYY-MM-DD; rejects impossible dates.
  static std::optional<Date> Parse(std::string_view s);
  static Date FromDays(int64_t days_since_epoch);
  int64_t Days() const;  // days since 1970-01-01
  int Weekday() const;   // 0 = Sunday ... 6 = Saturday
  Date AddDays(int64_t n) const { return FromDays(Days() + n); }
  std::string ToString() const;  // YYYY-MM-DD
  bool operator==(const Date& o) const { return Days() == o.Days(); }
  bool operator<(const Date& o) const { return Days() < o.Days(); }
  bool operator<=(const Date& o) const { return Days() <= o.Days(); }
};

// Japanese weekday letter for a date: 日 月 火 水 木 金 土.
std::string_view WeekdayJa(const Date& d);
// The date as patrons read it everywhere (pages and mail): "12月15日(火)";
// without the weekday, "12月15日".
std::string JapaneseDate(const Date& d);
std::string JapaneseMonthDay(const Date& d);
// A moment (unix seconds) in the process's local time zone (TZ), as patrons
// read it: "12月15日(火) 17:00"; without the weekday, "12月15日 17:00".
std::string JapaneseDateTime(int64_t unix_seconds, bool weekday = true);

// When a branch is closed (休館日): weekly rule, yearly ranges such as
// 12/29-1/3, and fixed dates or ranges.
struct ClosedDays {
  struct MonthDay {
    int month, day;
  };
  std::vector<int> weekdays;                          // 0 = Sunday
  std::vector<std::pair<MonthDay, MonthDay>> yearly;  // inclusive, may wrap the year
  std::vector<std::pair<Date, Date>> dates;           // inclusive
  bool IsClosed(const Date& d) const;
};

struct Branch {
  std::string code;  // short ASCII key, e.g. "chuo"
  std::string name;  // 中央図書館
  ClosedDays closed;
};

// The library's rules, from the configuration.
struct LibraryRules {
  std::string library_name = "出水市立図書館";
  std::vector<Branch> branches;
  int loan_days = 14;
  int max_renewals = 1;
  int pickup_open_days = 7;
  int max_holds = 10;
  // The branch with this code, or nullptr. The pointer is into `branches`.
  const Branch* FindBranch(std::string_view code) const;
};

// The last day a hold set aside on `set_aside` may be collected: the
// `open_days`-th day after `set_aside` on which the branch is open (the day of
// setting aside itself does not count). Gives up extending past 366 closed
// days in a row and returns the date reached.
Date PickupDeadline(const ClosedDays& closed, const Date& set_aside, int open_days);

// ---------------------------------------------------------------- loans and holds
// The library's rules as plain functions of what they decide on: the one
// copy of each, used by the transactions that enforce them (db/circ.cc,
// db/holds.cc) and by the pages that decide which buttons to offer.

// The first day from `d` on (itself included) on which the branch is open;
// gives up after 366 closed days in a row and returns the date reached.
Date NextOpenDay(const ClosedDays& closed, const Date& d);

// The due date of a copy lent (or renewed) on `today` at a branch closed on
// `closed`: loan_days later, moved to the branch's next open day, so a loan
// never falls due while the library is shut (12-17 + 14 = 12-31, inside
// 12-29…01-03, gives 01-04 or the first open day after it).
Date DueDate(const Date& today, const ClosedDays& closed, const LibraryRules& rules);

// What the renewal rule (延長) looks at in a loan.
struct LoanFacts {
  Date due;
  int renewals = 0;
  bool reserved = false;  // another patron waits for the title
  ClosedDays closed;      // the lending branch's closed days
};
// The new due date if the loan may be renewed today: not overdue, nobody
// else waiting for the title, renewed fewer than max_renewals times, and the
// due date would move later (a renewal runs DueDate from today, at the
// lending branch). Otherwise Conflict with the reason in Japanese for the
// patron.
Result<Date> Renewal(const LoanFacts& loan, const Date& today, const LibraryRules& rules);

// What the hold rule (予約) looks at for one title and one patron.
struct HoldFacts {
  int lendable_copies = 0;    // copies that are not missing nor 館内のみ
  bool already_held = false;  // the patron's own hold on it, waiting or ready
  bool on_loan = false;       // the patron has a copy of it now
  int active_holds = 0;       // the patron's holds waiting or ready, all titles
};
enum class HoldVerdict { kAllowed, kNotLendable, kAlreadyHeld, kOnLoan, kLimitReached };
// Whether the patron may reserve the title, first refusal first.
HoldVerdict MayReserve(const HoldFacts& f, const LibraryRules& rules);
// The patron's sentence for a refusal ("" for kAllowed).
std::string HoldRefusal(HoldVerdict v, const LibraryRules& rules);

}  // namespace shiori::db

#endif  // SHIORI_DB_RULES_H_
