// Internal to gateway/: what every page handler shares. The request context a
// handler gets (Ctx), the shape of a route, the helpers that answer with a
// page (a refusal, a failure, the login page), and the handlers by area:
// catalogue_pages.cc (top, search, record, charset, style, health),
// cart_pages.cc (cart and reserve), account_pages.cc (利用照会). The route
// table and the request path that calls them are in app.cc.
#ifndef SHIORI_GATEWAY_HANDLERS_H_
#define SHIORI_GATEWAY_HANDLERS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "db/catalog.h"
#include "db/circ.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/session.h"
#include "db/sqlite.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/device.h"
#include "gateway/http.h"
#include "gateway/session.h"
#include "pages/account.h"
#include "pages/cart.h"
#include "pages/catalogue.h"
#include "pages/pages.h"

namespace shiori::gateway {

// Every form carries this field; its bytes tell how the browser encoded the form.
constexpr std::string_view kProbeParam = "_c";
constexpr std::string_view kProbeText = "表ソ";              // UTF-8 as we send it
constexpr std::string_view kProbeSjis = "\x95\x5C\x83\x5C";  // the same in Shift_JIS
constexpr char kSjisHtml[] = "text/html; charset=Shift_JIS";

// What the application keeps for every request; read-only once serving starts.
struct Site {
  Config cfg;
  const Clock& clock;
  Random& random;
  std::vector<KeptBody> top_pages;  // the kept top pages, plain and gzip (catalogue_pages.cc)
  KeptBody card;  // /card.svg: the drawing of the library's card (pages::CardDrawing)
  std::string key;  // db::SiteKey as kSiteKeyBytes raw bytes: signs visitor form tokens
};

// The page facts of a device in the charset it is sent and the version of
// the pages it is given.
pages::Device PageDevice(const DeviceProfile& p, bool shift_jis, Layout layout);

// Same-site links and form fields for one request: the session id when the
// device needs it, the charset probe, the CSRF token.
class RequestLinks : public pages::Links {
 public:
  RequestLinks(RequestSession& s, const bool& shift_jis) : session_(s), shift_jis_(shift_jis) {}
  // A link or redirect to `path` never carries the session id when `path`
  // is the exit page, nor after LeaveOutSessionId().
  std::string Url(std::string_view path, const Query& query) const override;
  void FormFields(pages::Html& h, bool post) const override;
  std::string ExitUrl(std::string_view url) const override;
  // From now on no link, form or redirect of this request carries the
  // session id: the exit page's, whose address an old phone sends on to the
  // site it links to.
  void LeaveOutSessionId() { leave_out_id_ = true; }

 private:
  bool IdInUrls() const { return !leave_out_id_ && session_.id_in_urls(); }

  RequestSession& session_;
  const bool& shift_jis_;  // decided after the session is loaded
  bool leave_out_id_ = false;
};

// Everything a handler gets besides the request.
struct Ctx {
  db::LazyLease lazy_db;
  const Site& site;
  const Config& cfg;
  const Clock& clock;
  DeviceProfile profile;
  RequestSession session;
  RequestLinks links;
  pages::Device device;
  std::string path;
  // The page as a link back to it: a GET's path and query without the
  // session id; a POST's path alone (文字コード's way back).
  std::string here;
  std::string page_url;  // absolute, without the session id: the QR code's text
  std::string client;    // the client's address (ClientAddress), for throttling
  bool shift_jis = false;
  Layout layout = Layout::kPc;  // the version of the pages (ケータイ版, スマホ版, PC版)
  // The patron logged in to the session as read at the request's start, and
  // as every page names them (SignInName); handlers read the row from here.
  std::optional<db::PatronRow> patron;
  std::optional<pages::SignedIn> signed_in;

  Ctx(db::Pool& pool, const Site& s, DeviceProfile p, int64_t now);

