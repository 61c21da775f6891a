// The counter's pages of the back office: 貸出 (with 延長 and 予約取消 on the
// patron's request), 返却, 回送受入, 予約資料の準備, 取置棚 and 電話連絡.
// Each handler calls the same db/ function as the staff command, at the
// branch the session works at, audits what it did, and answers with the
// page of its area and the outcome in the role="status" region.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "db/circ.h"
#include "db/patron.h"
#include "db/patron_admin.h"
#include "db/rules.h"
#include "gateway/handlers.h"
#include "gateway/staff_handlers.h"
#include "pages/counter.h"

namespace shiori::gateway {
namespace {

std::string Quoted(const std::string& title) { return "「" + title + "」"; }

std::string Joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    if (!out.empty()) out += " / ";
    out += l;
  }
  return out;
}

// What became of a copy, as the counter says it.
pages::CopyFateView FateView(const db::CounterCopy& copy, const db::CopyFate& f) {
  pages::CopyFateView v;
  const std::string title = Quoted(pages::TitleWithVolume(copy.title, copy.volume));
  switch (f.kind) {
    case db::CopyFate::Kind::kShelf:
      v.kind = "配架";
      v.text = title + "を" + f.branch_name + "の書架に戻してください。";
      break;
    case db::CopyFate::Kind::kHoldReady: {
      v.kind = "取置";
      v.text = title + "は予約の資料です。取置棚へ。引取期限 " + DateText(f.deadline) + "。";
      if (f.mail_queued) {
        v.text += "予約者にはメールでお知らせします。";
      } else if (f.contact == "phone" || f.contact == "mail") {
        v.text += "予約者へ電話で連絡してください（電話連絡の一覧に載ります）。";
      } else {
        v.text += "連絡は不要です。";
      }
      v.slip = {"カード " + pages::CardTail(f.card),
                "資料 " + pages::TitleWithVolume(copy.title, copy.volume),
                "引取期限 " + DateText(f.deadline), "受取館 " + f.branch_name};
      break;
    }
    case db::CopyFate::Kind::kTransit:
      v.kind = "回送";
      v.text =
          title + "を" + f.branch_name + "へ回送してください" +
          (f.hold_id ? std::string("（予約の資料です）。") : std::string("（所蔵館へ戻します）。"));
      break;
  }
  return v;
}

// The outcome line of a counter result: its first fate's kind and the title,
// or the refusal.
pages::StaffOutcome OutcomeOf(const Result<db::CounterResult>& r, std::string_view done) {
  if (!r.ok()) return {r.status().message(), true};
  std::string text(done);
  text += ": " + Quoted(pages::TitleWithVolume(r->copy.title, r->copy.volume));
  if (!r->fates.empty()) {
    const auto& f = r->fates.front();
    text += f.kind == db::CopyFate::Kind::kShelf       ? " → 配架"
            : f.kind == db::CopyFate::Kind::kHoldReady ? " → 取置"
                                                       : " → 回送（" + f.branch_name + "へ）";
  }
  if (r->overdue_days > 0) text += "（" + std::to_string(r->overdue_days) + "日延滞）";
  return {text, false};
}

// The audit entry of a counter result.
void AuditCounter(StaffCtx& ctx, std::string_view action, const Result<db::CounterResult>& r,
                  std::string_view card, std::string_view barcode) {
  ctx.Audit(action, r.status(), card, barcode, r.ok() ? Joined(r->lines) : "");
}

// ---------------------------------------------------------------- 貸出

// The card's patron for the checkout page, or the reason there is none.
Status FillPatron(StaffCtx& ctx, const std::string& card, pages::CheckoutView& v) {
  auto p = db::CardHolder(ctx.db(), card);
  if (!p.ok()) return p.status();
  pages::CheckoutPatronView& pv = v.patron;
  pv.card = p->card;
  pv.name_kana = p->name_kana;
  if (const db::Branch* b = ctx.rules.FindBranch(p->home_branch)) pv.home_branch = b->name;
  pv.usable = p->status == "active";
  pv.state = p->status == "active" ? "利用可"
             : p->status == "blocked"
                 ? "利用停止中（貸出・予約できません）" +
                       (p->block_reason.empty() ? std::string() : " 理由: " + p->block_reason)
                 : "有効期限切れ（貸出できません）";
  auto loans = db::PatronLoans(ctx.db(), p->id, ctx.today);
  if (!loans.ok()) return loans.status();
  for (const auto& l : *loans) {
    pv.loans.push_back(
        {pages::TitleWithVolume(l.title, l.volume), l.barcode, DateText(l.due_on), l.overdue});
  }
  for (bool ready : {true, false}) {
    auto holds = db::PatronHolds(ctx.db(), p->id, ready);
    if (!holds.ok()) return holds.status();
    for (const auto& h : *holds) {
      pages::CounterHoldView x;
      x.hold_id = h.hold_id;
      x.title = pages::TitleWithVolume(h.title, h.volume);
      x.branch = h.branch_name;
      x.ready_here = ready && h.branch_code == ctx.branch.code;
      x.state = ready          ? "取置中（" + DateText(h.deadline) + "まで）"
                : h.in_transit ? std::string("回送中")
                               : "予約中 " + std::to_string(h.position) + "番目";
      pv.holds.push_back(std::move(x));
    }
  }
  v.has_patron = true;
  return Status::Ok();
}

