// What a patron has out and waits for: the lists behind 貸出中一覧, 予約中一覧
// and 予約確保一覧 (read only; renewals and hold changes are in db/circ.cc).
#include "db/circ.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {

Result<std::vector<LoanLine>> PatronLoans(Connection& c, int64_t patron_id, const Date& today) {
  auto s = c.Prepare(
      "SELECT l.id, r.title, ifnull(r.volume,''), l.due_on, l.renewals,"
      " EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id AND h.status = 'waiting'"
      "         AND h.copy_id IS NULL AND h.patron_id <> l.patron_id), k.barcode,"
      " l.loaned_on, b.name, ifnull(l.branch, k.branch)"
      " FROM loans l JOIN copies k ON k.id = l.copy_id JOIN records r ON r.id = k.record_id"
      " JOIN branches b ON b.code = k.branch"
      " WHERE l.patron_id = ?1 AND l.returned_on IS NULL ORDER BY l.due_on, l.id");
  if (!s.ok()) return s.status();
  s->Bind(1, patron_id);
  std::vector<LoanLine> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    LoanLine l;
    l.loan_id = s->Int(0);
    l.title = s->Text(1);
    l.volume = s->Text(2);
    l.due_on = s->Text(3);
    l.renewals = static_cast<int>(s->Int(4));
    l.reserved = s->Int(5) != 0;
    l.barcode = s->Text(6);
    l.loaned_on = s->Text(7);
    l.branch_name = s->Text(8);
    l.lending_branch = s->Text(9);
    auto due = Date::Parse(l.due_on);
    l.overdue = due && *due < today;
    out.push_back(std::move(l));
  }
  return out;
}

Result<std::vector<HoldLine>> PatronHolds(Connection& c, int64_t patron_id, bool ready) {
  auto s = c.Prepare(
      "SELECT h.id, r.title, ifnull(r.volume,''), b.name, h.contact,"
      " (SELECT count(*) FROM holds w WHERE w.record_id = h.record_id AND w.status = 'waiting'"
      "  AND w.copy_id IS NULL AND w.seq <= h.seq), ifnull(h.pickup_deadline,''),"
      " ifnull(h.ready_on,''), h.pickup_branch, h.copy_id IS NOT NULL, ifnull(date(h.placed_at, "
      "'localtime'), ''),"
      " ifnull((SELECT group_concat(name, '・') FROM (SELECT name FROM record_authors"
      "   WHERE record_id = r.id ORDER BY pos)), '')"
      " FROM holds h JOIN records r ON r.id = h.record_id JOIN branches b ON b.code = "
      "h.pickup_branch"
      " WHERE h.patron_id = ?1 AND h.status = ?2 ORDER BY h.seq");
  if (!s.ok()) return s.status();
  s->Bind(1, patron_id).Bind(2, ready ? "ready" : "waiting");
  std::vector<HoldLine> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    HoldLine h;
    h.hold_id = s->Int(0);
    h.title = s->Text(1);
    h.volume = s->Text(2);
    h.branch_name = s->Text(3);
    h.contact = s->Text(4);
    h.in_transit = !ready && s->Int(9) != 0;
    h.position = ready || h.in_transit ? 0 : static_cast<int>(s->Int(5));
    h.deadline = s->Text(6);
    h.ready_on = s->Text(7);
    h.branch_code = s->Text(8);
    h.placed_on = s->Text(10);
    h.authors = s->Text(11);
    out.push_back(std::move(h));
  }
  return out;
}

}  // namespace shiori::db
