// The catalogue's full-text search, around the FTS5 side in tokenizer.cc: the
// per-connection copy of the records' years, keeping the index in step with
// the records, ISBN handling, and the query with its bounded ranking and
// capped count.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/search_internal.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

using detail::kMaxCachedRowid;
using detail::kReadingMark;
using detail::RecordYears;

// ---------------------------------------------------------------- years

bool ReadYearsKey(Connection& c, int64_t* version, int64_t* max_id) {
  Stmt* s =
      c.Cached("SELECT (SELECT n FROM catalog_version), ifnull((SELECT max(id) FROM records), 0)");
  if (!s) return false;
  auto row = s->Step();
  const bool ok = row.ok() && *row && !s->IsNull(0);
  if (ok) {
    *version = s->Int(0);
    *max_id = s->Int(1);
  }
  s->Reset();
  return ok;
}

// Brings the copy up to date; false when it cannot be used (the scan failed:
// tried again a minute later; or ids beyond kMaxCachedRowid).
bool YearsReady(Connection& c, RecordYears& y) {
  int64_t version = 0, max_id = 0;
  const auto now = std::chrono::steady_clock::now();
  if (now < y.retry_at || !ReadYearsKey(c, &version, &max_id)) return false;
  if (y.current && version == y.version && max_id == y.max_id) return true;
  y.current = false;
  // Inside a transaction the key may count changes that roll back, and a
  // copy kept under it would outlive them: only outside one.
  if (max_id > kMaxCachedRowid || !sqlite3_get_autocommit(c.raw())) return false;
  // The key, the scan and the search are three reads: a change committed
  // after the key moves it again, and the next search scans once more (the
  // search under way may miss that change).
  std::vector<uint16_t> year(static_cast<size_t>(max_id) + 1, 0);
  auto s = c.Prepare(
      "SELECT id, year FROM records INDEXED BY records_year WHERE year > 0 AND year < 65536");
  Result<bool> row = s.ok() ? s->Step() : Result<bool>(s.status());
  for (; row.ok() && *row; row = s->Step()) {
    const int64_t id = s->Int(0);
    if (id > 0 && id <= max_id) year[static_cast<size_t>(id)] = static_cast<uint16_t>(s->Int(1));
  }
  if (!row.ok()) {
    y.retry_at = now + std::chrono::minutes(1);
    return false;
  }
  y.year.swap(year);
  y.version = version;
  y.max_id = max_id;
  y.current = true;
  return true;
}

// Whether a year `v` (0: none) is in [from, to], 0 meaning no bound.
bool InYears(int v, int from, int to) {
  return v != 0 && (from == 0 || v >= from) && (to == 0 || v <= to);
}

void YearInFunction(sqlite3_context* ctx, int, sqlite3_value** args) {
  const RecordYears& y = *static_cast<const RecordYears*>(sqlite3_user_data(ctx));
  const sqlite3_int64 id = sqlite3_value_int64(args[0]);
  const int from = sqlite3_value_int(args[1]), to = sqlite3_value_int(args[2]);
  // (A row newer than the copy, committed since the key was read, is left
  // out of this one search.)
  const int v =
      id > 0 && static_cast<size_t>(id) < y.year.size() ? y.year[static_cast<size_t>(id)] : 0;
  sqlite3_result_int(ctx, InYears(v, from, to));
}

// ---------------------------------------------------------------- index

struct IndexText {
  std::string title, title_reading, author, author_reading, publisher, subjects, other;
  std::vector<int64_t> title_keys;  // TitleKeysOf
};

// ---------------------------------------------------------------- exact titles

// A title as a key: search folding, readings folded further when `reading`,
// separators dropped (吾輩は猫である, 吾輩 は 猫 で ある), as a 64-bit FNV-1a
// hash. Equal keys are checked against the record's text again (KeyedTitle).
std::u32string TitleKeyText(std::string_view text, bool reading) {
  std::u32string f = charset::FoldForSearch(text);
  if (reading) charset::FoldReading(f);
  f.erase(std::remove_if(
              f.begin(), f.end(),
              [](char32_t c) { return charset::Classify(c) == charset::CharClass::kSeparator; }),
          f.end());
  // A reading's key starts with the reading mark, so that a title typed in
  // kana meets titles and readings each folded its own way, never the other's.
  if (reading && !f.empty()) f.insert(f.begin(), static_cast<char32_t>(kReadingMark));
  return f;
}

int64_t TitleKeyHash(const std::u32string& key) {
  uint64_t h = 14695981039346656037ULL;
  for (char32_t c : key) {
    for (int b = 0; b < 4; ++b) {
      h ^= (c >> (8 * b)) & 0xFF;
      h *= 1099511628211ULL;
    }
  }
  return static_cast<int64_t>(h);
}

// The keys a record's title is found by as a whole: the title, the title
// with its volume, and the title's reading. Empty texts give none.
std::vector<std::u32string> TitleKeyTexts(const std::string& title, const std::string& volume,
                                          const std::string& title_kana) {
  std::vector<std::u32string> keys;
  auto add = [&](std::u32string k) {
    if (!k.empty() && std::find(keys.begin(), keys.end(), k) == keys.end()) {
      keys.push_back(std::move(k));
    }
  };
  // Folding never reaches across the space between title and volume, so
  // the title's key with the volume's after it is the key of both.
  const std::u32string t = TitleKeyText(title, false);
  add(t);
  if (!volume.empty()) add(t + TitleKeyText(volume, false));
  if (!title_kana.empty()) add(TitleKeyText(title_kana, true));
  return keys;
}

