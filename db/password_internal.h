// Internal to db/: what the two logins (patrons' in auth.cc, staff's in
// staff.cc) share of password checking.
#ifndef SHIORI_DB_PASSWORD_INTERNAL_H_
#define SHIORI_DB_PASSWORD_INTERNAL_H_

#include <cstddef>

namespace shiori::db::detail {

// Verified instead of an account's hash when the card or login is unknown or
// has no password yet, so those answers take as long as a wrong password with
// the default PasswordHashing (who exists is not told by timing). Its password
// is not one any policy accepts.
extern const char kDummyHash[];
// Longer passwords cannot be ours (every policy's maximum is far below): not
// worth an Argon2 run.
inline constexpr size_t kPasswordInputMax = 256;

}  // namespace shiori::db::detail

#endif  // SHIORI_DB_PASSWORD_INTERNAL_H_
