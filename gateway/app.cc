// The application: one request path read top to bottom — device profile,
// session, input decoding, maintenance switch, routing with the CSRF check,
// handler, output encoding — and the handlers themselves.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/circ.h"
#include "db/outbox.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/session.h"
#include "db/sqlite.h"
#include "gateway/clock.h"
#include "gateway/gateway.h"
#include "gateway/session.h"
#include "pages/pages.h"

namespace shiori::gateway {
namespace {

// Every form carries this field; its bytes tell how the browser encoded the form.
constexpr std::string_view kProbeParam = "_c";
constexpr std::string_view kProbeText = "表ソ";              // UTF-8 as we send it
constexpr std::string_view kProbeSjis = "\x95\x5C\x83\x5C";  // the same in Shift_JIS

// Input-mode attributes per carrier: istyle (docomo), format and
// -wap-input-format (au), mode (SoftBank), inputmode (HTML5, everyone).
const std::vector<pages::Attr> kDigitsDocomo = {{"istyle", "4"}, {"inputmode", "numeric"}};
const std::vector<pages::Attr> kKanaDocomo = {{"istyle", "1"}};
const std::vector<pages::Attr> kAlphaDocomo = {{"istyle", "3"}};
const std::vector<pages::Attr> kDigitsAu = {
    {"format", "*N"}, {"style", "-wap-input-format:\"*<ja:n>\""}, {"inputmode", "numeric"}};
const std::vector<pages::Attr> kKanaAu = {{"format", "*M"},
                                          {"style", "-wap-input-format:\"*<ja:h>\""}};
const std::vector<pages::Attr> kAlphaAu = {{"format", "*m"},
                                           {"style", "-wap-input-format:\"*<ja:en>\""}};
const std::vector<pages::Attr> kDigitsSoftbank = {{"mode", "numeric"}, {"inputmode", "numeric"}};
const std::vector<pages::Attr> kKanaSoftbank = {{"mode", "hiragana"}};
const std::vector<pages::Attr> kAlphaSoftbank = {{"mode", "alphabet"}};
const std::vector<pages::Attr> kDigitsOther = {{"inputmode", "numeric"}};

pages::Device PageDevice(const DeviceProfile& p, bool shift_jis) {
  pages::Device d;
  d.feature_phone = p.feature_phone();
  d.accesskey_labels = p.feature_phone();
  d.accesskey_emoji = p.accesskey_emoji && shift_jis;
  d.charset = shift_jis ? "Shift_JIS" : "UTF-8";
  d.budget_bytes = p.budget_bytes;
  switch (p.carrier) {
    case Carrier::kDocomo:
      d.digits = kDigitsDocomo, d.kana = kKanaDocomo, d.alpha = kAlphaDocomo;
      break;
    case Carrier::kAu:
      d.digits = kDigitsAu, d.kana = kKanaAu, d.alpha = kAlphaAu;
      break;
    case Carrier::kSoftbank:
      d.digits = kDigitsSoftbank, d.kana = kKanaSoftbank, d.alpha = kAlphaSoftbank;
      break;
    default:
      d.digits = kDigitsOther;
  }
  return d;
}

// Same-site links and form fields for one request: the session id when the
// device needs it, the charset probe, the CSRF token.
class RequestLinks : public pages::Links {
 public:
  RequestLinks(RequestSession& s, const bool& shift_jis) : session_(s), shift_jis_(shift_jis) {}

  // Query values go out in the page's charset, as a form on the page would
  // send them; a link with non-ASCII values also carries the probe, so it is
  // read right whatever the device's charset is when it comes back.
  std::string Url(std::string_view path, const Query& query) const override {
    std::string u(path);
    char sep = path.find('?') == std::string_view::npos ? '?' : '&';
    bool non_ascii = false;
    for (const auto& [k, v] : query) {
      u += sep;
      u += PercentEncode(k);
      u += '=';
      for (unsigned char ch : v) non_ascii = non_ascii || ch >= 0x80;
      u += PercentEncode(shift_jis_ ? charset::Utf8ToSjis(v) : v);
      sep = '&';
    }
    if (non_ascii) {
      u += '&';
      u += kProbeParam;
      u += '=';
      u += PercentEncode(shift_jis_ ? kProbeSjis : kProbeText);
    }
    if (session_.id_in_urls()) {
      u += sep;
      u += kSessionParam;
      u += '=';
      u += session_.token();
    }
    return u;
  }

  void FormFields(pages::Html& h, bool post) const override {
    // A POST form needs a token, so it needs a session; handlers create it
    // before rendering, so that the links above the form carry it too.
    if (post && !session_.active()) (void)session_.Ensure();
    h.Void("input", {{"type", "hidden"}, {"name", kProbeParam}, {"value", kProbeText}});
    if (session_.id_in_urls()) {
      h.Void("input", {{"type", "hidden"}, {"name", kSessionParam}, {"value", session_.token()}});
    }
    if (post)
      h.Void("input", {{"type", "hidden"}, {"name", kCsrfParam}, {"value", session_.csrf()}});
  }

  std::string ExitUrl(std::string_view url) const override {
    return "/exit?to=" + PercentEncode(url);
  }

 private:
  RequestSession& session_;
  const bool& shift_jis_;  // decided after the session is loaded
};

// A same-site path to go back to: starts with one '/', no scheme or host.
bool IsLocalPath(std::string_view p) {
  if (p.empty() || p[0] != '/' || (p.size() > 1 && (p[1] == '/' || p[1] == '\\'))) return false;
  for (unsigned char c : p) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

// `raw_query` without parameter `name` (the session id must not be copied into a "back" link).
std::string WithoutParam(std::string_view raw_query, std::string_view name) {
  std::string out;
  size_t pos = 0;
  while (pos <= raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view piece = raw_query.substr(pos, amp - pos);
    if (!piece.empty() && piece.substr(0, piece.find('=')) != name) {
      if (!out.empty()) out += '&';
      out += piece;
    }
    pos = amp + 1;
  }
  return out;
}

bool IsHttpUrl(std::string_view u) {
  const bool scheme = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
  if (!scheme || u.size() > 2000) return false;
  for (unsigned char c : u) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>') return false;
  }
  return true;
}

db::SessionLimits SessionLimitsOf(const Config& c) {
  return db::SessionLimits{c.session_idle_minutes * 60LL, c.session_absolute_hours * 3600LL};
}

constexpr char kSjisHtml[] = "text/html; charset=Shift_JIS";

Response Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

// Everything a handler gets besides the request.
struct Ctx {
  db::LazyLease lazy_db;
  const Config& cfg;
  DeviceProfile profile;
  RequestSession session;
  RequestLinks links;
  pages::Device device;
  std::string path;
  std::string page_url;  // absolute, without the session id: the QR code's text
  bool shift_jis = false;

