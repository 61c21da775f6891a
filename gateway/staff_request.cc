// The back office's request context (gateway/staff_handlers.h): links, the
// audit helper, the login form's token, cookies, and the answers every staff
// handler shares.
#include <sodium.h>

#include <cstdio>
#include <ctime>

#include "base/hash.h"
#include "charset/charset.h"
#include "gateway/access_log.h"
#include "gateway/handlers.h"
#include "gateway/session.h"
#include "gateway/staff_handlers.h"

namespace shiori::gateway {
namespace {

// A login-form token is good for this long after its page was made.
constexpr int64_t kPreTokenSeconds = 12 * 3600;

}  // namespace

std::string StaffLinks::Url(std::string_view path, const Query& query) const {
  std::string u(path);
  char sep = path.find('?') == std::string_view::npos ? '?' : '&';
  for (const auto& [k, v] : query) {
    u += sep;
    u += PercentEncode(k);
    u += '=';
    u += PercentEncode(v);
    sep = '&';
  }
  return u;
}

void StaffLinks::FormFields(pages::Html& h, bool post) const {
  if (post)
    h.Void("input", {{"type", "hidden"}, {"name", kCsrfParam}, {"value", ctx_.FormToken()}});
}

std::string StaffLinks::ExitUrl(std::string_view) const { return "/staff"; }

StaffCtx::StaffCtx(db::Pool& pool, const StaffSite& s, int64_t now_s)
    : lazy_db(pool),
      site(s),
      cfg(s.cfg),
      rules(s.cfg.rules),
      clock(s.clock),
      now(now_s),
      today(s.clock.Today()),
      links(*this) {}

pages::StaffContext StaffCtx::page() const {
  const db::StaffMember* m = staff();
  return pages::StaffContext{links,       rules.library_name,
                             path,        m ? std::string_view(m->name) : std::string_view(),
                             branch.name, menu};
}

void StaffCtx::Audit(std::string_view action, const Status& outcome, std::string_view card,
                     std::string_view barcode, std::string_view detail) {
  db::AuditEntry e;
  e.at = now;
  if (const db::StaffMember* m = staff()) e.staff = m->login;
  e.branch = branch.code;
  e.action = std::string(action);
  e.card = std::string(card);
  e.barcode = std::string(barcode);
  e.outcome = db::AuditOutcome(outcome);
  e.detail = std::string(detail);
  Audit(e);
}

void StaffCtx::Audit(const db::AuditEntry& e) {
  Status s = db::RecordAudit(db(), e);
  if (!s.ok()) {
    std::fprintf(stderr, "shiori: audit of %s not written: %s\n",
                 LogText(e.action, kLogPathBytes).c_str(), LogText(s.message(), 1024).c_str());
  }
}

Response StaffCtx::Redirect(std::string_view to) const {
  Response r;
  r.status = 303;
  (void)r.SetHeader("Location", EncodeUrl(links.Url(to, {})));
  r.body = pages::RenderStaffError(page(), "移動します", "次のページへ移動します。");
  return r;
}

Response StaffCtx::Page(int status, std::string body) const {
  return Html(status, std::move(body));
}

Response StaffCtx::Notice(int status, std::string_view heading, std::string_view message) const {
  return Html(status, pages::RenderStaffError(page(), heading, message));
}

std::string StaffCtx::PreMac(std::string_view issued) const {
  if (site.key.size() != kSiteKeyBytes || pre.empty()) return std::string();
  std::string msg = "shiori/staff-login/v1|";
  msg += issued;
  msg += '|';
  msg += pre;
  return Blake2bHex(msg, site.key, 16);
}

std::string StaffCtx::FormToken() {
  if (session) return session->csrf;
  if (pre.empty()) {
    pre = NewToken(site.random);
    cookies.push_back(Cookie(kStaffPreCookie, pre));
  }
  const std::string issued = std::to_string(now);
  const std::string mac = PreMac(issued);
  return mac.empty() ? std::string() : issued + "-" + mac;
}

bool StaffCtx::CsrfOk(std::string_view token, bool pre_session) const {
  if (session && TokensEqual(token, session->csrf)) return true;
  if (!pre_session) return false;
  return TimedTokenOk(token, now, kPreTokenSeconds,
                      [this](std::string_view issued) { return PreMac(issued); });
}

std::string StaffCtx::Cookie(std::string_view name, std::string_view value) const {
  std::string c(name);
  c += '=';
  c += value;
  c += "; Path=/staff; HttpOnly; SameSite=Strict";
  if (value.empty()) c += "; Max-Age=0";
  if (https) c += "; Secure";
  return c;
}

Response StaffFailure(StaffCtx& ctx, const Status& s) {
  std::fprintf(stderr, "shiori: %s: %s\n", LogText(ctx.path, kLogPathBytes).c_str(),
               LogText(s.message(), 1024).c_str());
  if (s.code() == Status::Code::kBusy) {
    Response r =
        ctx.Notice(503, "混み合っています",
                   "データベースが混み合っています。少し待ってからもう一度操作してください。");
    (void)r.SetHeader("Retry-After", "10");
    return r;
  }
  return ctx.Notice(500, "エラー",
                    "処理できませんでした。少し待ってからもう一度操作し、続くときは管理者に"
                    "連絡してください。");
}

int StaffRefusalStatus(const Status& s) {
  switch (s.code()) {
    case Status::Code::kNotFound:
      return 404;
    case Status::Code::kInvalid:
      return 400;
    default:
      return 409;
  }
}

std::string StaffTimeText(int64_t unix_seconds) {
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm;
  localtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

}  // namespace shiori::gateway
