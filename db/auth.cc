// Patron authentication: password registration by name and phone, login
// with lockout, password changes, the failure counters behind the lockout
// and staff's unlock of a card. The patron records are in patron.cc.
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "base/hash.h"
#include "charset/charset.h"
#include "db/outbox.h"
#include "db/password_internal.h"
#include "db/patron.h"
#include "db/session.h"
#include "db/sqlite.h"

namespace shiori::db {

const char kRegistrationMismatch[] =
    "ご入力の内容では登録できませんでした。"
    "図書館でカードを作ったときの氏名・電話番号でお試しください。"
    "登録できないときは、お近くの図書館のカウンターにお問い合わせください。";
const char kLoginMismatch[] = "カード番号またはパスワードが違います。";
const char kCardBlocked[] =
    "このカードは現在ご利用いただけません。お近くの図書館のカウンターにお問い合わせください。";
const char detail::kDummyHash[] =
    "$argon2id$v=19$m=19456,t=2,p=1$JqAjfzNbM9HIL27DKJiEzg$"
    "F7enLktcXr/ChmiBtt0HM/CDstLjgDKdTt1pvzeoXhE";

namespace {

// Failure counter kinds (auth_failures.kind).
constexpr char kLoginCard[] = "login_card";
constexpr char kLoginKey[] = "login_key";
constexpr char kRegisterCard[] = "register_card";
constexpr char kRegisterKey[] = "register_key";
// One counter per client address for login and registration together.
constexpr char kSource[] = "source";

// A card number never has more digits than this; longer input cannot match
// and is cut so a counter key stays small.
constexpr size_t kCardKeyMax = 32;
using detail::kDummyHash;
using detail::kPasswordInputMax;

std::string CardKey(std::string_view card) {
  std::string k = charset::NormalizeDigits(card);
  if (k.size() > kCardKeyMax) k.resize(kCardKeyMax);
  return k;
}

// Keyed BLAKE2b of a throttle key (it may be a session token): hex, or "" for "".
std::string ThrottleKeyHash(std::string_view key) {
  if (key.empty()) return std::string();
  return Blake2bHex(key, "shiori/auth_failures/v1");
}

std::string Minutes(int64_t seconds) {
  return std::to_string(seconds <= 60 ? 1 : (seconds + 59) / 60);
}

std::string LockedMessage(const Throttle& t) {
  return "入力の誤りが続いたため、しばらくご利用いただけません。" + Minutes(t.lock_seconds) +
         "分後にもう一度お試しください。";
}

// ---------------------------------------------------------------- counters

// A counter to consult or bump; an empty key is no counter.
struct Counter {
  const char* kind;
  std::string key;
  // A device's counter, for an attempt on this card: its failures up to
  // staff's last `patron unlock` of the card do not lock the card's patron
  // out (UnlockCard).
  std::string card = {};
};

bool IsCard(const Counter& k) { return k.kind == kLoginCard || k.kind == kRegisterCard; }
bool IsSource(const Counter& k) { return k.kind == kSource; }

// Card counters always count (an empty card number is one more unknown card);
// a key or source counter only when the caller gave one.
bool Counts(const Counter& k) { return !k.key.empty() || IsCard(k); }

// How long after its last failure a counter is forgotten.
int64_t Window(const Counter& k, const Throttle& t) {
  return IsSource(k) ? t.source_window_seconds : t.lock_seconds;
}

// The wait a card's counter imposes after `failures` failures: none up to
// max_failures, then 2, 4, 8 ... seconds, at most card_delay_max_seconds.
int64_t CardDelay(int64_t failures, const Throttle& t) {
  if (failures <= t.max_failures) return 0;
  const int64_t over = failures - t.max_failures;
  if (over >= 30) return t.card_delay_max_seconds;
  return std::min<int64_t>(int64_t{1} << over, t.card_delay_max_seconds);
}

// Ok, or Locked with the sentence for the patron, when counter `k` holds the
// attempt back at `now`: a key (one session or device) after max_failures for
// lock_seconds; a card for its growing delay after its last failure; a client
// address after source_max_failures within source_window_seconds.
Status Locked(Connection& c, const Counter& k, const Throttle& t, int64_t now) {
  if (!Counts(k)) return Status::Ok();
  Status err;
  Stmt* s = c.Cached(
      "SELECT failures, last_at FROM auth_failures WHERE kind = ?1 AND key = ?2"
      " AND ?3 - last_at < ?4"
      " AND last_at > ifnull((SELECT at FROM card_unlocks WHERE card = ?5), -1)",
      &err);
  if (!s) return err;
  s->Bind(1, k.kind).Bind(2, k.key).Bind(3, now).Bind(4, Window(k, t)).Bind(5, k.card);
  auto r = s->Step();
  int64_t failures = 0, last_at = 0;
  if (r.ok() && *r) {
    failures = s->Int(0);
    last_at = s->Int(1);
  }
  s->Reset();  // ends the statement's read
  if (!r.ok()) return r.status();
  if (failures == 0) return Status::Ok();
  if (IsCard(k)) {
    const int64_t wait = last_at + CardDelay(failures, t) - now;
    if (wait <= 0) return Status::Ok();
    return Status::Locked("入力の誤りが続いたため、このカード番号は" + std::to_string(wait) +
                          "秒後までご利用いただけません。少し待ってからもう一度お試しください。");
  }
  if (IsSource(k)) {
    if (failures < t.source_max_failures) return Status::Ok();
    return Status::Locked(
        "この接続元からの入力の誤りが多いため、しばらくご利用いただけません。" +
        Minutes(last_at + t.source_window_seconds - now) + "分後にもう一度お試しください。");
  }
  if (failures < t.max_failures) return Status::Ok();
  return Status::Locked(LockedMessage(t));
}

// The first lock among `ks`, or Ok.
Status CheckLocks(Connection& c, std::initializer_list<const Counter*> ks, const Throttle& t,
                  int64_t now) {
  for (const Counter* k : ks) SHIORI_RETURN_IF_ERROR(Locked(c, *k, t, now));
  return Status::Ok();
}

// One more failure; a counter forgotten (lock_seconds after its last failure)
// starts again at 1.
Status RecordFailure(Connection& c, const Counter& k, const Throttle& t, int64_t now) {
  if (!Counts(k)) return Status::Ok();
  Status err;
  Stmt* s = c.Cached(
      "INSERT INTO auth_failures(kind, key, failures, last_at) VALUES(?1, ?2, 1, ?3)"
      " ON CONFLICT(kind, key) DO UPDATE SET"
      "  failures = CASE WHEN ?3 - last_at >= ?4 THEN 1 ELSE failures + 1 END,"
      "  last_at = ?3",
      &err);
  if (!s) return err;
  return s->Bind(1, k.kind).Bind(2, k.key).Bind(3, now).Bind(4, Window(k, t)).Run();
}

Status ClearFailures(Connection& c, const Counter& k) {
  if (!Counts(k)) return Status::Ok();
  Status err;
  Stmt* s = c.Cached("DELETE FROM auth_failures WHERE kind = ?1 AND key = ?2", &err);
  if (!s) return err;
  return s->Bind(1, k.kind).Bind(2, k.key).Run();
}

// After a success on `card`: forgets the card's counter and takes as many
// failures off `key` as the card's live counter held (the patron's own
// mistypes, the attempt itself included in Login), so a patron who finally
// gets it right is not locked out of her own device. Failures on other cards
// stay on the key.
Status SettleSuccess(Connection& c, const Counter& card, std::initializer_list<const Counter*> keys,
                     const Throttle& t, int64_t now) {
  int64_t own = 0;
  {
    Status err;
    Stmt* s = c.Cached(
        "SELECT failures FROM auth_failures WHERE kind = ?1 AND key = ?2 AND ?3 - last_at < ?4",
        &err);
    if (!s) return err;
    auto r = s->Bind(1, card.kind).Bind(2, card.key).Bind(3, now).Bind(4, t.lock_seconds).Step();
    if (r.ok() && *r) own = s->Int(0);
    s->Reset();
    if (!r.ok()) return r.status();
  }
  SHIORI_RETURN_IF_ERROR(ClearFailures(c, card));
  for (const Counter* key : keys) {
    if (own == 0 || !Counts(*key)) continue;
    Status err;
    Stmt* s = c.Cached(
        "UPDATE auth_failures SET failures = max(failures - ?3, 0) WHERE kind = ?1 AND key = ?2",
        &err);
    if (!s) return err;
    SHIORI_RETURN_IF_ERROR(s->Bind(1, key->kind).Bind(2, key->key).Bind(3, own).Run());
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- patrons

// What identity checks need of a patron.
struct Credentials {
  int64_t id = 0;
  std::string card, name_kana, phone, status;
  std::optional<std::string> hash;
};

Result<std::optional<Credentials>> ReadCredentials(Connection& c, const char* where,
                                                   const std::function<void(Stmt&)>& bind) {
  Status err;
  Stmt* s = c.Cached(std::string("SELECT id, card, name_kana, phone, status, password_hash"
                                 " FROM patrons WHERE ") +
                         where,
                     &err);
  if (!s) return err;
  bind(*s);
  auto r = s->Step();
  if (!r.ok()) {
    s->Reset();
    return r.status();
  }
  std::optional<Credentials> out;
  if (*r) {
    out.emplace();
    out->id = s->Int(0);
    out->card = s->Text(1);
    out->name_kana = s->Text(2);
    out->phone = s->Text(3);
    out->status = s->Text(4);
    out->hash = s->OptText(5);
  }
  s->Reset();
  return out;
}

Result<std::optional<Credentials>> CredentialsByCard(Connection& c, const std::string& card_key) {
  return ReadCredentials(c, "card = ?1", [&](Stmt& s) { s.Bind(1, card_key); });
}

Result<std::optional<Credentials>> CredentialsById(Connection& c, int64_t id) {
  return ReadCredentials(c, "id = ?1", [&](Stmt& s) { s.Bind(1, id); });
}

// The record matches what the patron typed (both sides normalised).
bool Matches(const Credentials& p, std::string_view name_kana, std::string_view phone) {
  const std::string digits = charset::NormalizeDigits(phone);
  return !digits.empty() && charset::SameNameKana(name_kana, p.name_kana) &&
         digits == charset::NormalizeDigits(p.phone);
}

// Ok for an active card; else the refusal Login and RegisterPassword give
// the patron, once she has proved who she is.
Status RefuseInactive(const Credentials& p) {
  if (p.status == "blocked") return Status::Conflict(kCardBlocked);
  if (p.status != "active") {
    return Status::Conflict(
        "カードの有効期限が切れています。お近くの図書館のカウンターで更新の手続きをしてください。");
  }
  return Status::Ok();
}

}  // namespace

// ---------------------------------------------------------------- checks

Status CheckPassword(std::string_view password, const PasswordPolicy& p) {
  bool ok = static_cast<int64_t>(password.size()) >= p.min_length &&
            static_cast<int64_t>(password.size()) <= p.max_length;
  for (char ch : password) {
    if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'))) {
      ok = false;
    }
  }
  if (ok) return Status::Ok();
  std::string range = p.min_length == p.max_length
                          ? std::to_string(p.min_length)
                          : std::to_string(p.min_length) + "〜" + std::to_string(p.max_length);
  return Status::Invalid("パスワードは半角英数字" + range + "文字で入力してください。");
}

// ---------------------------------------------------------------- registration and login

namespace {

// Queues a security notice to the patron's address as it is now, when there
// is one: a later change of the address does not take the notice with it.
Status QueueToPatron(Connection& c, std::string_view kind, int64_t patron_id,
                     std::string_view detail, int64_t now, const NoticeLimits& limits) {
  auto s = c.Prepare("SELECT email FROM patrons WHERE id = ?1 AND email IS NOT NULL");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, patron_id).Step();
  if (!r.ok()) return r.status();
  if (!*r) return Status::Ok();
  const std::string address = s->Text(0);
  s->Reset();
  return QueueNotice(c, kind, patron_id, address, detail, now, limits);
}

}  // namespace

Status RegisterPassword(Connection& c, std::string_view card, std::string_view name_kana,
                        std::string_view phone, std::string_view password,
                        std::string_view throttle_key, const PasswordPolicy& pol,
                        const PasswordHashing& h, const Throttle& t, int64_t now,
                        std::string_view device_class, const NoticeLimits& limits,
                        std::string_view source_key) {
  const std::string pw = charset::NormalizePassword(password);
  SHIORI_RETURN_IF_ERROR(CheckPassword(pw, pol));

  const std::string card_key = CardKey(card);
  const Counter by_card{kRegisterCard, card_key};
  const Counter by_key{kRegisterKey, ThrottleKeyHash(throttle_key), card_key};
  const Counter by_source{kSource, ThrottleKeyHash(source_key)};

  // A first look without the write lock: a locked attempt costs nothing, and
  // the password is hashed only for matching data, before the lock is taken.
  SHIORI_RETURN_IF_ERROR(CheckLocks(c, {&by_source, &by_key, &by_card}, t, now));
  std::optional<std::string> hash;
  {
    auto p = CredentialsByCard(c, card_key);
    if (!p.ok()) return p.status();
    if (p->has_value() && Matches(**p, name_kana, phone) && RefuseInactive(**p).ok()) {
      auto hh = HashPassword(pw, h);
      if (!hh.ok()) return hh.status();
      hash = std::move(hh).value();
    }
  }

  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  SHIORI_RETURN_IF_ERROR(CheckLocks(c, {&by_source, &by_key, &by_card}, t, now));
  auto p = CredentialsByCard(c, card_key);
  if (!p.ok()) return p.status();
  if (!p->has_value() || !Matches(**p, name_kana, phone)) {
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_card, t, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_key, t, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_source, t, now));
    SHIORI_RETURN_IF_ERROR(tx.Commit());
    return Status::Invalid(kRegistrationMismatch);
  }
  // Told only now that name and phone proved who asks; not a failure, and
  // nothing is written (the transaction is rolled back).
  SHIORI_RETURN_IF_ERROR(RefuseInactive(**p));
  if (!hash) {  // the record changed to match after the first look: rare
    auto hh = HashPassword(pw, h);
    if (!hh.ok()) return hh.status();
    hash = std::move(hh).value();
  }
  const int64_t id = (*p)->id;
  auto up = c.Prepare(
      "UPDATE patrons SET password_hash = ?2,"
      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, id).Bind(2, *hash).Run());
  SHIORI_RETURN_IF_ERROR(EndPatronSessions(c, id).status());
  SHIORI_RETURN_IF_ERROR(QueueToPatron(c, "password_registered", id, device_class, now, limits));
  SHIORI_RETURN_IF_ERROR(SettleSuccess(c, by_card, {&by_key, &by_source}, t, now));
  const Counter login_key{kLoginKey, by_key.key};
  SHIORI_RETURN_IF_ERROR(SettleSuccess(c, Counter{kLoginCard, card_key}, {&login_key}, t, now));
  return tx.Commit();
}

