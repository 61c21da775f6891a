// Sessions as the gateway sees them: random tokens, cookies and URL ids, the
// device binding, and the per-request state that decides whether links carry
// the id. Storage is db/ (sessions table).
#ifndef SHIORI_GATEWAY_SESSION_H_
#define SHIORI_GATEWAY_SESSION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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
// The size of the site key the visitor tokens are signed with.
inline constexpr size_t kSiteKeyBytes = 32;
// The visitor cookie: a random id, stored nowhere, that a visitor's form
// tokens are bound to before there is a session (devices with cookies only).
inline constexpr std::string_view kVisitorCookie = "v";

// What is stored for a token: its BLAKE2b-256 hash in hex.
std::string HashToken(std::string_view token);
// True when `s` looks like a token (32 lower-case hex digits).
bool IsTokenShaped(std::string_view s);
// Constant-time comparison of two tokens.
bool TokensEqual(std::string_view a, std::string_view b);
// A token of the form "<issued>-<mac>" (issued: unix seconds, at most 18
// digits): true when its mac is `mac_of(issued)` (never an empty one) and it
// was issued at most `max_age_s` before `now`, and not more than five
// minutes after it. The visitors' form tokens and the staff login form's.
bool TimedTokenOk(std::string_view token, int64_t now, int64_t max_age_s,
                  const std::function<std::string(std::string_view issued)>& mac_of);
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
  // `site_key`: the secret the visitor tokens are signed with, kSiteKeyBytes
  // raw bytes (db::SiteKey decoded), outliving this object; any other size
  // makes no visitor token valid.
  RequestSession(db::LazyLease& db, const DeviceProfile& device, const db::SessionLimits& limits,
                 int64_t now, Random& random, std::string_view site_key = {})
      : db_(db), device_(device), limits_(limits), now_(now), random_(random), key_(site_key) {}

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
  // The Set-Cookie values to send: the session's when it was created or
  // rotated for a device that may keep cookies; the visitor cookie when a
  // visitor token was bound to a new one.
  std::vector<std::string> cookies_to_set(bool https) const;
  // The session's own CSRF token; "" when there is no session.
  const std::string& csrf() const;

  // The token for a POST form on this page. With a session, its CSRF token.
  // Without one, a visitor token that needs nothing stored, so that reading
  // pages writes no session row: "<issued>-<mac>", the mac a keyed BLAKE2b
  // over the issue time and what the client holds — the visitor cookie on a
  // device with cookies (made here when the request brought none), the device
  // key on a phone that may lack them. The session row is made by the
  // handler of the first state change (cart, login, charset).
  const std::string& FormToken();
  // True when `token` may authorise a POST: the session's CSRF token; or,
  // while there is no session, or on a device with cookies, a visitor token
  // issued at most SessionLimits::absolute_s ago and bound to this request's
  // visitor cookie (devices with cookies) or device key (phones).
  bool CsrfOk(std::string_view token) const;

 private:
  db::LazyLease& db_;  // taken only when a session id is presented or one is made
  const DeviceProfile& device_;
  db::SessionLimits limits_;
  int64_t now_;
  Random& random_;
  std::optional<db::SessionRow> row_;
  std::string token_;
  std::string_view key_;
  std::string visitor_;          // the visitor cookie's value, or one made for this response
  bool visitor_issued_ = false;  // visitor_ is new: send it
  std::string form_token_;       // the visitor token, once made
  bool cookie_seen_ = false;     // this request came with the session's cookie
  bool issued_ = false;          // a new token was made during this request

  std::string VisitorMac(std::string_view issued) const;
};

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_SESSION_H_
