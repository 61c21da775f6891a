// 文字コード (choose Shift_JIS or UTF-8 for the session) and 外部サイトへ (the exit page).
#include "pages/layout.h"

namespace shiori::pages {

std::string RenderCharset(const Context& ctx, const CharsetView& v) {
  Html h;
  detail::BeginPage(h, ctx, "文字コード");
  h.Element(
      "p", v.shift_jis_now ? "いまはShift_JISで表示しています。" : "いまはUTF-8で表示しています。");
  h.Element("p", "文字化けするときは、もう一方をお選びください。携帯電話はShift_JISです。");
  h.Open("form", {{"action", ctx.links.Url("/charset")}, {"method", "post"}});
  ctx.links.FormFields(h, true);
  h.Void("input", {{"type", "hidden"}, {"name", "back"}, {"value", v.back}});
  auto radio = [&](std::string_view value, std::string_view id, std::string_view label,
                   bool checked) {
    std::vector<Attr> a = {{"type", "radio"}, {"name", "to"}, {"value", value}, {"id", id}};
    if (checked) a.push_back({"checked", "", true});
    h.Void("input", a);
    h.Element("label", label, {{"for", id}});
    h.Void("br");
  };
  radio("sjis", "cs-sjis", "Shift_JIS（携帯電話）", v.shift_jis_now);
  radio("utf8", "cs-utf8", "UTF-8（スマートフォン・パソコン）", !v.shift_jis_now);
  h.Void("input", {{"type", "submit"}, {"value", "切り替える"}});
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderExit(const Context& ctx, std::string_view url) {
  Html h;
  detail::BeginPage(h, ctx, "外部サイトへ");
  h.Element("p", "図書館の外のサイトへ移動します。");
  h.Open("p").Open("a", {{"href", url}, {"rel", "noreferrer"}}).Text(url).Close().Close();
  return detail::EndPage(h, ctx);
}

}  // namespace shiori::pages
