// Circulation at the counter and the loans: the hand-over of a copy that
// comes free, renewals, and the staff's checkout, checkin, pull-for-hold and
// daily run; one transaction each. The patron's hold operations are in
// holds.cc. The contract, and which messages are Japanese, is in db/circ.h.
#include "db/circ.h"

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/circ_internal.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

using detail::ReleaseHeldCopy;
using detail::ScalarInt;

// Reservation request keys are kept this many days (back button, double tap).
constexpr int kRequestKeyDays = 2;

std::string Quoted(const std::string& title) { return "「" + title + "」"; }

Result<Date> StoredDate(const std::string& s) {
  auto d = Date::Parse(s);
  if (!d) return Status::Io("bad date in the database: \"" + s + "\"");
  return *d;
}

// ---------------------------------------------------------------- copies

struct Copy {
  int64_t id = 0;
  int64_t record_id = 0;
  std::string barcode, branch, branch_name, status, title;
};

constexpr char kCopySelect[] =
    "SELECT k.id, k.record_id, k.barcode, k.branch, b.name, k.status, r.title"
    " FROM copies k JOIN records r ON r.id = k.record_id JOIN branches b ON b.code = k.branch ";

Result<std::optional<Copy>> ReadCopy(Stmt& s) {
  auto r = s.Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<Copy>();
  Copy k;
  k.id = s.Int(0);
  k.record_id = s.Int(1);
  k.barcode = s.Text(2);
  k.branch = s.Text(3);
  k.branch_name = s.Text(4);
  k.status = s.Text(5);
  k.title = s.Text(6);
  return std::optional<Copy>(std::move(k));
}

Result<std::optional<Copy>> CopyByBarcode(Connection& c, std::string_view barcode) {
  auto s = c.Prepare(std::string(kCopySelect) + "WHERE k.barcode = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, barcode);
  return ReadCopy(*s);
}

Result<std::optional<Copy>> CopyById(Connection& c, int64_t id) {
  auto s = c.Prepare(std::string(kCopySelect) + "WHERE k.id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  return ReadCopy(*s);
}

Status SetCopyStatus(Connection& c, int64_t copy_id, const char* status) {
  auto s = c.Prepare("UPDATE copies SET status = ?2 WHERE id = ?1");
  if (!s.ok()) return s.status();
  return s->Bind(1, copy_id).Bind(2, status).Run();
}

Result<bool> HoldWaits(Connection& c, int64_t record_id) {
  auto s =
      c.Prepare("SELECT EXISTS (SELECT 1 FROM holds WHERE record_id = ?1 AND status = 'waiting')");
  if (!s.ok()) return s.status();
  s->Bind(1, record_id);
  auto n = ScalarInt(*s);
  if (!n.ok()) return n.status();
  return *n != 0;
}

// The hand-over described in db/circ.h: the copy goes to the first waiting hold on
// its title, or back to the shelf. Appends what staff must do to `log`.
// REQUIRES: inside a transaction; the copy is free (no open loan, no ready hold).
Status HandOver(Connection& c, const Copy& copy, const Date& today, const LibraryRules& rules,
                std::vector<std::string>& log) {
  auto s = c.Prepare(
      "SELECT h.id, h.pickup_branch, b.name, h.contact, p.id, p.card, p.phone, ifnull(p.email,'')"
      " FROM holds h JOIN patrons p ON p.id = h.patron_id JOIN branches b ON b.code = "
      "h.pickup_branch"
      " WHERE h.record_id = ?1 AND h.status = 'waiting' ORDER BY h.seq LIMIT 1");
  if (!s.ok()) return s.status();
  s->Bind(1, copy.record_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) {
    SHIORI_RETURN_IF_ERROR(SetCopyStatus(c, copy.id, "shelf"));
    log.push_back(copy.barcode + " " + Quoted(copy.title) + ": back on the shelf at " +
                  copy.branch_name);
    return Status::Ok();
  }
  const int64_t hold_id = s->Int(0);
  const std::string pickup = s->Text(1), pickup_name = s->Text(2), contact = s->Text(3);
  const int64_t patron_id = s->Int(4);
  const std::string card = s->Text(5), phone = s->Text(6), email = s->Text(7);
  s->Reset();

  ClosedDays closed;  // a branch missing from the configuration: every day counts
  if (const Branch* b = rules.FindBranch(pickup)) closed = b->closed;
  const Date deadline = PickupDeadline(closed, today, rules.pickup_open_days);
  auto up = c.Prepare(
      "UPDATE holds SET status = 'ready', copy_id = ?2, ready_on = ?3, pickup_deadline = ?4"
      " WHERE id = ?1 AND status = 'waiting'");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, hold_id)
                             .Bind(2, copy.id)
                             .Bind(3, today.ToString())
                             .Bind(4, deadline.ToString())
                             .Run());
  const bool transit = copy.branch != pickup;
  SHIORI_RETURN_IF_ERROR(SetCopyStatus(c, copy.id, transit ? "transit" : "held"));
  log.push_back(copy.barcode + " " + Quoted(copy.title) + ": ready for hold " +
                std::to_string(hold_id) + " (card " + card + ") at " + pickup_name + " until " +
                deadline.ToString());
  if (transit) log.push_back(copy.barcode + ": send to " + pickup_name);
  if (contact == "mail" && !email.empty()) {
    auto ins =
        c.Prepare("INSERT INTO outbox(kind, patron_id, hold_id) VALUES('hold_ready', ?1, ?2)");
    if (!ins.ok()) return ins.status();
    SHIORI_RETURN_IF_ERROR(ins->Bind(1, patron_id).Bind(2, hold_id).Run());
    log.push_back("hold " + std::to_string(hold_id) + ": mail notice queued");
  } else if (contact == "mail") {
    log.push_back("hold " + std::to_string(hold_id) + ": contact is mail but card " + card +
                  " has no address; call " + phone);
  } else if (contact == "phone") {
    log.push_back("hold " + std::to_string(hold_id) + ": call " + phone);
  }
  return Status::Ok();
}

