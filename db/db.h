// db: the only code that speaks SQL. SQLite connections and statements, the
// schema and its migrations, the library's rules (dates, calendars), service
// settings, backup and the demo library.
//
// Thread-safety: a Connection (and its statements) belongs to one thread at a
// time; Pool hands connections to threads. Several processes may open the
// same file at once (WAL mode, busy timeout).
#ifndef SHIORI_DB_DB_H_
#define SHIORI_DB_DB_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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
  // What db/search.cc keeps for this connection (the records' years); set
  // once when the connection opens.
  void set_search_state(std::shared_ptr<void> s) { search_state_ = std::move(s); }
  void* search_state() const { return search_state_.get(); }

 private:
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  std::shared_ptr<void> search_state_;
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

// Registers the "shiori" FTS5 tokenizer and the shiori_rank() ranking
// function on `c`. Connection::Open does it for every connection, so the
// index is readable and writable everywhere.
Status RegisterTokenizer(Connection& c);
// The tokens the search index holds for `text` (document) or looks for (query):
// search folding (charset::FoldForSearch), then overlapping bigrams for kanji
// and kana runs (in a document each kanji of the run is a term too, unless
// the text follows the reading mark U+001F), kana trigrams (db/search.cc
// TokenizePart), words for letters and digits. For tests and tools.
std::vector<std::string> SearchTokens(std::string_view text, bool document);
// The FTS5 expression db::Search matches for the words of `text`: each run
// of kanji/kana or of letters/digits one phrase, prefixed by `columns`
// ("{title title_reading} : "), ANDed; a lone kana beside other words is
// left out. A one-kanji run is that kanji's own term, so 猫 finds 黒猫 and
// 猫町. For tests and tools.
std::string FtsMatchExpression(std::string_view text, const std::string& columns);
// True when the words of `text` are one hiragana or katakana (full or half
// width, spaces around): the index keeps no single kana, so such a query
// finds nothing and the page says to type two.
bool IsOneKanaQuery(std::string_view text);
// The expression db::Search ranks its candidates by (lower is better): the
// column weights of title, title reading, author, author reading,
// publisher, subjects, other. For tools that time the same query.
inline constexpr char kSearchRank[] =
    "shiori_rank(records_fts, 10.0, 8.0, 5.0, 4.0, 2.0, 2.0, 1.0)";
// What db::Search shows of each hit: title, volume, publisher, year, the
// authors joined by ・, copies, copies on the shelf; ?1 is the record id.
// For tools that time the same query.
inline constexpr char kSearchDetailsSql[] =
    "SELECT title, ifnull(volume,''), ifnull(publisher,''), ifnull(year,0),"
    " (SELECT group_concat(name, '・') FROM (SELECT name FROM record_authors"
    "   WHERE record_id = r.id ORDER BY pos)),"
    " (SELECT count(*) FROM copies WHERE record_id = r.id),"
    " (SELECT count(*) FROM copies WHERE record_id = r.id AND status = 'shelf')"
    " FROM records r WHERE id = ?1";
// Whether shiori_rank takes the rows' lengths from its per-connection copy
// (the default) or asks FTS5 for each row, as bm25 does. The order is the
// same either way; for tests and benchmarks.
void UseRankLengthCache(bool on);

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
  int year = 0;      // 0: unknown
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
// The same from the record just written as `r` (no reading back): the text
// is the one the stored row gives, which UnindexRecord will repeat.
Status IndexRecord(Connection& c, int64_t id, const CatalogRecord& r);

struct SearchQuery {
  std::string text;  // free words over every field, or an ISBN
  // Advanced search, each optional and ANDed with the rest:
  std::string title, author, publisher, subject, isbn;
  int year_from = 0, year_to = 0;
  std::string branch;          // only titles with a copy at this branch
  bool on_shelf_only = false;  // only titles with a copy on the shelf (at `branch` if given)
  enum class Sort { kRelevance, kNewest, kTitle } sort = Sort::kRelevance;
  int offset = 0;
  int limit = 20;
};

