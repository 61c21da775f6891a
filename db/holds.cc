// The patron's holds: placing them from the cart (with the request key that
// makes a repeated request answer as the first did), cancelling them, and
// changing their pickup branch or contact; one transaction each. The
// contract, and which messages are Japanese, is in db/circ.h.
#include <algorithm>
#include <charconv>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "db/circ.h"
#include "db/circ_internal.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

using detail::ReleaseHeldCopy;
using detail::ScalarInt;

const char kHoldNotFound[] = "この予約は見つかりません。";
const char kHoldEnded[] = "この予約はすでに終了しています。";
const char kBadContact[] = "連絡方法を選んでください。";
const char kNoMailAddress[] =
    "メールアドレスが登録されていないため、連絡方法にメールは選べません。"
    "Eメールアドレスの変更から登録してください。";

bool ValidContact(std::string_view c) { return c == "mail" || c == "phone" || c == "none"; }

// ---------------------------------------------------------------- holds

struct HoldRow {
  int64_t id = 0, record_id = 0, copy_id = 0;  // copy_id 0: none
  std::string status, pickup_branch, contact;
};

// The patron's hold `hold_id`, or nullopt when there is none or it is another patron's.
Result<std::optional<HoldRow>> PatronHold(Connection& c, int64_t patron_id, int64_t hold_id) {
  auto s = c.Prepare(
      "SELECT id, record_id, ifnull(copy_id, 0), status, pickup_branch, contact FROM holds"
      " WHERE id = ?1 AND patron_id = ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, hold_id).Bind(2, patron_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<HoldRow>();
  return std::optional<HoldRow>(
      HoldRow{s->Int(0), s->Int(1), s->Int(2), s->Text(3), s->Text(4), s->Text(5)});
}

std::string PlacedMessage(int position, bool available_now) {
  std::string m = "予約しました。予約順位は" + std::to_string(position) + "番です。";
  m += available_now ? "資料は貸出されていないため、数日でご用意できます。"
                     : "資料が返却されしだい、予約順にご用意します。";
  return m;
}

// Stored results: one line per title, "record_id TAB outcome TAB position TAB
// available(0|1) TAB message". Messages are ours and hold no tab or newline.
std::string EncodeResults(const std::vector<HoldResult>& v) {
  std::string out;
  for (const auto& r : v) {
    out += std::to_string(r.record_id) + '\t' + std::to_string(static_cast<int>(r.outcome)) + '\t' +
           std::to_string(r.position) + '\t' + (r.available_now ? '1' : '0') + '\t' + r.message +
           '\n';
  }
  return out;
}

Result<std::vector<HoldResult>> DecodeResults(std::string_view text) {
  std::vector<HoldResult> out;
  const Status bad = Status::Io("hold_requests: unreadable stored results");
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) return bad;
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl + 1);
    int64_t fields[4];
    for (int64_t& f : fields) {
      const size_t tab = line.find('\t');
      if (tab == std::string_view::npos) return bad;
      auto [p, ec] = std::from_chars(line.data(), line.data() + tab, f);
      if (ec != std::errc() || p != line.data() + tab) return bad;
      line.remove_prefix(tab + 1);
    }
    if (fields[1] < 0 || fields[1] > static_cast<int64_t>(HoldOutcome::kNotLendable)) return bad;
    HoldResult r;
    r.record_id = fields[0];
    r.outcome = static_cast<HoldOutcome>(fields[1]);
    r.position = static_cast<int>(fields[2]);
    r.available_now = fields[3] != 0;
    r.message = std::string(line);
    out.push_back(std::move(r));
  }
  return out;
}

// The patron's holds waiting or ready, all titles.
Result<int> ActiveHolds(Connection& c, int64_t patron_id) {
  auto count = c.Prepare(
      "SELECT count(*) FROM holds WHERE patron_id = ?1 AND status IN ('waiting','ready')");
  if (!count.ok()) return count.status();
  count->Bind(1, patron_id);
  auto n = ScalarInt(*count);
  if (!n.ok()) return n.status();
  return static_cast<int>(*n);
}

// Writes a waiting hold on an allowed title and fills in `res` (position,
// available now, message). `on_shelf` counts the title's copies on the shelf.
using Placer = std::function<Status(int64_t record_id, int64_t on_shelf, HoldResult& res)>;

