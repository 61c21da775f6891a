// Circulation at the counter and the loans: the hand-over of a copy that
// comes free at a branch, renewals, and the staff's checkout, checkin,
// transit, pull-for-hold, calls and daily run; one transaction each. The
// patron's hold operations are in holds.cc, the lists staff work from in
// counter_lists.cc. The contract is in db/circ.h.
#include "db/circ.h"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "charset/charset.h"
#include "db/circ_internal.h"
#include "db/patron.h"
#include "db/patron_admin.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

using detail::ReleaseHeldCopy;
using detail::ScalarInt;

// Reservation request keys are kept this many days (back button, double tap).
constexpr int kRequestKeyDays = 2;

// A copy for use in the library only, scanned to be lent or set aside.
constexpr char kInLibraryOnly[] = "この資料は館内でのご利用のみです（貸出できません）。";

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
  std::string barcode, branch, branch_name, status, title, volume, call_number, transit_to;
  bool in_library = false;  // for use in the library only (館内のみ)
};

constexpr char kCopySelect[] =
    "SELECT k.id, k.record_id, k.barcode, k.branch, b.name, k.status, r.title,"
    " ifnull(r.volume,''), ifnull(k.call_number,''), ifnull(k.transit_to,''), k.in_library"
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
  k.volume = s.Text(7);
  k.call_number = s.Text(8);
  k.transit_to = s.Text(9);
  k.in_library = s.Int(10) != 0;
  return std::optional<Copy>(std::move(k));
}

