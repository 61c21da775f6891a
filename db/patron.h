// Patron accounts (利用照会): staff records, password registration by name and
// phone, login with lockout, password changes, e-mail changes confirmed from
// the new mailbox, the failure counters behind the lockout, and Argon2id
// password hashing. Messages in a
// returned Status are Japanese sentences meant for the patron (UpsertPatron's
// too: its checks are the card application's), unless the code is Io (or a
// Busy from SQLite itself, whose message is English); UnlockCard, a staff
// command, answers in English. Passwords are never stored or logged in
// clear: only Argon2id strings.
// Thread-safety: as for the Connection passed in; the functions without one
// are thread-safe.
#ifndef SHIORI_DB_PATRON_H_
#define SHIORI_DB_PATRON_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "db/outbox.h"
#include "db/sqlite.h"

namespace shiori::db {

struct PasswordHashing {
  uint64_t ops_limit = 2;          // Argon2id passes
  uint64_t mem_limit = 19u << 20;  // bytes; Default: 19 MiB
};
// Argon2id in libsodium's string format (salt and parameters included). Io
// when libsodium cannot initialise or the hashing runs out of memory.
Result<std::string> HashPassword(std::string_view password, const PasswordHashing& p);
// True when `password` is the one `hash` was made from; false otherwise, also
// for a hash that cannot be read.
bool VerifyPassword(std::string_view hash, std::string_view password);

struct PatronRow {
  int64_t id = 0;
  std::string card, name_kana, phone, email, home_branch;  // as stored; "" for NULL
  std::string status;                                      // active | expired | blocked
  std::string block_reason;  // why staff blocked the card (BlockPatron); "" otherwise
  bool has_password = false;
};

// A patron as staff record it (the card application form).
struct PatronInput {
  std::string card;         // 4..16 ASCII digits, nothing else
  std::string name_kana;    // kana reading; checked with charset::NormalizeNameKana
  std::string phone;        // 6..15 digits, any hyphens, brackets, spaces
  std::string email;        // empty, or valid by ValidateEmail
  std::string home_branch;  // empty, or a code in the branches table
};

// Staff: adds the patron or, when the card number exists, updates name, phone,
// e-mail and home branch (status and password are kept). Checks: the card as
// above; the name non-empty and all katakana (ー included) after
// NormalizeNameKana; the phone 6..15 digits after NormalizeDigits (15: E.164);
// e-mail by ValidateEmail (full-width ASCII made half-width first); branch
// known. Text is stored trimmed (ASCII and ideographic spaces), otherwise as
// given. Staff's address is in force at once (the patron showed the card at
// the counter); one removed this way turns the patron's active mail holds to
// 'none', as RemoveEmail does. Invalid (Japanese message naming the field)
// when a check fails; Conflict (Japanese) for a number replaced by
// ReplaceCard (db/patron_admin.h), which is never given out again.
// REQUIRES: inside a transaction (an import wraps many).
Result<Upserted> UpsertPatron(Connection& c, const PatronInput& p);

// The patron with this card number (NormalizeDigits first), or nullopt. Only
// the current number: a replaced one finds nobody (see ReplacedCardOf).
Result<std::optional<PatronRow>> FindPatronByCard(Connection& c, std::string_view card);
// The patron with this id, or nullopt (for the logged-in patron's own pages).
Result<std::optional<PatronRow>> FindPatronById(Connection& c, int64_t patron_id);

struct PasswordPolicy {
  int min_length = 6;  // Default: 6 (the guide: 半角英数 6~8桁)
  int max_length = 8;  // Default: 8
};

// OK when `password` (already charset::NormalizePassword'ed) is only
// [A-Za-z0-9] and its length is within `p`. Otherwise Invalid with one
// sentence for every violation: "パスワードは半角英数字6〜8文字で入力してください。"
// (the numbers from `p`).
Status CheckPassword(std::string_view password, const PasswordPolicy& p);

// OK when `email` is an address we can send to: ASCII, exactly one '@', local
// part 1..64 characters of dot-atom text (RFC 5322 atext and dots; no quoted
// strings), domain <= 255 with at least one dot, labels 1..63 of letters,
// digits and inner hyphens, top label not all digits, whole <= 254 (RFC 5321).
// For the carrier domains docomo.ne.jp, ezweb.ne.jp, au.com, softbank.ne.jp,
// i.softbank.jp, ymobile.ne.jp and willcom.com (any case) the local part may
// also hold consecutive dots and end with a dot, as old phones allowed.
// Invalid with a Japanese message otherwise. Empty is Invalid too: callers
// treat "" as "no address" before asking.
Status ValidateEmail(std::string_view email);
// An e-mail address as typed on a phone, made comparable: full-width ASCII
// made half-width (ＡＢＣ＠ｅｘ...), spaces and ideographic spaces cut at
// both ends. What every e-mail field goes through before ValidateEmail; ""
// means no address.
std::string NormalizeEmailInput(std::string_view s);

// Failed identity checks allowed, and what follows (docs/security.md).
struct Throttle {
  int max_failures = 5;            // per key; also where a card's delay starts. Default: 5
  int64_t lock_seconds = 15 * 60;  // a key's lock. Default: 15 minutes
  int64_t card_delay_max_seconds = 60;    // longest wait a card imposes. Default: 60
  int source_max_failures = 30;           // per client address. Default: 30
  int64_t source_window_seconds = 10 * 60;  // ... within this time. Default: 10 minutes
};
// Throttling, shared by RegisterPassword, Login and ChangePassword. Failures
// are counted per card number (known or not) and per throttle key, separately
// for registration and for login, and per client address (`source_key`) for
// both together. Refused attempts are not counted. Three rules:
// - a key (the session or device trying) with max_failures failures is
//   refused for lock_seconds after its last failure, even with the right data
//   (the attacker's own session or device is what gets locked);
// - a card with more than max_failures failures makes every attempt on it,
//   from anywhere, wait 2, 4, 8 ... seconds (at most card_delay_max_seconds)
//   after its last failure: guessing one card slowly from many sessions stays
//   slow, and a stranger can keep its patron out for seconds, not minutes;
// - a client address with source_max_failures failures within
//   source_window_seconds is refused until that window after its last failure
//   (one guess each on many cards: password spraying). "" counts nothing.
// A card or key counter is forgotten lock_seconds after its last failure. A success clears the card's counter and takes as
// many failures off the key's counter as the card's held (the patron's own
// mistypes: she is not locked out of her own phone), leaving the failures on
// other cards there. Throttle keys are stored only as keyed BLAKE2b hashes.
// `throttle_key` is what identifies the client: the session id or the device
// key, NOT only the IP address (feature phones share their carrier's gateway
// addresses); "" counts nothing per key.

// 新規パスワード登録, also the reset for a forgotten password: when `card`,
// `name_kana` and `phone` match the patron's record (NormalizeDigits and
// NormalizeNameKana on both sides), stores the Argon2id hash of `password`
// (NormalizePassword'ed, then CheckPassword); ends every session of the
// patron (whoever knew the old password is logged out); settles the card's
// registration and login counters as a success (so a login lock ends too).
// It never changes the e-mail address (name and phone are known to others:
// a new address is taken only after a login, see RequestEmailChange).
// Returns, in this order of checks:
//   Invalid  the password breaks `pol` (CheckPassword's message; nothing counted);
//   Locked   the address, key or card holds the attempt back (the rules
//            above; the sentence says how many minutes or seconds);
//   Invalid  card, name or phone do not match, or the card is unknown (a
//            replaced number too): one fixed message that never says which
//            (kRegistrationMismatch); counted for the card and the key;
//   Conflict they match but the card is blocked (kCardBlocked) or expired
//            (the same sentences as Login's): the status is told only to
//            whoever proved name and phone; nothing counted, nothing written;
//   Locked   the notice to the patron's address is past `limits`
//            (kNoticeLimitMessage): nothing registered.
// The decision and its writes are one transaction; the hash is computed before
// it when a read shows the data matches, so the write lock is not held while
// hashing and wrong data costs no hashing. REQUIRES: no transaction open on `c`.
Status RegisterPassword(Connection& c, std::string_view card, std::string_view name_kana,
                        std::string_view phone, std::string_view password,
                        std::string_view throttle_key, const PasswordPolicy& pol,
                        const PasswordHashing& h, const Throttle& t, int64_t now,
                        std::string_view device_class = "", const NoticeLimits& limits = {},
                        std::string_view source_key = "");
extern const char kRegistrationMismatch[];
// Registration and password change also queue a security notice in their
// transaction (password_registered / password_changed, with `device_class`)
// to the address on file at that moment, when there is one; the e-mail
// changes below queue theirs. Past `limits` (QueueNotice) the change is
// refused with Locked and not made.

// Login with card number and password (NormalizeDigits / NormalizePassword
// first). Returns the patron id. Errors:
//   Locked    the address, key or card holds the attempt back (as above);
//   Invalid   unknown card (a replaced number too), no password registered
//             yet, or a wrong password: one message, kLoginMismatch
//             "カード番号またはパスワードが違います。";
//   Conflict  right password but the card is blocked (kCardBlocked) or
//             expired: a sentence telling the patron to see the counter.
// Every attempt is counted as a failure for the card and the key before the
// password is verified, in its own short transaction, so parallel guesses
// cannot pass the limit; a right password then settles the counters as a
// success. Verifying (Argon2id) runs outside any transaction; an unknown card
// is verified against a dummy hash, so it answers no faster than a known one.
// REQUIRES: no transaction open on `c`.
Result<int64_t> Login(Connection& c, std::string_view card, std::string_view password,
                      std::string_view throttle_key, const Throttle& t, int64_t now,
                      std::string_view source_key = "");
extern const char kLoginMismatch[];
// "このカードは現在ご利用いただけません。お近くの図書館のカウンターにお問い合わせください。"
extern const char kCardBlocked[];

// Password change by a logged-in patron: `current` must verify (a wrong one is
// Invalid "現在のパスワードが違います。" and counts as a login failure for the
// card; Locked while the card is locked, so a stolen session cannot guess it),
// `next` must pass `pol` (both NormalizePassword'ed). On success the new hash
// is stored and every session of the patron except `keep_session_id` is
// deleted, in one transaction; Conflict if the password changed meanwhile,
// NotFound for an unknown patron. REQUIRES: no transaction open on `c`.
Status ChangePassword(Connection& c, int64_t patron_id, std::string_view current,
                      std::string_view next, int64_t keep_session_id, const PasswordPolicy& pol,
                      const PasswordHashing& h, const Throttle& t, int64_t now,
                      std::string_view device_class = "", const NoticeLimits& limits = {});

// ---------------------------------------------------------------- e-mail changes
// A new address is in force only once confirmed from its mailbox: the
// patron asks for it (RequestEmailChange, which queues an email_confirm
// notice with a link holding a random code to the new address), then opens
// the link and confirms while logged in (ConfirmEmailChange). Until then the
// address on file stays, and so do the holds' mail notices. Only the hash of
// the code is kept with the change (the outbox row keeps the code until the
// mail has gone). Removing the address is at once (RemoveEmail).

// An address waiting for its confirmation.
struct EmailChange {
  std::string address;     // the new address
  int64_t expires_at = 0;  // unix seconds
};

// Starts changing the patron's address to `email` (NormalizeEmailInput, then
// ValidateEmail): replaces any change waiting (its code stops working) and
// queues the confirmation to the new address, with a code from `random`
// valid `valid_s` seconds. Returns the change. Invalid (Japanese) for an
// empty, malformed or unchanged address; NotFound for an unknown patron;
// Locked past `limits` (nothing written). One transaction.
// REQUIRES: no transaction open on `c`.
Result<EmailChange> RequestEmailChange(Connection& c, int64_t patron_id, std::string_view email,
                                       Random& random, int64_t now, int64_t valid_s,
                                       const NoticeLimits& limits);

// The change waiting for the patron's confirmation at `now`, or nullopt.
Result<std::optional<EmailChange>> PendingEmailChange(Connection& c, int64_t patron_id,
                                                      int64_t now);

// The change `code` confirms for the patron at `now` (read only, for the
// confirmation page), or nullopt: no such code, another patron's, replaced,
// used or expired.
Result<std::optional<EmailChange>> FindEmailChange(Connection& c, int64_t patron_id,
                                                   std::string_view code, int64_t now);
extern const char kEmailCodeUnusable[];

// Confirms the change `code` stands for: the new address becomes the
// patron's, the code is used up, and the old address (if any) is told
// (email_changed). Returns the new address. Conflict (kEmailCodeUnusable)
// when FindEmailChange would give nullopt; Locked past `limits`. One
// transaction. REQUIRES: no transaction open on `c`.
Result<std::string> ConfirmEmailChange(Connection& c, int64_t patron_id, std::string_view code,
                                       int64_t now, const NoticeLimits& limits);

// Removes the patron's address at once, drops a change waiting, tells the
// old address (email_changed), and turns the patron's holds with contact
// 'mail' that are 'waiting' or 'ready' into contact 'none' (連絡不要: the
// patron sees the hold on the page or at the counter; we do not guess a
// phone call was wanted). Returns how many holds changed (0 and nothing
// queued when there was no address). NotFound for an unknown patron; Locked
// past `limits` (nothing changed). One transaction.
// REQUIRES: no transaction open on `c`.
Result<int> RemoveEmail(Connection& c, int64_t patron_id, int64_t now, const NoticeLimits& limits);

// How many of the patron's holds with contact 'mail' are 'waiting' or 'ready':
// what RemoveEmail would change, for the warning before removal.
Result<int> MailHoldCount(Connection& c, int64_t patron_id);

// Staff: forgets the failed logins and password registrations counted
// against card `card` (typed as staff type it), so a locked card works
// again at once, also from the patron's own device: the failures a device
// counted up to now no longer lock this card (they still count for other
// cards; one more failure from that device locks it again). NotFound when no
// patron has the card; returns how many card counters went. One transaction.
Result<int> UnlockCard(Connection& c, std::string_view card, int64_t now);

// Deletes failure counters forgotten at `now` (older than t.lock_seconds);
// returns how many. The daily job (`shiori circ daily`) runs it.
Result<int> PurgeAuthFailures(Connection& c, const Throttle& t, int64_t now);

}  // namespace shiori::db

#endif  // SHIORI_DB_PATRON_H_
