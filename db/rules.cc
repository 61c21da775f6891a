// The library's date rules: civil dates, closed days (休館日) and the pickup
// deadline of a ready hold. Pure functions, no clock.
#include "db/rules.h"

#include <cstdio>
#include <ctime>

namespace shiori::db {
namespace {

// Days from civil, after Howard Hinnant's public-domain algorithms.
int64_t DaysFromCivil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

}  // namespace

std::optional<Date> Date::Parse(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  auto num = [&](size_t from, size_t len, int* out) {
    int v = 0;
    for (size_t i = from; i < from + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  Date d;
  if (!num(0, 4, &d.year) || !num(5, 2, &d.month) || !num(8, 2, &d.day)) return std::nullopt;
  if (d.year < 1 || d.month < 1 || d.month > 12 || d.day < 1 ||
      d.day > DaysInMonth(d.year, d.month)) {
    return std::nullopt;
  }
  return d;
}

Date Date::FromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

int64_t Date::Days() const {
  return DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
}

int Date::Weekday() const {
  const int64_t z = Days();
  return static_cast<int>(z >= -4 ? (z + 4) % 7 : (z + 5) % 7 + 6);
}

std::string Date::ToString() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

std::string_view WeekdayJa(const Date& d) {
  static const char* const kNames[] = {"日", "月", "火", "水", "木", "金", "土"};
  return kNames[d.Weekday()];
}

std::string JapaneseMonthDay(const Date& d) {
  return std::to_string(d.month) + "月" + std::to_string(d.day) + "日";
}

std::string JapaneseDate(const Date& d) {
  return JapaneseMonthDay(d) + "(" + std::string(WeekdayJa(d)) + ")";
}

std::string JapaneseDateTime(int64_t unix_seconds, bool weekday) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm;
  localtime_r(&t, &tm);
  const Date d{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", tm.tm_hour, tm.tm_min);
  return (weekday ? JapaneseDate(d) : JapaneseMonthDay(d)) + " " + hm;
}

bool ClosedDays::IsClosed(const Date& d) const {
  const int wd = d.Weekday();
  for (int w : weekdays) {
    if (w == wd) return true;
  }
  const int md = d.month * 100 + d.day;
  for (const auto& [from, to] : yearly) {
    const int a = from.month * 100 + from.day, b = to.month * 100 + to.day;
    // A range such as 12/29-1/3 wraps the end of the year.
    if (a <= b ? (md >= a && md <= b) : (md >= a || md <= b)) return true;
  }
  for (const auto& [from, to] : dates) {
    if (from <= d && d <= to) return true;
  }
  return false;
}

Date NextOpenDay(const ClosedDays& closed, const Date& d) {
  Date day = d;
  for (int run = 0; run < 366 && closed.IsClosed(day); ++run) day = day.AddDays(1);
  return day;
}

Date DueDate(const Date& today, const ClosedDays& closed, const LibraryRules& rules) {
  return NextOpenDay(closed, today.AddDays(rules.loan_days));
}

Result<Date> Renewal(const LoanFacts& loan, const Date& today, const LibraryRules& rules) {
  if (loan.due < today) {
    return Status::Conflict("返却期限を過ぎているため、延長できません。至急お返しください。");
  }
  if (loan.reserved) {
    return Status::Conflict(
        "次に予約をして待っている方がいるため、延長できません。期限内にお返しください。");
  }
  if (loan.renewals >= rules.max_renewals) {
    return Status::Conflict(rules.max_renewals <= 0
                                ? std::string("この資料は延長できません。")
                                : "延長できるのは" + std::to_string(rules.max_renewals) +
                                      "回までです。この資料はすでに延長しています。");
  }
  const Date next = DueDate(today, loan.closed, rules);
  if (!(loan.due < next)) {
    return Status::Conflict("今日延長しても返却期限が延びないため、延長できません。");
  }
  return next;
}

HoldVerdict MayReserve(const HoldFacts& f, const LibraryRules& rules) {
  if (f.lendable_copies == 0) return HoldVerdict::kNotLendable;
  if (f.already_held) return HoldVerdict::kAlreadyHeld;
  if (f.on_loan) return HoldVerdict::kOnLoan;
  if (f.active_holds >= rules.max_holds) return HoldVerdict::kLimitReached;
  return HoldVerdict::kAllowed;
}

std::string HoldRefusal(HoldVerdict v, const LibraryRules& rules) {
  switch (v) {
    case HoldVerdict::kAllowed:
      return "";
    case HoldVerdict::kNotLendable:
      return "この資料は予約できません。";
    case HoldVerdict::kAlreadyHeld:
      return "この資料はすでに予約しています。";
    case HoldVerdict::kOnLoan:
      return "この資料は現在お借りになっているため、予約できません。";
    case HoldVerdict::kLimitReached:
      return "予約できるのはお一人" + std::to_string(rules.max_holds) + "件までです。";
  }
  return "";
}

Date PickupDeadline(const ClosedDays& closed, const Date& set_aside, int open_days) {
  Date d = set_aside;
  int counted = 0, closed_run = 0;
  while (counted < open_days && closed_run <= 366) {
    d = d.AddDays(1);
    if (closed.IsClosed(d)) {
      ++closed_run;
    } else {
      ++counted;
      closed_run = 0;
    }
  }
  return d;
}

const Branch* LibraryRules::FindBranch(std::string_view code) const {
  for (const auto& b : branches) {
    if (b.code == code) return &b;
  }
  return nullptr;
}

}  // namespace shiori::db
