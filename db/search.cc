// The catalogue's full-text search: the "shiori" FTS5 tokenizer (search
// folding, overlapping bigrams for kanji and kana, words for the rest),
// keeping the index in step with the records, ISBN handling, and the query
// with its bounded ranking and capped count.
#include <sqlite3.h>

#include <algorithm>
#include <cstring>

#include "charset/charset.h"
#include "db/db.h"

namespace shiori::db {
namespace {

using charset::CharClass;

// ---------------------------------------------------------------- tokenizer

// Emits the tokens of `text` through `emit(token)`. Kanji and kana runs give
// overlapping bigrams; in documents a run also ends with its last character
// alone, so a one-character query (a prefix query on that character) finds
// it wherever it stands. A run of one character is that character. Letters
// and digits give words. Everything else separates.
template <typename Emit>
int Tokenize(std::string_view text, bool document, Emit&& emit) {
  const std::u32string f = charset::FoldForSearch(text);
  std::string tok;
  size_t i = 0;
  while (i < f.size()) {
    const CharClass cls = charset::Classify(f[i]);
    size_t j = i + 1;
    while (j < f.size() && charset::Classify(f[j]) == cls) ++j;
    if (cls == CharClass::kCjk) {
      if (j - i == 1) {
        tok.clear();
        charset::AppendUtf8(tok, f[i]);
        if (int rc = emit(tok); rc != SQLITE_OK) return rc;
      } else {
        for (size_t k = i; k + 1 < j; ++k) {
          tok.clear();
          charset::AppendUtf8(tok, f[k]);
          charset::AppendUtf8(tok, f[k + 1]);
          if (int rc = emit(tok); rc != SQLITE_OK) return rc;
        }
        if (document) {
          tok.clear();
          charset::AppendUtf8(tok, f[j - 1]);
          if (int rc = emit(tok); rc != SQLITE_OK) return rc;
        }
      }
    } else if (cls == CharClass::kWord) {
      tok.clear();
      for (size_t k = i; k < j && tok.size() < 64; ++k) charset::AppendUtf8(tok, f[k]);
      if (int rc = emit(tok); rc != SQLITE_OK) return rc;
    }
    i = j;
  }
  return SQLITE_OK;
}

// FTS5's C interface, from sqlite3's fts5.h (not shipped by Debian's -dev package
// separately: it is part of sqlite3.h since 3.9 only for the API struct).
int TokCreate(void*, const char**, int, Fts5Tokenizer** out) {
  *out = reinterpret_cast<Fts5Tokenizer*>(1);  // stateless
  return SQLITE_OK;
}
void TokDelete(Fts5Tokenizer*) {}
int TokTokenize(Fts5Tokenizer*, void* ctx, int flags, const char* text, int n,
                int (*token)(void*, int, const char*, int, int, int)) {
  const bool document = (flags & FTS5_TOKENIZE_DOCUMENT) != 0;
  // Offsets: folding changes lengths, so every token reports the whole text.
  // (shiori uses no highlight() or snippet(), which would need exact ones.)
  return Tokenize(std::string_view(text, static_cast<size_t>(n)), document,
                  [&](const std::string& t) {
                    return token(ctx, 0, t.data(), static_cast<int>(t.size()), 0, n);
                  });
}

fts5_api* Fts5Api(sqlite3* db) {
  fts5_api* api = nullptr;
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &s, nullptr) == SQLITE_OK) {
    sqlite3_bind_pointer(s, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(s);
  }
  sqlite3_finalize(s);
  return api;
}

// ---------------------------------------------------------------- index

struct IndexText {
  std::string title, title_reading, author, author_reading, publisher, subjects, other;
};

std::string NoSpaces(std::string s) {
  s.erase(std::remove(s.begin(), s.end(), ' '), s.end());
  for (size_t at; (at = s.find("\xE3\x80\x80")) != std::string::npos;) s.erase(at, 3);
  return s;
}

Result<std::optional<IndexText>> LoadIndexText(Connection& c, int64_t id) {
  Status err;
  Stmt* r = c.Cached(
      "SELECT title, ifnull(volume,''), ifnull(title_kana,''), ifnull(publisher,''),"
      " ifnull(publisher_kana,''), ifnull(subjects,''), ifnull(notes,''), ifnull(ndc,''),"
      " ifnull(isbn,''), ifnull(year,'') FROM records WHERE id = ?1",
      &err);
  if (!r) return err;
  r->Bind(1, id);
  auto row = r->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    r->Reset();
    return std::optional<IndexText>();
  }
  IndexText t;
  t.title = r->Text(0) + " " + r->Text(1);
  // Readings lose their word spaces, so みやざわけんじ meets ミヤザワ ケンジ.
  t.title_reading = NoSpaces(r->Text(2));
  t.publisher = r->Text(3) + " / " + NoSpaces(r->Text(4));
  t.subjects = r->Text(5);
  t.other = r->Text(6) + " " + r->Text(7) + " " + r->Text(8) + " " + r->Text(9);
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
    t.author += a->Text(0) + " / ";
    t.author_reading += NoSpaces(a->Text(1)) + " / ";
  }
  a->Reset();
  return std::optional<IndexText>(std::move(t));
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
  return s->Bind(1, id)
      .Bind(2, t.title)
      .Bind(3, t.title_reading)
      .Bind(4, t.author)
      .Bind(5, t.author_reading)
      .Bind(6, t.publisher)
      .Bind(7, t.subjects)
      .Bind(8, t.other)
      .Run();
}

