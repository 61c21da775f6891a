// Password hashing with Argon2id (libsodium crypto_pwhash_str).
#include <sodium.h>

#include "db/patron.h"

namespace shiori::db {

Result<std::string> HashPassword(std::string_view password, const PasswordHashing& p) {
  if (sodium_init() < 0) return Status::Io("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), p.ops_limit,
                            static_cast<size_t>(p.mem_limit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Status::Io("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  if (sodium_init() < 0) return false;
  std::string h(hash);  // needs a NUL-terminated string
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

}  // namespace shiori::db