std::vector<int64_t> TitleKeysOf(const std::string& title, const std::string& volume,
                                 const std::string& title_kana) {
  std::vector<int64_t> out;
  for (const auto& k : TitleKeyTexts(title, volume, title_kana)) out.push_back(TitleKeyHash(k));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Control characters (a tab or a stray U+001F in imported data) as spaces:
// U+001F is the reading mark of the index text and must come only from here.
std::string NoControls(std::string s) {
  for (char& ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20) ch = ' ';
  }
  return s;
}

std::string NoSpaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  for (size_t at; (at = s.find("\xE3\x80\x80")) != std::string::npos;) s.erase(at, 3);
  return s;
}

// A record's fields as the index text is made of them: the stored row (a
// NULL as ""), or the record being written. The two must give the same
// text: the index is contentless, and taking a record out of it repeats
// the text it was put in with.
struct IndexFields {
  std::string title, volume, title_kana, publisher, publisher_kana, subjects, notes, ndc, year;
  std::vector<std::pair<std::string, std::string>> authors;  // name, reading
};

IndexText MakeIndexText(const IndexFields& f) {
  IndexText t;
  t.title = NoControls(f.title) + " " + NoControls(f.volume);
  // Readings lose their word spaces, so みやざわけんじ meets ミヤザワ ケンジ.
  t.title_reading = kReadingMark + NoSpaces(NoControls(f.title_kana));
  t.publisher =
      NoControls(f.publisher) + " " + kReadingMark + NoSpaces(NoControls(f.publisher_kana));
  t.subjects = NoControls(f.subjects);
  // The ISBN is not a word of the index: records_isbn finds it (a term per
  // book would only grow the index).
  t.other = NoControls(f.notes) + " " + NoControls(f.ndc) + " " + NoControls(f.year);
  t.title_keys = TitleKeysOf(f.title, f.volume, f.title_kana);
  t.author_reading = kReadingMark;
  for (const auto& [name, kana] : f.authors) {
    t.author += NoControls(name) + " / ";
    t.author_reading += NoSpaces(NoControls(kana)) + " / ";
  }
  return t;
}

Result<std::optional<IndexText>> LoadIndexText(Connection& c, int64_t id) {
  Status err;
  Stmt* r = c.Cached(
      "SELECT title, ifnull(volume,''), ifnull(title_kana,''), ifnull(publisher,''),"
      " ifnull(publisher_kana,''), ifnull(subjects,''), ifnull(notes,''), ifnull(ndc,''),"
      " ifnull(year,'') FROM records WHERE id = ?1",
      &err);
  if (!r) return err;
  r->Bind(1, id);
  auto row = r->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    r->Reset();
    return std::optional<IndexText>();
  }
  IndexFields f{r->Text(0), r->Text(1), r->Text(2), r->Text(3), r->Text(4),
                r->Text(5), r->Text(6), r->Text(7), r->Text(8), {}};
  r->Reset();
  Stmt* a = c.Cached(
      "SELECT name, ifnull(name_kana,'') FROM record_authors WHERE record_id = ?1 ORDER BY pos",
      &err);
  if (!a) return err;
  a->Bind(1, id);
  while (true) {
    auto more = a->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    f.authors.emplace_back(a->Text(0), a->Text(1));
  }
  a->Reset();
  return std::optional<IndexText>(MakeIndexText(f));
}

Status WriteIndex(Connection& c, int64_t id, const IndexText& t, bool remove) {
  Status err;
  Stmt* s = c.Cached(
      remove ? "INSERT INTO records_fts(records_fts, rowid, title, title_reading, author,"
               " author_reading, publisher, subjects, other)"
               " VALUES('delete', ?1,?2,?3,?4,?5,?6,?7,?8)"
             : "INSERT INTO records_fts(rowid, title, title_reading, author, author_reading,"
               " publisher, subjects, other) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)",
      &err);
  if (!s) return err;
  SHIORI_RETURN_IF_ERROR(s->Bind(1, id)
                             .Bind(2, t.title)
                             .Bind(3, t.title_reading)
                             .Bind(4, t.author)
                             .Bind(5, t.author_reading)
                             .Bind(6, t.publisher)
                             .Bind(7, t.subjects)
                             .Bind(8, t.other)
                             .Run());
  Stmt* k = c.Cached(remove ? "DELETE FROM title_keys WHERE key = ?1 AND record_id = ?2"
                            : "INSERT OR IGNORE INTO title_keys(key, record_id) VALUES(?1, ?2)",
                     &err);
  if (!k) return err;
  for (int64_t key : t.title_keys) {
    k->Reset();
    SHIORI_RETURN_IF_ERROR(k->Bind(1, key).Bind(2, id).Run());
  }
  return Status::Ok();
}

// ---------------------------------------------------------------- ISBN

int IsbnDigit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }

}  // namespace