void Append(std::vector<std::string>* log, std::vector<std::string>& lines) {
  if (!log) return;
  for (auto& l : lines) log->push_back(std::move(l));
}

}  // namespace

namespace detail {

Result<int64_t> ScalarInt(Stmt& s) {
  auto r = s.Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::Io("no row from an aggregate");
  const int64_t v = s.Int(0);
  s.Reset();
  return v;
}

// Hands over the copy a ready hold had set aside, if it is still set aside.
Status ReleaseHeldCopy(Connection& c, int64_t copy_id, const Date& today, const LibraryRules& rules,
                       std::vector<std::string>& log) {
  auto copy = CopyById(c, copy_id);
  if (!copy.ok()) return copy.status();
  if (!copy->has_value())
    return Status::Io("hold names copy " + std::to_string(copy_id) + ", which does not exist");
  const Copy& k = **copy;
  if (k.status != "held" && k.status != "transit") return Status::Ok();  // e.g. lent meanwhile
  return HandOver(c, k, today, rules, log);
}

}  // namespace detail

// ---------------------------------------------------------------- loans

Result<Date> RenewLoan(Connection& c, int64_t patron_id, int64_t loan_id, const Date& today,
                       const LibraryRules& rules) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto s = c.Prepare(
      "SELECT l.due_on, l.renewals,"
      " EXISTS (SELECT 1 FROM holds h WHERE h.record_id = k.record_id AND h.status = 'waiting'"
      "         AND h.patron_id <> l.patron_id)"
      " FROM loans l JOIN copies k ON k.id = l.copy_id"
      " WHERE l.id = ?1 AND l.patron_id = ?2 AND l.returned_on IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, loan_id).Bind(2, patron_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::NotFound("この貸出は見つかりません。");
  auto due = StoredDate(s->Text(0));
  if (!due.ok()) return due.status();
  const int64_t renewals = s->Int(1);
  const bool reserved = s->Int(2) != 0;
  s->Reset();

  auto renewed = Renewal(LoanFacts{*due, static_cast<int>(renewals), reserved}, today, rules);
  if (!renewed.ok()) return renewed.status();
  const Date next = *renewed;
  auto up = c.Prepare("UPDATE loans SET due_on = ?2, renewals = renewals + 1 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, loan_id).Bind(2, next.ToString()).Run());
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return next;
}

Status Checkout(Connection& c, std::string_view card, std::string_view barcode, const Date& today,
                const LibraryRules& rules, std::vector<std::string>* log) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  std::vector<std::string> lines;
  auto patron = FindPatronByCard(c, card);
  if (!patron.ok()) return patron.status();
  if (!patron->has_value()) return Status::NotFound("no patron with card " + std::string(card));
  const PatronRow& p = **patron;
  if (p.status != "active")
    return Status::Conflict("card " + p.card + " is " + p.status + "; not lent");
  auto copy = CopyByBarcode(c, barcode);
  if (!copy.ok()) return copy.status();
  if (!copy->has_value()) return Status::NotFound("no copy with barcode " + std::string(barcode));
  const Copy& k = **copy;

  if (k.status == "loan") {
    auto s = c.Prepare(
        "SELECT p.card, l.due_on FROM loans l JOIN patrons p ON p.id = l.patron_id"
        " WHERE l.copy_id = ?1 AND l.returned_on IS NULL");
    if (!s.ok()) return s.status();
    s->Bind(1, k.id);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    return Status::Conflict("copy " + k.barcode + " is already on loan" +
                            (*r ? " to card " + s->Text(0) + " (due " + s->Text(1) + ")" : "") +
                            "; check it in first");
  }
  {
    auto s = c.Prepare(
        "SELECT h.id, h.patron_id, p.card, h.pickup_deadline FROM holds h"
        " JOIN patrons p ON p.id = h.patron_id WHERE h.copy_id = ?1 AND h.status = 'ready'");
    if (!s.ok()) return s.status();
    s->Bind(1, k.id);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (*r && s->Int(1) != p.id) {
      return Status::Conflict("copy " + k.barcode + " is set aside for hold " +
                              std::to_string(s->Int(0)) + " (card " + s->Text(2) + ", until " +
                              s->Text(3) + ")");
    }
  }

  const Date due = DueDate(today, rules);
  auto ins =
      c.Prepare("INSERT INTO loans(copy_id, patron_id, loaned_on, due_on) VALUES(?1,?2,?3,?4)");
  if (!ins.ok()) return ins.status();
  SHIORI_RETURN_IF_ERROR(
      ins->Bind(1, k.id).Bind(2, p.id).Bind(3, today.ToString()).Bind(4, due.ToString()).Run());
  SHIORI_RETURN_IF_ERROR(SetCopyStatus(c, k.id, "loan"));
  lines.push_back("checked out " + k.barcode + " " + Quoted(k.title) + " to card " + p.card +
                  ", due " + due.ToString());
  if (k.status == "missing") lines.push_back(k.barcode + ": was marked missing, now found");

  // The patron's own hold on the title is served by this loan.
  auto own = c.Prepare(
      "SELECT id, status, ifnull(copy_id, 0) FROM holds WHERE record_id = ?1 AND patron_id = ?2"
      " AND status IN ('waiting','ready')");
  if (!own.ok()) return own.status();
  own->Bind(1, k.record_id).Bind(2, p.id);
  auto r = own->Step();
  if (!r.ok()) return r.status();
  if (*r) {
    const int64_t hold_id = own->Int(0), held_copy = own->Int(2);
    const bool ready = own->Text(1) == "ready";
    own->Reset();
    auto up = c.Prepare("UPDATE holds SET status = 'fulfilled', closed_at = ?2 WHERE id = ?1");
    if (!up.ok()) return up.status();
    SHIORI_RETURN_IF_ERROR(up->Bind(1, hold_id).Bind(2, today.ToString()).Run());
    lines.push_back("hold " + std::to_string(hold_id) + " fulfilled");
    if (ready && held_copy != k.id) {
      SHIORI_RETURN_IF_ERROR(ReleaseHeldCopy(c, held_copy, today, rules, lines));
    }
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  Append(log, lines);
  return Status::Ok();
}

Status Checkin(Connection& c, std::string_view barcode, const Date& today,
               const LibraryRules& rules, std::vector<std::string>* log) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  std::vector<std::string> lines;
  auto copy = CopyByBarcode(c, barcode);
  if (!copy.ok()) return copy.status();
  if (!copy->has_value()) return Status::NotFound("no copy with barcode " + std::string(barcode));
  const Copy& k = **copy;
  auto s = c.Prepare(
      "SELECT l.id, l.due_on, p.card FROM loans l JOIN patrons p ON p.id = l.patron_id"
      " WHERE l.copy_id = ?1 AND l.returned_on IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, k.id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::Conflict("copy " + k.barcode + " is not on loan (" + k.status + ")");
  const int64_t loan_id = s->Int(0);
  auto due = StoredDate(s->Text(1));
  if (!due.ok()) return due.status();
  const std::string card = s->Text(2);
  s->Reset();

  auto up = c.Prepare("UPDATE loans SET returned_on = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, loan_id).Bind(2, today.ToString()).Run());
  std::string line = "returned " + k.barcode + " " + Quoted(k.title) + " from card " + card;
  if (*due < today) line += ", " + std::to_string(today.Days() - due->Days()) + " days overdue";
  lines.push_back(std::move(line));
  SHIORI_RETURN_IF_ERROR(HandOver(c, k, today, rules, lines));
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  Append(log, lines);
  return Status::Ok();
}

Status PullForHold(Connection& c, std::string_view hold_id_or_barcode, const Date& today,
                   const LibraryRules& rules, std::vector<std::string>* log) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  std::vector<std::string> lines;
  const std::string arg(hold_id_or_barcode);
  auto copy = CopyByBarcode(c, arg);
  if (!copy.ok()) return copy.status();
  if (copy->has_value()) {
    const Copy& k = **copy;
    if (k.status != "shelf" && k.status != "missing") {
      return Status::Conflict("copy " + k.barcode + " is " + k.status + ", not on the shelf");
    }
    auto waits = HoldWaits(c, k.record_id);
    if (!waits.ok()) return waits.status();
    if (!*waits) return Status::Conflict("no hold waits for " + Quoted(k.title));
    if (k.status == "missing") lines.push_back(k.barcode + ": was marked missing, now found");
    SHIORI_RETURN_IF_ERROR(HandOver(c, k, today, rules, lines));
  } else {
    int64_t hold_id = 0;
    auto [p, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), hold_id);
    if (arg.empty() || ec != std::errc() || p != arg.data() + arg.size()) {
      return Status::NotFound("no copy or hold \"" + arg + "\"");
    }
    auto s = c.Prepare(
        "SELECT h.record_id, h.status, h.pickup_branch, r.title,"
        " (SELECT w.id FROM holds w WHERE w.record_id = h.record_id AND w.status = 'waiting'"
        "  ORDER BY w.seq LIMIT 1)"
        " FROM holds h JOIN records r ON r.id = h.record_id WHERE h.id = ?1");
    if (!s.ok()) return s.status();
    s->Bind(1, hold_id);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::NotFound("no copy or hold \"" + arg + "\"");
    const int64_t record_id = s->Int(0), first = s->Int(4);
    const std::string status = s->Text(1), pickup = s->Text(2), title = s->Text(3);
    s->Reset();
    if (status != "waiting")
      return Status::Conflict("hold " + arg + " is " + status + ", not waiting");
    if (first != hold_id) {
      return Status::Conflict("hold " + arg + " is not first in line for " + Quoted(title) +
                              ": hold " + std::to_string(first) + " is");
    }
    auto pick = c.Prepare(
        "SELECT id FROM copies WHERE record_id = ?1 AND status = 'shelf'"
        " ORDER BY branch = ?2 DESC, id LIMIT 1");
    if (!pick.ok()) return pick.status();
    pick->Bind(1, record_id).Bind(2, pickup);
    auto pr = pick->Step();
    if (!pr.ok()) return pr.status();
    if (!*pr) return Status::Conflict("no copy of " + Quoted(title) + " is on the shelf");
    const int64_t copy_id = pick->Int(0);
    pick->Reset();
    auto k = CopyById(c, copy_id);
    if (!k.ok()) return k.status();
    if (!k->has_value()) return Status::Io("copy vanished");
    lines.push_back("take " + (*k)->barcode + " from the shelf at " + (*k)->branch_name);
    SHIORI_RETURN_IF_ERROR(HandOver(c, **k, today, rules, lines));
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  Append(log, lines);
  return Status::Ok();
}

Status DailyRun(Connection& c, const Date& today, const LibraryRules& rules,
                std::vector<std::string>* log) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  std::vector<std::string> lines;
  struct Expired {
    int64_t hold_id, copy_id;
    std::string card, deadline;
  };
  std::vector<Expired> expired;
  {
    auto s = c.Prepare(
        "SELECT h.id, h.copy_id, p.card, h.pickup_deadline FROM holds h"
        " JOIN patrons p ON p.id = h.patron_id"
        " WHERE h.status = 'ready' AND h.pickup_deadline < ?1 ORDER BY h.pickup_deadline, h.seq");
    if (!s.ok()) return s.status();
    s->Bind(1, today.ToString());
    while (true) {
      auto r = s->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      expired.push_back({s->Int(0), s->Int(1), s->Text(2), s->Text(3)});
    }
  }
  auto up = c.Prepare("UPDATE holds SET status = 'expired', closed_at = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  for (const auto& e : expired) {
    up->Reset();
    SHIORI_RETURN_IF_ERROR(up->Bind(1, e.hold_id).Bind(2, today.ToString()).Run());
    lines.push_back("hold " + std::to_string(e.hold_id) + " (card " + e.card +
                    ") expired, not collected by " + e.deadline);
    SHIORI_RETURN_IF_ERROR(ReleaseHeldCopy(c, e.copy_id, today, rules, lines));
  }
  auto purge = c.Prepare("DELETE FROM hold_requests WHERE created_at < ?1");
  if (!purge.ok()) return purge.status();
  SHIORI_RETURN_IF_ERROR(purge->Bind(1, today.AddDays(-kRequestKeyDays).ToString()).Run());
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  Append(log, lines);
  return Status::Ok();
}

}  // namespace shiori::db