// Judges the titles of one request in order, by MayReserve on the facts read
// here: a title allowed counts towards the limit of the titles after it, and
// a title listed again is already held. `place` (null: judge only) writes
// each allowed title's hold. One result per entry of `record_ids`.
Result<std::vector<HoldResult>> JudgeTitles(Connection& c, int64_t patron_id,
                                            const std::vector<int64_t>& record_ids,
                                            const LibraryRules& rules, const Placer& place) {
  auto active = ActiveHolds(c, patron_id);
  if (!active.ok()) return active.status();
  auto s = c.Prepare(
      "SELECT (SELECT count(*) FROM copies WHERE record_id = ?1 AND status <> 'missing'"
      "         AND in_library = 0),"
      " (SELECT count(*) FROM copies WHERE record_id = ?1 AND status = 'shelf'"
      "         AND in_library = 0),"
      " EXISTS (SELECT 1 FROM holds WHERE record_id = ?1 AND patron_id = ?2"
      "         AND status IN ('waiting','ready')),"
      " EXISTS (SELECT 1 FROM loans l JOIN copies k ON k.id = l.copy_id"
      "         WHERE k.record_id = ?1 AND l.patron_id = ?2 AND l.returned_on IS NULL)");
  if (!s.ok()) return s.status();
  std::vector<HoldResult> results;
  std::vector<int64_t> allowed;
  for (int64_t record_id : record_ids) {
    s->Reset();
    s->Bind(1, record_id).Bind(2, patron_id);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    const int64_t lendable = s->Int(0), on_shelf = s->Int(1);
    const bool again = std::find(allowed.begin(), allowed.end(), record_id) != allowed.end();
    const bool reserved = s->Int(2) != 0 || again, on_loan = s->Int(3) != 0;
    s->Reset();
    HoldResult res;
    res.record_id = record_id;
    const HoldVerdict verdict =
        MayReserve(HoldFacts{static_cast<int>(lendable), reserved, on_loan, *active}, rules);
    switch (verdict) {
      case HoldVerdict::kAllowed:
        res.outcome = HoldOutcome::kPlaced;
        if (place) SHIORI_RETURN_IF_ERROR(place(record_id, on_shelf, res));
        ++*active;
        allowed.push_back(record_id);
        break;
      case HoldVerdict::kNotLendable:
        res.outcome = HoldOutcome::kNotLendable;
        break;
      case HoldVerdict::kAlreadyHeld:
        res.outcome = HoldOutcome::kAlreadyReserved;
        break;
      case HoldVerdict::kOnLoan:
        res.outcome = HoldOutcome::kAlreadyOnLoan;
        break;
      case HoldVerdict::kLimitReached:
        res.outcome = HoldOutcome::kLimitReached;
        break;
    }
    if (verdict != HoldVerdict::kAllowed) res.message = HoldRefusal(verdict, rules);
    results.push_back(std::move(res));
  }
  return results;
}

}  // namespace

Result<std::vector<HoldResult>> PlaceHolds(Connection& c, int64_t patron_id,
                                           const std::vector<int64_t>& record_ids,
                                           const std::string& pickup_branch,
                                           const std::string& contact,
                                           const std::string& request_key,
                                           const LibraryRules& rules, const std::string& now_iso) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  // A key seen before answers as it did, whatever changed since.
  if (!request_key.empty()) {
    auto s =
        c.Prepare("SELECT results FROM hold_requests WHERE patron_id = ?1 AND request_key = ?2");
    if (!s.ok()) return s.status();
    s->Bind(1, patron_id).Bind(2, request_key);
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (*r) return DecodeResults(s->Text(0));
  }
  if (record_ids.empty()) return Status::Invalid("予約する資料がありません。");
  if (!rules.FindBranch(pickup_branch)) return Status::Invalid("受取館を選んでください。");
  if (!ValidContact(contact)) return Status::Invalid(kBadContact);
  auto patron = FindPatronById(c, patron_id);
  if (!patron.ok()) return patron.status();
  if (!patron->has_value()) return Status::NotFound("利用者が見つかりません。");
  if ((*patron)->status != "active") {
    return Status::Conflict(
        "この利用者カードでは現在予約できません。図書館のカウンターにお問い合わせください。");
  }
  if (contact == "mail" && (*patron)->email.empty()) return Status::Invalid(kNoMailAddress);

  // seq from one place, inside the IMMEDIATE transaction: concurrent
  // reservations queue one after the other.
  auto ins = c.Prepare(
      "INSERT INTO holds(seq, record_id, patron_id, pickup_branch, contact, status, placed_at)"
      " VALUES((SELECT ifnull(max(seq), 0) + 1 FROM holds), ?1, ?2, ?3, ?4, 'waiting', ?5)");
  if (!ins.ok()) return ins.status();
  auto pos = c.Prepare(
      "SELECT count(*) FROM holds w WHERE w.record_id = ?1 AND w.status = 'waiting'"
      " AND w.copy_id IS NULL AND w.seq <= (SELECT seq FROM holds WHERE id = ?2)");
  if (!pos.ok()) return pos.status();
  auto place = [&](int64_t record_id, int64_t on_shelf, HoldResult& res) -> Status {
    ins->Reset();
    SHIORI_RETURN_IF_ERROR(ins->Bind(1, record_id)
                               .Bind(2, patron_id)
                               .Bind(3, pickup_branch)
                               .Bind(4, contact)
                               .Bind(5, now_iso)
                               .Run());
    pos->Reset();
    pos->Bind(1, record_id).Bind(2, c.LastInsertId());
    auto n = ScalarInt(*pos);
    if (!n.ok()) return n.status();
    res.position = static_cast<int>(*n);
    res.available_now = on_shelf >= *n;
    res.message = PlacedMessage(res.position, res.available_now);
    return Status::Ok();
  };
  auto judged = JudgeTitles(c, patron_id, record_ids, rules, place);
  if (!judged.ok()) return judged.status();
  std::vector<HoldResult> results = std::move(judged).value();
  if (!request_key.empty()) {
    auto keep = c.Prepare(
        "INSERT INTO hold_requests(patron_id, request_key, results, created_at) "
        "VALUES(?1,?2,?3,?4)");
    if (!keep.ok()) return keep.status();
    SHIORI_RETURN_IF_ERROR(keep->Bind(1, patron_id)
                               .Bind(2, request_key)
                               .Bind(3, EncodeResults(results))
                               .Bind(4, now_iso)
                               .Run());
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return results;
}

