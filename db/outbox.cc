// The mail outbox: queueing notices, and the claims and outcomes the sender
// (mail/sender.cc) records, each committed on its own.
#include "db/outbox.h"

#include <ctime>
#include <string>

#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

constexpr char kRowColumns[] =
    "o.id, o.kind, o.status, o.patron_id, p.card, ifnull(o.hold_id, 0), ifnull(o.to_address, ''),"
    " ifnull(o.detail, ''), o.created_at, o.attempts, ifnull(o.first_try_at, 0),"
    " ifnull(o.next_try_at, 0), ifnull(o.sending_at, 0), ifnull(o.sent_at, 0),"
    " o.resent_uncertain, ifnull(o.message_id, ''), ifnull(o.last_error, '')";
constexpr int kRowColumnCount = 17;

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

// Runs an UPDATE of one claimed row; Conflict when it changed nothing.
Status UpdateClaimed(Stmt& s, int64_t id, Connection& c) {
  SHIORI_RETURN_IF_ERROR(s.Run());
  if (c.Changes() != 1) {
    return Status::Conflict("outbox row " + std::to_string(id) + " is not being sent");
  }
  return Status::Ok();
}

}  // namespace

Status QueueNotice(Connection& c, std::string_view kind, int64_t patron_id,
                   const std::optional<std::string>& to_address, std::string_view detail,
                   int64_t now) {
  if (kind != "email_changed" && kind != "password_registered" && kind != "password_changed") {
    return Status::Invalid("QueueNotice: unknown notice kind '" + std::string(kind) + "'");
  }
  auto s = c.Prepare(
      "INSERT INTO outbox(kind, patron_id, to_address, detail, created_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5)");
  if (!s.ok()) return s.status();
  s->Bind(1, kind).Bind(2, patron_id).Bind(3, to_address).Bind(4, detail).Bind(5, IsoUtc(now));
  return s->Run();
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

Result<std::optional<std::string>> ClaimNotice(Connection& c, int64_t id, int64_t now,
                                               std::string_view message_id) {
  auto s = c.Prepare(
      "UPDATE outbox SET status = 'sending', sending_at = ?2, attempts = attempts + 1,"
      " first_try_at = ifnull(first_try_at, ?2), message_id = ifnull(message_id, ?3)"
      " WHERE id = ?1 AND status = 'pending' RETURNING message_id");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, now).Bind(3, message_id);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<std::string>();
  std::optional<std::string> mid = s->Text(0);
  auto done = s->Step();  // finishes the statement, so the change is committed
  if (!done.ok()) return done.status();
  return mid;
}

Result<bool> ReclaimNotice(Connection& c, int64_t id, int64_t sending_at, int64_t now) {
  auto s = c.Prepare(
      "UPDATE outbox SET sending_at = ?3, attempts = attempts + 1, resent_uncertain = 1,"
      " first_try_at = ifnull(first_try_at, ?3)"
      " WHERE id = ?1 AND status = 'sending' AND ifnull(sending_at, 0) = ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, sending_at).Bind(3, now);
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

Status MarkNoticeSent(Connection& c, int64_t id, int64_t now) {
  auto s = c.Prepare(
      "UPDATE outbox SET status = 'sent', sent_at = ?2, next_try_at = NULL, last_error = NULL"
      " WHERE id = ?1 AND status = 'sending'");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, now);
  return UpdateClaimed(*s, id, c);
}

Status MarkNoticeDone(Connection& c, int64_t id, std::string_view status, std::string_view reason) {
  if (status != "failed" && status != "skipped") {
    return Status::Invalid("MarkNoticeDone: status must be failed or skipped");
  }
  auto s = c.Prepare(
      "UPDATE outbox SET status = ?2, last_error = ?3, next_try_at = NULL"
      " WHERE id = ?1 AND status = 'sending'");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, status).Bind(3, reason);
  return UpdateClaimed(*s, id, c);
}

Status MarkNoticeRetry(Connection& c, int64_t id, int64_t next_try_at, std::string_view reason) {
  auto s = c.Prepare(
      "UPDATE outbox SET status = 'pending', next_try_at = ?2, last_error = ?3"
      " WHERE id = ?1 AND status = 'sending'");
  if (!s.ok()) return s.status();
  s->Bind(1, id).Bind(2, next_try_at).Bind(3, reason);
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
  const std::time_t t = static_cast<std::time_t>(s->Int(0));
  std::tm tm;
  localtime_r(&t, &tm);
  char hm[8];
  std::strftime(hm, sizeof hm, "%H:%M", &tm);
  return std::optional<std::string>(
      JapaneseMonthDay(Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday}) + " " + hm);
}

}  // namespace shiori::db
