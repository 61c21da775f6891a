// The back office's frame (staff_layout.h) and its first pages: ログイン,
// ダッシュボード, 操作記録, the short notices, and the staff stylesheet.
#include "pages/staff.h"

#include <string>
#include <string_view>

#include "pages/layout.h"
#include "pages/staff_layout.h"

namespace shiori::pages {

// ---------------------------------------------------------------- frame

namespace detail {

void BeginStaffPage(Html& h, const StaffContext& ctx, std::string_view title,
                    const StaffOutcome& outcome) {
  h.RawTrusted("<!DOCTYPE html>");
  h.Open("html", {{"lang", "ja"}});
  h.Open("head");
  h.Void("meta", {{"charset", "UTF-8"}});
  h.Void("meta", {{"name", "viewport"}, {"content", "width=device-width,initial-scale=1"}});
  std::string full(title);
  full += " - 職員用 - ";
  full += ctx.library_name;
  h.Element("title", full);
  h.Void("link", {{"rel", "icon"}, {"href", IconUrl()}});
  // A static file, never through the link builder.
  h.Void("link", {{"rel", "stylesheet"}, {"href", "/staff/style.css"}});
  h.Close();  // head
  h.Open("body");
  h.Open("header");
  h.Open("p", {{"class", "site"}}).Text(ctx.library_name).Text(" 職員用").Close();
  const bool member = !ctx.staff_name.empty();
  if (member) {
    h.Open("p", {{"class", "who"}});
    h.Element("strong", std::string(ctx.branch_name) + "で作業中");
    h.Text(" ").Text(ctx.staff_name);
    h.Close();
    h.Open("form", {{"action", ctx.links.Url("/staff/logout")}, {"method", "post"}});
    ctx.links.FormFields(h, true);
    h.Element("button", "ログアウト", {{"type", "submit"}});
    h.Close();
  }
  h.Close();  // header
  if (member && !ctx.menu.empty()) {
    h.Open("nav", {{"aria-label", "職員メニュー"}}).Open("ul");
    for (const auto& item : ctx.menu) {
      h.Open("li");
      if (item.path == ctx.path) {
        h.Open("a", {{"href", ctx.links.Url(item.path)}, {"aria-current", "page"}});
      } else {
        h.Open("a", {{"href", ctx.links.Url(item.path)}});
      }
      h.Text(item.name).Close().Close();
    }
    h.Close().Close();  // ul, nav
  }
  h.Open("main");
  h.Element("h1", title);
  if (!outcome.text.empty()) {
    h.Element("p", outcome.text,
              {{"role", "status"}, {"class", outcome.refused ? "refused" : "done"}});
  }
}

std::string EndStaffPage(Html& h, const StaffContext&) { return h.Take(); }

void StaffForm(Html& h, const StaffContext& ctx, const StaffFormView& f) {
  h.Open("form", {{"action", ctx.links.Url(f.action)}, {"method", f.post ? "post" : "get"}});
  ctx.links.FormFields(h, f.post);
  bool focus = f.autofocus;
  for (const StaffField& field : f.fields) {
    if (field.kind == StaffField::Kind::kHidden) {
      h.Void("input", {{"type", "hidden"}, {"name", field.name}, {"value", field.value}});
      continue;
    }
    h.Open("p").Open("label").Text(field.label).Text(" ");
    std::vector<Attr> a = {{"name", field.name}};
    if (field.kind != StaffField::Kind::kSelect) {
      a.push_back({"type", field.kind == StaffField::Kind::kPassword ? "password" : "text"});
      // A password is never written back into a page.
      if (field.kind == StaffField::Kind::kText) a.push_back({"value", field.value});
      a.push_back({"autocomplete", field.autocomplete});
    }
    if (field.required) a.push_back({"required", "", true});
    if (focus) a.push_back({"autofocus", "", true});
    focus = false;
    if (field.kind == StaffField::Kind::kSelect) {
      h.Open("select", a);
      for (const auto& [value, words] : field.options) {
        if (value == field.value) {
          h.Element("option", words, {{"value", value}, {"selected", "", true}});
        } else {
          h.Element("option", words, {{"value", value}});
        }
      }
      h.Close();
    } else {
      h.Void("input", a);
    }
    h.Close().Close();  // label, p
  }
  h.Open("p").Element("button", f.button, {{"type", "submit"}}).Close();
  h.Close();  // form
}

}  // namespace detail

// ---------------------------------------------------------------- helpers

std::string_view StaffActionName(std::string_view action) {
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"login", "ログイン"},
      {"logout", "ログアウト"},
      {"staff_add", "職員の登録"},
      {"staff_passwd", "職員のパスワード変更"},
      {"staff_disable", "職員の利用停止"},
      {"checkout", "貸出"},
      {"checkin", "返却"},
      {"renew", "延長"},
      {"receive", "回送受入"},
      {"pull", "予約資料の準備"},
      {"missing", "見つからない"},
      {"shelf", "取置棚"},
      {"expire", "引取期限切れの処理"},
      {"call", "電話連絡"},
      {"hold_cancel", "予約取消"},
      {"patron_find", "利用者の検索"},
      {"patron_register", "利用者の登録"},
      {"patron_change", "変更届"},
      {"patron_block", "利用停止"},
      {"patron_unblock", "利用停止の解除"},
      {"patron_replace", "カード再発行"},
      {"patron_unlock", "ログイン制限の解除"},
  };
  for (const auto& [code, name] : kNames) {
    if (code == action) return name;
  }
  return action;
}

