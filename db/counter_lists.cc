// What staff at a branch act on (read only): the pull list, copies in transit
// to the branch, the hold shelf, the patrons to phone, and the dashboard's
// counts. The contract is in db/circ.h ("staff lists").
#include <string>
#include <vector>

#include "db/circ.h"
#include "db/circ_internal.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

// The pull list's holds (see PullList in db/circ.h): per title, the first
// waiting holds without a copy on the way, as many as this branch (?1) has
// lendable copies on its shelf (not 館内のみ); a hold whose pickup branch
// has one on its own shelf only there.
constexpr char kPullSql[] = R"sql(
WITH here AS (
  SELECT record_id, count(*) AS n, min(id) AS copy_id FROM copies
  WHERE branch = ?1 AND status = 'shelf' AND in_library = 0 GROUP BY record_id),
queue AS (
  SELECT h.id, h.record_id, h.pickup_branch, h.placed_at, h.seq,
         row_number() OVER (PARTITION BY h.record_id ORDER BY h.seq) AS place
  FROM holds h JOIN here ON here.record_id = h.record_id
  WHERE h.status = 'waiting' AND h.copy_id IS NULL)
SELECT q.id, r.title, ifnull(r.volume,''), ifnull(k.call_number,''), k.barcode,
       q.pickup_branch, b.name, q.placed_at
FROM queue q JOIN here ON here.record_id = q.record_id
  JOIN copies k ON k.id = here.copy_id
  JOIN records r ON r.id = q.record_id
  JOIN branches b ON b.code = q.pickup_branch
WHERE q.place <= here.n
  AND (q.pickup_branch = ?1 OR NOT EXISTS (SELECT 1 FROM copies o WHERE o.record_id = q.record_id
       AND o.branch = q.pickup_branch AND o.status = 'shelf' AND o.in_library = 0))
ORDER BY q.seq
)sql";

// Ready holds at the pickup branch ?1 that someone must phone about.
constexpr char kCallSql[] = R"sql(
SELECT h.id, r.title, ifnull(r.volume,''), p.card, p.name_kana, p.phone,
       h.pickup_deadline, h.contact = 'mail',
       (SELECT count(*) FROM hold_calls x WHERE x.hold_id = h.id AND x.outcome = 'no_answer'),
       (SELECT ifnull(max(at), 0) FROM hold_calls x WHERE x.hold_id = h.id)
FROM holds h JOIN patrons p ON p.id = h.patron_id JOIN records r ON r.id = h.record_id
WHERE h.status = 'ready' AND h.pickup_branch = ?1
  AND NOT EXISTS (SELECT 1 FROM hold_calls x WHERE x.hold_id = h.id AND x.outcome = 'reached')
  AND (h.contact = 'phone'
       OR (h.contact = 'mail' AND (ifnull(p.email,'') = ''
           OR (EXISTS (SELECT 1 FROM outbox o WHERE o.hold_id = h.id AND o.kind = 'hold_ready'
                       AND o.status = 'failed')
               AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.hold_id = h.id
                               AND o.kind = 'hold_ready' AND o.status IN ('pending','sending','sent'))))))
ORDER BY h.pickup_deadline, h.seq
)sql";

template <typename Line, typename Fill>
Result<std::vector<Line>> Rows(Stmt& s, Fill fill) {
  std::vector<Line> out;
  while (true) {
    auto r = s.Step();
    if (!r.ok()) return r.status();
    if (!*r) return out;
    Line l;
    fill(s, l);
    out.push_back(std::move(l));
  }
}

}  // namespace

Result<std::vector<PullLine>> PullList(Connection& c, const std::string& branch) {
  auto s = c.Prepare(kPullSql);
  if (!s.ok()) return s.status();
  s->Bind(1, branch);
  return Rows<PullLine>(*s, [](Stmt& q, PullLine& l) {
    l.hold_id = q.Int(0);
    l.title = q.Text(1);
    l.volume = q.Text(2);
    l.call_number = q.Text(3);
    l.barcode = q.Text(4);
    l.pickup_branch = q.Text(5);
    l.pickup_name = q.Text(6);
    l.placed_at = q.Text(7);
  });
}

Result<std::vector<TransitLine>> TransitsTo(Connection& c, const std::string& branch) {
  auto s = c.Prepare(
      "SELECT k.barcode, r.title, ifnull(r.volume,''), b.name, ifnull(h.id, 0), ifnull(p.card,'')"
      " FROM copies k JOIN records r ON r.id = k.record_id JOIN branches b ON b.code = k.branch"
      " LEFT JOIN holds h ON h.copy_id = k.id AND h.status = 'waiting'"
      " LEFT JOIN patrons p ON p.id = h.patron_id"
      " WHERE k.status = 'transit' AND k.transit_to = ?1 ORDER BY k.barcode");
  if (!s.ok()) return s.status();
  s->Bind(1, branch);
  return Rows<TransitLine>(*s, [](Stmt& q, TransitLine& l) {
    l.barcode = q.Text(0);
    l.title = q.Text(1);
    l.volume = q.Text(2);
    l.from_branch_name = q.Text(3);
    l.hold_id = q.Int(4);
    l.card = q.Text(5);
  });
}

