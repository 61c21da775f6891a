// カート and 予約: the cart with 予約する as its main action, the reservation
// form (naming the address or number each contact choice uses) and its
// confirmation (warning of the titles that will be refused), and the result
// line per title with the guide's words on preparation.
#include "pages/cart.h"

#include <string>

#include "pages/layout.h"

namespace shiori::pages {
namespace {

void PostForm(Html& h, const Context& ctx, std::string_view action) {
  h.Open("form", {{"action", ctx.links.Url(action)}, {"method", "post"}});
  ctx.links.FormFields(h, true);
}

// 予約する, the cart's main action: a strong link (the stylesheet draws it as
// the primary button); the first one carries the access key.
void ReserveLink(Html& h, const Context& ctx, bool first) {
  h.Open("p").Open("strong");
  if (first) {
    detail::KeyLink(h, ctx, ctx.links.Url("/reserve"), "予約する", '5');
  } else {
    h.Open("a", {{"href", ctx.links.Url("/reserve")}}).Text("予約する").Close();
  }
  h.Close().Close();
}

// The service guide's words on how long a hold may take.
void PreparationNote(Html& h) {
  h.Element("p",
            "予約時点で貸出されてない場合であっても、準備前に貸出される場合があります。"
            "予約多数の資料は用意ができるまでに長時間かかります。");
}

}  // namespace

void detail::CartButton(Html& h, const Context& ctx, int64_t id, std::string_view back,
                        bool in_cart) {
  if (in_cart) {
    h.Open("p").Open("a", {{"href", ctx.links.Url("/cart")}}).Text("カートに入っています").Close();
    h.Close();
    return;
  }
  PostForm(h, ctx, "/cart/add");
  h.Void("input", {{"type", "hidden"}, {"name", "id"}, {"value", std::to_string(id)}});
  h.Void("input", {{"type", "hidden"}, {"name", "back"}, {"value", back}});
  h.Void("input", {{"type", "submit"}, {"value", "カートに入れる"}});
  h.Close();
}

void detail::CartAdded(Html& h, const Context& ctx, int count) {
  h.Open("p", {{"role", "status"}})
      .Element("strong", "カートに入れました（" + std::to_string(count) + "冊）")
      .Text(" ")
      .Open("a", {{"href", ctx.links.Url("/cart")}})
      .Text("カートを見る")
      .Close()
      .Close();
}

std::string RenderCart(const Context& ctx, const CartView& v) {
  Html h;
  detail::BeginPage(h, ctx, "カート");
  if (!v.message.empty()) h.Open("p", {{"role", "status"}}).Element("strong", v.message).Close();
  if (v.count == 0) {
    h.Element("p", "カートは空です。検索結果や資料の画面で「カートに入れる」を押してください。");
    return detail::EndPage(h, ctx);
  }
  h.Element("p", std::to_string(v.count) + "冊（" + std::to_string(v.limit) + "冊まで）");
  ReserveLink(h, ctx, true);
  h.Open("ol", {{"start", std::to_string(v.paging.first)}});
  for (const auto& it : v.items) {
    h.Open("li");
    h.Open("a", {{"href", ctx.links.Url("/record", {{"id", std::to_string(it.id)}})}})
        .Text(it.title)
        .Close();
    if (!it.authors.empty()) h.Void("br").Text(it.authors);
    if (!it.refusal.empty()) h.Void("br").Element("strong", it.refusal);
    PostForm(h, ctx, "/cart/remove");
    h.Void("input", {{"type", "hidden"}, {"name", "id"}, {"value", std::to_string(it.id)}});
    h.Void("input", {{"type", "submit"}, {"value", "取り出す"}});
    h.Close();
    h.Close();
  }
  h.Close();
  detail::PagingLinks(h, ctx, "/cart", v.paging);
  ReserveLink(h, ctx, false);
  if (!v.back.empty()) {
    h.Open("p");
    detail::KeyLink(h, ctx, ctx.links.Url(v.back), "もとの画面にもどる", '8');
    h.Close();
  }
  return detail::EndPage(h, ctx);
}

std::string RenderReserve(const Context& ctx, const ReserveView& v) {
  Html h;
  detail::BeginPage(h, ctx, v.confirm ? "予約の確認" : "予約する");
  if (!v.message.empty()) h.Open("p", {{"role", "alert"}}).Element("strong", v.message).Close();
  size_t refused = 0;
  for (const auto& it : v.items) refused += it.refusal.empty() ? 0 : 1;
  if (refused < v.items.size()) {
    h.Open("ol");
    for (const auto& it : v.items) {
      if (it.refusal.empty()) h.Element("li", it.title);
    }
    h.Close();
  }
  if (refused > 0) {
    h.Element("p", "次の資料は予約できません（カートに残ります）。");
    h.Open("ul");
    for (const auto& it : v.items) {
      if (it.refusal.empty()) continue;
      h.Open("li").Text(it.title).Void("br").Element("strong", it.refusal).Close();
    }
    h.Close();
  }
  if (refused == v.items.size()) {
    h.Element("p", "予約できる資料がありません。");
    h.Open("p");
    detail::KeyLink(h, ctx, ctx.links.Url("/cart"), "カートへもどる", '4');
    h.Close();
    return detail::EndPage(h, ctx);
  }
  if (v.confirm) {
    h.Element("p", "受取館: " + v.branch_name);
    h.Element("p", "連絡方法: " + v.contact_name);
    PreparationNote(h);
    h.Element("p", "この内容で予約します。");
    PostForm(h, ctx, "/reserve/place");
    h.Void("input", {{"type", "hidden"}, {"name", "branch"}, {"value", v.branch}});
    h.Void("input", {{"type", "hidden"}, {"name", "contact"}, {"value", v.contact}});
    h.Void("input", {{"type", "hidden"}, {"name", "key"}, {"value", v.request_key}});
    h.Void("input", {{"type", "submit"}, {"value", "予約する"}});
    h.Close();
    h.Open("p");
    detail::KeyLink(h, ctx, ctx.links.Url("/reserve"), "選び直す", '4');
    h.Close();
    return detail::EndPage(h, ctx);
  }
  PostForm(h, ctx, "/reserve/confirm");
  h.Element("label", "受取館", {{"for", "f-branch"}});
  h.Void("br");
  h.Open("select", {{"name", "branch"}, {"id", "f-branch"}});
  for (const auto& [code, name] : v.branches) h.Element("option", name, {{"value", code}});
  h.Close();
  h.Void("br");
  h.Open("fieldset");
  h.Element("legend", "連絡方法（資料の用意ができたとき）");
  auto radio = [&](const char* value, const std::string& label, bool checked) {
    const std::string id = std::string("f-contact-") + value;
    std::vector<Attr> a = {{"type", "radio"}, {"name", "contact"}, {"value", value}, {"id", id}};
    if (checked) a.push_back({"checked", "", true});
    h.Void("input", a);
    h.Element("label", label, {{"for", id}});
    h.Void("br");
  };
  if (!v.email.empty()) radio("mail", "メール（" + v.email + "）", true);
  radio("phone", v.phone.empty() ? std::string("電話") : "電話（" + v.phone + "）",
        v.email.empty());
  radio("none", "連絡不要（予約確保一覧で確かめます）", false);
  h.Close();
  if (v.email.empty()) {
    h.Open("p")
        .Text("メールでの連絡は、")
        .Open("a", {{"href", ctx.links.Url("/account/email")}})
        .Text("Eメールアドレスを登録")
        .Close()
        .Text("すると選べます。")
        .Close();
  }
  h.Void("input", {{"type", "submit"}, {"value", "確認へ進む"}});
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderReserveResult(const Context& ctx, const ReserveResultView& v) {
  Html h;
  detail::BeginPage(h, ctx, "予約の結果");
  h.Element("p", "受取館: " + v.branch_name + " / 連絡方法: " + v.contact_name);
  bool kept = false;
  h.Open("ol");
  for (const auto& l : v.lines) {
    h.Open("li");
    h.Text(l.title).Void("br");
    if (l.placed) {
      h.Element("strong", "予約しました").Text("（" + std::to_string(l.position) + "番目）");
    } else {
      kept = true;
      h.Element("strong", "予約できませんでした").Text(" ").Text(l.message);
    }
    h.Close();
  }
  h.Close();
  if (kept) {
    h.Open("p")
        .Text("予約できなかった資料はカートに残っています。")
        .Open("a", {{"href", ctx.links.Url("/cart")}})
        .Text("カートを見る")
        .Close()
        .Close();
  }
  h.Element("p",
            "貸出されていない資料は、数日でご用意できます。所定の場所に見当たらないときや"
            "各館へ回送中のときは日数がかかります。貸出中の資料は、返却されしだい予約の順に"
            "ご用意します。");
  PreparationNote(h);
  h.Element("p", "用意ができたら選んだ方法でお知らせします。引取期限は取り置き日から" +
                     std::to_string(v.pickup_days) +
                     "日（休館日を除く）で、過ぎると予約は取り消しになります。");
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url("/account/holds"), "予約中一覧", '2');
  h.Close();
  return detail::EndPage(h, ctx);
}

}  // namespace shiori::pages