// The FTS5 expression db::Search matches for `q`: the free words (unless
// `text_is_isbn`: then records_isbn finds them) and the title, author,
// publisher and subject fields, each in its columns, ANDed. For tools that
// time the same query.
std::string SearchMatchExpression(const SearchQuery& q, bool text_is_isbn);

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
  std::string status;  // shelf | loan | transit | held | missing
  std::string due_on;  // when on loan
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

// ---------------------------------------------------------------- import

// Catalogue files ImportCatalog reads; docs/import-formats.md describes each.
enum class ImportFormat {
  kAuto,     // by content: five digits (a MARC leader): kMarc21; '<': kMarcXml; else kTsv
  kTsv,      // UTF-8, tab-separated, header row, one row per copy
  kMarc21,   // ISO 2709, MARC-8 or UTF-8 (leader 09)
  kMarcXml,  // MARC21 slim (a collection or a single record)
};

// One rejected record, or a fault of the file itself.
struct ImportProblem {
  // TSV: the line number, counting the header as line 1. MARC21 and MARCXML:
  // the 1-based number of the record in the file. 0: the file as a whole.
  int record = 0;
  std::string reason;  // one line, UTF-8
};

struct ImportReport {
  int records = 0;   // records read (TSV: distinct ids), accepted or not
  int inserted = 0;  // records with a new source id
  int updated = 0;   // records whose source id was already there (rewritten or unchanged)
  int copies = 0;    // copies in the file: added, moved by barcode, or already in place
  // Every problem found, in file order. inserted, updated and copies are 0
  // whenever this is non-empty: nothing was written.
  std::vector<ImportProblem> problems;
};

// Reads the catalogue file `path` and writes every record in it with
// UpsertRecord, all in ONE transaction: if any record is rejected, or the file
// is malformed, nothing is changed. The whole file is still read, so that
// report->problems lists every problem (reading stops only where the file
// cannot be followed further: broken ISO 2709 framing, XML that is not
// well-formed, a TSV header that cannot be used). Returns:
//   Ok       everything was written and committed;
//   Invalid  the file was refused; the message is a one-line summary (the
//            count and the first problem), the problems are in the report;
//   NotFound / Io  the file cannot be read (report->problems stays empty);
//   Io             the file is MARC21 or MARCXML and YAZ or libxml2, opened
//                  on the first MARC import, cannot be loaded ("cannot load
//                  libyaz.so.5 (libyaz5): <dlerror>"); nothing was changed;
//   Busy, Io       the database failed; nothing was changed.
// `report` (may be null) is reset and filled. `progress(done_records,
// fraction_of_file)`, when not null, is called after about every 1,000
// records and once when the whole file is read; fraction_of_file is the part
// of the file's bytes read so far (0..1); it runs on the calling thread. An
// empty file, or one with no records, is refused.
// A record already stored exactly as the file gives it (fields, authors and
// the file's copies) is left untouched and counted as updated.
// REQUIRES: `c` is migrated, its branches are synced (SyncBranches: copies
// naming another branch are refused) and no transaction is open on it.
Status ImportCatalog(Connection& c, const std::string& path, ImportFormat format,
                     ImportReport* report, const std::function<void(int, double)>& progress);

// ---------------------------------------------------------------- patrons
// Patron accounts (利用照会): staff records, password registration by name and
// phone, login with lockout, password and e-mail changes. Messages in a
// returned Status are Japanese sentences meant for the patron, unless the code
// is Io (or a Busy from SQLite itself, whose message is English).
// Passwords are never stored or logged in clear: only Argon2id strings.

struct PasswordHashing;  // below, with HashPassword

struct PatronRow {
  int64_t id = 0;
  std::string card, name_kana, phone, email, home_branch;  // as stored; "" for NULL
  std::string status;                                      // active | expired | blocked
  bool has_password = false;
};

// A patron as staff record it (the card application form).
struct PatronInput {
  std::string card;         // 4..16 ASCII digits, nothing else
  std::string name_kana;    // kana reading; checked with charset::NormalizeNameKana
  std::string phone;        // 6..15 digits, any hyphens, brackets, spaces
  std::string email;        // empty, or valid by ValidateEmail
  std::string home_branch;  // empty, or a code in the branches table
};

