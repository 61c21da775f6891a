// The cart (カート) and reserving what is in it (予約): the cart lives in the
// session, so no login is needed until 予約する. 「カートに入れる」 leads back to
// the page it was pressed on (`back`) with 「カートに入れました」 shown there.
// For a patron logged in, the cart and both reserve steps say which titles
// 予約する would refuse and why (db::CheckHolds). Placing the holds is one
// transaction with a line of result per title; the titles placed leave the
// cart, the others stay.
#include <ctime>
#include <iterator>

#include "gateway/clock.h"
#include "gateway/handlers.h"

namespace shiori::gateway {
namespace {

// The session's cart; with `judge` and a patron logged in, each line says why
// 予約する would refuse it now.
Result<std::vector<pages::CartLineView>> CartLines(Ctx& ctx, bool judge) {
  std::vector<pages::CartLineView> out;
  if (!ctx.session.active()) return out;
  auto items = db::CartList(ctx.db(), ctx.session.row()->id);
  if (!items.ok()) return items.status();
  std::vector<int64_t> ids;
  for (auto& it : *items) {
    ids.push_back(it.record_id);
    out.push_back({it.record_id, pages::TitleWithVolume(it.title, it.volume),
                   pages::AuthorsText(AuthorViews(it.authors)), ""});
  }
  const std::optional<int64_t> patron = PatronOf(ctx);
  if (judge && patron && !ids.empty()) {
    auto judged = db::CheckHolds(ctx.db(), *patron, ids, ctx.cfg.rules);
    if (!judged.ok()) return judged.status();
    for (size_t i = 0; i < out.size() && i < judged->size(); ++i) {
      out[i].refusal = std::move((*judged)[i].message);
    }
  }
  return out;
}

// A cart line with its form and a reason weighs about 500 bytes on a phone.
constexpr long kCartLineBytes = 500;

// The cart page, at the request's page of lines (p=) on a phone.
Response CartView(const Request& req, Ctx& ctx, std::string message, int status = 200,
                  std::string back = "") {
  auto lines = CartLines(ctx, true);
  if (!lines.ok()) return Failure(ctx, lines.status());
  if (!lines->empty()) {
    Status s = ctx.session.Ensure();
    if (!s.ok()) return Failure(ctx, s);
  }
  const Slice slice = SliceOf(req, ctx, lines->size(), kCartLineBytes);
  pages::CartView v;
  v.message = std::move(message);
  v.count = lines->size();
  v.items.assign(std::make_move_iterator(lines->begin() + slice.from),
                 std::make_move_iterator(lines->begin() + slice.to));
  v.limit = db::kCartLimit;
  v.paging = slice.paging;
  v.back = std::move(back);
  return Html(status, pages::RenderCart(ctx.page(), v));
}

// メール（address）, 電話（number） or 連絡不要: how the patron will be told.
std::string ContactWithDetail(std::string_view contact, const db::PatronRow& p) {
  const std::string& detail = contact == "mail" ? p.email : contact == "phone" ? p.phone : "";
  std::string out = ContactName(contact);
  if (!detail.empty()) out += "（" + detail + "）";
  return out;
}

Response ReserveStep(const Request& req, Ctx& ctx, bool confirm) {
  if (!ctx.patron) return LoginPage(ctx, "", "ログインしてください。", 401);
  const db::PatronRow& patron = *ctx.patron;
  auto lines = CartLines(ctx, true);
  if (!lines.ok()) return Failure(ctx, lines.status());
  if (lines->empty())
    return CartView(req, ctx, "カートが空です。予約する資料をカートに入れてください。");
  pages::ReserveView v;
  v.items = std::move(lines).value();
  v.email = patron.email;
  v.phone = patron.phone;
  v.branches = BranchesFor(ctx.cfg, patron);
  if (confirm) {
    v.branch = std::string(req.Param("branch"));
    v.contact = std::string(req.Param("contact"));
    const db::Branch* b = ctx.cfg.rules.FindBranch(v.branch);
    const bool contact_ok =
        v.contact == "phone" || v.contact == "none" || (v.contact == "mail" && !v.email.empty());
    if (!b || !contact_ok) {
      v.message = "受取館と連絡方法を選んでください。";
      return Html(400, pages::RenderReserve(ctx.page(), v));
    }
    v.confirm = true;
    v.branch_name = b->name;
    v.contact_name = ContactWithDetail(v.contact, patron);
    v.request_key = NewToken(ctx.site.random);
  }
  return Html(200, pages::RenderReserve(ctx.page(), v));
}

}  // namespace

Response CartPage(const Request& req, Ctx& ctx) { return CartView(req, ctx, ""); }

// Back to the page the title was added from, with added=1: that page shows
// the status line, with the count read from the cart (the parameter itself
// decides nothing else). Without a page to go back to, the cart.
Response CartAddPost(const Request& req, Ctx& ctx) {
  const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
  const std::string back = ReturnTo(req.Param("back"), "");
  Status s = ctx.session.Ensure();  // a visitor's first title makes the session
  if (!s.ok()) return Failure(ctx, s);
  s = db::CartAdd(ctx.db(), ctx.session.row()->id, id, ctx.clock.Now());
  if (!s.ok()) {
    if (!s.refusal()) return Failure(ctx, s);
    return CartView(req, ctx, s.message(), 409, back);
  }
  if (back.empty()) return CartView(req, ctx, "カートに入れました。");
  return ctx.Redirect(back + (back.find('?') == std::string::npos ? "?" : "&") + "added=1");
}

Response CartRemovePost(const Request& req, Ctx& ctx) {
  const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
  if (ctx.session.active()) {
    Status s = db::CartRemove(ctx.db(), ctx.session.row()->id, id);
    if (!s.ok()) return Failure(ctx, s);
  }
  return CartView(req, ctx, "カートから取り出しました。");
}

Response ReserveForm(const Request& req, Ctx& ctx) { return ReserveStep(req, ctx, false); }
Response ReserveConfirm(const Request& req, Ctx& ctx) { return ReserveStep(req, ctx, true); }

Response ReservePlace(const Request& req, Ctx& ctx) {
  if (!ctx.patron) return LoginPage(ctx, "", "ログインしてください。", 401);
  const db::PatronRow& patron = *ctx.patron;
  auto lines = CartLines(ctx, false);
  if (!lines.ok()) return Failure(ctx, lines.status());
  std::vector<int64_t> ids;
  for (const auto& l : *lines) ids.push_back(l.id);
  const std::string branch(req.Param("branch")), contact(req.Param("contact"));
  const std::string key(req.Param("key"));
  const std::time_t now = static_cast<std::time_t>(ctx.clock.Now());
  char iso[32];
  std::tm tm;
  gmtime_r(&now, &tm);
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  auto results = db::PlaceHolds(ctx.db(), patron.id, ids, branch, contact,
                                IsTokenShaped(key) ? key : "", ctx.cfg.rules, iso);
  if (!results.ok()) {
    if (!results.status().refusal()) return Failure(ctx, results.status());
    return CartView(req, ctx, results.status().message(), 400);
  }
  // A repeated send answers with the first one's results, whose titles may
  // have left the cart since: they are looked up again.
  pages::ReserveResultView v;
  v.pickup_days = ctx.cfg.rules.pickup_open_days;
  const db::Branch* b = ctx.cfg.rules.FindBranch(branch);
  v.branch_name = b ? b->name : branch;
  v.contact_name = ContactWithDetail(contact, patron);
  std::vector<int64_t> placed;
  for (const auto& hr : *results) {
    pages::ReserveLineView l;
    auto rec = db::GetRecord(ctx.db(), hr.record_id);
    l.title =
        rec.ok() && rec->has_value() ? pages::TitleWithVolume((*rec)->title, (*rec)->volume) : "";
    l.placed = hr.outcome == db::HoldOutcome::kPlaced;
    l.position = hr.position;
    l.on_shelf = hr.available_now;
    l.message = hr.message;
    if (l.placed) placed.push_back(hr.record_id);
    v.lines.push_back(std::move(l));
  }
  Status s = db::CartRemoveAll(ctx.db(), ctx.session.row()->id, placed);
  if (!s.ok()) return Failure(ctx, s);
  return Html(200, pages::RenderReserveResult(ctx.page(), v));
}

}  // namespace shiori::gateway
