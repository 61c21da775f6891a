// Circulation: the lists of a patron's loans and holds, and the operations
// that change them: holds placed from the cart, cancelled and changed,
// renewals, and the staff's counter work (checkout, checkin, transit,
// pulling a copy for a hold, calls, the daily run) with the lists staff work
// from. The contract of every operation is at "circulation" below.
#ifndef SHIORI_DB_CIRC_H_
#define SHIORI_DB_CIRC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {

// ---------------------------------------------------------------- lists
// Read only (db/circulation.cc): what a patron has out and waits for.

struct LoanLine {
  int64_t loan_id = 0;
  std::string title, volume, barcode;
  std::string due_on;          // YYYY-MM-DD
  std::string loaned_on;       // YYYY-MM-DD
  std::string branch_name;     // the copy's own branch (所蔵館)
  std::string lending_branch;  // the branch code that lent it, whose closed days a renewal skips
  int renewals = 0;
  bool reserved = false;  // another patron waits for this title (予約あり)
  bool overdue = false;   // due before today (延滞)
};
// The patron's open loans, earliest due first.
Result<std::vector<LoanLine>> PatronLoans(Connection& c, int64_t patron_id, const Date& today);

struct HoldLine {
  int64_t hold_id = 0;
  std::string title, volume, branch_code, branch_name;
  std::string contact;             // mail | phone | none
  int position = 0;                // waiting: 1 = next in line for the title; 0 in transit
  bool in_transit = false;         // waiting: a copy is on its way to the pickup branch (回送中)
  std::string ready_on, deadline;  // ready: set aside on, collect by (YYYY-MM-DD)
  std::string placed_on;           // YYYY-MM-DD, local time as the pages show dates
  std::string authors;             // the record's authors, joined by ・
};
// The patron's holds waiting (予約中) or ready for pickup (予約確保), in the order placed.
Result<std::vector<HoldLine>> PatronHolds(Connection& c, int64_t patron_id, bool ready);

// ---------------------------------------------------------------- circulation
// Holds (db/holds.cc), renewals and the staff's counter work (db/circ.cc).
// Every function that changes something is one BEGIN IMMEDIATE transaction:
// it is committed whole or not at all, and concurrent callers (server
// threads, staff pages, staff commands) are serialised by SQLite. REQUIRES
// for all: `c` is migrated, its branches synced, and no transaction is open
// on it. Dates are the library's civil dates, stored as YYYY-MM-DD.
//
// Messages: every refusal (Invalid, NotFound, Conflict) is a Japanese
// sentence; the patron's functions speak to the patron, the staff's to the
// librarian. Busy and Io keep SQLite's English message.
//
// Where a copy is: on the shelf of its own branch ('shelf'), lent ('loan'),
// on the hold shelf of a ready hold's pickup branch ('held'), in the van to
// copies.transit_to ('transit'), or not found ('missing'). A copy for use in
// the library only (館内のみ, copies.in_library) is never lent, never given
// to a hold and not counted as lendable for one.
//
// Copy hand-over: when a copy comes free at a branch (returned there, pulled
// from its shelf, received there from the van, its ready hold cancelled or
// expired there), the first waiting hold on the title in order placed (seq)
// that has no copy travelling to it gets it:
// - its pickup branch is here: the hold is ready now (ready_on today,
//   pickup_deadline = PickupDeadline(pickup branch's closed days, today,
//   rules.pickup_open_days)), the copy 'held', and an outbox row
//   ('hold_ready') when the hold's contact is mail (取置);
// - elsewhere: the copy goes 'transit' to the pickup branch and the hold
//   stays 'waiting' with copy_id set (回送): it is not ready, nobody is told,
//   and no other copy is given to it. Receiving the copy there makes it ready
//   then, the deadline counted from that day;
// - no hold waits, or the copy is for use in the library only: back to the
//   shelf when here is the copy's own branch, otherwise 'transit' home
//   (配架 / 回送).

// Where a copy that came free goes (the counter's outcome for it).
struct CopyFate {
  enum class Kind {
    kShelf,      // 配架: back on the shelf here
    kHoldReady,  // 取置: set aside here for a ready hold
    kTransit,    // 回送: send to `branch` (for a hold, or home when hold_id is 0)
  };
  Kind kind = Kind::kShelf;
  std::string branch, branch_name;  // kShelf: here; kHoldReady: pickup; kTransit: destination
  int64_t hold_id = 0;              // the hold the copy goes to, 0: none
  std::string card;                 // the hold's patron's card number
  std::string deadline;             // kHoldReady: collect by, YYYY-MM-DD
  std::string contact;              // the hold's contact: mail | phone | none
  std::string phone;                // the hold's patron's phone number
  bool mail_queued = false;         // kHoldReady: a hold_ready notice was queued
};

