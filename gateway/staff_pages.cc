// The back office's own pages: ログイン (a new session at every login, each
// attempt audited), ログアウト, ダッシュボード, 操作記録 (admins), and the
// staff stylesheet. A refusal's message is shown on the page it came from;
// any other failure is the generic page.
#include <string>

#include "base/random.h"
#include "charset/charset.h"
#include "db/circ.h"
#include "gateway/handlers.h"
#include "gateway/session.h"
#include "gateway/staff_handlers.h"

namespace shiori::gateway {
namespace {

constexpr int kAuditPerPage = 100;
// What of a login typed at a failed attempt the audit keeps.
constexpr size_t kAuditLoginBytes = 64;

// Where the login leads: `next` when it is a staff page (with its query),
// else the dashboard.
std::string StaffReturnTo(std::string_view next) {
  const std::string_view page = next.substr(0, next.find_first_of("?#"));
  if (!IsLocalPath(next) || next.find('#') != std::string_view::npos ||
      !IsStaffPageToReturnTo(page)) {
    return "/staff";
  }
  return std::string(next);
}

// The login form as it was sent, or as it first appears: the branch sent, else
// the session's, else the first configured one.
pages::StaffLoginView LoginView(const Request& req, StaffCtx& ctx) {
  pages::StaffLoginView v;
  for (const auto& b : ctx.rules.branches) v.branches.emplace_back(b.code, b.name);
  const std::string_view asked = req.Param("branch");
  if (ctx.rules.FindBranch(asked)) {
    v.branch = std::string(asked);
  } else if (ctx.session) {
    v.branch = ctx.session->branch;
  } else if (!ctx.rules.branches.empty()) {
    v.branch = ctx.rules.branches.front().code;
  }
  const std::string next = StaffReturnTo(req.Param("next"));
  if (next != "/staff") v.next = next;
  v.idle_minutes = ctx.cfg.staff_idle_minutes;
  return v;
}

// A login typed at a failed attempt, as the audit keeps it: normalised, one
// line, at most kAuditLoginBytes bytes of whole characters.
std::string AuditLogin(std::string_view typed) {
  std::string s = charset::WithoutControls(db::NormalizeStaffLogin(typed));
  if (s.size() > kAuditLoginBytes) {
    size_t cut = kAuditLoginBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
  }
  return s.empty() ? "（空欄）" : s;
}

}  // namespace

Response StaffStyle(const Request&, StaffCtx&) {
  Response r;
  r.content_type = "text/css; charset=UTF-8";
  static const KeptBody sheet{std::string(pages::StaffStyleSheet())};  // and its gzip form
  r.kept_body = &sheet;
  return r;
}

Response StaffLoginForm(const Request& req, StaffCtx& ctx) {
  pages::StaffLoginView v = LoginView(req, ctx);
  if (req.Param("bye") == "1") v.outcome = {"ログアウトしました。", false};
  return ctx.Page(200, pages::RenderStaffLogin(ctx.page(), v));
}

Response StaffLoginPost(const Request& req, StaffCtx& ctx) {
  pages::StaffLoginView v = LoginView(req, ctx);
  v.login = std::string(req.Param("login"));
  const db::Branch* branch = ctx.rules.FindBranch(req.Param("branch"));
  if (!branch) {
    v.outcome = {"作業する館を選んでください。", true};
    return ctx.Page(400, pages::RenderStaffLogin(ctx.page(), v));
  }
  const std::string from = "接続元 " + ctx.client;
  auto member = db::StaffLogin(ctx.db(), v.login, req.Param("password"), ctx.client, ctx.site.key,
                               ThrottleOf(ctx.cfg), ctx.now);
  if (!member.ok()) {
    const Status& s = member.status();
    if (!s.refusal()) return StaffFailure(ctx, s);
    db::AuditEntry e;
    e.at = ctx.now;
    e.staff = AuditLogin(v.login);
    e.branch = branch->code;
    e.action = "login";
    e.outcome = s.message();
    e.detail = from;
    ctx.Audit(e);
    v.outcome = {s.message(), true};
    return ctx.Page(s.code() == Status::Code::kLocked ? 429 : 403,
                    pages::RenderStaffLogin(ctx.page(), v));
  }
  // A new token at every login: the session this browser had ends, and an
  // id known before the login is worth nothing after it.
  if (ctx.session) {
    Status s = db::DeleteStaffSession(ctx.db(), ctx.session->id);
    if (!s.ok()) return StaffFailure(ctx, s);
    ctx.session.reset();
  }
  const std::string token = NewToken(ctx.site.random);
  db::StaffSession session;
  session.csrf = NewToken(ctx.site.random);
  session.branch = branch->code;
  session.created_at = session.seen_at = ctx.now;
  session.staff = std::move(member).value();
  auto id = db::CreateStaffSession(ctx.db(), HashToken(token), session.csrf, session.staff.id,
                                   session.branch, ctx.now);
  if (!id.ok()) return StaffFailure(ctx, id.status());
  session.id = *id;
  ctx.session = std::move(session);
  ctx.branch = {branch->code, branch->name};
  ctx.cookies.push_back(ctx.Cookie(kStaffCookie, token));
  ctx.Audit("login", Status::Ok(), "", "", from);
  return ctx.Redirect(StaffReturnTo(req.Param("next")));
}

Response StaffLogoutPost(const Request&, StaffCtx& ctx) {
  Status s = db::DeleteStaffSession(ctx.db(), ctx.session->id);
  if (!s.ok()) return StaffFailure(ctx, s);
  ctx.Audit("logout", Status::Ok());
  ctx.session.reset();
  ctx.cookies.push_back(ctx.Cookie(kStaffCookie, ""));
  return ctx.Redirect("/staff/login?bye=1");
}

Response StaffDashboard(const Request&, StaffCtx& ctx) {
  auto n = db::CountsAt(ctx.db(), ctx.branch.code, ctx.today);
  if (!n.ok()) return StaffFailure(ctx, n.status());
  pages::StaffDashboardView v;
  v.counts = {{"/staff/pull", "予約資料の準備", n->pull, "件"},
              {"/staff/receive", "回送受入待ち", n->transit_in, "冊"},
              {"/staff/calls", "電話連絡", n->calls, "件"},
              {"/staff/shelf", "取置期限切れ", n->expired, "件"},
              {"/staff/overdue", "延滞", n->overdue_loans, "冊"}};
  return ctx.Page(200, pages::RenderStaffDashboard(ctx.page(), v));
}

Response StaffAuditPage(const Request& req, StaffCtx& ctx) {
  pages::AuditView v;
  v.per_page = kAuditPerPage;
  v.page = ParseInt(req.Param("page"), 1, 1, 1000000);
  // One entry more than a page: whether there is an older page.
  auto entries = db::ListAudit(ctx.db(), int64_t{v.page - 1} * kAuditPerPage, kAuditPerPage + 1);
  if (!entries.ok()) return StaffFailure(ctx, entries.status());
  v.has_next = entries->size() > static_cast<size_t>(kAuditPerPage);
  if (v.has_next) entries->pop_back();
  for (const db::AuditEntry& e : *entries) {
    pages::AuditLineView l;
    l.when = StaffTimeText(e.at);
    l.staff = e.staff;
    const db::Branch* b = ctx.rules.FindBranch(e.branch);
    l.branch = b ? b->name : e.branch;
    l.action = std::string(pages::StaffActionName(e.action));
    l.card = pages::CardTail(e.card);  // never the whole number in a list
    l.barcode = e.barcode;
    l.refused = e.outcome != "ok";
    l.outcome = l.refused ? e.outcome : "成功";
    l.detail = e.detail;
    v.lines.push_back(std::move(l));
  }
  return ctx.Page(200, pages::RenderStaffAudit(ctx.page(), v));
}

}  // namespace shiori::gateway
