// Tests for db/rules.h, db/sqlite.h, db/schema.h and db/demo.h: dates and
// closed days, pickup deadlines, SQLite files, migrations, passwords, the demo
// library.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "db/demo.h"
#include "db/demo_catalog.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

Date D(const char* s) {
  auto d = Date::Parse(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(Date{});
}

// ---------------------------------------------------------------- dates

TEST(DateTest, Parse) {
  struct Case {
    const char* in;
    bool ok;
    int y, m, d;
  };
  const Case cases[] = {
      {"2026-12-01", true, 2026, 12, 1},
      {"1970-01-01", true, 1970, 1, 1},
      {"2024-02-29", true, 2024, 2, 29},  // leap year
      {"2000-02-29", true, 2000, 2, 29},  // divisible by 400
      {"2026-12-31", true, 2026, 12, 31},
      {"2026-04-30", true, 2026, 4, 30},
      {"2026-02-29", false},  // not a leap year
      {"1900-02-29", false},  // divisible by 100, not by 400
      {"2026-04-31", false},
      {"2024-13-01", false},
      {"2024-00-10", false},
      {"2024-01-00", false},
      {"2024-01-32", false},
      {"2024-1-01", false},
      {"2024-01-1", false},
      {"20240101", false},
      {"2024/01/01", false},
      {"2024-01-01 ", false},
      {" 2024-01-01", false},
      {"2024-01-01T10:00:00Z", false},
      {"", false},
      {"garbage!!!", false},
      {"abcd-ef-gh", false},
      {"2024-+1-01", false},
      {"0000-01-01", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto d = Date::Parse(c.in);
    ASSERT_EQ(d.has_value(), c.ok);
    if (!c.ok) continue;
    EXPECT_EQ(d->year, c.y);
    EXPECT_EQ(d->month, c.m);
    EXPECT_EQ(d->day, c.d);
    EXPECT_EQ(d->ToString(), c.in);
  }
}

TEST(DateTest, ToStringRoundTripsThroughDays) {
  for (const char* s : {"1970-01-01", "1969-12-31", "2000-02-29", "2024-02-29", "2026-12-31",
                        "2027-01-01", "0001-01-01", "9999-12-31"}) {
    SCOPED_TRACE(s);
    const Date d = D(s);
    EXPECT_EQ(d.ToString(), s);
    EXPECT_EQ(Date::FromDays(d.Days()).ToString(), s);
  }
  EXPECT_EQ(D("1970-01-01").Days(), 0);
  EXPECT_EQ(D("2026-12-01").Days(), 20788);
  EXPECT_EQ(D("1969-12-31").Days(), -1);
}

TEST(DateTest, Weekday) {
  struct Case {
    const char* date;
    int weekday;  // 0 = Sunday
    const char* ja;
  };
  const Case cases[] = {
      {"1970-01-01", 4, "木"}, {"2026-12-01", 2, "火"}, {"2000-02-29", 2, "火"},
      {"2024-02-29", 4, "木"}, {"1969-12-31", 3, "水"}, {"1969-12-27", 6, "土"},
      {"1969-12-28", 0, "日"}, {"2026-06-08", 1, "月"}, {"2026-06-12", 5, "金"},
      {"2027-01-03", 0, "日"}, {"0001-01-01", 1, "月"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.date);
    EXPECT_EQ(D(c.date).Weekday(), c.weekday);
    EXPECT_EQ(WeekdayJa(D(c.date)), c.ja);
  }
}

TEST(DateTest, AddDays) {
  struct Case {
    const char* from;
    int64_t n;
    const char* to;
  };
  const Case cases[] = {
      {"2026-01-31", 1, "2026-02-01"},   {"2026-02-28", 1, "2026-03-01"},
      {"2024-02-28", 1, "2024-02-29"},   {"2024-02-29", 1, "2024-03-01"},
      {"2026-12-31", 1, "2027-01-01"},   {"2027-01-01", -1, "2026-12-31"},
      {"2026-12-25", 14, "2027-01-08"},  // a loan over New Year
      {"2024-03-01", -1, "2024-02-29"},  {"2023-03-01", -1, "2023-02-28"},
      {"2024-01-01", 366, "2025-01-01"}, {"2026-06-10", 0, "2026-06-10"},
      {"1970-01-02", -2, "1969-12-31"},  {"2000-02-28", 2, "2000-03-01"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.from) + " + " + std::to_string(c.n));
    EXPECT_EQ(D(c.from).AddDays(c.n).ToString(), c.to);
  }
}

TEST(DateTest, Ordering) {
  EXPECT_TRUE(D("2026-12-31") < D("2027-01-01"));
  EXPECT_FALSE(D("2027-01-01") < D("2026-12-31"));
  EXPECT_TRUE(D("2026-06-10") <= D("2026-06-10"));
  EXPECT_TRUE(D("2026-06-10") == D("2026-05-31").AddDays(10));
}

// ---------------------------------------------------------------- closed days

ClosedDays MondaysAndNewYear() {
  ClosedDays c;
  c.weekdays = {1};
  c.yearly = {{{12, 29}, {1, 3}}};
  return c;
}

TEST(ClosedDaysTest, IsClosed) {
  ClosedDays mondays;
  mondays.weekdays = {1};
  ClosedDays year_end;
  year_end.yearly = {{{12, 29}, {1, 3}}};
  ClosedDays summer;  // a range that does not wrap, and a single day
  summer.yearly = {{{8, 13}, {8, 16}}, {{5, 3}, {5, 3}}};
  ClosedDays inventory;  // 蔵書点検 and one extra day
  inventory.dates = {{D("2027-02-01"), D("2027-02-05")}, {D("2027-03-10"), D("2027-03-10")}};
  ClosedDays weekend;
  weekend.weekdays = {0, 6};

  struct Case {
    const char* what;
    const ClosedDays* rule;
    const char* date;
    bool closed;
  };
  const Case cases[] = {
      {"Monday", &mondays, "2026-06-08", true},
      {"Tuesday", &mondays, "2026-06-09", false},
      {"Sunday", &mondays, "2026-06-07", false},
      {"day before year end", &year_end, "2026-12-28", false},
      {"first day of year end", &year_end, "2026-12-29", true},
      {"New Year's Eve", &year_end, "2026-12-31", true},
      {"New Year's Day", &year_end, "2027-01-01", true},
      {"last day of year end", &year_end, "2027-01-03", true},
      {"day after year end", &year_end, "2027-01-04", false},
      {"mid-year", &year_end, "2026-06-30", false},
      {"before summer", &summer, "2026-08-12", false},
      {"summer start", &summer, "2026-08-13", true},
      {"summer end", &summer, "2026-08-16", true},
      {"after summer", &summer, "2026-08-17", false},
      {"single yearly day", &summer, "2026-05-03", true},
      {"next to single yearly day", &summer, "2026-05-04", false},
      {"summer rule in winter", &summer, "2026-12-30", false},
      {"before inventory", &inventory, "2027-01-31", false},
      {"inventory start", &inventory, "2027-02-01", true},
      {"inventory middle", &inventory, "2027-02-03", true},
      {"inventory end", &inventory, "2027-02-05", true},
      {"after inventory", &inventory, "2027-02-06", false},
      {"same day a year later", &inventory, "2028-02-03", false},
      {"single date", &inventory, "2027-03-10", true},
      {"day after single date", &inventory, "2027-03-11", false},
      {"Saturday", &weekend, "2026-06-06", true},
      {"Sunday", &weekend, "2026-06-07", true},
      {"Friday", &weekend, "2026-06-05", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.what) + " " + c.date);
    EXPECT_EQ(c.rule->IsClosed(D(c.date)), c.closed);
  }
  EXPECT_FALSE(ClosedDays{}.IsClosed(D("2026-06-08")));
}