  Ctx(db::Pool& pool, const Config& c, DeviceProfile p, int64_t now)
      : lazy_db(pool),
        cfg(c),
        profile(std::move(p)),
        session(lazy_db, profile, SessionLimitsOf(c), now),
        links(session, shift_jis) {}

  db::Connection& db() { return *lazy_db; }

  pages::Context page() const {
    return pages::Context{device, links, cfg.rules.library_name, path, page_url};
  }
  // A same-site redirect (303) that keeps the URL session.
  Response Redirect(std::string_view to) const {
    Response r;
    r.status = 303;
    (void)r.SetHeader("Location", links.Url(to, {}));
    r.body = pages::RenderError(page(), "移動します", "次のページへ移動します。");
    return r;
  }
};

struct App::Impl {
  using Handler = Response (Impl::*)(const Request&, Ctx&);
  struct Route {
    const char* method;
    const char* path;
    Handler handler;
    bool public_page;          // answers 503 while the service is off
    bool needs_login = false;  // checked once, before the handler
  };

  Config cfg;
  std::unique_ptr<db::Pool> pool;
  std::vector<Route> routes;
  std::atomic<int64_t> last_purge{0};
  // The maintenance switch, read from the database at most once a second so
  // that serving a page needs no database at all.
  std::atomic<int64_t> maintenance_read_ms{-1000000};
  std::atomic<bool> maintenance_on{false};

  bool MaintenanceOn(Ctx& ctx) {
    if (cfg.maintenance) return true;
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

  Impl(const Config& c, std::unique_ptr<db::Pool> p) : cfg(c), pool(std::move(p)) {
    routes = {
        {"GET", "/", &Impl::Top, true},
        {"GET", "/disclaimer", &Impl::Disclaimer, true},
        {"GET", "/charset", &Impl::CharsetForm, true},
        {"POST", "/charset", &Impl::CharsetSet, true},
        {"GET", "/exit", &Impl::Exit, true},
        {"GET", "/search", &Impl::SearchPage, true},
        {"GET", "/search/advanced", &Impl::AdvancedPage, true},
        {"GET", "/record", &Impl::RecordPage, true},
        {"GET", "/cart", &Impl::CartPage, true},
        {"POST", "/cart/add", &Impl::CartAddPost, true},
        {"POST", "/cart/remove", &Impl::CartRemovePost, true},
        {"GET", "/reserve", &Impl::ReserveForm, true, true},
        {"POST", "/reserve/confirm", &Impl::ReserveConfirm, true, true},
        {"POST", "/reserve/place", &Impl::ReservePlace, true, true},
        {"GET", "/account", &Impl::AccountPage, true},
        {"POST", "/account/login", &Impl::LoginPost, true},
        {"POST", "/account/logout", &Impl::LogoutPost, true},
        {"GET", "/account/register", &Impl::RegisterForm, true},
        {"POST", "/account/register", &Impl::RegisterPost, true},
        {"GET", "/account/guide", &Impl::GuidePage, true},
        {"GET", "/account/password", &Impl::PasswordForm, true, true},
        {"POST", "/account/password", &Impl::PasswordPost, true, true},
        {"GET", "/account/email", &Impl::EmailForm, true, true},
        {"POST", "/account/email", &Impl::EmailPost, true, true},
        {"GET", "/account/loans", &Impl::LoansPage, true, true},
        {"GET", "/account/holds", &Impl::HoldsPage, true, true},
        {"GET", "/account/ready", &Impl::ReadyPage, true, true},
        {"POST", "/account/loans/renew", &Impl::RenewPost, true, true},
        {"GET", "/account/hold", &Impl::HoldDetail, true, true},
        {"POST", "/account/holds/cancel", &Impl::HoldChangePost, true, true},
        {"POST", "/account/holds/branch", &Impl::HoldChangePost, true, true},
        {"POST", "/account/holds/contact", &Impl::HoldChangePost, true, true},
        {"GET", "/style.css", &Impl::Style, false},
        {"GET", "/healthz", &Impl::Health, false},
    };
    RenderTopPages();
  }

  // ------------------------------------------------------------ handlers

  // The top page without a session or a query depends only on the device's
  // carrier, class and charset: it is rendered once per kind and kept.
  static size_t TopKey(const DeviceProfile& p, bool shift_jis) {
    return static_cast<size_t>(p.carrier) * 4 + (p.feature_phone() ? 2 : 0) + (shift_jis ? 1 : 0);
  }
  std::vector<std::string> top_pages;  // by TopKey; filled in the constructor, then read-only

  void RenderTopPages() {
    top_pages.resize(5 * 4);  // every carrier x feature phone or not x charset
    for (Carrier carrier :
         {Carrier::kNone, Carrier::kDocomo, Carrier::kAu, Carrier::kSoftbank, Carrier::kWillcom}) {
      for (bool feature : {false, true}) {
        for (bool sjis : {false, true}) {
          DeviceProfile p;
          p.carrier = carrier;
          p.device_class = feature ? DeviceClass::kFeature : DeviceClass::kPc;
          p.accesskey_emoji = carrier == Carrier::kDocomo;
          Ctx ctx(*pool, cfg, p, 0);
          ctx.shift_jis = sjis;
          ctx.device = PageDevice(ctx.profile, sjis);
          ctx.page_url = cfg.site_url + "/";
          // Kept as sent: encoded once here, not at every request.
          const std::string page = pages::RenderTop(ctx.page(), pages::TopView{});
          top_pages[TopKey(p, sjis)] = sjis ? charset::Utf8ToSjis(page) : page;
        }
      }
    }
  }

  Response Top(const Request& req, Ctx& ctx) {
    pages::TopView v;
    v.query = std::string(req.Param("q"));
    if (v.query.empty() && !ctx.session.id_in_urls()) {
      Response r;
      r.kept_body = &top_pages[TopKey(ctx.profile, ctx.shift_jis)];
      if (ctx.shift_jis) r.content_type = kSjisHtml;
      return r;
    }
    return Html(200, pages::RenderTop(ctx.page(), v));
  }

  Response Disclaimer(const Request&, Ctx& ctx) {
    return Html(200, pages::RenderDisclaimer(ctx.page()));
  }

  Response CharsetForm(const Request& req, Ctx& ctx) {
    Status s = ctx.session.Ensure();
    if (!s.ok()) return Failure(ctx, s);
    pages::CharsetView v;
    v.shift_jis_now = ctx.shift_jis;
    std::string_view back = req.Param("back");
    v.back = IsLocalPath(back) ? std::string(back) : "/";
    return Html(200, pages::RenderCharset(ctx.page(), v));
  }

  Response CharsetSet(const Request& req, Ctx& ctx) {
    std::string_view to = req.Param("to");
    if (to != "sjis" && to != "utf8") {
      return Html(400, pages::RenderError(ctx.page(), "選んでください",
                                          "Shift_JISかUTF-8のどちらかを選んでください。"));
    }
    Status s = db::SetSessionCharset(ctx.db(), ctx.session.row()->id, std::string(to));
    if (!s.ok()) return Failure(ctx, s);
    std::string_view back = req.Param("back");
    return ctx.Redirect(IsLocalPath(back) ? back : "/");
  }

  Response Exit(const Request& req, Ctx& ctx) {
    std::string_view to = req.Param("to");
    if (!IsHttpUrl(to)) {
      return Html(400, pages::RenderError(ctx.page(), "移動できません",
                                          "このアドレスへは移動できません。"));
    }
    Response r = Html(200, pages::RenderExit(ctx.page(), to));
    return r;
  }

  // How many lines of `line_bytes` fit one page of the device next to the
  // frame (about 1.8 KB in Shift_JIS); `unlimited` where there is no budget.
  static int LinesPerPage(const DeviceProfile& p, long line_bytes, int unlimited) {
    if (!p.budget_bytes) return unlimited;
    const long n = (static_cast<long>(p.budget_bytes) - 1800) / line_bytes;
    return static_cast<int>(std::clamp(n, 3L, 20L));
  }

  // The lines [from, to) of a list of `n` the page shows, by the request's
  // `p`; a line with its form weighs about 400 bytes on a phone.
  struct Slice {
    size_t from = 0, to = 0;
    pages::ListPaging paging;
  };
  static Slice SliceOf(const Request& req, const DeviceProfile& profile, size_t n) {
    const int size = LinesPerPage(profile, 400, 100);
    Slice s;
    s.from = std::min(n, static_cast<size_t>(ParseInt(req.Param("p"), 0, 0, 100000)));
    s.to = std::min(n, s.from + static_cast<size_t>(size));
    s.paging.first = static_cast<int>(s.from) + 1;
    if (s.from > 0)
      s.paging.prev = static_cast<int>(s.from > static_cast<size_t>(size) ? s.from - size : 0);
    if (s.to < n) s.paging.next = static_cast<int>(s.to);
    return s;
  }

  static int ParseInt(std::string_view s, int fallback, int lo, int hi) {
    if (s.empty() || s.size() > 9) return fallback;
    int v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') return fallback;
      v = v * 10 + (c - '0');
    }
    return std::clamp(v, lo, hi);
  }

