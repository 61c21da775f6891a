// The schema as forward-only migrations, and the small settings table
// (maintenance switch) and branch list that live beside it.
#include "db/schema.h"

#include <string>
#include <vector>

#include "db/catalog.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

// Indexes every record (for the migration that creates the search index).
Status IndexAll(Connection& c) {
  auto s = c.Prepare("SELECT id FROM records ORDER BY id");
  if (!s.ok()) return s.status();
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) return Status::Ok();
    SHIORI_RETURN_IF_ERROR(IndexRecord(c, s->Int(0)));
  }
}

// Whether `table` has a column `column` (migrations replayed by tests).
Result<bool> HasColumn(Connection& c, const char* table, const char* column) {
  auto s = c.Prepare("SELECT count(*) FROM pragma_table_info(?1) WHERE name = ?2");
  if (!s.ok()) return s.status();
  s->Bind(1, table).Bind(2, column);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  return *r && s->Int(0) > 0;
}

// Migration 14's new columns, and the transit holds of the old rule put back
// to waiting for their copy (see the migration).
Status BackOfficeColumns(Connection& c) {
  struct Add {
    const char *table, *column, *sql;
  };
  const Add adds[] = {
      {"copies", "transit_to",
       "ALTER TABLE copies ADD COLUMN transit_to TEXT REFERENCES branches(code)"},
      {"loans", "branch", "ALTER TABLE loans ADD COLUMN branch TEXT REFERENCES branches(code)"},
      {"patrons", "block_reason", "ALTER TABLE patrons ADD COLUMN block_reason TEXT"},
  };
  for (const auto& a : adds) {
    auto has = HasColumn(c, a.table, a.column);
    if (!has.ok()) return has.status();
    if (!*has) SHIORI_RETURN_IF_ERROR(c.Exec(a.sql));
  }
  return c.Exec(R"sql(
UPDATE copies SET transit_to =
  (SELECT h.pickup_branch FROM holds h WHERE h.copy_id = copies.id AND h.status = 'ready')
  WHERE status = 'transit' AND transit_to IS NULL;
UPDATE holds SET status = 'waiting', ready_on = NULL, pickup_deadline = NULL
  WHERE status = 'ready' AND copy_id IN (SELECT id FROM copies WHERE status = 'transit');
)sql");
}

// Migration 15: copies for use in the library only (館内のみ, 禁帯出).
Status ReferenceCopies(Connection& c) {
  auto has = HasColumn(c, "copies", "in_library");
  if (!has.ok()) return has.status();
  if (*has) return Status::Ok();
  return c.Exec("ALTER TABLE copies ADD COLUMN in_library INTEGER NOT NULL DEFAULT 0");
}

Status SessionLayout(Connection& c) {
  auto has = HasColumn(c, "sessions", "layout");
  if (!has.ok()) return has.status();
  if (*has) return Status::Ok();
  return c.Exec(
      "ALTER TABLE sessions ADD COLUMN layout TEXT CHECK(layout IN ('keitai','smart','pc'))");
}

struct Migration {
  const char* sql;
  Status (*after)(Connection&);  // C++ part, in the same transaction; may be null
};

