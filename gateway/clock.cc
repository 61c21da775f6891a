// The system clock (local date, or a fixed one) and libsodium's generator.
#include "gateway/clock.h"

#include <sodium.h>

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

namespace shiori::gateway {
namespace {

class System : public Clock {
 public:
  explicit System(std::optional<db::Date> fixed) : fixed_(fixed) {}
  int64_t Now() const override { return static_cast<int64_t>(std::time(nullptr)); }
  db::Date Today() const override {
    if (fixed_) return *fixed_;
    std::time_t now = std::time(nullptr);
    std::tm tm;
    localtime_r(&now, &tm);
    return db::Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
  }

 private:
  std::optional<db::Date> fixed_;
};

class Sodium : public Random {
 public:
  // Without its generator the program cannot make a session id: stop.
  Sodium() {
    if (sodium_init() < 0) std::abort();
  }
  void Fill(unsigned char* out, size_t n) override { randombytes_buf(out, n); }
};

}  // namespace

Result<std::unique_ptr<Clock>> SystemClock(std::string_view fixed_today) {
  std::optional<db::Date> fixed;
  if (!fixed_today.empty()) {
    fixed = db::Date::Parse(fixed_today);
    if (!fixed) {
      return Status::Invalid("SHIORI_TODAY must be YYYY-MM-DD, not '" + std::string(fixed_today) +
                             "'");
    }
  }
  return std::unique_ptr<Clock>(new System(fixed));
}

Random& SystemRandom() {
  static Sodium random;
  return random;
}

}  // namespace shiori::gateway
