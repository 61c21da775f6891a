// The mail outbox: queueing notices, and the claims and outcomes the sender
// (mail/sender.cc) records, each committed on its own.
#include "db/outbox.h"

#include <ctime>
#include <functional>
#include <string>

#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

constexpr char kRowColumns[] =
    "o.id, o.kind, o.status, o.patron_id, p.card, ifnull(o.hold_id, 0), ifnull(o.to_address, ''),"
    " ifnull(o.detail, ''), o.created_at, o.attempts, ifnull(o.first_try_at, 0),"
    " ifnull(o.next_try_at, 0), ifnull(o.sending_at, 0), ifnull(o.sent_at, 0),"
    " o.resent_uncertain, ifnull(o.message_id, ''), ifnull(o.last_error, ''),"
    " ifnull(o.claim_token, '')";
constexpr int kRowColumnCount = 18;

OutboxRow ReadRow(const Stmt& s) {
  OutboxRow r;
  r.id = s.Int(0);
  r.kind = s.Text(1);
  r.status = s.Text(2);
  r.patron_id = s.Int(3);
  r.card = s.Text(4);
  r.hold_id = s.Int(5);
  r.to_address = s.Text(6);
  r.detail = s.Text(7);
  r.created_at = s.Text(8);
  r.attempts = static_cast<int>(s.Int(9));
  r.first_try_at = s.Int(10);
  r.next_try_at = s.Int(11);
  r.sending_at = s.Int(12);
  r.sent_at = s.Int(13);
  r.resent_uncertain = s.Int(14) != 0;
  r.message_id = s.Text(15);
  r.last_error = s.Text(16);
  r.claim_token = s.Text(17);
  return r;
}

Result<std::vector<OutboxRow>> Rows(Connection& c, const std::string& where, int64_t arg) {
  auto s = c.Prepare(std::string("SELECT ") + kRowColumns +
                     " FROM outbox o JOIN patrons p ON p.id = o.patron_id WHERE " + where +
                     " ORDER BY o.id");
  if (!s.ok()) return s.status();
  if (where.find("?1") != std::string::npos) s->Bind(1, arg);
  std::vector<OutboxRow> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) return out;
    out.push_back(ReadRow(*s));
  }
}

