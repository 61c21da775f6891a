// db: the only code that speaks SQL. SQLite connections and statements, the
// schema and its migrations, the library's rules (dates, calendars), service
// settings, backup and the demo library.
//
// Thread-safety: a Connection (and its statements) belongs to one thread at a
// time; Pool hands connections to threads. Several processes may open the
// same file at once (WAL mode, busy timeout).
#ifndef SHIORI_DB_DB_H_
#define SHIORI_DB_DB_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <condition_variable>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

struct sqlite3;
struct sqlite3_stmt;

namespace shiori::db {

// ---------------------------------------------------------------- SQLite

// A prepared statement. Owns its sqlite3_stmt; move-only.
// Bind errors are remembered and reported by the next Step().
class Stmt {
 public:
  Stmt(sqlite3* db, sqlite3_stmt* s) : db_(db), s_(s) {}
  Stmt(Stmt&& o) noexcept;
  Stmt& operator=(Stmt&& o) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based, as in SQLite.
  Stmt& Bind(int idx, int64_t v);
  Stmt& Bind(int idx, std::string_view v);  // copied by SQLite
  Stmt& Bind(int idx, const char* v) { return Bind(idx, std::string_view(v)); }
  Stmt& Bind(int idx, const std::string& v) { return Bind(idx, std::string_view(v)); }
  Stmt& Bind(int idx, const std::optional<std::string>& v);
  Stmt& BindNull(int idx);

  // Returns true when a row is ready, false when the statement is done.
  Result<bool> Step();
  // Step() until done; for statements that return no rows.
  Status Run();

  int64_t Int(int col) const;
  double Real(int col) const;
  std::string Text(int col) const;  // "" for NULL
  std::optional<std::string> OptText(int col) const;
  bool IsNull(int col) const;

  // Makes the statement ready to bind and step again; clears bindings.
  void Reset();

 private:
  sqlite3* db_;
  sqlite3_stmt* s_;
  int bind_rc_ = 0;
};

struct OpenOptions {
  bool create = true;          // create the file when missing; Default: true
  bool read_only = false;      // Default: false
  int busy_timeout_ms = 5000;  // how long a writer waits for another; Default: 5000
};

// One SQLite connection: WAL, foreign keys on, synchronous FULL, busy timeout.
class Connection {
 public:
  // Opens `path`. On error returns a Status naming the file and the reason.
  static Result<std::unique_ptr<Connection>> Open(const std::string& path,
                                                  const OpenOptions& opt = {});
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // Runs one or more statements that return no rows.
  Status Exec(std::string_view sql);
  Result<Stmt> Prepare(std::string_view sql);
  // A statement prepared once per connection and reused; reset before return.
  // The pointer stays valid for the connection's life. nullptr on error, with
  // the reason in *err when err is given.
  Stmt* Cached(const std::string& sql, Status* err = nullptr);
  int64_t LastInsertId() const;
  int Changes() const;
  const std::string& path() const { return path_; }
  sqlite3* raw() { return db_; }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
};

// BEGIN IMMEDIATE on construction; rolls back on destruction unless Commit()ed.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  // Status of the BEGIN; check it before doing work.
  const Status& begun() const { return begun_; }
  Status Commit();

 private:
  Connection& c_;
  Status begun_;
  bool done_ = false;
};

// A fixed set of connections to one file shared by threads.
class Pool {
 public:
  class Lease {
   public:
    Lease(Pool* p, std::unique_ptr<Connection> c) : pool_(p), c_(std::move(c)) {}
    Lease(Lease&&) = default;
    Lease(const Lease&) = delete;
    ~Lease();
    Connection& operator*() { return *c_; }
    Connection* operator->() { return c_.get(); }

   private:
    Pool* pool_;
    std::unique_ptr<Connection> c_;
  };

  // Opens `size` connections to `path` (which must exist and be migrated).
  static Result<std::unique_ptr<Pool>> Open(const std::string& path, int size);
  // Blocks until a connection is free.
  Lease Acquire();

 private:
  friend class Lease;
  void Release(std::unique_ptr<Connection> c);
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> free_;
};

// A pool connection taken on first use and given back when this goes out of
// scope, so requests that need no database do not wait for one.
class LazyLease {
 public:
  explicit LazyLease(Pool& p) : pool_(p) {}
  Connection& operator*() {
    if (!lease_) lease_.emplace(pool_.Acquire());
    return **lease_;
  }
  bool taken() const { return lease_.has_value(); }

 private:
  Pool& pool_;
  std::optional<Pool::Lease> lease_;
};

// ---------------------------------------------------------------- schema

