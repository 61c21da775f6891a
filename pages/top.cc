// トップページ: the library's name, the 蔵書検索 form (key 1) and the main links.
#include "pages/layout.h"

namespace shiori::pages {

std::string RenderTop(const Context& ctx, const TopView& v) {
  Html h;
  detail::BeginPage(h, ctx, ctx.library_name);
  h.Open("form", {{"action", ctx.links.Url("/search")}, {"method", "get"}, {"role", "search"}});
  ctx.links.FormFields(h, false);
  h.Element("label", "蔵書検索", {{"for", "q"}});
  h.Void("br");
  std::vector<Attr> field = {{"type", "search"}, {"name", "q"},  {"id", "q"},
                             {"value", v.query}, {"size", "16"}, {"maxlength", "200"},
                             {"accesskey", "1"}};
  // Searches are typed in kana on a phone keypad: open the kana input mode.
  for (const Attr& a : ctx.device.InputAttrs(Input::kKana)) field.push_back(a);
  h.Void("input", field);
  h.Void("input", {{"type", "submit"}, {"value", "検索"}});
  h.Close();  // form
  h.Element("p", "書名・著者名・出版者・件名・ISBNで探せます。ひらがなの読みでも探せます。");
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url("/search/advanced"), "詳しく探す", '5');
  h.Void("br");
  detail::KeyLink(h, ctx, ctx.links.Url("/account"), "利用照会（ログイン）", '2');
  h.Void("br");
  detail::KeyLink(h, ctx, ctx.links.Url("/cart"), "カート", '3');
  h.Void("br");
  detail::KeyLink(h, ctx, ctx.links.Url("/account/guide"), "はじめての方へ", '7');
  h.Close();
  h.Element("p", detail::kPacketFees);
  return detail::EndPage(h, ctx, detail::Footer::kNoSearch);
}

}  // namespace shiori::pages
