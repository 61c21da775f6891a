// 文字コード (choose Shift_JIS or UTF-8 for the session), 表示切替 (ケータイ版,
// スマホ版 or PC版 for the session) and 外部サイトへ (the exit page).
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

namespace {

std::string_view VersionName(PageVersion v) {
  return v == PageVersion::kKeitai ? "ケータイ版" : v == PageVersion::kSmart ? "スマホ版" : "PC版";
}

}  // namespace

std::string RenderVersion(const Context& ctx, const VersionView& v) {
  Html h;
  detail::BeginPage(h, ctx, "表示切替");
  h.Element("p", std::string("いまは") + std::string(VersionName(v.now)) + "で表示しています。");
  h.Element("p",
            "ケータイ版は番号キーで選べる小さな画面、スマホ版は指で押しやすい画面、"
            "PC版はパソコン向けの画面です。選んだ表示は、ログアウトするか、"
            "しばらく使わないと元に戻ります。");
  h.Open("form", {{"action", ctx.links.Url("/version")}, {"method", "post"}});
  ctx.links.FormFields(h, true);
  h.Void("input", {{"type", "hidden"}, {"name", "back"}, {"value", v.back}});
  auto radio = [&](std::string_view value, std::string_view id, const std::string& label,
                   bool checked) {
    std::vector<Attr> a = {{"type", "radio"}, {"name", "to"}, {"value", value}, {"id", id}};
    if (checked) a.push_back({"checked", "", true});
    h.Void("input", a);
    h.Element("label", label, {{"for", id}});
    h.Void("br");
  };
  const bool pick = v.chosen;
  radio("keitai", "v-keitai", "ケータイ版", pick && v.now == PageVersion::kKeitai);
  radio("smart", "v-smart", "スマホ版", pick && v.now == PageVersion::kSmart);
  radio("pc", "v-pc", "PC版", pick && v.now == PageVersion::kPc);
  radio("auto", "v-auto", "この端末に合わせる（" + std::string(VersionName(v.native)) + "）",
        !pick);
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
