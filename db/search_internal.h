// Internal to db/: what the catalogue search's files share. tokenizer.cc has
// the FTS5 side (the "shiori" tokenizer and shiori_rank()), search.cc the
// per-connection copy of the records' years, the index text and the query;
// sqlite.cc registers both on every connection it opens.
#ifndef SHIORI_DB_SEARCH_INTERNAL_H_
#define SHIORI_DB_SEARCH_INTERNAL_H_

#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "db/sqlite.h"

namespace shiori::db {

namespace detail {

// Index text that follows kReadingMark in a column is a kana reading.
constexpr char kReadingMark = '\x1F';

// The per-connection copies (row lengths, years) cover rowids up to this
// (lengths 20 MB and years 40 MB a connection at most).
constexpr sqlite3_int64 kMaxCachedRowid = 20'000'000;

// The publication year of every record, kept per connection for the year
// filter: looking each match up in records cost 1.7 us a row (a search by
// author and three years walks 20,000 matches to find 1,000 in the years:
// 36 ms at 1M records; 2 ms from this copy). 2 bytes a record, read in one
// scan of records_year the first time a search filters by year and again
// when the highest record id or catalog_version (a trigger counts changed
// years and deleted records) has moved. shiori_year_in(rowid, from, to) is
// 1 when the row's year is known and within [from, to] (0: no bound).
struct RecordYears {
  int64_t version = -1, max_id = -1;  // of the scan
  bool current = false;
  std::vector<uint16_t> year;  // by rowid; 0: none
  std::chrono::steady_clock::time_point retry_at{};
};

// Registers the "shiori" FTS5 tokenizer and the shiori_rank() ranking
// function on `c`, then what RegisterYearFilter registers. shiori_rank keeps
// the rows' lengths per connection when `rank_length_cache`
// (OpenOptions::rank_length_cache), else asks FTS5 for each row.
// Connection::Open calls it for every connection, so the index is readable
// and writable everywhere. Io when SQLite has no FTS5 or a registration fails.
Status RegisterTokenizer(Connection& c, bool rank_length_cache);

// Gives `c` its SearchState and registers shiori_year_in(), which reads the
// years kept there. Io when the registration fails.
Status RegisterYearFilter(Connection& c);

}  // namespace detail

// What the catalogue search keeps for one connection (Connection::search_state).
// shiori_year_in() holds a plain pointer to it: the connection closes its
// SQLite handle before it lets go of this.
struct SearchState {
  detail::RecordYears years;
};

}  // namespace shiori::db

#endif  // SHIORI_DB_SEARCH_INTERNAL_H_