TEST(ClosedDaysTest, GuideBranchOverNewYear) {
  const ClosedDays c = MondaysAndNewYear();
  // 2026-12-28 is a Monday, so the library closes from the 28th to 4 January (Monday).
  struct Case {
    const char* date;
    bool closed;
  };
  const Case cases[] = {{"2026-12-27", false}, {"2026-12-28", true}, {"2026-12-29", true},
                        {"2027-01-03", true},  {"2027-01-04", true}, {"2027-01-05", false}};
  for (const auto& k : cases) {
    SCOPED_TRACE(k.date);
    EXPECT_EQ(c.IsClosed(D(k.date)), k.closed);
  }
}

// ---------------------------------------------------------------- pickup deadline

TEST(PickupDeadlineTest, CountsOnlyOpenDays) {
  ClosedDays none;
  ClosedDays mondays;
  mondays.weekdays = {1};
  const ClosedDays guide = MondaysAndNewYear();
  ClosedDays inventory = MondaysAndNewYear();
  inventory.dates = {{D("2027-02-01"), D("2027-02-05")}};
  ClosedDays sundays_mondays;
  sundays_mondays.weekdays = {0, 1};

  struct Case {
    const char* what;
    const ClosedDays* closed;
    const char* set_aside;
    int open_days;
    const char* deadline;
  };
  const Case cases[] = {
      {"no closures: a week", &none, "2026-06-10", 7, "2026-06-17"},
      {"set aside Saturday, one Monday skipped", &mondays, "2026-06-06", 7, "2026-06-14"},
      {"set aside Sunday", &mondays, "2026-06-07", 7, "2026-06-16"},
      {"set aside on a closed Monday: the day does not count", &mondays, "2026-06-08", 7,
       "2026-06-16"},
      {"over February of a leap year", &mondays, "2024-02-24", 7, "2024-03-03"},
      {"set aside before year end", &guide, "2026-12-26", 7, "2027-01-10"},
      {"set aside on the Monday before year end", &guide, "2026-12-28", 7, "2027-01-12"},
      {"set aside on a closed New Year day", &guide, "2027-01-03", 7, "2027-01-12"},
      {"one open day, next day Monday", &mondays, "2026-06-07", 1, "2026-06-09"},
      {"one open day, next day open", &mondays, "2026-06-09", 1, "2026-06-10"},
      {"one open day over year end", &guide, "2026-12-27", 1, "2027-01-05"},
      {"dated closure for inventory", &inventory, "2027-01-30", 7, "2027-02-12"},
      {"two closed weekdays", &sundays_mondays, "2026-06-06", 7, "2026-06-17"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    const Date got = PickupDeadline(*c.closed, D(c.set_aside), c.open_days);
    EXPECT_EQ(got.ToString(), c.deadline);
    EXPECT_FALSE(c.closed->IsClosed(got)) << "deadline " << got.ToString() << " is a closed day";
  }
}

TEST(PickupDeadlineTest, BranchClosedEveryDayReturns) {
  ClosedDays always;
  always.weekdays = {0, 1, 2, 3, 4, 5, 6};
  const Date from = D("2026-06-10");
  const Date got = PickupDeadline(always, from, 7);
  // It gives up: some date after the day of setting aside, not years away.
  EXPECT_TRUE(from < got);
  EXPECT_LE(got.Days() - from.Days(), 400);

  ClosedDays year_closed;  // closed by a long dated range, then open again
  year_closed.dates = {{D("2026-06-11"), D("2027-06-10")}};
  // A year-long closure (rebuilding): the first day the branch opens again.
  EXPECT_EQ(PickupDeadline(year_closed, from, 1).ToString(), "2027-06-11");
}

// ---------------------------------------------------------------- SQLite files

// A fresh directory under /tmp for each test, removed afterwards.
class DbFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-db-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Opens (creating) and migrates `name`.
  std::unique_ptr<Connection> OpenMigrated(const std::string& name) {
    auto c = Connection::Open(Path(name));
    EXPECT_TRUE(c.ok()) << c.status().message();
    if (!c.ok()) return nullptr;
    Status s = Migrate(**c);
    EXPECT_TRUE(s.ok()) << s.message();
    return std::move(c).value();
  }

  std::string dir_;
};

