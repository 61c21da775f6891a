// The one stylesheet for smartphones and PCs (feature phones get none): readable
// type, 44 px tap targets, visible focus, the library's name as a header, a
// footer box, a reading width on PCs, and dark mode. No class names: it styles
// the plain markup every device gets. A page's own action is a filled button
// (a submit, or a link in <strong> such as the cart's 予約する); a button on
// one line of a list (取り出す, カートに入れる) is outlined. Kept under 1.5 KB
// (tests check it).
#include "pages/pages.h"

namespace shiori::pages {

std::string_view StyleSheet() {
  // Colours: the library's blue on white; light blue on dark grey when asked.
  // :focus rather than :focus-visible: old smartphone WebKit drops a whole
  // rule with a selector it does not know.
  static constexpr std::string_view kCss =
      ":root{color-scheme:light dark;--f:#222;--b:#fff;--m:#f2efe8;--a:#0a4f8f;--l:#888}"
      "@media(prefers-color-scheme:dark){:root{--f:#eee;--b:#17191d;--m:#2a2e35;--a:#9cc3ff;"
      "--l:#778}}"
      "*{box-sizing:border-box}"
      "html{background:var(--m)}"
      "body{margin:0 auto;max-width:46rem;min-height:100vh;padding:0 1rem 1rem;color:var(--f);"
      "background:var(--b);font:1.06rem/1.7 sans-serif;overflow-wrap:anywhere}"
      "header,h1:first-child{margin:0 -1rem 1rem;padding:.7rem 1rem;background:var(--a);"
      "color:var(--b);font-weight:700;border:0}"
      "header a{color:inherit;text-decoration:none}"
      "header [type=submit]{border-color:var(--b)}"
      "h1{font-size:1.5rem;margin:1rem 0;padding-bottom:.3rem;"
      "border-bottom:3px solid var(--a)}"
      "h2{font-size:1.2rem}"
      "a{color:var(--a)}"
      "a,label{display:inline-block;padding:10px 0;line-height:24px}"
      "label{max-width:calc(100% - 3rem)}"
      ":focus{outline:3px solid #e59400;outline-offset:2px}"
      "input,select,fieldset{font:inherit;color:inherit;background:var(--b);min-height:44px;"
      "max-width:100%;padding:.3rem .6rem;border:1px solid var(--l);border-radius:6px;"
      "vertical-align:middle}"
      "[type=submit],strong>a{background:var(--a);color:var(--b);border-color:var(--a);"
      "padding:0 1.2rem;margin:.3rem}"
      "strong>a{padding:10px 1.2rem}"
      "li [type=submit]{background:0;color:var(--a)}"
      "[type=radio],[type=checkbox]{min-height:0;width:1.3rem;height:1.3rem;margin:0 .5rem}"
      "p[role]{padding:.5rem;border-left:4px solid #e59400;background:var(--m)}"
      "dt{font-weight:700}dd{margin:0 0 .5rem 1rem}"
      "fieldset{margin:1rem 0}"
      "hr{display:none}"
      "footer{margin-top:2rem;padding:.5rem 1rem;background:var(--m)}";
  return kCss;
}

std::string CardDrawing(std::string_view library_name, int digits) {
  std::string sample;
  for (int i = 0; i < digits; ++i) sample += static_cast<char>('0' + (i + 1) % 10);
  Html h;
  h.Open("svg", {{"xmlns", "http://www.w3.org/2000/svg"},
                 {"viewBox", "0 0 160 96"},
                 {"width", "160"},
                 {"height", "96"}});
  h.Empty("rect", {{"x", "1"},
                   {"y", "1"},
                   {"width", "158"},
                   {"height", "94"},
                   {"rx", "8"},
                   {"fill", "#fff"},
                   {"stroke", "#0a4f8f"},
                   {"stroke-width", "2"}});
  h.Element("text", std::string(library_name) + " 利用者カード",
            {{"x", "10"}, {"y", "20"}, {"font-size", "10"}});
  h.Empty("path", {{"d", "M20 46h120"},
                   {"stroke", "#000"},
                   {"stroke-width", "22"},
                   {"stroke-dasharray", "2 1 1 2 3 1 1 3 2 1 1 1 2 2"}});
  h.Empty("rect", {{"x", "16"},
                   {"y", "62"},
                   {"width", "128"},
                   {"height", "20"},
                   {"fill", "#fde68a"},
                   {"stroke", "#b45309"}});
  h.Element("text", sample,
            {{"x", "80"}, {"y", "76"}, {"font-size", "11"}, {"text-anchor", "middle"}});
  return h.Take();
}

std::string_view IconSvg() {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 6\">"
         "<path d=\"M0 0h4v6L2 4 0 6z\" fill=\"#0a4f8f\"/></svg>";
}

}  // namespace shiori::pages
