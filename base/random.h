// Randomness passed in, never read behind a caller's back: the interface the
// program's one generator implements (gateway::SystemRandom, libsodium), and
// the token made from it for session ids, CSRF tokens and Message-IDs.
#ifndef SHIORI_BASE_RANDOM_H_
#define SHIORI_BASE_RANDOM_H_

#include <cstddef>
#include <string>

namespace shiori {

// Thread-safe.
class Random {
 public:
  virtual ~Random() = default;
  // `n` bytes from a cryptographically secure generator.
  virtual void Fill(unsigned char* out, size_t n) = 0;
};

// 128 bits from `random` as 32 lower-case hex digits.
inline std::string NewToken(Random& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  unsigned char b[16];
  random.Fill(b, sizeof b);
  std::string out;
  out.reserve(sizeof b * 2);
  for (unsigned char x : b) {
    out += kHex[x >> 4];
    out += kHex[x & 0xF];
  }
  return out;
}

}  // namespace shiori

#endif  // SHIORI_BASE_RANDOM_H_
