// The back office's accounts and records: staff accounts (職員), their login
// with lockout, their sessions (each working at a branch) and the audit of
// every staff action (操作記録). Tables of migration 14.
//
// Messages of a refusal (Invalid, NotFound, Conflict, Locked) are Japanese
// sentences for the staff member who asked, at the counter or at the
// command line; Io and Busy carry SQLite's own English for the log.
// Passwords are never stored or logged in clear: only Argon2id strings
// (HashPassword in db/patron.h). Session tokens are stored only as their hash,
// client addresses only as a keyed hash.
// Thread-safety: as for the Connection passed in.
#ifndef SHIORI_DB_STAFF_H_
#define SHIORI_DB_STAFF_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/patron.h"
#include "db/sqlite.h"

namespace shiori::db {

// ---------------------------------------------------------------- accounts

// The two roles: counter staff (カウンター) work at the counter; admins
// (管理者) also read the audit.
inline constexpr std::string_view kRoleCounter = "counter";
inline constexpr std::string_view kRoleAdmin = "admin";

struct StaffMember {
  int64_t id = 0;
  std::string login;  // lower-case ASCII, as NormalizeStaffLogin gives it
  std::string name;   // 氏名 as shown on every page
  std::string role;   // kRoleCounter | kRoleAdmin
  bool disabled = false;
  bool admin() const { return role == kRoleAdmin; }
};

// A staff password: at least kStaffPasswordMin and at most kStaffPasswordMax
// characters (code points, after charset::NormalizePassword), any characters
// but controls. Invalid with one Japanese sentence otherwise.
inline constexpr int kStaffPasswordMin = 10;
inline constexpr int kStaffPasswordMax = 128;
Status CheckStaffPassword(std::string_view password);

// A login (職員ID) as stored and compared: ASCII letters lower-cased, spaces
// at both ends cut (charset::Trim). Logins are 1..32 characters of a-z, 0-9,
// '.', '_' and '-', starting with a letter or digit.
std::string NormalizeStaffLogin(std::string_view login);

// `shiori staff add`: a new account. `login` is NormalizeStaffLogin'ed and
// checked, `name` trimmed (1..40 characters, no control characters), `role`
// one of the two, the password checked (CheckStaffPassword) and hashed with
// `h` before the write lock is taken. Returns the new id. Invalid (which
// field, Japanese) for a bad value; Conflict when the login exists (a
// disabled one too: logins are never reused, so the audit stays readable).
// One transaction. REQUIRES: no transaction open on `c`.
struct StaffInput {
  std::string login, name, role;
};
Result<int64_t> AddStaff(Connection& c, const StaffInput& in, std::string_view password,
                         const PasswordHashing& h, int64_t now);
// What AddStaff checks before the password, with the same answers: login,
// name, role, and that the login is free. The command line asks for the
// password only after it.
Status CheckNewStaff(Connection& c, const StaffInput& in);

// `shiori staff passwd`: a new password for `login` (checked and hashed as
// above). Ends every session of the account and forgets its failed logins,
// so the member logs in at once with the new password. NotFound for an
// unknown login. One transaction. REQUIRES: no transaction open on `c`.
Status SetStaffPassword(Connection& c, std::string_view login, std::string_view password,
                        const PasswordHashing& h, int64_t now);

// `shiori staff disable`: the account can no longer log in and its sessions
// end at once. Returns false when it was disabled already (nothing changed).
// NotFound for an unknown login. One transaction.
// REQUIRES: no transaction open on `c`.
Result<bool> DisableStaff(Connection& c, std::string_view login, int64_t now);

// The account with this login (NormalizeStaffLogin first), or nullopt.
Result<std::optional<StaffMember>> FindStaff(Connection& c, std::string_view login);
// The NotFound message of an unknown login ("その職員IDは登録されていません。").
extern const char kStaffUnknownLogin[];

// ---------------------------------------------------------------- login

// The staff login's throttle, counted in `staff_failures` under two keys:
//   "login:<login>"  every attempt on one login, known or not: after
//                    t.max_failures failures the login is refused for
//                    t.lock_seconds after the last one, even with the right
//                    password;
//   "source:<hash>"  every attempt from one client address: after
//                    t.source_max_failures failures within
//                    t.source_window_seconds, refused until that window has
//                    passed since the last one. The address is stored only
//                    as BLAKE2b keyed with `secret`.
// (t.card_delay_max_seconds is the patrons' and not used here.) Refused
// attempts are not counted; every other attempt is counted before its
// password is verified, so guesses in parallel cannot pass a limit; a success
// forgets the login's counter and takes as many failures off the address's.

// Logs `login` in with `password`. Returns the account. Errors:
//   Locked   the login or the address is held back (the sentence says for
//            how many minutes);
//   Invalid  kStaffLoginMismatch for an unknown login, a wrong password or
//            a disabled account alike: the answer never tells which. An
//            unknown login is verified against a dummy hash, so it takes as
//            long as a wrong password.
// REQUIRES: no transaction open on `c`.
Result<StaffMember> StaffLogin(Connection& c, std::string_view login, std::string_view password,
                               std::string_view address, std::string_view secret, const Throttle& t,
                               int64_t now);
extern const char kStaffLoginMismatch[];

// Deletes failure counters whose time has passed at `now`; returns how many.
Result<int> PurgeStaffFailures(Connection& c, const Throttle& t, int64_t now);

// ---------------------------------------------------------------- sessions

// A staff session as stored, with its member. Cookie only: the token the
// browser holds is never stored, only its hash (the gateway makes both).
struct StaffSession {
  int64_t id = 0;
  std::string csrf;
  std::string branch;  // the branch code the member works at
  int64_t created_at = 0, seen_at = 0;
  StaffMember staff;
};

// Stores a new session for `staff_id` working at `branch`; returns its id.
// Conflict for a branch that is not in the branches table.
Result<int64_t> CreateStaffSession(Connection& c, std::string_view token_hash,
                                   std::string_view csrf, int64_t staff_id, std::string_view branch,
                                   int64_t now);
// The live session whose token hashes to `token_hash`, or nullopt: none, idle
// for `idle_s` seconds or more at `now`, or its account disabled (such a
// session is deleted). Records activity (seen_at) when the last record is a
// minute old or more, so the idle time is exact to the minute.
Result<std::optional<StaffSession>> FindStaffSession(Connection& c, std::string_view token_hash,
                                                     int64_t now, int64_t idle_s);
Status DeleteStaffSession(Connection& c, int64_t id);
// Deletes every session idle for `idle_s` or more at `now`; returns how many.
Result<int> PurgeStaffSessions(Connection& c, int64_t now, int64_t idle_s);

// ---------------------------------------------------------------- audit

// One staff action as the audit keeps it. Empty branch, card, barcode and
// detail are stored as NULL.
struct AuditEntry {
  int64_t id = 0;              // set when read
  int64_t at = 0;              // unix seconds
  std::string staff;           // the staff login, or "cli:" + the system user
  std::string branch;          // branch code where the session works; "" for commands
  std::string action;          // login, logout, staff_add, checkout, ...
  std::string card, barcode;   // in full; pages show only the card's last digits
  std::string outcome = "ok";  // "ok", or the refusal as shown
  std::string detail;
};
// Appends `e`; nothing is ever changed or deleted in the audit.
Status RecordAudit(Connection& c, const AuditEntry& e);
// The audit newest first (by time, then by id): at most `limit` entries from
// the `offset`-th.
Result<std::vector<AuditEntry>> ListAudit(Connection& c, int64_t offset, int limit);

// The outcome as the audit writes it: "ok" for OK, a refusal's message
// (Status::refusal()), else "error" (the reason goes to the log, not to the
// audit that admins read).
std::string AuditOutcome(const Status& s);

}  // namespace shiori::db

#endif  // SHIORI_DB_STAFF_H_
