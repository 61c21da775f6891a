// The FTS5 side of the catalogue search: the "shiori" tokenizer (search
// folding, overlapping bigrams for kanji and kana runs, each kanji also a
// term of its own, kana trigrams, words for the rest), the query expressions
// built from the same rules, and shiori_rank() with its per-connection copy
// of the rows' lengths. The query itself is in search.cc.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/search_internal.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

using charset::CharClass;
using detail::kMaxCachedRowid;
using detail::kReadingMark;

// ---------------------------------------------------------------- tokenizer

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
  std::u32string f = charset::FoldForSearch(text);
  if (reading) charset::FoldReading(f);
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
  return RegisterYearFilter(c);
}

}  // namespace detail

namespace {

// The segments of a query: its runs of kanji and kana, and its words, as
// FoldForSearch leaves them; separators dropped.
std::vector<std::u32string> QuerySegments(std::string_view text) {
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
  return segs;
}

}  // namespace

std::string FtsMatchExpression(std::string_view text, const MatchColumns& columns) {
  std::vector<std::u32string> segs = QuerySegments(text);
  // A kana typed alone beside other words (ル・グウィン, 吾輩 は 猫) is left
  // out: within a run a kana is no term, so it would find nothing.
  auto lone_kana = [](const std::u32string& s) { return s.size() == 1 && IsKana(s[0]); };
  const bool others = std::any_of(segs.begin(), segs.end(), [&](auto& s) { return !lone_kana(s); });
  std::string expr;
  for (const auto& s : segs) {
    if (others && lone_kana(s)) continue;
    if (!expr.empty()) expr += " AND ";
    // Segments hold letters, digits, kanji and kana: no quote to escape.
    const std::string seg = charset::ToUtf8(s);
    std::u32string as_read = s;
    charset::FoldReading(as_read);
    if (as_read == s || columns.reading.empty()) {
      expr += columns.all + '"' + seg + '"';
    } else {
      // Readings fold further (FoldReading): the segment as typed in the
      // other columns, or as read in the readings. The reading mark makes
      // the tokenizer fold the phrase as it folded the readings.
      expr += "(" + columns.plain + '"' + seg + "\" OR " + columns.reading + '"' + kReadingMark +
              seg + "\")";
    }
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

}  // namespace shiori::db