Result<std::optional<Copy>> CopyById(Connection& c, int64_t id) {
  auto s = c.Prepare(std::string(kCopySelect) + "WHERE k.id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  return ReadCopy(*s);
}

// The copy `barcode` (spaces around it cut, as a scanner may add), or a
// NotFound for the librarian.
Result<Copy> CopyByBarcode(Connection& c, std::string_view barcode) {
  const std::string code(charset::Trim(barcode));
  auto s = c.Prepare(std::string(kCopySelect) + "WHERE k.barcode = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, code);
  auto k = ReadCopy(*s);
  if (!k.ok()) return k.status();
  if (!k->has_value()) {
    return Status::NotFound(code.empty() ? "バーコードを入力してください。"
                                         : "バーコード " + code + " の資料はありません。");
  }
  return std::move(**k);
}

CounterCopy CounterCopyOf(const Copy& k) {
  return CounterCopy{k.barcode, k.title, k.volume, k.call_number, k.branch, k.branch_name};
}

std::string BranchName(const LibraryRules& rules, const std::string& code) {
  const Branch* b = rules.FindBranch(code);
  return b ? b->name : code;
}

// The branch staff work at, or Invalid.
Result<const Branch*> WorkBranch(const LibraryRules& rules, const std::string& code) {
  const Branch* b = rules.FindBranch(code);
  if (!b) return Status::Invalid("作業する館 " + code + " は設定にありません。");
  return b;
}

// A card number as lists show it: its last four digits.
// (The same notation as the pages' pages::CardTail: "……1234".)
std::string CardTail(const std::string& card) {
  return "……" + card.substr(card.size() > 4 ? card.size() - 4 : 0);
}

// How staff name a copy's state.
std::string StatusJa(const std::string& status) {
  if (status == "shelf") return "在架";
  if (status == "loan") return "貸出中";
  if (status == "transit") return "回送中";
  if (status == "held") return "取置中";
  if (status == "missing") return "所在不明";
  return status;
}

Status SetCopy(Connection& c, int64_t copy_id, const char* status, const std::string& transit_to) {
  auto s = c.Prepare("UPDATE copies SET status = ?2, transit_to = ?3 WHERE id = ?1");
  if (!s.ok()) return s.status();
  std::optional<std::string> to;
  if (!transit_to.empty()) to = transit_to;
  return s->Bind(1, copy_id).Bind(2, status).Bind(3, to).Run();
}

// Whether a waiting hold without a copy on its way wants the title.
Result<bool> HoldWaits(Connection& c, int64_t record_id) {
  auto s = c.Prepare(
      "SELECT EXISTS (SELECT 1 FROM holds WHERE record_id = ?1 AND status = 'waiting'"
      " AND copy_id IS NULL)");
  if (!s.ok()) return s.status();
  s->Bind(1, record_id);
  auto n = ScalarInt(*s);
  if (!n.ok()) return n.status();
  return *n != 0;
}

struct WaitingHold {
  int64_t id = 0, patron_id = 0;
  std::string pickup, contact, card, phone, email;
};

constexpr char kHoldSelect[] =
    "SELECT h.id, h.patron_id, h.pickup_branch, h.contact, p.card, p.phone, ifnull(p.email,'')"
    " FROM holds h JOIN patrons p ON p.id = h.patron_id ";

Result<std::optional<WaitingHold>> ReadHold(Stmt& s) {
  auto r = s.Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<WaitingHold>();
  WaitingHold h{s.Int(0), s.Int(1), s.Text(2), s.Text(3), s.Text(4), s.Text(5), s.Text(6)};
  s.Reset();
  return std::optional<WaitingHold>(std::move(h));
}

// The hold is ready now at its pickup branch, where copy `k` is: deadline
// from today, the copy on the hold shelf, the notice queued (取置).
Status MakeReady(Connection& c, const Copy& k, const WaitingHold& h, const Date& today,
                 const LibraryRules& rules, CounterResult& out) {
  ClosedDays closed;  // a branch missing from the configuration: every day counts
  if (const Branch* b = rules.FindBranch(h.pickup)) closed = b->closed;
  const Date deadline = PickupDeadline(closed, today, rules.pickup_open_days);
  auto up = c.Prepare(
      "UPDATE holds SET status = 'ready', copy_id = ?2, ready_on = ?3, pickup_deadline = ?4"
      " WHERE id = ?1 AND status = 'waiting'");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(
      up->Bind(1, h.id).Bind(2, k.id).Bind(3, today.ToString()).Bind(4, deadline.ToString()).Run());
  SHIORI_RETURN_IF_ERROR(SetCopy(c, k.id, "held", ""));
  CopyFate f;
  f.kind = CopyFate::Kind::kHoldReady;
  f.branch = h.pickup;
  f.branch_name = BranchName(rules, h.pickup);
  f.hold_id = h.id;
  f.card = h.card;
  f.deadline = deadline.ToString();
  f.contact = h.contact;
  f.phone = h.phone;
  std::string line = "取置: " + k.barcode + " " + Quoted(k.title) + " 予約" + std::to_string(h.id) +
                     "（カード" + CardTail(h.card) + "）" + f.branch_name + "で" +
                     deadline.ToString() + "まで。";
  if (h.contact == "mail" && !h.email.empty()) {
    auto ins =
        c.Prepare("INSERT INTO outbox(kind, patron_id, hold_id) VALUES('hold_ready', ?1, ?2)");
    if (!ins.ok()) return ins.status();
    SHIORI_RETURN_IF_ERROR(ins->Bind(1, h.patron_id).Bind(2, h.id).Run());
    f.mail_queued = true;
    line += "メールで連絡します。";
  } else if (h.contact == "mail") {
    line += "メールアドレスがないため電話で連絡してください: " + h.phone;
  } else if (h.contact == "phone") {
    line += "電話で連絡してください: " + h.phone;
  } else {
    line += "連絡不要。";
  }
  out.lines.push_back(std::move(line));
  out.fates.push_back(std::move(f));
  return Status::Ok();
}

// The hand-over described in db/circ.h, of copy `k`, free at branch `here`.
// A copy for use in the library only goes to no hold: to its shelf.
// REQUIRES: inside a transaction; the copy has no open loan and no ready hold.
Status HandOver(Connection& c, const Copy& k, const std::string& here, const Date& today,
                const LibraryRules& rules, CounterResult& out) {
  Result<std::optional<WaitingHold>> h = std::optional<WaitingHold>();
  if (!k.in_library) {
    auto s = c.Prepare(std::string(kHoldSelect) +
                       "WHERE h.record_id = ?1 AND h.status = 'waiting' AND h.copy_id IS NULL"
                       " ORDER BY h.seq LIMIT 1");
    if (!s.ok()) return s.status();
    s->Bind(1, k.record_id);
    h = ReadHold(*s);
  }
  if (!h.ok()) return h.status();
  if (h->has_value() && (*h)->pickup == here) return MakeReady(c, k, **h, today, rules, out);

  CopyFate f;
  if (h->has_value()) {  // 回送 to the hold's pickup branch; the hold is not ready yet
    const WaitingHold& w = **h;
    auto up = c.Prepare("UPDATE holds SET copy_id = ?2 WHERE id = ?1");
    if (!up.ok()) return up.status();
    SHIORI_RETURN_IF_ERROR(up->Bind(1, w.id).Bind(2, k.id).Run());
    SHIORI_RETURN_IF_ERROR(SetCopy(c, k.id, "transit", w.pickup));
    f.kind = CopyFate::Kind::kTransit;
    f.branch = w.pickup;
    f.hold_id = w.id;
    f.card = w.card;
    f.contact = w.contact;
    f.phone = w.phone;
  } else if (here == k.branch) {  // 配架
    SHIORI_RETURN_IF_ERROR(SetCopy(c, k.id, "shelf", ""));
    f.kind = CopyFate::Kind::kShelf;
    f.branch = here;
  } else {  // 回送 home
    SHIORI_RETURN_IF_ERROR(SetCopy(c, k.id, "transit", k.branch));
    f.kind = CopyFate::Kind::kTransit;
    f.branch = k.branch;
  }
  f.branch_name = BranchName(rules, f.branch);
  if (f.kind == CopyFate::Kind::kShelf) {
    out.lines.push_back("配架: " + k.barcode + " " + Quoted(k.title) + "を" + f.branch_name +
                        "の書架へ。");
  } else {
    out.lines.push_back(
        "回送: " + k.barcode + " " + Quoted(k.title) + "を" + f.branch_name + "へ送ってください（" +
        (f.hold_id ? "予約" + std::to_string(f.hold_id) + "、カード" + CardTail(f.card)
                   : std::string("所蔵館へ戻す")) +
        "）。");
  }
  out.fates.push_back(std::move(f));
  return Status::Ok();
}

// The start every scan at the counter shares, inside its transaction: the
// copy `barcode` (its line in `out`) and the branch it is handled at: `at`,
// or for "" the copy's destination when `destination` and it travels, else
// its own branch; Invalid for a branch the configuration does not know.
struct Scan {
  Copy copy;
  const Branch* here = nullptr;
};
Result<Scan> Scanned(Connection& c, std::string_view barcode, const std::string& at,
                     const LibraryRules& rules, CounterResult& out, bool destination = false) {
  auto copy = CopyByBarcode(c, barcode);
  if (!copy.ok()) return copy.status();
  out.copy = CounterCopyOf(*copy);
  const std::string code = !at.empty()                                ? at
                           : destination && !copy->transit_to.empty() ? copy->transit_to
                                                                      : copy->branch;
  auto work = WorkBranch(rules, code);
  if (!work.ok()) return work.status();
  return Scan{std::move(*copy), *work};
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

Status ReleaseHeldCopy(Connection& c, int64_t copy_id, const std::string& at, const Date& today,
                       const LibraryRules& rules, CounterResult& out) {
  auto copy = CopyById(c, copy_id);
  if (!copy.ok()) return copy.status();
  if (!copy->has_value())
    return Status::Io("hold names copy " + std::to_string(copy_id) + ", which does not exist");
  const Copy& k = **copy;
  if (k.status != "held") return Status::Ok();  // e.g. lent meanwhile
  return HandOver(c, k, at, today, rules, out);
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
      "         AND h.copy_id IS NULL AND h.patron_id <> l.patron_id),"
      " ifnull(l.branch, k.branch)"
      " FROM loans l JOIN copies k ON k.id = l.copy_id"
      " WHERE l.id = ?1 AND l.patron_id = ?2 AND l.returned_on IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, loan_id).Bind(2, patron_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::NotFound("この貸出は見つかりません。");
  auto due = StoredDate(s->Text(0));
  if (!due.ok()) return due.status();
  LoanFacts facts{*due, static_cast<int>(s->Int(1)), s->Int(2) != 0, {}};
  if (const Branch* b = rules.FindBranch(s->Text(3))) facts.closed = b->closed;
  s->Reset();

  auto renewed = Renewal(facts, today, rules);
  if (!renewed.ok()) return renewed.status();
  const Date next = *renewed;
  auto up = c.Prepare("UPDATE loans SET due_on = ?2, renewals = renewals + 1 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, loan_id).Bind(2, next.ToString()).Run());
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return next;
}

Result<CounterResult> Checkout(Connection& c, std::string_view card, std::string_view barcode,
                               const std::string& at, const Date& today,
                               const LibraryRules& rules) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  CounterResult out;
  auto patron = CardHolder(c, card);  // a replaced number: 「このカードは再発行済みです。」
  if (!patron.ok()) return patron.status();
  const PatronRow& p = *patron;
  if (p.status == "blocked") {
    return Status::Conflict("このカードは利用停止中のため貸出できません。");
  }
  if (p.status != "active") {
    return Status::Conflict("このカードは有効期限が切れているため貸出できません。");
  }
  auto scan = Scanned(c, barcode, at, rules, out);
  if (!scan.ok()) return scan.status();
  const Copy& k = scan->copy;
  const Branch* here = scan->here;
  const std::string& branch = here->code;
  out.card = p.card;
  if (k.in_library) return Status::Conflict(kInLibraryOnly);

  if (k.status == "loan") {
    auto s = c.Prepare(
        "SELECT p.card, l.due_on FROM loans l JOIN patrons p ON p.id = l.patron_id"
        " WHERE l.copy_id = ?1 AND l.returned_on IS NULL");
    if (!s.ok()) return s.status();
    s->Bind(1, k.id);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    return Status::Conflict(
        "この資料は貸出中です" +
        (*r ? "（カード" + CardTail(s->Text(0)) + "、返却期限 " + s->Text(1) + "）"
            : std::string()) +
        "。先に返却処理をしてください。");
  }
  if (k.status == "transit") {
    return Status::Conflict("この資料は" + BranchName(rules, k.transit_to) +
                            "へ回送中です。回送受入をしてから扱ってください。");
  }
  if (k.status == "held") {
    auto s = c.Prepare(
        "SELECT h.patron_id, p.card, h.pickup_deadline, h.pickup_branch FROM holds h"
        " JOIN patrons p ON p.id = h.patron_id WHERE h.copy_id = ?1 AND h.status = 'ready'");
    if (!s.ok()) return s.status();
    s->Bind(1, k.id);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (*r && s->Int(0) != p.id) {
      return Status::Conflict("この資料は他の利用者の予約の取置中です（カード" +
                              CardTail(s->Text(1)) + "、" + s->Text(2) + "まで）。");
    }
    if (*r && s->Text(3) != branch) {
      return Status::Conflict("この資料は" + BranchName(rules, s->Text(3)) +
                              "の取置棚にあります。" + here->name + "では貸出できません。");
    }
  }
  if (k.status == "shelf" && k.branch != branch) {
    return Status::Conflict("この資料は" + k.branch_name + "の書架の資料で、" + here->name +
                            "にはないはずです。" + k.branch_name + "へ回送してください。");
  }

  const Date due = DueDate(today, here->closed, rules);
  auto ins = c.Prepare(
      "INSERT INTO loans(copy_id, patron_id, loaned_on, due_on, branch) VALUES(?1,?2,?3,?4,?5)");
  if (!ins.ok()) return ins.status();
  SHIORI_RETURN_IF_ERROR(ins->Bind(1, k.id)
                             .Bind(2, p.id)
                             .Bind(3, today.ToString())
                             .Bind(4, due.ToString())
                             .Bind(5, branch)
                             .Run());
  SHIORI_RETURN_IF_ERROR(SetCopy(c, k.id, "loan", ""));
  out.due_on = due.ToString();
  out.lines.push_back("貸出: " + k.barcode + " " + Quoted(k.title) + " カード" + CardTail(p.card) +
                      "、返却期限 " + due.ToString());
  if (k.status == "missing") {
    out.was_missing = true;
    out.lines.push_back(k.barcode + ": 所在不明だった資料が見つかりました。");
  }

  // The patron's own hold on the title is served by this loan.
  auto own = c.Prepare(
      "SELECT id, status, ifnull(copy_id, 0), pickup_branch FROM holds"
      " WHERE record_id = ?1 AND patron_id = ?2 AND status IN ('waiting','ready')");
  if (!own.ok()) return own.status();
  own->Bind(1, k.record_id).Bind(2, p.id);
  auto r = own->Step();
  if (!r.ok()) return r.status();
  if (*r) {
    const int64_t hold_id = own->Int(0), held_copy = own->Int(2);
    const bool ready = own->Text(1) == "ready";
    const std::string pickup = own->Text(3);
    own->Reset();
    auto up = c.Prepare("UPDATE holds SET status = 'fulfilled', closed_at = ?2 WHERE id = ?1");
    if (!up.ok()) return up.status();
    SHIORI_RETURN_IF_ERROR(up->Bind(1, hold_id).Bind(2, today.ToString()).Run());
    out.fulfilled_hold = hold_id;
    out.lines.push_back("予約" + std::to_string(hold_id) + "はこの貸出で受取済みになりました。");
    if (ready && held_copy != k.id) {
      SHIORI_RETURN_IF_ERROR(ReleaseHeldCopy(c, held_copy, pickup, today, rules, out));
    }
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<CounterResult> Checkin(Connection& c, std::string_view barcode, const std::string& at,
                              const Date& today, const LibraryRules& rules) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  CounterResult out;
  auto scan = Scanned(c, barcode, at, rules, out);
  if (!scan.ok()) return scan.status();
  const Copy& k = scan->copy;
  const std::string& branch = scan->here->code;
  auto s = c.Prepare(
      "SELECT l.id, l.due_on, p.card FROM loans l JOIN patrons p ON p.id = l.patron_id"
      " WHERE l.copy_id = ?1 AND l.returned_on IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, k.id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) {
    return Status::Conflict("この資料は貸出中ではありません（" + StatusJa(k.status) +
                            (k.status == "transit" ? "。回送受入で受け入れてください" : "") +
                            "）。");
  }
  const int64_t loan_id = s->Int(0);
  auto due = StoredDate(s->Text(1));
  if (!due.ok()) return due.status();
  out.card = s->Text(2);
  s->Reset();

  auto up = c.Prepare("UPDATE loans SET returned_on = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, loan_id).Bind(2, today.ToString()).Run());
  std::string line = "返却: " + k.barcode + " " + Quoted(k.title) + " カード" + CardTail(out.card);
  if (*due < today) {
    out.overdue_days = static_cast<int>(today.Days() - due->Days());
    line += "、" + std::to_string(out.overdue_days) + "日延滞";
  }
  out.lines.push_back(std::move(line));
  SHIORI_RETURN_IF_ERROR(HandOver(c, k, branch, today, rules, out));
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<CounterResult> ReceiveTransit(Connection& c, std::string_view barcode, const std::string& at,
                                     const Date& today, const LibraryRules& rules) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  CounterResult out;
  auto scan = Scanned(c, barcode, at, rules, out, true);
  if (!scan.ok()) return scan.status();
  const Copy& k = scan->copy;
  const std::string& branch = scan->here->code;
  if (k.status != "transit") {
    return Status::Conflict("この資料は回送中ではありません（" + StatusJa(k.status) + "）。");
  }
  if (!k.transit_to.empty() && k.transit_to != branch) {
    const std::string to = BranchName(rules, k.transit_to);
    return Status::Conflict("この資料の回送先は" + to + "です。" + to + "へ送ってください。");
  }
  out.lines.push_back("回送受入: " + k.barcode + " " + Quoted(k.title) + "（" + scan->here->name +
                      "）");
  auto s = c.Prepare(std::string(kHoldSelect) +
                     "WHERE h.copy_id = ?1 AND h.status = 'waiting' ORDER BY h.seq LIMIT 1");
  if (!s.ok()) return s.status();
  s->Bind(1, k.id);
  auto h = ReadHold(*s);
  if (!h.ok()) return h.status();
  // A copy marked 館内のみ while it travelled (a catalogue import) is given
  // to no hold: the hold queues again for a copy that may be lent.
  if (h->has_value() && (*h)->pickup == branch && !k.in_library) {
    SHIORI_RETURN_IF_ERROR(MakeReady(c, k, **h, today, rules, out));
  } else {
    if (h->has_value()) {  // the hold no longer wants it here, or cannot have it: it queues again
      auto up = c.Prepare("UPDATE holds SET copy_id = NULL WHERE id = ?1");
      if (!up.ok()) return up.status();
      SHIORI_RETURN_IF_ERROR(up->Bind(1, (*h)->id).Run());
    }
    SHIORI_RETURN_IF_ERROR(HandOver(c, k, branch, today, rules, out));
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<CounterResult> PullForHold(Connection& c, std::string_view barcode, const std::string& at,
                                  const Date& today, const LibraryRules& rules) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  CounterResult out;
  auto scan = Scanned(c, barcode, at, rules, out);
  if (!scan.ok()) return scan.status();
  const Copy& k = scan->copy;
  const std::string& branch = scan->here->code;
  if (!(k.status == "missing" || (k.status == "shelf" && k.branch == branch))) {
    return Status::Conflict("この資料は" + scan->here->name + "の書架にありません（" +
                            StatusJa(k.status) + "、" + k.branch_name + "所蔵）。");
  }
  if (k.in_library) return Status::Conflict(kInLibraryOnly);
  auto waits = HoldWaits(c, k.record_id);
  if (!waits.ok()) return waits.status();
  if (!*waits) return Status::Conflict(Quoted(k.title) + "を待っている予約はありません。");
  if (k.status == "missing") {
    out.was_missing = true;
    out.lines.push_back(k.barcode + ": 所在不明だった資料が見つかりました。");
  }
  SHIORI_RETURN_IF_ERROR(HandOver(c, k, branch, today, rules, out));
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<CounterResult> MarkMissing(Connection& c, std::string_view barcode, const std::string& at,
                                  const LibraryRules& rules) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  CounterResult out;
  auto scan = Scanned(c, barcode, at, rules, out);
  if (!scan.ok()) return scan.status();
  const Copy& k = scan->copy;
  if (!(k.status == "shelf" && k.branch == scan->here->code)) {
    return Status::Conflict("この資料はこの館の書架の資料ではありません（" + StatusJa(k.status) +
                            "、" + k.branch_name + "所蔵）。");
  }
  SHIORI_RETURN_IF_ERROR(SetCopy(c, k.id, "missing", ""));
  out.lines.push_back("所在不明: " + k.barcode + " " + Quoted(k.title) + "（" + k.branch_name +
                      "）。予約は次の資料を待ちます。");
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return out;
}

Result<std::vector<std::string>> DailyRun(Connection& c, const Date& today,
                                          const LibraryRules& rules, const std::string& branch) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  CounterResult out;
  struct Expired {
    int64_t hold_id, copy_id;
    std::string card, deadline, pickup;
  };
  std::vector<Expired> expired;
  {
    auto s = c.Prepare(
        "SELECT h.id, h.copy_id, p.card, h.pickup_deadline, h.pickup_branch FROM holds h"
        " JOIN patrons p ON p.id = h.patron_id"
        " WHERE h.status = 'ready' AND h.pickup_deadline < ?1 AND (?2 = '' OR h.pickup_branch = ?2)"
        " ORDER BY h.pickup_deadline, h.seq");
    if (!s.ok()) return s.status();
    s->Bind(1, today.ToString()).Bind(2, branch);
    while (true) {
      auto r = s->Step();
      if (!r.ok()) return r.status();
      if (!*r) break;
      expired.push_back({s->Int(0), s->Int(1), s->Text(2), s->Text(3), s->Text(4)});
    }
  }
  auto up = c.Prepare("UPDATE holds SET status = 'expired', closed_at = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  for (const auto& e : expired) {
    up->Reset();
    SHIORI_RETURN_IF_ERROR(up->Bind(1, e.hold_id).Bind(2, today.ToString()).Run());
    out.lines.push_back("期限切れ: 予約" + std::to_string(e.hold_id) + "（カード" +
                        CardTail(e.card) + "）は" + e.deadline + "までに受け取られませんでした。");
    SHIORI_RETURN_IF_ERROR(ReleaseHeldCopy(c, e.copy_id, e.pickup, today, rules, out));
  }
  auto purge = c.Prepare("DELETE FROM hold_requests WHERE created_at < ?1");
  if (!purge.ok()) return purge.status();
  SHIORI_RETURN_IF_ERROR(purge->Bind(1, today.AddDays(-kRequestKeyDays).ToString()).Run());
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return std::move(out.lines);
}

Result<CounterRenewal> RenewAtCounter(Connection& c, std::string_view barcode, const Date& today,
                                      const LibraryRules& rules) {
  auto copy = CopyByBarcode(c, barcode);
  if (!copy.ok()) return copy.status();
  auto s = c.Prepare(
      "SELECT l.id, l.patron_id, p.card FROM loans l JOIN patrons p ON p.id = l.patron_id"
      " WHERE l.copy_id = ?1 AND l.returned_on IS NULL");
  if (!s.ok()) return s.status();
  s->Bind(1, copy->id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::Conflict("この資料は貸出中ではありません。");
  CounterRenewal out;
  out.copy = CounterCopyOf(*copy);
  const int64_t loan_id = s->Int(0), patron_id = s->Int(1);
  out.card = s->Text(2);
  s->Reset();
  // A return between the two reads makes RenewLoan answer NotFound.
  auto due = RenewLoan(c, patron_id, loan_id, today, rules);
  if (!due.ok()) return due.status();
  out.due_on = due->ToString();
  return out;
}

Status CancelHoldAtCounter(Connection& c, int64_t hold_id, const Date& today,
                           const LibraryRules& rules) {
  auto s = c.Prepare("SELECT patron_id FROM holds WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, hold_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::NotFound("予約" + std::to_string(hold_id) + "はありません。");
  const int64_t patron_id = s->Int(0);
  s->Reset();
  return CancelHold(c, patron_id, hold_id, today, rules, CancelledBy::kStaff);
}

Status RecordCall(Connection& c, int64_t hold_id, bool reached, std::string_view staff,
                  int64_t now) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto s = c.Prepare("SELECT EXISTS (SELECT 1 FROM holds WHERE id = ?1 AND status = 'ready')");
  if (!s.ok()) return s.status();
  s->Bind(1, hold_id);
  auto ready = ScalarInt(*s);
  if (!ready.ok()) return ready.status();
  if (!*ready) return Status::NotFound("この予約は取置中ではありません。");
  auto ins = c.Prepare("INSERT INTO hold_calls(hold_id, at, staff, outcome) VALUES(?1,?2,?3,?4)");
  if (!ins.ok()) return ins.status();
  SHIORI_RETURN_IF_ERROR(ins->Bind(1, hold_id)
                             .Bind(2, now)
                             .Bind(3, staff)
                             .Bind(4, reached ? "reached" : "no_answer")
                             .Run());
  return tx.Commit();
}

}  // namespace shiori::db