// Applies every migration newer than the file's schema version, each in its
// own transaction. Refuses a file newer than this program.
Status Migrate(Connection& c);
// The schema version this program writes.
int LatestSchemaVersion();
Result<int> SchemaVersion(Connection& c);

// Online backup of the whole database into `dest_path` (overwritten), safe
// while other connections read and write.
Status Backup(Connection& src, const std::string& dest_path);

// True when the database answers a trivial query.
Status Ping(Connection& c);

// Service switch (免責事項: maintenance). Stored in the database so that the
// staff command and every server process agree.
Result<bool> MaintenanceOn(Connection& c);
Status SetMaintenance(Connection& c, bool on);

// ---------------------------------------------------------------- catalogue

// Registers the "shiori" FTS5 tokenizer on `c`. Connection::Open does it for
// every connection, so the index is readable and writable everywhere.
Status RegisterTokenizer(Connection& c);
// The tokens the search index holds for `text` (document) or looks for (query):
// search folding (charset::FoldForSearch), then overlapping bigrams for kanji
// and kana runs (a document run also ends with its last character alone),
// words for letters and digits. For tests and tools.
std::vector<std::string> SearchTokens(std::string_view text, bool document);

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
};

// A bibliographic record as it is imported.
struct CatalogRecord {
  std::string source_id;  // the exporting system's id; re-import updates by it
  std::string title, title_kana, volume;
  std::vector<AuthorEntry> authors;
  std::string publisher, publisher_kana;
  int year = 0;  // 0: unknown
  std::string isbn;  // as given; stored as ISBN-13 digits
  std::string ndc, lang, subjects, notes;
  std::vector<CopyEntry> copies;
};

enum class Upserted { kInserted, kUpdated };
// Inserts the record or, when its source_id exists, updates it (copies are
// added or moved by barcode; a copy on loan or held keeps its status), and
// keeps the search index in step. REQUIRES: inside a transaction.
Result<Upserted> UpsertRecord(Connection& c, const CatalogRecord& r);
// Adds record `id` to the search index (after it is written) / removes it
// (before it changes). UpsertRecord does both.
Status IndexRecord(Connection& c, int64_t id);
Status UnindexRecord(Connection& c, int64_t id);

struct SearchQuery {
  std::string text;  // free words over every field, or an ISBN
  // Advanced search, each optional and ANDed with the rest:
  std::string title, author, publisher, subject, isbn;
  int year_from = 0, year_to = 0;
  std::string branch;         // only titles with a copy at this branch
  bool on_shelf_only = false;  // only titles with a copy on the shelf (at `branch` if given)
  enum class Sort { kRelevance, kNewest, kTitle } sort = Sort::kRelevance;
  int offset = 0;
  int limit = 20;
};

struct SearchHit {
  int64_t id = 0;
  std::string title, volume, authors, publisher;
  int year = 0;
  int copies = 0;
  int on_shelf = 0;
};

struct SearchResult {
  std::vector<SearchHit> hits;
  int total = 0;        // matches found
  bool capped = false;  // true: at least `total`; the search stopped looking
};

// Ranked search. Kanji and kana are matched as bigrams (a one-character word
// as a prefix), readings in kana find titles and names in kanji, an ISBN
// finds its book in either form. Ranking (bm25, title above author above the
// rest) runs over at most `kSearchCandidates` matches, newest records first,
// so every query costs about the same; `capped` says when there were more.
Result<SearchResult> Search(Connection& c, const SearchQuery& q);
inline constexpr int kSearchCandidates = 1000;

struct CopyStatus {
  std::string barcode, branch_code, branch_name, call_number;
  std::string status;   // shelf | loan | transit | held | missing
  std::string due_on;   // when on loan
};

struct RecordDetail {
  int64_t id = 0;
  std::string title, title_kana, volume;
  std::vector<AuthorEntry> authors;
  std::string publisher, publisher_kana;
  int year = 0;
  std::string isbn, ndc, lang, subjects, notes;
  std::vector<CopyStatus> copies;
};
Result<std::optional<RecordDetail>> GetRecord(Connection& c, int64_t id);

// ---------------------------------------------------------------- sessions

// A session as stored. The token the client holds is never stored, only its hash.
struct SessionRow {
  int64_t id = 0;
  std::string csrf;
  std::string device;
  std::optional<int64_t> patron_id;
  bool cookie_ok = false;
  std::optional<std::string> charset;  // "sjis" | "utf8"
  int64_t created_at = 0;
  int64_t seen_at = 0;
};

struct SessionLimits {
  int64_t idle_s = 30 * 60;
  int64_t absolute_s = 12 * 3600;
};