// The FTS5 expression for the words of `text`, each phrase prefixed by
// `columns` ("{title title_reading} : "), ANDed. A kanji/kana run of one
// character becomes a prefix query, so 猫 finds 黒猫 and 猫町.
std::string MatchExpression(std::string_view text, const std::string& columns) {
  const std::u32string f = charset::FoldForSearch(text);
  std::string expr;
  size_t i = 0;
  while (i < f.size()) {
    const CharClass cls = charset::Classify(f[i]);
    size_t j = i + 1;
    while (j < f.size() && charset::Classify(f[j]) == cls) ++j;
    if (cls != CharClass::kSeparator) {
      std::string seg;
      for (size_t k = i; k < j; ++k) charset::AppendUtf8(seg, f[k]);
      if (!expr.empty()) expr += " AND ";
      expr += columns;
      expr += '"' + seg + '"';  // segments hold letters, digits, kanji, kana: no quote
      if (cls == CharClass::kCjk && j - i == 1) expr += '*';
    }
    i = j;
  }
  return expr;
}

// ---------------------------------------------------------------- ISBN

int IsbnDigit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }

}  // namespace

Status RegisterTokenizer(Connection& c) {
  fts5_api* api = Fts5Api(c.raw());
  if (!api) return Status::Io("this SQLite has no FTS5");
  static fts5_tokenizer tok = {TokCreate, TokDelete, TokTokenize};
  if (api->xCreateTokenizer(api, "shiori", nullptr, &tok, nullptr) != SQLITE_OK) {
    return Status::Io("cannot register the shiori tokenizer");
  }
  return Status::Ok();
}

std::vector<std::string> SearchTokens(std::string_view text, bool document) {
  std::vector<std::string> out;
  (void)Tokenize(text, document, [&](const std::string& t) {
    out.push_back(t);
    return SQLITE_OK;
  });
  return out;
}

Status IndexRecord(Connection& c, int64_t id) {
  auto t = LoadIndexText(c, id);
  if (!t.ok()) return t.status();
  if (!t->has_value()) return Status::NotFound("record " + std::to_string(id));
  return WriteIndex(c, id, **t, false);
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
};

}  // namespace

static Result<SearchResult> SearchOnce(Connection& c, const SearchQuery& q, bool text_as_isbn);

Result<SearchResult> Search(Connection& c, const SearchQuery& q) {
  // Free words that read as an ISBN are tried as one first; digits that are
  // no book's ISBN are then searched as words.
  auto r = SearchOnce(c, q, true);
  if (!r.ok() || r->total > 0 || !NormalizeIsbn(q.text)) return r;
  return SearchOnce(c, q, false);
}

