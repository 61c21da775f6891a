// The application's front: the route table, then the request path read top
// to bottom — device profile, session, output charset, input decoding, route,
// maintenance switch, login, CSRF check, handler, output encoding. The
// handlers are in catalogue_pages.cc, cart_pages.cc and account_pages.cc
// (declared in handlers.h).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "charset/charset.h"
#include "db/schema.h"
#include "gateway/access_log.h"
#include "gateway/gateway.h"
#include "gateway/handlers.h"

namespace shiori::gateway {
namespace {

// Every page, once. A new page is a line here and a handler in handlers.h.
const Route kRoutes[] = {
    {"GET", "/", Top, Access::kPublic},
    {"GET", "/disclaimer", Disclaimer, Access::kPublic},
    {"GET", "/charset", CharsetForm, Access::kPublic},
    {"POST", "/charset", CharsetSet, Access::kPublic},
    {"GET", "/version", VersionForm, Access::kPublic},
    {"POST", "/version", VersionSet, Access::kPublic},
    {"GET", "/exit", Exit, Access::kPublic},
    {"GET", "/search", SearchPage, Access::kPublic},
    {"GET", "/search/advanced", AdvancedPage, Access::kPublic},
    {"GET", "/record", RecordPage, Access::kPublic},
    {"GET", "/cart", CartPage, Access::kPublic},
    {"POST", "/cart/add", CartAddPost, Access::kPublic},
    {"POST", "/cart/remove", CartRemovePost, Access::kPublic},
    {"GET", "/reserve", ReserveForm, Access::kPatron},
    {"POST", "/reserve/confirm", ReserveConfirm, Access::kPatron},
    {"POST", "/reserve/place", ReservePlace, Access::kPatron},
    {"GET", "/account", AccountPage, Access::kPublic},
    {"POST", "/account/login", LoginPost, Access::kPublic},
    {"POST", "/account/logout", LogoutPost, Access::kPublic},
    {"GET", "/account/register", RegisterForm, Access::kPublic},
    {"POST", "/account/register", RegisterPost, Access::kPublic},
    {"GET", "/account/guide", GuidePage, Access::kPublic},
    {"GET", "/account/password", PasswordForm, Access::kPatron},
    {"POST", "/account/password", PasswordPost, Access::kPatron},
    {"GET", "/account/email", EmailForm, Access::kPatron},
    {"POST", "/account/email", EmailPost, Access::kPatron},
    // Public: the link from the mail asks for a login itself and leads back.
    {"GET", "/account/email/confirm", EmailConfirmPage, Access::kPublic},
    {"POST", "/account/email/confirm", EmailConfirmPost, Access::kPatron},
    {"GET", "/account/loans", LoansPage, Access::kPatron},
    {"GET", "/account/holds", HoldsPage, Access::kPatron},
    {"GET", "/account/ready", ReadyPage, Access::kPatron},
    {"POST", "/account/loans/renew", RenewPost, Access::kPatron},
    {"GET", "/account/hold", HoldDetail, Access::kPatron},
    {"POST", "/account/holds/cancel", HoldCancelPost, Access::kPatron},
    {"POST", "/account/holds/branch", HoldBranchPost, Access::kPatron},
    {"POST", "/account/holds/contact", HoldContactPost, Access::kPatron},
    {"GET", "/style.css", Style, Access::kAlwaysOn},
    {"GET", "/icon.svg", Icon, Access::kAlwaysOn},
    {"GET", "/card.svg", Card, Access::kAlwaysOn},
    {"GET", "/favicon.ico", Favicon, Access::kAlwaysOn},
    {"GET", "/healthz", Health, Access::kAlwaysOn},
};

}  // namespace

bool IsPageToReturnTo(std::string_view path) {
  for (const auto& r : kRoutes) {
    if (path == r.path && std::string_view(r.method) == "GET" && r.access != Access::kAlwaysOn &&
        r.handler != Exit) {
      return true;
    }
  }
  return false;
}

struct App::Impl {
  Site site;
  db::Pool& pool;
  std::atomic<int64_t> last_purge{0};
  // The maintenance switch, read from the database at most once a second so
  // that serving a page needs no database at all.
  std::atomic<int64_t> maintenance_read_ms{-1000000};
  std::atomic<bool> maintenance_on{false};

  Impl(const Config& c, db::Pool& p, const Clock& clock, Random& random)
      : site{c, clock, random, {}, {}}, pool(p) {
    KeepTopPages(site, pool);
    site.card = pages::CardDrawing(c.rules.library_name, c.card_digits);
    // Without a key no visitor token is valid: forms then need a session's token.
    site.key = SiteKeyBytes(pool, random);
  }