std::string IsoUtc(int64_t t) {
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm;
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// Runs an UPDATE of one row claimed by the caller; Conflict when it changed nothing.
Status UpdateClaimed(Stmt& s, int64_t id, Connection& c) {
  SHIORI_RETURN_IF_ERROR(s.Run());
  if (c.Changes() != 1) {
    return Status::Conflict("outbox row " + std::to_string(id) +
                            " is not being sent by this sender (another one took it over)");
  }
  return Status::Ok();
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

Result<int64_t> CountSince(Connection& c, const char* sql, int64_t since,
                           const std::function<void(Stmt&)>& bind) {
  auto s = c.Prepare(sql);
  if (!s.ok()) return s.status();
  s->Bind(1, since);
  bind(*s);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  return *r ? s->Int(0) : 0;
}

// An email_confirm's code goes with the row's last outcome.
constexpr char kEraseCode[] = "detail = CASE WHEN kind = 'email_confirm' THEN NULL ELSE detail END";

}  // namespace

const char kNoticeLimitMessage[] =
    "お知らせメールの送信が続いたため、しばらくこの手続きはできません。"
    "1時間ほどたってから、もう一度お試しください。";

Status QueueNotice(Connection& c, std::string_view kind, int64_t patron_id,
                   std::string_view to_address, std::string_view detail, int64_t now,
                   const NoticeLimits& limits) {
  if (kind != "email_changed" && kind != "email_confirm" && kind != "password_registered" &&
      kind != "password_changed") {
    return Status::Invalid("QueueNotice: unknown notice kind '" + std::string(kind) + "'");
  }
  const std::string address = Lower(to_address);
  const int64_t since = now - 3600;
  {
    auto purge = c.Prepare("DELETE FROM mail_requests WHERE at <= ?1");
    if (!purge.ok()) return purge.status();
    SHIORI_RETURN_IF_ERROR(purge->Bind(1, since).Run());
  }
  auto by_patron =
      CountSince(c, "SELECT count(*) FROM mail_requests WHERE at > ?1 AND patron_id = ?2", since,
                 [&](Stmt& s) { s.Bind(2, patron_id); });
  if (!by_patron.ok()) return by_patron.status();
  auto by_address =
      CountSince(c, "SELECT count(*) FROM mail_requests WHERE at > ?1 AND address = ?2", since,
                 [&](Stmt& s) { s.Bind(2, address); });
  if (!by_address.ok()) return by_address.status();
  if (*by_patron >= limits.per_patron_hour || *by_address >= limits.per_address_hour) {
    return Status::Locked(kNoticeLimitMessage);
  }
  auto count = c.Prepare("INSERT INTO mail_requests(patron_id, address, at) VALUES(?1, ?2, ?3)");
  if (!count.ok()) return count.status();
  SHIORI_RETURN_IF_ERROR(count->Bind(1, patron_id).Bind(2, address).Bind(3, now).Run());

  // The same notice still waiting is told once, as of now.
  auto same = c.Prepare(
      "UPDATE outbox SET to_address = ?4, detail = ?5, created_at = ?6, attempts = 0,"
      " first_try_at = NULL, next_try_at = NULL, message_id = NULL, last_error = NULL,"
      " resent_uncertain = 0"
      " WHERE id = (SELECT id FROM outbox WHERE patron_id = ?1 AND kind = ?2"
      "             AND status = 'pending' AND (?3 OR lower(to_address) = lower(?4))"
      "             ORDER BY id DESC LIMIT 1)");
  if (!same.ok()) return same.status();
  SHIORI_RETURN_IF_ERROR(same->Bind(1, patron_id)
                             .Bind(2, kind)
                             .Bind(3, int64_t{kind == "email_confirm"})
                             .Bind(4, to_address)
                             .Bind(5, detail)
                             .Bind(6, IsoUtc(now))
                             .Run());
  if (c.Changes() == 1) return Status::Ok();
  auto s = c.Prepare(
      "INSERT INTO outbox(kind, patron_id, to_address, detail, created_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!s.ok()) return s.status();
  s->Bind(1, kind).Bind(2, patron_id).Bind(3, to_address).Bind(4, detail).Bind(5, IsoUtc(now));
  return s->Run();
}

Status CancelPendingNotices(Connection& c, int64_t patron_id, std::string_view kind,
                            std::string_view reason) {
  auto s = c.Prepare(
      "UPDATE outbox SET status = 'skipped', detail = NULL, last_error = ?3, next_try_at = NULL"
      " WHERE patron_id = ?1 AND kind = ?2 AND status = 'pending'");
  if (!s.ok()) return s.status();
  return s->Bind(1, patron_id).Bind(2, kind).Bind(3, reason).Run();
}

Result<std::vector<int64_t>> DueNotices(Connection& c, int64_t now) {
  auto s = c.Prepare(
      "SELECT id FROM outbox WHERE status = 'pending' AND ifnull(next_try_at, 0) <= ?1"
      " ORDER BY id");
  if (!s.ok()) return s.status();
  s->Bind(1, now);
  std::vector<int64_t> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) return out;
    out.push_back(s->Int(0));
  }
}

Result<std::vector<OutboxRow>> AbandonedNotices(Connection& c, int64_t claimed_before) {
  return Rows(c, "o.status = 'sending' AND ifnull(o.sending_at, 0) < ?1", claimed_before);
}

Result<std::optional<std::string>> ClaimNotice(Connection& c, int64_t id, std::string_view token,
                                               int64_t now, std::string_view message_id) {
  auto s = c.Prepare(
      "UPDATE outbox SET status = 'sending', sending_at = ?2, claim_token = ?4,"
      " attempts = attempts + 1, first_try_at = ifnull(first_try_at, ?2),"
      " message_id = ifnull(message_id, ?3)"
      " WHERE id = ?1 AND status = 'pending' RETURNING message_id");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, now).Bind(3, message_id).Bind(4, token);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<std::string>();
  std::optional<std::string> mid = s->Text(0);
  auto done = s->Step();  // finishes the statement, so the change is committed
  if (!done.ok()) return done.status();
  return mid;
}

