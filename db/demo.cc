// The demo library: the embedded catalogue (db/demo/catalog.tsv), copies over
// the branches, patrons, and loans and holds in every state, dated from today.
#include "db/demo.h"

#include <algorithm>
#include <string>
#include <vector>

#include "db/catalog.h"
#include "db/demo_catalog.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "db/staff.h"

namespace shiori::db {
namespace {

std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(sep, pos);
    if (next == std::string_view::npos) {
      out.push_back(s.substr(pos));
      return out;
    }
    out.push_back(s.substr(pos, next - pos));
    pos = next + sep.size();
  }
}

// The first character of UTF-8 `s` (empty for empty input).
std::string FirstChar(std::string_view s) {
  if (s.empty()) return std::string();
  const unsigned char c = static_cast<unsigned char>(s[0]);
  const size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  return std::string(s.substr(0, std::min(n, s.size())));
}


struct DemoRecord {
  int64_t id;
  int copies;
};

constexpr std::string_view kHeader =
    "title\ttitle_kana\tvolume\tauthor\tauthor_kana\tpublisher\tpublisher_kana\tyear\tndc\tlang\t"
    "subjects";

// Inserts the embedded catalogue and its copies. Returns each record's id and copy count.
Result<std::vector<DemoRecord>> LoadCatalogue(Connection& c, const LibraryRules& rules) {
  std::string_view tsv(kDemoCatalogTsv, kDemoCatalogTsvSize);
  auto lines = Split(tsv, "\n");
  if (lines.empty() || lines[0] != kHeader) {
    return Status::Invalid("demo catalogue: unexpected header");
  }
  auto rec = c.Prepare(
      "INSERT INTO records(source_id, title, title_kana, volume, publisher, publisher_kana, year,"
      " ndc, lang, subjects) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
  auto author = c.Prepare(
      "INSERT INTO record_authors(record_id, pos, name, name_kana, role) VALUES(?1,?2,?3,?4,?5)");
  auto copy = c.Prepare(
      "INSERT INTO copies(barcode, record_id, branch, call_number, in_library)"
      " VALUES(?1,?2,?3,?4,?5)");
  if (!rec.ok()) return rec.status();
  if (!author.ok()) return author.status();
  if (!copy.ok()) return copy.status();

  std::vector<DemoRecord> out;
  int64_t barcode = 2000000001;
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto f = Split(lines[i], "\t");
    if (f.size() != 11) {
      return Status::Invalid("demo catalogue line " + std::to_string(i + 1) + ": " +
                             std::to_string(f.size()) + " columns, expected 11");
    }
    const size_t n = out.size();
    rec->Reset();
    rec->Bind(1, "demo-" + std::to_string(n + 1))
        .Bind(2, f[0])
        .Bind(3, NonEmpty(f[1]))
        .Bind(4, NonEmpty(f[2]))
        .Bind(5, NonEmpty(f[5]))
        .Bind(6, NonEmpty(f[6]))
        .Bind(7, int64_t{std::stoi(std::string(f[7]))})
        .Bind(8, NonEmpty(f[8]))
        .Bind(9, NonEmpty(f[9]))
        .Bind(10, NonEmpty(f[10]));
    SHIORI_RETURN_IF_ERROR(rec->Run());
    const int64_t id = c.LastInsertId();

    auto names = Split(f[3], " ; ");
    auto kanas = Split(f[4], " ; ");
    for (size_t a = 0; a < names.size(); ++a) {
      if (names[a].empty()) continue;  // anonymous classics: no author
      std::string name(names[a]);
      std::optional<std::string> role;
      // A role is written after the name in full-width parentheses: 村上春樹（訳）.
      for (std::string_view open : {"（", "("}) {
        size_t p = name.find(open);
        if (p != std::string::npos && p > 0) {
          std::string r = name.substr(p + open.size());
          for (std::string_view close : {"）", ")"}) {
            if (r.size() >= close.size() &&
                r.compare(r.size() - close.size(), close.size(), close) == 0) {
              r.resize(r.size() - close.size());
            }
          }
          role = r;
          name.resize(p);
          break;
        }
      }
      author->Reset();
      author->Bind(1, id)
          .Bind(2, static_cast<int64_t>(a))
          .Bind(3, name)
          .Bind(4, a < kanas.size() ? NonEmpty(kanas[a]) : std::nullopt)
          .Bind(5, role);
      SHIORI_RETURN_IF_ERROR(author->Run());
    }

    // One to three copies, spread over the branches; a dictionary (NDC
    // 813) has one more at the first branch, for use in the library only
    // (館内のみ).
    const int copies = 1 + (n % 3 == 0) + (n % 7 == 0);
    const bool dictionary = f[8].substr(0, 3) == "813";
    // Call number: class and the first kana of the author (or title) reading.
    const std::string kana_initial = FirstChar(!f[4].empty() ? f[4] : !f[1].empty() ? f[1] : f[0]);
    for (int k = 0; k < copies + dictionary; ++k) {
      const bool reference = k == copies;
      const auto& b = reference
                          ? rules.branches[0]
                          : rules.branches[(n + static_cast<size_t>(k)) % rules.branches.size()];
      copy->Reset();
      copy->Bind(1, std::to_string(barcode++))
          .Bind(2, id)
          .Bind(3, b.code)
          .Bind(4, std::string(f[8]) + " " + kana_initial)
          .Bind(5, int64_t{reference});
      SHIORI_RETURN_IF_ERROR(copy->Run());
    }
    SHIORI_RETURN_IF_ERROR(IndexRecord(c, id));
    out.push_back({id, copies + dictionary});
  }
  if (out.size() < 20) return Status::Invalid("demo catalogue: too few records");
  return out;
}

}  // namespace

