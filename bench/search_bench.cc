// Catalogue search benchmark: loads a catalogue TSV (bench/catalog_gen.py)
// into a fresh SQLite file through the import path (db::Migrate,
// db::SyncBranches, db::UpsertRecord in one db::Transaction), reports load
// time, index and file sizes, then the latency of db::Search per query class
// (bench/catalog_gen.py's queries.tsv), before and after FTS5 'optimize'.
//
//   search_bench --tsv DIR/catalog.tsv --queries DIR/queries.tsv --db FILE
//                [--out result.json] [--rounds 3] [--diag] [--fts-variants] [--reuse]
//                [--pragma 'cache_size=-65536' ...] [--no-length-cache] [--slowest N]
//                [--known N]
//
// --known N (after the queries, on the loaded or reused database) picks N
// records at random (a fixed seed) and searches each by its whole title as
// stored, then by its title and volume (records with a volume), then by its
// reading in hiragana without word spaces (records with one): limit 20,
// relevance. Per pass: how often the record is on that first page and at
// rank 1, the latency (the same rounds as the queries), and the misses: how
// many are titles more than 20 records share (db::ExactTitleKeys; db::Search
// puts only the newest 20 exact titles first), the first five with their
// rank in the whole ranking ("known_item" in the JSON lists them all).
// --slowest N lists the N queries of each class with the highest median time
// (with their hit counts): the queries that make a class's p99; with
// --known, the N slowest known-item searches of each pass too.
// --no-length-cache makes shiori_rank ask FTS5 for every row's length, as
// bm25 does, instead of its per-connection copy
// (db::OpenOptions::rank_length_cache).
// --reuse runs the queries (one phase, "optimized" in the JSON) on a database
// a previous run left, without loading it again. --pragma runs a PRAGMA on
// the connection before anything else: what-if experiments, not shiori's
// settings.
//
// --diag adds, per class, where the time of one Search goes: the FTS5 match
// alone (fts_rowids), with FTS5's bm25 (fts_bm25), with shiori_rank as
// db::Search ranks (fts_rank), joined to records for year and
// reading (joined: the candidate query db::Search runs when it sorts by
// something else than relevance or filters by copies, and ran always
// before e8d0af9),
// the detail queries (one per hit, two for the page), statement
// preparation, the uncapped count, ranking every match, and the query plans. --fts-variants
// rebuilds the index texts into FTS5 tables with other options (no prefix
// index, detail=column) in a scratch database and reports their sizes and
// build times.
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <numeric>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"

namespace {

using namespace shiori;
using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "search_bench: %s\n", what.c_str());
  std::exit(1);
}

void Check(const Status& s, const std::string& what) {
  if (!s.ok()) Die(what + ": " + s.message());
}

long PeakRssKb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

std::vector<std::string> Split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t next = s.find(sep, pos);
    if (next == std::string::npos) {
      out.push_back(s.substr(pos));
      return out;
    }
    out.push_back(s.substr(pos, next - pos));
    pos = next + sep.size();
  }
}

std::string JsonStr(const std::string& s) {
  std::string o = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      o += '\\';
      o += static_cast<char>(c);
    } else if (c < 0x20) {
      char b[8];
      std::snprintf(b, sizeof b, "\\u%04x", c);
      o += b;
    } else {
      o += static_cast<char>(c);
    }
  }
  return o + "\"";
}

// ---------------------------------------------------------------- catalogue TSV

// Reads catalog.tsv (one row per copy, rows of a record together) and hands
// each record to `fn`.
void ReadCatalog(const std::string& path, const std::function<void(const db::CatalogRecord&)>& fn) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::string line;
  std::getline(in, line);
  const auto header = Split(line, "\t");
  std::map<std::string, size_t> col;
  for (size_t i = 0; i < header.size(); ++i) col[header[i]] = i;
  for (const char* want :
       {"id", "isbn", "title", "title_kana", "author", "author_kana", "publisher", "publisher_kana",
        "year", "ndc", "lang", "subjects", "barcode", "branch", "call_number"}) {
    if (!col.count(want)) Die(path + ": no column " + want);
  }
  db::CatalogRecord rec;
  bool have = false;
  auto f = [&](const std::vector<std::string>& row, const char* name) -> const std::string& {
    return row[col[name]];
  };
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto row = Split(line, "\t");
    if (row.size() != header.size()) Die(path + ": bad row: " + line);
    if (!have || f(row, "id") != rec.source_id) {
      if (have) fn(rec);
      rec = db::CatalogRecord{};
      have = true;
      rec.source_id = f(row, "id");
      rec.isbn = f(row, "isbn");
      rec.title = f(row, "title");
      rec.title_kana = f(row, "title_kana");
      rec.publisher = f(row, "publisher");
      rec.publisher_kana = f(row, "publisher_kana");
      rec.year = f(row, "year").empty() ? 0 : std::stoi(f(row, "year"));
      rec.ndc = f(row, "ndc");
      rec.lang = f(row, "lang");
      rec.subjects = f(row, "subjects");
      auto names = Split(f(row, "author"), " ; ");
      auto kanas = Split(f(row, "author_kana"), " ; ");
      for (size_t a = 0; a < names.size(); ++a) {
        if (names[a].empty()) continue;
        db::AuthorEntry e;
        e.name = names[a];
        e.name_kana = a < kanas.size() ? kanas[a] : "";
        // A role after the name in full-width parentheses: 村上春樹（訳）.
        size_t p = e.name.find("（");
        if (p != std::string::npos && p > 0 && e.name.size() >= p + 6 &&
            e.name.compare(e.name.size() - 3, 3, "）") == 0) {
          e.role = e.name.substr(p + 3, e.name.size() - p - 6);
          e.name.resize(p);
        }
        rec.authors.push_back(std::move(e));
      }
    }
    rec.copies.push_back({f(row, "barcode"), f(row, "branch"), f(row, "call_number")});
  }
  if (have) fn(rec);
}

size_t TextBytes(const db::CatalogRecord& r) {
  size_t n = r.source_id.size() + r.title.size() + r.title_kana.size() + r.volume.size() +
             r.publisher.size() + r.publisher_kana.size() + r.isbn.size() + r.ndc.size() +
             r.lang.size() + r.subjects.size() + r.notes.size();
  for (const auto& a : r.authors) n += a.name.size() + a.name_kana.size() + a.role.size();
  return n;
}

size_t CopyTextBytes(const db::CatalogRecord& r) {
  size_t n = 0;
  for (const auto& k : r.copies) n += k.barcode.size() + k.branch.size() + k.call_number.size();
  return n;
}

// ---------------------------------------------------------------- queries

