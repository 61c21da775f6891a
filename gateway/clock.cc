// The one clock: today's date (SHIORI_TODAY or local), the time, date wording.
#include "gateway/clock.h"

#include <cstdlib>
#include <ctime>
#include <string>

namespace shiori::gateway {

Result<db::Date> Today() {
  if (const char* env = std::getenv("SHIORI_TODAY"); env && *env) {
    auto d = db::Date::Parse(env);
    if (!d)
      return Status::Invalid(std::string("SHIORI_TODAY must be YYYY-MM-DD, not '") + env + "'");
    return *d;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm;
  localtime_r(&now, &tm);
  return db::Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

int64_t NowSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace shiori::gateway
