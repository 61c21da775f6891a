// 文字コード (choose Shift_JIS or UTF-8 for the session), 表示切替 (ケータイ版,
// スマホ版 or PC版 for the session), the body of a redirect and 外部サイトへ
// (the exit page).
#include "pages/layout.h"

namespace shiori::pages {

namespace {

struct Choice {
  std::string_view value, id;
  std::string label;
  bool checked;
};

// A POST form to `action` of radio buttons named "to" in a group named
// `legend`, one per choice, and 切り替える; `back` is where the patron returns.
void ChoiceForm(Html& h, const Context& ctx, std::string_view action, std::string_view back,
                std::string_view legend, const std::vector<Choice>& choices) {
  h.Open("form", {{"action", ctx.links.Url(action)}, {"method", "post"}});
  ctx.links.FormFields(h, true);
  h.Void("input", {{"type", "hidden"}, {"name", "back"}, {"value", back}});
  h.Open("fieldset").Element("legend", legend);
  for (const Choice& c : choices) {
    std::vector<Attr> a = {{"type", "radio"}, {"name", "to"}, {"value", c.value}, {"id", c.id}};
    if (c.checked) a.push_back({"checked", "", true});
    h.Void("input", a);
    h.Element("label", c.label, {{"for", c.id}});
    h.Void("br");
  }
  h.Close();  // fieldset
  h.Void("input", {{"type", "submit"}, {"value", "切り替える"}});
  h.Close();
}

std::string_view VersionName(PageVersion v) {
  return v == PageVersion::kKeitai ? "ケータイ版" : v == PageVersion::kSmart ? "スマホ版" : "PC版";
}

}  // namespace

std::string RenderCharset(const Context& ctx, const CharsetView& v) {
  Html h;
  detail::BeginPage(h, ctx, "文字コード");
  h.Element(
      "p", v.shift_jis_now ? "いまはShift_JISで表示しています。" : "いまはUTF-8で表示しています。");
  h.Element("p", "文字化けするときは、もう一方をお選びください。携帯電話はShift_JISです。");
  ChoiceForm(h, ctx, "/charset", v.back, "文字コード",
             {{"sjis", "cs-sjis", "Shift_JIS（携帯電話）", v.shift_jis_now},
              {"utf8", "cs-utf8", "UTF-8（スマートフォン・パソコン）", !v.shift_jis_now}});
  return detail::EndPage(h, ctx);
}

std::string RenderVersion(const Context& ctx, const VersionView& v) {
  Html h;
  detail::BeginPage(h, ctx, "表示切替");
  h.Element("p", std::string("いまは") + std::string(VersionName(v.now)) + "で表示しています。");
  h.Element("p",
            "ケータイ版は番号キーで選べる小さな画面、スマホ版は指で押しやすい画面、"
            "PC版はパソコン向けの画面です。選んだ表示は、ログアウトするか、"
            "しばらく使わないと元に戻ります。");
  const bool pick = v.chosen;
  ChoiceForm(h, ctx, "/version", v.back, "表示",
             {{"keitai", "v-keitai", "ケータイ版", pick && v.now == PageVersion::kKeitai},
              {"smart", "v-smart", "スマホ版", pick && v.now == PageVersion::kSmart},
              {"pc", "v-pc", "PC版", pick && v.now == PageVersion::kPc},
              {"auto", "v-auto", "この端末に合わせる（" + std::string(VersionName(v.native)) + "）",
               !pick}});
  return detail::EndPage(h, ctx);
}

std::string RenderMoved(const Context& ctx, std::string_view url) {
  Html h;
  h.RawTrusted("<!DOCTYPE html>");
  h.Open("html", {{"lang", "ja"}}).Open("head");
  const std::string ct = std::string("text/html; charset=") + std::string(ctx.device.charset);
  h.Void("meta", {{"http-equiv", "Content-Type"}, {"content", ct}});
  h.Element("title", "移動します").Close();
  h.Open("body").Open("p").Element("a", "次のページへ", {{"href", url}});
  return h.Take();
}

std::string RenderExit(const Context& ctx, std::string_view url) {
  Html h;
  detail::BeginPage(h, ctx, "外部サイトへ");
  h.Element("p", "図書館の外のサイトへ移動します。");
  h.Open("p").Open("a", {{"href", url}, {"rel", "noreferrer"}}).Text(url).Close().Close();
  return detail::EndPage(h, ctx);
}

}  // namespace shiori::pages