// The copy a counter operation handled.
struct CounterCopy {
  std::string barcode, title, volume, call_number;
  std::string branch, branch_name;  // the copy's own branch
};

// What a counter operation did. `lines` says it in Japanese, one line per
// change, for the staff command and the audit's detail.
struct CounterResult {
  CounterCopy copy;
  std::string card;             // checkout: the borrower; checkin: who returned it
  std::string due_on;           // checkout: YYYY-MM-DD
  int overdue_days = 0;         // checkin: days past due when returned
  bool was_missing = false;     // the copy was marked missing and is in hand now
  int64_t fulfilled_hold = 0;   // checkout: the borrower's own hold it served
  std::vector<CopyFate> fates;  // checkin, receive, pull: where the copy goes; checkout:
                                // where a copy released by the fulfilled hold goes
  std::vector<std::string> lines;
};

enum class HoldOutcome {
  kPlaced,           // a new waiting hold
  kAlreadyReserved,  // the patron already has a waiting or ready hold on the title
  kAlreadyOnLoan,    // the patron has a copy of the title on loan
  kLimitReached,     // the patron's waiting + ready holds reached rules.max_holds
  kNotLendable,      // no such title, or no copy but 'missing' or 館内のみ ones
};

struct HoldResult {
  int64_t record_id = 0;
  HoldOutcome outcome = HoldOutcome::kNotLendable;
  int position = 0;            // kPlaced: place in the title's queue of waiting holds (1 = next)
  std::string message;         // Japanese, one sentence or two, for the result line
  bool available_now = false;  // kPlaced: enough lendable copies on the shelf for the queue up to
                               // this hold: ready in a few days (数日でご用意できます)
};

// Reserves the titles of a cart for one patron, each title on its own, in one
// transaction; returns one result per entry of `record_ids`, in order (a
// title listed twice is kAlreadyReserved the second time). Checks per title,
// in this order: not lendable, already reserved, already on loan, limit.
// New holds get seq = max(seq) + 1 inside the transaction, so concurrent
// reservations queue one after the other and never share a position.
// `contact` is mail | phone | none; mail needs the patron's e-mail address.
// `request_key` is the confirmation form's token: the first call with a key
// stores its results, and any later call by the same patron with that key
// returns those results and changes nothing (back button, double tap), even
// if the cart differs. "" stores nothing (not idempotent). Keys are kept two
// days (DailyRun forgets older ones). `now_iso` (ISO 8601) is stored as
// placed_at. Refusals of the whole request (Japanese): Invalid for an empty
// cart, an unknown pickup branch, a bad contact, mail without an address;
// NotFound for an unknown patron; Conflict for a card that is not active.
Result<std::vector<HoldResult>> PlaceHolds(Connection& c, int64_t patron_id,
                                           const std::vector<int64_t>& record_ids,
                                           const std::string& pickup_branch,
                                           const std::string& contact,
                                           const std::string& request_key,
                                           const LibraryRules& rules, const std::string& now_iso);

// What PlaceHolds would answer for each title now, by the same rules and in
// the same order, without placing anything: kPlaced for a title that would
// be placed (position 0, no message), else the refusal with its message.
// The request's own checks (branch, contact, the card's status) are not
// made. Reads only; REQUIRES nothing of `c` beyond the section's note.
Result<std::vector<HoldResult>> CheckHolds(Connection& c, int64_t patron_id,
                                           const std::vector<int64_t>& record_ids,
                                           const LibraryRules& rules);

// Who cancels a hold: the patron online, or staff at the counter on the
// patron's request (then a patron whose hold's contact is mail is told by
// a 'hold_cancelled' notice).
enum class CancelledBy { kPatron, kStaff };

// Cancels the patron's own waiting or ready hold (status cancelled, closed_at
// today). A ready hold's copy is handed over at its pickup branch; a copy
// travelling to a waiting hold goes on and is handed over where it arrives.
// NotFound when the hold is not the patron's; Conflict when it has ended.
Status CancelHold(Connection& c, int64_t patron_id, int64_t hold_id, const Date& today,
                  const LibraryRules& rules, CancelledBy by = CancelledBy::kPatron);