struct Query {
  std::string cls, text, title, author;
  int year_from = 0, year_to = 0;
  db::SearchQuery Search() const {
    db::SearchQuery q;
    q.text = text;
    q.title = title;
    q.author = author;
    q.year_from = year_from;
    q.year_to = year_to;
    q.limit = 20;
    return q;
  }
  std::string Label() const {
    if (!text.empty()) return text;
    return title + " / " + author + " " + std::to_string(year_from) + "-" + std::to_string(year_to);
  }
};

std::vector<Query> ReadQueries(const std::string& path) {
  std::ifstream in(path);
  if (!in) Die("cannot read " + path);
  std::string line;
  std::getline(in, line);
  std::vector<Query> qs;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    auto c = Split(line, "\t");
    if (c.size() != 6) Die(path + ": bad row: " + line);
    qs.push_back({c[0], c[1], c[2], c[3], std::stoi(c[4]), std::stoi(c[5])});
  }
  return qs;
}

const std::vector<std::string> kClasses = {"1char", "2char", "3char+",  "kana",
                                           "isbn",  "latin", "advanced"};

struct Stats {
  double p50 = 0, p99 = 0, mean = 0, max = 0;
  size_t n = 0;
};

double Pct(std::vector<double> xs, double p) {
  if (xs.empty()) return 0;
  std::sort(xs.begin(), xs.end());
  const double k = (xs.size() - 1) * p / 100.0;
  const size_t lo = static_cast<size_t>(std::floor(k)), hi = static_cast<size_t>(std::ceil(k));
  return xs[lo] + (xs[hi] - xs[lo]) * (k - lo);
}

Stats Summarise(const std::vector<double>& xs) {
  Stats s;
  s.n = xs.size();
  if (xs.empty()) return s;
  s.p50 = Pct(xs, 50);
  s.p99 = Pct(xs, 99);
  s.mean = std::accumulate(xs.begin(), xs.end(), 0.0) / xs.size();
  s.max = *std::max_element(xs.begin(), xs.end());
  return s;
}

struct Hit {
  int total = 0;
  bool capped = false;
  std::vector<int64_t> top;
};

struct Phase {
  std::map<std::string, Stats> classes;
  std::vector<Hit> hits;          // one per query, from the warm-up round
  std::vector<double> median_ms;  // one per query, over the measured rounds
};

Phase RunQueries(db::Connection& c, const std::vector<Query>& qs, int rounds) {
  Phase ph;
  std::map<std::string, std::vector<double>> samples;
  std::vector<std::vector<double>> per_query(qs.size());
  for (int r = 0; r <= rounds; ++r) {  // round 0 warms the cache up and records the hits
    for (size_t i = 0; i < qs.size(); ++i) {
      const Query& q = qs[i];
      const auto sq = q.Search();
      const auto t0 = Clock::now();
      auto res = db::Search(c, sq);
      const auto t1 = Clock::now();
      if (!res.ok()) Die("search '" + q.Label() + "': " + res.status().message());
      if (r == 0) {
        Hit h{res->total, res->capped, {}};
        for (const auto& x : res->hits) h.top.push_back(x.id);
        ph.hits.push_back(std::move(h));
      } else {
        samples[q.cls].push_back(Ms(t1 - t0));
        per_query[i].push_back(Ms(t1 - t0));
      }
    }
  }
  for (auto& [cls, xs] : samples) ph.classes[cls] = Summarise(xs);
  for (auto& xs : per_query) ph.median_ms.push_back(xs.empty() ? 0 : Pct(xs, 50));
  return ph;
}

// ---------------------------------------------------------------- database facts

int64_t QueryInt(db::Connection& c, const std::string& sql, int64_t fallback = -1) {
  auto s = c.Prepare(sql);
  if (!s.ok()) return fallback;
  auto r = s->Step();
  if (!r.ok() || !*r) return fallback;
  return s->Int(0);
}

struct Sizes {
  int64_t file = 0, wal = 0;
  int64_t fts = -1, records = -1, authors = -1, copies = -1, indexes = -1;
  int64_t fts_segments = -1;
};

int64_t FileSize(const std::string& p) {
  std::error_code ec;
  auto n = std::filesystem::file_size(p, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

Sizes MeasureSizes(db::Connection& c, const std::string& path) {
  Check(c.Exec("PRAGMA wal_checkpoint(TRUNCATE)"), "checkpoint");
  Sizes s;
  s.file = FileSize(path);
  s.wal = FileSize(path + "-wal");
  s.fts = QueryInt(c, "SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'records_fts%'");
  s.records = QueryInt(c, "SELECT sum(pgsize) FROM dbstat WHERE name = 'records'");
  s.authors = QueryInt(c, "SELECT sum(pgsize) FROM dbstat WHERE name = 'record_authors'");
  s.copies = QueryInt(c, "SELECT sum(pgsize) FROM dbstat WHERE name = 'copies'");
  s.indexes =
      QueryInt(c,
               "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM sqlite_master"
               " WHERE type = 'index' AND tbl_name IN ('records','copies','record_authors'))");
  // Segments of the FTS5 index: rows of the %_idx table are (segid, term, pgno).
  s.fts_segments = QueryInt(c, "SELECT count(DISTINCT segid) FROM records_fts_idx");
  return s;
}

// ---------------------------------------------------------------- diagnostics

// What db::Search matches for `q` (first as an ISBN when it reads as one).
std::string QueryMatch(const Query& q) {
  return db::SearchMatchExpression(q.Search(), db::NormalizeIsbn(q.text).has_value());
}

const char* kBm25 = "bm25(records_fts, 10.0, 8.0, 5.0, 4.0, 2.0, 2.0, 1.0)";
// What db::Search ranks with (db/search.cc): bm25 without the full phrase counts.
const char* kRank = db::kSearchRank;

// The candidate query db::Search runs when it must read records (a sort by
// year or reading): every match joined to its record, the year tested
// first from the kept years (db/search.cc RecordYears, current after the
// db::Search that Diagnose runs first).
std::string CandidateSql(const Query& q) {
  return std::string("SELECT r.id, ") + kRank +
         ", ifnull(r.year,0), ifnull(r.title_kana, r.title) FROM records_fts"
         " JOIN records r ON r.id = records_fts.rowid WHERE records_fts MATCH ?1" +
         (q.year_from || q.year_to ? " AND shiori_year_in(records_fts.rowid, ?3, ?4)" : "") +
         " ORDER BY records_fts.rowid DESC LIMIT " + std::to_string(db::kSearchCandidates + 1);
}

// Steps `sql` with ?1 = match (and ?3/?4 = years when present) to the end;
// returns milliseconds, rows in *rows.
double TimeSql(db::Connection& c, const std::string& sql, const Query& q, const std::string& match,
               int64_t* rows = nullptr, bool first_int = false) {
  const auto t0 = Clock::now();
  auto s = c.Prepare(sql);
  if (!s.ok()) Die(sql + ": " + s.status().message());
  s->Bind(1, match);
  if (sql.find("?3") != std::string::npos) s->Bind(3, int64_t{q.year_from});
  if (sql.find("?4") != std::string::npos) s->Bind(4, int64_t{q.year_to});
  int64_t n = 0;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) Die(sql + ": " + r.status().message());
    if (!*r) break;
    n = first_int ? s->Int(0) : n + 1;
  }
  const double ms = Ms(Clock::now() - t0);
  if (rows) *rows = n;
  return ms;
}