  Response SearchPage(const Request& req, Ctx& ctx) {
    pages::ResultsView v;
    db::SearchQuery q;
    v.query = std::string(req.Param("q"));
    v.one_kana = db::IsOneKanaQuery(v.query);
    q.text = v.query;
    // Every search parameter goes into paging and sort links, as typed.
    for (const char* key : {"q", "title", "author", "publisher", "subject", "isbn", "from", "to",
                            "branch", "shelf", "sort", "adv"}) {
      std::string_view val = req.Param(key);
      if (!val.empty()) v.params.emplace_back(key, std::string(val));
    }
    q.title = std::string(req.Param("title"));
    q.author = std::string(req.Param("author"));
    q.publisher = std::string(req.Param("publisher"));
    q.subject = std::string(req.Param("subject"));
    q.isbn = std::string(req.Param("isbn"));
    q.year_from = ParseInt(req.Param("from"), 0, 0, 9999);
    q.year_to = ParseInt(req.Param("to"), 0, 0, 9999);
    if (cfg.rules.FindBranch(req.Param("branch"))) q.branch = std::string(req.Param("branch"));
    q.on_shelf_only = req.Param("shelf") == "1";
    std::string_view sort = req.Param("sort");
    v.sort = sort == "newest" || sort == "title" ? std::string(sort) : "relevance";
    q.sort = v.sort == "newest"  ? db::SearchQuery::Sort::kNewest
             : v.sort == "title" ? db::SearchQuery::Sort::kTitle
                                 : db::SearchQuery::Sort::kRelevance;
    v.page_size = q.limit = LinesPerPage(ctx.profile, 320, 20);  // a hit: ~320 bytes
    v.offset = q.offset = ParseInt(req.Param("p"), 0, 0, db::kSearchCandidates);

    size_t longest = 0;
    for (const std::string* f : {&q.text, &q.title, &q.author, &q.publisher, &q.subject, &q.isbn}) {
      longest = std::max(longest, charset::CodePointCount(*f));
    }
    const bool any = !q.text.empty() || !q.title.empty() || !q.author.empty() ||
                     !q.publisher.empty() || !q.subject.empty() || !q.isbn.empty() || q.year_from ||
                     q.year_to;
    if (!any) {
      v.message = "探したい本の書名・著者名などを入力してください。";
      return Html(200, pages::RenderResults(ctx.page(), v));
    }
    if (longest > 200) {
      v.message = "検索語が長すぎます。200文字までで入力してください。";
      return Html(200, pages::RenderResults(ctx.page(), v));
    }
    auto r = db::Search(ctx.db(), q);
    if (!r.ok()) return Failure(ctx, r.status());
    // 「カートに入れる」 per hit where pages have room; phones add from the record page.
    v.cart_buttons = !ctx.profile.feature_phone() && !r->hits.empty();
    if (v.cart_buttons) {
      Status es = ctx.session.Ensure();
      if (!es.ok()) return Failure(ctx, es);
      v.back = "/search?" + WithoutParam(req.raw_query, kSessionParam);
    }
    v.total = r->total;
    v.capped = r->capped;
    for (auto& hit : r->hits) {
      v.hits.push_back({hit.id, std::move(hit.title), std::move(hit.volume), std::move(hit.authors),
                        std::move(hit.publisher), hit.year, hit.copies, hit.on_shelf});
    }
    return Html(200, pages::RenderResults(ctx.page(), v));
  }

