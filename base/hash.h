// BLAKE2b (libsodium's crypto_generichash) as lower-case hex: what is stored
// in place of a session token, a throttle key or an e-mail code, and the MAC
// of a visitor's form token. Header-only; a library that includes it links
// libsodium (db/ and gateway/ do).
#ifndef SHIORI_BASE_HASH_H_
#define SHIORI_BASE_HASH_H_

#include <sodium.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace shiori {

// The BLAKE2b hash of `data`, `bytes` long (16..64), keyed with `key` (empty,
// or 16..64 bytes: a secret, or a fixed context string that keeps one kind
// of hash apart from another), as 2 * `bytes` hex digits.
inline std::string Blake2bHex(std::string_view data, std::string_view key = {},
                              size_t bytes = 32) {
  unsigned char h[crypto_generichash_BYTES_MAX];
  crypto_generichash(h, bytes, reinterpret_cast<const unsigned char*>(data.data()), data.size(),
                     reinterpret_cast<const unsigned char*>(key.data()), key.size());
  std::string out(bytes * 2, '\0');
  sodium_bin2hex(out.data(), out.size() + 1, h, bytes);
  return out;
}

}  // namespace shiori

#endif  // SHIORI_BASE_HASH_H_