// ---------------------------------------------------------------- pages

std::string RenderStaffLogin(const StaffContext& ctx, const StaffLoginView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "職員ログイン", v.outcome);
  detail::StaffFormView f;
  f.action = "/staff/login";
  f.button = "ログイン";
  f.fields.push_back(
      {"login", "職員ID", v.login, detail::StaffField::Kind::kText, {}, "username", true});
  f.fields.push_back({"password",
                      "パスワード",
                      "",
                      detail::StaffField::Kind::kPassword,
                      {},
                      "current-password",
                      true});
  f.fields.push_back({"branch", "作業する館", v.branch, detail::StaffField::Kind::kSelect,
                      v.branches, "off", true});
  if (!v.next.empty()) {
    f.fields.push_back({"next", "", v.next, detail::StaffField::Kind::kHidden});
  }
  detail::StaffForm(h, ctx, f);
  h.Element("p", "ログインしたまま" + std::to_string(v.idle_minutes) +
                     "分操作がないと、ログアウトします。");
  return detail::EndStaffPage(h, ctx);
}

std::string RenderStaffDashboard(const StaffContext& ctx, const StaffDashboardView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "ダッシュボード", v.outcome);
  if (!v.counts.empty()) {
    h.Element("h2", "今日の作業");
    h.Open("ul", {{"class", "counts"}});
    for (const auto& c : v.counts) {
      h.Open("li").Open("a", {{"href", ctx.links.Url(c.path)}});
      h.Text(c.words).Text(" ").Element("strong", std::to_string(c.count)).Text(c.unit);
      h.Close().Close();
    }
    h.Close();
    h.Element("h2", "すべてのページ");
  }
  h.Open("ul", {{"class", "pages"}});
  for (const auto& item : ctx.menu) {
    if (item.path == ctx.path) continue;  // this page
    h.Open("li").Open("a", {{"href", ctx.links.Url(item.path)}}).Text(item.name).Close().Close();
  }
  h.Close();
  return detail::EndStaffPage(h, ctx);
}