namespace detail {

Status RegisterYearFilter(Connection& c) {
  // The connection keeps the years; the SQL function reads them through a
  // plain pointer (see SearchState).
  auto state = std::make_unique<SearchState>();
  if (sqlite3_create_function_v2(c.raw(), "shiori_year_in", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                 &state->years, YearInFunction, nullptr, nullptr,
                                 nullptr) != SQLITE_OK) {
    return Status::Io("cannot register shiori_year_in");
  }
  c.set_search_state(std::move(state));
  return Status::Ok();
}

}  // namespace detail

Status IndexRecord(Connection& c, int64_t id) {
  auto t = LoadIndexText(c, id);
  if (!t.ok()) return t.status();
  if (!t->has_value()) return Status::NotFound("record " + std::to_string(id));
  return WriteIndex(c, id, **t, false);
}

Status IndexRecord(Connection& c, int64_t id, const CatalogRecord& r) {
  // As UpsertRecord stores it: an empty field is NULL, read back as "".
  IndexFields f{r.title,
                r.volume,
                r.title_kana,
                r.publisher,
                r.publisher_kana,
                r.subjects,
                r.notes,
                r.ndc,
                r.year ? std::to_string(r.year) : std::string(),
                {}};
  for (const auto& a : r.authors) f.authors.emplace_back(a.name, a.name_kana);
  return WriteIndex(c, id, MakeIndexText(f), false);
}

Status UnindexRecord(Connection& c, int64_t id) {
  auto t = LoadIndexText(c, id);
  if (!t.ok()) return t.status();
  if (!t->has_value()) return Status::Ok();
  return WriteIndex(c, id, **t, true);
}

std::optional<std::string> NormalizeIsbn(std::string_view typed) {
  const std::string s = charset::HalfWidthAscii(typed);  // ９７８ー… typed on a phone
  std::string d;
  for (char ch : s) {
    if (ch == '-' || ch == ' ') continue;
    if (ch == 'x') ch = 'X';
    if (IsbnDigit(ch) < 0 && !(ch == 'X' && d.size() == 9)) return std::nullopt;
    d += ch;
  }
  if (d.size() == 10) {
    int sum = 0;
    for (int i = 0; i < 10; ++i) sum += (10 - i) * (d[i] == 'X' ? 10 : IsbnDigit(d[i]));
    if (sum % 11 != 0) return std::nullopt;
    std::string t = "978" + d.substr(0, 9);
    int s13 = 0;
    for (int i = 0; i < 12; ++i) s13 += IsbnDigit(t[i]) * (i % 2 ? 3 : 1);
    t += static_cast<char>('0' + (10 - s13 % 10) % 10);
    return t;
  }
  if (d.size() == 13 && d.find('X') == std::string::npos &&
      (d.rfind("978", 0) == 0 || d.rfind("979", 0) == 0)) {
    int sum = 0;
    for (int i = 0; i < 13; ++i) sum += IsbnDigit(d[i]) * (i % 2 ? 3 : 1);
    if (sum % 10 != 0) return std::nullopt;
    return d;
  }
  return std::nullopt;
}

}  // namespace shiori::db