// The single integer a query returns; -1 (and a test failure) on error.
int64_t Scalar(Connection& c, const std::string& sql) {
  auto s = c.Prepare(sql);
  EXPECT_TRUE(s.ok()) << sql << ": " << s.status().message();
  if (!s.ok()) return -1;
  auto r = s->Step();
  EXPECT_TRUE(r.ok()) << sql << ": " << r.status().message();
  if (!r.ok() || !*r) return -1;
  return s->Int(0);
}

TEST_F(DbFileTest, OpenCreatesANewFile) {
  const std::string path = Path("new.db");
  ASSERT_FALSE(std::filesystem::exists(path));
  auto c = Connection::Open(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ((*c)->path(), path);
  EXPECT_TRUE(Ping(**c).ok());
  EXPECT_TRUE(std::filesystem::exists(path));
}

TEST_F(DbFileTest, OpenWithoutCreateOnMissingFileFailsNamingIt) {
  const std::string path = Path("missing.db");
  OpenOptions opt;
  opt.create = false;
  auto c = Connection::Open(path, opt);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find('\n'), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST_F(DbFileTest, OpenInMissingDirectoryFailsNamingIt) {
  const std::string path = Path("no-such-dir/x.db");
  auto c = Connection::Open(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path), std::string::npos) << c.status().message();
}

TEST_F(DbFileTest, ConnectionSettings) {
  auto c = OpenMigrated("settings.db");
  ASSERT_TRUE(c);
  auto mode = c->Prepare("PRAGMA journal_mode");
  ASSERT_TRUE(mode.ok());
  ASSERT_TRUE(*mode->Step());
  EXPECT_EQ(mode->Text(0), "wal");
  EXPECT_EQ(Scalar(*c, "PRAGMA foreign_keys"), 1);
  EXPECT_EQ(Scalar(*c, "PRAGMA synchronous"), 2);  // FULL
}

TEST_F(DbFileTest, MigrateBringsNewFileToLatestAndIsIdempotent) {
  auto c = Connection::Open(Path("m.db"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  auto before = SchemaVersion(**c);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(*before, 0);
  ASSERT_GE(LatestSchemaVersion(), 1);

  Status s = Migrate(**c);
  ASSERT_TRUE(s.ok()) << s.message();
  auto v = SchemaVersion(**c);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, LatestSchemaVersion());
  ASSERT_TRUE(
      (*c)->Exec("INSERT INTO branches(code, name, sort) VALUES('chuo', '中央図書館', 0)").ok());

  // A second run (every start of the server) changes nothing and keeps the data.
  s = Migrate(**c);
  ASSERT_TRUE(s.ok()) << s.message();
  v = SchemaVersion(**c);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, LatestSchemaVersion());
  EXPECT_EQ(Scalar(**c, "SELECT count(*) FROM branches"), 1);

  // And from another connection, as after a restart.
  c->reset();
  auto again = OpenMigrated("m.db");
  ASSERT_TRUE(again);
  EXPECT_EQ(Scalar(*again, "SELECT count(*) FROM branches"), 1);
}

// Migration 15 adds copies.in_library; run again over a file that has it
// (as the tests replaying migrations do), it keeps every copy's flag.
TEST_F(DbFileTest, ReferenceCopiesMigrationRunsAgainWithoutLosingFlags) {
  auto c = OpenMigrated("ref.db");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Exec("INSERT INTO branches(code, name, sort) VALUES('chuo', '中央図書館', 0);"
                      " INSERT INTO records(id, title) VALUES(1, '広辞苑');"
                      " INSERT INTO copies(barcode, record_id, branch) VALUES('a', 1, 'chuo');"
                      " INSERT INTO copies(barcode, record_id, branch, in_library)"
                      "  VALUES('b', 1, 'chuo', 1);"
                      " PRAGMA user_version = 14")
                  .ok());
  Status s = Migrate(*c);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(Scalar(*c, "PRAGMA user_version"), LatestSchemaVersion());
  EXPECT_EQ(Scalar(*c, "SELECT sum(in_library) FROM copies"), 1);
  EXPECT_EQ(Scalar(*c, "SELECT in_library FROM copies WHERE barcode = 'a'"), 0);
}