std::vector<std::string> Plan(db::Connection& c, const std::string& sql) {
  std::vector<std::string> out;
  auto s = c.Prepare("EXPLAIN QUERY PLAN " + sql);
  if (!s.ok()) return {s.status().message()};
  while (true) {
    auto r = s->Step();
    if (!r.ok() || !*r) break;
    out.push_back(s->Text(3));
  }
  return out;
}

struct Diag {
  std::map<std::string, std::vector<double>> t;  // part -> ms samples
  std::vector<double> uncapped;                  // exact match counts
  std::vector<std::string> plan;
};

std::map<std::string, Diag> Diagnose(db::Connection& c, const std::vector<Query>& qs) {
  std::map<std::string, Diag> out;
  // db::Search's detail statements, for the same hits: per hit, then the
  // authors and the copies per branch for the page at once.
  auto details = c.Prepare(db::kSearchDetailsSql);
  if (!details.ok()) Die(details.status().message());
  auto authors = c.Prepare(db::kSearchAuthorsSql);
  if (!authors.ok()) Die(authors.status().message());
  auto holdings = c.Prepare(db::kSearchHoldingsSql);
  if (!holdings.ok()) Die(holdings.status().message());
  for (int round = 0; round < 2; ++round) {  // round 0 warms up
    for (const auto& q : qs) {
      Diag& d = out[q.cls];
      const std::string match = QueryMatch(q);
      auto put = [&](const char* k, double ms) {
        if (round) d.t[k].push_back(ms);
      };
      {
        const auto t0 = Clock::now();
        auto res = db::Search(c, q.Search());
        put("search", Ms(Clock::now() - t0));
        const auto t1 = Clock::now();
        std::string ids = "[";
        for (const auto& h : res->hits) {
          details->Reset();
          details->Bind(1, h.id);
          while (*details->Step()) {
          }
          ids += (ids.size() > 1 ? "," : "") + std::to_string(h.id);
        }
        ids += "]";
        for (db::Stmt* page : {&*authors, &*holdings}) {
          page->Reset();
          page->Bind(1, ids);
          while (*page->Step()) {
          }
        }
        put("details", Ms(Clock::now() - t1));
      }
      if (match.empty()) {  // ISBN: a records lookup, no full text
        const std::string sql =
            "SELECT r.id, 0.0, ifnull(r.year,0), ifnull(r.title_kana, r.title) FROM records r"
            " WHERE 1 AND r.isbn = ?2 ORDER BY r.id DESC LIMIT " +
            std::to_string(db::kSearchCandidates + 1);
        if (d.plan.empty()) d.plan = Plan(c, sql);
        const auto t0 = Clock::now();
        auto s = c.Prepare(sql);
        put("prepare", Ms(Clock::now() - t0));
        s->Bind(2, *db::NormalizeIsbn(q.text));
        while (*s->Step()) {
        }
        put("joined", Ms(Clock::now() - t0));
        continue;
      }
      const std::string cand = CandidateSql(q);
      if (d.plan.empty()) d.plan = Plan(c, cand);
      {
        const auto t0 = Clock::now();
        auto s = c.Prepare(cand);
        put("prepare", Ms(Clock::now() - t0));
      }
      const std::string lim = " LIMIT " + std::to_string(db::kSearchCandidates);
      put("fts_rowids",
          TimeSql(
              c,
              "SELECT rowid FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rowid DESC" + lim,
              q, match));
      put("fts_bm25",
          TimeSql(c,
                  std::string("SELECT rowid, ") + kBm25 +
                      " FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rowid DESC" + lim,
                  q, match));
      put("fts_rank",
          TimeSql(c,
                  std::string("SELECT rowid, ") + kRank +
                      " FROM records_fts WHERE records_fts MATCH ?1 ORDER BY rowid DESC" + lim,
                  q, match));
      put("joined", TimeSql(c, cand, q, match));
      int64_t n = 0;
      put("count_all", TimeSql(c, "SELECT count(*) FROM records_fts WHERE records_fts MATCH ?1", q,
                               match, &n, true));
      put("rank_all",
          TimeSql(
              c,
              std::string("SELECT rowid FROM records_fts WHERE records_fts MATCH ?1 ORDER BY ") +
                  kBm25 + " LIMIT 20",
              q, match));
      if (round) d.uncapped.push_back(static_cast<double>(n));
    }
  }
  return out;
}

