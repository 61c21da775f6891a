// The back office's patron administration (db/patron_admin.h): staff's
// search, the card application and the 変更届, blocking a card, replacing a
// lost one. The checks of a patron's fields are patron.cc's (patron_internal.h).
#include "db/patron_admin.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "charset/charset.h"
#include "db/patron.h"
#include "db/patron_internal.h"
#include "db/session.h"
#include "db/sqlite.h"

namespace shiori::db {

const char kCardReplaced[] = "このカードは再発行済みです。";
const char kNoSuchCard[] = "このカード番号の利用者はいません。";

using detail::PatronWhere;

namespace {

const char kNoSuchPatron[] = "利用者が見つかりません。";

// A query holding a digit, ASCII or full-width, is a card number.
bool HasDigit(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const char32_t c = charset::NextCodePoint(s, &i);
    if ((c >= U'0' && c <= U'9') || (c >= U'０' && c <= U'９')) return true;
  }
  return false;
}

// NotFound with the counter's sentence for a number no patron holds now.
Status UnknownCard(Connection& c, std::string_view digits) {
  auto replaced = ReplacedCardOf(c, digits);
  if (!replaced.ok()) return replaced.status();
  return Status::NotFound(replaced->has_value() ? kCardReplaced : kNoSuchCard);
}

// The patron `id` as a row; NotFound when there is none.
Result<PatronRow> PatronById(Connection& c, int64_t id) {
  auto p = PatronWhere(c, "id = ?1", id);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return Status::NotFound(kNoSuchPatron);
  return std::move(**p);
}

Status CheckBlockReason(std::string_view reason) {
  if (!charset::IsValidUtf8(reason) || charset::HasControl(reason)) {
    return Status::Invalid(
        "利用停止の理由に使えない文字（改行や制御文字）が含まれています。1行で入力してください。");
  }
  if (reason.empty()) return Status::Invalid("利用停止の理由を入力してください。");
  if (charset::CodePointCount(reason) > kBlockReasonMax) {
    return Status::Invalid("利用停止の理由は" + std::to_string(kBlockReasonMax) +
                           "文字以内で入力してください。");
  }
  return Status::Ok();
}

Status SetStatus(Connection& c, int64_t id, const char* status,
                 const std::optional<std::string>& reason) {
  auto up = c.Prepare(
      "UPDATE patrons SET status = ?2, block_reason = ?3,"
      " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE id = ?1");
  if (!up.ok()) return up.status();
  return up->Bind(1, id).Bind(2, status).Bind(3, reason).Run();
}

}  // namespace

Result<PatronMatches> FindPatrons(Connection& c, std::string_view query, int limit) {
  limit = std::clamp(limit, 1, kPatronFindLimit);
  const std::string_view q = charset::Trim(query);
  if (q.empty()) return Status::Invalid("カード番号か氏名(カナ)を入力してください。");
  PatronMatches out;
  if (HasDigit(q)) {
    const std::string card = charset::NormalizeDigits(q);
    SHIORI_RETURN_IF_ERROR(detail::CheckCardNumber(card));
    auto p = PatronWhere(c, "card = ?1", card);
    if (!p.ok()) return p.status();
    if (p->has_value()) out.rows.push_back(std::move(**p));
    return out;
  }
  const std::string prefix = charset::NormalizeNameKana(q);
  if (!detail::IsKatakanaName(prefix)) {
    return Status::Invalid("氏名(カナ)はカタカナかひらがなで入力してください。");
  }
  auto s = c.Prepare(std::string("SELECT ") + detail::kPatronColumns + " FROM patrons");
  if (!s.ok()) return s.status();
  struct Match {
    std::string key;  // collation key of the normalised name
    PatronRow row;
  };
  std::vector<Match> matches;
  const charset::Collator& collator = charset::JapaneseCollator();
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    std::string name = charset::NormalizeNameKana(s->Text(2));
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    matches.push_back({collator.Key(name), detail::ReadPatronRow(*s)});
  }
  std::sort(matches.begin(), matches.end(), [](const Match& a, const Match& b) {
    return a.key != b.key ? a.key < b.key : a.row.card < b.row.card;
  });
  out.more = matches.size() > static_cast<size_t>(limit);
  if (out.more) matches.resize(static_cast<size_t>(limit));
  for (auto& m : matches) out.rows.push_back(std::move(m.row));
  return out;
}

Result<PatronRow> CardHolder(Connection& c, std::string_view card) {
  const std::string digits = charset::NormalizeDigits(card);
  auto p = PatronWhere(c, "card = ?1", digits);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return UnknownCard(c, digits);
  return std::move(**p);
}