Response CheckoutPage(StaffCtx& ctx, const std::string& card, pages::StaffOutcome outcome,
                      std::vector<pages::CopyFateView> fates, int status) {
  pages::CheckoutView v;
  v.card = card;
  v.fates = std::move(fates);
  if (!card.empty()) {
    Status s = FillPatron(ctx, card, v);
    if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
    if (!s.ok() && outcome.text.empty()) {
      outcome = {s.message(), true};
      status = StaffRefusalStatus(s);
    }
  }
  v.outcome = std::move(outcome);
  return ctx.Page(status, pages::RenderCheckout(ctx.page(), v));
}

}  // namespace

Response StaffCheckoutForm(const Request& req, StaffCtx& ctx) {
  return CheckoutPage(ctx, std::string(req.Param("card")), {}, {}, 200);
}

Response StaffCheckoutPost(const Request& req, StaffCtx& ctx) {
  const std::string card(req.Param("card")), barcode(req.Param("barcode"));
  auto r = db::Checkout(ctx.db(), card, barcode, ctx.branch.code, ctx.today, ctx.rules);
  AuditCounter(ctx, "checkout", r, card, barcode);
  if (!r.ok() && !r.status().refusal()) return StaffFailure(ctx, r.status());
  pages::StaffOutcome outcome = OutcomeOf(r, "貸出");
  std::vector<pages::CopyFateView> fates;
  if (r.ok()) {
    outcome.text = "貸出: " + Quoted(pages::TitleWithVolume(r->copy.title, r->copy.volume)) +
                   " 返却期限 " + DateText(r->due_on);
    if (r->was_missing) outcome.text += "（所在不明だった資料です）";
    for (const auto& f : r->fates) fates.push_back(FateView(r->copy, f));
  }
  return CheckoutPage(ctx, card, std::move(outcome), std::move(fates),
                      r.ok() ? 200 : StaffRefusalStatus(r.status()));
}

Response StaffRenewPost(const Request& req, StaffCtx& ctx) {
  const std::string card(req.Param("card")), barcode(req.Param("barcode"));
  auto r = db::RenewAtCounter(ctx.db(), barcode, ctx.today, ctx.rules);
  ctx.Audit("renew", r.status(), card, barcode, r.ok() ? "新しい返却期限 " + r->due_on : "");
  if (!r.ok() && !r.status().refusal()) return StaffFailure(ctx, r.status());
  pages::StaffOutcome outcome =
      r.ok()
          ? pages::StaffOutcome{"延長: " +
                                    Quoted(pages::TitleWithVolume(r->copy.title, r->copy.volume)) +
                                    " 新しい返却期限 " + DateText(r->due_on),
                                false}
          : pages::StaffOutcome{r.status().message(), true};
  return CheckoutPage(ctx, card, std::move(outcome), {},
                      r.ok() ? 200 : StaffRefusalStatus(r.status()));
}

Response StaffHoldCancelPost(const Request& req, StaffCtx& ctx) {
  const std::string card(req.Param("card"));
  const int64_t hold = ParseInt(req.Param("hold"), 0, 0, 999999999);
  // Only a hold of the patron whose card is on the page.
  Status s = Status::NotFound("この利用者の予約ではありません。");
  auto p = db::CardHolder(ctx.db(), card);
  if (!p.ok()) {
    s = p.status();
  } else {
    for (bool ready : {true, false}) {
      auto holds = db::PatronHolds(ctx.db(), p->id, ready);
      if (!holds.ok()) return StaffFailure(ctx, holds.status());
      for (const auto& h : *holds) {
        if (h.hold_id == hold) s = Status::Ok();
      }
    }
    if (s.ok()) s = db::CancelHoldAtCounter(ctx.db(), hold, ctx.today, ctx.rules);
  }
  ctx.Audit("hold_cancel", s, card, "", "予約" + std::to_string(hold));
  if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
  pages::StaffOutcome outcome =
      s.ok()
          ? pages::StaffOutcome{"予約を取り消しました。メール連絡の予約には取消をお知らせします。",
                                false}
          : pages::StaffOutcome{s.message(), true};
  return CheckoutPage(ctx, card, std::move(outcome), {}, s.ok() ? 200 : StaffRefusalStatus(s));
}

