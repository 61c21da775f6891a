// Patron records: staff's records (patron add, import) with the checks and
// writes the back office shares (patron_internal.h), the lookups by card and
// id, e-mail addresses (their form; their change, confirmed from the new
// mailbox; the holds that notify by mail). Logins, passwords and the lockout
// are in auth.cc; the back office's patron administration in patron_admin.cc.
#include "db/patron.h"

#include <optional>
#include <string>
#include <string_view>

#include "base/hash.h"
#include "charset/charset.h"
#include "db/outbox.h"
#include "db/patron_internal.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

// Active mail holds of the patron become 'none'; returns how many.
Result<int> MailHoldsToNone(Connection& c, int64_t patron_id) {
  auto s = c.Prepare(
      "UPDATE holds SET contact = 'none'"
      " WHERE patron_id = ?1 AND contact = 'mail' AND status IN ('waiting','ready')");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(s->Bind(1, patron_id).Run());
  return c.Changes();
}

bool AllAsciiDigits(std::string_view s) {
  for (char ch : s) {
    if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// ---------------------------------------------------------------- e-mail

bool IsAtext(char ch) {
  if ((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-/=?^_`{|}~").find(ch) != std::string_view::npos;
}

bool IsCarrierDomain(std::string_view domain) {
  static constexpr std::string_view kCarriers[] = {
      "docomo.ne.jp",  "ezweb.ne.jp",   "au.com",     "softbank.ne.jp",
      "i.softbank.jp", "ymobile.ne.jp", "willcom.com"};
  for (std::string_view d : kCarriers) {
    if (d.size() != domain.size()) continue;
    bool same = true;
    for (size_t i = 0; i < d.size() && same; ++i) {
      char ch = domain[i];
      if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
      same = ch == d[i];
    }
    if (same) return true;
  }
  return false;
}

bool ValidDomain(std::string_view d) {
  if (d.empty() || d.size() > 255 || d.find('.') == std::string_view::npos) return false;
  std::string_view last;
  size_t pos = 0;
  while (true) {
    const size_t dot = d.find('.', pos);
    const std::string_view label =
        d.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char ch : label) {
      const bool alnum =
          (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
      if (!alnum && ch != '-') return false;
    }
    last = label;
    if (dot == std::string_view::npos) break;
    pos = dot + 1;
  }
  return !AllAsciiDigits(last);  // "a@1.2.3.4" is not a host name
}

}  // namespace

// ---------------------------------------------------------------- e-mail addresses

std::string NormalizeEmailInput(std::string_view s) {
  return std::string(charset::Trim(charset::NormalizePassword(s)));
}

Status ValidateEmail(std::string_view email) {
  if (email.empty()) return Status::Invalid("メールアドレスを入力してください。");
  for (char ch : email) {
    const auto u = static_cast<unsigned char>(ch);
    if (u >= 0x80 || u <= 0x20 || u == 0x7F) {
      return Status::Invalid(
          "メールアドレスに使えない文字が含まれています。半角の英数字と記号で入力してください。");
    }
  }
  if (email.size() > 254) return Status::Invalid("メールアドレスが長すぎます。");
  const Status bad = Status::Invalid("メールアドレスの形式が正しくありません。");
  const size_t at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
    return bad;
  }
  const std::string_view local = email.substr(0, at);
  const std::string_view domain = email.substr(at + 1);
  if (local.size() > 64) return Status::Invalid("メールアドレスの@より前が長すぎます。");
  if (local.empty() || !ValidDomain(domain)) return bad;
  const bool carrier = IsCarrierDomain(domain);
  if (local.front() == '.') return bad;
  if (!carrier && (local.back() == '.' || local.find("..") != std::string_view::npos)) return bad;
  for (char ch : local) {
    if (ch != '.' && !IsAtext(ch)) return bad;
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- staff

namespace detail {

bool IsKatakanaName(std::string_view normalized) {
  if (normalized.empty()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(normalized.data());
  size_t i = 0;
  while (i < normalized.size()) {
    // NormalizeNameKana output is valid UTF-8; katakana are 3-byte E3 82/83 xx.
    if (i + 3 > normalized.size() || p[i] != 0xE3) return false;
    const char32_t c = ((p[i] & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F);
    if (!((c >= 0x30A1 && c <= 0x30FA) || (c >= 0x30FC && c <= 0x30FE))) return false;
    i += 3;
  }
  return true;
}

Status CheckCardNumber(std::string_view card, std::string_view field) {
  const std::string_view digits = charset::Trim(card);
  if (digits.size() < 4 || digits.size() > 16 || !AllAsciiDigits(digits)) {
    return Status::Invalid(std::string(field) + "は半角数字4〜16桁で入力してください。");
  }
  return Status::Ok();
}

Result<PatronFields> CheckPatronInput(Connection& c, const PatronInput& in, bool with_card) {
  PatronFields f;
  if (with_card) {
    SHIORI_RETURN_IF_ERROR(CheckCardNumber(in.card));
    f.card = std::string(charset::Trim(in.card));
  }
  f.name_kana = std::string(charset::Trim(in.name_kana));
  if (!IsKatakanaName(charset::NormalizeNameKana(f.name_kana))) {
    return Status::Invalid("氏名(カナ)はカタカナで入力してください。");
  }
  f.phone = std::string(charset::Trim(in.phone));
  const size_t digits = charset::NormalizeDigits(f.phone).size();
  if (digits < 6 || digits > 15) {
    return Status::Invalid("電話番号は6〜15桁の数字で入力してください。");
  }
  // Stored as typed and read out at the counter: no control character.
  if (charset::HasControl(f.phone))
    return Status::Invalid("電話番号に使えない文字が含まれています。");
  f.email = NormalizeEmailInput(in.email);
  if (!f.email.empty()) SHIORI_RETURN_IF_ERROR(ValidateEmail(f.email));
  f.home_branch = std::string(charset::Trim(in.home_branch));
  if (!f.home_branch.empty()) {
    auto b = c.Prepare("SELECT 1 FROM branches WHERE code = ?1");
    if (!b.ok()) return b.status();
    auto r = b->Bind(1, f.home_branch).Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Invalid("登録館「" + f.home_branch + "」はありません。");
  }
  return f;
}

Status RefuseReplacedCard(Connection& c, std::string_view card, std::string_view field) {
  auto s = c.Prepare("SELECT 1 FROM replaced_cards WHERE card = ?1");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, card).Step();
  if (!r.ok()) return r.status();
  if (*r) return Status::Conflict(std::string(field) + "は再発行済みの旧番号のため使えません。");
  return Status::Ok();
}

Result<int64_t> InsertPatron(Connection& c, const PatronFields& f) {
  auto ins = c.Prepare(
      "INSERT INTO patrons(card, name_kana, phone, email, home_branch) VALUES(?1,?2,?3,?4,?5)");
  if (!ins.ok()) return ins.status();
  SHIORI_RETURN_IF_ERROR(ins->Bind(1, f.card)
                             .Bind(2, f.name_kana)
                             .Bind(3, f.phone)
                             .Bind(4, NonEmpty(f.email))
                             .Bind(5, NonEmpty(f.home_branch))
                             .Run());
  return c.LastInsertId();
}

Status UpdatePatronFields(Connection& c, int64_t id, const PatronFields& f) {
  auto old = c.Prepare("SELECT ifnull(email,'') <> '' FROM patrons WHERE id = ?1");
  if (!old.ok()) return old.status();
  auto found = old->Bind(1, id).Step();
  if (!found.ok()) return found.status();
  if (!*found) return Status::NotFound("利用者が見つかりません。");
  const bool had_email = old->Int(0) != 0;
  old->Reset();
  auto up = c.Prepare(
      "UPDATE patrons SET name_kana = ?2, phone = ?3, email = ?4, home_branch = ?5,"
      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, id)
                             .Bind(2, f.name_kana)
                             .Bind(3, f.phone)
                             .Bind(4, NonEmpty(f.email))
                             .Bind(5, NonEmpty(f.home_branch))
                             .Run());
  if (had_email && f.email.empty()) {
    auto n = MailHoldsToNone(c, id);
    if (!n.ok()) return n.status();
  }
  return Status::Ok();
}

const char kPatronColumns[] =
    "id, card, name_kana, phone, ifnull(email,''), ifnull(home_branch,''), status,"
    " ifnull(block_reason,''), password_hash IS NOT NULL";

PatronRow ReadPatronRow(const Stmt& s) {
  PatronRow p;
  p.id = s.Int(0);
  p.card = s.Text(1);
  p.name_kana = s.Text(2);
  p.phone = s.Text(3);
  p.email = s.Text(4);
  p.home_branch = s.Text(5);
  p.status = s.Text(6);
  p.block_reason = s.Text(7);
  p.has_password = s.Int(8) != 0;
  return p;
}

}  // namespace detail

Result<Upserted> UpsertPatron(Connection& c, const PatronInput& in) {
  auto f = detail::CheckPatronInput(c, in, true);
  if (!f.ok()) return f.status();
  SHIORI_RETURN_IF_ERROR(detail::RefuseReplacedCard(c, f->card));
  auto old = c.Prepare("SELECT id FROM patrons WHERE card = ?1");
  if (!old.ok()) return old.status();
  auto found = old->Bind(1, f->card).Step();
  if (!found.ok()) return found.status();
  if (!*found) {
    auto id = detail::InsertPatron(c, *f);
    if (!id.ok()) return id.status();
    return Upserted::kInserted;
  }
  const int64_t id = old->Int(0);
  old->Reset();
  SHIORI_RETURN_IF_ERROR(detail::UpdatePatronFields(c, id, *f));
  return Upserted::kUpdated;
}

Result<std::optional<PatronRow>> FindPatronByCard(Connection& c, std::string_view card) {
  return detail::PatronWhere(c, "card = ?1", charset::NormalizeDigits(card));
}

Result<std::optional<PatronRow>> FindPatronById(Connection& c, int64_t patron_id) {
  return detail::PatronWhere(c, "id = ?1", patron_id);
}

namespace {

// The confirmation code: 20 letters of base32 (100 random bits), short
// enough that the link fits one line of a phone's mail.
constexpr size_t kCodeLetters = 20;

std::string NewEmailCode(Random& random) {
  static constexpr char kBase32[] = "abcdefghijklmnopqrstuvwxyz234567";
  unsigned char b[13];
  random.Fill(b, sizeof b);
  std::string out;
  uint32_t bits = 0;
  int have = 0;
  size_t i = 0;
  while (out.size() < kCodeLetters) {
    if (have < 5) {
      bits = (bits << 8) | b[i++];
      have += 8;
    }
    out += kBase32[(bits >> (have - 5)) & 31];
    have -= 5;
  }
  return out;
}

// Keyed BLAKE2b of a code, hex: what is kept instead of the code.
std::string EmailCodeHash(std::string_view code) {
  return Blake2bHex(code, "shiori/email_changes/v1");
}

// The patron's address now ("" when none), or nullopt for an unknown patron.
Result<std::optional<std::string>> CurrentEmail(Connection& c, int64_t patron_id) {
  auto o = c.Prepare("SELECT ifnull(email,'') FROM patrons WHERE id = ?1");
  if (!o.ok()) return o.status();
  auto r = o->Bind(1, patron_id).Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<std::string>();
  return std::optional<std::string>(o->Text(0));
}

Status DropEmailChange(Connection& c, int64_t patron_id) {
  auto d = c.Prepare("DELETE FROM email_changes WHERE patron_id = ?1");
  if (!d.ok()) return d.status();
  return d->Bind(1, patron_id).Run();
}

}  // namespace

const char kEmailCodeUnusable[] =
    "有効期限が切れたか、すでに使われたか、あとの手続きで取り消されたリンクです"
    "（手続きをしたカードでログインしているかもお確かめください）。"
    "「Eメールアドレスの変更」から、もう一度手続きをしてください。";

Result<EmailChange> RequestEmailChange(Connection& c, int64_t patron_id, std::string_view email,
                                       Random& random, int64_t now, int64_t valid_s,
                                       const NoticeLimits& limits) {
  const std::string mail = NormalizeEmailInput(email);
  SHIORI_RETURN_IF_ERROR(ValidateEmail(mail));
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto old = CurrentEmail(c, patron_id);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::NotFound("利用者が見つかりません。");
  if (**old == mail) return Status::Invalid("いま登録されているアドレスと同じです。");
  const std::string code = NewEmailCode(random);
  EmailChange change{mail, now + valid_s};
  auto up = c.Prepare(
      "INSERT INTO email_changes(patron_id, address, code_hash, created_at, expires_at)"
      " VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(patron_id) DO UPDATE SET"
      " address = excluded.address, code_hash = excluded.code_hash,"
      " created_at = excluded.created_at, expires_at = excluded.expires_at");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, patron_id)
                             .Bind(2, mail)
                             .Bind(3, EmailCodeHash(code))
                             .Bind(4, now)
                             .Bind(5, change.expires_at)
                             .Run());
  SHIORI_RETURN_IF_ERROR(QueueNotice(c, "email_confirm", patron_id, mail, code, now, limits));
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return change;
}

Result<std::optional<EmailChange>> PendingEmailChange(Connection& c, int64_t patron_id,
                                                      int64_t now) {
  auto s = c.Prepare(
      "SELECT address, expires_at FROM email_changes WHERE patron_id = ?1 AND expires_at > ?2");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, patron_id).Bind(2, now).Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<EmailChange>();
  return std::optional<EmailChange>(EmailChange{s->Text(0), s->Int(1)});
}

Result<std::optional<EmailChange>> FindEmailChange(Connection& c, int64_t patron_id,
                                                   std::string_view code, int64_t now) {
  if (code.size() != kCodeLetters) return std::optional<EmailChange>();
  auto s = c.Prepare(
      "SELECT address, expires_at FROM email_changes"
      " WHERE patron_id = ?1 AND code_hash = ?2 AND expires_at > ?3");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, patron_id).Bind(2, EmailCodeHash(code)).Bind(3, now).Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<EmailChange>();
  return std::optional<EmailChange>(EmailChange{s->Text(0), s->Int(1)});
}

Result<std::string> ConfirmEmailChange(Connection& c, int64_t patron_id, std::string_view code,
                                       int64_t now, const NoticeLimits& limits) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto change = FindEmailChange(c, patron_id, code, now);
  if (!change.ok()) return change.status();
  if (!change->has_value()) return Status::Conflict(kEmailCodeUnusable);
  auto old = CurrentEmail(c, patron_id);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::NotFound("利用者が見つかりません。");
  const std::string& mail = (*change)->address;
  auto up = c.Prepare(
      "UPDATE patrons SET email = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
      " WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, patron_id).Bind(2, mail).Run());
  SHIORI_RETURN_IF_ERROR(DropEmailChange(c, patron_id));
  SHIORI_RETURN_IF_ERROR(CancelPendingNotices(c, patron_id, "email_confirm", "confirmed"));
  // Someone may have taken the account: the old address hears of it.
  if (!(*old)->empty() && **old != mail) {
    SHIORI_RETURN_IF_ERROR(QueueNotice(c, "email_changed", patron_id, **old, "old", now, limits));
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return mail;
}

Result<int> RemoveEmail(Connection& c, int64_t patron_id, int64_t now, const NoticeLimits& limits) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto old = CurrentEmail(c, patron_id);
  if (!old.ok()) return old.status();
  if (!old->has_value()) return Status::NotFound("利用者が見つかりません。");
  SHIORI_RETURN_IF_ERROR(DropEmailChange(c, patron_id));
  SHIORI_RETURN_IF_ERROR(
      CancelPendingNotices(c, patron_id, "email_confirm", "the address was removed"));
  int changed = 0;
  if (!(*old)->empty()) {
    auto up = c.Prepare(
        "UPDATE patrons SET email = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
        " WHERE id = ?1");
    if (!up.ok()) return up.status();
    SHIORI_RETURN_IF_ERROR(up->Bind(1, patron_id).Run());
    auto n = MailHoldsToNone(c, patron_id);
    if (!n.ok()) return n.status();
    changed = *n;
    SHIORI_RETURN_IF_ERROR(QueueNotice(c, "email_changed", patron_id, **old, "old", now, limits));
  }
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return changed;
}

Result<int> MailHoldCount(Connection& c, int64_t patron_id) {
  auto s = c.Prepare(
      "SELECT count(*) FROM holds"
      " WHERE patron_id = ?1 AND contact = 'mail' AND status IN ('waiting','ready')");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, patron_id).Step();
  if (!r.ok()) return r.status();
  return static_cast<int>(s->Int(0));
}

}  // namespace shiori::db