namespace shiori::db {
namespace {

// One candidate of the bounded ranking.
struct Candidate {
  int64_t id;
  double score;
  int year;
  std::string title_kana;
  bool exact = false;  // its whole title is the query (ExactTitles)
};

}  // namespace

// ---------------------------------------------------------------- once more

// A text as the second try compares it: search folding, then っ, ー and
// separators dropped, 斉 as 斎 (patrons confuse them in 斎藤/斉藤; they are
// different characters, so only here), and readings' folding
// (charset::FoldReading: small kana large, particles as spoken). `at` holds
// the byte range in the text each character came from.
struct RelaxedText {
  std::u32string s;
  std::vector<std::pair<size_t, size_t>> at;
};

void RelaxAppend(RelaxedText& out, char32_t c, size_t from, size_t to) {
  if (c == U'っ' || c == U'ー' || charset::Classify(c) == charset::CharClass::kSeparator) return;
  if (c == U'斉') c = U'斎';
  std::u32string one(1, c);
  charset::FoldReading(one);
  for (char32_t x : one) {
    out.s += x;
    out.at.emplace_back(from, to);
  }
}

RelaxedText Relax(std::string_view text) {
  RelaxedText out;
  std::vector<std::pair<size_t, size_t>> chars;  // each code point's bytes
  for (size_t i = 0; i < text.size();) {
    const size_t from = i;
    charset::NextCodePoint(text, &i);
    chars.emplace_back(from, i);
  }
  const std::u32string whole = charset::FoldForSearch(text);
  if (whole.size() == chars.size()) {  // one folded character per character
    for (size_t k = 0; k < whole.size(); ++k) {
      // ゔぁ ゔぃ ゔぇ ゔぉ read as one: ば び べ ぼ (FoldReading), not ぶ and a vowel.
      static constexpr std::u32string_view kSmall = U"ぁぃぇぉ";
      if (whole[k] == U'ゔ' && k + 1 < whole.size() &&
          kSmall.find(whole[k + 1]) != std::u32string_view::npos) {
        RelaxAppend(out, U"ばびべぼ"[kSmall.find(whole[k + 1])], chars[k].first,
                    chars[k + 1].second);
        ++k;
        continue;
      }
      RelaxAppend(out, whole[k], chars[k].first, chars[k].second);
    }
    return out;
  }
  for (const auto& [from, to] : chars) {
    for (char32_t c : charset::FoldForSearch(text.substr(from, to - from)))
      RelaxAppend(out, c, from, to);
  }
  return out;
}

// The second try: its FTS5 expression, and what each hit must hold.
struct Relaxation {
  enum class Where { kAny, kTitle, kAuthor };
  struct Part {
    Where where;
    std::vector<std::u32string> words;  // relaxed (Relax), each found in one field
  };
  std::string match;
  std::vector<Part> parts;
};

// A word of the query as pieces the index can find whatever was left out:
// its runs of kanji (or letters) as typed, with 斎 and 斉 either way, and its
// runs of kana without っ and ー, as typed or as read. Kana of one letter
// are no term and are left to the check of the hits.
std::string RelaxedPieces(const std::u32string& folded, const MatchColumns& cols) {
  std::string expr;
  size_t i = 0;
  while (i < folded.size()) {
    const bool kana = charset::IsKana(folded[i]);
    size_t j = i + 1;
    while (j < folded.size() && charset::IsKana(folded[j]) == kana) ++j;
    std::u32string piece = folded.substr(i, j - i);
    i = j;
    std::string e;
    if (kana) {
      piece.erase(std::remove_if(piece.begin(), piece.end(),
                                 [](char32_t c) { return c == U'っ' || c == U'ー'; }),
                  piece.end());
      if (piece.size() < 2) continue;
      const std::string p = charset::ToUtf8(piece);
      e = "(" + cols.plain + '"' + p + "\" OR " + cols.reading + '"' + kReadingMark + p + "\")";
    } else {
      std::u32string sai = piece, sei = piece;
      std::replace(sai.begin(), sai.end(), U'斉', U'斎');
      std::replace(sei.begin(), sei.end(), U'斎', U'斉');
      // The run as typed, or its kanji each a term with a っ or so between
      // (引越し finds 引っ越し): the check of the hits decides.
      auto either = [&](const std::u32string& run) {
        std::string phrase = cols.all + '"' + charset::ToUtf8(run) + '"';
        if (run.size() < 2) return phrase;
        std::string near = cols.all + "NEAR(";
        for (char32_t k : run) near += '"' + charset::ToUtf8(std::u32string(1, k)) + "\" ";
        near += ", " + std::to_string(run.size() - 1) + ")";
        return "(" + phrase + " OR " + near + ")";
      };
      e = either(sai);
      if (sei != sai) e = "(" + e + " OR " + either(sei) + ")";
    }
    if (!expr.empty()) expr += " AND ";
    expr += e;
  }
  return expr;
}

Relaxation RelaxQuery(const SearchQuery& q, bool text_is_isbn) {
  Relaxation r;
  auto add = [&](const std::string& text, Relaxation::Where where, const MatchColumns& cols) {
    if (text.empty()) return;
    Relaxation::Part part{where, {}};
    // Words: the text between separators.
    const std::u32string f = charset::FoldForSearch(text);
    size_t i = 0;
    while (i < f.size()) {
      while (i < f.size() && charset::Classify(f[i]) == charset::CharClass::kSeparator) ++i;
      size_t j = i;
      while (j < f.size() && charset::Classify(f[j]) != charset::CharClass::kSeparator) ++j;
      if (j > i) {
        const std::u32string word = f.substr(i, j - i);
        const std::string e = RelaxedPieces(word, cols);
        if (!e.empty()) {
          if (!r.match.empty()) r.match += " AND ";
          r.match += e;
        }
        RelaxedText w = Relax(charset::ToUtf8(word));
        if (!w.s.empty()) part.words.push_back(std::move(w.s));
      }
      i = j;
    }
    if (!part.words.empty()) r.parts.push_back(std::move(part));
  };
  if (!text_is_isbn) {
    add(q.text, Relaxation::Where::kAny,
        {"", "{title author publisher subjects other} : ",
         "{title_reading author_reading publisher} : "});
  }
  add(q.title, Relaxation::Where::kTitle,
      {"{title title_reading} : ", "title : ", "title_reading : "});
  add(q.author, Relaxation::Where::kAuthor,
      {"{author author_reading} : ", "author : ", "author_reading : "});
  if (r.match.empty()) return r;
  // The other fields as the first try had them.
  SearchQuery rest;
  rest.publisher = q.publisher;
  rest.subject = q.subject;
  const std::string others = SearchMatchExpression(rest, true);
  if (!others.empty()) r.match += " AND " + others;
  return r;
}

// Whether record `id` holds every word of `relax`, each in a field its part
// may look in; `said` gets the words as the record has them. false when the
// record is gone.
Result<bool> HoldsRelaxed(Connection& c, int64_t id, const Relaxation& relax, std::string* said) {
  Status err;
  Stmt* s = c.Cached(
      "SELECT title || ' ' || ifnull(volume,''), ifnull(title_kana,''), ifnull(publisher,''),"
      " ifnull(publisher_kana,''), ifnull(subjects,''), ifnull((SELECT group_concat(name ||"
      " char(31) || ifnull(name_kana,''), char(30)) FROM record_authors WHERE record_id = r.id),"
      " '') FROM records r WHERE id = ?1",
      &err);
  if (!s) return err;
  s->Bind(1, id);
  auto row = s->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    s->Reset();
    return false;
  }
  struct Field {
    std::string text;
    Relaxation::Where where;
  };
  std::vector<Field> fields = {{s->Text(0), Relaxation::Where::kTitle},
                               {s->Text(1), Relaxation::Where::kTitle},
                               {s->Text(2), Relaxation::Where::kAny},
                               {s->Text(3), Relaxation::Where::kAny},
                               {s->Text(4), Relaxation::Where::kAny}};
  const std::string authors = s->Text(5);
  s->Reset();
  for (size_t from = 0; from <= authors.size() && !authors.empty();) {
    size_t end = authors.find('\x1E', from);
    if (end == std::string::npos) end = authors.size();
    const std::string one = authors.substr(from, end - from);
    const size_t mark = one.find('\x1F');
    fields.push_back({one.substr(0, mark), Relaxation::Where::kAuthor});
    if (mark != std::string::npos)
      fields.push_back({one.substr(mark + 1), Relaxation::Where::kAuthor});
    from = end + 1;
  }
  std::vector<RelaxedText> relaxed;
  relaxed.reserve(fields.size());
  for (const Field& f : fields) relaxed.push_back(Relax(f.text));
  std::string words;
  for (const auto& part : relax.parts) {
    for (const std::u32string& w : part.words) {
      bool found = false;
      for (size_t k = 0; k < fields.size() && !found; ++k) {
        if (part.where != Relaxation::Where::kAny && fields[k].where != part.where) continue;
        const size_t at = relaxed[k].s.find(w);
        if (at == std::u32string::npos) continue;
        found = true;
        const size_t from = relaxed[k].at[at].first, to = relaxed[k].at[at + w.size() - 1].second;
        if (!words.empty()) words += ' ';
        words += fields[k].text.substr(from, to - from);
      }
      if (!found) return false;
    }
  }
  if (said) *said = std::move(words);
  return true;
}