// Staff: adds the patron or, when the card number exists, updates name, phone,
// e-mail and home branch (status and password are kept). Checks: the card as
// above; the name non-empty and all katakana (ー included) after
// NormalizeNameKana; the phone 6..15 digits after NormalizeDigits (15: E.164);
// e-mail by ValidateEmail (full-width ASCII made half-width first); branch
// known. Text is stored trimmed (ASCII and ideographic spaces), otherwise as
// given. An e-mail removed this way turns the patron's active mail holds to
// 'none', as ChangeEmail does. Invalid (Japanese message naming the field) when
// a check fails. REQUIRES: inside a transaction (an import wraps many).
Result<Upserted> UpsertPatron(Connection& c, const PatronInput& p);

// `shiori patron import`: a UTF-8 TSV with a header row naming its columns
// (card, name_kana, phone required; email, branch optional; see
// docs/import-formats.md), each row through UpsertPatron, all in ONE
// transaction: any bad row (listed in report->problems with its line number,
// the header being line 1) and nothing is changed. ImportReport's copies
// field is unused.
Status ImportPatrons(Connection& c, const std::string& path, ImportReport* report);

// The patron with this card number (NormalizeDigits first), or nullopt.
Result<std::optional<PatronRow>> FindPatronByCard(Connection& c, std::string_view card);
// The patron with this id, or nullopt (for the logged-in patron's own pages).
Result<std::optional<PatronRow>> FindPatronById(Connection& c, int64_t patron_id);

struct PasswordPolicy {
  int min_length = 6;  // Default: 6 (the guide: 半角英数 6~8桁)
  int max_length = 8;  // Default: 8
};

// OK when `password` (already charset::NormalizePassword'ed) is only
// [A-Za-z0-9] and its length is within `p`. Otherwise Invalid with one
// sentence for every violation: "パスワードは半角英数字6〜8文字で入力してください。"
// (the numbers from `p`).
Status CheckPassword(std::string_view password, const PasswordPolicy& p);

// OK when `email` is an address we can send to: ASCII, exactly one '@', local
// part 1..64 characters of dot-atom text (RFC 5322 atext and dots; no quoted
// strings), domain <= 255 with at least one dot, labels 1..63 of letters,
// digits and inner hyphens, top label not all digits, whole <= 254 (RFC 5321).
// For the carrier domains docomo.ne.jp, ezweb.ne.jp, au.com, softbank.ne.jp,
// i.softbank.jp, ymobile.ne.jp and willcom.com (any case) the local part may
// also hold consecutive dots and end with a dot, as old phones allowed.
// Invalid with a Japanese message otherwise. Empty is Invalid too: callers
// treat "" as "no address" before asking.
Status ValidateEmail(std::string_view email);
// An e-mail address as typed on a phone, made comparable: full-width ASCII
// made half-width (ＡＢＣ＠ｅｘ...), spaces and ideographic spaces cut at
// both ends. What every e-mail field goes through before ValidateEmail; ""
// means no address.
std::string NormalizeEmailInput(std::string_view s);

// Failed identity checks allowed before a lock.
struct Throttle {
  int max_failures = 5;            // Default: 5
  int64_t lock_seconds = 15 * 60;  // Default: 15 minutes
};
// Throttling, shared by RegisterPassword, Login and ChangePassword. Failures
// are counted per card number (known or not) and per throttle key, separately
// for registration and for login. A counter is forgotten lock_seconds after its
// last failure; while it holds max_failures or more, every attempt with that
// card or key is refused with Locked, even with the right data, and refused
// attempts are not counted. A success clears the card's counter and takes as
// many failures off the key's counter as the card's held (the patron's own
// mistypes: she is not locked out of her own phone), leaving the failures on
// other cards there. Throttle keys are stored only as keyed BLAKE2b hashes.
// `throttle_key` is what identifies the client: the session id or the device
// key, NOT only the IP address (feature phones share their carrier's gateway
// addresses); "" counts nothing per key.