  Response AdvancedPage(const Request&, Ctx& ctx) {
    pages::AdvancedView v;
    for (const auto& b : cfg.rules.branches) v.branches.emplace_back(b.code, b.name);
    return Html(200, pages::RenderAdvanced(ctx.page(), v));
  }

  Response RecordPage(const Request& req, Ctx& ctx) {
    const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
    auto r =
        id ? db::GetRecord(ctx.db(), id) : Result<std::optional<db::RecordDetail>>(std::nullopt);
    if (!r.ok()) return Failure(ctx, r.status());
    if (!r->has_value()) return Html(404, pages::RenderNotFound(ctx.page()));
    const db::RecordDetail& d = **r;
    Status es = ctx.session.Ensure();  // the 「カートに入れる」 form needs one
    if (!es.ok()) return Failure(ctx, es);
    pages::RecordView v;
    v.back = "/record?id=" + std::to_string(d.id);
    v.id = d.id;
    v.title = d.title;
    v.title_kana = d.title_kana;
    v.volume = d.volume;
    for (const auto& a : d.authors) {
      if (!v.authors.empty()) v.authors += "、";
      v.authors += a.name;
      if (!a.role.empty()) v.authors += "（" + a.role + "）";
    }
    v.publisher = d.publisher;
    v.year = d.year ? std::to_string(d.year) : "";
    v.isbn = d.isbn;
    v.ndc = d.ndc;
    v.subjects = d.subjects;
    v.notes = d.notes;
    for (const auto& c : d.copies) {
      std::string due;
      if (auto date = db::Date::Parse(c.due_on)) {
        due = JapaneseDate(*date);
      }
      v.copies.push_back({c.branch_name, c.call_number, c.status, due});
    }
    return Html(200, pages::RenderRecord(ctx.page(), v));
  }

  // ------------------------------------------------------------ カート・予約

  Result<std::vector<pages::CartLineView>> CartLines(Ctx& ctx) {
    std::vector<pages::CartLineView> out;
    if (!ctx.session.active()) return out;
    auto items = db::CartList(ctx.db(), ctx.session.row()->id);
    if (!items.ok()) return items.status();
    for (auto& it : *items) {
      out.push_back(
          {it.record_id, pages::TitleWithVolume(it.title, it.volume), it.authors});
    }
    return out;
  }

  Response CartView(Ctx& ctx, std::string message, int status = 200, std::string back = "") {
    auto lines = CartLines(ctx);
    if (!lines.ok()) return Failure(ctx, lines.status());
    if (!lines->empty()) {
      Status s = ctx.session.Ensure();
      if (!s.ok()) return Failure(ctx, s);
    }
    pages::CartView v{std::move(message), std::move(lines).value(), db::kCartLimit,
                      std::move(back)};
    return Html(status, pages::RenderCart(ctx.page(), v));
  }

  Response CartPage(const Request&, Ctx& ctx) { return CartView(ctx, ""); }

  Response CartAddPost(const Request& req, Ctx& ctx) {
    const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
    Status s = db::CartAdd(ctx.db(), ctx.session.row()->id, id, NowSeconds());
    if (!s.ok()) {
      if (s.code() == Status::Code::kIo || s.code() == Status::Code::kBusy) return Failure(ctx, s);
      return CartView(ctx, s.message(), 409);
    }
    std::string_view back = req.Param("back");
    return CartView(ctx, "カートに入れました。", 200, IsLocalPath(back) ? std::string(back) : "");
  }

  Response CartRemovePost(const Request& req, Ctx& ctx) {
    const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
    Status s = db::CartRemove(ctx.db(), ctx.session.row()->id, id);
    if (!s.ok()) return Failure(ctx, s);
    return CartView(ctx, "カートから取り出しました。");
  }

  // The pickup branches, the patron's home branch first.
  std::vector<std::pair<std::string, std::string>> BranchesFor(const db::PatronRow& p) const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& b : cfg.rules.branches) {
      if (b.code == p.home_branch)
        out.insert(out.begin(), {b.code, b.name});
      else
        out.emplace_back(b.code, b.name);
    }
    return out;
  }

  static const char* ContactName(std::string_view c) {
    return c == "mail" ? "メール" : c == "phone" ? "電話" : "連絡不要";
  }

