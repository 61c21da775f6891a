// Internal to db/: what the catalogue search (db/search.cc) keeps for each
// connection, which the Connection (db/sqlite.cc) owns, and the registration
// Connection::Open runs.
#ifndef SHIORI_DB_SEARCH_INTERNAL_H_
#define SHIORI_DB_SEARCH_INTERNAL_H_

#include <chrono>
#include <cstdint>
#include <vector>

#include "base/status.h"
#include "db/sqlite.h"

namespace shiori::db {

namespace detail {

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

// Registers the "shiori" FTS5 tokenizer, the shiori_rank() ranking function
// and shiori_year_in() on `c`, and gives `c` its SearchState. shiori_rank
// keeps the rows' lengths per connection when `rank_length_cache`
// (OpenOptions::rank_length_cache), else asks FTS5 for each row.
// Connection::Open calls it for every connection, so the index is readable
// and writable everywhere. Io when SQLite has no FTS5 or a registration fails.
Status RegisterTokenizer(Connection& c, bool rank_length_cache);

}  // namespace detail

// What the catalogue search keeps for one connection (Connection::search_state).
// shiori_year_in() holds a plain pointer to it: the connection closes its
// SQLite handle before it lets go of this.
struct SearchState {
  detail::RecordYears years;
};

}  // namespace shiori::db

#endif  // SHIORI_DB_SEARCH_INTERNAL_H_