  bool MaintenanceOn(Ctx& ctx) {
    if (site.cfg.maintenance) return true;
    const int64_t now = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now().time_since_epoch())
                            .count();
    int64_t last = maintenance_read_ms.load(std::memory_order_relaxed);
    if (now - last >= 1000 && maintenance_read_ms.compare_exchange_strong(last, now)) {
      auto m = db::MaintenanceOn(ctx.db());
      // A database that cannot say counts as off: pages that need it fail on their own.
      maintenance_on.store(m.ok() && *m);
    }
    return maintenance_on.load(std::memory_order_relaxed);
  }

  static DeviceProfile DeviceOf(const Request& raw) {
    return DetectDevice(DeviceHeaders{raw.Header("user-agent"), raw.Header("sec-ch-ua-mobile"),
                                      raw.Header("sec-ch-ua-platform"), raw.Header("x-up-subno"),
                                      raw.Header("x-jphone-uid"), raw.Header("x-dcmguid")});
  }

  // 413 from the headers alone: the device's own charset (the session, and
  // the patron's choice in it, are not read for a request that is refused).
  Response TooLarge(const Request& raw) {
    Ctx ctx(pool, site, DeviceOf(raw), site.clock.Now());
    ctx.path = raw.path;
    ctx.shift_jis = ctx.profile.shift_jis;
    ctx.layout = NativeLayout(ctx.profile);
    ctx.device = PageDevice(ctx.profile, ctx.shift_jis, ctx.layout);
    Response r = Html(413, pages::RenderError(ctx.page(), "送信できません",
                                              "送られた内容が大きすぎます。入力を短くして、"
                                              "もう一度お試しください。"));
    if (ctx.shift_jis) {
      r.body = charset::Utf8ToSjis(r.body);
      r.content_type = kSjisHtml;
    }
    return r;
  }

  Response Dispatch(Request& raw) {
    const int64_t now = site.clock.Now();
    Ctx ctx(pool, site, DeviceOf(raw), now);
    ctx.path = raw.path;
    ctx.client = ClientAddress(site.cfg, raw.remote, raw.Header("x-forwarded-for"));
    // The page's own address for links back to it and its QR code: without
    // the session id, and without the cart's one-time status line (added=1).
    const std::string query = WithoutParam(WithoutParam(raw.raw_query, kSessionParam), "added");
    if (raw.method == "GET" && !query.empty()) ctx.here = raw.path + "?" + query;
    Response r = Serve(raw, ctx, query);
    Finish(raw, ctx, r);
    // Timed-out sessions go at most every ten minutes, by whichever request comes.
    int64_t last = last_purge.load();
    if (now - last > 600 && last_purge.compare_exchange_strong(last, now)) {
      auto n = db::PurgeSessions(ctx.db(), now, SessionLimitsOf(site.cfg));
      if (!n.ok())
        std::fprintf(stderr, "shiori: session purge: %s\n",
                     LogText(n.status().message(), 1024).c_str());
    }
    return r;
  }