  Response ReserveStep(const Request& req, Ctx& ctx, bool confirm) {
    auto patron = db::FindPatronById(ctx.db(), *PatronOf(ctx));
    if (!patron.ok()) return Failure(ctx, patron.status());
    if (!patron->has_value()) return LoginPage(ctx, "", "ログインしてください。", 401);
    auto lines = CartLines(ctx);
    if (!lines.ok()) return Failure(ctx, lines.status());
    if (lines->empty())
      return CartView(ctx, "カートが空です。予約する資料をカートに入れてください。");
    pages::ReserveView v;
    v.items = std::move(lines).value();
    v.has_email = !(*patron)->email.empty();
    v.branches = BranchesFor(**patron);
    if (confirm) {
      v.branch = std::string(req.Param("branch"));
      v.contact = std::string(req.Param("contact"));
      const db::Branch* b = cfg.rules.FindBranch(v.branch);
      const bool contact_ok =
          v.contact == "phone" || v.contact == "none" || (v.contact == "mail" && v.has_email);
      if (!b || !contact_ok) {
        v.message = "受取館と連絡方法を選んでください。";
        return Html(400, pages::RenderReserve(ctx.page(), v));
      }
      v.confirm = true;
      v.branch_name = b->name;
      v.contact_name = ContactName(v.contact);
      v.request_key = NewToken();
    }
    return Html(200, pages::RenderReserve(ctx.page(), v));
  }

  Response ReserveForm(const Request& req, Ctx& ctx) { return ReserveStep(req, ctx, false); }
  Response ReserveConfirm(const Request& req, Ctx& ctx) { return ReserveStep(req, ctx, true); }

  Response ReservePlace(const Request& req, Ctx& ctx) {
    auto lines = CartLines(ctx);
    if (!lines.ok()) return Failure(ctx, lines.status());
    std::vector<int64_t> ids;
    for (const auto& l : *lines) ids.push_back(l.id);
    const std::string branch(req.Param("branch")), contact(req.Param("contact"));
    const std::string key(req.Param("key"));
    std::time_t now = std::time(nullptr);
    char iso[32];
    std::tm tm;
    gmtime_r(&now, &tm);
    std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    auto results = db::PlaceHolds(ctx.db(), *PatronOf(ctx), ids, branch, contact,
                                  IsTokenShaped(key) ? key : "", cfg.rules, iso);
    if (!results.ok()) {
      if (results.status().code() == Status::Code::kIo ||
          results.status().code() == Status::Code::kBusy) {
        return Failure(ctx, results.status());
      }
      return CartView(ctx, results.status().message(), 400);
    }
    // Titles from a repeated send are looked up again: the cart was emptied the first time.
    pages::ReserveResultView v;
    v.pickup_days = cfg.rules.pickup_open_days;
    const db::Branch* b = cfg.rules.FindBranch(branch);
    v.branch_name = b ? b->name : branch;
    v.contact_name = ContactName(contact);
    for (const auto& hr : *results) {
      pages::ReserveLineView l;
      auto rec = db::GetRecord(ctx.db(), hr.record_id);
      l.title = rec.ok() && rec->has_value() ? (*rec)->title : "";
      l.placed = hr.outcome == db::HoldOutcome::kPlaced;
      l.position = hr.position;
      l.on_shelf = hr.available_now;
      l.message = hr.message;
      v.lines.push_back(std::move(l));
    }
    Status s = db::CartClear(ctx.db(), ctx.session.row()->id);
    if (!s.ok()) return Failure(ctx, s);
    return Html(200, pages::RenderReserveResult(ctx.page(), v));
  }

  // ------------------------------------------------------------ 利用照会

  db::PasswordPolicy Policy() const {
    return db::PasswordPolicy{cfg.password_min, cfg.password_max};
  }
  db::Throttle Throttling() const {
    return db::Throttle{cfg.max_failures, cfg.lock_minutes * 60LL};
  }
  // Who is trying: the session, or the device when there is none yet — never
  // the IP address alone, which carrier gateways share.
  static std::string ThrottleKey(Ctx& ctx) {
    return ctx.session.active() ? "s" + std::to_string(ctx.session.row()->id)
                                : "d" + DeviceKey(ctx.profile);
  }
  static std::optional<int64_t> PatronOf(Ctx& ctx) {
    const db::SessionRow* row = ctx.session.row();
    return row ? row->patron_id : std::nullopt;
  }

  Response LoginPage(Ctx& ctx, std::string card, std::string message, int status = 200,
                     std::string next = "") {
    Status s = ctx.session.Ensure();
    if (!s.ok()) return Failure(ctx, s);
    pages::LoginView v{std::move(card), std::move(message), std::move(next)};
    return Html(status, pages::RenderLogin(ctx.page(), v));
  }

  Response AccountPage(const Request&, Ctx& ctx) {
    auto patron = PatronOf(ctx);
    if (!patron) return LoginPage(ctx, "", "");
    return AccountHome(ctx, *patron, "");
  }

  Response AccountHome(Ctx& ctx, int64_t patron, std::string message) {
    auto today = Today();
    if (!today.ok()) return Failure(ctx, today.status());
    auto loans = db::PatronLoans(ctx.db(), patron, *today);
    auto waiting = db::PatronHolds(ctx.db(), patron, false);
    auto ready = db::PatronHolds(ctx.db(), patron, true);
    if (!loans.ok()) return Failure(ctx, loans.status());
    if (!waiting.ok()) return Failure(ctx, waiting.status());
    if (!ready.ok()) return Failure(ctx, ready.status());
    pages::AccountHomeView v;
    v.message = std::move(message);
    v.loans = static_cast<int>(loans->size());
    for (const auto& l : *loans) v.overdue += l.overdue;
    v.waiting = static_cast<int>(waiting->size());
    v.ready = static_cast<int>(ready->size());
    return Html(200, pages::RenderAccountHome(ctx.page(), v));
  }

  Response LoginPost(const Request& req, Ctx& ctx) {
    const std::string card(req.Param("card"));
    auto id = db::Login(ctx.db(), card, req.Param("password"), ThrottleKey(ctx), Throttling(),
                        NowSeconds());
    if (!id.ok()) {
      if (id.status().code() == Status::Code::kIo) return Failure(ctx, id.status());
      return LoginPage(ctx, card, id.status().message(), 403, std::string(req.Param("next")));
    }
    // A new id at login: whoever knew the old one (a shared URL) is left behind.
    Status s = ctx.session.Rotate();
    if (s.ok()) s = db::SetSessionPatron(ctx.db(), ctx.session.row()->id, *id);
    if (!s.ok()) return Failure(ctx, s);
    ctx.session.mutable_row()->patron_id = *id;
    std::string_view next = req.Param("next");
    return ctx.Redirect(IsLocalPath(next) ? next : "/account");
  }