// Patron (Japanese): moves a waiting hold to another pickup branch (a code in
// the branches table). Invalid for an unknown branch; Conflict once the hold
// is ready or a copy travels to it (the copy is set aside or on its way);
// NotFound as above.
Status ChangeHoldBranch(Connection& c, int64_t patron_id, int64_t hold_id,
                        const std::string& branch);

// Patron (Japanese): sets the contact (mail | phone | none) of a waiting or
// ready hold. Invalid for a bad contact or mail without an e-mail address;
// Conflict when the hold has ended; NotFound as above. A notice already
// queued is not withdrawn.
Status ChangeHoldContact(Connection& c, int64_t patron_id, int64_t hold_id,
                         const std::string& contact);

// 延長, online and at the counter: renews the patron's open loan; returns the
// new due date, DueDate(today) at the loan's lending branch. Conflict, in
// this order of checks, when the loan is overdue (due before today), another
// patron's hold waits for the title, renewals >= rules.max_renewals, or the
// new due date would not be later than the current one. NotFound when the
// loan is not the patron's or is returned.
Result<Date> RenewLoan(Connection& c, int64_t patron_id, int64_t loan_id, const Date& today,
                       const LibraryRules& rules);

// The counter functions below work at branch `branch` (the staff session's);
// "" (the staff command without --branch) means the copy's own branch (for
// ReceiveTransit, its destination).

// 貸出 at `branch`: lends the copy `barcode` to the patron with card `card`
// (digits normalised), due DueDate(today) at `branch`. Refused (Conflict)
// when the card is blocked, expired or replaced by a new one, the copy is
// for use in the library only (館内のみ), on loan, in transit, set aside
// for another patron's hold, or set aside or on the shelf at another branch
// (not here). A copy on the shelf here may be
// lent even when others wait for the title (the guide: 準備前に貸出される
// 場合があります); a 'missing' copy in hand is lent and noted. The
// patron's own waiting or ready hold on the title is fulfilled (status
// fulfilled, closed_at today); if that ready hold had another copy set
// aside, that copy is handed over at the hold's pickup branch. NotFound for
// an unknown card or barcode, Invalid for an unknown branch.
Result<CounterResult> Checkout(Connection& c, std::string_view card, std::string_view barcode,
                               const std::string& branch, const Date& today,
                               const LibraryRules& rules);

// 返却 at `branch`: closes the open loan of copy `barcode` (returned_on
// today) and hands the copy over here (one fate). NotFound for an unknown
// barcode; Conflict when the copy is not on loan; Invalid for an unknown
// branch.
Result<CounterResult> Checkin(Connection& c, std::string_view barcode, const std::string& branch,
                              const Date& today, const LibraryRules& rules);

// 回送受入 at `branch`: the copy in transit arrived. If a waiting hold has it
// travelling to it and this is the hold's pickup branch, the hold is ready
// now (deadline from today, notice queued now); otherwise the copy is handed
// over here. Conflict when the copy is not in transit, or is going to
// another branch (the message names it: send it on); NotFound as above.
Result<CounterResult> ReceiveTransit(Connection& c, std::string_view barcode,
                                     const std::string& branch, const Date& today,
                                     const LibraryRules& rules);

// 確保 on the pull list at `branch`: staff took copy `barcode` from this
// branch's shelf (or found a copy marked missing) for the waiting holds; it
// is handed over here. Conflict when the copy is not on the shelf here, is
// for use in the library only, or no hold waits for the title; NotFound as
// above.
Result<CounterResult> PullForHold(Connection& c, std::string_view barcode,
                                  const std::string& branch, const Date& today,
                                  const LibraryRules& rules);

// 見つからない on the pull list: copy `barcode`, on the shelf at `branch`, was
// not found; it is marked 'missing' (holds keep waiting; another copy takes
// its line). Conflict when the copy is not on the shelf here.
Result<CounterResult> MarkMissing(Connection& c, std::string_view barcode,
                                  const std::string& branch, const LibraryRules& rules);