Result<std::vector<DemoAccount>> CreateDemoLibrary(Connection& c, const LibraryRules& rules,
                                                   const Date& today,
                                                   const PasswordHashing& hashing) {
  if (rules.branches.empty()) return Status::Invalid("demo library: no branches configured");
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  {
    auto n = c.Prepare("SELECT count(*) FROM records");
    if (!n.ok()) return n.status();
    auto r = n->Step();
    if (!r.ok()) return r.status();
    if (n->Int(0) != 0) return Status::Conflict(c.path() + ": not empty, demo library not created");
  }
  SHIORI_RETURN_IF_ERROR(SyncBranches(c, rules));
  auto records = LoadCatalogue(c, rules);
  if (!records.ok()) return records.status();

  const std::string& b0 = rules.branches[0].code;
  const std::string& b1 = rules.branches[1 % rules.branches.size()].code;
  const std::string& b2 = rules.branches[2 % rules.branches.size()].code;
  std::vector<DemoAccount> accounts = {
      {"1000000011", "neko2026", "イズミ キョウコ", "0996-63-1111", "kyoko.izumi@docomo.ne.jp",
       "loans on time and renewed, a hold ready for pickup (mail), a hold waiting"},
      {"1000000022", "Tsuru77", "タカオノ ケンジ", "0996-82-2222", "kenji.takaono@example.jp",
       "an overdue loan, a loan someone else has reserved, a hold waiting"},
      {"1000000033", "hon4649", "ノダ ショウタ", "0996-84-3333", "",
       "first in the queue for a title on loan; no e-mail address"},
      {"1000000044", "", "キリシマ ミホ", "0996-63-4444", "",
       "no password yet: try 新規パスワード登録 with name and phone"},
      {"1000000055", "satsuma5", "サツマ ジュンイチ", "090-1234-5555",
       "junichi.satsuma@ezweb.ne.jp", "a loan due today, a hold ready at another branch (phone)"},
  };
  const std::string homes[] = {b0, b1, b2, b0, b2};
  std::vector<int64_t> pid;
  {
    auto ins = c.Prepare(
        "INSERT INTO patrons(card, name_kana, phone, email, home_branch, password_hash)"
        " VALUES(?1,?2,?3,?4,?5,?6)");
    if (!ins.ok()) return ins.status();
    for (size_t i = 0; i < accounts.size(); ++i) {
      const auto& a = accounts[i];
      std::optional<std::string> hash;
      if (!a.password.empty()) {
        auto h = HashPassword(a.password, hashing);
        if (!h.ok()) return h.status();
        hash = *h;
      }
      ins->Reset();
      ins->Bind(1, a.card)
          .Bind(2, a.name_kana)
          .Bind(3, a.phone)
          .Bind(4, NonEmpty(a.email))
          .Bind(5, homes[i])
          .Bind(6, hash);
      SHIORI_RETURN_IF_ERROR(ins->Run());
      pid.push_back(c.LastInsertId());
    }
  }

  // Titles with a single copy, so a loan or a hold on them is the whole story.
  std::vector<int64_t> single;
  for (const auto& r : *records) {
    if (r.copies == 1) single.push_back(r.id);
  }
  if (single.size() < 10) return Status::Invalid("demo catalogue: too few single-copy titles");

  auto first_copy = [&](int64_t record) -> Result<int64_t> {
    auto s = c.Prepare("SELECT id FROM copies WHERE record_id = ?1 ORDER BY id LIMIT 1");
    if (!s.ok()) return s.status();
    s->Bind(1, record);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::NotFound("demo: record without copy");
    return s->Int(0);
  };
  auto loan = [&](int64_t record, int64_t patron, int loaned_ago, int due_in,
                  int renewals) -> Status {
    auto copy = first_copy(record);
    if (!copy.ok()) return copy.status();
    auto s = c.Prepare(
        "INSERT INTO loans(copy_id, patron_id, loaned_on, due_on, renewals) "
        "VALUES(?1,?2,?3,?4,?5)");
    if (!s.ok()) return s.status();
    SHIORI_RETURN_IF_ERROR(s->Bind(1, *copy)
                               .Bind(2, patron)
                               .Bind(3, today.AddDays(-loaned_ago).ToString())
                               .Bind(4, today.AddDays(due_in).ToString())
                               .Bind(5, int64_t{renewals})
                               .Run());
    auto u = c.Prepare("UPDATE copies SET status = 'loan' WHERE id = ?1");
    if (!u.ok()) return u.status();
    return u->Bind(1, *copy).Run();
  };
  int64_t seq = 0;
  auto hold = [&](int64_t record, int64_t patron, const std::string& branch,
                  const std::string& contact, int placed_ago, int ready_ago) -> Status {
    std::optional<std::string> ready_on, deadline;
    std::optional<int64_t> copy;
    if (ready_ago >= 0) {
      auto cp = first_copy(record);
      if (!cp.ok()) return cp.status();
      copy = *cp;
      const Date set_aside = today.AddDays(-ready_ago);
      ready_on = set_aside.ToString();
      deadline = PickupDeadline(rules.FindBranch(branch)->closed, set_aside, rules.pickup_open_days)
                     .ToString();
      auto u = c.Prepare("UPDATE copies SET status = 'held' WHERE id = ?1");
      if (!u.ok()) return u.status();
      SHIORI_RETURN_IF_ERROR(u->Bind(1, *copy).Run());
    }
    auto s = c.Prepare(
        "INSERT INTO holds(seq, record_id, patron_id, pickup_branch, contact, status, placed_at,"
        " copy_id, ready_on, pickup_deadline) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)");
    if (!s.ok()) return s.status();
    s->Bind(1, ++seq)
        .Bind(2, record)
        .Bind(3, patron)
        .Bind(4, branch)
        .Bind(5, contact)
        .Bind(6, copy ? "ready" : "waiting")
        .Bind(7, today.AddDays(-placed_ago).ToString() + "T10:00:00Z")
        .Bind(9, ready_on)
        .Bind(10, deadline);
    if (copy) {
      s->Bind(8, *copy);
    } else {
      s->BindNull(8);
    }
    return s->Run();
  };

  // Loans in every state.
  SHIORI_RETURN_IF_ERROR(loan(single[0], pid[0], 5, 9, 0));     // on time
  SHIORI_RETURN_IF_ERROR(loan(single[1], pid[0], 20, 11, 1));   // already renewed
  SHIORI_RETURN_IF_ERROR(loan(single[2], pid[1], 30, -16, 0));  // overdue (延滞)
  SHIORI_RETURN_IF_ERROR(loan(single[3], pid[1], 4, 10, 0));    // others wait for it (予約あり)
  SHIORI_RETURN_IF_ERROR(loan(single[4], pid[4], 14, 0, 0));    // due today
  // Holds waiting, in queue order, and ready.
  SHIORI_RETURN_IF_ERROR(hold(single[3], pid[2], b2, "none", 3, -1));   // 1st for a loaned title
  SHIORI_RETURN_IF_ERROR(hold(single[3], pid[0], b0, "mail", 2, -1));   // 2nd
  SHIORI_RETURN_IF_ERROR(hold(single[0], pid[1], b1, "phone", 1, -1));  // waits for P1's loan
  SHIORI_RETURN_IF_ERROR(hold(single[5], pid[0], b0, "mail", 6, 2));    // ready at home branch
  SHIORI_RETURN_IF_ERROR(hold(single[6], pid[4], b2, "phone", 9, 6));   // ready elsewhere

  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return accounts;
}

Result<std::vector<DemoStaff>> CreateDemoStaff(Connection& c, const PasswordHashing& hashing,
                                               int64_t now) {
  std::vector<DemoStaff> staff = {
      {"kanri", "kanri-demo-2026", "出水 管理", std::string(kRoleAdmin)},
      {"madoguchi", "madoguchi-2026", "野田 窓口", std::string(kRoleCounter)},
  };
  for (const auto& s : staff) {
    auto id = AddStaff(c, {s.login, s.name, s.role}, s.password, hashing, now);
    if (!id.ok()) return id.status();
  }
  return staff;
}

}  // namespace shiori::db
