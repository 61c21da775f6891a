// The back office's accounts, login with lockout, sessions and audit
// (db/staff.h): tables staff, staff_failures, staff_sessions and audit.
#include "db/staff.h"

#include <optional>
#include <string>
#include <string_view>

#include "base/hash.h"
#include "charset/charset.h"
#include "db/password_internal.h"
#include "db/sqlite.h"

namespace shiori::db {

const char kStaffLoginMismatch[] = "職員IDまたはパスワードが違います。";
const char kStaffUnknownLogin[] = "その職員IDは登録されていません。";

namespace {

constexpr size_t kLoginMax = 32;
constexpr size_t kNameMax = 40;  // characters
// Longer input cannot be a login; it is cut so a counter key stays small.
constexpr size_t kLoginKeyMax = 64;
// Keys a client address's hash when the caller has no secret.
constexpr std::string_view kSourceContext = "shiori/staff_failures/v1";
// A session's activity is written at most this often (seconds).
constexpr int64_t kTouchEvery = 60;

bool ValidLogin(std::string_view l) {
  if (l.empty() || l.size() > kLoginMax) return false;
  for (size_t i = 0; i < l.size(); ++i) {
    const char ch = l[i];
    const bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
    if (!alnum && (i == 0 || (ch != '.' && ch != '_' && ch != '-'))) return false;
  }
  return true;
}

Status CheckLogin(std::string_view login) {
  if (login.empty()) return Status::Invalid("職員IDを入力してください。");
  if (!ValidLogin(login)) {
    return Status::Invalid(
        "職員IDは半角の英小文字・数字と「.」「_」「-」で、32文字までにしてください"
        "（先頭は英字か数字）。");
  }
  return Status::Ok();
}

// The name as stored (trimmed), or Invalid.
Result<std::string> CheckName(std::string_view name) {
  const std::string_view n = charset::Trim(name);
  if (n.empty()) return Status::Invalid("氏名を入力してください。");
  if (!charset::IsValidUtf8(n) || charset::HasControl(n)) {
    return Status::Invalid("氏名に使えない文字が含まれています。");
  }
  if (charset::CodePointCount(n) > kNameMax) {
    return Status::Invalid("氏名は" + std::to_string(kNameMax) + "文字までにしてください。");
  }
  return std::string(n);
}

Status CheckRole(std::string_view role) {
  if (role == kRoleCounter || role == kRoleAdmin) return Status::Ok();
  return Status::Invalid("権限は counter（カウンター）か admin（管理者）にしてください。");
}

// The password as hashed: NormalizePassword'ed, checked, then Argon2id.
Result<std::string> HashStaffPassword(std::string_view password, const PasswordHashing& h) {
  const std::string pw = charset::NormalizePassword(password);
  SHIORI_RETURN_IF_ERROR(CheckStaffPassword(pw));
  return HashPassword(pw, h);
}

std::string LoginKey(std::string_view normalized_login) {
  return "login:" + std::string(normalized_login.substr(0, kLoginKeyMax));
}

std::string SourceKey(std::string_view address, std::string_view secret) {
  if (address.empty()) return std::string();
  const bool keyed = secret.size() >= 16 && secret.size() <= 64;
  return "source:" + Blake2bHex(address, keyed ? secret : kSourceContext);
}

std::string Minutes(int64_t seconds) {
  return std::to_string(seconds <= 60 ? 1 : (seconds + 59) / 60);
}

// What the two counters of one attempt are, and their limits.
struct Counter {
  std::string key;  // "" counts nothing
  int max = 0;
  int64_t window = 0;  // seconds after the last failure the counter is forgotten
  bool source = false;
};

// Ok, or Locked with the sentence for the staff member.
Status CheckLock(Connection& c, const Counter& k, int64_t now) {
  if (k.key.empty()) return Status::Ok();
  Status err;
  Stmt* s = c.Cached(
      "SELECT failures, last_at FROM staff_failures WHERE key = ?1 AND ?2 - last_at < ?3", &err);
  if (!s) return err;
  auto r = s->Bind(1, k.key).Bind(2, now).Bind(3, k.window).Step();
  int64_t failures = 0, last_at = 0;
  if (r.ok() && *r) {
    failures = s->Int(0);
    last_at = s->Int(1);
  }
  s->Reset();
  if (!r.ok()) return r.status();
  if (failures < k.max) return Status::Ok();
  const std::string minutes = Minutes(last_at + k.window - now);
  if (k.source) {
    return Status::Locked("この端末からの入力の誤りが多いため、しばらくログインできません。" +
                          minutes + "分後にもう一度お試しください。");
  }
  return Status::Locked("入力の誤りが続いたため、この職員IDはしばらくログインできません。" +
                        minutes + "分後にもう一度お試しください。");
}

Status RecordFailure(Connection& c, const Counter& k, int64_t now) {
  if (k.key.empty()) return Status::Ok();
  Status err;
  Stmt* s = c.Cached(
      "INSERT INTO staff_failures(key, failures, last_at) VALUES(?1, 1, ?2)"
      " ON CONFLICT(key) DO UPDATE SET"
      "  failures = CASE WHEN ?2 - last_at >= ?3 THEN 1 ELSE failures + 1 END,"
      "  last_at = ?2",
      &err);
  if (!s) return err;
  return s->Bind(1, k.key).Bind(2, now).Bind(3, k.window).Run();
}

// After a right password: forgets the login's counter and takes its live
// failures (the member's own mistypes, this attempt included) off the
// address's counter.
Status SettleSuccess(Connection& c, const Counter& login, const Counter& source, int64_t now) {
  int64_t own = 0;
  {
    auto s = c.Prepare("SELECT failures FROM staff_failures WHERE key = ?1 AND ?2 - last_at < ?3");
    if (!s.ok()) return s.status();
    auto r = s->Bind(1, login.key).Bind(2, now).Bind(3, login.window).Step();
    if (!r.ok()) return r.status();
    if (*r) own = s->Int(0);
  }
  auto del = c.Prepare("DELETE FROM staff_failures WHERE key = ?1");
  if (!del.ok()) return del.status();
  SHIORI_RETURN_IF_ERROR(del->Bind(1, login.key).Run());
  if (source.key.empty() || own == 0) return Status::Ok();
  auto up = c.Prepare("UPDATE staff_failures SET failures = max(failures - ?2, 0) WHERE key = ?1");
  if (!up.ok()) return up.status();
  return up->Bind(1, source.key).Bind(2, own).Run();
}

constexpr char kMemberColumns[] = "st.id, st.login, st.name, st.role, st.disabled";

// Reads the columns of kMemberColumns from `col`.
StaffMember MemberAt(const Stmt& s, int col) {
  StaffMember m;
  m.id = s.Int(col);
  m.login = s.Text(col + 1);
  m.name = s.Text(col + 2);
  m.role = s.Text(col + 3);
  m.disabled = s.Int(col + 4) != 0;
  return m;
}

// The account and its hash, by a normalised login.
struct Credentials {
  StaffMember member;
  std::string hash;
};
Result<std::optional<Credentials>> ReadCredentials(Connection& c, std::string_view login) {
  auto s = c.Prepare(std::string("SELECT ") + kMemberColumns +
                     ", st.password_hash FROM staff st WHERE st.login = ?1");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, login).Step();
  if (!r.ok()) return r.status();
  std::optional<Credentials> out;
  if (*r) out = Credentials{MemberAt(*s, 0), s->Text(5)};
  return out;
}

Status DeleteSessionsOf(Connection& c, int64_t staff_id) {
  auto s = c.Prepare("DELETE FROM staff_sessions WHERE staff_id = ?1");
  if (!s.ok()) return s.status();
  return s->Bind(1, staff_id).Run();
}

Status UnknownLogin() { return Status::NotFound(kStaffUnknownLogin); }

// Refuses an account that exists already (a disabled one too).
Status LoginFree(Connection& c, const std::string& login) {
  auto found = ReadCredentials(c, login);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return Status::Ok();
  return Status::Conflict("職員ID「" + login + "」はすでに登録されています" +
                          ((*found)->member.disabled ? "（利用停止中）。" : "。"));
}

}  // namespace

