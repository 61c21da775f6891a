// Internal to gateway/: what every back-office handler shares. The request
// context a staff handler gets (StaffCtx: the database, the rules, today and
// now, the member and the branch they work at, the audit), the shape of a
// staff route, and the handlers: staff_pages.cc (ログイン, ログアウト,
// ダッシュボード, 操作記録, the stylesheet), counter_pages.cc (the counter)
// and patron_pages.cc (利用者). The route table and the request
// path that calls them are in staff_app.cc.
//
// A new staff page: its renderer in pages/ (pages/staff.h and the frame of
// pages/staff_layout.h), its handler declared here, and one line in the
// route table of staff_app.cc with who may open it and, for a page of the
// menu, its name. The request path does the rest: UTF-8 input, the session
// and its idle timeout, the role, the CSRF token on every POST, the headers.
#ifndef SHIORI_GATEWAY_STAFF_HANDLERS_H_
#define SHIORI_GATEWAY_STAFF_HANDLERS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "db/rules.h"
#include "db/sqlite.h"
#include "db/staff.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/http.h"
#include "pages/staff.h"

namespace shiori::gateway {

// The session cookie of the staff pages (HttpOnly, SameSite=Strict,
// Path=/staff; Secure over HTTPS): 128 random bits in hex, stored only as
// their hash.
inline constexpr std::string_view kStaffCookie = "staff";
// Before a login there is no session: the login form's CSRF token is bound
// to this random cookie instead (same attributes, stored nowhere).
inline constexpr std::string_view kStaffPreCookie = "staff_pre";

// What the staff application keeps for every request; read-only once serving.
struct StaffSite {
  Config cfg;
  const Clock& clock;
  Random& random;
  std::string key;  // db::SiteKey as raw bytes: signs login-form tokens, keys address hashes
};

// Who may open a staff route.
enum class StaffAccess {
  kOpen,     // anyone who reaches the listener: the login page, the stylesheet
  kCounter,  // a member logged in, either role
  kAdmin,    // an admin (操作記録); a counter member gets 403
};

struct StaffCtx;
using StaffHandler = Response (*)(const Request&, StaffCtx&);
// A route: one method and path, its handler, who may open it, and its name
// in the menu and on the dashboard (GET pages only; nullptr: not in the menu).
struct StaffRoute {
  const char* method;
  const char* path;
  StaffHandler handler;
  StaffAccess access;
  const char* menu;
};

// Staff pages' links: the path and its query (UTF-8, percent-encoded); no
// session id (cookie only), no charset probe (UTF-8 only); POST forms get the
// CSRF token.
class StaffLinks : public pages::Links {
 public:
  explicit StaffLinks(StaffCtx& ctx) : ctx_(ctx) {}
  std::string Url(std::string_view path, const Query& query) const override;
  void FormFields(pages::Html& h, bool post) const override;
  // Staff pages link nowhere off-site: the dashboard.
  std::string ExitUrl(std::string_view url) const override;

 private:
  StaffCtx& ctx_;
};

// The branch a session works at.
struct StaffBranch {
  std::string code;
  std::string name;  // 野田図書館
};

// Everything a staff handler gets besides the request (whose query and form
// are UTF-8 by then: anything else was answered 400). One per request, not
// shared between threads.
struct StaffCtx {
  StaffCtx(db::Pool& pool, const StaffSite& s, int64_t now);

  db::LazyLease lazy_db;  // the pool the public pages use too
  const StaffSite& site;
  const Config& cfg;
  const db::LibraryRules& rules;  // cfg.rules: branches, loan and hold rules
  const Clock& clock;
  const int64_t now;     // clock.Now() at the request's start
  const db::Date today;  // clock.Today(): the library's date
  std::string path;
  std::string client;  // the client's address (ClientAddress), for the throttle and the audit
  bool https = false;  // cookies get Secure

  // Set by the request path before any handler of a kCounter or kAdmin route
  // (and for a kOpen one when the request came with a live session).
  std::optional<db::StaffSession> session;
  StaffBranch branch;                      // the session's branch; empty without one
  std::vector<pages::StaffMenuItem> menu;  // the pages this member may open
  StaffLinks links;
  std::vector<std::string> cookies;  // the Set-Cookie values to send
  std::string pre;  // the kStaffPreCookie value the request brought, or one made for it

  StaffCtx(const StaffCtx&) = delete;
  StaffCtx& operator=(const StaffCtx&) = delete;

  db::Connection& db() { return *lazy_db; }
  // The logged-in member, or nullptr.
  const db::StaffMember* staff() const { return session ? &session->staff : nullptr; }
  pages::StaffContext page() const;