// `circ daily`: expires every ready hold whose pickup_deadline is before
// today (status expired, closed_at today) and hands its copy over at the
// pickup branch, so the next hold's deadline counts from today; forgets
// reservation request keys older than two days. With `branch` not empty,
// only the holds to be picked up there (取置棚's button). Running it again
// the same day changes nothing. Returns one Japanese line per change.
Result<std::vector<std::string>> DailyRun(Connection& c, const Date& today,
                                          const LibraryRules& rules,
                                          const std::string& branch = "");

// 延長 at the counter, on the patron's request: the open loan of copy
// `barcode`, renewed by RenewLoan's rules. Conflict when the copy is not on
// loan; RenewLoan's refusals otherwise.
struct CounterRenewal {
  CounterCopy copy;
  std::string card;    // the borrower
  std::string due_on;  // the new due date, YYYY-MM-DD
};
Result<CounterRenewal> RenewAtCounter(Connection& c, std::string_view barcode, const Date& today,
                                      const LibraryRules& rules);

// 予約取消 at the counter, on the patron's request: CancelHold by staff for
// the hold's own patron. NotFound for an unknown hold.
Status CancelHoldAtCounter(Connection& c, int64_t hold_id, const Date& today,
                           const LibraryRules& rules);

// 電話連絡: records a call about a ready hold: reached (連絡済, the hold
// leaves the phone list) or not (不在, an attempt with its time). NotFound
// when the hold is not ready. `staff` is who called (the audit's name).
Status RecordCall(Connection& c, int64_t hold_id, bool reached, std::string_view staff,
                  int64_t now);

// ---------------------------------------------------------------- staff lists
// Read only (db/counter_lists.cc): what staff at a branch act on.

// 予約資料の準備: a waiting hold that a copy on this branch's shelf can fill,
// oldest hold first. Per title, as many of its first waiting holds (without a
// copy travelling to them) as this branch has lendable copies on the shelf
// (not 館内のみ); a hold whose pickup branch has one on its own shelf is
// listed only there.
struct PullLine {
  int64_t hold_id = 0;
  std::string title, volume, call_number, barcode;  // the copy to take (this branch's)
  std::string pickup_branch, pickup_name, placed_at;
};
Result<std::vector<PullLine>> PullList(Connection& c, const std::string& branch);

// 回送受入待ち: copies in transit to this branch.
struct TransitLine {
  std::string barcode, title, volume;
  std::string from_branch_name;  // the copy's own branch
  int64_t hold_id = 0;           // the hold it travels to, 0: coming home
  std::string card;              // that hold's patron
};
Result<std::vector<TransitLine>> TransitsTo(Connection& c, const std::string& branch);

// 取置棚: ready holds to be picked up here, earliest deadline first;
// `expired` when the deadline is before today (circ daily will expire them).
struct ShelfLine {
  int64_t hold_id = 0;
  std::string title, volume, barcode, card, name_kana, contact, phone;
  std::string ready_on, deadline;
  bool expired = false;
};
Result<std::vector<ShelfLine>> HoldShelf(Connection& c, const std::string& branch,
                                         const Date& today);

// 電話連絡: ready holds to be picked up here that someone must phone about,
// and nobody has reached yet: contact 電話, or mail whose notice failed for
// good (or that the patron has no address for). Contact 連絡不要 never.
struct CallLine {
  int64_t hold_id = 0;
  std::string title, volume, card, name_kana, phone, deadline;
  bool mail_failed = false;     // contact mail, the notice could not be sent
  int attempts = 0;             // calls without an answer (不在)
  int64_t last_attempt_at = 0;  // unix seconds, 0: none
};
Result<std::vector<CallLine>> PhoneList(Connection& c, const std::string& branch);

// 延滞: open loans lent here (or, lent before the lending branch was
// recorded, of copies of here) due before today, longest overdue first.
struct OverdueLine {
  std::string title, volume, barcode, card, name_kana, phone, due_on;
  int days = 0;  // days past due
};
Result<std::vector<OverdueLine>> OverdueLoans(Connection& c, const std::string& branch,
                                              const Date& today);

// The dashboard's counts at a branch.
struct BranchCounts {
  int pull = 0;           // PullList
  int transit_in = 0;     // TransitsTo
  int calls = 0;          // PhoneList
  int expired = 0;        // ready holds here past their deadline
  int overdue_loans = 0;  // open loans lent here (or of copies of here), due before today
};
Result<BranchCounts> CountsAt(Connection& c, const std::string& branch, const Date& today);

}  // namespace shiori::db

#endif  // SHIORI_DB_CIRC_H_
