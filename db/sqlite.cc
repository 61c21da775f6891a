// SQLite handles with RAII owners: statements, connections, transactions, the
// connection pool and the online backup. SQLite result codes become Status here.
#include "db/sqlite.h"

#include <sqlite3.h>

#include <string>

#include "db/search_internal.h"

namespace shiori::db {
namespace {

// The one converter from SQLite result codes to Status.
Status FromRc(sqlite3* db, int rc, std::string_view context) {
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW) return Status::Ok();
  std::string msg(context);
  msg += ": ";
  msg += db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return Status::Busy(msg);
  if ((rc & 0xff) == SQLITE_CONSTRAINT) return Status::Conflict(msg);
  return Status::Io(msg);
}

}  // namespace

// ---------------------------------------------------------------- Stmt

Stmt::Stmt(Stmt&& o) noexcept : db_(o.db_), s_(o.s_), bind_rc_(o.bind_rc_) { o.s_ = nullptr; }

Stmt& Stmt::operator=(Stmt&& o) noexcept {
  if (this != &o) {
    sqlite3_finalize(s_);
    db_ = o.db_;
    s_ = o.s_;
    bind_rc_ = o.bind_rc_;
    o.s_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() { sqlite3_finalize(s_); }

Stmt& Stmt::Bind(int idx, int64_t v) {
  int rc = sqlite3_bind_int64(s_, idx, v);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int idx, std::string_view v) {
  int rc = sqlite3_bind_text64(s_, idx, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Stmt& Stmt::Bind(int idx, const std::optional<std::string>& v) {
  return v ? Bind(idx, std::string_view(*v)) : BindNull(idx);
}

Stmt& Stmt::BindNull(int idx) {
  int rc = sqlite3_bind_null(s_, idx);
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Result<bool> Stmt::Step() {
  if (bind_rc_ != SQLITE_OK) return FromRc(db_, bind_rc_, "bind");
  int rc = sqlite3_step(s_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return FromRc(db_, rc, sqlite3_sql(s_));
}

Status Stmt::Run() {
  while (true) {
    auto r = Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
  }
}

int64_t Stmt::Int(int col) const { return sqlite3_column_int64(s_, col); }
double Stmt::Real(int col) const { return sqlite3_column_double(s_, col); }

std::string Stmt::Text(int col) const {
  const auto* p = sqlite3_column_text(s_, col);
  if (!p) return std::string();
  return std::string(reinterpret_cast<const char*>(p), sqlite3_column_bytes(s_, col));
}

std::optional<std::string> Stmt::OptText(int col) const {
  if (IsNull(col)) return std::nullopt;
  return Text(col);
}

bool Stmt::IsNull(int col) const { return sqlite3_column_type(s_, col) == SQLITE_NULL; }

void Stmt::Reset() {
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  bind_rc_ = SQLITE_OK;
}

// ---------------------------------------------------------------- Connection

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path,
                                                     const OpenOptions& opt) {
  sqlite3* raw = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX;
  flags |= opt.read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
  if (opt.create && !opt.read_only) flags |= SQLITE_OPEN_CREATE;
  int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = path + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
    sqlite3_close(raw);
    return Status::Io(msg);
  }
  std::unique_ptr<Connection> c(new Connection(raw, path));
  sqlite3_busy_timeout(raw, opt.busy_timeout_ms);
  sqlite3_extended_result_codes(raw, 1);
  // WAL lets readers and one writer work at once across processes; FULL makes
  // every committed circulation change survive a power cut.
  Status s = c->Exec(opt.read_only ? "PRAGMA foreign_keys=ON;"
                                   : "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
                                     " PRAGMA foreign_keys=ON;");
  if (!s.ok()) return Status::Io(path + ": " + s.message());
  s = detail::RegisterTokenizer(*c, opt.rank_length_cache);
  if (!s.ok()) return Status::Io(path + ": " + s.message());
  return c;
}

Connection::Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

Connection::~Connection() {
  cache_.clear();  // statements must be finalised before the handle closes
  sqlite3_close(db_);
  // search_state_ goes after this body: the handle's SQL functions point into it.
}

void Connection::set_search_state(std::unique_ptr<SearchState> s) { search_state_ = std::move(s); }

Status Connection::Exec(std::string_view sql) {
  std::string owned(sql);
  char* err = nullptr;
  int rc = sqlite3_exec(db_, owned.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return FromRc(nullptr, rc, msg);
  }
  return Status::Ok();
}

Result<Stmt> Connection::Prepare(std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &s, nullptr);
  if (rc != SQLITE_OK) return FromRc(db_, rc, "prepare");
  return Stmt(db_, s);
}

Stmt* Connection::Cached(const std::string& sql, Status* err) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    auto r = Prepare(sql);
    if (!r.ok()) {
      if (err) *err = r.status();
      return nullptr;
    }
    it = cache_.emplace(sql, std::make_unique<Stmt>(std::move(r).value())).first;
  }
  it->second->Reset();
  return it->second.get();
}

int64_t Connection::LastInsertId() const { return sqlite3_last_insert_rowid(db_); }
int Connection::Changes() const { return sqlite3_changes(db_); }

// ---------------------------------------------------------------- Transaction

Transaction::Transaction(Connection& c) : c_(c), begun_(c.Exec("BEGIN IMMEDIATE")) {
  if (!begun_.ok()) done_ = true;
}

Transaction::~Transaction() {
  if (!done_) (void)c_.Exec("ROLLBACK");
}

Status Transaction::Commit() {
  if (done_) return begun_.ok() ? Status::Conflict("transaction already ended") : begun_;
  Status s = c_.Exec("COMMIT");
  if (s.ok()) done_ = true;
  return s;  // on failure the destructor rolls back
}

// ---------------------------------------------------------------- Pool

Pool::Lease::~Lease() {
  if (c_) pool_->Release(std::move(c_));
}

Result<std::unique_ptr<Pool>> Pool::Open(const std::string& path, int size) {
  auto p = std::make_unique<Pool>();
  OpenOptions opt;
  opt.create = false;
  for (int i = 0; i < size; ++i) {
    auto c = Connection::Open(path, opt);
    if (!c.ok()) return c.status();
    p->free_.push_back(std::move(c).value());
  }
  return p;
}

Pool::Lease Pool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [this] { return !free_.empty(); });
  auto c = std::move(free_.back());
  free_.pop_back();
  return Lease(this, std::move(c));
}