static Result<SearchResult> SearchOnce(Connection& c, const SearchQuery& q, bool text_as_isbn,
                                       const Relaxation* relax);

Result<SearchResult> Search(Connection& c, const SearchQuery& q) {
  // Free words that read as an ISBN are tried as one first; digits that are
  // no book's ISBN are then searched as words.
  auto r = SearchOnce(c, q, true, nullptr);
  const bool isbn_text = NormalizeIsbn(q.text).has_value();
  if (r.ok() && r->total == 0 && isbn_text) r = SearchOnce(c, q, false, nullptr);
  if (!r.ok() || r->total > 0) return r;
  // Nothing: once more, more forgiving, and the page says so.
  const Relaxation relax = RelaxQuery(q, false);
  if (relax.match.empty() || relax.match == SearchMatchExpression(q, false)) return r;
  auto again = SearchOnce(c, q, false, &relax);
  if (!again.ok() || again->total == 0) return again.ok() ? r : again;
  return again;
}

// The candidates of a search that matches words or reads records: the
// newest kSearchCandidates + 1 that pass its filters, with their scores.
// With `only_id`, only that record, if it passes.
static Status MatchCandidates(Connection& c, const SearchQuery& q, const std::string& match,
                              const std::optional<std::string>& isbn, bool kept_years,
                              std::vector<Candidate>* cands, int64_t only_id = 0) {
  const bool by_year = q.year_from || q.year_to;
  const bool by_copies = !q.branch.empty() || q.on_shelf_only;
  std::string sql;
  // Ranked by relevance with nothing to filter but the year, the candidates
  // need nothing from the records table: the index alone answers (measured:
  // the join of 1,000 candidates costs about 1.2 ms at 1M records).
  const bool index_only = !match.empty() && !isbn && !by_copies && (!by_year || kept_years) &&
                          q.sort == SearchQuery::Sort::kRelevance;
  if (index_only) {
    sql = std::string("SELECT rowid, ") + kSearchRank +
          ", 0, '' FROM records_fts WHERE records_fts MATCH ?1";
  } else if (!match.empty()) {
    // The newest kSearchCandidates matches that pass the filters, ranked:
    // FTS5 walks rowids backwards (the outer loop), each is looked up in
    // records, and the limit counts only rows that pass, so a filter never
    // hides matches beyond the first candidates.
    sql = std::string("SELECT r.id, ") + kSearchRank +
          ", ifnull(r.year,0), ifnull(r.title_kana, r.title) FROM records_fts"
          " JOIN records r ON r.id = records_fts.rowid WHERE records_fts MATCH ?1";
  } else {
    sql =
        "SELECT r.id, 0.0, ifnull(r.year,0), ifnull(r.title_kana, r.title) FROM records r"
        " WHERE 1";
  }
  if (isbn) sql += " AND r.isbn = ?2";  // (index_only has no isbn)
  if (only_id) sql += match.empty() ? " AND r.id = ?6" : " AND records_fts.rowid = ?6";
  if (kept_years) {
    // (records_fts.rowid, not r.id: SQLite tests it before the join's lookup)
    sql += match.empty() ? " AND shiori_year_in(r.id, ?3, ?4)"
                         : " AND shiori_year_in(records_fts.rowid, ?3, ?4)";
  } else {
    if (q.year_from) sql += " AND r.year >= ?3";
    if (q.year_to) sql += " AND r.year <= ?4";
  }
  if (by_copies) {  // (not index_only)
    sql += " AND EXISTS (SELECT 1 FROM copies k WHERE k.record_id = r.id";
    if (!q.branch.empty()) sql += " AND k.branch = ?5";
    if (q.on_shelf_only) sql += " AND k.status = 'shelf'";
    sql += ")";
  }
  sql += match.empty() ? " ORDER BY r.id DESC" : " ORDER BY records_fts.rowid DESC";
  sql += " LIMIT " + std::to_string(kSearchCandidates + 1);

  // The SQL varies only with which filters are present (a few dozen texts),
  // so the connection keeps each prepared: 0.05 ms a search at 1M records.
  Status prep;
  Stmt* st = c.Cached(sql, &prep);
  if (!st) return prep;
  if (!match.empty()) st->Bind(1, match);
  if (isbn) st->Bind(2, *isbn);
  if (q.year_from || kept_years) st->Bind(3, int64_t{q.year_from});
  if (q.year_to || kept_years) st->Bind(4, int64_t{q.year_to});
  if (!q.branch.empty()) st->Bind(5, q.branch);
  if (only_id) st->Bind(6, only_id);
  while (true) {
    auto r = st->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    cands->push_back({st->Int(0), st->Real(1), static_cast<int>(st->Int(2)), st->Text(3)});
  }
  st->Reset();
  return Status::Ok();
}

