// The time and the randomness the program reads, passed to whoever needs them
// instead of read behind their backs: one Clock (SHIORI_TODAY=YYYY-MM-DD in
// the environment, read once at start, sets its date for tests and for
// re-running a missed daily job) and one Random (libsodium's generator).
#ifndef SHIORI_GATEWAY_CLOCK_H_
#define SHIORI_GATEWAY_CLOCK_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/random.h"
#include "base/status.h"
#include "db/rules.h"

namespace shiori::gateway {

// Thread-safe: both may be called from every thread at once.
class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the epoch: sessions, throttling, mail.
  virtual int64_t Now() const = 0;
  // The library's date, by which due dates, pickup deadlines and the daily
  // job are reckoned: the local calendar date unless fixed.
  virtual db::Date Today() const = 0;
};

// The system clock. A non-empty `fixed_today` ("YYYY-MM-DD", the value of
// SHIORI_TODAY) fixes Today(); Invalid, naming the variable, when malformed.
Result<std::unique_ptr<Clock>> SystemClock(std::string_view fixed_today);

// libsodium's randombytes_buf (initialised on first use; the process stops
// if libsodium cannot be).
Random& SystemRandom();

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_CLOCK_H_