// 新規パスワード登録, also the reset for a forgotten password: when `card`,
// `name_kana` and `phone` match the patron's record (NormalizeDigits and
// NormalizeNameKana on both sides), stores the Argon2id hash of `password`
// (NormalizePassword'ed, then CheckPassword) and, when not empty, `email`
// (ValidateEmail, after the same width folding); ends every session of the
// patron (whoever knew the old password is logged out); settles the card's
// registration and login counters as a success (so a login lock ends too).
// The patron's status is not checked (Login is where a blocked card is told).
// Returns, in this order of checks:
//   Invalid  the password breaks `pol` or the e-mail is invalid (CheckPassword
//            and ValidateEmail messages; nothing counted);
//   Locked   the card or key is locked: "...15分後にもう一度お試しください。"
//            (the minutes from `t`);
//   Invalid  card, name or phone do not match, or the card is unknown: one
//            fixed message that never says which (kRegistrationMismatch);
//            counted for the card and the key.
// The decision and its writes are one transaction; the hash is computed before
// it when a read shows the data matches, so the write lock is not held while
// hashing and wrong data costs no hashing. REQUIRES: no transaction open on `c`.
Status RegisterPassword(Connection& c, std::string_view card, std::string_view name_kana,
                        std::string_view phone, std::string_view password, std::string_view email,
                        std::string_view throttle_key, const PasswordPolicy& pol,
                        const PasswordHashing& h, const Throttle& t, int64_t now,
                        std::string_view device_class = "");
extern const char kRegistrationMismatch[];
// Registration, password change and e-mail change also queue the security
// notices in their transaction: password_registered / password_changed (to the
// patron's address, when there is one, with `device_class`), email_changed to
// the old and to the new address.

// Login with card number and password (NormalizeDigits / NormalizePassword
// first). Returns the patron id. Errors:
//   Locked    the card or the key is locked (as above);
//   Invalid   unknown card, no password registered yet, or a wrong password:
//             one message, kLoginMismatch "カード番号またはパスワードが違います。";
//   Conflict  right password but the card is blocked or expired: a sentence
//             telling the patron to see the counter.
// Every attempt is counted as a failure for the card and the key before the
// password is verified, in its own short transaction, so parallel guesses
// cannot pass the limit; a right password then settles the counters as a
// success. Verifying (Argon2id) runs outside any transaction; an unknown card
// is verified against a dummy hash, so it answers no faster than a known one.
// REQUIRES: no transaction open on `c`.
Result<int64_t> Login(Connection& c, std::string_view card, std::string_view password,
                      std::string_view throttle_key, const Throttle& t, int64_t now);
extern const char kLoginMismatch[];

// Password change by a logged-in patron: `current` must verify (a wrong one is
// Invalid "現在のパスワードが違います。" and counts as a login failure for the
// card; Locked while the card is locked, so a stolen session cannot guess it),
// `next` must pass `pol` (both NormalizePassword'ed). On success the new hash
// is stored and every session of the patron except `keep_session_id` is
// deleted, in one transaction; Conflict if the password changed meanwhile,
// NotFound for an unknown patron. REQUIRES: no transaction open on `c`.
Status ChangePassword(Connection& c, int64_t patron_id, std::string_view current,
                      std::string_view next, int64_t keep_session_id, const PasswordPolicy& pol,
                      const PasswordHashing& h, const Throttle& t, int64_t now,
                      std::string_view device_class = "");

// Sets the patron's e-mail address (full-width ASCII made half-width, trimmed,
// then ValidateEmail), or removes it when `email` is empty after trimming.
// Removing turns the patron's holds with contact 'mail' that are 'waiting' or
// 'ready' into contact 'none' (連絡不要: the patron sees the hold on the page or
// at the counter; we do not guess a phone call was wanted). Returns how many
// holds changed (0 when setting an address). NotFound for an unknown patron.
// One transaction. REQUIRES: no transaction open on `c`.
Result<int> ChangeEmail(Connection& c, int64_t patron_id, std::string_view email, int64_t now = 0);

// How many of the patron's holds with contact 'mail' are 'waiting' or 'ready':
// what ChangeEmail("") would change, for the warning before removal.
Result<int> MailHoldCount(Connection& c, int64_t patron_id);