  // `query`: the page's query without the session id, for the QR code.
  Response Serve(Request& raw, Ctx& ctx, const std::string& query) {
    // 1. The session (its id is ASCII, readable before decoding).
    Status s = ctx.session.Load(raw);
    if (!s.ok()) return Failure(ctx, s);

    // 2. The output charset and the version of the pages: the patron's
    //    choice, else the device's. ケータイ版 pages lists short on any device.
    const db::SessionRow* row = ctx.session.row();
    ctx.shift_jis = row && row->charset ? *row->charset == "sjis" : ctx.profile.shift_jis;
    ctx.layout = NativeLayout(ctx.profile);
    if (row && row->layout) ctx.layout = LayoutFromName(*row->layout).value_or(ctx.layout);
    if (ctx.layout == Layout::kKeypad && !ctx.profile.budget_bytes) {
      ctx.profile.budget_bytes = kKeypadBudgetBytes;
    }
    ctx.device = PageDevice(ctx.profile, ctx.shift_jis, ctx.layout);
    // The QR code that carries a page to a phone: on PC版 only (a phone
    // showing a code of itself is noise, and bytes), and never to a feature
    // phone, which cannot draw it.
    if (ctx.layout == Layout::kPc && !ctx.profile.feature_phone()) {
      ctx.page_url = site.cfg.mail.site_url + raw.path + (query.empty() ? "" : "?" + query);
    }

    // 3. Input decoding: the probe field tells how the form was encoded;
    //    without it, the output charset is what the browser was given.
    Request& req = raw;  // decoded in place: the server's request is ours
    std::string_view probe = raw.Param(kProbeParam);  // still the bytes as sent
    bool sjis_in = ctx.shift_jis;
    if (probe == kProbeSjis) {
      sjis_in = true;
    } else if (probe == kProbeText) {
      sjis_in = false;
    } else if (!probe.empty()) {
      return BadInput(ctx);
    }
    if (!DecodePairs(req.query, sjis_in).ok() || !DecodePairs(req.form, sjis_in).ok()) {
      return BadInput(ctx);
    }

    // 4. Route.
    std::string_view method = req.method;
    if (method == "HEAD") method = "GET";
    const Route* route = nullptr;
    bool path_known = false;
    for (const auto& r : kRoutes) {
      if (req.path != r.path) continue;
      path_known = true;
      if (method == r.method) route = &r;
    }

    // 5. The maintenance switch, once, before any public handler; then who
    //    is logged in, named on every page (not on the stylesheet or /healthz).
    if (!route || route->access != Access::kAlwaysOn) {
      if (MaintenanceOn(ctx)) {
        Response r = Html(503, pages::RenderMaintenance(ctx.page()));
        (void)r.SetHeader("Retry-After", "3600");
        return r;
      }
      s = SignInName(ctx);
      if (!s.ok()) return Failure(ctx, s);
    }
    if (!route) {
      if (path_known) {
        Response r = Html(405, pages::RenderError(ctx.page(), "この操作はできません",
                                                  "このページはこの方法では開けません。"));
        (void)r.SetHeader("Allow", AllowedMethods(kRoutes, req.path));
        return r;
      }
      return Html(404, pages::RenderNotFound(ctx.page()));
    }

    // 6. Pages of one's own account need a logged-in session.
    if (route->access == Access::kPatron && !PatronOf(ctx)) {
      // After the login, a page that was asked for by GET is shown.
      return LoginPage(ctx, "", "ログインしてください。", 401, method == "GET" ? req.path : "");
    }

    // 7. Every state change is a POST with the session's CSRF token.
    if (method == "POST" && !ctx.session.CsrfOk(req.Param(kCsrfParam))) {
      return Html(
          403, pages::RenderError(ctx.page(), "もう一度操作してください",
                                  "画面の有効期限が切れたか、正しい画面からの操作ではありません。"
                                  "前の画面に戻り、読み込み直してからもう一度操作してください。"));
    }
    return route->handler(req, ctx);
  }

  Response BadInput(Ctx& ctx) {
    return Html(400, pages::RenderError(ctx.page(), "文字を読み取れません",
                                        "送られた文字を読み取れませんでした。入力をお確かめのうえ、"
                                        "もう一度お試しください。"));
  }

  // Encodes the page for the device and adds the session's headers.
  void Finish(const Request& raw, Ctx& ctx, Response& r) {
    if (r.content_type.rfind("text/html", 0) == 0) {
      if (ctx.shift_jis && !r.kept_body) {  // a kept page is kept encoded
        r.body = charset::Utf8ToSjis(r.body);
        r.content_type = kSjisHtml;
      }
      const size_t bytes = r.Sent().size();
      if (ctx.profile.budget_bytes && bytes > ctx.profile.budget_bytes) {
        std::fprintf(stderr, "shiori: %s is %zu bytes, over the device budget of %zu\n",
                     LogText(raw.path, kLogPathBytes).c_str(), bytes, ctx.profile.budget_bytes);
      }
    }
    const auto cookies =
        ctx.session.cookies_to_set(ViaHttps(site.cfg, raw.remote, raw.Header("x-forwarded-proto")));
    for (const auto& c : cookies) (void)r.SetHeader("Set-Cookie", c);
    // A page seen in a session is nobody else's and is not kept. A file the
    // same for everyone (the stylesheet, the icon) keeps its own caching,
    // unless a cookie rides on it.
    auto& h = r.headers;
    const auto own = [](const auto& kv) { return kv.first == "Cache-Control"; };
    const bool shared = std::any_of(h.begin(), h.end(), own) && cookies.empty();
    if (ctx.session.active() && !shared) {
      h.erase(std::remove_if(h.begin(), h.end(), own), h.end());
      (void)r.SetHeader("Cache-Control", "private, no-store");
    }
  }
};

App::App(const Config& cfg, db::Pool& pool, const Clock& clock, Random& random)
    : impl_(std::make_unique<Impl>(cfg, pool, clock, random)) {}
App::~App() = default;

Response App::Handle(Request& req) {
  return Guarded([&] { return impl_->Dispatch(req); });
}

Response App::TooLarge(const Request& req) {
  return Guarded([&] { return impl_->TooLarge(req); });
}

}  // namespace shiori::gateway
