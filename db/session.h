// Sessions and the cart, in SQLite so that several server processes share
// them. The gateway makes the tokens and cookies (gateway/session.h); here
// they are stored, looked up, timed out and purged. Errors are SQLite's own
// (Busy, Io; English) unless a function says otherwise.
// Thread-safety: as for the Connection passed in.
#ifndef SHIORI_DB_SESSION_H_
#define SHIORI_DB_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/catalog.h"
#include "db/sqlite.h"

namespace shiori::db {

// ---------------------------------------------------------------- sessions

// A session as stored. The token the client holds is never stored, only its hash.
struct SessionRow {
  int64_t id = 0;
  std::string csrf;
  std::string device;
  std::optional<int64_t> patron_id;
  bool cookie_ok = false;
  std::optional<std::string> charset;  // "sjis" | "utf8"
  std::optional<std::string> layout;   // "keitai" | "smart" | "pc"
  int64_t created_at = 0;
  int64_t seen_at = 0;
};

struct SessionLimits {
  int64_t idle_s = 30 * 60;
  int64_t absolute_s = 12 * 3600;
};

// The live session whose token hashes to `token_hash`, or nullopt when there
// is none or it has timed out at `now` (a timed-out one is deleted).
Result<std::optional<SessionRow>> FindSession(Connection& c, std::string_view token_hash,
                                              int64_t now, const SessionLimits& limits);
// Stores a new session; returns its id.
Result<int64_t> CreateSession(Connection& c, std::string_view token_hash, std::string_view csrf,
                              std::string_view device, int64_t now);
// Records activity. Writes only when the last record is older than a minute
// or the cookie is newly proven, so reading pages is not a write per request.
Status TouchSession(Connection& c, const SessionRow& s, int64_t now, bool cookie_seen);
// Gives the session a new token and CSRF token (at login: no fixation).
Status RotateSession(Connection& c, int64_t id, std::string_view new_token_hash,
                     std::string_view new_csrf);
Status SetSessionCharset(Connection& c, int64_t id, std::optional<std::string> charset);
// The version of the pages the session chose ("keitai", "smart", "pc"); nullopt:
// the one its device gets.
Status SetSessionLayout(Connection& c, int64_t id, std::optional<std::string> layout);
Status DeleteSession(Connection& c, int64_t id);
// Binds session `session_id` to a patron at login, or unbinds it (nullopt) at
// logout. NotFound when there is no such session.
Status SetSessionPatron(Connection& c, int64_t session_id, std::optional<int64_t> patron_id);
// Ends every session logged in as the patron but `keep` (nullopt: all of
// them): a new password, a blocked card, a replaced card. Returns how many
// ended. Runs inside the caller's transaction when one is open.
Result<int> EndPatronSessions(Connection& c, int64_t patron_id,
                              std::optional<int64_t> keep = std::nullopt);
// Deletes every session that has timed out at `now`; returns how many. Each
// statement deletes at most `batch` rows and commits, so that the write lock
// is never held for long and requests go on between batches.
// REQUIRES: no transaction open on `c`.
Result<int> PurgeSessions(Connection& c, int64_t now, const SessionLimits& limits, int batch = 500);

// ---------------------------------------------------------------- cart

inline constexpr int kCartLimit = 20;
struct CartItem {
  int64_t record_id = 0;
  std::string title, volume;
  std::vector<AuthorEntry> authors;  // in order, name and role (no reading)
};
// Adds a title to the session's cart. Adding one already there changes
// nothing (OK). Conflict when the cart holds kCartLimit titles; NotFound for
// an unknown record (both Japanese, for the page). One transaction.
// REQUIRES: no transaction open on `c`.
Status CartAdd(Connection& c, int64_t session_id, int64_t record_id, int64_t now);
Status CartRemove(Connection& c, int64_t session_id, int64_t record_id);
// Takes each of `record_ids` out of the session's cart (those not in it are
// no matter). One transaction. REQUIRES: no transaction open on `c`.
Status CartRemoveAll(Connection& c, int64_t session_id, const std::vector<int64_t>& record_ids);
// The cart in the order titles were added.
Result<std::vector<CartItem>> CartList(Connection& c, int64_t session_id);
// The record ids of the session's cart, in no particular order: what the
// result list and the record page mark as in the cart.
Result<std::vector<int64_t>> CartRecordIds(Connection& c, int64_t session_id);

}  // namespace shiori::db

#endif  // SHIORI_DB_SESSION_H_
