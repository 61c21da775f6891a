// Sessions as the gateway sees them: random tokens, cookies and URL ids, the
// device binding, and the per-request state that decides whether links carry
// the id. Storage is db/ (sessions table).
#ifndef SHIORI_GATEWAY_SESSION_H_
#define SHIORI_GATEWAY_SESSION_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "db/session.h"
#include "db/sqlite.h"
#include "gateway/clock.h"
#include "gateway/device.h"
#include "gateway/http.h"

namespace shiori::gateway {

// The query/form parameter and cookie that carry the session id.
inline constexpr std::string_view kSessionParam = "sid";
inline constexpr std::string_view kSessionCookie = "sid";
// The hidden field with the CSRF token in every POST form.
inline constexpr std::string_view kCsrfParam = "_t";

// What is stored for a token: its BLAKE2b-256 hash in hex.
std::string HashToken(std::string_view token);
// True when `s` looks like a token (32 lower-case hex digits).
bool IsTokenShaped(std::string_view s);
// Constant-time comparison of two tokens.
bool TokensEqual(std::string_view a, std::string_view b);
// The value of cookie `name` in a Cookie header, or "".
std::string_view CookieValue(std::string_view header, std::string_view name);
// The device a session is bound to: "class/carrier/model/subscriber". For a
// feature phone the model and the carrier's subscriber id (when the phone
// sends one) are what a copied URL id cannot bring along; for other devices
// the session is the HttpOnly cookie's and the class is all that is bound
// (browsers change their User-Agent with every update).
std::string DeviceKey(const DeviceProfile& p);

// The session of one request: found from the cookie or the URL, created on
// first need, rotated at login. Not thread-safe; one per request.
class RequestSession {
 public:
  RequestSession(db::LazyLease& db, const DeviceProfile& device, const db::SessionLimits& limits,
                 int64_t now, Random& random)
      : db_(db), device_(device), limits_(limits), now_(now), random_(random) {}

  // Looks the request's session up: the cookie first, then the URL or form
  // id (a cookie is never overridden by a URL). The URL id counts only on a
  // device that may lack cookies (CookieSupport kNo or kProbe), and only
  // until the session's cookie has come back once. A session bound to
  // another device is ended.
  Status Load(const Request& req);
  // Creates the session if there is none yet.
  Status Ensure();
  // A new id and CSRF token for the same session (login).
  Status Rotate();
  // Ends the session.
  Status End();

  bool active() const { return row_.has_value(); }
  const db::SessionRow* row() const { return row_ ? &*row_ : nullptr; }
  db::SessionRow* mutable_row() { return row_ ? &*row_ : nullptr; }
  // The id the client must present; empty when no session.
  const std::string& token() const { return token_; }
  // True when links and forms must carry the id: a session exists, the
  // device may lack cookies, and this request did not prove it has them.
  bool id_in_urls() const;
  // The Set-Cookie value to send, if any: when a session was created or
  // rotated for a device that may keep cookies.
  std::optional<std::string> cookie_to_set(bool https) const;
  const std::string& csrf() const;

 private:
  db::LazyLease& db_;  // taken only when a session id is presented or one is made
  const DeviceProfile& device_;
  db::SessionLimits limits_;
  int64_t now_;
  Random& random_;
  std::optional<db::SessionRow> row_;
  std::string token_;
  bool cookie_seen_ = false;  // this request came with the session's cookie
  bool issued_ = false;       // a new token was made during this request
};

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_SESSION_H_
