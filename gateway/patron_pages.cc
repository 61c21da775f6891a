// The back office's patron pages (利用者): the search, a patron's page with
// its actions (変更届, 利用停止 and its 解除, カード再発行, ログイン制限の解除)
// and 新規登録. Each action calls the same db/ function as the staff
// command, is audited (refusals too), and answers with the patron's page and
// the outcome in the role="status" region; a refusal with a 4xx status. The
// card an action works on is always the patron row's, never a form's.
#include <climits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "charset/charset.h"
#include "db/circ.h"
#include "db/patron.h"
#include "db/patron_admin.h"
#include "gateway/handlers.h"
#include "gateway/staff_handlers.h"
#include "pages/patrons.h"

namespace shiori::gateway {
namespace {

using Focus = pages::PatronDetailView::Focus;

// What of a value staff typed the audit keeps: one line without control
// characters, at most this many bytes of whole characters (a block's reason
// of 200 characters fits).
constexpr size_t kAuditTypedBytes = 600;

const char kNoPatron[] = "利用者が見つかりません。";

std::string AuditTyped(std::string_view typed) {
  std::string s = charset::WithoutControls(charset::Trim(typed));
  if (s.size() > kAuditTypedBytes) {
    size_t cut = kAuditTypedBytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
    s.resize(cut);
  }
  return s;
}

std::string BranchName(const StaffCtx& ctx, const std::string& code) {
  if (code.empty()) return std::string();
  const db::Branch* b = ctx.rules.FindBranch(code);
  return b ? b->name : code;
}

pages::BranchOptions Branches(const StaffCtx& ctx) {
  pages::BranchOptions out;
  for (const auto& b : ctx.rules.branches) out.emplace_back(b.code, b.name);
  return out;
}

pages::PatronFieldsView FieldsOf(const db::PatronRow& p) {
  return {"", p.name_kana, p.phone, p.email, p.home_branch};
}

// The fields of a 変更届 or 新規登録 form as sent.
pages::PatronFieldsView FieldsSent(const Request& req) {
  return {std::string(req.Param("card")), std::string(req.Param("name_kana")),
          std::string(req.Param("phone")), std::string(req.Param("email")),
          std::string(req.Param("home_branch"))};
}

db::PatronInput InputOf(const pages::PatronFieldsView& f) {
  return {f.card, f.name_kana, f.phone, f.email, f.home_branch};
}

// The patron a page or a POST names by its id ("id"), NotFound when none.
int64_t PatronIdOf(const Request& req) { return ParseInt(req.Param("id"), 0, 0, INT_MAX); }

Result<db::PatronRow> Patron(StaffCtx& ctx, int64_t id) {
  if (id <= 0) return Status::NotFound(kNoPatron);
  auto p = db::FindPatronById(ctx.db(), id);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return Status::NotFound(kNoPatron);
  return std::move(**p);
}

Response NoPatron(StaffCtx& ctx) {
  return ctx.Notice(404, "利用者が見つかりません",
                    "この利用者はいません。利用者の検索から開き直してください。");
}

// What a form typed that a refused action's page shows back.
struct Typed {
  std::optional<pages::PatronFieldsView> change;
  std::string reason, new_card;
  Focus focus = Focus::kChange;
};

// The patron's page as it is now, with `outcome`.
Response DetailPage(StaffCtx& ctx, int64_t id, pages::StaffOutcome outcome, int status,
                    Typed typed = {}) {
  auto p = Patron(ctx, id);
  if (!p.ok()) return p.status().refusal() ? NoPatron(ctx) : StaffFailure(ctx, p.status());
  pages::PatronDetailView v;
  v.outcome = std::move(outcome);
  v.id = p->id;
  v.card = p->card;
  v.name_kana = p->name_kana;
  v.phone = p->phone;
  v.email = p->email;
  v.home_branch = BranchName(ctx, p->home_branch);
  v.status = p->status;
  v.block_reason = p->block_reason;
  v.has_password = p->has_password;
  auto loans = db::PatronLoans(ctx.db(), p->id, ctx.today);
  if (!loans.ok()) return StaffFailure(ctx, loans.status());
  v.loans = static_cast<int>(loans->size());
  for (const auto& l : *loans) v.overdue += l.overdue;
  for (bool ready : {true, false}) {
    auto holds = db::PatronHolds(ctx.db(), p->id, ready);
    if (!holds.ok()) return StaffFailure(ctx, holds.status());
    v.holds += static_cast<int>(holds->size());
    if (ready) v.ready = static_cast<int>(holds->size());
  }
  v.change = typed.change ? *typed.change : FieldsOf(*p);
  v.reason = std::move(typed.reason);
  v.new_card = std::move(typed.new_card);
  v.focus = typed.focus;
  v.branches = Branches(ctx);
  return ctx.Page(status, pages::RenderPatronDetail(ctx.page(), v));
}

pages::StaffOutcome Done(std::string text) { return {std::move(text), false}; }
pages::StaffOutcome Refused(const Status& s) { return {s.message(), true}; }

// The 変更届 as the audit says it: each field that changed, old → new.
std::string Changes(const StaffCtx& ctx, const db::PatronRow& was, const db::PatronRow& now) {
  std::string out;
  auto add = [&](const char* field, const std::string& a, const std::string& b) {
    if (a == b) return;
    if (!out.empty()) out += " / ";
    out += field;
    out += " ";
    out += a.empty() ? "なし" : a;
    out += " → ";
    out += b.empty() ? "なし" : b;
  };
  add("氏名", was.name_kana, now.name_kana);
  add("電話番号", was.phone, now.phone);
  add("メールアドレス", was.email, now.email);
  add("登録館", BranchName(ctx, was.home_branch), BranchName(ctx, now.home_branch));
  return out;
}

}  // namespace

// ---------------------------------------------------------------- 利用者

Response StaffPatronSearch(const Request& req, StaffCtx& ctx) {
  pages::PatronSearchView v;
  v.query = std::string(req.Param("q"));
  v.limit = db::kPatronFindLimit;
  if (charset::Trim(v.query).empty()) {
    return ctx.Page(200, pages::RenderPatronSearch(ctx.page(), v));
  }
  // As `shiori patron find` audits it: the digits typed, the query, the count.
  const std::string digits = charset::NormalizeDigits(v.query);
  const std::string asked = "「" + AuditTyped(v.query) + "」";
  auto m = db::FindPatrons(ctx.db(), v.query);
  if (!m.ok()) {
    ctx.Audit("patron_find", m.status(), digits, "", asked);
    if (!m.status().refusal()) return StaffFailure(ctx, m.status());
    v.outcome = Refused(m.status());
    return ctx.Page(StaffRefusalStatus(m.status()), pages::RenderPatronSearch(ctx.page(), v));
  }
  v.searched = true;
  v.more = m->more;
  std::vector<db::PatronRow> rows = std::move(m->rows);
  if (rows.empty() && !digits.empty()) {
    // An old number: say so, and show who holds the card now.
    auto r = db::ReplacedCardOf(ctx.db(), digits);
    if (!r.ok()) return StaffFailure(ctx, r.status());
    if (r->has_value()) {
      auto p = db::FindPatronById(ctx.db(), (*r)->patron_id);
      if (!p.ok()) return StaffFailure(ctx, p.status());
      if (p->has_value()) {
        v.replaced = true;
        v.outcome = {std::string(db::kCardReplaced) + "このカードは使えません。現在のカード（" +
                         pages::CardTail((*p)->card) + "）の利用者を表示しています。",
                     true};
        rows.push_back(std::move(**p));
      }
    }
  }
  for (const auto& p : rows) {
    v.lines.push_back({p.id, p.card, p.name_kana, BranchName(ctx, p.home_branch), p.status});
  }
  ctx.Audit("patron_find", Status::Ok(), digits, "",
            asked + " " + std::to_string(rows.size()) + (v.more ? "人以上" : "人") +
                (v.replaced ? "（再発行済みの番号）" : ""));
  return ctx.Page(200, pages::RenderPatronSearch(ctx.page(), v));
}

// ---------------------------------------------------------------- 利用者の詳細

Response StaffPatronPage(const Request& req, StaffCtx& ctx) {
  return DetailPage(ctx, PatronIdOf(req), {}, 200);
}

Response StaffPatronChangePost(const Request& req, StaffCtx& ctx) {
  const int64_t id = PatronIdOf(req);
  auto was = Patron(ctx, id);
  if (!was.ok() && !was.status().refusal()) return StaffFailure(ctx, was.status());
  pages::PatronFieldsView sent = FieldsSent(req);
  sent.card.clear();  // the 変更届 never changes the card: that is カード再発行
  Status s = was.ok() ? db::ChangePatron(ctx.db(), id, InputOf(sent)) : was.status();
  if (!s.ok()) {
    ctx.Audit("patron_change", s, was.ok() ? was->card : "", "",
              was.ok() ? "" : "利用者ID " + std::to_string(id));
    if (!s.refusal()) return StaffFailure(ctx, s);
    if (!was.ok()) return NoPatron(ctx);
    Typed typed;
    typed.change = std::move(sent);
    return DetailPage(ctx, id, Refused(s), StaffRefusalStatus(s), std::move(typed));
  }
  auto now = Patron(ctx, id);
  if (!now.ok()) return StaffFailure(ctx, now.status());
  std::string changes = Changes(ctx, *was, *now);
  ctx.Audit("patron_change", s, was->card, "", changes.empty() ? "変更なし" : changes);
  return DetailPage(ctx, id,
                    Done(changes.empty() ? "変更はありませんでした。" : "変更届を受け付けました。"),
                    200);
}

Response StaffPatronBlockPost(const Request& req, StaffCtx& ctx) {
  const int64_t id = PatronIdOf(req);
  auto p = Patron(ctx, id);
  if (!p.ok() && !p.status().refusal()) return StaffFailure(ctx, p.status());
  const std::string reason(charset::Trim(req.Param("reason")));
  Status s = p.ok() ? db::BlockPatron(ctx.db(), id, reason) : p.status();
  // The reason as given (BlockPatron took it only without control characters).
  ctx.Audit("patron_block", s, p.ok() ? p->card : "", "",
            reason.empty() ? "" : "理由 " + AuditTyped(reason));
  if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
  if (!p.ok()) return NoPatron(ctx);
  if (!s.ok()) {
    Typed typed;
    typed.reason = reason;
    typed.focus = Focus::kBlock;
    return DetailPage(ctx, id, Refused(s), StaffRefusalStatus(s), std::move(typed));
  }
  return DetailPage(ctx, id,
                    Done("利用停止にしました。ログイン・パスワード登録・予約・貸出ができなくなり、"
                         "ログイン中の利用照会も終わりました。"),
                    200);
}

Response StaffPatronUnblockPost(const Request& req, StaffCtx& ctx) {
  const int64_t id = PatronIdOf(req);
  auto p = Patron(ctx, id);
  if (!p.ok() && !p.status().refusal()) return StaffFailure(ctx, p.status());
  Status s = p.ok() ? db::UnblockPatron(ctx.db(), id) : p.status();
  // The audit keeps the reason the unblock took away.
  ctx.Audit("patron_unblock", s, p.ok() ? p->card : "", "",
            p.ok() && !p->block_reason.empty() ? "解除前の理由 " + p->block_reason : "");
  if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
  if (!p.ok()) return NoPatron(ctx);
  if (!s.ok()) return DetailPage(ctx, id, Refused(s), StaffRefusalStatus(s));
  return DetailPage(ctx, id, Done("利用停止を解除しました。カードはまた使えます。"), 200);
}

Response StaffPatronReplacePost(const Request& req, StaffCtx& ctx) {
  const int64_t id = PatronIdOf(req);
  auto p = Patron(ctx, id);
  if (!p.ok() && !p.status().refusal()) return StaffFailure(ctx, p.status());
  const std::string next(charset::Trim(req.Param("new_card")));
  Status s = p.ok() ? db::ReplaceCard(ctx.db(), p->card, next, ctx.now).status() : p.status();
  ctx.Audit("patron_replace", s, p.ok() ? p->card : "", "", "新しいカード番号 " + AuditTyped(next));
  if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
  if (!p.ok()) return NoPatron(ctx);
  if (!s.ok()) {
    Typed typed;
    typed.new_card = next;
    typed.focus = Focus::kReplace;
    return DetailPage(ctx, id, Refused(s), StaffRefusalStatus(s), std::move(typed));
  }
  return DetailPage(ctx, id,
                    Done("カードを再発行しました。古いカード（" + pages::CardTail(p->card) +
                         "）は使えなくなり、ログイン中の利用照会も終わりました。"),
                    200);
}

Response StaffPatronUnlockPost(const Request& req, StaffCtx& ctx) {
  const int64_t id = PatronIdOf(req);
  auto p = Patron(ctx, id);
  if (!p.ok() && !p.status().refusal()) return StaffFailure(ctx, p.status());
  // The card is the patron row's: a form never names the card unlocked.
  auto n = p.ok() ? db::UnlockCard(ctx.db(), p->card, ctx.now) : Result<int>(p.status());
  Status s = n.status();
  // UnlockCard answers a card nobody holds in English, for the command line.
  if (p.ok() && s.code() == Status::Code::kNotFound) s = Status::NotFound(db::kNoSuchCard);
  ctx.Audit("patron_unlock", s, p.ok() ? p->card : "", "",
            s.ok() ? "失敗の記録 " + std::to_string(*n) + "件を消去" : "");
  if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
  if (!p.ok()) return NoPatron(ctx);
  if (!s.ok()) return DetailPage(ctx, id, Refused(s), StaffRefusalStatus(s));
  return DetailPage(
      ctx, id, Done("ログイン制限を解除しました。正しいパスワードですぐにログインできます。"), 200);
}

// ---------------------------------------------------------------- 新規登録

Response StaffPatronNewForm(const Request&, StaffCtx& ctx) {
  pages::PatronNewView v;
  v.fields.home_branch = ctx.branch.code;
  v.branches = Branches(ctx);
  return ctx.Page(200, pages::RenderPatronNew(ctx.page(), v));
}

Response StaffPatronNewPost(const Request& req, StaffCtx& ctx) {
  pages::PatronNewView v;
  v.fields = FieldsSent(req);
  v.branches = Branches(ctx);
  auto id = db::RegisterPatron(ctx.db(), InputOf(v.fields));
  const std::string card = charset::NormalizeDigits(v.fields.card);
  ctx.Audit("patron_register", id.status(), card, "",
            id.ok() ? "利用者ID " + std::to_string(*id) + " 登録館 " +
                          BranchName(ctx, v.fields.home_branch)
                    : "");
  if (!id.ok()) {
    if (!id.status().refusal()) return StaffFailure(ctx, id.status());
    v.outcome = Refused(id.status());
    return ctx.Page(StaffRefusalStatus(id.status()), pages::RenderPatronNew(ctx.page(), v));
  }
  return DetailPage(ctx, *id,
                    Done("登録しました。利用照会のパスワードは、利用者ご本人が「新規パスワード"
                         "登録」で設定します。"),
                    200);
}

}  // namespace shiori::gateway