std::string SearchMatchExpression(const SearchQuery& q, bool text_is_isbn) {
  std::string match;
  auto add = [&](std::string_view text, const MatchColumns& columns) {
    std::string e = FtsMatchExpression(text, columns);
    if (e.empty()) return;
    if (!match.empty()) match += " AND ";
    match += e;
  };
  // (The publisher column holds the name and its reading.)
  if (!text_is_isbn) {
    add(q.text, {"", "{title author publisher subjects other} : ",
                 "{title_reading author_reading publisher} : "});
  }
  add(q.title, {"{title title_reading} : ", "title : ", "title_reading : "});
  add(q.author, {"{author author_reading} : ", "author : ", "author_reading : "});
  add(q.publisher, {"publisher : ", "publisher : ", "publisher : "});
  add(q.subject, {"subjects : ", "", ""});
  return match;
}

// The authors and the copies per branch of `hits`, whose ids are the JSON
// array `ids`: one statement each for the whole page.
static Status AddAuthorsAndHoldings(Connection& c, const std::string& ids,
                                    std::vector<SearchHit>* hits) {
  std::unordered_map<int64_t, SearchHit*> by_id;
  for (SearchHit& h : *hits) by_id.emplace(h.id, &h);
  Status err;
  Stmt* a = c.Cached(kSearchAuthorsSql, &err);
  if (!a) return err;
  a->Bind(1, ids);
  struct Placed {
    int64_t record_id, pos;
    AuthorEntry author;
  };
  std::vector<Placed> authors;
  while (true) {
    auto r = a->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    authors.push_back({a->Int(0), a->Int(1), {a->Text(2), "", a->Text(3)}});
  }
  a->Reset();
  std::sort(authors.begin(), authors.end(), [](const Placed& x, const Placed& y) {
    return x.record_id != y.record_id ? x.record_id < y.record_id : x.pos < y.pos;
  });
  for (Placed& p : authors) {
    auto it = by_id.find(p.record_id);
    if (it != by_id.end()) it->second->authors.push_back(std::move(p.author));
  }
  Stmt* k = c.Cached(kSearchHoldingsSql, &err);
  if (!k) return err;
  k->Bind(1, ids);
  while (true) {
    auto r = k->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    auto it = by_id.find(k->Int(0));
    if (it == by_id.end()) continue;
    std::vector<BranchHolding>& held = it->second->holdings;
    const std::string branch = k->Text(1);
    auto b = std::find_if(held.begin(), held.end(),
                          [&](const BranchHolding& x) { return x.branch_code == branch; });
    if (b == held.end()) {
      // Kept by branch code, so the page's order does not depend on the rows'.
      b = held.insert(std::upper_bound(held.begin(), held.end(), branch,
                                       [](const std::string& code, const BranchHolding& x) {
                                         return code < x.branch_code;
                                       }),
                      BranchHolding{branch});
    }
    const std::string status = k->Text(2);
    const bool in_library = k->Int(3) != 0;
    ++b->copies;
    if (!in_library) ++b->lendable;
    if (status == "shelf") {
      ++(in_library ? b->in_library : b->on_shelf);
    } else if (status == "loan") {
      ++b->on_loan;
      const std::string due = k->Text(4);
      if (!due.empty() && (b->due_on.empty() || due < b->due_on)) b->due_on = due;
    } else if (status == "held") {
      ++b->held;
    } else if (status == "transit") {
      ++b->in_transit;
    } else {
      ++b->missing;
    }
  }
  k->Reset();
  return Status::Ok();
}