Result<int64_t> RegisterPatron(Connection& c, const PatronInput& in) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto f = detail::CheckPatronInput(c, in, true);
  if (!f.ok()) return f.status();
  SHIORI_RETURN_IF_ERROR(detail::RefuseReplacedCard(c, f->card));
  auto existing = PatronWhere(c, "card = ?1", f->card);
  if (!existing.ok()) return existing.status();
  if (existing->has_value()) return Status::Conflict("カード番号はすでに登録されています。");
  auto id = detail::InsertPatron(c, *f);
  if (!id.ok()) return id.status();
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return *id;
}

Status ChangePatron(Connection& c, int64_t patron_id, const PatronInput& in) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto p = PatronById(c, patron_id);
  if (!p.ok()) return p.status();
  const std::string_view card = charset::Trim(in.card);
  if (!card.empty() && card != p->card) {
    return Status::Invalid(
        "カード番号はここでは変えられません。なくしたカードは再発行の手続きをしてください。");
  }
  auto f = detail::CheckPatronInput(c, in, false);
  if (!f.ok()) return f.status();
  SHIORI_RETURN_IF_ERROR(detail::UpdatePatronFields(c, patron_id, *f));
  return tx.Commit();
}

Status BlockPatron(Connection& c, int64_t patron_id, std::string_view reason) {
  const std::string_view why = charset::Trim(reason);
  SHIORI_RETURN_IF_ERROR(CheckBlockReason(why));
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto p = PatronById(c, patron_id);
  if (!p.ok()) return p.status();
  if (p->status == "blocked") {
    return Status::Conflict(
        "この利用者カードはすでに利用停止中です（理由を変えるときは、先に解除してください）。");
  }
  if (p->status != "active") {
    return Status::Conflict("この利用者カードは有効期限切れのため、利用停止にはできません。");
  }
  SHIORI_RETURN_IF_ERROR(SetStatus(c, patron_id, "blocked", std::string(why)));
  // Whoever is logged in with the card now is logged out.
  SHIORI_RETURN_IF_ERROR(EndPatronSessions(c, patron_id).status());
  return tx.Commit();
}

Status UnblockPatron(Connection& c, int64_t patron_id) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto p = PatronById(c, patron_id);
  if (!p.ok()) return p.status();
  if (p->status != "blocked") {
    return Status::Conflict("この利用者カードは利用停止中ではありません。");
  }
  SHIORI_RETURN_IF_ERROR(SetStatus(c, patron_id, "active", std::nullopt));
  return tx.Commit();
}

Result<int64_t> ReplaceCard(Connection& c, std::string_view old_card, std::string_view new_card,
                            int64_t now) {
  SHIORI_RETURN_IF_ERROR(detail::CheckCardNumber(new_card, "新しいカード番号"));
  const std::string next(charset::Trim(new_card));
  const std::string old = charset::NormalizeDigits(old_card);
  if (old == next) return Status::Invalid("新しいカード番号が今のカード番号と同じです。");
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto p = PatronWhere(c, "card = ?1", old);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return UnknownCard(c, old);
  const int64_t id = (*p)->id;
  auto taken = PatronWhere(c, "card = ?1", next);
  if (!taken.ok()) return taken.status();
  if (taken->has_value()) return Status::Conflict("新しいカード番号はすでに登録されています。");
  SHIORI_RETURN_IF_ERROR(detail::RefuseReplacedCard(c, next, "新しいカード番号"));

  auto up = c.Prepare(
      "UPDATE patrons SET card = ?2, updated_at = strftime('%Y-%m-%dT%H:%M:%SZ','now')"
      " WHERE id = ?1");
  if (!up.ok()) return up.status();
  SHIORI_RETURN_IF_ERROR(up->Bind(1, id).Bind(2, next).Run());
  auto keep =
      c.Prepare("INSERT INTO replaced_cards(card, patron_id, replaced_at) VALUES(?1,?2,?3)");
  if (!keep.ok()) return keep.status();
  SHIORI_RETURN_IF_ERROR(keep->Bind(1, (*p)->card).Bind(2, id).Bind(3, now).Run());
  // Whoever found the lost card and logged in with it is logged out.
  SHIORI_RETURN_IF_ERROR(EndPatronSessions(c, id).status());
  SHIORI_RETURN_IF_ERROR(tx.Commit());
  return id;
}

Result<std::optional<ReplacedCard>> ReplacedCardOf(Connection& c, std::string_view card) {
  auto s = c.Prepare("SELECT card, patron_id, replaced_at FROM replaced_cards WHERE card = ?1");
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, charset::NormalizeDigits(card)).Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<ReplacedCard>();
  return std::optional<ReplacedCard>(ReplacedCard{s->Text(0), s->Int(1), s->Int(2)});
}

}  // namespace shiori::db