// Each entry moves the schema from version i to i+1. Never edit a released
// entry: add a new one.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> m = {
      // 1: the library's core tables.
      {R"sql(
CREATE TABLE settings(
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE branches(
  code TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sort INTEGER NOT NULL
) WITHOUT ROWID;

-- One row per bibliographic record (title level).
CREATE TABLE records(
  id             INTEGER PRIMARY KEY,
  source_id      TEXT UNIQUE,          -- the importing system's id, for re-import
  title          TEXT NOT NULL,
  title_kana     TEXT,                 -- katakana reading as the library gives it
  volume         TEXT,
  publisher      TEXT,
  publisher_kana TEXT,
  year           INTEGER,
  isbn           TEXT,                 -- ISBN-13 digits only
  ndc            TEXT,
  lang           TEXT,
  subjects       TEXT,                 -- ' ; ' separated headings
  notes          TEXT,
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX records_isbn ON records(isbn) WHERE isbn IS NOT NULL;

CREATE TABLE record_authors(
  record_id INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
  pos       INTEGER NOT NULL,
  name      TEXT NOT NULL,
  name_kana TEXT,
  role      TEXT,                      -- 著, 訳, 絵, ...
  PRIMARY KEY(record_id, pos)
) WITHOUT ROWID;

CREATE TABLE copies(
  id          INTEGER PRIMARY KEY,
  barcode     TEXT NOT NULL UNIQUE,
  record_id   INTEGER NOT NULL REFERENCES records(id),
  branch      TEXT NOT NULL REFERENCES branches(code),
  call_number TEXT,
  status      TEXT NOT NULL DEFAULT 'shelf'
              CHECK(status IN ('shelf','loan','transit','held','missing'))
);
CREATE INDEX copies_record ON copies(record_id);

CREATE TABLE patrons(
  id            INTEGER PRIMARY KEY,
  card          TEXT NOT NULL UNIQUE,
  name_kana     TEXT NOT NULL,         -- as recorded when the card was made
  phone         TEXT NOT NULL,
  email         TEXT,
  home_branch   TEXT REFERENCES branches(code),
  status        TEXT NOT NULL DEFAULT 'active' CHECK(status IN ('active','expired','blocked')),
  password_hash TEXT,                  -- Argon2id string; NULL until registered
  created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  updated_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);

CREATE TABLE loans(
  id          INTEGER PRIMARY KEY,
  copy_id     INTEGER NOT NULL REFERENCES copies(id),
  patron_id   INTEGER NOT NULL REFERENCES patrons(id),
  loaned_on   TEXT NOT NULL,
  due_on      TEXT NOT NULL,
  renewals    INTEGER NOT NULL DEFAULT 0,
  returned_on TEXT
);
CREATE UNIQUE INDEX loans_open_copy ON loans(copy_id) WHERE returned_on IS NULL;
CREATE INDEX loans_patron ON loans(patron_id) WHERE returned_on IS NULL;

-- Holds are per title and served in the order placed (seq).
CREATE TABLE holds(
  id              INTEGER PRIMARY KEY,
  seq             INTEGER NOT NULL UNIQUE,
  record_id       INTEGER NOT NULL REFERENCES records(id),
  patron_id       INTEGER NOT NULL REFERENCES patrons(id),
  pickup_branch   TEXT NOT NULL REFERENCES branches(code),
  contact         TEXT NOT NULL CHECK(contact IN ('mail','phone','none')),
  status          TEXT NOT NULL CHECK(status IN ('waiting','ready','fulfilled','cancelled','expired')),
  placed_at       TEXT NOT NULL,
  copy_id         INTEGER REFERENCES copies(id),
  ready_on        TEXT,
  pickup_deadline TEXT,
  closed_at       TEXT,
  CHECK(status <> 'ready' OR (copy_id IS NOT NULL AND pickup_deadline IS NOT NULL))
);
CREATE INDEX holds_record ON holds(record_id, status, seq);
CREATE INDEX holds_patron ON holds(patron_id, status);
CREATE UNIQUE INDEX holds_one_active ON holds(record_id, patron_id)
  WHERE status IN ('waiting','ready');
)sql",
       nullptr},
      // 2: sessions, shared by every server process through the file.
      {R"sql(
CREATE TABLE sessions(
  id         INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,   -- BLAKE2b of the token; the token itself is never stored
  csrf       TEXT NOT NULL,
  device     TEXT NOT NULL,          -- what the session is bound to (gateway DeviceKey)
  patron_id  INTEGER REFERENCES patrons(id) ON DELETE CASCADE,
  cookie_ok  INTEGER NOT NULL DEFAULT 0,  -- the device has sent the cookie back
  charset    TEXT CHECK(charset IN ('sjis','utf8')),  -- the patron's choice, NULL: by device
  created_at INTEGER NOT NULL,       -- unix seconds
  seen_at    INTEGER NOT NULL
);
CREATE INDEX sessions_patron ON sessions(patron_id) WHERE patron_id IS NOT NULL;
CREATE INDEX sessions_seen ON sessions(seen_at);
)sql",
       nullptr},
      // 3: the catalogue's search index (tokenizer in db/search.cc). Contentless:
      // the text lives in records; UpsertRecord keeps the two in step.
      {R"sql(
CREATE VIRTUAL TABLE records_fts USING fts5(
  title, title_reading, author, author_reading, publisher, subjects, other,
  content='', tokenize='shiori', prefix='1');
CREATE INDEX records_year ON records(year);
)sql",
       IndexAll},
      // 4: failed identity checks (login, password registration), for lockout.
      // The key is the card number as digits, or a keyed BLAKE2b (hex) of the
      // client's throttle key, which may be a session token and is never stored.
      {R"sql(
CREATE TABLE auth_failures(
  kind     TEXT NOT NULL
           CHECK(kind IN ('login_card','login_key','register_card','register_key')),
  key      TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_at  INTEGER NOT NULL,         -- unix seconds of the last failure
  PRIMARY KEY(kind, key)
) WITHOUT ROWID;
CREATE INDEX auth_failures_last ON auth_failures(last_at);
)sql",
       nullptr},
      // 5: circulation (db/circ.cc). The outbox holds notices to send, written
      // in the same transaction as the change they tell of; the mail sender
      // marks them sent. hold_requests remembers the results of each
      // confirmed reservation form (its token), so sending it twice places
      // nothing more.
      {R"sql(
CREATE TABLE outbox(
  id         INTEGER PRIMARY KEY,
  kind       TEXT NOT NULL CHECK(kind IN ('hold_ready')),
  patron_id  INTEGER NOT NULL REFERENCES patrons(id),
  hold_id    INTEGER REFERENCES holds(id),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  sent_at    TEXT,
  status     TEXT NOT NULL DEFAULT 'pending' CHECK(status IN ('pending','sent','failed'))
);
CREATE INDEX outbox_pending ON outbox(id) WHERE status = 'pending';

CREATE TABLE hold_requests(
  patron_id   INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
  request_key TEXT NOT NULL,
  results     TEXT NOT NULL,         -- one line per title, see db/circ.cc
  created_at  TEXT NOT NULL,         -- ISO 8601, as given to PlaceHolds
  PRIMARY KEY(patron_id, request_key)
) WITHOUT ROWID;
CREATE INDEX hold_requests_created ON hold_requests(created_at);
)sql",
       nullptr},
      // 6: the cart (カート) lives in the session, so it needs no login and
      // survives the login's new session id (the row id stays).
      {R"sql(
CREATE TABLE cart_items(
  session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
  record_id  INTEGER NOT NULL REFERENCES records(id) ON DELETE CASCADE,
  added_at   INTEGER NOT NULL,
  PRIMARY KEY(session_id, record_id)
) WITHOUT ROWID;
)sql",
       nullptr},
      // 7: the mail sender (db/outbox.cc, mail/sender.cc). The outbox is
      // rebuilt, since SQLite cannot change a CHECK in place: more kinds, a
      // 'sending' state committed before SMTP is spoken (so a crash mid-send
      // is seen), retries with back-off, and times as unix seconds. Safe with
      // foreign keys on: no table references outbox, and every row is copied
      // before the old table is dropped, in this one transaction.
      {R"sql(
CREATE TABLE outbox_new(
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK(kind IN
                   ('hold_ready','email_changed','password_registered','password_changed')),
  patron_id        INTEGER NOT NULL REFERENCES patrons(id),
  hold_id          INTEGER REFERENCES holds(id),
  to_address       TEXT,             -- NULL: the patron's address when sending
  detail           TEXT,             -- email_changed: old|new; password_*: the device class
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK(status IN ('pending','sending','sent','failed','skipped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  first_try_at     INTEGER,          -- unix seconds of the first claim
  next_try_at      INTEGER,          -- pending: not before (NULL: due now)
  sending_at       INTEGER,          -- the last claim
  resent_uncertain INTEGER NOT NULL DEFAULT 0,  -- sent once more after a crash mid-send
  sent_at          INTEGER,
  message_id       TEXT,             -- chosen at the first claim, kept over retries
  last_error       TEXT
);
INSERT INTO outbox_new(id, kind, patron_id, hold_id, created_at, status, sent_at)
  SELECT id, kind, patron_id, hold_id, created_at, status,
         CAST(strftime('%s', sent_at) AS INTEGER) FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_try_at) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox(sending_at) WHERE status = 'sending';
CREATE INDEX outbox_hold ON outbox(hold_id) WHERE hold_id IS NOT NULL;
)sql",
       nullptr},
      // 8: the search index again, without prefix='1' (44 % of it): a document's
      // kanji and kana are now terms of their own (db/search.cc), readings get
      // bigrams only, and the ISBN is no longer a word. Rebuilt from records.
      {R"sql(
DROP TABLE records_fts;
CREATE VIRTUAL TABLE records_fts USING fts5(
  title, title_reading, author, author_reading, publisher, subjects, other,
  content='', tokenize='shiori');
)sql",
       IndexAll},
      // 9: when staff last unlocked a card (`shiori patron unlock`): a device's
      // failures up to then no longer lock that card (db/patron.cc).
      {R"sql(
CREATE TABLE IF NOT EXISTS card_unlocks(  -- (tests replay migrations)
  card TEXT PRIMARY KEY,             -- the card number as digits
  at   INTEGER NOT NULL              -- unix seconds
) WITHOUT ROWID;
)sql",
       nullptr},
      // 10: the search index again, with kana trigrams (db/search.cc); FTS5
      // keeps up to 32 MB of a transaction's terms in memory before it
      // writes them out as a segment (default 1 MB): an import of a whole
      // catalogue writes and merges far fewer segments. Rebuilt from records.
      {R"sql(
DROP TABLE records_fts;
CREATE VIRTUAL TABLE records_fts USING fts5(
  title, title_reading, author, author_reading, publisher, subjects, other,
  content='', tokenize='shiori');
INSERT INTO records_fts(records_fts, rank) VALUES('hashsize', 33554432);
)sql",
       IndexAll},
      // 11: a count of the changes to the records' years, which the search's
      // per-connection copy of the years is kept by (db/search.cc). A new
      // record is seen by the highest id; a changed or deleted one by this.
      {R"sql(
CREATE TABLE IF NOT EXISTS catalog_version(  -- (tests replay migrations)
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n  INTEGER NOT NULL
);
INSERT OR IGNORE INTO catalog_version VALUES(1, 0);
CREATE TRIGGER IF NOT EXISTS records_year_changed AFTER UPDATE OF year ON records
  WHEN old.year IS NOT new.year
  BEGIN UPDATE catalog_version SET n = n + 1; END;
CREATE TRIGGER IF NOT EXISTS records_deleted AFTER DELETE ON records
  BEGIN UPDATE catalog_version SET n = n + 1; END;
)sql",
       nullptr},
      // 12: e-mail addresses confirmed from their mailbox, limits on notices,
      // and claims that belong to one sender (db/outbox.cc, db/patron.cc,
      // mail/sender.cc). The outbox is rebuilt as in 7 (a CHECK cannot
      // change in place) for the kind email_confirm and claim_token, the
      // sender run that holds a 'sending' row. email_changes holds a
      // patron's one unconfirmed address with the hash of its code, never
      // the code. mail_requests counts the notices patrons' own actions
      // asked for, for an hour.
      {R"sql(
CREATE TABLE outbox_new(
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK(kind IN ('hold_ready','email_changed','email_confirm',
                                               'password_registered','password_changed')),
  patron_id        INTEGER NOT NULL REFERENCES patrons(id),
  hold_id          INTEGER REFERENCES holds(id),
  to_address       TEXT,             -- NULL: the patron's address when sending
  detail           TEXT,             -- email_changed: old|new; password_*: the device class;
                                     -- email_confirm: the code, erased once sent or given up
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK(status IN ('pending','sending','sent','failed','skipped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  first_try_at     INTEGER,          -- unix seconds of the first claim
  next_try_at      INTEGER,          -- pending: not before (NULL: due now)
  sending_at       INTEGER,          -- when the current claim was made
  claim_token      TEXT,             -- the sender run holding the claim
  resent_uncertain INTEGER NOT NULL DEFAULT 0,  -- sent once more after a crash mid-send
  sent_at          INTEGER,
  message_id       TEXT,             -- chosen at the first claim, kept over retries
  last_error       TEXT
);
INSERT INTO outbox_new(id, kind, patron_id, hold_id, to_address, detail, created_at, status,
                       attempts, first_try_at, next_try_at, sending_at, resent_uncertain,
                       sent_at, message_id, last_error)
  SELECT id, kind, patron_id, hold_id, to_address, detail, created_at, status, attempts,
         first_try_at, next_try_at, sending_at, resent_uncertain, sent_at, message_id,
         last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_try_at) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox(sending_at) WHERE status = 'sending';
CREATE INDEX outbox_hold ON outbox(hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX outbox_patron_pending ON outbox(patron_id, kind) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS email_changes(  -- (tests replay migrations)
  patron_id  INTEGER PRIMARY KEY REFERENCES patrons(id) ON DELETE CASCADE,
  address    TEXT NOT NULL,          -- the new address, not in force yet
  code_hash  TEXT NOT NULL,          -- keyed BLAKE2b of the code in the mail, hex
  created_at INTEGER NOT NULL,       -- unix seconds
  expires_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS mail_requests(
  id        INTEGER PRIMARY KEY,
  patron_id INTEGER NOT NULL,
  address   TEXT NOT NULL,           -- lower case
  at        INTEGER NOT NULL         -- unix seconds
);
CREATE INDEX IF NOT EXISTS mail_requests_patron ON mail_requests(patron_id, at);
CREATE INDEX IF NOT EXISTS mail_requests_address ON mail_requests(address, at);
CREATE INDEX IF NOT EXISTS mail_requests_at ON mail_requests(at);
)sql",
       nullptr},
      // 13: failed logins and registrations are also counted per client
      // address ('source'); the table is rebuilt for the wider CHECK.
      {R"sql(
CREATE TABLE auth_failures_new(
  kind     TEXT NOT NULL
           CHECK(kind IN ('login_card','login_key','register_card','register_key','source')),
  key      TEXT NOT NULL,
  failures INTEGER NOT NULL,
  last_at  INTEGER NOT NULL,         -- unix seconds of the last failure
  PRIMARY KEY(kind, key)
) WITHOUT ROWID;
INSERT INTO auth_failures_new SELECT kind, key, failures, last_at FROM auth_failures;
DROP TABLE auth_failures;
ALTER TABLE auth_failures_new RENAME TO auth_failures;
CREATE INDEX auth_failures_last ON auth_failures(last_at);
)sql",
       nullptr},
      // 14: the back office (db/staff.cc, db/circ.cc). Staff accounts, their
      // sessions (cookie only, each working at a branch), their failed logins
      // and the audit of every staff action. A copy in transit says where it
      // is going (transit_to); a hold whose copy travels to its pickup branch
      // stays 'waiting' with copy_id set until the copy is received there, so
      // holds readied by the old rule with their copy still in the van go
      // back to that state. A loan remembers its lending branch (due dates
      // keep to its open days). Patrons get a block reason, replaced cards
      // are remembered (the old number stays refused), calls to patrons are
      // recorded, and the outbox is rebuilt as in 7 for 'hold_cancelled'.
      {R"sql(
CREATE TABLE IF NOT EXISTS staff(  -- (tests replay migrations)
  id            INTEGER PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE,
  name          TEXT NOT NULL,
  role          TEXT NOT NULL CHECK(role IN ('counter','admin')),
  password_hash TEXT NOT NULL,       -- Argon2id string
  disabled      INTEGER NOT NULL DEFAULT 0,
  created_at    INTEGER NOT NULL,    -- unix seconds
  updated_at    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS staff_sessions(
  id         INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,   -- BLAKE2b of the cookie's token
  csrf       TEXT NOT NULL,
  staff_id   INTEGER NOT NULL REFERENCES staff(id) ON DELETE CASCADE,
  branch     TEXT NOT NULL REFERENCES branches(code),
  created_at INTEGER NOT NULL,
  seen_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS staff_sessions_staff ON staff_sessions(staff_id);
CREATE TABLE IF NOT EXISTS staff_failures(
  key      TEXT PRIMARY KEY,         -- 'login:' + login, or 'source:' + keyed hash of the address
  failures INTEGER NOT NULL,
  last_at  INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit(
  id      INTEGER PRIMARY KEY,
  at      INTEGER NOT NULL,          -- unix seconds
  staff   TEXT NOT NULL,             -- the staff login, or 'cli:' + the system user
  branch  TEXT,                      -- where the staff session works
  action  TEXT NOT NULL,             -- checkout, checkin, receive, pull, ...
  card    TEXT,
  barcode TEXT,
  outcome TEXT NOT NULL,             -- 'ok', or the refusal as shown
  detail  TEXT
);
CREATE INDEX IF NOT EXISTS audit_at ON audit(at);

CREATE TABLE IF NOT EXISTS replaced_cards(
  card        TEXT PRIMARY KEY,      -- the old number, as digits
  patron_id   INTEGER NOT NULL REFERENCES patrons(id) ON DELETE CASCADE,
  replaced_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hold_calls(
  id      INTEGER PRIMARY KEY,
  hold_id INTEGER NOT NULL REFERENCES holds(id),
  at      INTEGER NOT NULL,          -- unix seconds
  staff   TEXT NOT NULL,
  outcome TEXT NOT NULL CHECK(outcome IN ('reached','no_answer'))
);
CREATE INDEX IF NOT EXISTS hold_calls_hold ON hold_calls(hold_id);

CREATE TABLE outbox_new(
  id               INTEGER PRIMARY KEY,
  kind             TEXT NOT NULL CHECK(kind IN ('hold_ready','hold_cancelled','email_changed',
                                               'email_confirm','password_registered',
                                               'password_changed')),
  patron_id        INTEGER NOT NULL REFERENCES patrons(id),
  hold_id          INTEGER REFERENCES holds(id),
  to_address       TEXT,
  detail           TEXT,
  created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  status           TEXT NOT NULL DEFAULT 'pending'
                   CHECK(status IN ('pending','sending','sent','failed','skipped')),
  attempts         INTEGER NOT NULL DEFAULT 0,
  first_try_at     INTEGER,
  next_try_at      INTEGER,
  sending_at       INTEGER,
  claim_token      TEXT,
  resent_uncertain INTEGER NOT NULL DEFAULT 0,
  sent_at          INTEGER,
  message_id       TEXT,
  last_error       TEXT
);
INSERT INTO outbox_new SELECT id, kind, patron_id, hold_id, to_address, detail, created_at,
  status, attempts, first_try_at, next_try_at, sending_at, claim_token, resent_uncertain,
  sent_at, message_id, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_due ON outbox(next_try_at) WHERE status = 'pending';
CREATE INDEX outbox_sending ON outbox(sending_at) WHERE status = 'sending';
CREATE INDEX outbox_hold ON outbox(hold_id) WHERE hold_id IS NOT NULL;
CREATE INDEX outbox_patron_pending ON outbox(patron_id, kind) WHERE status = 'pending';
)sql",
       BackOfficeColumns},
      // 15: a copy may be for use in the library only (館内のみ): it is
      // never lent nor set aside for a hold (copies.in_library = 1).
      {"", ReferenceCopies},
      // 16: the search index again, with variant kanji and readings folded
      // (charset::FoldForSearch, charset::FoldReading), and the keys of
      // whole titles that put an exact title first (db/search.cc). Rebuilt
      // from records.
      {R"sql(
DROP TABLE records_fts;
CREATE VIRTUAL TABLE records_fts USING fts5(
  title, title_reading, author, author_reading, publisher, subjects, other,
  content='', tokenize='shiori');
INSERT INTO records_fts(records_fts, rank) VALUES('hashsize', 33554432);
CREATE TABLE IF NOT EXISTS title_keys(  -- (tests replay migrations)
  key       INTEGER NOT NULL,          -- a folded whole title's hash
  record_id INTEGER NOT NULL,         -- (a key without its record finds nothing)
  PRIMARY KEY (key, record_id)
) WITHOUT ROWID;
DELETE FROM title_keys;
)sql",
       IndexAll},
      // 17: the version of the pages a session chose (ケータイ版, スマホ版,
      // PC版); NULL: the one its device gets.
      {"", SessionLayout},
  };
  return m;
}

Result<std::optional<std::string>> GetSetting(Connection& c, const std::string& key) {
  Status err;
  Stmt* s = c.Cached("SELECT value FROM settings WHERE key = ?1", &err);
  if (!s) return err;
  s->Bind(1, key);
  auto r = s->Step();
  if (!r.ok()) return r.status();
  std::optional<std::string> v;
  if (*r) v = s->Text(0);
  s->Reset();
  return v;
}

Status PutSetting(Connection& c, const std::string& key, const std::string& value) {
  auto s = c.Prepare(
      "INSERT INTO settings(key, value) VALUES(?1, ?2)"
      " ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  if (!s.ok()) return s.status();
  return s->Bind(1, key).Bind(2, value).Run();
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Result<int> SchemaVersion(Connection& c) {
  auto s = c.Prepare("PRAGMA user_version");
  if (!s.ok()) return s.status();
  auto r = s->Step();
  if (!r.ok()) return r.status();
  return static_cast<int>(s->Int(0));
}

Status Migrate(Connection& c) {
  // The version lives in the header's user_version, written in the same
  // transaction as the migration, so a crash leaves one or the other.
  while (true) {
    Transaction tx(c);
    SHIORI_RETURN_IF_ERROR(tx.begun());
    auto v = SchemaVersion(c);
    if (!v.ok()) return v.status();
    if (*v > LatestSchemaVersion()) {
      return Status::Conflict(c.path() + ": schema version " + std::to_string(*v) +
                              " is newer than this program's " +
                              std::to_string(LatestSchemaVersion()));
    }
    if (*v == LatestSchemaVersion()) return Status::Ok();
    const Migration& m = Migrations()[*v];
    Status s = c.Exec(m.sql);
    if (s.ok() && m.after) s = m.after(c);
    if (!s.ok()) {
      return Status::Io(c.path() + ": migration " + std::to_string(*v + 1) + ": " + s.message());
    }
    SHIORI_RETURN_IF_ERROR(c.Exec("PRAGMA user_version = " + std::to_string(*v + 1)));
    SHIORI_RETURN_IF_ERROR(tx.Commit());
  }
}

Result<bool> MaintenanceOn(Connection& c) {
  auto v = GetSetting(c, "maintenance");
  if (!v.ok()) return v.status();
  return v->has_value() && **v == "on";
}

Status SetMaintenance(Connection& c, bool on) {
  return PutSetting(c, "maintenance", on ? "on" : "off");
}

Result<std::string> SiteKey(Connection& c, Random& random) {
  constexpr char kName[] = "site_key";
  auto have = GetSetting(c, kName);
  if (!have.ok()) return have.status();
  if (*have && (*have)->size() == 64) return **have;
  std::string key = NewToken(random) + NewToken(random);
  // Two processes starting together: the first insert wins, both read it back.
  auto s = c.Prepare("INSERT OR IGNORE INTO settings(key, value) VALUES(?1, ?2)");
  if (!s.ok()) return s.status();
  SHIORI_RETURN_IF_ERROR(s->Bind(1, std::string(kName)).Bind(2, key).Run());
  auto now = GetSetting(c, kName);
  if (!now.ok()) return now.status();
  if (!*now || (*now)->size() != 64) return Status::Io("site key: not stored");
  return **now;
}

namespace {
Result<int64_t> FileBytes(Connection& c) {
  auto s = c.Prepare("SELECT page_count * page_size FROM pragma_page_count, pragma_page_size");
  if (!s.ok()) return s.status();
  auto r = s->Step();
  if (!r.ok()) return r.status();
  return s->Int(0);
}
}  // namespace

Result<FileSize> Vacuum(Connection& c) {
  FileSize out;
  auto before = FileBytes(c);
  if (!before.ok()) return before.status();
  out.before = *before;
  SHIORI_RETURN_IF_ERROR(c.Exec("VACUUM"));
  auto after = FileBytes(c);
  if (!after.ok()) return after.status();
  out.after = *after;
  return out;
}

Status SyncBranches(Connection& c, const LibraryRules& rules) {
  auto s = c.Prepare(
      "INSERT INTO branches(code, name, sort) VALUES(?1, ?2, ?3)"
      " ON CONFLICT(code) DO UPDATE SET name = excluded.name, sort = excluded.sort");
  if (!s.ok()) return s.status();
  int sort = 0;
  for (const auto& b : rules.branches) {
    s->Reset();
    SHIORI_RETURN_IF_ERROR(s->Bind(1, b.code).Bind(2, b.name).Bind(3, int64_t{sort++}).Run());
  }
  return Status::Ok();
}

}  // namespace shiori::db