std::string RenderStaffAudit(const StaffContext& ctx, const AuditView& v) {
  Html h;
  detail::BeginStaffPage(h, ctx, "操作記録");
  if (v.lines.empty()) {
    h.Element("p", v.page > 1 ? "このページに記録はありません。" : "記録はまだありません。");
  } else {
    const int first = (v.page - 1) * v.per_page + 1;
    h.Element("p", "新しい順に" + std::to_string(first) + "〜" +
                       std::to_string(first + static_cast<int>(v.lines.size()) - 1) +
                       "件目を表示しています。");
    h.Open("table");
    h.Open("thead").Open("tr");
    for (const char* col : {"日時", "職員", "館", "操作", "カード", "バーコード", "結果", "詳細"}) {
      h.Element("th", col, {{"scope", "col"}});
    }
    h.Close().Close();  // tr, thead
    h.Open("tbody");
    for (const auto& l : v.lines) {
      h.Open("tr");
      h.Element("td", l.when);
      h.Element("td", l.staff);
      h.Element("td", l.branch);
      h.Element("td", l.action);
      h.Element("td", l.card);
      h.Element("td", l.barcode);
      if (l.refused) {
        h.Element("td", l.outcome, {{"class", "refused"}});
      } else {
        h.Element("td", l.outcome);
      }
      h.Element("td", l.detail);
      h.Close();
    }
    h.Close().Close();  // tbody, table
  }
  if (v.page > 1 || v.has_next) {
    h.Open("nav", {{"aria-label", "ページ"}}).Open("p");
    if (v.page > 1) {
      h.Open("a", {{"href", ctx.links.Url("/staff/audit", {{"page", std::to_string(v.page - 1)}})},
                   {"rel", "prev"}})
          .Text("新しい記録へ")
          .Close();
    }
    if (v.page > 1 && v.has_next) h.Text(" ");
    if (v.has_next) {
      h.Open("a", {{"href", ctx.links.Url("/staff/audit", {{"page", std::to_string(v.page + 1)}})},
                   {"rel", "next"}})
          .Text("古い記録へ")
          .Close();
    }
    h.Close().Close();
  }
  return detail::EndStaffPage(h, ctx);
}

std::string RenderStaffError(const StaffContext& ctx, std::string_view heading,
                             std::string_view message) {
  Html h;
  detail::BeginStaffPage(h, ctx, heading);
  h.Element("p", message);
  h.Open("p").Open("a",
                   {{"href", ctx.links.Url(ctx.staff_name.empty() ? "/staff/login" : "/staff")}});
  h.Text(ctx.staff_name.empty() ? "ログインへ" : "ダッシュボードへ").Close().Close();
  return detail::EndStaffPage(h, ctx);
}

std::string_view StaffStyleSheet() {
  // PCs at the counter: a wide page for tables, large type and targets, the
  // library's blue; no class the markup cannot do without.
  static constexpr std::string_view kCss =
      ":root{color-scheme:light dark;--f:#222;--b:#fff;--m:#f2efe8;--a:#0a4f8f;--r:#b00020}"
      "@media(prefers-color-scheme:dark){:root{--f:#eee;--b:#17191d;--m:#2a2e35;--a:#9cc3ff;"
      "--r:#ff8a80}}"
      "*{box-sizing:border-box}"
      "body{margin:0;color:var(--f);background:var(--b);font:1.0625rem/1.6 sans-serif}"
      "header{display:flex;flex-wrap:wrap;gap:1rem;align-items:center;padding:.4rem 1rem;"
      "background:var(--a);color:var(--b)}"
      "header p{margin:0}header form{margin-left:auto}"
      "nav ul{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;list-style:none;margin:0;"
      "padding:.3rem 1rem;background:var(--m)}"
      "a{color:var(--a)}[aria-current]{font-weight:700;color:inherit}"
      "main{padding:0 1rem 2rem;max-width:80rem}"
      "h1{font-size:1.5rem;border-bottom:3px solid var(--a)}"
      "label{display:inline-block}"
      "input,select,button{font:inherit;min-height:40px;padding:.2rem .6rem}"
      "button{background:var(--a);color:var(--b);border:1px solid var(--b);border-radius:6px}"
      ":focus{outline:3px solid #e59400;outline-offset:2px}"
      "[role=status]{padding:.5rem;border-left:6px solid var(--a);background:var(--m);"
      "font-weight:700}"
      ".refused{color:var(--r)}[role=status].refused{border-color:var(--r)}"
      "table{border-collapse:collapse;width:100%}"
      "th,td{border:1px solid #888;padding:.2rem .4rem;text-align:left;vertical-align:top}"
      "thead th{background:var(--m)}"
      "form.line{display:inline}.slip{border:2px dashed #888;padding:.3rem .8rem;max-width:20rem}"
      // Printing a page with a 取置票 prints the slip alone.
      "@media print{body:has(.slip) *{visibility:hidden}"
      "body:has(.slip) .slip,body:has(.slip) .slip *{visibility:visible}"
      ".slip{position:absolute;left:0;top:0}}";
  return kCss;
}

}  // namespace shiori::pages