// Binds session `session_id` to a patron at login, or unbinds it (nullopt) at
// logout. NotFound when there is no such session.
Status SetSessionPatron(Connection& c, int64_t session_id, std::optional<int64_t> patron_id);

// Staff: forgets the failed logins and password registrations counted
// against card `card` (typed as staff type it), so a locked card works
// again at once, also from the patron's own device: the failures a device
// counted up to now no longer lock this card (they still count for other
// cards; one more failure from that device locks it again). NotFound when no
// patron has the card; returns how many card counters went. One transaction.
Result<int> UnlockCard(Connection& c, std::string_view card, int64_t now = 0);

// Deletes failure counters forgotten at `now` (older than t.lock_seconds);
// returns how many. The daily job (`shiori circ daily`) runs it.
Result<int> PurgeAuthFailures(Connection& c, const Throttle& t, int64_t now);

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

// ---------------------------------------------------------------- cart

inline constexpr int kCartLimit = 20;
struct CartItem {
  int64_t record_id = 0;
  std::string title, volume, authors;
};
// Adds a title to the session's cart. Adding one already there changes
// nothing (OK). Conflict when the cart holds kCartLimit titles; NotFound for
// an unknown record.
Status CartAdd(Connection& c, int64_t session_id, int64_t record_id, int64_t now);
Status CartRemove(Connection& c, int64_t session_id, int64_t record_id);
Status CartClear(Connection& c, int64_t session_id);
// The cart in the order titles were added.
Result<std::vector<CartItem>> CartList(Connection& c, int64_t session_id);

// ---------------------------------------------------------------- dates

// A civil date (proleptic Gregorian), no time zone: library rules count days.
struct Date {
  int year = 1970, month = 1, day = 1;

  // Parses YYYY-MM-DD; rejects impossible dates.
  static std::optional<Date> Parse(std::string_view s);
  static Date FromDays(int64_t days_since_epoch);
  int64_t Days() const;  // days since 1970-01-01
  int Weekday() const;   // 0 = Sunday ... 6 = Saturday
  Date AddDays(int64_t n) const { return FromDays(Days() + n); }
  std::string ToString() const;  // YYYY-MM-DD
  bool operator==(const Date& o) const { return Days() == o.Days(); }
  bool operator<(const Date& o) const { return Days() < o.Days(); }
  bool operator<=(const Date& o) const { return Days() <= o.Days(); }
};

// Japanese weekday letter for a date: 日 月 火 水 木 金 土.
std::string_view WeekdayJa(const Date& d);
// The date as patrons read it everywhere (pages and mail): "12月15日(火)";
// without the weekday, "12月15日".
std::string JapaneseDate(const Date& d);
std::string JapaneseMonthDay(const Date& d);