Result<int64_t> Login(Connection& c, std::string_view card, std::string_view password,
                      std::string_view throttle_key, const Throttle& t, int64_t now,
                      std::string_view source_key) {
  const std::string pw = charset::NormalizePassword(password);
  const Counter by_card{kLoginCard, CardKey(card)};
  const Counter by_key{kLoginKey, ThrottleKeyHash(throttle_key), by_card.key};
  const Counter by_source{kSource, ThrottleKeyHash(source_key)};

  // Count the attempt as a failure before verifying, so guesses made in
  // parallel cannot get past max_failures; a success settles it.
  std::optional<Credentials> p;
  {
    Transaction tx(c);
    SHIORI_RETURN_IF_ERROR(tx.begun());
    SHIORI_RETURN_IF_ERROR(CheckLocks(c, {&by_source, &by_key, &by_card}, t, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_card, t, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_key, t, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_source, t, now));
    auto r = CredentialsByCard(c, by_card.key);
    if (!r.ok()) return r.status();
    p = std::move(r).value();
    SHIORI_RETURN_IF_ERROR(tx.Commit());
  }
  bool right = false;
  if (pw.size() <= kPasswordInputMax) {
    const bool known = p && p->hash;
    right = VerifyPassword(known ? *p->hash : kDummyHash, pw) && known;
  }
  if (!right) return Status::Invalid(kLoginMismatch);
  {
    Transaction tx(c);
    SHIORI_RETURN_IF_ERROR(tx.begun());
    SHIORI_RETURN_IF_ERROR(SettleSuccess(c, by_card, {&by_key, &by_source}, t, now));
    SHIORI_RETURN_IF_ERROR(tx.Commit());
  }
  SHIORI_RETURN_IF_ERROR(RefuseInactive(*p));
  return p->id;
}

