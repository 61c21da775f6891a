// db: the only code that speaks SQL. This header: the RAII owners of the
// SQLite handles (statements, connections, transactions, the connection
// pool), the online backup and the health check. SQLite result codes become
// a Status here: Busy for a locked database (another writer held it past the
// busy timeout), Conflict for a violated constraint, Io for the rest; the
// message is SQLite's own, in English.
//
// Thread-safety: a Connection (and its statements) belongs to one thread at a
// time; Pool hands connections to threads. Several processes may open the
// same file at once (WAL mode, busy timeout).
#ifndef SHIORI_DB_SQLITE_H_
#define SHIORI_DB_SQLITE_H_

#include <condition_variable>
#include <cstdint>
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

// Optional text as the schema stores it: NULL for "", the text otherwise.
inline std::optional<std::string> NonEmpty(std::string_view s) {
  if (s.empty()) return std::nullopt;
  return std::string(s);
}

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
  Stmt& Bind(int idx, const std::optional<std::string>& v);  // nullopt binds NULL
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
  // Whether the search's ranking (shiori_rank, db/catalog.h) takes the rows'
  // lengths from a copy this connection keeps, or asks FTS5 for each row as
  // bm25 does. The order is the same either way; false is for the tests and
  // the benchmark that compare the two. Default: true
  bool rank_length_cache = true;
};

// What the catalogue search keeps for one connection (the records' years);
// defined in db/search_internal.h.
struct SearchState;

// One SQLite connection: WAL, foreign keys on, synchronous FULL, busy timeout,
// and the catalogue search's tokenizer and SQL functions registered.
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
  // What the catalogue search keeps for this connection; set once when the
  // connection opens, and released after the SQLite handle is closed (the
  // search's SQL functions point into it).
  SearchState* search_state() const { return search_state_.get(); }
  void set_search_state(std::unique_ptr<SearchState> s);

 private:
  Connection(sqlite3* db, std::string path);
  sqlite3* db_;
  std::string path_;
  std::unordered_map<std::string, std::unique_ptr<Stmt>> cache_;
  std::unique_ptr<SearchState> search_state_;
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

// Online backup of the whole database into `dest_path` (overwritten), safe
// while other connections read and write.
Status Backup(Connection& src, const std::string& dest_path);

// True when the database answers a trivial query.
Status Ping(Connection& c);

// What an insert-or-update by a natural key did (UpsertRecord by source id,
// UpsertPatron by card number).
enum class Upserted { kInserted, kUpdated };

}  // namespace shiori::db

#endif  // SHIORI_DB_SQLITE_H_