TEST_F(DbFileTest, MigrateRefusesAFileFromANewerProgram) {
  const int newer = LatestSchemaVersion() + 1;
  {
    auto c = OpenMigrated("newer.db");
    ASSERT_TRUE(c);
    ASSERT_TRUE(
        c->Exec("INSERT INTO branches(code, name, sort) VALUES('chuo', '中央図書館', 0)").ok());
    ASSERT_TRUE(c->Exec("PRAGMA user_version = " + std::to_string(newer)).ok());
  }
  auto c = Connection::Open(Path("newer.db"));
  ASSERT_TRUE(c.ok()) << c.status().message();
  Status s = Migrate(**c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find(Path("newer.db")), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(std::to_string(newer)), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  // Left as it was.
  auto v = SchemaVersion(**c);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, newer);
  EXPECT_EQ(Scalar(**c, "SELECT count(*) FROM branches"), 1);
  // The connection is usable afterwards (no transaction left open).
  EXPECT_TRUE((*c)->Exec("INSERT INTO settings(key, value) VALUES('probe', 'x')").ok());
}

TEST_F(DbFileTest, TransactionRollsBackUnlessCommitted) {
  auto c = OpenMigrated("tx.db");
  ASSERT_TRUE(c);
  {
    Transaction tx(*c);
    ASSERT_TRUE(tx.begun().ok()) << tx.begun().message();
    ASSERT_TRUE(
        c->Exec("INSERT INTO branches(code, name, sort) VALUES('chuo', '中央図書館', 0)").ok());
    EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM branches"), 1);
  }  // not committed: as if it never happened
  EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM branches"), 0);
  {
    Transaction tx(*c);
    ASSERT_TRUE(tx.begun().ok()) << tx.begun().message();
    ASSERT_TRUE(
        c->Exec("INSERT INTO branches(code, name, sort) VALUES('noda', '野田図書館', 2)").ok());
    Status s = tx.Commit();
    ASSERT_TRUE(s.ok()) << s.message();
    EXPECT_FALSE(tx.Commit().ok());  // only once
  }
  EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM branches"), 1);
  // Committed means on disk: another connection sees it.
  auto other = Connection::Open(Path("tx.db"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(Scalar(**other, "SELECT count(*) FROM branches WHERE code = 'noda'"), 1);
}

TEST_F(DbFileTest, ForeignKeysAreEnforced) {
  auto c = OpenMigrated("fk.db");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->Exec("INSERT INTO branches(code, name, sort) VALUES('chuo', '中央図書館', 0);"
                      "INSERT INTO records(id, title) VALUES(1, '吾輩は猫である')")
                  .ok());
  Status ok =
      c->Exec("INSERT INTO copies(barcode, record_id, branch) VALUES('2000000001', 1, 'chuo')");
  EXPECT_TRUE(ok.ok()) << ok.message();
  Status bad_branch =
      c->Exec("INSERT INTO copies(barcode, record_id, branch) VALUES('2000000002', 1, 'nowhere')");
  EXPECT_FALSE(bad_branch.ok());
  EXPECT_EQ(bad_branch.code(), Status::Code::kConflict) << bad_branch.message();
  Status bad_record =
      c->Exec("INSERT INTO copies(barcode, record_id, branch) VALUES('2000000003', 99, 'chuo')");
  EXPECT_FALSE(bad_record.ok());
  EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM copies"), 1);

  // The same through a prepared statement.
  auto s = c->Prepare("INSERT INTO copies(barcode, record_id, branch) VALUES(?1, ?2, ?3)");
  ASSERT_TRUE(s.ok());
  Status r = s->Bind(1, "2000000004").Bind(2, int64_t{1}).Bind(3, "takaono").Run();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.code(), Status::Code::kConflict) << r.message();
}

