// Internal to db/: what the circulation files share. circ.cc (the counter and
// the loans) defines both; holds.cc (the patron's holds) uses them too.
#ifndef SHIORI_DB_CIRC_INTERNAL_H_
#define SHIORI_DB_CIRC_INTERNAL_H_

#include <cstdint>
#include <string>

#include "base/status.h"
#include "db/circ.h"
#include "db/rules.h"
#include "db/sqlite.h"

namespace shiori::db::detail {

// The one value of an aggregate query (count, EXISTS); the statement is reset.
// Io when it gives no row.
Result<int64_t> ScalarInt(Stmt& s);

// Hands over, at branch `at` (the hold's pickup branch), the copy a ready
// hold had set aside, if it is still on the hold shelf (see "Copy hand-over"
// in db/circ.h); appends its fate to `out`. REQUIRES: inside a transaction.
Status ReleaseHeldCopy(Connection& c, int64_t copy_id, const std::string& at, const Date& today,
                       const LibraryRules& rules, CounterResult& out);

}  // namespace shiori::db::detail

#endif  // SHIORI_DB_CIRC_INTERNAL_H_