// Index size experiments: the same index texts (rebuilt in SQL as
// db/search.cc LoadIndexText builds them) into FTS5 tables with other
// options, in an attached scratch database. Returns lines to print.
std::vector<std::string> FtsVariants(db::Connection& c, const std::string& path, size_t raw,
                                     const std::vector<Query>& qs) {
  const std::string scratch = path + ".variants";
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(scratch + suffix);
  Check(c.Exec("ATTACH DATABASE '" + scratch + "' AS x"), "attach");
  const char* ns = "replace(replace(%s, ' ', ''), '\u3000', '')";
  auto nospace = [&](const std::string& e) {
    char b[256];
    std::snprintf(b, sizeof b, ns, e.c_str());
    return std::string(b);
  };
  // The index texts of db/search.cc LoadIndexText: readings after the mark
  // U+001F (bigrams only), no ISBN.
  const std::string select =
      "SELECT r.id, r.title || ' ' || ifnull(r.volume, ''), char(31) || " +
      nospace("ifnull(r.title_kana, '')") +
      ", ifnull((SELECT group_concat(name || ' / ', '') FROM (SELECT name FROM record_authors"
      " WHERE record_id = r.id ORDER BY pos)), '')"
      ", char(31) || ifnull((SELECT group_concat(" +
      nospace("ifnull(name_kana, '')") +
      " || ' / ', '') FROM (SELECT name_kana FROM record_authors WHERE record_id = r.id ORDER BY "
      "pos)), '')"
      ", ifnull(r.publisher, '') || ' ' || char(31) || " +
      nospace("ifnull(r.publisher_kana, '')") +
      ", ifnull(r.subjects, ''), ifnull(r.notes, '') || ' ' || ifnull(r.ndc, '') || ' ' ||"
      " ifnull(r.year, '') FROM records r ORDER BY r.id";
  struct V {
    const char* name;
    const char* options;
  };
  const std::vector<V> variants = {
      {"as shiori (detail=full, no prefix index)", ""},
      {"with prefix='1' (as before migration 8)", "prefix='1'"},
      {"detail=column", "detail=column"},
  };
  std::vector<std::string> out;
  int i = 0;
  for (const auto& v : variants) {
    const std::string t = "v" + std::to_string(i++);
    std::string opts =
        std::string("content='', tokenize='shiori'") + (*v.options ? ", " : "") + v.options;
    Check(c.Exec("CREATE VIRTUAL TABLE x." + t +
                 " USING fts5(title, title_reading, author, author_reading, publisher, subjects, "
                 "other, " +
                 opts + ")"),
          "create " + t);
    const auto t0 = Clock::now();
    Check(c.Exec("BEGIN; INSERT INTO x." + t +
                 "(rowid, title, title_reading, author, author_reading, publisher,"
                 " subjects, other) " +
                 select + "; COMMIT"),
          "fill " + t);
    const double build = Ms(Clock::now() - t0);
    const auto o0 = Clock::now();
    Check(c.Exec("INSERT INTO x." + t + "(" + t + ") VALUES('optimize')"), "optimize " + t);
    const double opt = Ms(Clock::now() - o0);
    const int64_t size =
        QueryInt(c, "SELECT sum(pgsize) FROM dbstat('x') WHERE name LIKE '" + t + "%'");
    // The candidate query of db::Search (bm25, newest 1000) on this table,
    // for the 1- and 2-character queries; detail=column has no phrases.
    std::string lat;
    if (std::string(v.options).find("column") == std::string::npos) {
      const std::string sql = "SELECT rowid, bm25(" + t +
                              ", 10.0, 8.0, 5.0, 4.0, 2.0, 2.0, 1.0) FROM x." + t + " WHERE " + t +
                              " MATCH ?1 ORDER BY rowid DESC LIMIT " +
                              std::to_string(db::kSearchCandidates);
      for (const char* cls : {"1char", "2char"}) {
        std::vector<double> xs;
        for (int round = 0; round < 2; ++round) {
          for (const auto& q : qs) {
            if (q.cls != cls) continue;
            const double ms = TimeSql(c, sql, q, QueryMatch(q));
            if (round) xs.push_back(ms);
          }
        }
        const Stats st = Summarise(xs);
        char b[96];
        std::snprintf(b, sizeof b, " %.2f / %.2f |", st.p50, st.p99);
        lat += b;
      }
    } else {
      lat = " (no phrase queries) | (no phrase queries) |";
    }
    char line[512];
    std::snprintf(
        line, sizeof line, "| %s | %.1f MB | %.2f× | %.1f s (%.0f records/s) | %.1f s |%s", v.name,
        size / 1e6, size / static_cast<double>(raw), build / 1000,
        QueryInt(c, "SELECT count(*) FROM records") / (build / 1000), opt / 1000, lat.c_str());
    out.push_back(line);
    Check(c.Exec("DROP TABLE x." + t), "drop " + t);
  }

  // What the prefix index holds: one entry per token instance, keyed by the
  // token's first character, so the share of instances by first character
  // is its share of that index.
  {
    Check(c.Exec("CREATE VIRTUAL TABLE temp.voc USING fts5vocab(main, records_fts, row)"),
          "fts5vocab");
    const int64_t all = QueryInt(c, "SELECT sum(cnt) FROM temp.voc");
    const int64_t latin = QueryInt(c, "SELECT sum(cnt) FROM temp.voc WHERE unicode(term) < 12288");
    const int64_t digits =
        QueryInt(c, "SELECT sum(cnt) FROM temp.voc WHERE unicode(term) BETWEEN 48 AND 57");
    const int64_t terms = QueryInt(c, "SELECT count(*) FROM temp.voc");
    char line[400];
    std::snprintf(line, sizeof line,
                  "token instances: %lld in %lld distinct tokens; %.0f%% start with a letter or "
                  "digit (%.0f%% a"
                  " digit: ISBN, year, NDC), the rest with kanji or kana",
                  static_cast<long long>(all), static_cast<long long>(terms), 100.0 * latin / all,
                  100.0 * digits / all);
    out.push_back(line);
    Check(c.Exec("DROP TABLE temp.voc"), "drop voc");
  }

  // The import's FTS5 writes, alone and interleaved with a one-row write that
  // opens a statement savepoint (as UpsertRecord's other statements do):
  // FTS5's xSavepoint flushes its pending terms to disk as a new segment.
  {
    auto sel = c.Prepare(select + " LIMIT 100000");
    if (!sel.ok()) Die(sel.status().message());
    std::vector<std::array<std::string, 8>> rows;
    while (*sel->Step()) {
      std::array<std::string, 8> r;
      for (int k = 0; k < 8; ++k) r[k] = sel->Text(k);
      rows.push_back(std::move(r));
    }
    // Side statements: a plain one-row INSERT into a table with a UNIQUE
    // index, one with a foreign key (foreign_keys is on), one with ON
    // CONFLICT DO UPDATE, and one with both (like UpsertRecord's copies).
    struct Side {
      const char* name;
      const char* sql;
    };
    const std::vector<Side> sides = {
        {"none", ""},
        {"a plain INSERT (UNIQUE index)", "INSERT INTO x.side(k) VALUES(?1)"},
        {"an INSERT with a foreign key", "INSERT INTO x.side(k, p) VALUES(?1, 1)"},
        {"an INSERT .. ON CONFLICT DO UPDATE",
         "INSERT INTO x.side(k) VALUES(?1) ON CONFLICT(k) DO UPDATE SET k = excluded.k"},
        {"an INSERT .. ON CONFLICT DO UPDATE with a foreign key",
         "INSERT INTO x.side(k, p) VALUES(?1, 1) ON CONFLICT(k) DO UPDATE SET p = excluded.p"},
    };
    auto run = [&](bool fts, const Side& side, int64_t* segments) {
      Check(
          c.Exec("CREATE VIRTUAL TABLE x.s USING fts5(title, title_reading, author, author_reading,"
                 " publisher, subjects, other, content='', tokenize='shiori', prefix='1');"
                 " CREATE TABLE x.parent(id INTEGER PRIMARY KEY); INSERT INTO x.parent VALUES(1);"
                 " CREATE TABLE x.side(id INTEGER PRIMARY KEY, k TEXT UNIQUE,"
                 " p INTEGER REFERENCES parent(id))"),
          "create s");
      const auto t0 = Clock::now();
      Check(c.Exec("BEGIN"), "begin");
      {
        auto ins = c.Prepare(
            "INSERT INTO x.s(rowid, title, title_reading, author, author_reading, publisher, "
            "subjects,"
            " other) VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
        std::optional<db::Stmt> sd;
        if (*side.sql) sd.emplace(std::move(*c.Prepare(side.sql)));
        for (const auto& r : rows) {
          if (sd) {
            sd->Reset();
            Check(sd->Bind(1, "k" + r[0]).Run(), "side");
          }
          if (fts) {
            ins->Reset();
            ins->Bind(1, static_cast<int64_t>(std::stoll(r[0])));
            for (int k = 1; k < 8; ++k) ins->Bind(k + 1, r[k]);
            Check(ins->Run(), "fts");
          }
        }
      }
      Check(c.Exec("COMMIT"), "commit");
      const double ms = Ms(Clock::now() - t0);
      *segments = QueryInt(c, "SELECT count(DISTINCT segid) FROM x.s_idx");
      Check(c.Exec("DROP TABLE x.s; DROP TABLE x.side; DROP TABLE x.parent"), "drop s");
      return ms;
    };
    int64_t seg = 0;
    const double alone = run(true, sides[0], &seg);
    char line[600];
    std::snprintf(line, sizeof line,
                  "savepoint experiment, %zu records, one transaction each: FTS inserts alone %.2f "
                  "s (%d segments"
                  " at the end)",
                  rows.size(), alone / 1000, static_cast<int>(seg));
    out.push_back(line);
    for (size_t i = 1; i < sides.size(); ++i) {
      int64_t seg_side = 0, seg_both = 0;
      const double side = run(false, sides[i], &seg_side);
      const double both = run(true, sides[i], &seg_both);
      std::snprintf(
          line, sizeof line,
          "  interleaved with %s: %.2f s; that statement alone %.2f s; extra %.2f s (%d segments)",
          sides[i].name, both / 1000, side / 1000, (both - alone - side) / 1000,
          static_cast<int>(seg_both));
      out.push_back(line);
    }
  }
  Check(c.Exec("DETACH DATABASE x"), "detach");
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(scratch + suffix);
  return out;
}

// ---------------------------------------------------------------- known items

// Known-item search: a patron types a book's exact title (or its title with
// its volume, or its reading in hiragana) and expects it on the first page.
constexpr uint64_t kKnownSeed = 20240601;

// A reading as a patron types it: katakana as hiragana (ヽヾ as ゝゞ; ヷ..ヺ
// and ー stay), word spaces left out.
std::string TypedReading(const std::string& kana) {
  std::string out;
  for (char32_t c : charset::ToUtf32(kana)) {
    if (c == U' ' || c == U'\u3000') continue;
    if ((c >= 0x30A1 && c <= 0x30F6) || c == 0x30FD || c == 0x30FE) c -= 0x60;
    charset::AppendUtf8(out, c);
  }
  return out;
}

struct KnownMiss {
  int64_t id = 0;
  std::string query;
  int rank = 0;  // among every ranked candidate (kSearchCandidates); 0: absent
  int total = 0;
  bool capped = false;
  int64_t same_key = 0;  // records whose whole title is the query (title_keys)
};

struct KnownPass {
  std::string name;
  size_t searches = 0, first_page = 0, rank1 = 0;
  size_t shared = 0;  // searched titles that more than 20 records share
  // Misses whose first page is 20 records of that very title: the book
  // cannot be told from its namesakes by its title alone.
  size_t namesakes_only = 0;
  size_t miss_shared = 0;  // misses among those
  std::vector<double> ms;  // every measured search
  std::vector<KnownMiss> misses;
  // Every search by its median time: the slowest (with --slowest).
  struct Timed {
    double ms;
    std::string query;
    int total;
    bool capped;
    int64_t same_key;
    int rank;  // on the first page; 0: not there
  };
  std::vector<Timed> timed;
};

std::vector<KnownPass> KnownItems(db::Connection& c, int n, int rounds) {
  std::vector<int64_t> ids;
  {
    auto s = c.Prepare("SELECT id FROM records ORDER BY id");
    if (!s.ok()) Die(s.status().message());
    while (*s->Step()) ids.push_back(s->Int(0));
  }
  std::vector<int64_t> picked;
  std::mt19937_64 rng(kKnownSeed);
  std::sample(ids.begin(), ids.end(), std::back_inserter(picked), n, rng);
  struct Known {
    int64_t id;
    std::string title, volume, kana;
  };
  std::vector<Known> books;
  {
    auto s = c.Prepare(
        "SELECT title, ifnull(volume,''), ifnull(title_kana,'') FROM records WHERE id = ?1");
    if (!s.ok()) Die(s.status().message());
    for (int64_t id : picked) {
      s->Reset();
      s->Bind(1, id);
      if (!*s->Step()) Die("record " + std::to_string(id) + " is gone");
      books.push_back({id, s->Text(0), s->Text(1), s->Text(2)});
    }
  }
  auto same_key =
      c.Prepare("SELECT count(DISTINCT record_id) FROM title_keys WHERE key IN (?1, ?2)");
  if (!same_key.ok()) Die(same_key.status().message());
  auto namesake =
      c.Prepare("SELECT count(*) FROM title_keys WHERE key IN (?1, ?2) AND record_id = ?3");
  if (!namesake.ok()) Die(namesake.status().message());

  const std::vector<std::pair<std::string, std::function<std::string(const Known&)>>> passes = {
      {"title", [](const Known& b) { return b.title; }},
      {"title + volume",
       [](const Known& b) { return b.volume.empty() ? "" : b.title + " " + b.volume; }},
      {"reading (hiragana)",
       [](const Known& b) { return b.kana.empty() ? "" : TypedReading(b.kana); }},
  };
  std::vector<KnownPass> out;
  for (const auto& [name, text_of] : passes) {
    KnownPass p;
    p.name = name;
    for (const Known& b : books) {
      db::SearchQuery q;
      q.text = text_of(b);
      if (q.text.empty()) continue;
      q.limit = 20;
      q.sort = db::SearchQuery::Sort::kRelevance;
      ++p.searches;
      int rank = 0, total = 0;
      size_t namesakes = 0, page = 0;  // hits of the first page whose whole title is the query
      const auto keys = db::ExactTitleKeys(q.text);
      bool capped = false;
      std::vector<double> mine;
      for (int r = 0; r <= rounds; ++r) {  // round 0 warms up and gives the page
        const auto t0 = Clock::now();
        auto res = db::Search(c, q);
        const auto t1 = Clock::now();
        if (!res.ok()) Die("search '" + q.text + "': " + res.status().message());
        if (r > 0) {
          p.ms.push_back(Ms(t1 - t0));
          mine.push_back(Ms(t1 - t0));
          continue;
        }
        total = res->total;
        capped = res->capped;
        page = res->hits.size();
        for (size_t i = 0; i < res->hits.size(); ++i) {
          if (res->hits[i].id == b.id) rank = static_cast<int>(i) + 1;
          namesake->Reset();
          namesake->Bind(1, keys[0]).Bind(2, keys[1]).Bind(3, res->hits[i].id);
          if (*namesake->Step() && namesake->Int(0) > 0) ++namesakes;
        }
      }
      same_key->Reset();
      same_key->Bind(1, keys[0]).Bind(2, keys[1]);
      if (!*same_key->Step()) Die("title_keys count");
      const int64_t shared = same_key->Int(0);
      if (shared > 20) ++p.shared;
      p.timed.push_back({Pct(mine, 50), q.text, total, capped, shared, rank});
      if (rank == 1) ++p.rank1;
      if (rank >= 1) {
        ++p.first_page;
        continue;
      }
      if (shared > 20) ++p.miss_shared;
      if (page == 20 && namesakes == page) ++p.namesakes_only;
      // Where it is after the first page: the whole ranking.
      KnownMiss m{b.id, q.text, 0, 0, false, shared};
      db::SearchQuery all = q;
      all.limit = db::kSearchCandidates;
      auto res = db::Search(c, all);
      if (!res.ok()) Die("search '" + q.text + "': " + res.status().message());
      for (size_t i = 0; i < res->hits.size(); ++i) {
        if (res->hits[i].id == b.id) m.rank = static_cast<int>(i) + 1;
      }
      m.total = res->total;
      m.capped = res->capped;
      p.misses.push_back(std::move(m));
    }
    out.push_back(std::move(p));
  }
  return out;
}

double Share(size_t k, size_t n) { return n ? 100.0 * k / n : 0; }

void PrintKnownItems(std::vector<KnownPass>& passes, int n, int slowest) {
  std::printf(
      "\nknown-item search: %d records picked at random (seed %llu), each searched by its exact"
      " text (limit 20, relevance); latency over the measured rounds, ms\n",
      n, static_cast<unsigned long long>(kKnownSeed));
  std::printf(
      "| pass | searches | first page | first page, or 20 of that very title on it | rank 1 |"
      " p50 | p99 | max | misses: title of > 20 records | other misses | titles of > 20"
      " records | first page, titles of <= 20 |\n"
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& p : passes) {
    const Stats s = Summarise(p.ms);
    const size_t few = p.searches - p.shared, few_found = few - (p.misses.size() - p.miss_shared);
    std::printf(
        "| %s | %zu | %zu (%.1f%%) | %zu (%.1f%%) | %.1f%% | %.3f | %.3f | %.2f | %zu | %zu | %zu |"
        " %zu of %zu (%.1f%%) |\n",
        p.name.c_str(), p.searches, p.first_page, Share(p.first_page, p.searches),
        p.first_page + p.namesakes_only, Share(p.first_page + p.namesakes_only, p.searches),
        Share(p.rank1, p.searches), s.p50, s.p99, s.max, p.miss_shared,
        p.misses.size() - p.miss_shared, p.shared, few_found, few, Share(few_found, few));
  }
  for (const auto& p : passes) {
    if (p.misses.empty()) continue;
    // The other misses first: a title of > 20 records is the known limit.
    std::vector<KnownMiss> ms = p.misses;
    std::stable_partition(ms.begin(), ms.end(),
                          [](const KnownMiss& m) { return m.same_key <= 20; });
    std::printf(
        "misses, %s (first 5 of %zu, others before titles of > 20 records): rank in the"
        " whole ranking, matches, records with that whole title\n",
        p.name.c_str(), ms.size());
    for (size_t i = 0; i < ms.size() && i < 5; ++i) {
      const KnownMiss& m = ms[i];
      const std::string rank = m.rank ? "rank " + std::to_string(m.rank) : "absent";
      std::printf("  record %lld  %-10s  %d%s matches  %lld same title  %s\n",
                  static_cast<long long>(m.id), rank.c_str(), m.total, m.capped ? "+" : "",
                  static_cast<long long>(m.same_key), m.query.c_str());
    }
  }
  if (slowest <= 0) return;
  std::printf(
      "slowest known-item searches per pass (median ms, matches, records with that whole"
      " title, rank on the first page):\n");
  for (auto& p : passes) {
    auto& t = p.timed;
    const size_t k = std::min(t.size(), static_cast<size_t>(slowest));
    std::partial_sort(t.begin(), t.begin() + k, t.end(),
                      [](const auto& a, const auto& b) { return a.ms > b.ms; });
    for (size_t i = 0; i < k; ++i) {
      std::printf("  %-18s %8.3f  %5d%s  %5lld  %-6s  %s\n", p.name.c_str(), t[i].ms, t[i].total,
                  t[i].capped ? "+" : " ", static_cast<long long>(t[i].same_key),
                  t[i].rank ? std::to_string(t[i].rank).c_str() : "-", t[i].query.c_str());
    }
  }
}

void WriteKnownItems(std::ostream& o, const std::vector<KnownPass>& passes, int n) {
  o << "{\"records\":" << n << ",\"seed\":" << kKnownSeed << ",\"limit\":20,\"passes\":[";
  for (size_t k = 0; k < passes.size(); ++k) {
    const KnownPass& p = passes[k];
    const Stats s = Summarise(p.ms);
    o << (k ? "," : "") << "{\"pass\":" << JsonStr(p.name) << ",\"searches\":" << p.searches
      << ",\"first_page\":" << p.first_page << ",\"namesakes_only\":" << p.namesakes_only
      << ",\"first_page_pct\":" << Share(p.first_page, p.searches) << ",\"rank1\":" << p.rank1
      << ",\"rank1_pct\":" << Share(p.rank1, p.searches) << ",\"p50\":" << s.p50
      << ",\"p99\":" << s.p99 << ",\"mean\":" << s.mean << ",\"max\":" << s.max
      << ",\"titles_over_20\":" << p.shared << ",\"misses\":" << p.misses.size()
      << ",\"misses_titles_over_20\":" << p.miss_shared << ",\"missed\":[";
    for (size_t i = 0; i < p.misses.size(); ++i) {
      const KnownMiss& m = p.misses[i];
      o << (i ? "," : "") << "{\"id\":" << m.id << ",\"query\":" << JsonStr(m.query)
        << ",\"rank\":" << m.rank << ",\"total\":" << m.total
        << ",\"capped\":" << (m.capped ? "true" : "false") << ",\"same_title\":" << m.same_key
        << "}";
    }
    o << "]}";
  }
  o << "]}";
}

void PrintPhase(const char* name, const Phase& ph) {
  std::printf("\n%s: db::Search latency, ms (first page of 20, ranked, capped count)\n", name);
  std::printf("| class | n | p50 | p99 | mean | max |\n|---|---:|---:|---:|---:|---:|\n");
  for (const auto& cls : kClasses) {
    auto it = ph.classes.find(cls);
    if (it == ph.classes.end()) continue;
    const Stats& s = it->second;
    std::printf("| %s | %zu | %.3f | %.3f | %.3f | %.2f |\n", cls.c_str(), s.n, s.p50, s.p99,
                s.mean, s.max);
  }
}

// The n queries of each class with the highest median time: which queries
// make a class's p99.
void PrintSlowest(const Phase& ph, const std::vector<Query>& qs, int n) {
  if (n <= 0) return;
  std::printf("\nslowest queries per class (median ms over the rounds, hit count):\n");
  for (const auto& cls : kClasses) {
    std::vector<size_t> idx;
    for (size_t i = 0; i < qs.size(); ++i)
      if (qs[i].cls == cls) idx.push_back(i);
    std::sort(idx.begin(), idx.end(),
              [&](size_t a, size_t b) { return ph.median_ms[a] > ph.median_ms[b]; });
    if (idx.size() > static_cast<size_t>(n)) idx.resize(n);
    for (size_t i : idx)
      std::printf("  %-8s %8.3f  %5d%s  %s\n", cls.c_str(), ph.median_ms[i], ph.hits[i].total,
                  ph.hits[i].capped ? "+" : " ", qs[i].Label().c_str());
  }
}

void WritePhase(std::ostream& o, const Phase& ph, const std::vector<Query>& qs, bool with_hits) {
  o << "{\"classes\":{";
  bool first = true;
  for (const auto& [cls, s] : ph.classes) {
    o << (first ? "" : ",") << JsonStr(cls) << ":{\"p50\":" << s.p50 << ",\"p99\":" << s.p99
      << ",\"mean\":" << s.mean << ",\"max\":" << s.max << ",\"n\":" << s.n << "}";
    first = false;
  }
  o << "}";
  if (with_hits) {
    o << ",\"hits\":[";
    for (size_t i = 0; i < ph.hits.size(); ++i) {
      const Hit& h = ph.hits[i];
      o << (i ? "," : "") << "{\"class\":" << JsonStr(qs[i].cls)
        << ",\"query\":" << JsonStr(qs[i].Label()) << ",\"total\":" << h.total
        << ",\"capped\":" << (h.capped ? "true" : "false") << ",\"top\":[";
      for (size_t k = 0; k < h.top.size(); ++k) o << (k ? "," : "") << h.top[k];
      o << "]}";
    }
    o << "]";
  }
  o << "}";
}

}  // namespace

