// The catalogue's full-text search: the "shiori" FTS5 tokenizer (search
// folding, overlapping bigrams for kanji and kana runs, each kanji also a
// term of its own, kana trigrams, words for the rest), the per-connection copies of the rows' lengths and years,
// keeping the index in step with the records, ISBN handling, and the query
// with its bounded ranking and capped count.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/search_internal.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

using charset::CharClass;
using detail::RecordYears;

// ---------------------------------------------------------------- tokenizer

// Index text that follows kReadingMark in a column is a kana reading.
constexpr char kReadingMark = '\x1F';

// Kana are an alphabet of ninety letters, so their bigrams are in a great
// many records: they get trigrams.
using charset::IsKana;

// Emits the tokens of `text` through `emit(token, colocated)`. Kanji and
// kana runs give overlapping bigrams, for the queries of two characters or
// more (a phrase of bigrams). In documents every kanji of such a run is
// also a token of its own at the position of the bigram it starts (the
// last one at the last bigram's), so a one-kanji query is one exact term
// -- no prefix index, which was 44 % of the index -- and phrases of bigrams
// keep their positions. A kana within a run is no term of its own: it is in
// most titles and readings and finds nothing useful (3 % of the index at
// 100k records); a kana standing alone (ル・グウィン, 東京 と 京都) still is,
// so that it keeps its position between its neighbours. Three kana in a row
// are also a trigram at
// the position of the bigram they start, and a query takes the trigram
// wherever one starts: みやざわけんじ is the phrase みやざ やざわ ざわけ
// わけん けんじ, whose terms are each in a few hundred records where the
// bigrams' are in tens of thousands (the phrase match itself was the p99 of
// kana and 3+ character queries). It finds what the bigram phrase found,
// except across a separator: the bigram phrase ねこ こま also matched
// ねこ・こま. A reading (the text after kReadingMark)
// gives no single characters. Letters and digits give words. Everything
// else separates.
template <typename Emit>
int TokenizePart(std::string_view text, bool document, bool reading, Emit&& emit) {
  const std::u32string f = charset::FoldForSearch(text);
  std::string tok;
  auto gram = [&](size_t k, size_t n, bool colocated) {  // f[k] .. f[k + n - 1]
    tok.clear();
    for (size_t m = k; m < k + n; ++m) charset::AppendUtf8(tok, f[m]);
    return emit(tok, colocated);
  };
  size_t i = 0;
  while (i < f.size()) {
    const CharClass cls = charset::Classify(f[i]);
    size_t j = i + 1;
    while (j < f.size() && charset::Classify(f[j]) == cls) ++j;
    if (cls == CharClass::kCjk) {
      const bool unigrams = document && !reading;
      if (j - i == 1) {
        if (!reading || !document) {
          if (int rc = gram(i, 1, false); rc != SQLITE_OK) return rc;
        }
      } else {
        for (size_t k = i; k + 1 < j; ++k) {
          const bool trigram = k + 2 < j && IsKana(f[k]) && IsKana(f[k + 1]) && IsKana(f[k + 2]);
          if (!document && trigram) {
            if (int rc = gram(k, 3, false); rc != SQLITE_OK) return rc;
            if (k + 3 == j) break;  // the run is covered
            continue;
          }
          if (int rc = gram(k, 2, false); rc != SQLITE_OK) return rc;
          if (unigrams && !IsKana(f[k])) {
            if (int rc = gram(k, 1, true); rc != SQLITE_OK) return rc;
          }
          if (document && trigram) {
            if (int rc = gram(k, 3, true); rc != SQLITE_OK) return rc;
          }
        }
        // (Not when it repeats the one before, already at this position: 人人.)
        if (unigrams && !IsKana(f[j - 1]) && f[j - 1] != f[j - 2]) {
          if (int rc = gram(j - 1, 1, true); rc != SQLITE_OK) return rc;
        }
      }
    } else if (cls == CharClass::kWord) {
      tok.clear();
      for (size_t k = i; k < j && tok.size() < 64; ++k) charset::AppendUtf8(tok, f[k]);
      if (int rc = emit(tok, false); rc != SQLITE_OK) return rc;
    }
    i = j;
  }
  return SQLITE_OK;
}