Result<bool> ReclaimNotice(Connection& c, const OutboxRow& abandoned, std::string_view token,
                           int64_t now) {
  auto s = c.Prepare(
      "UPDATE outbox SET sending_at = ?3, claim_token = ?5, attempts = attempts + 1,"
      " resent_uncertain = 1, first_try_at = ifnull(first_try_at, ?3)"
      " WHERE id = ?1 AND status = 'sending' AND ifnull(sending_at, 0) = ?2"
      " AND ifnull(claim_token, '') = ?4");
  if (!s.ok()) return s.status();
  s->Bind(1, abandoned.id)
      .Bind(2, abandoned.sending_at)
      .Bind(3, now)
      .Bind(4, abandoned.claim_token)
      .Bind(5, token);
  SHIORI_RETURN_IF_ERROR(s->Run());
  return c.Changes() == 1;
}

Result<std::optional<NoticeData>> LoadNotice(Connection& c, int64_t id) {
  auto s = c.Prepare(std::string("SELECT ") + kRowColumns +
                     ", ifnull(p.email, ''), ifnull(h.status, ''), ifnull(r.title, ''),"
                     " ifnull(r.volume, ''), ifnull(h.pickup_branch, ''), ifnull(b.name, ''),"
                     " ifnull(h.pickup_deadline, '')"
                     " FROM outbox o JOIN patrons p ON p.id = o.patron_id"
                     " LEFT JOIN holds h ON h.id = o.hold_id"
                     " LEFT JOIN records r ON r.id = h.record_id"
                     " LEFT JOIN branches b ON b.code = h.pickup_branch"
                     " WHERE o.id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<NoticeData>();
  NoticeData d;
  d.row = ReadRow(*s);
  const int k = kRowColumnCount;
  d.patron_email = s->Text(k);
  d.hold_status = s->Text(k + 1);
  d.title = s->Text(k + 2);
  d.volume = s->Text(k + 3);
  d.branch_code = s->Text(k + 4);
  d.branch_name = s->Text(k + 5);
  d.deadline = s->Text(k + 6);
  return std::optional<NoticeData>(std::move(d));
}

Status MarkNoticeSent(Connection& c, int64_t id, std::string_view token, int64_t now) {
  auto s = c.Prepare(std::string("UPDATE outbox SET status = 'sent', sent_at = ?2,"
                                 " next_try_at = NULL, last_error = NULL, ") +
                     kEraseCode + " WHERE id = ?1 AND status = 'sending' AND claim_token = ?3");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, now).Bind(3, token);
  return UpdateClaimed(*s, id, c);
}

Status MarkNoticeDone(Connection& c, int64_t id, std::string_view token, std::string_view status,
                      std::string_view reason) {
  if (status != "failed" && status != "skipped") {
    return Status::Invalid("MarkNoticeDone: status must be failed or skipped");
  }
  auto s = c.Prepare(
      std::string("UPDATE outbox SET status = ?2, last_error = ?3, next_try_at = NULL, ") +
      kEraseCode + " WHERE id = ?1 AND status = 'sending' AND claim_token = ?4");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, status).Bind(3, reason).Bind(4, token);
  return UpdateClaimed(*s, id, c);
}

Status MarkNoticeRetry(Connection& c, int64_t id, std::string_view token, int64_t next_try_at,
                       std::string_view reason) {
  auto s = c.Prepare(
      "UPDATE outbox SET status = 'pending', next_try_at = ?2, last_error = ?3, claim_token = NULL"
      " WHERE id = ?1 AND status = 'sending' AND claim_token = ?4");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, next_try_at).Bind(3, reason).Bind(4, token);
  return UpdateClaimed(*s, id, c);
}

Result<std::vector<OutboxRow>> OutboxStatus(Connection& c) {
  return Rows(c, "o.status IN ('pending', 'sending', 'failed')", 0);
}

Result<std::optional<std::string>> NoticeSentAt(Connection& c, int64_t hold_id) {
  auto s = c.Prepare(
      "SELECT max(sent_at) FROM outbox"
      " WHERE hold_id = ?1 AND kind = 'hold_ready' AND status = 'sent'");
  if (!s.ok()) return s.status();
  s->Bind(1, hold_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r || s->IsNull(0)) return std::optional<std::string>();
  return std::optional<std::string>(JapaneseDateTime(s->Int(0), false));
}

}  // namespace shiori::db