// When a branch is closed (休館日): weekly rule, yearly ranges such as
// 12/29-1/3, and fixed dates or ranges.
struct ClosedDays {
  struct MonthDay {
    int month, day;
  };
  std::vector<int> weekdays;                          // 0 = Sunday
  std::vector<std::pair<MonthDay, MonthDay>> yearly;  // inclusive, may wrap the year
  std::vector<std::pair<Date, Date>> dates;           // inclusive
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

// ---------------------------------------------------------------- circulation lists

struct LoanLine {
  int64_t loan_id = 0;
  std::string title, volume;
  std::string due_on;  // YYYY-MM-DD
  int renewals = 0;
  bool reserved = false;  // another patron waits for this title (予約あり)
  bool overdue = false;   // due before today (延滞)
};
// The patron's open loans, earliest due first.
Result<std::vector<LoanLine>> PatronLoans(Connection& c, int64_t patron_id, const Date& today);

struct HoldLine {
  int64_t hold_id = 0;
  std::string title, volume, branch_code, branch_name;
  std::string contact;             // mail | phone | none
  int position = 0;                // waiting: 1 = next in line for the title
  std::string ready_on, deadline;  // ready: set aside on, collect by (YYYY-MM-DD)
};
// The patron's holds waiting (予約中) or ready for pickup (予約確保), in the order placed.
Result<std::vector<HoldLine>> PatronHolds(Connection& c, int64_t patron_id, bool ready);

// ---------------------------------------------------------------- circulation
// Holds, renewals and the staff's counter work (db/circ.cc). Every function
// is one BEGIN IMMEDIATE transaction: it is committed whole or not at all,
// and concurrent callers (server threads, staff commands) are serialised by
// SQLite. REQUIRES for all: `c` is migrated, its branches synced, and no
// transaction is open on it. Dates are the library's civil dates; closed_at
// and ready_on are stored as YYYY-MM-DD.
//
// Messages: functions a patron calls (PlaceHolds, CancelHold, ChangeHold*,
// RenewLoan) return Japanese sentences for the patron in a refused Status
// (Invalid, NotFound, Conflict). Staff functions (Checkout, Checkin,
// PullForHold, DailyRun) answer in English, one line. Busy and Io keep
// SQLite's English message everywhere.
//
// Copy hand-over: when a copy comes free for a title (returned, pulled from
// the shelf, its ready hold cancelled or expired), the first waiting hold on
// the title in order placed (seq) gets it: status ready, ready_on today,
// pickup_deadline = PickupDeadline(pickup branch's closed days, today,
// rules.pickup_open_days), the copy 'held' when it belongs to the pickup
// branch and 'transit' otherwise, and an outbox row ('hold_ready') when the
// hold's contact is mail. Simplification: a copy in transit makes its hold
// ready at once, the deadline counted from the day it was sent, not from its
// arrival; nothing records the arrival yet. With no hold waiting the copy
// goes back to 'shelf'.

enum class HoldOutcome {
  kPlaced,           // a new waiting hold
  kAlreadyReserved,  // the patron already has a waiting or ready hold on the title
  kAlreadyOnLoan,    // the patron has a copy of the title on loan
  kLimitReached,     // the patron's waiting + ready holds reached rules.max_holds
  kNotLendable,      // no such title, or it has no copy other than 'missing' ones
};

struct HoldResult {
  int64_t record_id = 0;
  HoldOutcome outcome = HoldOutcome::kNotLendable;
  int position = 0;            // kPlaced: place in the title's queue of waiting holds (1 = next)
  std::string message;         // Japanese, one sentence or two, for the result line
  bool available_now = false;  // kPlaced: enough copies on the shelf for the queue up to
                               // this hold: ready in a few days (数日でご用意できます)
};

// Reserves the titles of a cart for one patron, each title on its own, in one
// transaction; returns one result per entry of `record_ids`, in order (a
// title listed twice is kAlreadyReserved the second time). Checks per title,
// in this order: not lendable, already reserved, already on loan, limit.
// New holds get seq = max(seq) + 1 inside the transaction, so concurrent
// reservations queue one after the other and never share a position.
// `contact` is mail | phone | none; mail needs the patron's e-mail address.
// `request_key` is the confirmation form's token: the first call with a key
// stores its results, and any later call by the same patron with that key
// returns those results and changes nothing (back button, double tap), even
// if the cart differs. "" stores nothing (not idempotent). Keys are kept two
// days (DailyRun forgets older ones). `now_iso` (ISO 8601) is stored as
// placed_at. Refusals of the whole request (Japanese): Invalid for an empty
// cart, an unknown pickup branch, a bad contact, mail without an address;
// NotFound for an unknown patron; Conflict for a card that is not active.
Result<std::vector<HoldResult>> PlaceHolds(Connection& c, int64_t patron_id,
                                           const std::vector<int64_t>& record_ids,
                                           const std::string& pickup_branch,
                                           const std::string& contact,
                                           const std::string& request_key,
                                           const LibraryRules& rules, const std::string& now_iso);

// Patron (Japanese): cancels the patron's own waiting or ready hold (status
// cancelled, closed_at today). A ready hold's copy is handed over as above.
// NotFound when the hold is not the patron's; Conflict when it has ended.
Status CancelHold(Connection& c, int64_t patron_id, int64_t hold_id, const Date& today,
                  const LibraryRules& rules);

// Patron (Japanese): moves a waiting hold to another pickup branch (a code in
// the branches table). Invalid for an unknown branch; Conflict once the hold
// is ready (the copy is already set aside at a branch); NotFound as above.
Status ChangeHoldBranch(Connection& c, int64_t patron_id, int64_t hold_id,
                        const std::string& branch);

// Patron (Japanese): sets the contact (mail | phone | none) of a waiting or
// ready hold. Invalid for a bad contact or mail without an e-mail address;
// Conflict when the hold has ended; NotFound as above. A notice already
// queued is not withdrawn.
Status ChangeHoldContact(Connection& c, int64_t patron_id, int64_t hold_id,
                         const std::string& contact);

// Patron (Japanese), 延長: renews the patron's open loan; returns the new due
// date, today + rules.loan_days. Conflict, in this order of checks, when the
// loan is overdue (due before today), another patron's hold waits for the
// title, renewals >= rules.max_renewals, or the new due date would not be
// later than the current one. NotFound when the loan is not the patron's or
// is returned.
Result<Date> RenewLoan(Connection& c, int64_t patron_id, int64_t loan_id, const Date& today,
                       const LibraryRules& rules);

// Staff (English), `circ checkout`: lends the copy `barcode` to the patron
// with card `card` (digits normalised), due today + rules.loan_days. Refused
// (Conflict) when the card is not active, the copy is on loan, or it is set
// aside for another patron's ready hold. A copy on the shelf may be lent even
// when others wait for the title (the guide: 準備前に貸出される場合があります);
// a 'missing' copy in hand is lent and noted. The patron's own waiting or
// ready hold on the title is fulfilled (status fulfilled, closed_at today);
// if that ready hold had another copy set aside, that copy is handed over.
// NotFound for an unknown card or barcode. `log` (may be null) gets one line
// per change, only when the transaction committed.
Status Checkout(Connection& c, std::string_view card, std::string_view barcode, const Date& today,
                const LibraryRules& rules, std::vector<std::string>* log);

// Staff (English), `circ checkin`: closes the open loan of copy `barcode`
// (returned_on today) and hands the copy over. NotFound for an unknown
// barcode; Conflict when the copy is not on loan. `log` as for Checkout; it
// says where the copy goes (the hold, "send to 野田図書館", the phone number to
// call, or back to the shelf).
Status Checkin(Connection& c, std::string_view barcode, const Date& today,
               const LibraryRules& rules, std::vector<std::string>* log);

// Staff (English), `circ ready`: staff found a copy on the shelf for a
// waiting hold. `hold_id_or_barcode` is first looked up as a copy barcode: that
// copy ('shelf', or 'missing' and now found) goes to the first waiting hold on
// its title. Otherwise it is read as a hold id: the hold must be the first
// waiting one on its title, and gets a copy on the shelf, one at its pickup
// branch preferred. Conflict when no hold waits, the hold is not first, or no
// copy is on the shelf; NotFound when neither a copy nor a hold matches.
Status PullForHold(Connection& c, std::string_view hold_id_or_barcode, const Date& today,
                   const LibraryRules& rules, std::vector<std::string>* log);

// Staff (English), `circ daily`: expires every ready hold whose
// pickup_deadline is before today (status expired, closed_at today) and hands
// its copy over, so the next hold's deadline counts from today; forgets
// reservation request keys older than two days. Running it again the same day
// changes nothing. `log` as for Checkout.
Status DailyRun(Connection& c, const Date& today, const LibraryRules& rules,
                std::vector<std::string>* log);

// ---------------------------------------------------------------- outbox
// Mail notices waiting to be sent (db/outbox.cc; the sender is gateway/mail.h).
// A row is written in the same transaction as the change it tells of (HandOver
// in circ.cc for hold_ready, QueueNotice for the others) and moves
//   pending -> sending -> sent | failed | skipped, or back to pending
// with a later next_try_at after a temporary failure. 'sending' is committed
// before SMTP is spoken, so a crash mid-send is seen afterwards. Times are unix
// seconds from the caller's clock. Each function below other than QueueNotice
// is one statement (committed on return). REQUIRES for those: no transaction
// open on `c`.

struct OutboxRow {
  int64_t id = 0;
  std::string kind;    // hold_ready | email_changed | password_registered | password_changed
  std::string status;  // pending | sending | sent | failed | skipped
  int64_t patron_id = 0;
  std::string card;               // the patron's card number
  int64_t hold_id = 0;            // 0: none
  std::string to_address;         // "": the patron's address when sending
  std::string detail;             // email_changed: old | new; password_*: the device class
  std::string created_at;         // ISO 8601 UTC
  int attempts = 0;               // claims so far
  int64_t first_try_at = 0;       // 0: not tried yet
  int64_t next_try_at = 0;        // pending: not before; 0: due now
  int64_t sending_at = 0;         // when the last claim was made
  int64_t sent_at = 0;            // 0: not sent
  bool resent_uncertain = false;  // already sent once more after a crash mid-send
  std::string message_id;         // kept over retries
  std::string last_error;         // why it failed or was retried; "" when none
};

// What a notice needs besides its row: the patron's current address and, for
// hold_ready, the hold as it is now.
struct NoticeData {
  OutboxRow row;
  std::string patron_email;  // "" when the patron has none
  std::string hold_status;   // hold_ready: waiting | ready | fulfilled | cancelled | expired
  std::string title, volume, branch_code, branch_name;  // hold_ready
  std::string deadline;                                 // hold_ready: YYYY-MM-DD
};

// Queues a notice other than hold_ready (kind email_changed, password_registered
// or password_changed; Invalid otherwise), created_at `now`. `to_address`: the
// recipient when it must not follow later changes of the patron's address
// (email_changed: the old address, or the new); nullopt: the patron's address
// when sending. REQUIRES: inside the caller's transaction, beside the change.
Status QueueNotice(Connection& c, std::string_view kind, int64_t patron_id,
                   const std::optional<std::string>& to_address, std::string_view detail,
                   int64_t now);

// Ids of pending rows due at `now`, oldest first.
Result<std::vector<int64_t>> DueNotices(Connection& c, int64_t now);
// Rows in 'sending' whose claim is older than `claimed_before`: left by a
// sender that stopped mid-send.
Result<std::vector<OutboxRow>> AbandonedNotices(Connection& c, int64_t claimed_before);

// Marks pending row `id` 'sending' at `now` (attempts + 1, first_try_at set on
// the first claim, message_id set to `message_id` unless it has one). Returns
// the row's message id, or nullopt when the row is no longer pending (another
// sender took it).
Result<std::optional<std::string>> ClaimNotice(Connection& c, int64_t id, int64_t now,
                                               std::string_view message_id);
// Claims an abandoned row again (from AbandonedNotices, `sending_at` as read):
// resent_uncertain set, attempts + 1. False when it changed meanwhile.
Result<bool> ReclaimNotice(Connection& c, int64_t id, int64_t sending_at, int64_t now);

// Row `id` with what the notice needs, or nullopt when there is no such row.
Result<std::optional<NoticeData>> LoadNotice(Connection& c, int64_t id);

// Outcomes of a claimed ('sending') row; Conflict when the row is not 'sending'.
Status MarkNoticeSent(Connection& c, int64_t id, int64_t now);
// `status` is failed or skipped; `reason` one line.
Status MarkNoticeDone(Connection& c, int64_t id, std::string_view status, std::string_view reason);
Status MarkNoticeRetry(Connection& c, int64_t id, int64_t next_try_at, std::string_view reason);

// For `shiori mail status`: rows pending, sending or failed, oldest first.
Result<std::vector<OutboxRow>> OutboxStatus(Connection& c);

// When the hold_ready notice of hold `hold_id` was last sent, as "12月1日 10:00"
// in the process's local time zone (TZ), or nullopt when none was sent; for
// 予約確保一覧 (通知メール送信済み ...).
Result<std::optional<std::string>> NoticeSentAt(Connection& c, int64_t hold_id);

// ---------------------------------------------------------------- passwords

struct PasswordHashing {
  uint64_t ops_limit = 2;          // Argon2id passes
  uint64_t mem_limit = 19u << 20;  // bytes; Default: 19 MiB
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