template <typename Emit>
int Tokenize(std::string_view text, bool document, Emit&& emit) {
  const size_t mark = text.find(kReadingMark);
  if (int rc = TokenizePart(text.substr(0, mark), document, false, emit); rc != SQLITE_OK) {
    return rc;
  }
  if (mark == std::string_view::npos) return SQLITE_OK;
  return TokenizePart(text.substr(mark + 1), document, true, emit);
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
                  [&](const std::string& t, bool colocated) {
                    return token(ctx, colocated ? FTS5_TOKEN_COLOCATED : 0, t.data(),
                                 static_cast<int>(t.size()), 0, n);
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

// ---------------------------------------------------------------- ranking

// shiori_rank(records_fts, w0, w1, ...): FTS5's bm25 (k1 = 1.2, b = 0.75,
// column weights as arguments, lower is better), except for the phrase
// weights. bm25 first counts, for every phrase of the query, all the rows
// that hold it (its IDF), which costs as much as the whole match list: for
// one kanji of 268,000 matches that was 5 ms at p99, on a search that ranks
// only its newest 1,000 candidates. A query of one phrase (most are: 猫,
// 宮沢賢治, みやざわけんじ) ranks the same with any weight, so it gets none;
// with several phrases each one's count stops at kIdfCountCap, so the
// frequent ones weigh the same and a rare one weighs more.
constexpr int kIdfCountCap = 1000;

struct RankData {
  std::vector<double> idf;
  double avgdl = 1.0;
  std::vector<double> freq;                       // per phrase, for the current row
  const std::vector<uint8_t>* lengths = nullptr;  // DocLengths::len, when current
};

// The length (tokens, all columns) of every row of records_fts, kept per
// connection: bm25 divides by it, and FTS5 reads it with one lookup in
// records_fts_docsize per candidate -- three quarters of the ranking at 1M
// records (measured: 1char p50 1.07 -> 0.35 ms without it). Read in one scan
// (0.2 s at 1M, 1 MB) the first time a search ranks, and again when the
// index's row count or column totals have changed since (any insert or
// delete changes them; an update that keeps every total the same is ranked
// with its old length until the next change). Rows of 255 tokens or more,
// and rows added since the scan, are asked of FTS5. A connection opened
// without OpenOptions::rank_length_cache keeps none: FTS5 answers every row.
struct DocLengths {
  sqlite3* db = nullptr;
  std::vector<sqlite3_int64> key;  // the row count and column totals of the scan
  std::vector<uint8_t> len;        // by rowid; 0: ask FTS5
  // The scan failed (interrupted, say): FTS5 answers every row until then.
  std::chrono::steady_clock::time_point retry_at{};
};
constexpr uint8_t kAskFts5 = 0;
constexpr uint8_t kLongRow = 255;
// (lengths 20 MB and years 40 MB a connection at most)
constexpr sqlite3_int64 kMaxCachedRowid = 20'000'000;

// One SQLite varint (big-endian, 7 bits a byte, the 9th byte whole), as FTS5
// writes the column sizes of %_docsize.sz; false at the end of the blob.
bool ReadVarint(const unsigned char*& p, const unsigned char* end, uint64_t* v) {
  uint64_t x = 0;
  for (int i = 0; i < 9; ++i) {
    if (p == end) return false;
    const unsigned char b = *p++;
    if (i == 8) {
      *v = (x << 8) | b;
      return true;
    }
    x = (x << 7) | (b & 0x7F);
    if (!(b & 0x80)) {
      *v = x;
      return true;
    }
  }
  return false;
}

bool ScanLengths(DocLengths& d) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(d.db, "SELECT id, sz FROM records_fts_docsize", -1, &s, nullptr) !=
      SQLITE_OK) {
    sqlite3_finalize(s);
    return false;
  }
  std::vector<uint8_t> len;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const sqlite3_int64 id = sqlite3_column_int64(s, 0);
    if (id <= 0 || id > kMaxCachedRowid) continue;
    const auto* p = static_cast<const unsigned char*>(sqlite3_column_blob(s, 1));
    const int bytes = sqlite3_column_bytes(s, 1);
    const auto* end = p ? p + bytes : p;
    uint64_t total = 0, v = 0;
    while (p && ReadVarint(p, end, &v)) total += v;
    if (len.size() <= static_cast<size_t>(id)) len.resize(static_cast<size_t>(id) + 1, kAskFts5);
    len[static_cast<size_t>(id)] = total == 0          ? kAskFts5
                                   : total >= kLongRow ? kLongRow
                                                       : static_cast<uint8_t>(total);
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) return false;
  len.shrink_to_fit();
  d.len.swap(len);
  return true;
}