Status ChangePassword(Connection& c, int64_t patron_id, std::string_view current,
                      std::string_view next, int64_t keep_session_id, const PasswordPolicy& pol,
                      const PasswordHashing& h, const Throttle& t, int64_t now,
                      std::string_view device_class, const NoticeLimits& limits) {
  const std::string cur = charset::NormalizePassword(current);
  const std::string nxt = charset::NormalizePassword(next);
  SHIORI_RETURN_IF_ERROR(CheckPassword(nxt, pol));

  std::optional<Credentials> p;
  Counter by_card{kLoginCard, ""};
  {  // as in Login: the attempt is counted before verifying
    Transaction tx(c);
    SHIORI_RETURN_IF_ERROR(tx.begun());
    auto r = CredentialsById(c, patron_id);
    if (!r.ok()) return r.status();
    if (!r->has_value()) return Status::NotFound("利用者が見つかりません。");
    p = std::move(r).value();
    by_card.key = CardKey(p->card);
    SHIORI_RETURN_IF_ERROR(CheckLocks(c, {&by_card}, t, now));
    SHIORI_RETURN_IF_ERROR(RecordFailure(c, by_card, t, now));
    SHIORI_RETURN_IF_ERROR(tx.Commit());
  }
  if (!p->hash || cur.size() > kPasswordInputMax || !VerifyPassword(*p->hash, cur)) {
    return Status::Invalid("現在のパスワードが違います。");
  }
  auto hash = HashPassword(nxt, h);
  if (!hash.ok()) return hash.status();

  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto up = c.Prepare(
      "UPDATE patrons SET password_hash = ?3,"
      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
      " WHERE id = ?1 AND password_hash = ?2");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, patron_id).Bind(2, *p->hash).Bind(3, *hash).Run());
  if (c.Changes() == 0) {
    return Status::Conflict(
        "パスワードは別の画面で変更されました。新しいパスワードでログインし直してください。");
  }
  SHIORI_RETURN_IF_ERROR(EndPatronSessions(c, patron_id, keep_session_id).status());
  SHIORI_RETURN_IF_ERROR(
      QueueToPatron(c, "password_changed", patron_id, device_class, now, limits));
  SHIORI_RETURN_IF_ERROR(SettleSuccess(c, by_card, {}, t, now));
  return tx.Commit();
}