  db::Connection& db() { return *lazy_db; }
  pages::Context page() const {
    return pages::Context{device,
                          links,
                          cfg.rules.library_name,
                          here.empty() ? path : here,
                          page_url,
                          signed_in ? &*signed_in : nullptr};
  }
  // A same-site redirect (303) that keeps the URL session. `to` may hold
  // any bytes: the Location header gets it through EncodeUrl.
  Response Redirect(std::string_view to) const;
};

// A route: one method and path, its handler, and who may reach it.
using Handler = Response (*)(const Request&, Ctx&);
enum class Access {
  kPublic,    // a public page: answers 503 while the service is off
  kPatron,    // a public page of one's own account: needs a logged-in session
  kAlwaysOn,  // served during maintenance too (the stylesheet, /healthz)
};
struct Route {
  const char* method;
  const char* path;
  Handler handler;
  Access access;
};

// ---------------------------------------------------------------- answers

// The one exit of either application's Handle: runs `dispatch`, turns an
// exception from it into a fixed 500 page (the reason in the log), and adds
// the headers every answer carries (X-Content-Type-Options: nosniff,
// Referrer-Policy: no-referrer).
Response Guarded(const std::function<Response()>& dispatch);
Response Html(int status, std::string body);
// The site key (db::SiteKey, made on first use) as kSiteKeyBytes raw bytes,
// for signing form tokens; "" when it cannot be had, the reason on stderr
// (no visitor or login-form token is then valid, and the pages say to reload).
std::string SiteKeyBytes(db::Pool& pool, Random& random);
// An infrastructure failure (the database, the OS, a library): the operator
// reads `s` in the log; the patron gets a generic page in the device's charset
// (503 when the database is busy, else 500), never the message itself. A
// handler shows a refusal's message (Status::refusal()) on its own page and
// gives everything else to Failure.
Response Failure(Ctx& ctx, const Status& s);
// The login page (also what a page of one's own account shows without a login);
// `failed`: the card or password was just refused, and the page points to
// 新規パスワード登録.
Response LoginPage(Ctx& ctx, std::string card, std::string message, int status = 200,
                   std::string next = "", bool failed = false);

// ---------------------------------------------------------------- helpers

// The methods a route table (of Route or StaffRoute) has for `path`, as an
// Allow header says them: HEAD wherever GET is (it is answered as GET).
template <typename RouteT, size_t N>
std::string AllowedMethods(const RouteT (&routes)[N], std::string_view path) {
  std::string out;
  for (const auto& r : routes) {
    if (path != r.path) continue;
    if (!out.empty()) out += ", ";
    out += r.method;
    if (std::string_view(r.method) == "GET") out += ", HEAD";
  }
  return out;
}

// A same-site path: starts with one '/', no scheme or host, no control byte.
bool IsLocalPath(std::string_view p);
// True when `path` (without a query) is a page a patron may be sent back to
// after choosing a charset, logging in or adding to the cart: a GET route
// of the table in app.cc, but not the exit page, the stylesheet or /healthz.
bool IsPageToReturnTo(std::string_view path);
// Where `back=` or `next=` sends the patron: `back` when it is one of the
// site's own pages (IsLocalPath, IsPageToReturnTo), without any session id
// it carries and without a fragment; else `fallback`. Never the exit page.
std::string ReturnTo(std::string_view back, std::string_view fallback);
// `raw_query` without parameter `name` (the session id must not be copied into a "back" link).
std::string WithoutParam(std::string_view raw_query, std::string_view name);
// An http(s) URL of at most 2,000 characters with nothing that could break
// out of an attribute: where /exit may send a patron.
bool IsHttpUrl(std::string_view u);
// A decimal number in [lo, hi] (clamped), or `fallback` when `s` is not one.
int ParseInt(std::string_view s, int fallback, int lo, int hi);
// How many lines of `line_bytes` fit one page of the request's device next
// to the frame (about 1.8 KB in Shift_JIS, 0.4 KB more with the logged-in
// patron's line and its ログアウト form); `unlimited` where there is no budget.
int LinesPerPage(const Ctx& ctx, long line_bytes, int unlimited);
// The lines [from, to) of a list of `n` the page shows, by the request's `p`,
// where a line weighs `line_bytes` on a phone. Default: 500, a line with its
// form (a session id in its action and hidden fields on cookie-less phones).
struct Slice {
  size_t from = 0, to = 0;
  pages::ListPaging paging;
};
Slice SliceOf(const Request& req, const Ctx& ctx, size_t n, long line_bytes = 500);
// The logged-in patron of the request, if any.
std::optional<int64_t> PatronOf(Ctx& ctx);
// Reads the logged-in patron (ctx.patron) and names them on the request's
// pages (ctx.signed_in): their name and the card's last four digits; nobody
// when the session has no patron or the patron is gone.
Status SignInName(Ctx& ctx);
// The pickup branches, the patron's home branch first.
std::vector<std::pair<std::string, std::string>> BranchesFor(const Config& cfg,
                                                             const db::PatronRow& p);
// A record's authors as the pages show them (name and role).
std::vector<pages::AuthorView> AuthorViews(const std::vector<db::AuthorEntry>& authors);
// メール, 電話 or 連絡不要 for a hold's contact code.
const char* ContactName(std::string_view contact);
// "2026-12-15" as "12月15日(火)"; as stored when it is not a date.
std::string DateText(const std::string& ymd);

// ---------------------------------------------------------------- handlers

// catalogue_pages.cc
void KeepTopPages(Site& site, db::Pool& pool);
Response Top(const Request& req, Ctx& ctx);
Response Disclaimer(const Request& req, Ctx& ctx);
Response CharsetForm(const Request& req, Ctx& ctx);
Response CharsetSet(const Request& req, Ctx& ctx);
Response VersionForm(const Request& req, Ctx& ctx);
Response VersionSet(const Request& req, Ctx& ctx);
Response Exit(const Request& req, Ctx& ctx);
Response SearchPage(const Request& req, Ctx& ctx);
Response AdvancedPage(const Request& req, Ctx& ctx);
Response RecordPage(const Request& req, Ctx& ctx);
Response Style(const Request& req, Ctx& ctx);
Response Icon(const Request& req, Ctx& ctx);
Response Card(const Request& req, Ctx& ctx);
Response Favicon(const Request& req, Ctx& ctx);
Response Health(const Request& req, Ctx& ctx);

// cart_pages.cc
Response CartPage(const Request& req, Ctx& ctx);
Response CartAddPost(const Request& req, Ctx& ctx);
Response CartRemovePost(const Request& req, Ctx& ctx);
Response ReserveForm(const Request& req, Ctx& ctx);
Response ReserveConfirm(const Request& req, Ctx& ctx);
Response ReservePlace(const Request& req, Ctx& ctx);

// account_pages.cc
Response AccountPage(const Request& req, Ctx& ctx);
Response LoginPost(const Request& req, Ctx& ctx);
Response LogoutPost(const Request& req, Ctx& ctx);
Response RegisterForm(const Request& req, Ctx& ctx);
Response RegisterPost(const Request& req, Ctx& ctx);
Response GuidePage(const Request& req, Ctx& ctx);
Response PasswordForm(const Request& req, Ctx& ctx);
Response PasswordPost(const Request& req, Ctx& ctx);
Response EmailForm(const Request& req, Ctx& ctx);
Response EmailPost(const Request& req, Ctx& ctx);
Response EmailConfirmPage(const Request& req, Ctx& ctx);
Response EmailConfirmPost(const Request& req, Ctx& ctx);
Response LoansPage(const Request& req, Ctx& ctx);
Response RenewPost(const Request& req, Ctx& ctx);
Response HoldsPage(const Request& req, Ctx& ctx);
Response ReadyPage(const Request& req, Ctx& ctx);
Response HoldDetail(const Request& req, Ctx& ctx);
Response HoldCancelPost(const Request& req, Ctx& ctx);
Response HoldBranchPost(const Request& req, Ctx& ctx);
Response HoldContactPost(const Request& req, Ctx& ctx);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_HANDLERS_H_
