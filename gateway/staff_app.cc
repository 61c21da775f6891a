// The back office (職員用): the staff route table, then the request path read
// top to bottom — UTF-8 input, route, session (cookie only) and its idle
// timeout, login and role, CSRF check, handler, cookies and headers. Served
// on its own listener ([staff] listen); the public App has no /staff route.
// The handlers are in staff_pages.cc, counter_pages.cc and patron_pages.cc
// (declared in staff_handlers.h).
#include <atomic>
#include <cstdio>

#include "gateway/access_log.h"
#include "gateway/gateway.h"
#include "gateway/handlers.h"
#include "gateway/session.h"
#include "gateway/staff_handlers.h"

namespace shiori::gateway {
namespace {

// Every staff page, once: method, path, handler, who may open it, and its
// name in the menu (GET pages; the dashboard lists them in this order).
const StaffRoute kStaffRoutes[] = {
    {"GET", "/staff", StaffDashboard, StaffAccess::kCounter, "ダッシュボード"},
    {"GET", "/staff/login", StaffLoginForm, StaffAccess::kOpen, nullptr},
    {"POST", "/staff/login", StaffLoginPost, StaffAccess::kOpen, nullptr},
    {"POST", "/staff/logout", StaffLogoutPost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/checkout", StaffCheckoutForm, StaffAccess::kCounter, "貸出"},
    {"POST", "/staff/checkout", StaffCheckoutPost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/renew", StaffRenewPost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/hold/cancel", StaffHoldCancelPost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/checkin", StaffCheckinForm, StaffAccess::kCounter, "返却"},
    {"POST", "/staff/checkin", StaffCheckinPost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/receive", StaffReceiveForm, StaffAccess::kCounter, "回送受入"},
    {"POST", "/staff/receive", StaffReceivePost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/pull", StaffPullList, StaffAccess::kCounter, "予約資料の準備"},
    {"POST", "/staff/pull", StaffPullPost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/shelf", StaffHoldShelf, StaffAccess::kCounter, "取置棚"},
    {"POST", "/staff/shelf/expire", StaffExpirePost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/calls", StaffPhoneList, StaffAccess::kCounter, "電話連絡"},
    {"POST", "/staff/calls", StaffCallPost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/overdue", StaffOverdue, StaffAccess::kCounter, "延滞"},
    {"GET", "/staff/patrons", StaffPatronSearch, StaffAccess::kCounter, "利用者"},
    {"GET", "/staff/patron", StaffPatronPage, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/patron/new", StaffPatronNewForm, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/patron/new", StaffPatronNewPost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/patron/change", StaffPatronChangePost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/patron/block", StaffPatronBlockPost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/patron/unblock", StaffPatronUnblockPost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/patron/replace", StaffPatronReplacePost, StaffAccess::kCounter, nullptr},
    {"POST", "/staff/patron/unlock", StaffPatronUnlockPost, StaffAccess::kCounter, nullptr},
    {"GET", "/staff/audit", StaffAuditPage, StaffAccess::kAdmin, "操作記録"},
    {"GET", "/staff/style.css", StaffStyle, StaffAccess::kOpen, nullptr},
};

bool MayOpen(const db::StaffMember* m, StaffAccess access) {
  switch (access) {
    case StaffAccess::kOpen:
      return true;
    case StaffAccess::kCounter:
      return m != nullptr;
    case StaffAccess::kAdmin:
      return m != nullptr && m->admin();
  }
  return false;
}

}  // namespace

bool IsStaffPageToReturnTo(std::string_view path) {
  for (const auto& r : kStaffRoutes) {
    if (path == r.path && std::string_view(r.method) == "GET" && r.access != StaffAccess::kOpen) {
      return true;
    }
  }
  return false;
}

struct StaffApp::Impl {
  StaffSite site;
  db::Pool& pool;
  std::atomic<int64_t> last_purge{0};

  Impl(const Config& c, db::Pool& p, const Clock& clock, Random& random)
      : site{c, clock, random, SiteKeyBytes(p, random)}, pool(p) {}

  int64_t IdleSeconds() const { return site.cfg.staff_idle_minutes * int64_t{60}; }

  Response Dispatch(Request& req) {
    const int64_t now = site.clock.Now();
    StaffCtx ctx(pool, site, now);
    ctx.path = req.path;
    ctx.client = ClientAddress(site.cfg, req.remote, req.Header("x-forwarded-for"));
    ctx.https = ViaHttps(site.cfg, req.remote, req.Header("x-forwarded-proto"));
    Response r = Serve(req, ctx);
    for (const auto& c : ctx.cookies) (void)r.SetHeader("Set-Cookie", c);
    // Idle sessions and old failure counters go at most every ten minutes.
    int64_t last = last_purge.load();
    if (now - last > 600 && last_purge.compare_exchange_strong(last, now)) Purge(ctx);
    return r;
  }

  void Purge(StaffCtx& ctx) {
    auto n = db::PurgeStaffSessions(ctx.db(), ctx.now, IdleSeconds());
    Status s = n.status();
    if (s.ok()) s = db::PurgeStaffFailures(ctx.db(), ThrottleOf(site.cfg), ctx.now).status();
    if (!s.ok()) {
      std::fprintf(stderr, "shiori: staff purge: %s\n", LogText(s.message(), 1024).c_str());
    }
  }

  Response Serve(Request& req, StaffCtx& ctx) {
    // 1. Input: staff pages are UTF-8 only.
    if (!DecodePairs(req.query, false).ok() || !DecodePairs(req.form, false).ok()) {
      return ctx.Notice(400, "文字を読み取れません",
                        "送られた文字を読み取れませんでした（UTF-8 ではありません）。");
    }

    // 2. Route.
    std::string_view method = req.method;
    if (method == "HEAD") method = "GET";
    const StaffRoute* route = nullptr;
    bool path_known = false;
    for (const auto& r : kStaffRoutes) {
      if (req.path != r.path) continue;
      path_known = true;
      if (method == r.method) route = &r;
    }
    if (!route) {
      if (path_known) {
        Response r =
            ctx.Notice(405, "この操作はできません", "このページはこの方法では開けません。");
        (void)r.SetHeader("Allow", AllowedMethods(kStaffRoutes, req.path));
        return r;
      }
      return ctx.Notice(404, "ページが見つかりません", "お探しのページはありません。");
    }
    if (route->handler == StaffStyle) return route->handler(req, ctx);  // no database

    // 3. The session: the cookie only, never a URL or a form.
    const std::string_view cookies = req.Header("cookie");
    const std::string_view pre = CookieValue(cookies, kStaffPreCookie);
    if (IsTokenShaped(pre)) ctx.pre = std::string(pre);
    const std::string_view token = CookieValue(cookies, kStaffCookie);
    if (IsTokenShaped(token)) {
      auto found = db::FindStaffSession(ctx.db(), HashToken(token), ctx.now, IdleSeconds());
      if (!found.ok()) return StaffFailure(ctx, found.status());
      ctx.session = std::move(found).value();
    }
    if (ctx.session) {
      const db::Branch* b = ctx.rules.FindBranch(ctx.session->branch);
      ctx.branch = {ctx.session->branch, b ? b->name : ctx.session->branch};
      for (const auto& r : kStaffRoutes) {
        if (r.menu && MayOpen(ctx.staff(), r.access)) ctx.menu.push_back({r.path, r.menu});
      }
    }

    // 4. Login and role, checked once for every route.
    if (!MayOpen(ctx.staff(), route->access)) {
      if (!ctx.staff()) {
        if (method == "GET") return ctx.Redirect(LoginPath(req.path));
        return ctx.Notice(
            401, "ログインしてください",
            "ログインの有効期限が切れました。もう一度ログインしてから操作してください。");
      }
      return ctx.Notice(403, "管理者だけが開けるページです",
                        "このページは管理者の権限でログインした職員だけが開けます。");
    }

    // 5. Every state change is a POST with the session's CSRF token (the
    //    login form's: a token bound to this browser's pre-session cookie).
    if (method == "POST" &&
        !ctx.CsrfOk(req.Param(kCsrfParam), route->access == StaffAccess::kOpen)) {
      return ctx.Notice(403, "もう一度操作してください",
                        "画面の有効期限が切れたか、正しい画面からの操作ではありません。"
                        "画面を読み込み直してから、もう一度操作してください。");
    }
    return route->handler(req, ctx);
  }

  // The login page, leading back to `path` after the login.
  static std::string LoginPath(std::string_view path) {
    if (path == "/staff") return "/staff/login";
    return "/staff/login?next=" + PercentEncode(path);
  }
};

StaffApp::StaffApp(const Config& cfg, db::Pool& pool, const Clock& clock, Random& random)
    : impl_(std::make_unique<Impl>(cfg, pool, clock, random)) {}
StaffApp::~StaffApp() = default;

namespace {

// Staff pages hold patrons' data: never kept by a browser or a proxy, never
// shown inside another site's frame; no script, no style but our own. The
// one data: image is the icon (pages' IconUrl), inline as on the public
// pages, so that browsers do not ask for /favicon.ico.
Response WithStaffHeaders(Response r) {
  (void)r.SetHeader("Cache-Control", "no-store");
  (void)r.SetHeader("X-Frame-Options", "DENY");
  (void)r.SetHeader("Content-Security-Policy",
                    "default-src 'none'; style-src 'self'; img-src 'self' data:; "
                    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
  return r;
}

}  // namespace

Response StaffApp::Handle(Request& req) {
  return WithStaffHeaders(Guarded([&] { return impl_->Dispatch(req); }));
}

Response StaffApp::TooLarge(const Request& req) {
  return WithStaffHeaders(Guarded([&] {
    StaffCtx ctx(impl_->pool, impl_->site, impl_->site.clock.Now());
    ctx.path = req.path;
    return ctx.Notice(413, "送信できません",
                      "送られた内容が大きすぎます。入力を短くして、もう一度お試しください。");
  }));
}

}  // namespace shiori::gateway
