// pages: the back office's pages (職員用), split from pages.h as its comment
// asks: what a staff renderer gets (StaffContext), and every staff page's view
// model and Render function. Staff pages are for the library's PCs: UTF-8,
// no feature-phone forms, the same escaping builder and link rules as the
// public pages (a URL only from Links::Url, hidden fields and the CSRF token
// only from Links::FormFields). No SQL, no HTTP, no clock.
//
// The frame and the form helper that every staff page is built with are in
// pages/staff_layout.h (internal to pages/).
//
// Thread-safety: renderers are pure functions.
#ifndef SHIORI_PAGES_STAFF_H_
#define SHIORI_PAGES_STAFF_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pages/pages.h"

namespace shiori::pages {

// A page of the staff menu, by its name (ダッシュボード, 貸出, 操作記録 ...).
struct StaffMenuItem {
  std::string path;  // a same-site path, given to Links::Url
  std::string name;
};

// Everything a staff renderer gets besides its own view model.
struct StaffContext {
  const Links& links;
  std::string_view library_name;
  std::string_view path;  // the page being rendered: its menu item is marked current
  // Who works where, for the header (「野田図書館で作業中」, the name, the
  // logout button); both empty on the login page and other answers without
  // a session, which then have no menu either.
  std::string_view staff_name;
  std::string_view branch_name;
  // The pages this member may open, in the order of the route table.
  const std::vector<StaffMenuItem>& menu;
};

// What an action came to, shown in the page's role="status" region (an
// empty text shows no region).
struct StaffOutcome {
  std::string text;
  bool refused = false;  // drawn as a refusal; the words say what to do
};

// The audit's action codes in words: "login" → "ログイン", "checkout" →
// "貸出" ...; an unknown code as it is.
std::string_view StaffActionName(std::string_view action);

// ---------------------------------------------------------------- ログイン

struct StaffLoginView {
  std::string login;   // shown back after a failure
  std::string branch;  // the branch code chosen (preselected)
  std::vector<std::pair<std::string, std::string>> branches;  // code, name: the configured ones
  std::string next;       // same-site path to open after the login, or ""
  int idle_minutes = 30;  // a session ends after this many idle minutes ([staff] idle_minutes)
  StaffOutcome outcome;
};
std::string RenderStaffLogin(const StaffContext& ctx, const StaffLoginView& v);

// ---------------------------------------------------------------- ダッシュボード

// The start page after the login: what there is to do today at the branch
// (each count linking to its page), then a link to every page of the menu.
struct StaffCountView {
  std::string path;   // the page that lists them, given to Links::Url
  std::string words;  // 予約資料の準備, 回送受入待ち ...
  int count = 0;
  std::string unit;  // 件, 冊
};
struct StaffDashboardView {
  StaffOutcome outcome;
  std::vector<StaffCountView> counts;  // empty: not shown
};
std::string RenderStaffDashboard(const StaffContext& ctx, const StaffDashboardView& v);

// ---------------------------------------------------------------- 操作記録

// One audit entry, written out by the gateway for the page.
struct AuditLineView {
  std::string when;    // "2026-05-01 10:23:45"
  std::string staff;   // login, or "cli:user"
  std::string branch;  // branch name, or ""
  std::string action;  // in words (StaffActionName)
  std::string card;    // CardTail only
  std::string barcode;
  std::string outcome;  // 成功 for ok, else the refusal as shown
  bool refused = false;
  std::string detail;
};
struct AuditView {
  std::vector<AuditLineView> lines;  // newest first
  int page = 1;                      // 1-based
  int per_page = 100;
  bool has_next = false;
};
std::string RenderStaffAudit(const StaffContext& ctx, const AuditView& v);

// ---------------------------------------------------------------- notices

// A short staff page with a heading and a message (403, 404, errors).
std::string RenderStaffError(const StaffContext& ctx, std::string_view heading,
                             std::string_view message);

// The staff pages' stylesheet, served as /staff/style.css: a constant.
std::string_view StaffStyleSheet();

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_STAFF_H_