// The live session whose token hashes to `token_hash`, or nullopt when there
// is none or it has timed out at `now` (a timed-out one is deleted).
Result<std::optional<SessionRow>> FindSession(Connection& c, std::string_view token_hash,
                                              int64_t now, const SessionLimits& limits);
// Stores a new session; returns its id.
Result<int64_t> CreateSession(Connection& c, std::string_view token_hash, std::string_view csrf,
                              std::string_view device, int64_t now);
// Records activity. Writes only when the last record is older than a minute
// or the cookie is newly proven, so reading pages is not a write per request.
Status TouchSession(Connection& c, const SessionRow& s, int64_t now, bool cookie_seen);
// Gives the session a new token and CSRF token (at login: no fixation).
Status RotateSession(Connection& c, int64_t id, std::string_view new_token_hash,
                     std::string_view new_csrf);
Status SetSessionCharset(Connection& c, int64_t id, std::optional<std::string> charset);
Status DeleteSession(Connection& c, int64_t id);
// Deletes every session that has timed out at `now`; returns how many.
Result<int> PurgeSessions(Connection& c, int64_t now, const SessionLimits& limits);

// ---------------------------------------------------------------- dates

// A civil date (proleptic Gregorian), no time zone: library rules count days.
struct Date {
  int year = 1970, month = 1, day = 1;

  // Parses YYYY-MM-DD; rejects impossible dates.
  static std::optional<Date> Parse(std::string_view s);
  static Date FromDays(int64_t days_since_epoch);
  int64_t Days() const;     // days since 1970-01-01
  int Weekday() const;      // 0 = Sunday ... 6 = Saturday
  Date AddDays(int64_t n) const { return FromDays(Days() + n); }
  std::string ToString() const;  // YYYY-MM-DD
  bool operator==(const Date& o) const { return Days() == o.Days(); }
  bool operator<(const Date& o) const { return Days() < o.Days(); }
  bool operator<=(const Date& o) const { return Days() <= o.Days(); }
};

// Japanese weekday letter for a date: 日 月 火 水 木 金 土.
std::string_view WeekdayJa(const Date& d);

// When a branch is closed (休館日): weekly rule, yearly ranges such as
// 12/29-1/3, and fixed dates or ranges.
struct ClosedDays {
  struct MonthDay {
    int month, day;
  };
  std::vector<int> weekdays;                                // 0 = Sunday
  std::vector<std::pair<MonthDay, MonthDay>> yearly;        // inclusive, may wrap the year
  std::vector<std::pair<Date, Date>> dates;                 // inclusive
  bool IsClosed(const Date& d) const;
};

struct Branch {
  std::string code;  // short ASCII key, e.g. "chuo"
  std::string name;  // 中央図書館
  ClosedDays closed;
};

// The library's rules, from the configuration.
struct LibraryRules {
  std::string library_name = "出水市立図書館";
  std::vector<Branch> branches;
  int loan_days = 14;
  int max_renewals = 1;
  int pickup_open_days = 7;
  int max_holds = 10;
  const Branch* FindBranch(std::string_view code) const;
};

// The last day a hold set aside on `set_aside` may be collected: the
// `open_days`-th day after `set_aside` on which the branch is open (the day of
// setting aside itself does not count). Gives up extending past 366 closed
// days in a row and returns the date reached.
Date PickupDeadline(const ClosedDays& closed, const Date& set_aside, int open_days);

// ---------------------------------------------------------------- passwords

struct PasswordHashing {
  uint64_t ops_limit = 2;           // Argon2id passes
  uint64_t mem_limit = 19u << 20;   // bytes; Default: 19 MiB
};
// Argon2id in libsodium's string format (salt and parameters included).
Result<std::string> HashPassword(std::string_view password, const PasswordHashing& p);
bool VerifyPassword(std::string_view hash, std::string_view password);

// ---------------------------------------------------------------- demo

struct DemoAccount {
  std::string card;
  std::string password;  // empty: the patron has not registered a password yet
  std::string name_kana;
  std::string phone;
  std::string email;
  std::string what;  // what this account shows, for the README and the console
};

// Fills an empty, migrated database with the demo library: the branches of
// `rules`, the embedded catalogue, copies over the branches, patrons, loans in
// every state and holds waiting and ready, dated relative to `today`. One
// transaction: on error nothing is left behind. Returns the demo accounts.
Result<std::vector<DemoAccount>> CreateDemoLibrary(Connection& c, const LibraryRules& rules,
                                                   const Date& today,
                                                   const PasswordHashing& hashing);

// Inserts or updates the branches of `rules` (name and order).
Status SyncBranches(Connection& c, const LibraryRules& rules);

}  // namespace shiori::db

#endif  // SHIORI_DB_DB_H_