// ---------------------------------------------------------------- accounts

Status CheckStaffPassword(std::string_view pw) {
  if (!charset::IsValidUtf8(pw) || charset::HasControl(pw)) {
    return Status::Invalid("パスワードに使えない文字が含まれています。");
  }
  const size_t n = charset::CodePointCount(pw);
  if (n < static_cast<size_t>(kStaffPasswordMin)) {
    return Status::Invalid("パスワードは" + std::to_string(kStaffPasswordMin) +
                           "文字以上にしてください。");
  }
  if (n > static_cast<size_t>(kStaffPasswordMax)) {
    return Status::Invalid("パスワードは" + std::to_string(kStaffPasswordMax) +
                           "文字までにしてください。");
  }
  return Status::Ok();
}

std::string NormalizeStaffLogin(std::string_view login) {
  std::string out(charset::Trim(charset::HalfWidthAscii(login)));
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

Status CheckNewStaff(Connection& c, const StaffInput& in) {
  const std::string login = NormalizeStaffLogin(in.login);
  SHIORI_RETURN_IF_ERROR(CheckLogin(login));
  SHIORI_RETURN_IF_ERROR(CheckName(in.name).status());
  SHIORI_RETURN_IF_ERROR(CheckRole(in.role));
  return LoginFree(c, login);
}

Result<int64_t> AddStaff(Connection& c, const StaffInput& in, std::string_view password,
                         const PasswordHashing& h, int64_t now) {
  const std::string login = NormalizeStaffLogin(in.login);
  SHIORI_RETURN_IF_ERROR(CheckLogin(login));
  auto name = CheckName(in.name);
  if (!name.ok()) return name.status();
  SHIORI_RETURN_IF_ERROR(CheckRole(in.role));
  auto hash = HashStaffPassword(password, h);
  if (!hash.ok()) return hash.status();

  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  SHIORI_RETURN_IF_ERROR(LoginFree(c, login));
  auto s = c.Prepare(
      "INSERT INTO staff(login, name, role, password_hash, disabled, created_at, updated_at)"
      " VALUES(?1, ?2, ?3, ?4, 0, ?5, ?5)");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(
      s->Bind(1, login).Bind(2, *name).Bind(3, in.role).Bind(4, *hash).Bind(5, now).Run());
  const int64_t id = c.LastInsertId();
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Status SetStaffPassword(Connection& c, std::string_view login_typed, std::string_view password,
                        const PasswordHashing& h, int64_t now) {
  const std::string login = NormalizeStaffLogin(login_typed);
  {
    auto found = ReadCredentials(c, login);
    if (!found.ok()) return found.status();
    if (!found->has_value()) return UnknownLogin();
  }
  auto hash = HashStaffPassword(password, h);
  if (!hash.ok()) return hash.status();

  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto found = ReadCredentials(c, login);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return UnknownLogin();
  auto s = c.Prepare("UPDATE staff SET password_hash = ?2, updated_at = ?3 WHERE id = ?1");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(s->Bind(1, (*found)->member.id).Bind(2, *hash).Bind(3, now).Run());
  SHIORI_RETURN_IF_ERROR(DeleteSessionsOf(c, (*found)->member.id));
  auto f = c.Prepare("DELETE FROM staff_failures WHERE key = ?1");
  if (!f.ok()) return f.status();
  SHIORI_RETURN_IF_ERROR(f->Bind(1, LoginKey(login)).Run());
  return tx.Commit();
}

Result<bool> DisableStaff(Connection& c, std::string_view login_typed, int64_t now) {
  const std::string login = NormalizeStaffLogin(login_typed);
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto found = ReadCredentials(c, login);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return UnknownLogin();
  const StaffMember& m = (*found)->member;
  if (!m.disabled) {
    auto s = c.Prepare("UPDATE staff SET disabled = 1, updated_at = ?2 WHERE id = ?1");
    if (!s.ok()) return s.status();
    SHIORI_RETURN_IF_ERROR(s->Bind(1, m.id).Bind(2, now).Run());
  }
  SHIORI_RETURN_IF_ERROR(DeleteSessionsOf(c, m.id));
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return !m.disabled;
}

Result<std::optional<StaffMember>> FindStaff(Connection& c, std::string_view login) {
  auto found = ReadCredentials(c, NormalizeStaffLogin(login));
  if (!found.ok()) return found.status();
  if (!found->has_value()) return std::optional<StaffMember>();
  return std::optional<StaffMember>((*found)->member);
}

// ---------------------------------------------------------------- login

Result<StaffMember> StaffLogin(Connection& c, std::string_view login_typed,
                               std::string_view password, std::string_view address,
                               std::string_view secret, const Throttle& t, int64_t now) {
  const std::string pw = charset::NormalizePassword(password);
  const std::string login = NormalizeStaffLogin(login_typed);
  const Counter by_login{LoginKey(login), t.max_failures, t.lock_seconds, false};
  const Counter by_source{SourceKey(address, secret), t.source_max_failures,
                          t.source_window_seconds, true};

  // The attempt counts as a failure before the password is verified, so
  // guesses made in parallel cannot get past a limit; a success settles it.
  std::optional<Credentials> account;
  {
    Transaction tx(c);
    SHIORI_RETURN_IF_ERROR(tx.begun());
    SHIORI_RETURN_IF_ERROR(CheckLock(c, by_source, now));
    SHIORI_RETURN_IF_ERROR(CheckLock(c, by_login, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_login, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_source, now));
    if (ValidLogin(login)) {
      auto r = ReadCredentials(c, login);
      if (!r.ok()) return r.status();
      account = std::move(r).value();
    }
    SHIORI_RETURN_IF_ERROR(tx.Commit());
  }
  bool right = false;
  if (pw.size() <= detail::kPasswordInputMax) {
    right = VerifyPassword(account ? account->hash : detail::kDummyHash, pw) && account;
  }
  // A disabled account is refused with the same words as a wrong password.
  if (!right || account->member.disabled) return Status::Invalid(kStaffLoginMismatch);
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  SHIORI_RETURN_IF_ERROR(SettleSuccess(c, by_login, by_source, now));
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return account->member;
}

Result<int> PurgeStaffFailures(Connection& c, const Throttle& t, int64_t now) {
  auto s = c.Prepare(
      "DELETE FROM staff_failures WHERE last_at <= ?1 -"
      " (CASE WHEN key LIKE 'source:%' THEN ?2 ELSE ?3 END)");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(
      s->Bind(1, now).Bind(2, t.source_window_seconds).Bind(3, t.lock_seconds).Run());
  return c.Changes();
}

// ---------------------------------------------------------------- sessions

Result<int64_t> CreateStaffSession(Connection& c, std::string_view token_hash,
                                   std::string_view csrf, int64_t staff_id, std::string_view branch,
                                   int64_t now) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  {
    auto b = c.Prepare("SELECT 1 FROM branches WHERE code = ?1");
    if (!b.ok()) return b.status();
    auto r = b->Bind(1, branch).Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Conflict("作業する館を選んでください。");
  }
  auto s = c.Prepare(
      "INSERT INTO staff_sessions(token_hash, csrf, staff_id, branch, created_at, seen_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?5)");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(
      s->Bind(1, token_hash).Bind(2, csrf).Bind(3, staff_id).Bind(4, branch).Bind(5, now).Run());
  const int64_t id = c.LastInsertId();
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::optional<StaffSession>> FindStaffSession(Connection& c, std::string_view token_hash,
                                                     int64_t now, int64_t idle_s) {
  std::optional<StaffSession> out;
  {
    Status err;
    Stmt* s = c.Cached(std::string("SELECT s.id, s.csrf, s.branch, s.created_at, s.seen_at, ") +
                           kMemberColumns +
                           " FROM staff_sessions s JOIN staff st ON st.id = s.staff_id"
                           " WHERE s.token_hash = ?1",
                       &err);
    if (!s) return err;
    auto r = s->Bind(1, token_hash).Step();
    if (r.ok() && *r) {
      out.emplace();
      out->id = s->Int(0);
      out->csrf = s->Text(1);
      out->branch = s->Text(2);
      out->created_at = s->Int(3);
      out->seen_at = s->Int(4);
      out->staff = MemberAt(*s, 5);
    }
    s->Reset();
    if (!r.ok()) return r.status();
  }
  if (!out) return out;
  if (now - out->seen_at >= idle_s || out->staff.disabled) {
    SHIORI_RETURN_IF_ERROR(DeleteStaffSession(c, out->id));
    return std::optional<StaffSession>();
  }
  if (now - out->seen_at >= kTouchEvery) {
    Status err;
    Stmt* s = c.Cached("UPDATE staff_sessions SET seen_at = ?2 WHERE id = ?1", &err);
    if (!s) return err;
    SHIORI_RETURN_IF_ERROR(s->Bind(1, out->id).Bind(2, now).Run());
    out->seen_at = now;
  }
  return out;
}

Status DeleteStaffSession(Connection& c, int64_t id) {
  Status err;
  Stmt* s = c.Cached("DELETE FROM staff_sessions WHERE id = ?1", &err);
  if (!s) return err;
  return s->Bind(1, id).Run();
}

Result<int> PurgeStaffSessions(Connection& c, int64_t now, int64_t idle_s) {
  auto s = c.Prepare("DELETE FROM staff_sessions WHERE seen_at <= ?1");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(s->Bind(1, now - idle_s).Run());
  return c.Changes();
}

// ---------------------------------------------------------------- audit

Status RecordAudit(Connection& c, const AuditEntry& e) {
  Status err;
  Stmt* s = c.Cached(
      "INSERT INTO audit(at, staff, branch, action, card, barcode, outcome, detail)"
      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
      &err);
  if (!s) return err;
  return s->Bind(1, e.at)
      .Bind(2, e.staff)
      .Bind(3, NonEmpty(e.branch))
      .Bind(4, e.action)
      .Bind(5, NonEmpty(e.card))
      .Bind(6, NonEmpty(e.barcode))
      .Bind(7, e.outcome)
      .Bind(8, NonEmpty(e.detail))
      .Run();
}

Result<std::vector<AuditEntry>> ListAudit(Connection& c, int64_t offset, int limit) {
  auto s = c.Prepare(
      "SELECT id, at, staff, branch, action, card, barcode, outcome, detail FROM audit"
      " ORDER BY at DESC, id DESC LIMIT ?1 OFFSET ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, int64_t{limit}).Bind(2, offset);
  std::vector<AuditEntry> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    AuditEntry e;
    e.id = s->Int(0);
    e.at = s->Int(1);
    e.staff = s->Text(2);
    e.branch = s->Text(3);
    e.action = s->Text(4);
    e.card = s->Text(5);
    e.barcode = s->Text(6);
    e.outcome = s->Text(7);
    e.detail = s->Text(8);
    out.push_back(std::move(e));
  }
  return out;
}

std::string AuditOutcome(const Status& s) {
  if (s.ok()) return "ok";
  if (s.refusal()) return s.message();
  return "error";
}

}  // namespace shiori::db
