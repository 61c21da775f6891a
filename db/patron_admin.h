// The back office's patron administration (利用者): finding patrons, the card
// application and the 変更届, blocking and unblocking a card, and replacing a
// lost one. The counter's pages and the staff commands call these same
// functions. Each function that writes is one BEGIN IMMEDIATE transaction,
// committed whole or not at all. Refusals carry a Japanese sentence for the
// staff at the counter (Invalid for bad input, NotFound, Conflict for a
// state that forbids it); SQLite's own failures are Io or Busy in English.
// Only the current number of a card works anywhere; a replaced number is
// kept in `replaced_cards` and refused for good (docs/security.md, "Blocked
// and replaced cards").
// REQUIRES for all: `c` migrated (14 or later), no transaction open on it.
// Thread-safety: as for the Connection passed in.
#ifndef SHIORI_DB_PATRON_ADMIN_H_
#define SHIORI_DB_PATRON_ADMIN_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/patron.h"
#include "db/sqlite.h"

namespace shiori::db {

// "このカードは再発行済みです。": what the counter says of a replaced number.
extern const char kCardReplaced[];
// "このカード番号の利用者はいません。"
extern const char kNoSuchCard[];

// The most rows FindPatrons gives. Default limit.
inline constexpr int kPatronFindLimit = 50;

struct PatronMatches {
  std::vector<PatronRow> rows;  // by reading (Japanese collation of the kana), then card
  bool more = false;            // more patrons matched than `limit`: type more of the name
};

// Staff's search. A query holding a digit is a card number: NormalizeDigits,
// then the patron whose current card it is exactly (0 or 1 row; a replaced
// number finds nobody, ask ReplacedCardOf). Any other query is the start of
// a name in kana: NormalizeNameKana on both sides (hiragana, half-width,
// small kana and spaces do not matter), prefix match. At most `limit` rows
// (clamped to 1..kPatronFindLimit). Invalid (Japanese) for an empty query, a
// card number that cannot be one, or a name that is not kana. The name
// search reads and normalises every patron (names are stored as typed, so no
// index can serve it): `patron find イ` over 30,000 patrons took 0.4 s in
// the Debug sanitizer build, process start included.
Result<PatronMatches> FindPatrons(Connection& c, std::string_view query,
                                  int limit = kPatronFindLimit);

// The patron who holds card `card` now (NormalizeDigits first), for a card
// handed over the counter. NotFound kCardReplaced for a replaced number,
// NotFound kNoSuchCard for any other unknown number.
Result<PatronRow> CardHolder(Connection& c, std::string_view card);

// The card application (利用者登録): a new patron, active, no password yet,
// with UpsertPatron's checks (db/patron.h) and their messages. Returns the
// new id. Conflict "カード番号はすでに登録されています。" for a card in use;
// Conflict "カード番号は再発行済みの旧番号のため使えません。" for a replaced number.
Result<int64_t> RegisterPatron(Connection& c, const PatronInput& p);

// The 変更届: name, phone, e-mail and home branch of patron `patron_id`, with
// UpsertPatron's checks; staff's address is in force at once, and one removed
// turns the patron's active mail holds to 'none' (as UpsertPatron). The card
// is not changed here: `p.card` is "" or the patron's current number, else
// Invalid (a lost card is replaced with ReplaceCard). NotFound for an unknown
// id. Status, password and sessions are kept.
Status ChangePatron(Connection& c, int64_t patron_id, const PatronInput& p);

// 利用停止: blocks the patron's card with `reason` (required; trimmed with
// charset::Trim; at most kBlockReasonMax characters; valid UTF-8 without
// control characters, line breaks included) and ends every session of the
// patron. A blocked card cannot log in or register a password (Login,
// RegisterPassword: Conflict kCardBlocked, told only to whoever proved who
// she is), reserve (PlaceHolds) or borrow (Checkout). Invalid for the
// reason; NotFound for an unknown id; Conflict when the card is already
// blocked (unblock first to change the reason) or expired.
inline constexpr size_t kBlockReasonMax = 200;
Status BlockPatron(Connection& c, int64_t patron_id, std::string_view reason);

// 利用停止の解除: the card is active again and its reason is cleared.
// NotFound for an unknown id; Conflict when the card is not blocked.
Status UnblockPatron(Connection& c, int64_t patron_id);

// 再発行 of a lost card: the patron holding `old_card` (NormalizeDigits) now
// holds `new_card` (4..16 ASCII digits once trimmed, as UpsertPatron takes a
// card). The patron keeps its id, so loans, holds, password, e-mail, status
// and history follow; the old number goes into `replaced_cards` at `now`
// (unix seconds) and stops working everywhere (login and registration give
// their one mismatch message, UpsertPatron, patron import, RegisterPatron and
// ReplaceCard refuse it, FindPatronByCard finds nobody); every session of the
// patron ends. The old number's failure counters stay where they are.
// Returns the patron id. Invalid for a malformed new number or the same
// number; NotFound kCardReplaced when `old_card` was replaced already,
// NotFound kNoSuchCard for another unknown number; Conflict when the new
// number is in use or was replaced.
Result<int64_t> ReplaceCard(Connection& c, std::string_view old_card, std::string_view new_card,
                            int64_t now);

struct ReplacedCard {
  std::string card;         // the old number, digits
  int64_t patron_id = 0;    // the patron who had it (who now holds another card)
  int64_t replaced_at = 0;  // unix seconds
};
// The replacement of number `card` (NormalizeDigits first), or nullopt when
// it was never replaced: what lets staff tools say 「このカードは再発行済みです」.
Result<std::optional<ReplacedCard>> ReplacedCardOf(Connection& c, std::string_view card);

}  // namespace shiori::db

#endif  // SHIORI_DB_PATRON_ADMIN_H_
