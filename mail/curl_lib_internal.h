// libcurl, which only the mail sender uses: opened on the first send (dlopen),
// so that a server with nothing to mail never maps it and what it brings
// (OpenSSL's libcrypto, Kerberos, LDAP, libssh2, nghttp2, ...).
// Types and constants still come from <curl/curl.h>; every function smtp.cc
// calls is a pointer of the header's own type, resolved by name.
#ifndef SHIORI_MAIL_CURL_LIB_INTERNAL_H_
#define SHIORI_MAIL_CURL_LIB_INTERNAL_H_

#include <curl/curl.h>

#include "base/dynlib.h"
#include "base/status.h"

namespace shiori::mail::detail {

// Every libcurl function smtp.cc and the loader call. (curl.h defines
// curl_easy_setopt as a macro that expands to the same call, so
// api.curl_easy_setopt(h, opt, v) is still a call through the pointer.)
#define SHIORI_CURL_NAMES(X) \
  X(curl_global_init)        \
  X(curl_version_info)       \
  X(curl_easy_init)          \
  X(curl_easy_setopt)        \
  X(curl_easy_perform)       \
  X(curl_easy_strerror)      \
  X(curl_easy_cleanup)       \
  X(curl_slist_append)       \
  X(curl_slist_free_all)

struct CurlApi {
  SHIORI_CURL_NAMES(SHIORI_DYNLIB_MEMBER)
};

// libcurl.so.4 (Debian package libcurl4), opened and resolved on the first
// call, which also runs curl_global_init(CURL_GLOBAL_DEFAULT) once; later
// calls return the same pointer (or the same error: a package installed
// afterwards needs a restart). Io "cannot load libcurl.so.4 (libcurl4):
// <dlerror>", "libcurl.so.4 has no NAME: ..." or "curl_global_init failed:
// ...". Thread-safe; the library stays loaded for the life of the process.
Result<const CurlApi*> LoadCurl();

}  // namespace shiori::mail::detail

#endif  // SHIORI_MAIL_CURL_LIB_INTERNAL_H_