// (ExactTitles' keys, for tools.)
std::array<int64_t, 2> ExactTitleKeys(std::string_view text) {
  return {TitleKeyHash(TitleKeyText(text, false)), TitleKeyHash(TitleKeyText(text, true))};
}

// The records whose whole title is the query's text (or its title field),
// folded as the index folds, newest first: at most kExactTitles. Found by
// title_keys whatever the number of matches, so a known item is first even
// when its words are in a great many records.
constexpr int kExactTitles = 20;

static Result<std::vector<int64_t>> ExactTitles(Connection& c, const SearchQuery& q,
                                                bool text_is_isbn) {
  std::vector<int64_t> out;
  const std::string& text = !q.text.empty() && !text_is_isbn ? q.text : q.title;
  if (text.empty() || (!q.text.empty() && !q.title.empty())) return out;
  const std::u32string keys[2] = {TitleKeyText(text, false), TitleKeyText(text, true)};
  if (keys[0].empty()) return out;
  Status err;
  Stmt* find = c.Cached(
      "SELECT record_id FROM title_keys WHERE key IN (?1, ?2) ORDER BY record_id DESC LIMIT ?3",
      &err);
  Stmt* rec = c.Cached(
      "SELECT title, ifnull(volume,''), ifnull(title_kana,'') FROM records WHERE id = ?1", &err);
  if (!find || !rec) return err;
  find->Bind(1, TitleKeyHash(keys[0])).Bind(2, TitleKeyHash(keys[1])).Bind(3, kExactTitles);
  std::vector<int64_t> ids;
  while (true) {
    auto r = find->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    ids.push_back(find->Int(0));
  }
  find->Reset();
  for (int64_t id : ids) {  // the hash said so; the text must too
    rec->Reset();
    rec->Bind(1, id);
    auto r = rec->Step();
    if (!r.ok()) return r.status();
    if (!*r) continue;
    const auto texts = TitleKeyTexts(rec->Text(0), rec->Text(1), rec->Text(2));
    if (std::find(texts.begin(), texts.end(), keys[0]) != texts.end() ||
        std::find(texts.begin(), texts.end(), keys[1]) != texts.end()) {
      out.push_back(id);
    }
  }
  rec->Reset();
  return out;
}