TEST_F(DbFileTest, BindErrorsAreReportedAndNothingIsWritten) {
  auto c = OpenMigrated("bind.db");
  ASSERT_TRUE(c);
  auto s = c->Prepare("INSERT INTO branches(code, name, sort) VALUES(?1, ?2, 0)");
  ASSERT_TRUE(s.ok());
  // Parameter 3 does not exist: the mistake must not become a half-filled row.
  Status r = s->Bind(1, "chuo").Bind(3, "中央図書館").Bind(2, "中央図書館").Run();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM branches"), 0);
  // Reset clears the error; the statement works again.
  s->Reset();
  r = s->Bind(1, "chuo").Bind(2, "中央図書館").Run();
  EXPECT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM branches"), 1);
}

TEST_F(DbFileTest, MaintenanceFlagIsSharedThroughTheFile) {
  auto staff = OpenMigrated("maint.db");
  ASSERT_TRUE(staff);
  auto server = Connection::Open(Path("maint.db"));
  ASSERT_TRUE(server.ok());

  auto on = MaintenanceOn(**server);
  ASSERT_TRUE(on.ok()) << on.status().message();
  EXPECT_FALSE(*on) << "a new library starts in service";

  ASSERT_TRUE(SetMaintenance(*staff, true).ok());
  on = MaintenanceOn(**server);
  ASSERT_TRUE(on.ok()) << on.status().message();
  EXPECT_TRUE(*on);

  ASSERT_TRUE(SetMaintenance(*staff, false).ok());
  on = MaintenanceOn(**server);
  ASSERT_TRUE(on.ok()) << on.status().message();
  EXPECT_FALSE(*on);

  // Switching on twice is fine, and it survives a restart.
  ASSERT_TRUE(SetMaintenance(*staff, true).ok());
  ASSERT_TRUE(SetMaintenance(*staff, true).ok());
  staff.reset();
  server->reset();
  auto restarted = Connection::Open(Path("maint.db"));
  ASSERT_TRUE(restarted.ok());
  on = MaintenanceOn(**restarted);
  ASSERT_TRUE(on.ok());
  EXPECT_TRUE(*on);
}

// ---------------------------------------------------------------- passwords

const PasswordHashing kFastHashing{1, 8 << 20};

TEST(PasswordTest, HashAndVerify) {
  auto h = HashPassword("neko2026", kFastHashing);
  ASSERT_TRUE(h.ok()) << h.status().message();
  EXPECT_EQ(h->find("neko2026"), std::string::npos) << "the hash must not hold the password";
  EXPECT_EQ(h->rfind("$argon2id$", 0), 0u) << *h;

  struct Case {
    const char* attempt;
    bool ok;
  };
  const Case cases[] = {
      {"neko2026", true},   {"Neko2026", false},  {"NEKO2026", false}, {"neko202", false},
      {"neko20266", false}, {"neko2026 ", false}, {"", false},         {"ｎｅｋｏ２０２６", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.attempt);
    EXPECT_EQ(VerifyPassword(*h, c.attempt), c.ok);
  }
}

TEST(PasswordTest, SaltMakesEachHashDifferent) {
  auto a = HashPassword("Tsuru77", kFastHashing);
  auto b = HashPassword("Tsuru77", kFastHashing);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_NE(*a, *b);
  EXPECT_TRUE(VerifyPassword(*a, "Tsuru77"));
  EXPECT_TRUE(VerifyPassword(*b, "Tsuru77"));
}

TEST(PasswordTest, GarbageHashNeverVerifies) {
  for (const char* h : {"", "neko2026", "$argon2id$", "$argon2id$v=19$m=8192,t=1,p=1$"}) {
    SCOPED_TRACE(h);
    EXPECT_FALSE(VerifyPassword(h, "neko2026"));
    EXPECT_FALSE(VerifyPassword(h, ""));
  }
}

// ---------------------------------------------------------------- demo library

LibraryRules GuideRules() {
  LibraryRules r;
  const ClosedDays c = MondaysAndNewYear();
  r.branches = {
      {"chuo", "中央図書館", c}, {"takaono", "高尾野図書館", c}, {"noda", "野田図書館", c}};
  return r;
}

// Records in the embedded catalogue: non-empty lines after the header.
int64_t EmbeddedRecordLines() {
  std::string_view tsv(kDemoCatalogTsv, kDemoCatalogTsvSize);
  int64_t n = 0;
  bool header = true;
  size_t pos = 0;
  while (pos < tsv.size()) {
    size_t end = tsv.find('\n', pos);
    if (end == std::string_view::npos) end = tsv.size();
    if (end > pos && !header) ++n;
    header = false;
    pos = end + 1;
  }
  return n;
}

