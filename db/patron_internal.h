// Internal to db/: what patron.cc (staff records, the lookups) shares with
// patron_admin.cc (the back office's patron administration): the checks of
// the card application form, the writes of a patron's fields, the row read.
#ifndef SHIORI_DB_PATRON_INTERNAL_H_
#define SHIORI_DB_PATRON_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "db/patron.h"
#include "db/sqlite.h"

namespace shiori::db::detail {

// A PatronInput that passed CheckPatronInput: trimmed, e-mail normalised.
struct PatronFields {
  std::string card, name_kana, phone, email, home_branch;  // "" for none
};

// True when `normalized` (NormalizeNameKana's output) is non-empty and all
// katakana, ー included: a name as the card application takes it.
bool IsKatakanaName(std::string_view normalized);

// OK when `card` (trimmed) is 4..16 ASCII digits; else Invalid
// "<field>は半角数字4〜16桁で入力してください。".
Status CheckCardNumber(std::string_view card, std::string_view field = "カード番号");

// UpsertPatron's checks (db/patron.h), in its order, and the values as they
// are stored. `with_card`: false skips the card (a change by patron id).
Result<PatronFields> CheckPatronInput(Connection& c, const PatronInput& in, bool with_card);

// Conflict (Japanese, naming `field`) when `card` is a number replaced by
// ReplaceCard: it stays refused for good.
Status RefuseReplacedCard(Connection& c, std::string_view card,
                          std::string_view field = "カード番号");

// Inserts a patron with `f` (status active, no password); returns its id.
Result<int64_t> InsertPatron(Connection& c, const PatronFields& f);

// Writes name, phone, e-mail and home branch of patron `id` (not the card);
// an address removed turns the patron's active mail holds to 'none', as
// RemoveEmail does. NotFound (Japanese) for an unknown id.
Status UpdatePatronFields(Connection& c, int64_t id, const PatronFields& f);

// The columns of a PatronRow, in ReadPatronRow's order, for "SELECT ... FROM patrons".
extern const char kPatronColumns[];
PatronRow ReadPatronRow(const Stmt& s);

// The patron the one-parameter condition `where` finds ("card = ?1"), or nullopt.
template <typename Value>
Result<std::optional<PatronRow>> PatronWhere(Connection& c, const char* where, const Value& v) {
  auto s = c.Prepare(std::string("SELECT ") + kPatronColumns + " FROM patrons WHERE " + where);
  if (!s.ok()) return s.status();
  auto r = s->Bind(1, v).Step();
  if (!r.ok()) return r.status();
  if (!*r) return std::optional<PatronRow>();
  return std::optional<PatronRow>(ReadPatronRow(*s));
}

}  // namespace shiori::db::detail

#endif  // SHIORI_DB_PATRON_INTERNAL_H_