  Response LogoutPost(const Request&, Ctx& ctx) {
    Status s = ctx.session.End();
    if (!s.ok()) return Failure(ctx, s);
    return ctx.Redirect("/");
  }

  Response RegisterPage(Ctx& ctx, pages::RegisterView v, int status = 200) {
    Status s = ctx.session.Ensure();
    if (!s.ok()) return Failure(ctx, s);
    v.min_length = cfg.password_min;
    v.max_length = cfg.password_max;
    return Html(status, pages::RenderRegister(ctx.page(), v));
  }

  Response RegisterForm(const Request&, Ctx& ctx) { return RegisterPage(ctx, {}); }

  Response RegisterPost(const Request& req, Ctx& ctx) {
    pages::RegisterView v;
    v.card = std::string(req.Param("card"));
    v.name_kana = std::string(req.Param("name"));
    v.phone = std::string(req.Param("phone"));
    v.email = std::string(req.Param("email"));
    const std::string password = charset::NormalizePassword(req.Param("password"));
    if (password != charset::NormalizePassword(req.Param("password2"))) {
      v.message = "パスワードが確認用と一致しません。同じものを2回入力してください。";
      return RegisterPage(ctx, std::move(v), 400);
    }
    Status s = db::RegisterPassword(ctx.db(), v.card, v.name_kana, v.phone, password, v.email,
                                    ThrottleKey(ctx), Policy(), cfg.hashing, Throttling(),
                                    NowSeconds(), ClassName(ctx.profile.device_class));
    if (!s.ok()) {
      if (s.code() == Status::Code::kIo) return Failure(ctx, s);
      v.message = s.message();
      return RegisterPage(ctx, std::move(v), 403);
    }
    v.done = true;
    return RegisterPage(ctx, std::move(v));
  }

  Response GuidePage(const Request&, Ctx& ctx) { return Html(200, pages::RenderGuide(ctx.page())); }

  Response PasswordForm(const Request&, Ctx& ctx) {
    pages::PasswordView v{"", cfg.password_min, cfg.password_max};
    return Html(200, pages::RenderPasswordChange(ctx.page(), v));
  }

  Response PasswordPost(const Request& req, Ctx& ctx) {
    pages::PasswordView v{"", cfg.password_min, cfg.password_max};
    const std::string next = charset::NormalizePassword(req.Param("password"));
    if (next != charset::NormalizePassword(req.Param("password2"))) {
      v.message = "新しいパスワードが確認用と一致しません。";
      return Html(400, pages::RenderPasswordChange(ctx.page(), v));
    }
    Status s = db::ChangePassword(ctx.db(), *PatronOf(ctx),
                                  charset::NormalizePassword(req.Param("current")), next,
                                  ctx.session.row()->id, Policy(), cfg.hashing, Throttling(),
                                  NowSeconds(), ClassName(ctx.profile.device_class));
    if (!s.ok()) {
      if (s.code() == Status::Code::kIo) return Failure(ctx, s);
      v.message = s.message();
      return Html(403, pages::RenderPasswordChange(ctx.page(), v));
    }
    return AccountHome(ctx, *PatronOf(ctx), "パスワードを変更しました。");
  }

  pages::EmailView EmailViewFor(Ctx& ctx) {
    pages::EmailView v;
    v.sender = cfg.mail_from;
    auto p = db::FindPatronById(ctx.db(), *PatronOf(ctx));
    if (p.ok() && p->has_value()) v.current = (*p)->email;
    return v;
  }

  Response EmailForm(const Request&, Ctx& ctx) {
    return Html(200, pages::RenderEmailChange(ctx.page(), EmailViewFor(ctx)));
  }

  Response EmailPost(const Request& req, Ctx& ctx) {
    pages::EmailView v = EmailViewFor(ctx);
    const int64_t patron = *PatronOf(ctx);
    v.entered = std::string(req.Param("email"));
    const std::string address = db::NormalizeEmailInput(v.entered);
    if (address.empty() && req.Param("confirm") != "1") {
      // Removing the address: say first what happens to the holds that wait for a mail.
      auto n = db::MailHoldCount(ctx.db(), patron);
      if (!n.ok()) return Failure(ctx, n.status());
      if (*n > 0) {
        v.confirm_removal = true;
        v.mail_holds = *n;
        return Html(200, pages::RenderEmailChange(ctx.page(), v));
      }
    }
    auto changed = db::ChangeEmail(ctx.db(), patron, address, NowSeconds());
    if (!changed.ok()) {
      if (changed.status().code() == Status::Code::kIo) return Failure(ctx, changed.status());
      v.message = changed.status().message();
      return Html(400, pages::RenderEmailChange(ctx.page(), v));
    }
    return AccountHome(ctx, patron,
                       address.empty() ? "Eメールアドレスの登録を消しました。"
                                       : "Eメールアドレスを変更しました。");
  }

  std::string DateText(const std::string& ymd) {
    auto d = db::Date::Parse(ymd);
    return d ? JapaneseDate(*d) : ymd;
  }

  Response LoansView(const Request& req, Ctx& ctx, std::string message, int status = 200) {
    auto today = Today();
    if (!today.ok()) return Failure(ctx, today.status());
    auto loans = db::PatronLoans(ctx.db(), *PatronOf(ctx), *today);
    if (!loans.ok()) return Failure(ctx, loans.status());
    pages::LoansView v;
    v.message = std::move(message);
    v.loan_days = cfg.rules.loan_days;
    const Slice slice = SliceOf(req, ctx.profile, loans->size());
    v.paging = slice.paging;
    for (size_t i = slice.from; i < slice.to; ++i) {
      const db::LoanLine& l = (*loans)[i];
      pages::LoanLineView line{pages::TitleWithVolume(l.title, l.volume),
                               DateText(l.due_on), l.overdue, l.reserved};
      line.loan_id = l.loan_id;
      // RenewLoan decides; the button is offered where it can succeed.
      line.renewable = !l.overdue && !l.reserved && l.renewals < cfg.rules.max_renewals;
      v.loans.push_back(std::move(line));
    }
    return Html(status, pages::RenderLoans(ctx.page(), v));
  }
  Response LoansPage(const Request& req, Ctx& ctx) { return LoansView(req, ctx, ""); }

