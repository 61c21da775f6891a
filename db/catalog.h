// The catalogue: bibliographic records with their authors and copies, the
// record page's detail, and the full-text search over them (the "shiori"
// FTS5 tokenizer, ranking, filters). docs/architecture.md, "The search
// index", describes the index.
//
// Errors: Busy and Io are SQLite's own (English); Invalid and Conflict from
// UpsertRecord are one English line for the import report.
// Thread-safety: as for the Connection passed in; the functions without one
// are pure.
#ifndef SHIORI_DB_CATALOG_H_
#define SHIORI_DB_CATALOG_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "db/sqlite.h"

namespace shiori::db {

// ---------------------------------------------------------------- records

// ISBN-10 or ISBN-13, hyphens and spaces allowed, check digit verified:
// the ISBN-13 digits, or nullopt when it is not a valid ISBN.
std::optional<std::string> NormalizeIsbn(std::string_view s);

struct AuthorEntry {
  std::string name;
  std::string name_kana;
  std::string role;  // 著, 訳, 絵 ... ; empty when not given
};

struct CopyEntry {
  std::string barcode;
  std::string branch;  // branch code
  std::string call_number;
  // For use in the library only (館内のみ, 禁帯出): never lent nor set aside
  // for a hold. nullopt: not given (a new copy is lendable, a known one
  // keeps its flag).
  std::optional<bool> in_library;
};

// A bibliographic record as it is imported.
struct CatalogRecord {
  std::string source_id;  // the exporting system's id; re-import updates by it
  std::string title, title_kana, volume;
  std::vector<AuthorEntry> authors;
  std::string publisher, publisher_kana;
  int year = 0;      // 0: unknown
  std::string isbn;  // as given; stored as ISBN-13 digits
  std::string ndc, lang, subjects, notes;
  std::vector<CopyEntry> copies;
};

// Inserts the record or, when its source_id exists, updates it (copies are
// added or moved by barcode; a copy on loan or held keeps its status, and
// its in_library flag when the entry does not give one), and
// keeps the search index in step. Invalid for a bad ISBN or a copy at an
// unknown branch. REQUIRES: inside a transaction.
Result<Upserted> UpsertRecord(Connection& c, const CatalogRecord& r);
// Adds record `id` to the search index (after it is written) / removes it
// (before it changes). UpsertRecord does both.
Status IndexRecord(Connection& c, int64_t id);
Status UnindexRecord(Connection& c, int64_t id);
// The same from the record just written as `r` (no reading back): the text
// is the one the stored row gives, which UnindexRecord will repeat.
Status IndexRecord(Connection& c, int64_t id, const CatalogRecord& r);

struct CopyStatus {
  std::string barcode, branch_code, branch_name, call_number;
  std::string status;       // shelf | loan | transit | held | missing
  std::string due_on;       // when on loan
  bool in_library = false;  // for use in the library only (館内のみ)
};

struct RecordDetail {
  int64_t id = 0;
  std::string title, title_kana, volume;
  std::vector<AuthorEntry> authors;
  std::string publisher, publisher_kana;
  int year = 0;
  std::string isbn, ndc, lang, subjects, notes;
  std::vector<CopyStatus> copies;  // in the branches' order, then by barcode
  int holds = 0;                   // holds waiting or ready (予約)
};
// The record page: record `id` with every copy's status, or nullopt.
Result<std::optional<RecordDetail>> GetRecord(Connection& c, int64_t id);

// ---------------------------------------------------------------- search

// The tokens the search index holds for `text` (document) or looks for (query):
// search folding (charset::FoldForSearch), then overlapping bigrams for kanji
// and kana runs (in a document each kanji of the run is a term too, unless
// the text follows the reading mark U+001F), kana trigrams (db/tokenizer.cc
// TokenizePart), words for letters and digits. For tests and tools.
std::vector<std::string> SearchTokens(std::string_view text, bool document);
// The columns a part of the query is matched in, as FTS5 column filters
// ("{title title_reading} : "; empty: every column): `all` of them, and the
// same split into those without readings (`plain`) and those with
// (`reading`; empty: no split).
struct MatchColumns {
  std::string all, plain, reading;
};
// The FTS5 expression db::Search matches for the words of `text`: each run
// of kanji/kana or of letters/digits one phrase in `columns.all`, ANDed; a
// lone kana beside other words is left out. A one-kanji run is that kanji's
// own term, so 猫 finds 黒猫 and 猫町. A run that charset::FoldReading
// changes (わがはいはねこである, こんぴゅーた) is matched as typed in
// `columns.plain` OR as read in `columns.reading`. For tests and tools.
std::string FtsMatchExpression(std::string_view text, const MatchColumns& columns);
// True when the words of `text` are one hiragana or katakana (full or half
// width, spaces around): the index keeps no single kana, so such a query
// finds nothing and the page says to type two.
bool IsOneKanaQuery(std::string_view text);
// The expression db::Search ranks its candidates by (lower is better): the
// column weights of title, title reading, author, author reading,
// publisher, subjects, other. For tools that time the same query.
inline constexpr char kSearchRank[] =
    "shiori_rank(records_fts, 10.0, 8.0, 5.0, 4.0, 2.0, 2.0, 1.0)";
// What db::Search shows of each hit, three statements for a page of hits:
// per hit (?1 the record id) its title, volume, publisher, year and holds
// waiting or ready; for the page's hits at once (?1 a JSON array of their
// ids) their authors with roles and places, and their copies with their
// branch, state and due date; db::Search orders the authors and counts the
// copies per branch (a join from json_each without ORDER BY or GROUP BY:
// measured, the cheapest for a page). For tools that time the same queries.
inline constexpr char kSearchDetailsSql[] =
    "SELECT title, ifnull(volume,''), ifnull(publisher,''), ifnull(year,0),"
    " (SELECT count(*) FROM holds WHERE record_id = r.id AND status IN ('waiting','ready'))"
    " FROM records r WHERE id = ?1";
inline constexpr char kSearchAuthorsSql[] =
    "SELECT a.record_id, a.pos, a.name, ifnull(a.role,'')"
    " FROM json_each(?1) j JOIN record_authors a ON a.record_id = j.value";
inline constexpr char kSearchHoldingsSql[] =
    "SELECT k.record_id, k.branch, k.status, k.in_library,"
    " CASE WHEN k.status = 'loan' THEN (SELECT l.due_on FROM loans l"
    "   WHERE l.copy_id = k.id AND l.returned_on IS NULL) END"
    " FROM json_each(?1) j JOIN copies k ON k.record_id = j.value";

struct SearchQuery {
  std::string text;  // free words over every field, or an ISBN
  // Advanced search, each optional and ANDed with the rest:
  std::string title, author, publisher, subject, isbn;
  int year_from = 0, year_to = 0;
  std::string branch;          // only titles with a copy at this branch
  bool on_shelf_only = false;  // only titles with a copy on the shelf (at `branch` if given)
  // kOldest: the oldest year first, records without a year last. kAuthor: by
  // the first author's reading in the Japanese order, records without one
  // after those with one.
  enum class Sort { kRelevance, kNewest, kTitle, kOldest, kAuthor } sort = Sort::kRelevance;
  int offset = 0;
  int limit = 20;
};

// The FTS5 expression db::Search matches for `q`: the free words (unless
// `text_is_isbn`: then records_isbn finds them) and the title, author,
// publisher and subject fields, each in its columns, ANDed. For tools that
// time the same query.
std::string SearchMatchExpression(const SearchQuery& q, bool text_is_isbn);

// What one branch holds of a title, counted by state.
struct BranchHolding {
  std::string branch_code;
  int copies = 0;      // every copy at the branch
  int lendable = 0;    // copies that may be lent (not 館内のみ)
  int on_shelf = 0;    // lendable copies on the shelf
  int in_library = 0;  // 館内のみ copies on the shelf
  int on_loan = 0;
  std::string due_on;  // the earliest due date of those on loan, YYYY-MM-DD
  int held = 0;        // set aside for a patron's hold (取置)
  int in_transit = 0;
  int missing = 0;
};

struct SearchHit {
  int64_t id = 0;
  std::string title, volume, publisher;
  std::vector<AuthorEntry> authors;  // name and role only
  int year = 0;
  std::vector<BranchHolding> holdings;  // the branches with copies, by branch code
  int holds = 0;                        // holds waiting or ready (予約)
};

struct SearchResult {
  std::vector<SearchHit> hits;
  int total = 0;        // matches found
  bool capped = false;  // true: at least `total`; the search stopped looking
  // Not empty: the query as typed found nothing, and these hits are what a
  // more forgiving search found (Search); the words as the first hit has
  // them, to say 「もしかして: 坊っちゃん」.
  std::string did_you_mean;
};

// Ranked search. Kanji and kana are matched as bigrams (a one-character word
// as a prefix), readings in kana find titles and names in kanji, an ISBN
// finds its book in either form. Ranking (bm25, title above author above the
// rest) runs over at most `kSearchCandidates` matches, newest records first,
// so every query costs about the same; `capped` says when there were more.
// A query with nothing to match or filter finds nothing (an empty result).
// Variant kanji and readings are folded (charset::FoldForSearch,
// charset::FoldReading); a record whose whole title (with or without its
// volume, or its reading) is the query comes first, however many match.
// When the free words, title or author find nothing, they are tried once
// more with っ and ー dropped, small kana large, and 斉 as 斎, and each hit
// must hold the words so relaxed: such hits say so in `did_you_mean`.
Result<SearchResult> Search(Connection& c, const SearchQuery& q);
inline constexpr int kSearchCandidates = 1000;
// The keys of table title_keys that db::Search looks the free words `text`
// up by to put an exact title first: `text` folded as a title and as a
// reading (the two may be equal). SELECT count(DISTINCT record_id) FROM
// title_keys WHERE key IN (both) counts the records whose whole title is
// `text` (before the check against their text); db::Search puts the newest
// 20 of them first. For tools that count titles shared by many records.
std::array<int64_t, 2> ExactTitleKeys(std::string_view text);

}  // namespace shiori::db

#endif  // SHIORI_DB_CATALOG_H_
