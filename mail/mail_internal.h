// Internal to mail/: address helpers that composing (compose.cc), SMTP
// (smtp.cc) and the sender (sender.cc) share.
#ifndef SHIORI_MAIL_MAIL_INTERNAL_H_
#define SHIORI_MAIL_MAIL_INTERNAL_H_

#include <string>
#include <string_view>

namespace shiori::mail::detail {

// `s` with ASCII letters in lower case.
std::string Lower(std::string_view s);

// What follows the last '@' of `address`; empty without one.
std::string_view DomainOf(std::string_view address);

// The address as a mailbox in a header or an SMTP path: a local part that is
// not a dot-atom (old phones: "a..b.") is quoted.
// REQUIRES: `address` holds an '@' (db::ValidateEmail passed).
std::string AddrSpec(std::string_view address);

}  // namespace shiori::mail::detail

#endif  // SHIORI_MAIL_MAIL_INTERNAL_H_