struct Counts {
  int64_t branches, records, authors, copies, patrons, loans, holds;
  bool operator==(const Counts& o) const {
    return branches == o.branches && records == o.records && authors == o.authors &&
           copies == o.copies && patrons == o.patrons && loans == o.loans && holds == o.holds;
  }
};

Counts CountAll(Connection& c) {
  return {
      Scalar(c, "SELECT count(*) FROM branches"),       Scalar(c, "SELECT count(*) FROM records"),
      Scalar(c, "SELECT count(*) FROM record_authors"), Scalar(c, "SELECT count(*) FROM copies"),
      Scalar(c, "SELECT count(*) FROM patrons"),        Scalar(c, "SELECT count(*) FROM loans"),
      Scalar(c, "SELECT count(*) FROM holds")};
}

class DemoTest : public DbFileTest {
 protected:
  void SetUp() override {
    DbFileTest::SetUp();
    c_ = OpenMigrated("demo.db");
    ASSERT_TRUE(c_);
    auto r = CreateDemoLibrary(*c_, rules_, today_, kFastHashing);
    ASSERT_TRUE(r.ok()) << r.status().message();
    accounts_ = *r;
  }
  // The count of rows a query selects.
  int64_t Rows(const std::string& where_sql) {
    return Scalar(*c_, "SELECT count(*) FROM " + where_sql);
  }

  LibraryRules rules_ = GuideRules();
  Date today_ = D("2026-06-10");  // a Wednesday
  std::unique_ptr<Connection> c_;
  std::vector<DemoAccount> accounts_;
};

TEST_F(DemoTest, CatalogueAndCopies) {
  const int64_t lines = EmbeddedRecordLines();
  EXPECT_GE(lines, 20);
  EXPECT_GE(Rows("records"), lines);
  EXPECT_EQ(Rows("records WHERE title = ''"), 0);
  EXPECT_EQ(Rows("records r WHERE NOT EXISTS (SELECT 1 FROM copies c WHERE c.record_id = r.id)"), 0)
      << "every title has at least one copy";
  EXPECT_EQ(Rows("copies WHERE branch NOT IN ('chuo', 'takaono', 'noda')"), 0);
  for (const char* b : {"chuo", "takaono", "noda"}) {
    SCOPED_TRACE(b);
    EXPECT_GT(Rows(std::string("copies WHERE branch = '") + b + "'"), 0)
        << "every branch holds some copies";
  }
  EXPECT_EQ(Rows("branches"), 3);
}

TEST_F(DemoTest, BranchesKeepTheGuidesNamesAndOrder) {
  auto s = c_->Prepare("SELECT code, name FROM branches ORDER BY sort");
  ASSERT_TRUE(s.ok());
  std::vector<std::pair<std::string, std::string>> got;
  while (true) {
    auto r = s->Step();
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    got.emplace_back(s->Text(0), s->Text(1));
  }
  const std::vector<std::pair<std::string, std::string>> want = {
      {"chuo", "中央図書館"}, {"takaono", "高尾野図書館"}, {"noda", "野田図書館"}};
  EXPECT_EQ(got, want);
}

TEST_F(DemoTest, PatronsAndPasswords) {
  EXPECT_EQ(Rows("patrons"), 5);
  ASSERT_EQ(accounts_.size(), 5u);
  int without_password = 0;
  std::set<std::string> cards;
  for (const auto& a : accounts_) {
    SCOPED_TRACE(a.card);
    cards.insert(a.card);
    EXPECT_FALSE(a.name_kana.empty());
    EXPECT_FALSE(a.phone.empty());
    auto s = c_->Prepare("SELECT password_hash, name_kana, phone FROM patrons WHERE card = ?1");
    ASSERT_TRUE(s.ok());
    s->Bind(1, a.card);
    auto r = s->Step();
    ASSERT_TRUE(r.ok());
    ASSERT_TRUE(*r) << "account printed on the console is in the database";
    EXPECT_EQ(s->Text(1), a.name_kana);
    EXPECT_EQ(s->Text(2), a.phone);
    if (a.password.empty()) {
      ++without_password;
      EXPECT_TRUE(s->IsNull(0)) << "no password registered yet";
      continue;
    }
    ASSERT_FALSE(s->IsNull(0));
    const std::string hash = s->Text(0);
    EXPECT_EQ(hash.find(a.password), std::string::npos);
    EXPECT_TRUE(VerifyPassword(hash, a.password));
    EXPECT_FALSE(VerifyPassword(hash, a.password + "x"));
    // The demo passwords follow the library's own rule (6-8 half-width letters and digits).
    EXPECT_GE(a.password.size(), 6u);
    EXPECT_LE(a.password.size(), 8u);
  }
  EXPECT_EQ(without_password, 1);
  EXPECT_EQ(cards.size(), 5u);
}

