// The mail outbox: notices waiting to be sent (db/outbox.cc; the sender is
// mail/mail.h). A row is written in the same transaction as the change it
// tells of (HandOver in db/circ.cc for hold_ready, QueueNotice for the
// others) and moves
//   pending -> sending -> sent | failed | skipped, or back to pending
// with a later next_try_at after a temporary failure. 'sending' is committed
// before SMTP is spoken, so a crash mid-send is seen afterwards. A claim
// belongs to one sender run (its token) from the time it was made: only that
// run records the row's outcome, and another run takes the row over only
// when the claim is older than any send can take (the sender died). Times
// are unix seconds from the caller's clock. Each function below other than
// QueueNotice and CancelPendingNotices is one statement (committed on
// return). REQUIRES for those: no transaction open on `c`. Errors are
// SQLite's own (Busy, Io; English) unless a function says otherwise.
#ifndef SHIORI_DB_OUTBOX_H_
#define SHIORI_DB_OUTBOX_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/sqlite.h"

namespace shiori::db {

struct OutboxRow {
  int64_t id = 0;
  // hold_ready | email_changed | email_confirm | password_registered | password_changed
  std::string kind;
  std::string status;  // pending | sending | sent | failed | skipped
  int64_t patron_id = 0;
  std::string card;               // the patron's card number
  int64_t hold_id = 0;            // 0: none
  std::string to_address;         // "": the patron's address when sending
  // email_changed: old | new; password_*: the device class; email_confirm:
  // the code of the confirmation link ("" once sent or given up)
  std::string detail;
  std::string created_at;         // ISO 8601 UTC
  int attempts = 0;               // claims so far
  int64_t first_try_at = 0;       // 0: not tried yet
  int64_t next_try_at = 0;        // pending: not before; 0: due now
  int64_t sending_at = 0;         // when the current (or last) claim was made
  std::string claim_token;        // the sender run holding the claim; "" when none
  int64_t sent_at = 0;            // 0: not sent
  bool resent_uncertain = false;  // already sent once more after a crash mid-send
  std::string message_id;         // kept over retries
  std::string last_error;         // why it failed or was retried; "" when none
};

// What a notice needs besides its row: the patron's current address and, for
// hold_ready, the hold as it is now.
struct NoticeData {
  OutboxRow row;
  std::string patron_email;  // "" when the patron has none
  std::string hold_status;   // hold_ready: waiting | ready | fulfilled | cancelled | expired
  std::string title, volume, branch_code, branch_name;  // hold_ready, hold_cancelled
  std::string deadline;                                 // hold_ready: YYYY-MM-DD
};

// How many notices patrons' own actions may queue (every kind but
// hold_ready, which staff's work queues and which is never limited nor
// counted), per rolling hour.
struct NoticeLimits {
  int per_patron_hour = 10;  // for one patron, whatever the addresses. Default: 10
  int per_address_hour = 5;  // to one address, whichever patrons. Default: 5
};
// The refusal past a limit, for the page that would have queued the notice.
extern const char kNoticeLimitMessage[];

// Queues a notice other than hold_ready (kind email_changed, email_confirm,
// password_registered or password_changed; Invalid otherwise) to
// `to_address`, which later changes of the patron's address do not move,
// created_at `now`. Each call counts one request for the patron and one for
// the address (any case) for an hour; when either already has its limit's
// worth in the last hour, Locked(kNoticeLimitMessage) and nothing is written
// (the caller's transaction, with the change it tells of, is to be rolled
// back). A notice of the same kind to the same address for the patron that
// is still pending is rewritten as this one instead of a second row; for
// email_confirm any pending one of the patron is (a patron has one code in
// force). REQUIRES: inside the caller's transaction, beside the change.
Status QueueNotice(Connection& c, std::string_view kind, int64_t patron_id,
                   std::string_view to_address, std::string_view detail, int64_t now,
                   const NoticeLimits& limits);

// The patron's pending notices of `kind` are skipped with `reason` and their
// detail erased (a confirmation no longer wanted). REQUIRES: inside the
// caller's transaction.
Status CancelPendingNotices(Connection& c, int64_t patron_id, std::string_view kind,
                            std::string_view reason);

// Ids of pending rows due at `now`, oldest first.
Result<std::vector<int64_t>> DueNotices(Connection& c, int64_t now);
// Rows in 'sending' whose claim was made before `claimed_before`: left by a
// sender that stopped mid-send.
Result<std::vector<OutboxRow>> AbandonedNotices(Connection& c, int64_t claimed_before);

// Marks pending row `id` 'sending' for sender run `token` at `now`, the time
// of this claim (attempts + 1, first_try_at set on the first claim,
// message_id set to `message_id` unless it has one). Returns the row's
// message id, or nullopt when the row is no longer pending (another sender
// took it).
Result<std::optional<std::string>> ClaimNotice(Connection& c, int64_t id, std::string_view token,
                                               int64_t now, std::string_view message_id);
// Takes over an abandoned row for `token` at `now` (`abandoned` as
// AbandonedNotices read it: its claim's time and token must still be the
// same): resent_uncertain set, attempts + 1. False when it changed meanwhile.
Result<bool> ReclaimNotice(Connection& c, const OutboxRow& abandoned, std::string_view token,
                           int64_t now);

// Row `id` with what the notice needs, or nullopt when there is no such row.
Result<std::optional<NoticeData>> LoadNotice(Connection& c, int64_t id);

// Outcomes of a row claimed by sender run `token`; Conflict when the row is
// not 'sending' under that token (another sender took it over), and then
// nothing changes. Sent, failed and skipped erase an email_confirm's code.
Status MarkNoticeSent(Connection& c, int64_t id, std::string_view token, int64_t now);
// `status` is failed or skipped; `reason` one line.
Status MarkNoticeDone(Connection& c, int64_t id, std::string_view token, std::string_view status,
                      std::string_view reason);
Status MarkNoticeRetry(Connection& c, int64_t id, std::string_view token, int64_t next_try_at,
                       std::string_view reason);

// For `shiori mail status`: rows pending, sending or failed, oldest first.
Result<std::vector<OutboxRow>> OutboxStatus(Connection& c);

// When the hold_ready notice of hold `hold_id` was last sent, as "12月1日 10:00"
// in the process's local time zone (TZ), or nullopt when none was sent; for
// 予約確保一覧 (通知メール送信済み ...).
Result<std::optional<std::string>> NoticeSentAt(Connection& c, int64_t hold_id);

}  // namespace shiori::db

#endif  // SHIORI_DB_OUTBOX_H_