int CountUpToCap(const Fts5ExtensionApi*, Fts5Context*, void* user) {
  int64_t& n = *static_cast<int64_t*>(user);
  return ++n >= kIdfCountCap ? SQLITE_DONE : SQLITE_OK;
}

Result<RankData*> RankDataFor(const Fts5ExtensionApi* api, Fts5Context* fts) {
  if (auto* d = static_cast<RankData*>(api->xGetAuxdata(fts, 0))) return d;
  auto d = std::make_unique<RankData>();
  const int phrases = api->xPhraseCount(fts);
  d->idf.assign(static_cast<size_t>(phrases), 1.0);
  d->freq.assign(static_cast<size_t>(phrases), 0.0);
  sqlite3_int64 rows = 0, tokens = 0;
  if (api->xRowCount(fts, &rows) != SQLITE_OK ||
      api->xColumnTotalSize(fts, -1, &tokens) != SQLITE_OK) {
    return Status::Io("shiori_rank: cannot read the index totals");
  }
  d->avgdl = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1.0;
  auto* cache = static_cast<DocLengths*>(api->xUserData(fts));
  const auto now = std::chrono::steady_clock::now();
  if (cache && now >= cache->retry_at) {
    std::vector<sqlite3_int64> key = {rows};
    for (int col = 0; col < api->xColumnCount(fts); ++col) {
      sqlite3_int64 n = 0;
      if (api->xColumnTotalSize(fts, col, &n) != SQLITE_OK) n = -1;
      key.push_back(n);
    }
    bool current = key == cache->key;
    if (!current) {
      current = ScanLengths(*cache);
      if (current) {
        cache->key = std::move(key);
      } else {
        cache->key.clear();
        cache->retry_at = now + std::chrono::minutes(1);
      }
    }
    if (current) d->lengths = &cache->len;
  }
  if (phrases > 1) {
    for (int p = 0; p < phrases; ++p) {
      int64_t n = 0;
      if (api->xQueryPhrase(fts, p, &n, CountUpToCap) != SQLITE_OK) {
        return Status::Io("shiori_rank: cannot count a phrase");
      }
      const double nr = static_cast<double>(rows);
      const double idf =
          std::log((nr - static_cast<double>(n) + 0.5) / (static_cast<double>(n) + 0.5));
      d->idf[static_cast<size_t>(p)] = idf > 1e-6 ? idf : 1e-6;  // as bm25 floors it
    }
  }
  RankData* raw = d.get();
  if (api->xSetAuxdata(fts, d.release(), [](void* p) { delete static_cast<RankData*>(p); }) !=
      SQLITE_OK) {
    return Status::Io("shiori_rank: out of memory");
  }
  return raw;
}

void RankFunction(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* ctx, int n_val,
                  sqlite3_value** args) {
  constexpr double k1 = 1.2, b = 0.75;
  auto data = RankDataFor(api, fts);
  if (!data.ok()) {
    sqlite3_result_error(ctx, data.status().message().c_str(), -1);
    return;
  }
  RankData& d = **data;
  std::fill(d.freq.begin(), d.freq.end(), 0.0);
  int inst = 0;
  int rc = api->xInstCount(fts, &inst);
  for (int i = 0; rc == SQLITE_OK && i < inst; ++i) {
    int phrase = 0, col = 0, off = 0;
    rc = api->xInst(fts, i, &phrase, &col, &off);
    if (rc == SQLITE_OK)
      d.freq[static_cast<size_t>(phrase)] += col < n_val ? sqlite3_value_double(args[col]) : 1.0;
  }
  int size = 0;
  const sqlite3_int64 row = api->xRowid(fts);
  const uint8_t known = d.lengths && row > 0 && static_cast<size_t>(row) < d.lengths->size()
                            ? (*d.lengths)[static_cast<size_t>(row)]
                            : kAskFts5;
  if (known != kAskFts5 && known != kLongRow) {
    size = known;
  } else if (rc == SQLITE_OK) {
    rc = api->xColumnSize(fts, -1, &size);
  }
  if (rc != SQLITE_OK) {
    sqlite3_result_error_code(ctx, rc);
    return;
  }
  double score = 0;
  for (size_t p = 0; p < d.freq.size(); ++p) {
    const double f = d.freq[p];
    score += d.idf[p] * (f * (k1 + 1.0)) / (f + k1 * (1 - b + b * size / d.avgdl));
  }
  sqlite3_result_double(ctx, -score);
}

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
};

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