TEST_F(DemoTest, LoansInEveryState) {
  const std::string t = today_.ToString();
  const std::string open = "loans WHERE returned_on IS NULL";
  EXPECT_GE(Rows(open + " AND due_on < '" + t + "'"), 1) << "overdue (延滞)";
  EXPECT_GE(Rows(open + " AND due_on = '" + t + "'"), 1) << "due today";
  EXPECT_GE(Rows(open + " AND renewals = 1 AND due_on >= '" + t + "'"), 1) << "renewed (延長)";
  EXPECT_GE(Rows(open + " AND renewals = 0 AND due_on > '" + t + "'"), 1) << "on time";
  // Consistency a librarian relies on.
  EXPECT_EQ(Rows(open + " AND loaned_on > '" + t + "'"), 0) << "no loan starts in the future";
  EXPECT_EQ(Rows(open + " AND due_on < loaned_on"), 0);
  EXPECT_EQ(Rows("loans l JOIN copies c ON c.id = l.copy_id WHERE l.returned_on IS NULL AND "
                 "c.status <> 'loan'"),
            0)
      << "a copy on loan is marked on loan";
  EXPECT_EQ(Rows("copies c WHERE c.status = 'loan' AND NOT EXISTS (SELECT 1 FROM loans l WHERE "
                 "l.copy_id = c.id AND l.returned_on IS NULL)"),
            0);
}

TEST_F(DemoTest, WaitingHoldsQueueInOrderOfPlacing) {
  // A title on loan that patrons wait for.
  const int64_t record = Scalar(
      *c_,
      "SELECT h.record_id FROM holds h JOIN copies c ON c.record_id = h.record_id "
      "JOIN loans l ON l.copy_id = c.id AND l.returned_on IS NULL "
      "WHERE h.status = 'waiting' GROUP BY h.record_id HAVING count(DISTINCT h.id) >= 2 LIMIT 1");
  ASSERT_GT(record, 0) << "no title on loan with two waiting holds";
  auto s = c_->Prepare(
      "SELECT seq, placed_at, patron_id FROM holds WHERE record_id = ?1 AND status = 'waiting' "
      "ORDER BY seq");
  ASSERT_TRUE(s.ok());
  s->Bind(1, record);
  std::vector<std::string> placed;
  std::set<int64_t> patrons;
  while (true) {
    auto r = s->Step();
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    placed.push_back(s->Text(1));
    patrons.insert(s->Int(2));
  }
  ASSERT_GE(placed.size(), 2u);
  for (size_t i = 1; i < placed.size(); ++i) {
    EXPECT_LT(placed[i - 1], placed[i]) << "first placed is first served";
  }
  EXPECT_EQ(patrons.size(), placed.size()) << "one hold per patron per title";
  // The patron who has the title on loan is not waiting for it.
  EXPECT_EQ(Rows("holds h JOIN copies c ON c.record_id = h.record_id JOIN loans l ON l.copy_id = "
                 "c.id AND l.returned_on IS NULL AND l.patron_id = h.patron_id WHERE h.status IN "
                 "('waiting','ready')"),
            0);
  EXPECT_EQ(Rows("holds WHERE status = 'waiting' AND (copy_id IS NOT NULL OR pickup_deadline IS "
                 "NOT NULL)"),
            0);
}

TEST_F(DemoTest, ReadyHoldsAreSetAsideWithTheRightDeadline) {
  auto s = c_->Prepare(
      "SELECT h.pickup_branch, h.ready_on, h.pickup_deadline, c.status FROM holds h "
      "JOIN copies c ON c.id = h.copy_id WHERE h.status = 'ready' ORDER BY h.seq");
  ASSERT_TRUE(s.ok());
  int ready = 0;
  while (true) {
    auto r = s->Step();
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    ++ready;
    const std::string branch = s->Text(0);
    SCOPED_TRACE(branch + " ready on " + s->Text(1));
    EXPECT_EQ(s->Text(3), "held") << "the copy is on the hold shelf";
    const Branch* b = rules_.FindBranch(branch);
    ASSERT_NE(b, nullptr);
    auto ready_on = Date::Parse(s->Text(1));
    ASSERT_TRUE(ready_on.has_value());
    EXPECT_TRUE(*ready_on <= today_);
    EXPECT_EQ(s->Text(2), PickupDeadline(b->closed, *ready_on, rules_.pickup_open_days).ToString());
    EXPECT_TRUE(today_ <= D(s->Text(2).c_str())) << "a ready hold in the demo has not expired";
  }
  EXPECT_GE(ready, 2);
  EXPECT_EQ(Rows("holds WHERE status = 'ready'"), ready);
  EXPECT_EQ(Rows("copies WHERE status = 'held'"), ready);
}

TEST_F(DemoTest, SecondRunIsRefusedAndChangesNothing) {
  const Counts before = CountAll(*c_);
  auto again = CreateDemoLibrary(*c_, rules_, today_, kFastHashing);
  ASSERT_FALSE(again.ok());
  EXPECT_FALSE(again.status().message().empty());
  EXPECT_TRUE(CountAll(*c_) == before);
  // And the connection is not left inside a transaction.
  EXPECT_TRUE(c_->Exec("INSERT INTO settings(key, value) VALUES('probe', 'x')").ok());
}

