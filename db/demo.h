// The demo library (`shiori serve --demo` on a missing database file; the
// README lists its accounts): the embedded catalogue (db/demo/catalog.tsv),
// copies over the branches, patrons, and loans and holds in every state,
// dated from today; and two staff accounts for the staff pages.
#ifndef SHIORI_DB_DEMO_H_
#define SHIORI_DB_DEMO_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db {

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
// Invalid when `rules` has no branches; Conflict when the catalogue is not
// empty. REQUIRES: no transaction open on `c`.
Result<std::vector<DemoAccount>> CreateDemoLibrary(Connection& c, const LibraryRules& rules,
                                                   const Date& today,
                                                   const PasswordHashing& hashing);

// The demo's staff accounts for the staff pages: an admin and a counter
// member.
struct DemoStaff {
  std::string login, password, name, role;
};
// Adds them (db/staff.h's AddStaff) and returns them. Conflict when one of
// the logins exists. REQUIRES: no transaction open on `c`.
Result<std::vector<DemoStaff>> CreateDemoStaff(Connection& c, const PasswordHashing& hashing,
                                               int64_t now);

}  // namespace shiori::db

#endif  // SHIORI_DB_DEMO_H_
