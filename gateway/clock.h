// The date and time the library's rules read: one clock for the server and the
// staff commands. SHIORI_TODAY=YYYY-MM-DD in the environment sets the date
// (for tests, and for re-running a missed daily job).
#ifndef SHIORI_GATEWAY_CLOCK_H_
#define SHIORI_GATEWAY_CLOCK_H_

#include <cstdint>

#include "base/status.h"
#include "db/rules.h"

namespace shiori::gateway {

// Today's date: SHIORI_TODAY when set (Invalid when malformed), else the
// local calendar date.
Result<db::Date> Today();
// Seconds since the epoch, for sessions and throttling.
int64_t NowSeconds();
using db::JapaneseDate;

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_CLOCK_H_
