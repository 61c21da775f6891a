// The catalogue's pages (蔵書検索): the top page (kept rendered per kind of
// device), はじめに/免責事項, 文字コード, the exit page for links off the site,
// the result list, 詳しく探す, a record with its copies, and the stylesheet and
// /healthz.
#include <algorithm>

#include "charset/charset.h"
#include "db/schema.h"
#include "gateway/clock.h"
#include "gateway/handlers.h"

namespace shiori::gateway {
namespace {

// The top page without a login or a query depends only on the device's
// carrier (a carrier's phone is a feature phone), the version of the pages
// and the charset: it is rendered once per kind and kept.
constexpr Layout kLayouts[] = {Layout::kKeypad, Layout::kSmartphone, Layout::kPc};
constexpr size_t kLayoutCount = std::size(kLayouts);
size_t TopKey(Carrier carrier, Layout layout, bool shift_jis) {
  return (static_cast<size_t>(carrier) * kLayoutCount + static_cast<size_t>(layout)) * 2 +
         (shift_jis ? 1 : 0);
}

// The record ids in the session's cart, read only when there is a session
// (none is made for it).
Result<std::vector<int64_t>> InCart(Ctx& ctx) {
  if (!ctx.session.active()) return std::vector<int64_t>();
  return db::CartRecordIds(ctx.db(), ctx.session.row()->id);
}

// The count for 「カートに入れました（n冊）」 when the page was reached from
// 「カートに入れる」 (added=1) and the cart holds something; else 0.
int CartAddedCount(const Request& req, const std::vector<int64_t>& in_cart) {
  return req.Param("added") == "1" ? static_cast<int>(in_cart.size()) : 0;
}

}  // namespace

void KeepTopPages(Site& site, db::Pool& pool) {
  constexpr Carrier kCarriers[] = {Carrier::kNone, Carrier::kDocomo, Carrier::kAu,
                                   Carrier::kSoftbank, Carrier::kWillcom};
  site.top_pages.resize(std::size(kCarriers) * kLayoutCount * 2);
  for (Carrier carrier : kCarriers) {
    for (Layout layout : kLayouts) {
      for (bool sjis : {false, true}) {
        DeviceProfile p;
        p.carrier = carrier;
        p.device_class = carrier == Carrier::kNone ? DeviceClass::kPc : DeviceClass::kFeature;
        p.accesskey_emoji = carrier == Carrier::kDocomo;
        Ctx ctx(pool, site, p, 0);
        ctx.shift_jis = sjis;
        ctx.layout = layout;
        ctx.device = PageDevice(ctx.profile, sjis, layout);
        if (layout == Layout::kPc && carrier == Carrier::kNone) {
          ctx.page_url = site.cfg.mail.site_url + "/";
        }
        // Kept as sent: encoded once here, not at every request.
        const std::string page = pages::RenderTop(ctx.page(), pages::TopView{});
        site.top_pages[TopKey(carrier, layout, sjis)] = sjis ? charset::Utf8ToSjis(page) : page;
      }
    }
  }
}

Response Top(const Request& req, Ctx& ctx) {
  pages::TopView v;
  v.query = std::string(req.Param("q"));
  if (v.query.empty() && !ctx.session.id_in_urls() && !ctx.signed_in) {
    Response r;
    r.kept_body = &ctx.site.top_pages[TopKey(ctx.profile.carrier, ctx.layout, ctx.shift_jis)];
    if (ctx.shift_jis) r.content_type = kSjisHtml;
    return r;
  }
  return Html(200, pages::RenderTop(ctx.page(), v));
}

Response Disclaimer(const Request&, Ctx& ctx) {
  return Html(200, pages::RenderDisclaimer(ctx.page()));
}

Response CharsetForm(const Request& req, Ctx& ctx) {
  pages::CharsetView v;
  v.shift_jis_now = ctx.shift_jis;
  v.back = ReturnTo(req.Param("back"), "/");
  return Html(200, pages::RenderCharset(ctx.page(), v));
}

Response CharsetSet(const Request& req, Ctx& ctx) {
  std::string_view to = req.Param("to");
  if (to != "sjis" && to != "utf8") {
    return Html(400, pages::RenderError(ctx.page(), "選んでください",
                                        "Shift_JISかUTF-8のどちらかを選んでください。"));
  }
  Status s = ctx.session.Ensure();  // the first state change of a visitor makes the session
  if (s.ok()) s = db::SetSessionCharset(ctx.db(), ctx.session.row()->id, std::string(to));
  if (!s.ok()) return Failure(ctx, s);
  return ctx.Redirect(ReturnTo(req.Param("back"), "/"));
}

pages::PageVersion VersionOf(Layout l) {
  return l == Layout::kKeypad       ? pages::PageVersion::kKeitai
         : l == Layout::kSmartphone ? pages::PageVersion::kSmart
                                    : pages::PageVersion::kPc;
}

Response VersionForm(const Request& req, Ctx& ctx) {
  pages::VersionView v;
  v.now = VersionOf(ctx.layout);
  v.native = VersionOf(NativeLayout(ctx.profile));
  v.chosen = ctx.session.row() && ctx.session.row()->layout;
  v.back = ReturnTo(req.Param("back"), "/");
  return Html(200, pages::RenderVersion(ctx.page(), v));
}

// to=keitai|smart|pc chooses a version for the session; to=auto gives the
// device its own again.
Response VersionSet(const Request& req, Ctx& ctx) {
  const std::string_view to = req.Param("to");
  if (to != "auto" && !LayoutFromName(to)) {
    return Html(400, pages::RenderError(ctx.page(), "選んでください",
                                        "ケータイ版・スマホ版・PC版のどれかを選んでください。"));
  }
  // A visitor without a session already has the device's own version.
  if (to == "auto" && !ctx.session.active()) return ctx.Redirect(ReturnTo(req.Param("back"), "/"));
  Status s = ctx.session.Ensure();  // the first state change of a visitor makes the session
  if (s.ok()) {
    s = db::SetSessionLayout(ctx.db(), ctx.session.row()->id,
                             to == "auto" ? std::nullopt : std::optional<std::string>(to));
  }
  if (!s.ok()) return Failure(ctx, s);
  return ctx.Redirect(ReturnTo(req.Param("back"), "/"));
}

// An old au or SoftBank phone sends this page's address as the Referer to the
// site it links to, so neither the address nor anything on the page carries
// the session id: an address that came with one is sent again without it.
Response Exit(const Request& req, Ctx& ctx) {
  ctx.links.LeaveOutSessionId();
  ctx.signed_in.reset();  // its ログアウト form would go without the session id
  std::string_view to = req.Param("to");
  if (!IsHttpUrl(to)) {
    return Html(
        400, pages::RenderError(ctx.page(), "移動できません", "このアドレスへは移動できません。"));
  }
  if (!req.Param(kSessionParam).empty()) {
    return ctx.Redirect(ctx.links.ExitUrl(to));
  }
  return Html(200, pages::RenderExit(ctx.page(), to));
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
  if (ctx.cfg.rules.FindBranch(req.Param("branch"))) q.branch = std::string(req.Param("branch"));
  q.on_shelf_only = req.Param("shelf") == "1";
  // Said back under the count, and offered again to narrow by.
  v.title = q.title;
  v.author = q.author;
  v.publisher = q.publisher;
  v.subject = q.subject;
  v.isbn = q.isbn;
  v.year_from = q.year_from;
  v.year_to = q.year_to;
  v.branch = q.branch;
  v.on_shelf = q.on_shelf_only;
  for (const auto& b : ctx.cfg.rules.branches) v.branches.emplace_back(b.code, b.name);
  std::string_view sort = req.Param("sort");
  v.sort = sort == "newest" || sort == "oldest" || sort == "title" || sort == "author"
               ? std::string(sort)
               : "relevance";
  q.sort = v.sort == "newest"   ? db::SearchQuery::Sort::kNewest
           : v.sort == "oldest" ? db::SearchQuery::Sort::kOldest
           : v.sort == "title"  ? db::SearchQuery::Sort::kTitle
           : v.sort == "author" ? db::SearchQuery::Sort::kAuthor
                                : db::SearchQuery::Sort::kRelevance;
  // A hit weighs about 260 bytes on a phone, and up to 50 more for each
  // branch that holds it (「野田 貸出中（返却予定12月15日(火)）」 is 41 in
  // Shift_JIS) and for 「予約 n件」.
  const long hit_bytes = 260 + 50 * (static_cast<long>(ctx.cfg.rules.branches.size()) + 1);
  v.page_size = q.limit = LinesPerPage(ctx, hit_bytes, 20);
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
  if (r.ok() && r->hits.empty() && q.offset > 0) {
    // A page past the last one (an old bookmark, a catalogue that has
    // shrunk, a hand-made link) shows the last page there is.
    v.offset = q.offset = r->total > 0 ? (r->total - 1) / q.limit * q.limit : 0;
    if (r->total > 0) r = db::Search(ctx.db(), q);
  }
  if (!r.ok()) return Failure(ctx, r.status());
  // 「カートに入れる」 per hit where pages have room; phones add from the record page.
  v.cart_buttons = ctx.layout != Layout::kKeypad && !r->hits.empty();
  if (v.cart_buttons) {
    v.back = "/search?" + WithoutParam(WithoutParam(req.raw_query, kSessionParam), "added");
  }
  if (v.cart_buttons || req.Param("added") == "1") {
    auto in_cart = InCart(ctx);
    if (!in_cart.ok()) return Failure(ctx, in_cart.status());
    v.cart_added = CartAddedCount(req, *in_cart);
    v.in_cart = std::move(in_cart).value();
  }
  v.total = r->total;
  v.capped = r->capped;
  v.did_you_mean = std::move(r->did_you_mean);
  v.did_you_mean_link = !q.text.empty() && q.title.empty() && q.author.empty();
  for (auto& hit : r->hits) {
    pages::HitView h;
    h.id = hit.id;
    h.title = std::move(hit.title);
    h.volume = std::move(hit.volume);
    h.publisher = std::move(hit.publisher);
    h.authors = AuthorViews(hit.authors);
    h.year = hit.year;
    h.holds = hit.holds;
    // The branch searched in first, counted on its own; the others after it
    // in the configuration's order.
    const auto& branches = ctx.cfg.rules.branches;
    auto place = [&](const db::BranchHolding& b) {
      if (b.branch_code == q.branch) return -1;
      const db::Branch* at = ctx.cfg.rules.FindBranch(b.branch_code);
      return at ? static_cast<int>(at - branches.data()) : static_cast<int>(branches.size());
    };
    std::stable_sort(hit.holdings.begin(), hit.holdings.end(),
                     [&](const db::BranchHolding& a, const db::BranchHolding& b) {
                       return place(a) < place(b);
                     });
    for (const auto& b : hit.holdings) {
      pages::HoldingView k;
      const db::Branch* named = ctx.cfg.rules.FindBranch(b.branch_code);
      k.branch = named ? named->name : b.branch_code;
      k.lendable = b.lendable;
      k.on_shelf = b.on_shelf;
      k.in_library = b.in_library;
      k.on_loan = b.on_loan;
      k.held = b.held;
      k.in_transit = b.in_transit;
      k.missing = b.missing;
      if (auto due = db::Date::Parse(b.due_on)) k.due = db::JapaneseDate(*due);
      h.holdings.push_back(std::move(k));
    }
    v.hits.push_back(std::move(h));
  }
  return Html(200, pages::RenderResults(ctx.page(), v));
}

Response AdvancedPage(const Request&, Ctx& ctx) {
  pages::AdvancedView v;
  for (const auto& b : ctx.cfg.rules.branches) v.branches.emplace_back(b.code, b.name);
  return Html(200, pages::RenderAdvanced(ctx.page(), v));
}

Response RecordPage(const Request& req, Ctx& ctx) {
  const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
  auto r = id ? db::GetRecord(ctx.db(), id) : Result<std::optional<db::RecordDetail>>(std::nullopt);
  if (!r.ok()) return Failure(ctx, r.status());
  if (!r->has_value()) return Html(404, pages::RenderNotFound(ctx.page()));
  const db::RecordDetail& d = **r;
  pages::RecordView v;
  v.back = "/record?id=" + std::to_string(d.id);
  auto in_cart = InCart(ctx);
  if (!in_cart.ok()) return Failure(ctx, in_cart.status());
  v.in_cart = std::find(in_cart->begin(), in_cart->end(), d.id) != in_cart->end();
  v.cart_added = CartAddedCount(req, *in_cart);
  v.id = d.id;
  v.title = d.title;
  v.title_kana = d.title_kana;
  v.volume = d.volume;
  v.authors = AuthorViews(d.authors);
  v.publisher = d.publisher;
  v.year = d.year ? std::to_string(d.year) : "";
  v.isbn = d.isbn;
  v.ndc = d.ndc;
  v.subjects = d.subjects;
  v.notes = d.notes;
  for (const auto& c : d.copies) {
    std::string due;
    if (auto date = db::Date::Parse(c.due_on)) {
      due = db::JapaneseDate(*date);
    }
    v.copies.push_back({c.branch_name, c.call_number, c.status, due, c.in_library});
  }
  v.holds = d.holds;
  return Html(200, pages::RenderRecord(ctx.page(), v));
}

// The one stylesheet (smartphones and PCs link it; feature phones never do).
Response Style(const Request&, Ctx&) {
  Response r;
  r.content_type = "text/css; charset=UTF-8";
  static const KeptBody sheet{std::string(pages::StyleSheet())};
  r.kept_body = &sheet;
  (void)r.SetHeader("Cache-Control", "public, max-age=86400");
  return r;
}

// The icon smartphone and PC pages link: a file, so that each page does
// not carry it.
Response Icon(const Request&, Ctx&) {
  Response r;
  r.content_type = "image/svg+xml";
  static const KeptBody icon{std::string(pages::IconSvg())};
  r.kept_body = &icon;
  (void)r.SetHeader("Cache-Control", "public, max-age=86400");
  return r;
}

// The drawing of the card beside the card-number fields, made once from the
// configuration.
Response Card(const Request&, Ctx& ctx) {
  Response r;
  r.content_type = "image/svg+xml";
  r.kept_body = &ctx.site.card;
  (void)r.SetHeader("Cache-Control", "public, max-age=86400");
  return r;
}

// Pages without the stylesheet (ケータイ版) name no icon either, and a
// browser then asks for /favicon.ico: nothing, for a day, and no error.
Response Favicon(const Request&, Ctx&) {
  Response r;
  r.status = 204;
  r.content_type = "image/x-icon";
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
  r.body += (ctx.cfg.maintenance || (m.ok() && *m)) ? "on\n" : "off\n";
  return r;
}

}  // namespace shiori::gateway
