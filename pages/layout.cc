// The shared page frame: head with charset and viewport, heading, footer links.
#include "pages/layout.h"

#include <string>
#include <utility>

namespace shiori::pages::detail {
namespace {

// docomo shows number keys as emoji in its private use area: U+E6E2 is key 1
// ... U+E6EA key 9, U+E6EB key 0.
std::string KeyEmoji(char key) {
  const char32_t cp = key == '0' ? 0xE6EB : 0xE6E2 + (key - '1');
  std::string s;
  s += static_cast<char>(0xE0 | (cp >> 12));
  s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  s += static_cast<char>(0x80 | (cp & 0x3F));
  return s;
}

constexpr std::string_view kIcon =
    "data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 4 6%22%3E"
    "%3Cpath d=%22M0 0h4v6L2 4 0 6z%22 fill=%22%230a4f8f%22/%3E%3C/svg%3E";

// Who is logged in, with ログアウト: on every page while a patron is, since
// library PCs are shared.
void SignedInLine(Html& h, const Context& ctx) {
  h.Open("form", {{"action", ctx.links.Url("/account/logout")}, {"method", "post"}});
  ctx.links.FormFields(h, true);
  h.Text(ctx.signed_in->name_kana)
      .Text(" さん（カード ")
      .Text(ctx.signed_in->card_tail)
      .Text("）でログイン中 ");
  h.Void("input", {{"type", "submit"}, {"value", "ログアウト"}});
  h.Close();
}

}  // namespace

std::string_view IconUrl() { return kIcon; }

void Fact(Html& h, std::string_view label, std::string_view value) {
  if (value.empty()) return;
  h.Element("dt", label);
  h.Element("dd", value);
}

void CardHelp(Html& h, const Context& ctx, int digits, std::string_view id) {
  const std::string n = std::to_string(digits);
  h.Open("p", {{"id", id}});
  if (!ctx.device.keypad) {
    // The card as the guide shows it (CardDrawing), a file fetched once.
    // Decorative: the sentence beside it says it all. Not through the link
    // builder: a static file, never with a session id.
    h.Void("img", {{"src", "/card.svg"}, {"width", "160"}, {"height", "96"}, {"alt", ""}});
    h.Void("br");
  }
  h.Text("カード番号は、利用者カードの表、バーコードの下にある" + n + "桁の数字です。");
  h.Close();
}

void BeginPage(Html& h, const Context& ctx, std::string_view title, bool linked) {
  h.RawTrusted("<!DOCTYPE html>");
  h.Open("html", {{"lang", "ja"}});
  h.Open("head");
  // The http-equiv form is the one every i-mode browser reads; today's
  // browsers read the short one.
  if (ctx.device.viewport) {
    h.Void("meta", {{"charset", ctx.device.charset}});
  } else {
    const std::string ct = std::string("text/html; charset=") + std::string(ctx.device.charset);
    h.Void("meta", {{"http-equiv", "Content-Type"}, {"content", ct}});
  }
  if (ctx.device.viewport) {
    h.Void("meta", {{"name", "viewport"}, {"content", "width=device-width,initial-scale=1"}});
  }
  std::string full(title);
  if (!ctx.library_name.empty() && title != ctx.library_name) {
    full += " - ";
    full += ctx.library_name;
  }
  h.Element("title", full);
  if (linked && !ctx.device.keypad) {
    // Not through the link builder: static files, never with a session id,
    // fetched once and cached rather than repeated in every page.
    h.Void("link", {{"rel", "icon"}, {"href", "/icon.svg"}});
    h.Void("link", {{"rel", "stylesheet"}, {"href", "/style.css"}});
  }
  h.Close();  // head
  h.Open("body");
  // The header: the library's name on every page but the top one, where it
  // is the h1, and who is logged in. Landmarks for screen readers (header,
  // main, footer); feature phones know none of them and are spared the bytes.
  const bool name = title != ctx.library_name && !ctx.library_name.empty();
  const bool who = linked && ctx.signed_in;
  if (!ctx.device.keypad && (name || who)) {
    h.Open("header");
    if (name && linked) {
      h.Open("a", {{"href", ctx.links.Url("/")}}).Text(ctx.library_name).Close();
    } else if (name) {
      h.Text(ctx.library_name);
    }
    if (who) SignedInLine(h, ctx);
    h.Close();
  }
  // The main landmark on every browser that knows it (ガラホ included).
  if (ctx.device.viewport) h.Open("main");
  h.Element("h1", title);
}

std::string EndPage(Html& h, const Context& ctx, Footer footer) {
  h.CloseThrough("main");
  if (footer != Footer::kNone) {
    h.Open("footer");
    h.Void("hr");
    // Feature phones: at the foot, where the page's own links end.
    if (ctx.signed_in && ctx.device.keypad) SignedInLine(h, ctx);
    if (footer == Footer::kFull) {
      KeyLink(h, ctx, ctx.links.Url("/"), "蔵書検索", '0');
      h.Void("br");
    }
    h.Open("a", {{"href", ctx.links.Url("/account")}}).Text("利用照会").Close();
    h.Void("br");
    h.Open("a", {{"href", ctx.links.Url("/disclaimer")}}).Text("ご注意（免責事項）").Close();
    h.Void("br");
    h.Open("a", {{"href", ctx.links.Url("/charset", {{"back", std::string(ctx.path)}})}})
        .Text("文字コード")
        .Close();
    h.Text(" ");
    h.Open("a", {{"href", ctx.links.Url("/version", {{"back", std::string(ctx.path)}})}})
        .Text("表示切替（ケータイ版・スマホ版・PC版）")
        .Close();
    h.Void("br");
    h.Text(ctx.library_name);
    if (!ctx.device.keypad && !ctx.page_url.empty()) {
      Html qr;
      if (QrSvg(qr, ctx.page_url)) {
        h.Open("p", {{"class", "qr"}}).Text("携帯電話で開く（QRコード）").Void("br");
        h.Append(std::move(qr));
        h.Close();
      }
    }
    h.Close();
  }
  return h.Take();
}

void KeyLink(Html& h, const Context& ctx, std::string_view href, std::string_view text, char key) {
  const char k[2] = {key, '\0'};
  if (ctx.device.accesskey_labels) {
    if (ctx.device.accesskey_emoji) {
      h.Text(KeyEmoji(key));
    } else {
      h.Text("[").Text(k).Text("]");
    }
  }
  h.Open("a", {{"href", href}, {"accesskey", k}}).Text(text).Close();
}

void PagingLinks(Html& h, const Context& ctx, std::string_view path, const ListPaging& p) {
  if (p.prev < 0 && p.next < 0) return;
  h.Open("p");
  if (p.prev >= 0) {
    KeyLink(h, ctx, ctx.links.Url(path, {{"p", std::to_string(p.prev)}}), "前へ", '4');
  }
  if (p.prev >= 0 && p.next >= 0) h.Text(" ");
  if (p.next >= 0) {
    KeyLink(h, ctx, ctx.links.Url(path, {{"p", std::to_string(p.next)}}), "次へ", '6');
  }
  h.Close();
}

}  // namespace shiori::pages::detail