void Pool::Release(std::unique_ptr<Connection> c) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(c));
  }
  cv_.notify_one();
}

// ---------------------------------------------------------------- backup, ping

Status Backup(Connection& src, const std::string& dest_path) {
  OpenOptions opt;
  auto dest = Connection::Open(dest_path, opt);
  if (!dest.ok()) return dest.status();
  // The copy is a plain single file, easy to move: no WAL beside it.
  SHIORI_RETURN_IF_ERROR((*dest)->Exec("PRAGMA journal_mode=DELETE"));
  sqlite3_backup* b = sqlite3_backup_init((*dest)->raw(), "main", src.raw(), "main");
  if (!b) return FromRc((*dest)->raw(), sqlite3_errcode((*dest)->raw()), "backup " + dest_path);
  int rc;
  // Copy in steps so a busy server's writers are not held up for long.
  do {
    rc = sqlite3_backup_step(b, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  int frc = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return FromRc(nullptr, rc, "backup " + dest_path);
  return FromRc((*dest)->raw(), frc, "backup " + dest_path);
}

Status Ping(Connection& c) {
  Status err;
  Stmt* s = c.Cached("SELECT 1", &err);
  if (!s) return err;
  auto r = s->Step();
  if (!r.ok()) return r.status();
  s->Reset();
  return Status::Ok();
}

}  // namespace shiori::db
