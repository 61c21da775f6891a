// Session tokens (libsodium), cookie parsing and the per-request session.
#include "gateway/session.h"

#include <sodium.h>

#include "base/hash.h"

namespace shiori::gateway {

std::string HashToken(std::string_view token) { return Blake2bHex(token); }

bool IsTokenShaped(std::string_view s) {
  if (s.size() != 32) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool TokensEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !a.empty() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool TimedTokenOk(std::string_view token, int64_t now, int64_t max_age_s,
                  const std::function<std::string(std::string_view issued)>& mac_of) {
  const size_t dash = token.find('-');
  // at most 18 digits: the time is read into an int64_t without overflow
  if (dash == 0 || dash == token.npos || dash > 18) return false;
  int64_t issued = 0;
  for (char ch : token.substr(0, dash)) {
    if (ch < '0' || ch > '9') return false;
    issued = issued * 10 + (ch - '0');
  }
  if (issued > now + 300 || now - issued > max_age_s) return false;
  return TokensEqual(token.substr(dash + 1), mac_of(token.substr(0, dash)));
}

std::string_view CookieValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view part = header.substr(pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq != std::string_view::npos && part.substr(0, eq) == name) return part.substr(eq + 1);
    pos = end + 1;
  }
  return {};
}

std::string DeviceKey(const DeviceProfile& p) {
  std::string k(ClassName(p.device_class));
  k += '/';
  k += CarrierName(p.carrier);
  k += '/';
  k += p.model;
  k += '/';
  k += p.subscriber;
  return k;
}

Status RequestSession::Load(const Request& req) {
  std::string_view cookies = req.Header("cookie");
  if (device_.cookies == CookieSupport::kYes) {  // a phone's visitor tokens are bound to it
    std::string_view v = CookieValue(cookies, kVisitorCookie);
    if (IsTokenShaped(v)) visitor_ = std::string(v);
  }
  std::string_view from_cookie = CookieValue(cookies, kSessionCookie);
  // A device that keeps cookies never has its session named by a URL or a
  // form: such an id can only come from someone else (a shared link, or a
  // cross-site form logging the visitor into the sender's account).
  std::string_view from_url =
      device_.cookies == CookieSupport::kYes ? std::string_view() : req.Param(kSessionParam);
  for (std::string_view candidate : {from_cookie, from_url}) {
    if (!IsTokenShaped(candidate)) continue;
    auto found = db::FindSession(*db_, HashToken(candidate), now_, limits_);
    if (!found.ok()) return found.status();
    if (!found->has_value()) continue;
    const bool by_cookie = candidate.data() == from_cookie.data() && !from_cookie.empty();
    // Once its cookie has come back, the session is the cookie's alone.
    if (!by_cookie && (*found)->cookie_ok) continue;
    if ((*found)->device != DeviceKey(device_)) {
      // Another device presents this id (copied URL, stolen cookie): end it.
      return db::DeleteSession(*db_, (*found)->id);
    }
    row_ = std::move(found->value());
    token_ = std::string(candidate);
    cookie_seen_ = by_cookie;
    SHIORI_RETURN_IF_ERROR(db::TouchSession(*db_, *row_, now_, cookie_seen_));
    if (cookie_seen_) row_->cookie_ok = true;
    return Status::Ok();
  }
  return Status::Ok();
}

Status RequestSession::Ensure() {
  if (row_) return Status::Ok();
  std::string token = NewToken(random_);
  std::string csrf = NewToken(random_);
  const std::string device = DeviceKey(device_);
  auto id = db::CreateSession(*db_, HashToken(token), csrf, device, now_);
  if (!id.ok()) return id.status();
  db::SessionRow row;
  row.id = *id;
  row.csrf = csrf;
  row.device = device;
  row.created_at = row.seen_at = now_;
  row_ = std::move(row);
  token_ = std::move(token);
  issued_ = true;
  cookie_seen_ = false;
  return Status::Ok();
}

Status RequestSession::Rotate() {
  if (!row_) return Ensure();
  std::string token = NewToken(random_);
  std::string csrf = NewToken(random_);
  SHIORI_RETURN_IF_ERROR(db::RotateSession(*db_, row_->id, HashToken(token), csrf));
  row_->csrf = csrf;
  token_ = std::move(token);
  issued_ = true;
  return Status::Ok();
}

Status RequestSession::End() {
  if (!row_) return Status::Ok();
  Status s = db::DeleteSession(*db_, row_->id);
  row_.reset();
  token_.clear();
  return s;
}

bool RequestSession::id_in_urls() const {
  if (!row_ || device_.cookies == CookieSupport::kYes) return false;
  // A rotated id must ride in the URL until its new cookie comes back.
  if (issued_) return true;
  return !cookie_seen_;
}

std::vector<std::string> RequestSession::cookies_to_set(bool https) const {
  std::vector<std::string> out;
  auto add = [&](std::string_view name, const std::string& value) {
    std::string c(name);
    c += '=';
    c += value;
    c += "; Path=/; HttpOnly; SameSite=Lax";
    if (https) c += "; Secure";
    out.push_back(std::move(c));
  };
  if (issued_ && row_ && device_.cookies != CookieSupport::kNo) add(kSessionCookie, token_);
  if (visitor_issued_ && !form_token_.empty()) add(kVisitorCookie, visitor_);
  return out;
}

std::string RequestSession::VisitorMac(std::string_view issued) const {
  // What the client holds: its visitor cookie, or (phones) its device.
  std::string bound =
      device_.cookies == CookieSupport::kYes ? "v:" + visitor_ : "d:" + DeviceKey(device_);
  std::string msg = "shiori/form/v1|";
  msg += issued;
  msg += '|';
  msg += bound;
  if (key_.size() != kSiteKeyBytes) return std::string();  // no key: no visitor token is valid
  return Blake2bHex(msg, key_, 16);
}

const std::string& RequestSession::FormToken() {
  if (row_) return row_->csrf;
  if (form_token_.empty()) {
    if (device_.cookies == CookieSupport::kYes && visitor_.empty()) {
      visitor_ = NewToken(random_);
      visitor_issued_ = true;
    }
    const std::string issued = std::to_string(now_);
    std::string mac = VisitorMac(issued);
    if (!mac.empty()) form_token_ = issued + "-" + mac;
  }
  return form_token_;
}

bool RequestSession::CsrfOk(std::string_view token) const {
  if (row_ && TokensEqual(token, row_->csrf)) return true;
  // A phone's session is its URL id: only the session's own token will do.
  if (row_ && device_.cookies != CookieSupport::kYes) return false;
  if (device_.cookies == CookieSupport::kYes && visitor_.empty()) return false;
  return TimedTokenOk(token, now_, limits_.absolute_s,
                      [this](std::string_view issued) { return VisitorMac(issued); });
}

const std::string& RequestSession::csrf() const {
  static const std::string kNone;
  return row_ ? row_->csrf : kNone;
}

}  // namespace shiori::gateway