TEST_F(DemoTest, BackupIsACompleteCopy) {
  const std::string dest = Path("backup.db");
  Status s = Backup(*c_, dest);
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_TRUE(std::filesystem::exists(dest));
  // One file the staff can carry away: nothing left beside it.
  EXPECT_FALSE(std::filesystem::exists(dest + "-wal"));
  EXPECT_FALSE(std::filesystem::exists(dest + "-journal"));
  OpenOptions opt;
  opt.create = false;
  auto copy = Connection::Open(dest, opt);
  ASSERT_TRUE(copy.ok()) << copy.status().message();
  EXPECT_TRUE(CountAll(**copy) == CountAll(*c_));
  auto v = SchemaVersion(**copy);
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, LatestSchemaVersion());
  EXPECT_TRUE(Migrate(**copy).ok());
  EXPECT_EQ(Scalar(**copy, "SELECT count(*) FROM patrons WHERE password_hash IS NOT NULL"), 4);
}

TEST_F(DemoTest, BackupOverwritesAnOlderBackup) {
  const std::string dest = Path("backup.db");
  {
    auto old = OpenMigrated("backup.db");
    ASSERT_TRUE(old);
    ASSERT_TRUE(old->Exec("INSERT INTO branches(code, name, sort) VALUES('old', '旧館', 9)").ok());
  }
  Status s = Backup(*c_, dest);
  ASSERT_TRUE(s.ok()) << s.message();
  auto copy = Connection::Open(dest);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(Scalar(**copy, "SELECT count(*) FROM branches WHERE code = 'old'"), 0);
  EXPECT_TRUE(CountAll(**copy) == CountAll(*c_));
}

TEST_F(DbFileTest, DemoNeedsBranches) {
  auto c = OpenMigrated("nobranch.db");
  ASSERT_TRUE(c);
  LibraryRules none;
  auto r = CreateDemoLibrary(*c, none, D("2026-06-10"), kFastHashing);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Scalar(*c, "SELECT count(*) FROM records"), 0);
}

TEST_F(DbFileTest, DemoOverNewYearGivesDeadlinesOnOpenDays) {
  auto c = OpenMigrated("newyear.db");
  ASSERT_TRUE(c);
  const LibraryRules rules = GuideRules();
  const Date today = D("2026-12-30");  // the library is closed
  auto r = CreateDemoLibrary(*c, rules, today, kFastHashing);
  ASSERT_TRUE(r.ok()) << r.status().message();
  auto s = c->Prepare(
      "SELECT pickup_branch, ready_on, pickup_deadline FROM holds WHERE status = 'ready'");
  ASSERT_TRUE(s.ok());
  int n = 0;
  while (true) {
    auto step = s->Step();
    ASSERT_TRUE(step.ok());
    if (!*step) break;
    ++n;
    SCOPED_TRACE(s->Text(1));
    const Date deadline = D(s->Text(2).c_str());
    EXPECT_FALSE(rules.FindBranch(s->Text(0))->closed.IsClosed(deadline));
    EXPECT_EQ(
        deadline.ToString(),
        PickupDeadline(rules.FindBranch(s->Text(0))->closed, D(s->Text(1).c_str()), 7).ToString());
    EXPECT_TRUE(D("2027-01-04") < deadline);
  }
  EXPECT_GE(n, 1);
}

// ---------------------------------------------------------------- pool

TEST_F(DbFileTest, PoolLendsWorkingConnections) {
  ASSERT_TRUE(OpenMigrated("pool.db"));
  auto pool = Pool::Open(Path("pool.db"), 2);
  ASSERT_TRUE(pool.ok()) << pool.status().message();
  {
    auto a = (*pool)->Acquire();
    auto b = (*pool)->Acquire();  // two at once from a pool of two
    EXPECT_NE(&*a, &*b);
    EXPECT_TRUE(Ping(*a).ok());
    EXPECT_TRUE(Ping(*b).ok());
    ASSERT_TRUE(SetMaintenance(*a, true).ok());
    auto on = MaintenanceOn(*b);
    ASSERT_TRUE(on.ok());
    EXPECT_TRUE(*on);
    EXPECT_EQ(Scalar(*b, "PRAGMA foreign_keys"), 1);
  }
  // Returned leases are lent again.
  for (int i = 0; i < 5; ++i) {
    auto a = (*pool)->Acquire();
    EXPECT_TRUE(Ping(*a).ok());
  }
}

TEST_F(DbFileTest, PoolOnMissingFileFails) {
  auto pool = Pool::Open(Path("absent.db"), 2);
  ASSERT_FALSE(pool.ok());
  EXPECT_NE(pool.status().message().find(Path("absent.db")), std::string::npos)
      << pool.status().message();
  EXPECT_FALSE(std::filesystem::exists(Path("absent.db")));
}

}  // namespace
}  // namespace shiori::db