static Result<SearchResult> SearchOnce(Connection& c, const SearchQuery& q, bool text_as_isbn,
                                       const Relaxation* relax) {
  // What to match: the full-text expression, and filters on the records.
  std::optional<std::string> isbn = text_as_isbn ? NormalizeIsbn(q.text) : std::nullopt;
  const bool text_is_isbn = isbn.has_value();
  const std::string match = relax ? relax->match : SearchMatchExpression(q, text_is_isbn);
  if (!q.isbn.empty()) {
    isbn = NormalizeIsbn(q.isbn);
    if (!isbn) return SearchResult{};  // not an ISBN: nothing has it
  }
  const bool by_year = q.year_from || q.year_to;
  const bool by_copies = !q.branch.empty() || q.on_shelf_only;
  if (match.empty() && !isbn && !by_year && !by_copies) return SearchResult{};
  // Matches are filtered by year from the connection's copy of the years,
  // before anything is read from records (see RecordYears).
  RecordYears* years = c.search_state() ? &c.search_state()->years : nullptr;
  const bool kept_years = by_year && years && YearsReady(c, *years);
  // Years alone: the newest records in them come from the copy itself.
  const bool years_alone = kept_years && match.empty() && !isbn && !by_copies;

  std::vector<Candidate> cands;
  if (years_alone) {
    const std::vector<uint16_t>& y = years->year;
    for (size_t id = y.size(); id-- > 1 && cands.size() <= size_t{kSearchCandidates};) {
      if (InYears(y[id], q.year_from, q.year_to)) {
        cands.push_back({static_cast<int64_t>(id), 0.0, y[id], ""});
      }
    }
    if (q.sort == SearchQuery::Sort::kTitle || q.sort == SearchQuery::Sort::kAuthor) {
      Status err;
      Stmt* t = c.Cached("SELECT ifnull(title_kana, title) FROM records WHERE id = ?1", &err);
      if (!t) return err;
      for (auto& cand : cands) {
        t->Reset();
        t->Bind(1, cand.id);
        auto r = t->Step();
        if (!r.ok()) return r.status();
        if (*r) cand.title_kana = t->Text(0);
      }
      t->Reset();
    }
  } else {
    SHIORI_RETURN_IF_ERROR(MatchCandidates(c, q, match, isbn, kept_years, &cands));
  }
  SearchResult out;
  // One row more than the cap was asked for: its presence says there are more.
  out.capped = cands.size() > static_cast<size_t>(kSearchCandidates);
  if (cands.size() > static_cast<size_t>(kSearchCandidates)) cands.resize(kSearchCandidates);
  std::unordered_map<int64_t, std::string> said;  // the second try's words per hit
  if (relax) {
    std::vector<Candidate> held;
    for (Candidate& k : cands) {
      std::string words;
      auto holds = HoldsRelaxed(c, k.id, *relax, &words);
      if (!holds.ok()) return holds.status();
      if (!*holds) continue;
      said.emplace(k.id, std::move(words));
      held.push_back(std::move(k));
    }
    cands.swap(held);
  } else if (!match.empty()) {
    // Exact titles are candidates whatever their age, when they pass.
    auto exact = ExactTitles(c, q, text_is_isbn);
    if (!exact.ok()) return exact.status();
    for (int64_t id : *exact) {
      auto it =
          std::find_if(cands.begin(), cands.end(), [&](const Candidate& k) { return k.id == id; });
      if (it == cands.end()) {
        // Its title is the words, so only the other fields and the filters
        // need asking (a title of one kana, which the index holds no term
        // for, is found so too).
        const bool words_only = q.author.empty() && q.publisher.empty() && q.subject.empty();
        if (!words_only && !out.capped) continue;  // every match is a candidate: not this one
        const size_t before = cands.size();
        SHIORI_RETURN_IF_ERROR(MatchCandidates(c, q, words_only ? std::string() : match, isbn,
                                               kept_years, &cands, id));
        if (cands.size() == before) continue;  // filtered out
        it = cands.end() - 1;
      }
      it->exact = true;
    }
  }
  switch (q.sort) {
    case SearchQuery::Sort::kRelevance:
      // An exact title first; bm25 is negative: lower is better. Ties: newer
      // record first.
      std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
        if (a.exact != b.exact) return a.exact;
        return a.score != b.score ? a.score < b.score : a.id > b.id;
      });
      break;
    case SearchQuery::Sort::kNewest:
      std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
        return a.year != b.year ? a.year > b.year : a.id > b.id;
      });
      break;
    case SearchQuery::Sort::kTitle: {
      const charset::Collator& coll = charset::JapaneseCollator();
      std::vector<std::pair<std::string, size_t>> keys;
      keys.reserve(cands.size());
      for (size_t i = 0; i < cands.size(); ++i) keys.emplace_back(coll.Key(cands[i].title_kana), i);
      std::stable_sort(keys.begin(), keys.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      std::vector<Candidate> sorted;
      sorted.reserve(cands.size());
      for (const auto& k : keys) sorted.push_back(std::move(cands[k.second]));
      cands.swap(sorted);
      break;
    }
    case SearchQuery::Sort::kOldest:
      std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
        if ((a.year == 0) != (b.year == 0)) return b.year == 0;
        return a.year != b.year ? a.year < b.year : a.id < b.id;
      });
      break;
    case SearchQuery::Sort::kAuthor: {
      // The first author's reading, read for this order only; a record
      // without one after those with one, then by title.
      Status err;
      Stmt* a = c.Cached(
          "SELECT ifnull(name_kana,'') FROM record_authors WHERE record_id = ?1 ORDER BY pos"
          " LIMIT 1",
          &err);
      if (!a) return err;
      const charset::Collator& coll = charset::JapaneseCollator();
      struct Key {
        bool none;
        std::string author, title;
        size_t at;
      };
      std::vector<Key> keys;
      keys.reserve(cands.size());
      for (size_t i = 0; i < cands.size(); ++i) {
        a->Reset();
        a->Bind(1, cands[i].id);
        auto r = a->Step();
        if (!r.ok()) return r.status();
        const std::string reading = *r ? a->Text(0) : std::string();
        keys.push_back({reading.empty(), reading.empty() ? std::string() : coll.Key(reading),
                        coll.Key(cands[i].title_kana), i});
      }
      a->Reset();
      std::stable_sort(keys.begin(), keys.end(), [](const Key& x, const Key& y) {
        if (x.none != y.none) return y.none;
        if (x.author != y.author) return x.author < y.author;
        return x.title < y.title;
      });
      std::vector<Candidate> sorted;
      sorted.reserve(cands.size());
      for (const Key& k : keys) sorted.push_back(std::move(cands[k.at]));
      cands.swap(sorted);
      break;
    }
  }
  // Exact titles that joined a capped list push its last candidates out:
  // the count stays 「1,000件以上」.
  if (out.capped && cands.size() > static_cast<size_t>(kSearchCandidates)) {
    cands.resize(kSearchCandidates);
  }
  out.total = static_cast<int>(cands.size());

  Status err;
  Stmt* d = c.Cached(kSearchDetailsSql, &err);
  if (!d) return err;
  const size_t from = static_cast<size_t>(std::max(0, q.offset));
  const size_t to = std::min(cands.size(), from + static_cast<size_t>(std::max(0, q.limit)));
  std::string ids = "[";
  for (size_t i = from; i < to; ++i) {
    d->Reset();
    d->Bind(1, cands[i].id);
    auto r = d->Step();
    if (!r.ok()) return r.status();
    if (!*r) continue;
    SearchHit h;
    h.id = cands[i].id;
    h.title = d->Text(0);
    h.volume = d->Text(1);
    h.publisher = d->Text(2);
    h.year = static_cast<int>(d->Int(3));
    h.holds = static_cast<int>(d->Int(4));
    if (ids.size() > 1) ids += ',';
    ids += std::to_string(h.id);
    out.hits.push_back(std::move(h));
  }
  d->Reset();
  if (relax && !cands.empty()) out.did_you_mean = said[cands.front().id];
  if (out.hits.empty()) return out;
  ids += ']';
  SHIORI_RETURN_IF_ERROR(AddAuthorsAndHoldings(c, ids, &out.hits));
  return out;
}

}  // namespace shiori::db