  Response RenewPost(const Request& req, Ctx& ctx) {
    auto today = Today();
    if (!today.ok()) return Failure(ctx, today.status());
    auto due = db::RenewLoan(ctx.db(), *PatronOf(ctx), ParseInt(req.Param("id"), 0, 0, 999999999),
                             *today, cfg.rules);
    if (!due.ok()) {
      if (due.status().code() == Status::Code::kIo || due.status().code() == Status::Code::kBusy) {
        return Failure(ctx, due.status());
      }
      return LoansView(req, ctx, due.status().message(), 409);
    }
    return LoansView(req, ctx, "延長しました。新しい返却期限は" + JapaneseDate(*due) + "です。");
  }

  // The patron's own hold `id`, waiting or ready; nullopt when not theirs.
  Result<std::optional<std::pair<db::HoldLine, bool>>> OwnHold(Ctx& ctx, int64_t id) {
    for (bool ready : {false, true}) {
      auto holds = db::PatronHolds(ctx.db(), *PatronOf(ctx), ready);
      if (!holds.ok()) return holds.status();
      for (auto& h : *holds) {
        if (h.hold_id == id) return std::optional<std::pair<db::HoldLine, bool>>({h, ready});
      }
    }
    return std::optional<std::pair<db::HoldLine, bool>>();
  }

  Response HoldDetail(const Request& req, Ctx& ctx) {
    auto own = OwnHold(ctx, ParseInt(req.Param("id"), 0, 0, 999999999));
    if (!own.ok()) return Failure(ctx, own.status());
    if (!own->has_value()) return Html(404, pages::RenderNotFound(ctx.page()));
    const auto& [hold, ready] = **own;
    auto patron = db::FindPatronById(ctx.db(), *PatronOf(ctx));
    if (!patron.ok() || !patron->has_value()) return Failure(ctx, patron.status());
    pages::HoldDetailView v;
    v.hold_id = hold.hold_id;
    v.title = pages::TitleWithVolume(hold.title, hold.volume);
    v.ready = ready;
    v.branch_code = hold.branch_code;
    v.contact = hold.contact;
    v.branches = BranchesFor(**patron);
    v.has_email = !(*patron)->email.empty();
    return Html(200, pages::RenderHoldDetail(ctx.page(), v));
  }

  Response HoldChangePost(const Request& req, Ctx& ctx) {
    const int64_t id = ParseInt(req.Param("id"), 0, 0, 999999999);
    auto own = OwnHold(ctx, id);
    if (!own.ok()) return Failure(ctx, own.status());
    if (!own->has_value()) return Html(404, pages::RenderNotFound(ctx.page()));
    const auto& [hold, ready] = **own;
    const std::string title = pages::TitleWithVolume(hold.title, hold.volume);
    const std::string what = req.path.substr(req.path.rfind('/') + 1);  // cancel | branch | contact
    const std::string branch(req.Param("branch")), contact(req.Param("contact"));
    // Feature phones confirm every change on a page of its own.
    if (ctx.profile.feature_phone() && req.Param("confirm") != "1") {
      pages::ConfirmView v;
      v.action = req.path;
      v.fields = {{"id", std::to_string(id)}};
      if (what == "cancel") {
        v.heading = "予約の取り消し";
        v.text = "「" + title + "」の予約を取り消します。よろしいですか。";
        v.button = "取り消す";
      } else if (what == "branch") {
        const db::Branch* b = cfg.rules.FindBranch(branch);
        v.heading = "受取館の変更";
        v.text = "「" + title + "」の受取館を" + (b ? b->name : branch) + "に変えます。";
        v.button = "変える";
        v.fields.emplace_back("branch", branch);
      } else {
        v.heading = "連絡方法の変更";
        v.text = "「" + title + "」の連絡方法を" + ContactName(contact) + "に変えます。";
        v.button = "変える";
        v.fields.emplace_back("contact", contact);
      }
      return Html(200, pages::RenderConfirm(ctx.page(), v));
    }
    auto today = Today();
    if (!today.ok()) return Failure(ctx, today.status());
    Status s = what == "cancel"   ? db::CancelHold(ctx.db(), *PatronOf(ctx), id, *today, cfg.rules)
               : what == "branch" ? db::ChangeHoldBranch(ctx.db(), *PatronOf(ctx), id, branch)
                                  : db::ChangeHoldContact(ctx.db(), *PatronOf(ctx), id, contact);
    if (!s.ok()) {
      if (s.code() == Status::Code::kIo || s.code() == Status::Code::kBusy) return Failure(ctx, s);
      return HoldList(req, ctx, ready, s.message(), 409);
    }
    return HoldList(req, ctx, ready,
                    what == "cancel"   ? "「" + title + "」の予約を取り消しました。"
                    : what == "branch" ? "受取館を変えました。"
                                       : "連絡方法を変えました。");
  }

  Response HoldList(const Request& req, Ctx& ctx, bool ready, std::string message = "",
                    int status = 200) {
    auto holds = db::PatronHolds(ctx.db(), *PatronOf(ctx), ready);
    if (!holds.ok()) return Failure(ctx, holds.status());
    pages::HoldsView v;
    v.ready = ready;
    v.message = std::move(message);
    const Slice slice = SliceOf(req, ctx.profile, holds->size());
    v.paging = slice.paging;
    for (size_t i = slice.from; i < slice.to; ++i) {
      const db::HoldLine& h = (*holds)[i];
      std::string notice;
      if (ready && h.contact == "mail") {
        auto sent = db::NoticeSentAt(ctx.db(), h.hold_id);
        if (!sent.ok()) return Failure(ctx, sent.status());
        if (sent->has_value()) notice = **sent;
      }
      v.holds.push_back({h.hold_id, pages::TitleWithVolume(h.title, h.volume),
                         h.branch_name, ContactName(h.contact), h.position, DateText(h.deadline),
                         std::move(notice)});
    }
    return Html(status, pages::RenderHolds(ctx.page(), v));
  }
  Response HoldsPage(const Request& req, Ctx& ctx) { return HoldList(req, ctx, false); }
  Response ReadyPage(const Request& req, Ctx& ctx) { return HoldList(req, ctx, true); }