Result<int> UnlockCard(Connection& c, std::string_view card, int64_t now) {
  auto p = FindPatronByCard(c, card);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return Status::NotFound("no patron has this card number");
  const std::string key = CardKey(card);
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto s = c.Prepare("DELETE FROM auth_failures WHERE kind IN (?1, ?2) AND key = ?3");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(s->Bind(1, kLoginCard).Bind(2, kRegisterCard).Bind(3, key).Run());
  const int forgotten = c.Changes();
  // The patron's own phone or browser counted the same failures: they no
  // longer lock this card (a later failure from it counts again).
  auto u = c.Prepare(
      "INSERT INTO card_unlocks(card, at) VALUES(?1, ?2)"
      " ON CONFLICT(card) DO UPDATE SET at = excluded.at");
  if (!u.ok()) return u.status();
  SHIORI_RETURN_IF_ERROR(u->Bind(1, key).Bind(2, now).Run());
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return forgotten;
}

Result<int> PurgeAuthFailures(Connection& c, const Throttle& t, int64_t now) {
  auto u = c.Prepare("DELETE FROM card_unlocks WHERE at <= ?1");  // no counter is older
  if (!u.ok()) return u.status();
  SHIORI_RETURN_IF_ERROR(u->Bind(1, now - t.lock_seconds).Run());
  auto s = c.Prepare("DELETE FROM auth_failures WHERE last_at <= ?1 - (CASE kind WHEN ?2 THEN ?3 ELSE ?4 END)");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(
      s->Bind(1, now).Bind(2, kSource).Bind(3, t.source_window_seconds).Bind(4, t.lock_seconds).Run());
  return c.Changes();
}

}  // namespace shiori::db