// ---------------------------------------------------------------- ISBN

int IsbnDigit(char c) { return c >= '0' && c <= '9' ? c - '0' : -1; }

}  // namespace

namespace detail {

Status RegisterTokenizer(Connection& c, bool rank_length_cache) {
  fts5_api* api = Fts5Api(c.raw());
  if (!api) return Status::Io("this SQLite has no FTS5");
  static fts5_tokenizer tok = {TokCreate, TokDelete, TokTokenize};
  if (api->xCreateTokenizer(api, "shiori", nullptr, &tok, nullptr) != SQLITE_OK) {
    return Status::Io("cannot register the shiori tokenizer");
  }
  auto* lengths = rank_length_cache ? new DocLengths{c.raw()} : nullptr;
  if (api->xCreateFunction(api, "shiori_rank", lengths, RankFunction,
                           [](void* p) { delete static_cast<DocLengths*>(p); }) != SQLITE_OK) {
    delete lengths;
    return Status::Io("cannot register shiori_rank");
  }
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

std::string FtsMatchExpression(std::string_view text, const std::string& columns) {
  const std::u32string f = charset::FoldForSearch(text);
  std::vector<std::u32string> segs;
  size_t i = 0;
  while (i < f.size()) {
    const CharClass cls = charset::Classify(f[i]);
    size_t j = i + 1;
    while (j < f.size() && charset::Classify(f[j]) == cls) ++j;
    if (cls != CharClass::kSeparator) segs.push_back(f.substr(i, j - i));
    i = j;
  }
  // A kana typed alone beside other words (ル・グウィン, 吾輩 は 猫) is left
  // out: within a run a kana is no term, so it would find nothing.
  auto lone_kana = [](const std::u32string& s) { return s.size() == 1 && IsKana(s[0]); };
  const bool others = std::any_of(segs.begin(), segs.end(), [&](auto& s) { return !lone_kana(s); });
  std::string expr;
  for (const auto& s : segs) {
    if (others && lone_kana(s)) continue;
    if (!expr.empty()) expr += " AND ";
    expr += columns;
    std::string seg;
    for (char32_t c : s) charset::AppendUtf8(seg, c);
    expr += '"' + seg + '"';  // segments hold letters, digits, kanji, kana: no quote
  }
  return expr;
}

bool IsOneKanaQuery(std::string_view text) {
  std::u32string f = charset::FoldForSearch(text);
  f.erase(std::remove_if(f.begin(), f.end(),
                         [](char32_t c) { return charset::Classify(c) == CharClass::kSeparator; }),
          f.end());
  return f.size() == 1 && IsKana(f[0]);
}

std::vector<std::string> SearchTokens(std::string_view text, bool document) {
  std::vector<std::string> out;
  (void)Tokenize(text, document, [&](const std::string& t, bool) {
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

// The candidates of a search that matches words or reads records: the
// newest kSearchCandidates + 1 that pass its filters, with their scores.
static Status MatchCandidates(Connection& c, const SearchQuery& q, const std::string& match,
                              const std::optional<std::string>& isbn, bool kept_years,
                              std::vector<Candidate>* cands) {
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
  auto add = [&](std::string_view text, const std::string& columns) {
    std::string e = FtsMatchExpression(text, columns);
    if (e.empty()) return;
    if (!match.empty()) match += " AND ";
    match += e;
  };
  if (!text_is_isbn) add(q.text, "");
  add(q.title, "{title title_reading} : ");
  add(q.author, "{author author_reading} : ");
  add(q.publisher, "publisher : ");
  add(q.subject, "subjects : ");
  return match;
}

static Result<SearchResult> SearchOnce(Connection& c, const SearchQuery& q, bool text_as_isbn) {
  // What to match: the full-text expression, and filters on the records.
  std::optional<std::string> isbn = text_as_isbn ? NormalizeIsbn(q.text) : std::nullopt;
  const std::string match = SearchMatchExpression(q, isbn.has_value());
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
    if (q.sort == SearchQuery::Sort::kTitle) {
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
  Stmt* d = c.Cached(kSearchDetailsSql, &err);
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