  // The one stylesheet (smartphones and PCs link it; feature phones never do).
  Response Style(const Request&, Ctx&) {
    Response r;
    r.content_type = "text/css; charset=UTF-8";
    static const std::string sheet(pages::StyleSheet());
    r.kept_body = &sheet;
    (void)r.SetHeader("Cache-Control", "public, max-age=86400");
    return r;
  }

  Response Health(const Request&, Ctx& ctx) {
    Response r;
    r.content_type = "text/plain; charset=UTF-8";
    Status s = db::Ping(ctx.db());
    if (!s.ok()) {
      r.status = 503;
      r.body = "database: error\n";
      return r;
    }
    auto m = db::MaintenanceOn(ctx.db());
    r.body = "ok\nmaintenance: ";
    r.body += (cfg.maintenance || (m.ok() && *m)) ? "on\n" : "off\n";
    return r;
  }

  Response Failure(Ctx& ctx, const Status& s) {
    std::fprintf(stderr, "shiori: %s: %s\n", ctx.path.c_str(), s.message().c_str());
    return Html(500,
                pages::RenderError(ctx.page(), "エラー",
                                   "ただいま処理できません。しばらくしてからお試しください。"));
  }

  // ------------------------------------------------------------ the request path

  Response Dispatch(Request& raw) {
    DeviceProfile profile = DetectDevice(DeviceHeaders{
        raw.Header("user-agent"), raw.Header("sec-ch-ua-mobile"), raw.Header("sec-ch-ua-platform"),
        raw.Header("x-up-subno"), raw.Header("x-jphone-uid"), raw.Header("x-dcmguid")});
    Ctx ctx(*pool, cfg, std::move(profile), static_cast<int64_t>(std::time(nullptr)));
    ctx.path = raw.path;
    const std::string query = WithoutParam(raw.raw_query, kSessionParam);
    ctx.page_url = cfg.site_url + raw.path + (query.empty() ? "" : "?" + query);
    Response r = Serve(raw, ctx);
    Finish(raw, ctx, r);
    // Timed-out sessions go at most every ten minutes, by whichever request comes.
    int64_t last = last_purge.load();
    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    if (now - last > 600 && last_purge.compare_exchange_strong(last, now)) {
      auto n = db::PurgeSessions(ctx.db(), now, SessionLimitsOf(cfg));
      if (!n.ok())
        std::fprintf(stderr, "shiori: session purge: %s\n", n.status().message().c_str());
    }
    return r;
  }

  Response Serve(Request& raw, Ctx& ctx) {
    // 1. The session (its id is ASCII, readable before decoding).
    Status s = ctx.session.Load(raw);
    if (!s.ok()) return Failure(ctx, s);

    // 2. The output charset: the patron's choice, else the device's.
    const db::SessionRow* row = ctx.session.row();
    ctx.shift_jis = row && row->charset ? *row->charset == "sjis" : ctx.profile.shift_jis;
    ctx.device = PageDevice(ctx.profile, ctx.shift_jis);

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
    for (const auto& r : routes) {
      if (req.path != r.path) continue;
      path_known = true;
      if (method == r.method) route = &r;
    }

    // 5. The maintenance switch, once, before any public handler.
    if (!route || route->public_page) {
      if (MaintenanceOn(ctx)) {
        Response r = Html(503, pages::RenderMaintenance(ctx.page()));
        (void)r.SetHeader("Retry-After", "3600");
        return r;
      }
    }
    if (!route) {
      if (path_known) {
        Response r = Html(405, pages::RenderError(ctx.page(), "この操作はできません",
                                                  "このページはこの方法では開けません。"));
        (void)r.SetHeader("Allow", method == "GET" ? "POST" : "GET, HEAD");
        return r;
      }
      return Html(404, pages::RenderNotFound(ctx.page()));
    }

    // 6. Pages of one's own account need a logged-in session.
    if (route->needs_login && !PatronOf(ctx)) {
      // After the login, a page that was asked for by GET is shown.
      return LoginPage(ctx, "", "ログインしてください。", 401, method == "GET" ? req.path : "");
    }

    // 7. Every state change is a POST with the session's CSRF token.
    if (method == "POST" &&
        !(ctx.session.active() && TokensEqual(req.Param(kCsrfParam), ctx.session.csrf()))) {
      return Html(
          403, pages::RenderError(ctx.page(), "もう一度操作してください",
                                  "画面の有効期限が切れたか、正しい画面からの操作ではありません。"
                                  "前の画面に戻り、読み込み直してからもう一度操作してください。"));
    }
    return (this->*(route->handler))(req, ctx);
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
                     raw.path.c_str(), bytes, ctx.profile.budget_bytes);
      }
    }
    const bool https = raw.Header("x-forwarded-proto") == "https";
    if (auto c = ctx.session.cookie_to_set(https)) (void)r.SetHeader("Set-Cookie", *c);
    if (ctx.session.active()) (void)r.SetHeader("Cache-Control", "private, no-store");
  }
};

App::App(const Config& cfg, std::unique_ptr<db::Pool> pool)
    : impl_(std::make_unique<Impl>(cfg, std::move(pool))) {}
App::~App() = default;

Response App::Handle(Request& req) {
  Response r;
  try {
    r = impl_->Dispatch(req);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shiori: handler failed: %s\n", e.what());
    r = Response();
    r.status = 500;
    r.body =
        "<!DOCTYPE html><html lang=\"ja\"><title>エラー</title><h1>エラー</h1>"
        "<p>ただいま処理できません。</p></html>";
  }
  (void)r.SetHeader("X-Content-Type-Options", "nosniff");
  (void)r.SetHeader("Referrer-Policy", "no-referrer");
  return r;
}

}  // namespace shiori::gateway