Result<std::vector<ShelfLine>> HoldShelf(Connection& c, const std::string& branch,
                                         const Date& today) {
  auto s = c.Prepare(
      "SELECT h.id, r.title, ifnull(r.volume,''), k.barcode, p.card, p.name_kana, h.contact,"
      " p.phone, h.ready_on, h.pickup_deadline, h.pickup_deadline < ?2"
      " FROM holds h JOIN patrons p ON p.id = h.patron_id JOIN records r ON r.id = h.record_id"
      " JOIN copies k ON k.id = h.copy_id"
      " WHERE h.status = 'ready' AND h.pickup_branch = ?1 ORDER BY h.pickup_deadline, h.seq");
  if (!s.ok()) return s.status();
  s->Bind(1, branch).Bind(2, today.ToString());
  return Rows<ShelfLine>(*s, [](Stmt& q, ShelfLine& l) {
    l.hold_id = q.Int(0);
    l.title = q.Text(1);
    l.volume = q.Text(2);
    l.barcode = q.Text(3);
    l.card = q.Text(4);
    l.name_kana = q.Text(5);
    l.contact = q.Text(6);
    l.phone = q.Text(7);
    l.ready_on = q.Text(8);
    l.deadline = q.Text(9);
    l.expired = q.Int(10) != 0;
  });
}

Result<std::vector<CallLine>> PhoneList(Connection& c, const std::string& branch) {
  auto s = c.Prepare(kCallSql);
  if (!s.ok()) return s.status();
  s->Bind(1, branch);
  return Rows<CallLine>(*s, [](Stmt& q, CallLine& l) {
    l.hold_id = q.Int(0);
    l.title = q.Text(1);
    l.volume = q.Text(2);
    l.card = q.Text(3);
    l.name_kana = q.Text(4);
    l.phone = q.Text(5);
    l.deadline = q.Text(6);
    l.mail_failed = q.Int(7) != 0;
    l.attempts = static_cast<int>(q.Int(8));
    l.last_attempt_at = q.Int(9);
  });
}

Result<std::vector<OverdueLine>> OverdueLoans(Connection& c, const std::string& branch,
                                              const Date& today) {
  auto s = c.Prepare(
      "SELECT r.title, ifnull(r.volume,''), k.barcode, p.card, p.name_kana, p.phone, l.due_on"
      " FROM loans l JOIN copies k ON k.id = l.copy_id JOIN records r ON r.id = k.record_id"
      " JOIN patrons p ON p.id = l.patron_id"
      " WHERE l.returned_on IS NULL AND ifnull(l.branch, k.branch) = ?1 AND l.due_on < ?2"
      " ORDER BY l.due_on, l.id");
  if (!s.ok()) return s.status();
  s->Bind(1, branch).Bind(2, today.ToString());
  return Rows<OverdueLine>(*s, [&today](Stmt& q, OverdueLine& l) {
    l.title = q.Text(0);
    l.volume = q.Text(1);
    l.barcode = q.Text(2);
    l.card = q.Text(3);
    l.name_kana = q.Text(4);
    l.phone = q.Text(5);
    l.due_on = q.Text(6);
    if (auto due = Date::Parse(l.due_on)) l.days = static_cast<int>(today.Days() - due->Days());
  });
}

Result<BranchCounts> CountsAt(Connection& c, const std::string& branch, const Date& today) {
  BranchCounts n;
  auto pull = PullList(c, branch);
  if (!pull.ok()) return pull.status();
  n.pull = static_cast<int>(pull->size());
  auto transit = TransitsTo(c, branch);
  if (!transit.ok()) return transit.status();
  n.transit_in = static_cast<int>(transit->size());
  auto calls = PhoneList(c, branch);
  if (!calls.ok()) return calls.status();
  n.calls = static_cast<int>(calls->size());
  auto overdue = OverdueLoans(c, branch, today);
  if (!overdue.ok()) return overdue.status();
  n.overdue_loans = static_cast<int>(overdue->size());
  auto s = c.Prepare(
      "SELECT count(*) FROM holds WHERE status = 'ready' AND pickup_branch = ?1"
      " AND pickup_deadline < ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, branch).Bind(2, today.ToString());
  auto expired = detail::ScalarInt(*s);
  if (!expired.ok()) return expired.status();
  n.expired = static_cast<int>(*expired);
  return n;
}

}  // namespace shiori::db