// ---------------------------------------------------------------- 返却, 回送受入

namespace {

Result<std::vector<pages::IncomingView>> Incoming(StaffCtx& ctx) {
  auto lines = db::TransitsTo(ctx.db(), ctx.branch.code);
  if (!lines.ok()) return lines.status();
  std::vector<pages::IncomingView> out;
  for (const auto& l : *lines) {
    out.push_back({l.barcode, pages::TitleWithVolume(l.title, l.volume), l.from_branch_name,
                   l.hold_id ? "予約（カード" + pages::CardTail(l.card) + "）" : "所蔵館へ戻る"});
  }
  return out;
}

Response Scan(const Request& req, StaffCtx& ctx, bool receive) {
  const std::string barcode(req.Param("barcode"));
  auto r = receive ? db::ReceiveTransit(ctx.db(), barcode, ctx.branch.code, ctx.today, ctx.rules)
                   : db::Checkin(ctx.db(), barcode, ctx.branch.code, ctx.today, ctx.rules);
  AuditCounter(ctx, receive ? "receive" : "checkin", r, r.ok() ? r->card : "", barcode);
  if (!r.ok() && !r.status().refusal()) return StaffFailure(ctx, r.status());
  pages::ScanView v;
  v.outcome = OutcomeOf(r, receive ? "回送受入" : "返却");
  if (r.ok()) {
    for (const auto& f : r->fates) v.fates.push_back(FateView(r->copy, f));
  }
  if (receive) {
    auto in = Incoming(ctx);
    if (!in.ok()) return StaffFailure(ctx, in.status());
    v.incoming = std::move(*in);
  }
  const int status = r.ok() ? 200 : StaffRefusalStatus(r.status());
  return ctx.Page(
      status, receive ? pages::RenderReceive(ctx.page(), v) : pages::RenderCheckin(ctx.page(), v));
}

}  // namespace

Response StaffCheckinForm(const Request&, StaffCtx& ctx) {
  return ctx.Page(200, pages::RenderCheckin(ctx.page(), {}));
}

Response StaffCheckinPost(const Request& req, StaffCtx& ctx) { return Scan(req, ctx, false); }

Response StaffReceiveForm(const Request&, StaffCtx& ctx) {
  pages::ScanView v;
  auto in = Incoming(ctx);
  if (!in.ok()) return StaffFailure(ctx, in.status());
  v.incoming = std::move(*in);
  return ctx.Page(200, pages::RenderReceive(ctx.page(), v));
}

Response StaffReceivePost(const Request& req, StaffCtx& ctx) { return Scan(req, ctx, true); }

// ---------------------------------------------------------------- 予約資料の準備

namespace {

Response PullPage(StaffCtx& ctx, pages::PullView v, int status) {
  auto lines = db::PullList(ctx.db(), ctx.branch.code);
  if (!lines.ok()) return StaffFailure(ctx, lines.status());
  for (const auto& l : *lines) {
    v.lines.push_back({pages::TitleWithVolume(l.title, l.volume), l.call_number, l.barcode,
                       l.pickup_name, DateText(l.placed_at.substr(0, 10))});
  }
  return ctx.Page(status, pages::RenderPullList(ctx.page(), v));
}

}  // namespace

Response StaffPullList(const Request&, StaffCtx& ctx) { return PullPage(ctx, {}, 200); }

Response StaffPullPost(const Request& req, StaffCtx& ctx) {
  const std::string barcode(req.Param("barcode"));
  const bool found = req.Param("found") == "1";
  auto r = found ? db::PullForHold(ctx.db(), barcode, ctx.branch.code, ctx.today, ctx.rules)
                 : db::MarkMissing(ctx.db(), barcode, ctx.branch.code, ctx.rules);
  AuditCounter(ctx, found ? "pull" : "missing", r, "", barcode);
  if (!r.ok() && !r.status().refusal()) return StaffFailure(ctx, r.status());
  pages::PullView v;
  if (!r.ok()) {
    v.outcome = {r.status().message(), true};
  } else if (found) {
    v.outcome = OutcomeOf(r, "確保");
    for (const auto& f : r->fates) v.fates.push_back(FateView(r->copy, f));
  } else {
    v.outcome = {"見つからない: " + Quoted(pages::TitleWithVolume(r->copy.title, r->copy.volume)) +
                     "を所在不明にしました。予約は別の資料を待ちます。",
                 false};
  }
  return PullPage(ctx, std::move(v), r.ok() ? 200 : StaffRefusalStatus(r.status()));
}

