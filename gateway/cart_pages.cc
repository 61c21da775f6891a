// The cart (カート) and reserving what is in it (予約): the cart lives in the
// session, so no login is needed until 予約する; placing the holds is one
// transaction with a line of result per title.
#include <ctime>

#include "gateway/clock.h"
#include "gateway/handlers.h"

namespace shiori::gateway {
namespace {

Result<std::vector<pages::CartLineView>> CartLines(Ctx& ctx) {
  std::vector<pages::CartLineView> out;
  if (!ctx.session.active()) return out;
  auto items = db::CartList(ctx.db(), ctx.session.row()->id);
  if (!items.ok()) return items.status();
  for (auto& it : *items) {
    out.push_back({it.record_id, pages::TitleWithVolume(it.title, it.volume), it.authors});
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
  pages::CartView v{std::move(message), std::move(lines).value(), db::kCartLimit, std::move(back)};
  return Html(status, pages::RenderCart(ctx.page(), v));
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
  v.branches = BranchesFor(ctx.cfg, **patron);
  if (confirm) {
    v.branch = std::string(req.Param("branch"));
    v.contact = std::string(req.Param("contact"));
    const db::Branch* b = ctx.cfg.rules.FindBranch(v.branch);
    const bool contact_ok =
        v.contact == "phone" || v.contact == "none" || (v.contact == "mail" && v.has_email);
    if (!b || !contact_ok) {
      v.message = "受取館と連絡方法を選んでください。";
      return Html(400, pages::RenderReserve(ctx.page(), v));
    }
    v.confirm = true;
    v.branch_name = b->name;
    v.contact_name = ContactName(v.contact);
    v.request_key = NewToken(ctx.site.random);
  }
  return Html(200, pages::RenderReserve(ctx.page(), v));
}

}  // namespace

Response CartPage(const Request&, Ctx& ctx) { return CartView(ctx, ""); }

Response CartAddPost(const Request& req, Ctx& ctx) {
  const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
  Status s = ctx.session.Ensure();  // a visitor's first title makes the session
  if (!s.ok()) return Failure(ctx, s);
  s = db::CartAdd(ctx.db(), ctx.session.row()->id, id, ctx.clock.Now());
  if (!s.ok()) {
    if (!s.refusal()) return Failure(ctx, s);
    return CartView(ctx, s.message(), 409);
  }
  return CartView(ctx, "カートに入れました。", 200, ReturnTo(req.Param("back"), ""));
}

Response CartRemovePost(const Request& req, Ctx& ctx) {
  const int id = ParseInt(req.Param("id"), 0, 0, 999999999);
  if (ctx.session.active()) {
    Status s = db::CartRemove(ctx.db(), ctx.session.row()->id, id);
    if (!s.ok()) return Failure(ctx, s);
  }
  return CartView(ctx, "カートから取り出しました。");
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
  const std::time_t now = static_cast<std::time_t>(ctx.clock.Now());
  char iso[32];
  std::tm tm;
  gmtime_r(&now, &tm);
  std::strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
  auto results = db::PlaceHolds(ctx.db(), *PatronOf(ctx), ids, branch, contact,
                                IsTokenShaped(key) ? key : "", ctx.cfg.rules, iso);
  if (!results.ok()) {
    if (!results.status().refusal()) return Failure(ctx, results.status());
    return CartView(ctx, results.status().message(), 400);
  }
  // Titles from a repeated send are looked up again: the cart was emptied the first time.
  pages::ReserveResultView v;
  v.pickup_days = ctx.cfg.rules.pickup_open_days;
  const db::Branch* b = ctx.cfg.rules.FindBranch(branch);
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

}  // namespace shiori::gateway
