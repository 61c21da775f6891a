// Sessions in SQLite, so several server processes share them: lookup with
// timeouts, creation, throttled touch, rotation, the patron logged in (and all of a
// patron's sessions ended), purge.
#include "db/session.h"

#include <optional>
#include <string>
#include <string_view>

#include "db/sqlite.h"

namespace shiori::db {
namespace {

bool TimedOut(const SessionRow& s, int64_t now, const SessionLimits& l) {
  return now - s.seen_at > l.idle_s || now - s.created_at > l.absolute_s;
}

}  // namespace

Result<std::optional<SessionRow>> FindSession(Connection& c, std::string_view token_hash,
                                              int64_t now, const SessionLimits& limits) {
  Status err;
  Stmt* s = c.Cached(
      "SELECT id, csrf, device, patron_id, cookie_ok, charset, created_at, seen_at, layout"
      " FROM sessions WHERE token_hash = ?1",
      &err);
  if (!s) return err;
  s->Bind(1, token_hash);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<SessionRow>();
  SessionRow row;
  row.id = s->Int(0);
  row.csrf = s->Text(1);
  row.device = s->Text(2);
  if (!s->IsNull(3)) row.patron_id = s->Int(3);
  row.cookie_ok = s->Int(4) != 0;
  row.charset = s->OptText(5);
  row.created_at = s->Int(6);
  row.seen_at = s->Int(7);
  row.layout = s->OptText(8);
  s->Reset();
  if (TimedOut(row, now, limits)) {
    SHIORI_RETURN_IF_ERROR(DeleteSession(c, row.id));
    return std::optional<SessionRow>();
  }
  return std::optional<SessionRow>(std::move(row));
}

Result<int64_t> CreateSession(Connection& c, std::string_view token_hash, std::string_view csrf,
                              std::string_view device, int64_t now) {
  Status err;
  Stmt* s = c.Cached(
      "INSERT INTO sessions(token_hash, csrf, device, created_at, seen_at)"
      " VALUES(?1, ?2, ?3, ?4, ?4)",
      &err);
  if (!s) return err;
  SHIORI_RETURN_IF_ERROR(s->Bind(1, token_hash).Bind(2, csrf).Bind(3, device).Bind(4, now).Run());
  return c.LastInsertId();
}

Status TouchSession(Connection& c, const SessionRow& row, int64_t now, bool cookie_seen) {
  const bool prove = cookie_seen && !row.cookie_ok;
  if (!prove && now - row.seen_at < 60) return Status::Ok();
  Status err;
  Stmt* s =
      c.Cached("UPDATE sessions SET seen_at = ?2, cookie_ok = cookie_ok OR ?3 WHERE id = ?1", &err);
  if (!s) return err;
  return s->Bind(1, row.id).Bind(2, now).Bind(3, int64_t{cookie_seen}).Run();
}

Status RotateSession(Connection& c, int64_t id, std::string_view new_token_hash,
                     std::string_view new_csrf) {
  auto s = c.Prepare("UPDATE sessions SET token_hash = ?2, csrf = ?3 WHERE id = ?1");
  if (!s.ok()) return s.status();
  return s->Bind(1, id).Bind(2, new_token_hash).Bind(3, new_csrf).Run();
}

Status SetSessionCharset(Connection& c, int64_t id, std::optional<std::string> charset) {
  auto s = c.Prepare("UPDATE sessions SET charset = ?2 WHERE id = ?1");
  if (!s.ok()) return s.status();
  return s->Bind(1, id).Bind(2, charset).Run();
}

Status SetSessionLayout(Connection& c, int64_t id, std::optional<std::string> layout) {
  auto s = c.Prepare("UPDATE sessions SET layout = ?2 WHERE id = ?1");
  if (!s.ok()) return s.status();
  return s->Bind(1, id).Bind(2, layout).Run();
}

Status DeleteSession(Connection& c, int64_t id) {
  Status err;
  Stmt* s = c.Cached("DELETE FROM sessions WHERE id = ?1", &err);
  if (!s) return err;
  return s->Bind(1, id).Run();
}

Status SetSessionPatron(Connection& c, int64_t session_id, std::optional<int64_t> patron_id) {
  auto s = c.Prepare("UPDATE sessions SET patron_id = ?2 WHERE id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, session_id);
  if (patron_id) {
    s->Bind(2, *patron_id);
  } else {
    s->BindNull(2);
  }
  SHIORI_RETURN_IF_ERROR(s->Run());
  if (c.Changes() == 0) return Status::NotFound("session " + std::to_string(session_id));
  return Status::Ok();
}

Result<int> EndPatronSessions(Connection& c, int64_t patron_id, std::optional<int64_t> keep) {
  auto s = c.Prepare("DELETE FROM sessions WHERE patron_id = ?1 AND id IS NOT ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, patron_id);
  if (keep) {
    s->Bind(2, *keep);
  } else {
    s->BindNull(2);
  }
  SHIORI_RETURN_IF_ERROR(s->Run());
  return c.Changes();
}

Result<int> PurgeSessions(Connection& c, int64_t now, const SessionLimits& limits, int batch) {
  auto s = c.Prepare(
      "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions"
      " WHERE seen_at < ?1 OR created_at < ?2 LIMIT ?3)");
  if (!s.ok()) return s.status();
  int total = 0;
  while (true) {
    s->Reset();
    SHIORI_RETURN_IF_ERROR(s->Bind(1, now - limits.idle_s)
                               .Bind(2, now - limits.absolute_s)
                               .Bind(3, int64_t{batch})
                               .Run());
    const int n = c.Changes();
    total += n;
    if (n < batch) return total;
  }
}

}  // namespace shiori::db