  // Writes one entry to the audit: now, the member's login, the branch,
  // `action`, and the outcome (db::AuditOutcome: "ok", or the refusal's
  // words as shown). A failure to write is logged, not shown: the action
  // itself is done or refused already.
  void Audit(std::string_view action, const Status& outcome, std::string_view card = "",
             std::string_view barcode = "", std::string_view detail = "");
  // The same with every field given (a failed login has no member yet).
  void Audit(const db::AuditEntry& e);

  // A 303 to a staff path (EncodeUrl'ed for the Location header).
  Response Redirect(std::string_view to) const;
  // A staff page with `status`.
  Response Page(int status, std::string body) const;
  // A short staff page: a heading and a message.
  Response Notice(int status, std::string_view heading, std::string_view message) const;

  // The token for a POST form on this page: the session's CSRF token; without
  // a session, a login-form token "<issued>-<mac>" bound to the kStaffPreCookie
  // cookie (made here, and sent, when the request brought none).
  std::string FormToken();
  // True when `token` may authorise this POST: the session's token; or, when
  // `pre_session` (the login), a login-form token issued at most 12 hours
  // ago and bound to this request's kStaffPreCookie.
  bool CsrfOk(std::string_view token, bool pre_session) const;
  // The Set-Cookie value of a staff cookie: `value`, or an expired empty one
  // when `value` is "" (logout).
  std::string Cookie(std::string_view name, std::string_view value) const;

 private:
  std::string PreMac(std::string_view issued) const;
};

// An infrastructure failure (the database, the OS): the operator reads `s` in
// the log; the member gets a generic page (503 when the database is busy,
// else 500). A handler shows a refusal's message (Status::refusal()) on its
// own page and gives everything else to StaffFailure.
Response StaffFailure(StaffCtx& ctx, const Status& s);

// The HTTP status of a page that shows refusal `s` (the page is shown either
// way): 404 for NotFound, 400 for Invalid, 409 for a state that forbids the
// action (Conflict and the rest).
int StaffRefusalStatus(const Status& s);

// True when `path` is a GET page of the staff route table a member may be
// sent to after the login (not the login page itself, not the stylesheet).
bool IsStaffPageToReturnTo(std::string_view path);

// A moment as the audit shows it, in the process's local time zone:
// "2026-05-01 10:23:45".
std::string StaffTimeText(int64_t unix_seconds);

// ---------------------------------------------------------------- handlers

// staff_pages.cc
Response StaffStyle(const Request& req, StaffCtx& ctx);
Response StaffLoginForm(const Request& req, StaffCtx& ctx);
Response StaffLoginPost(const Request& req, StaffCtx& ctx);
Response StaffLogoutPost(const Request& req, StaffCtx& ctx);
Response StaffDashboard(const Request& req, StaffCtx& ctx);
Response StaffAuditPage(const Request& req, StaffCtx& ctx);
// The counter (counter_pages.cc): 貸出 with 延長 and 予約取消, 返却, 回送受入,
// 予約資料の準備, 取置棚 and 電話連絡, each at the session's branch.
Response StaffCheckoutForm(const Request& req, StaffCtx& ctx);
Response StaffCheckoutPost(const Request& req, StaffCtx& ctx);
Response StaffRenewPost(const Request& req, StaffCtx& ctx);
Response StaffHoldCancelPost(const Request& req, StaffCtx& ctx);
Response StaffCheckinForm(const Request& req, StaffCtx& ctx);
Response StaffCheckinPost(const Request& req, StaffCtx& ctx);
Response StaffReceiveForm(const Request& req, StaffCtx& ctx);
Response StaffReceivePost(const Request& req, StaffCtx& ctx);
Response StaffPullList(const Request& req, StaffCtx& ctx);
Response StaffPullPost(const Request& req, StaffCtx& ctx);
Response StaffHoldShelf(const Request& req, StaffCtx& ctx);
Response StaffExpirePost(const Request& req, StaffCtx& ctx);
Response StaffPhoneList(const Request& req, StaffCtx& ctx);
Response StaffCallPost(const Request& req, StaffCtx& ctx);
Response StaffOverdue(const Request& req, StaffCtx& ctx);
// 利用者 (patron_pages.cc): the search, a patron's page with the 変更届,
// 利用停止 and its 解除, カード再発行 and ログイン制限の解除, and 新規登録.
Response StaffPatronSearch(const Request& req, StaffCtx& ctx);
Response StaffPatronPage(const Request& req, StaffCtx& ctx);
Response StaffPatronNewForm(const Request& req, StaffCtx& ctx);
Response StaffPatronNewPost(const Request& req, StaffCtx& ctx);
Response StaffPatronChangePost(const Request& req, StaffCtx& ctx);
Response StaffPatronBlockPost(const Request& req, StaffCtx& ctx);
Response StaffPatronUnblockPost(const Request& req, StaffCtx& ctx);
Response StaffPatronReplacePost(const Request& req, StaffCtx& ctx);
Response StaffPatronUnlockPost(const Request& req, StaffCtx& ctx);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_STAFF_HANDLERS_H_
