// The schema as forward-only migrations recorded in PRAGMA user_version, and
// what lives beside it: the maintenance setting and the branch list.
// Errors are English, for staff and logs.
#ifndef SHIORI_DB_SCHEMA_H_
#define SHIORI_DB_SCHEMA_H_

#include <string>

#include "base/random.h"
#include "base/status.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {

// Applies every migration newer than the file's schema version, each in its
// own transaction. Refuses a file newer than this program (Conflict); a
// migration that fails is Io naming the file and the migration, and leaves
// the file at the version before it. REQUIRES: no transaction open on `c`.
Status Migrate(Connection& c);
// The schema version this program writes.
int LatestSchemaVersion();
// The file's schema version (0: a new, empty file).
Result<int> SchemaVersion(Connection& c);

// Service switch (免責事項: maintenance). Stored in the database so that the
// staff command and every server process agree.
Result<bool> MaintenanceOn(Connection& c);
Status SetMaintenance(Connection& c, bool on);

// The site's secret key (32 random bytes from `random`, as 64 hex digits):
// made on first use and kept in the settings table, so that every server
// process of one library signs and checks the same visitor tokens. Errors are
// SQLite's own. REQUIRES: no transaction open on `c`.
Result<std::string> SiteKey(Connection& c, Random& random);

// `shiori maintenance vacuum`: rewrites the file without its free pages
// (SQLite's VACUUM) and returns its size before and after, in bytes. Other
// connections wait (busy timeout) while it runs. REQUIRES: no transaction
// open on `c`.
struct FileSize {
  int64_t before = 0, after = 0;
};
Result<FileSize> Vacuum(Connection& c);

// Inserts or updates the branches of `rules` (name and order).
Status SyncBranches(Connection& c, const LibraryRules& rules);

}  // namespace shiori::db

#endif  // SHIORI_DB_SCHEMA_H_