Result<std::vector<HoldResult>> CheckHolds(Connection& c, int64_t patron_id,
                                           const std::vector<int64_t>& record_ids,
                                           const LibraryRules& rules) {
  return JudgeTitles(c, patron_id, record_ids, rules, nullptr);
}

Status CancelHold(Connection& c, int64_t patron_id, int64_t hold_id, const Date& today,
                  const LibraryRules& rules, CancelledBy by) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto h = PatronHold(c, patron_id, hold_id);
  if (!h.ok()) return h.status();
  if (!h->has_value()) return Status::NotFound(kHoldNotFound);
  const HoldRow& hold = **h;
  if (hold.status != "waiting" && hold.status != "ready") return Status::Conflict(kHoldEnded);
  auto up = c.Prepare("UPDATE holds SET status = 'cancelled', closed_at = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, hold_id).Bind(2, today.ToString()).Run());
  if (hold.status == "ready" && hold.copy_id != 0) {
    CounterResult unused;  // the copy's new status tells staff
    SHIORI_RETURN_IF_ERROR(
        ReleaseHeldCopy(c, hold.copy_id, hold.pickup_branch, today, rules, unused));
  }
  if (by == CancelledBy::kStaff && hold.contact == "mail") {
    auto p = FindPatronById(c, patron_id);
    if (!p.ok()) return p.status();
    if (p->has_value() && !(*p)->email.empty()) {
      auto ins = c.Prepare(
          "INSERT INTO outbox(kind, patron_id, hold_id) VALUES('hold_cancelled', ?1, ?2)");
      if (!ins.ok()) return ins.status();
      SHIORI_RETURN_IF_ERROR(ins->Bind(1, patron_id).Bind(2, hold_id).Run());
    }
  }
  return tx.Commit();
}

Status ChangeHoldBranch(Connection& c, int64_t patron_id, int64_t hold_id,
                        const std::string& branch) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto b = c.Prepare("SELECT EXISTS (SELECT 1 FROM branches WHERE code = ?1)");
  if (!b.ok()) return b.status();
  b->Bind(1, branch);
  auto known = ScalarInt(*b);
  if (!known.ok()) return known.status();
  if (*known == 0) return Status::Invalid("受取館を選んでください。");
  auto h = PatronHold(c, patron_id, hold_id);
  if (!h.ok()) return h.status();
  if (!h->has_value()) return Status::NotFound(kHoldNotFound);
  if ((*h)->status == "ready") {
    return Status::Conflict(
        "準備ができた予約の受取場所は変更できません。図書館にお問い合わせください。");
  }
  if ((*h)->status != "waiting") return Status::Conflict(kHoldEnded);
  if ((*h)->copy_id != 0) {
    return Status::Conflict(
        "資料がすでに受取館へ向かっているため、受取館は変更できません。図書館にお問い合わせください"
        "。");
  }
  auto up = c.Prepare("UPDATE holds SET pickup_branch = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, hold_id).Bind(2, branch).Run());
  return tx.Commit();
}

Status ChangeHoldContact(Connection& c, int64_t patron_id, int64_t hold_id,
                         const std::string& contact) {
  if (!ValidContact(contact)) return Status::Invalid(kBadContact);
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto h = PatronHold(c, patron_id, hold_id);
  if (!h.ok()) return h.status();
  if (!h->has_value()) return Status::NotFound(kHoldNotFound);
  if ((*h)->status != "waiting" && (*h)->status != "ready") return Status::Conflict(kHoldEnded);
  if (contact == "mail") {
    auto p = FindPatronById(c, patron_id);
    if (!p.ok()) return p.status();
    if (!p->has_value() || (*p)->email.empty()) return Status::Invalid(kNoMailAddress);
  }
  auto up = c.Prepare("UPDATE holds SET contact = ?2 WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, hold_id).Bind(2, contact).Run());
  return tx.Commit();
}

}  // namespace shiori::db