static Result<SearchResult> SearchOnce(Connection& c, const SearchQuery& q, bool text_as_isbn) {
  // What to match: the full-text expression, and filters on the records.
  std::string match;
  std::optional<std::string> isbn;
  auto add = [&](std::string_view text, const std::string& columns) {
    std::string e = MatchExpression(text, columns);
    if (e.empty()) return;
    if (!match.empty()) match += " AND ";
    match += e;
  };
  if (auto as_isbn = text_as_isbn ? NormalizeIsbn(q.text) : std::nullopt) {
    isbn = as_isbn;
  } else {
    add(q.text, "");
  }
  add(q.title, "{title title_reading} : ");
  add(q.author, "{author author_reading} : ");
  add(q.publisher, "publisher : ");
  add(q.subject, "subjects : ");
  if (!q.isbn.empty()) {
    isbn = NormalizeIsbn(q.isbn);
    if (!isbn) return SearchResult{};  // not an ISBN: nothing has it
  }
  const bool filtered = q.year_from || q.year_to || !q.branch.empty() || q.on_shelf_only;
  if (match.empty() && !isbn && !filtered) return SearchResult{};

  std::string sql;
  // Ranked by relevance with nothing to filter, the candidates need nothing
  // from the records table: the index alone answers (measured: the join of
  // 1,000 candidates costs about 1.2 ms at 1M records).
  const bool index_only =
      !match.empty() && !isbn && !filtered && q.sort == SearchQuery::Sort::kRelevance;
  if (index_only) {
    sql =
        "SELECT rowid, bm25(records_fts, 10.0, 8.0, 5.0, 4.0, 2.0, 2.0, 1.0), 0, ''"
        " FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rowid DESC LIMIT " +
        std::to_string(kSearchCandidates + 1);
  } else if (!match.empty()) {
    // The newest kSearchCandidates matches that pass the filters, ranked:
    // FTS5 walks rowids backwards (the outer loop), each is looked up in
    // records, and the limit counts only rows that pass, so a filter never
    // hides matches beyond the first candidates.
    sql =
        "SELECT r.id, bm25(records_fts, 10.0, 8.0, 5.0, 4.0, 2.0, 2.0, 1.0), ifnull(r.year,0),"
        " ifnull(r.title_kana, r.title) FROM records_fts JOIN records r ON r.id = records_fts.rowid"
        " WHERE records_fts MATCH ?1";
  } else {
    sql =
        "SELECT r.id, 0.0, ifnull(r.year,0), ifnull(r.title_kana, r.title) FROM records r"
        " WHERE 1";
  }
  if (isbn) sql += " AND r.isbn = ?2";  // (index_only has no isbn and no filter)
  if (q.year_from) sql += " AND r.year >= ?3";
  if (q.year_to) sql += " AND r.year <= ?4";
  if (!q.branch.empty() || q.on_shelf_only) {
    sql += " AND EXISTS (SELECT 1 FROM copies k WHERE k.record_id = r.id";
    if (!q.branch.empty()) sql += " AND k.branch = ?5";
    if (q.on_shelf_only) sql += " AND k.status = 'shelf'";
    sql += ")";
  }
  if (!index_only) {
    sql += match.empty() ? " ORDER BY r.id DESC" : " ORDER BY records_fts.rowid DESC";
    sql += " LIMIT " + std::to_string(kSearchCandidates + 1);
  }

  auto st = c.Prepare(sql);
  if (!st.ok()) return st.status();
  if (!match.empty()) st->Bind(1, match);
  if (isbn) st->Bind(2, *isbn);
  if (q.year_from) st->Bind(3, int64_t{q.year_from});
  if (q.year_to) st->Bind(4, int64_t{q.year_to});
  if (!q.branch.empty()) st->Bind(5, q.branch);

  std::vector<Candidate> cands;
  while (true) {
    auto r = st->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    cands.push_back({st->Int(0), st->Real(1), static_cast<int>(st->Int(2)), st->Text(3)});
  }
  SearchResult out;
  // One row more than the cap was asked for: its presence says there are more.
  out.capped = cands.size() > static_cast<size_t>(kSearchCandidates);
  if (cands.size() > static_cast<size_t>(kSearchCandidates)) cands.resize(kSearchCandidates);
  out.total = static_cast<int>(cands.size());

  switch (q.sort) {
    case SearchQuery::Sort::kRelevance:
      // bm25 is negative: lower is better. Ties: newer record first.
      std::stable_sort(cands.begin(), cands.end(), [](const Candidate& a, const Candidate& b) {
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
  }

  Status err;
  Stmt* d = c.Cached(
      "SELECT title, ifnull(volume,''), ifnull(publisher,''), ifnull(year,0),"
      " (SELECT group_concat(name, '・') FROM (SELECT name FROM record_authors"
      "   WHERE record_id = r.id ORDER BY pos)),"
      " (SELECT count(*) FROM copies WHERE record_id = r.id),"
      " (SELECT count(*) FROM copies WHERE record_id = r.id AND status = 'shelf')"
      " FROM records r WHERE id = ?1",
      &err);
  if (!d) return err;
  const size_t from = static_cast<size_t>(std::max(0, q.offset));
  const size_t to = std::min(cands.size(), from + static_cast<size_t>(std::max(0, q.limit)));
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
    h.authors = d->Text(4);
    h.copies = static_cast<int>(d->Int(5));
    h.on_shelf = static_cast<int>(d->Int(6));
    out.hits.push_back(std::move(h));
  }
  d->Reset();
  return out;
}

}  // namespace shiori::db
