// Circulation: the lists of a patron's loans and holds, and the operations
// that change them: holds placed from the cart, cancelled and changed,
// renewals, and the staff's counter work (checkout, checkin, pulling a copy
// for a hold, the daily run). The contract of every operation, and which
// messages are Japanese, is at "circulation" below.
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
  std::string title, volume;
  std::string due_on;  // YYYY-MM-DD
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
  int position = 0;                // waiting: 1 = next in line for the title
  std::string ready_on, deadline;  // ready: set aside on, collect by (YYYY-MM-DD)
};
// The patron's holds waiting (予約中) or ready for pickup (予約確保), in the order placed.
Result<std::vector<HoldLine>> PatronHolds(Connection& c, int64_t patron_id, bool ready);

// ---------------------------------------------------------------- circulation
// Holds (db/holds.cc), renewals and the staff's counter work (db/circ.cc).
// Every function is one BEGIN IMMEDIATE transaction: it is committed whole or
// not at all, and concurrent callers (server threads, staff commands) are
// serialised by SQLite. REQUIRES for all: `c` is migrated, its branches
// synced, and no transaction is open on it. Dates are the library's civil
// dates; closed_at and ready_on are stored as YYYY-MM-DD.
//
// Messages: functions a patron calls (PlaceHolds, CancelHold, ChangeHold*,
// RenewLoan) return Japanese sentences for the patron in a refused Status
// (Invalid, NotFound, Conflict). Staff functions (Checkout, Checkin,
// PullForHold, DailyRun) answer in English, one line. Busy and Io keep
// SQLite's English message everywhere.
//
// Copy hand-over: when a copy comes free for a title (returned, pulled from
// the shelf, its ready hold cancelled or expired), the first waiting hold on
// the title in order placed (seq) gets it: status ready, ready_on today,
// pickup_deadline = PickupDeadline(pickup branch's closed days, today,
// rules.pickup_open_days), the copy 'held' when it belongs to the pickup
// branch and 'transit' otherwise, and an outbox row ('hold_ready') when the
// hold's contact is mail. Simplification: a copy in transit makes its hold
// ready at once, the deadline counted from the day it was sent, not from its
// arrival; nothing records the arrival yet. With no hold waiting the copy
// goes back to 'shelf'.

enum class HoldOutcome {
  kPlaced,           // a new waiting hold
  kAlreadyReserved,  // the patron already has a waiting or ready hold on the title
  kAlreadyOnLoan,    // the patron has a copy of the title on loan
  kLimitReached,     // the patron's waiting + ready holds reached rules.max_holds
  kNotLendable,      // no such title, or it has no copy other than 'missing' ones
};

struct HoldResult {
  int64_t record_id = 0;
  HoldOutcome outcome = HoldOutcome::kNotLendable;
  int position = 0;            // kPlaced: place in the title's queue of waiting holds (1 = next)
  std::string message;         // Japanese, one sentence or two, for the result line
  bool available_now = false;  // kPlaced: enough copies on the shelf for the queue up to
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

// Patron (Japanese): cancels the patron's own waiting or ready hold (status
// cancelled, closed_at today). A ready hold's copy is handed over as above.
// NotFound when the hold is not the patron's; Conflict when it has ended.
Status CancelHold(Connection& c, int64_t patron_id, int64_t hold_id, const Date& today,
                  const LibraryRules& rules);

// Patron (Japanese): moves a waiting hold to another pickup branch (a code in
// the branches table). Invalid for an unknown branch; Conflict once the hold
// is ready (the copy is already set aside at a branch); NotFound as above.
Status ChangeHoldBranch(Connection& c, int64_t patron_id, int64_t hold_id,
                        const std::string& branch);

// Patron (Japanese): sets the contact (mail | phone | none) of a waiting or
// ready hold. Invalid for a bad contact or mail without an e-mail address;
// Conflict when the hold has ended; NotFound as above. A notice already
// queued is not withdrawn.
Status ChangeHoldContact(Connection& c, int64_t patron_id, int64_t hold_id,
                         const std::string& contact);

// Patron (Japanese), 延長: renews the patron's open loan; returns the new due
// date, today + rules.loan_days. Conflict, in this order of checks, when the
// loan is overdue (due before today), another patron's hold waits for the
// title, renewals >= rules.max_renewals, or the new due date would not be
// later than the current one. NotFound when the loan is not the patron's or
// is returned.
Result<Date> RenewLoan(Connection& c, int64_t patron_id, int64_t loan_id, const Date& today,
                       const LibraryRules& rules);

// Staff (English), `circ checkout`: lends the copy `barcode` to the patron
// with card `card` (digits normalised), due today + rules.loan_days. Refused
// (Conflict) when the card is not active, the copy is on loan, or it is set
// aside for another patron's ready hold. A copy on the shelf may be lent even
// when others wait for the title (the guide: 準備前に貸出される場合があります);
// a 'missing' copy in hand is lent and noted. The patron's own waiting or
// ready hold on the title is fulfilled (status fulfilled, closed_at today);
// if that ready hold had another copy set aside, that copy is handed over.
// NotFound for an unknown card or barcode. `log` (may be null) gets one line
// per change, only when the transaction committed.
Status Checkout(Connection& c, std::string_view card, std::string_view barcode, const Date& today,
                const LibraryRules& rules, std::vector<std::string>* log);

// Staff (English), `circ checkin`: closes the open loan of copy `barcode`
// (returned_on today) and hands the copy over. NotFound for an unknown
// barcode; Conflict when the copy is not on loan. `log` as for Checkout; it
// says where the copy goes (the hold, "send to 野田図書館", the phone number to
// call, or back to the shelf).
Status Checkin(Connection& c, std::string_view barcode, const Date& today,
               const LibraryRules& rules, std::vector<std::string>* log);

// Staff (English), `circ ready`: staff found a copy on the shelf for a
// waiting hold. `hold_id_or_barcode` is first looked up as a copy barcode: that
// copy ('shelf', or 'missing' and now found) goes to the first waiting hold on
// its title. Otherwise it is read as a hold id: the hold must be the first
// waiting one on its title, and gets a copy on the shelf, one at its pickup
// branch preferred. Conflict when no hold waits, the hold is not first, or no
// copy is on the shelf; NotFound when neither a copy nor a hold matches.
Status PullForHold(Connection& c, std::string_view hold_id_or_barcode, const Date& today,
                   const LibraryRules& rules, std::vector<std::string>* log);

// Staff (English), `circ daily`: expires every ready hold whose
// pickup_deadline is before today (status expired, closed_at today) and hands
// its copy over, so the next hold's deadline counts from today; forgets
// reservation request keys older than two days. Running it again the same day
// changes nothing. `log` as for Checkout.
Status DailyRun(Connection& c, const Date& today, const LibraryRules& rules,
                std::vector<std::string>* log);

}  // namespace shiori::db

#endif  // SHIORI_DB_CIRC_H_