// ---------------------------------------------------------------- 取置棚

namespace {

Response ShelfPage(StaffCtx& ctx, pages::StaffOutcome outcome) {
  auto lines = db::HoldShelf(ctx.db(), ctx.branch.code, ctx.today);
  if (!lines.ok()) return StaffFailure(ctx, lines.status());
  pages::ShelfView v;
  v.outcome = std::move(outcome);
  for (const auto& l : *lines) {
    v.lines.push_back({pages::TitleWithVolume(l.title, l.volume), l.barcode,
                       pages::CardTail(l.card), l.name_kana, ContactName(l.contact),
                       DateText(l.ready_on), DateText(l.deadline), l.expired});
    if (l.expired) ++v.expired;
  }
  return ctx.Page(200, pages::RenderHoldShelf(ctx.page(), v));
}

}  // namespace

Response StaffHoldShelf(const Request&, StaffCtx& ctx) { return ShelfPage(ctx, {}); }

Response StaffExpirePost(const Request&, StaffCtx& ctx) {
  auto r = db::DailyRun(ctx.db(), ctx.today, ctx.rules, ctx.branch.code);
  ctx.Audit("expire", r.status(), "", "", r.ok() ? Joined(*r) : "");
  if (!r.ok()) return StaffFailure(ctx, r.status());
  int expired = 0;
  for (const auto& l : *r) expired += l.rfind("期限切れ", 0) == 0;
  return ShelfPage(ctx, {"期限切れの予約" + std::to_string(expired) +
                             "件を取り消しました。資料は次の予約か書架へ回ります（返却と同じく"
                             "回送が必要なものは回送受入の一覧に載ります）。",
                         false});
}

// ---------------------------------------------------------------- 電話連絡

namespace {

Response CallsPage(StaffCtx& ctx, pages::StaffOutcome outcome, int status) {
  auto lines = db::PhoneList(ctx.db(), ctx.branch.code);
  if (!lines.ok()) return StaffFailure(ctx, lines.status());
  pages::CallsView v;
  v.outcome = std::move(outcome);
  for (const auto& l : *lines) {
    pages::CallLineView x;
    x.hold_id = l.hold_id;
    x.title = pages::TitleWithVolume(l.title, l.volume);
    x.card_tail = pages::CardTail(l.card);
    x.name_kana = l.name_kana;
    x.phone = l.phone;
    x.deadline = DateText(l.deadline);
    x.why = l.mail_failed ? "メールが届かない" : "電話";
    if (l.attempts > 0) {
      x.attempts = "不在 " + std::to_string(l.attempts) + "回（最後 " +
                   db::JapaneseDateTime(l.last_attempt_at, false) + "）";
    }
    v.lines.push_back(std::move(x));
  }
  return ctx.Page(status, pages::RenderPhoneList(ctx.page(), v));
}

}  // namespace

Response StaffPhoneList(const Request&, StaffCtx& ctx) { return CallsPage(ctx, {}, 200); }

Response StaffCallPost(const Request& req, StaffCtx& ctx) {
  const int64_t hold = ParseInt(req.Param("hold"), 0, 0, 999999999);
  const bool reached = req.Param("reached") == "1";
  const std::string who = ctx.staff() ? ctx.staff()->login : "";
  Status s = db::RecordCall(ctx.db(), hold, reached, who, ctx.now);
  ctx.Audit("call", s, "", "", "予約" + std::to_string(hold) + (reached ? " 連絡済" : " 不在"));
  if (!s.ok() && !s.refusal()) return StaffFailure(ctx, s);
  pages::StaffOutcome outcome =
      s.ok() ? pages::StaffOutcome{reached ? "連絡済にしました。" : "不在を記録しました。", false}
             : pages::StaffOutcome{s.message(), true};
  return CallsPage(ctx, std::move(outcome), s.ok() ? 200 : StaffRefusalStatus(s));
}

// ---------------------------------------------------------------- 延滞

Response StaffOverdue(const Request&, StaffCtx& ctx) {
  auto lines = db::OverdueLoans(ctx.db(), ctx.branch.code, ctx.today);
  if (!lines.ok()) return StaffFailure(ctx, lines.status());
  pages::OverdueView v;
  for (const auto& l : *lines) {
    v.lines.push_back({pages::TitleWithVolume(l.title, l.volume), l.barcode,
                       pages::CardTail(l.card), l.name_kana, l.phone, DateText(l.due_on), l.days});
  }
  return ctx.Page(200, pages::RenderOverdue(ctx.page(), v));
}

}  // namespace shiori::gateway