int main(int argc, char** argv) {
  std::string tsv, queries, path, out_path;
  int rounds = 3;
  bool diag = false, variants = false, reuse = false;
  db::OpenOptions open_options;
  int slowest = 0, known = 0;
  std::vector<std::string> pragmas;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die(a + " needs a value");
      return argv[++i];
    };
    if (a == "--tsv")
      tsv = next();
    else if (a == "--queries")
      queries = next();
    else if (a == "--db")
      path = next();
    else if (a == "--out")
      out_path = next();
    else if (a == "--rounds")
      rounds = std::stoi(next());
    else if (a == "--diag")
      diag = true;
    else if (a == "--slowest")
      slowest = std::stoi(next());
    else if (a == "--known")
      known = std::stoi(next());
    else if (a == "--fts-variants")
      variants = true;
    else if (a == "--reuse")
      reuse = true;
    else if (a == "--no-length-cache")
      open_options.rank_length_cache = false;
    else if (a == "--pragma")
      pragmas.push_back(next());
    else
      Die("unknown argument " + a + " (see the comment at the top of bench/search_bench.cc)");
  }
  if (tsv.empty() || queries.empty() || path.empty()) Die("--tsv, --queries and --db are required");
  if (reuse && !std::filesystem::exists(path)) Die("--reuse: " + path + " does not exist");
  if (!reuse) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
  }
  const auto qs = ReadQueries(queries);

  auto conn = db::Connection::Open(path, open_options);
  if (!conn.ok()) Die(conn.status().message());
  db::Connection& c = **conn;
  for (const auto& p : pragmas) {  // what-if experiments only: shiori sets none of these
    Check(c.Exec("PRAGMA " + p), "PRAGMA " + p);
    std::printf("experiment: PRAGMA %s\n", p.c_str());
  }
  Check(db::Migrate(c), "migrate");
  db::LibraryRules rules;
  rules.branches = {
      {"chuo", "中央図書館", {}}, {"takaono", "高尾野図書館", {}}, {"noda", "野田図書館", {}}};
  Check(db::SyncBranches(c, rules), "branches");
  const long rss_before = PeakRssKb();

  // The import path minus parsing: upserts inside one transaction.
  size_t n = 0, copies = 0, raw = 0, raw_copies = 0;
  Clock::duration upsert{}, tokenize{};
  size_t tokens = 0;
  const auto load0 = Clock::now();
  Clock::duration commit{};
  if (reuse) {  // the sizes only
    ReadCatalog(tsv, [&](const db::CatalogRecord& r) {
      ++n;
      copies += r.copies.size();
      raw += TextBytes(r);
      raw_copies += CopyTextBytes(r);
    });
  } else {
    db::Transaction tx(c);
    Check(tx.begun(), "begin");
    ReadCatalog(tsv, [&](const db::CatalogRecord& r) {
      const auto t0 = Clock::now();
      auto u = db::UpsertRecord(c, r);
      upsert += Clock::now() - t0;
      if (!u.ok()) Die("record " + r.source_id + ": " + u.status().message());
      if (n % 10 == 0) {  // the tokenizer's share, from every tenth record
        const auto k0 = Clock::now();
        size_t toks = 0;
        std::string author, author_kana;
        for (const auto& a : r.authors) {
          author += a.name + " / ";
          author_kana += a.name_kana + " / ";
        }
        const std::string &au = author, &auk = author_kana;
        for (const std::string* t : {&r.title, &r.title_kana, &au, &auk, &r.publisher,
                                     &r.publisher_kana, &r.subjects, &r.ndc, &r.isbn}) {
          toks += db::SearchTokens(*t, true).size();
        }
        tokenize += Clock::now() - k0;
        tokens += toks;
      }
      ++n;
      copies += r.copies.size();
      raw += TextBytes(r);
      raw_copies += CopyTextBytes(r);
      if (n % 100000 == 0) {
        std::fprintf(stderr, "search_bench: %zu records, %.1f s upsert\n", n, Ms(upsert) / 1000);
      }
    });
    const auto t0 = Clock::now();
    Check(tx.Commit(), "commit");
    commit = Clock::now() - t0;
  }
  const double load_wall_ms = Ms(Clock::now() - load0);
  const double load_ms = Ms(upsert + commit);
  const long rss_load = PeakRssKb();
  const Sizes before = MeasureSizes(c, path);

  std::string sqlite_version = "?";
  if (auto v = c.Prepare("SELECT sqlite_version()"); v.ok() && v->Step().ok())
    sqlite_version = v->Text(0);
  std::printf("search_bench: %zu records, %zu copies (%s); SQLite %s\n", n, copies, tsv.c_str(),
              sqlite_version.c_str());
  if (reuse) {
    std::printf("reusing %s: no load, no optimize; one phase of queries\n", path.c_str());
  } else {
    std::printf(
        "load: upserts + commit %.1f s = %.0f records/s (commit %.2f s); with TSV parsing %.1f s\n",
        load_ms / 1000, n / (load_ms / 1000), Ms(commit) / 1000, load_wall_ms / 1000);
  }
  auto print_sizes = [&](const char* when, const Sizes& s) {
    std::printf(
        "size %s: file %.1f MB; FTS index %.1f MB (%d segments) = %.2f× raw text; records %.1f MB,"
        " authors %.1f MB, copies %.1f MB, b-tree indexes %.1f MB\n",
        when, s.file / 1e6, s.fts / 1e6, static_cast<int>(s.fts_segments),
        s.fts / static_cast<double>(raw), s.records / 1e6, s.authors / 1e6, s.copies / 1e6,
        s.indexes / 1e6);
  };
  std::printf(
      "raw text: %.1f MB bibliographic (titles, readings, names, publisher, ISBN, NDC, lang, "
      "subjects,"
      " source id), %.1f MB copies\n",
      raw / 1e6, raw_copies / 1e6);
  print_sizes(reuse ? "now" : "as imported", before);
  const double tokenize_ms = Ms(tokenize) * 10;
  if (!reuse) {
    std::printf(
        "tokenizer alone (db::SearchTokens on the indexed fields of every tenth record, x10): %.1f "
        "s ="
        " %.0f%% of the load; %.1f tokens a record\n",
        tokenize_ms / 1000, 100 * tokenize_ms / load_ms, tokens * 10.0 / n);
  }

  Phase imported;
  double optimize_ms = 0;
  Sizes after = before;
  if (!reuse) {
    imported = RunQueries(c, qs, rounds);
    PrintPhase("as imported", imported);
    const auto o0 = Clock::now();
    Check(c.Exec("INSERT INTO records_fts(records_fts) VALUES('optimize')"), "optimize");
    optimize_ms = Ms(Clock::now() - o0);
    after = MeasureSizes(c, path);
    std::printf("\noptimize: %.1f s\n", optimize_ms / 1000);
    print_sizes("after optimize", after);
  }

  const Phase optimized = RunQueries(c, qs, rounds);
  PrintPhase(reuse ? "reused database" : "after optimize", optimized);
  PrintSlowest(optimized, qs, slowest);
  std::vector<KnownPass> known_items;
  if (known > 0) {
    known_items = KnownItems(c, known, rounds);
    PrintKnownItems(known_items, known, slowest);
  }
  const long rss_peak = PeakRssKb();
  std::printf("\npeak RSS: %.1f MB (%.1f MB before the load, %.1f MB after it)\n",
              rss_peak / 1024.0, rss_before / 1024.0, rss_load / 1024.0);

  std::map<std::string, Diag> diags;
  if (diag) {
    diags = Diagnose(c, qs);
    std::printf("\nwhere the time goes (after optimize), p50 / p99 ms:\n");
    const std::vector<std::string> parts = {"search",   "prepare",   "fts_rowids",
                                            "fts_bm25", "fts_rank",  "joined",
                                            "details",  "count_all", "rank_all"};
    std::printf("| class |");
    for (const auto& p : parts) std::printf(" %s |", p.c_str());
    std::printf(" matches p50 / p99 / max |\n|---|");
    for (size_t i = 0; i <= parts.size(); ++i) std::printf("---:|");
    std::printf("\n");
    for (const auto& cls : kClasses) {
      auto it = diags.find(cls);
      if (it == diags.end()) continue;
      std::printf("| %s |", cls.c_str());
      for (const auto& p : parts) {
        auto t = it->second.t.find(p);
        if (t == it->second.t.end()) {
          std::printf(" - |");
        } else {
          const Stats s = Summarise(t->second);
          std::printf(" %.3f / %.3f |", s.p50, s.p99);
        }
      }
      const Stats m = Summarise(it->second.uncapped);
      if (m.n) {
        std::printf(" %.0f / %.0f / %.0f |\n", m.p50, m.p99, m.max);
      } else {
        std::printf(" - |\n");
      }
    }
    for (const auto& cls : kClasses) {
      auto it = diags.find(cls);
      if (it == diags.end()) continue;
      std::printf("plan %s:", cls.c_str());
      for (const auto& l : it->second.plan) std::printf(" [%s]", l.c_str());
      std::printf("\n");
    }
  }

  if (variants) {
    std::printf("\nFTS5 index options, same index texts (rebuilt in SQL), optimized:\n");
    std::printf(
        "| variant | index | ÷ raw text | build (FTS insert only) | optimize |"
        " 1char candidates p50 / p99 ms | 2char candidates p50 / p99 ms |\n"
        "|---|---:|---:|---:|---:|---:|---:|\n");
    for (const auto& l : FtsVariants(c, path, raw, qs)) std::printf("%s\n", l.c_str());
    std::fflush(stdout);
  }

  if (!out_path.empty()) {
    std::ofstream o(out_path);
    o.precision(6);
    o << "{\"records\":" << n << ",\"copies\":" << copies << ",\"load_ms\":" << load_ms
      << ",\"load_wall_ms\":" << load_wall_ms << ",\"commit_ms\":" << Ms(commit)
      << ",\"records_per_s\":" << (load_ms > 0 ? n / (load_ms / 1000) : 0)
      << ",\"optimize_ms\":" << optimize_ms << ",\"tokenize_ms\":" << tokenize_ms
      << ",\"raw_text_bytes\":" << raw << ",\"raw_copy_bytes\":" << raw_copies;
    auto sizes = [&](const char* k, const Sizes& s) {
      o << ",\"" << k << "\":{\"file\":" << s.file << ",\"fts\":" << s.fts
        << ",\"segments\":" << s.fts_segments << ",\"records\":" << s.records
        << ",\"authors\":" << s.authors << ",\"copies\":" << s.copies
        << ",\"indexes\":" << s.indexes << "}";
    };
    sizes("size_imported", before);
    sizes("size_optimized", after);
    o << ",\"peak_rss_kb\":" << rss_peak << ",\"imported\":";
    WritePhase(o, imported, qs, false);
    o << ",\"optimized\":";
    WritePhase(o, optimized, qs, true);
    o << ",\"diag\":{";
    bool first = true;
    for (const auto& [cls, d] : diags) {
      o << (first ? "" : ",") << JsonStr(cls) << ":{";
      first = false;
      bool f2 = true;
      for (const auto& [part, xs] : d.t) {
        const Stats s = Summarise(xs);
        o << (f2 ? "" : ",") << JsonStr(part) << ":{\"p50\":" << s.p50 << ",\"p99\":" << s.p99
          << ",\"mean\":" << s.mean << "}";
        f2 = false;
      }
      o << "}";
    }
    o << "}";
    if (known > 0) {
      o << ",\"known_item\":";
      WriteKnownItems(o, known_items, known);
    }
    o << "}\n";
  }
  return 0;
}
