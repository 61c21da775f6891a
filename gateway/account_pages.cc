// The patron's own account (利用照会): login and logout, 新規パスワード登録, the
// password and e-mail changes, 貸出中一覧 with 延長, 予約中一覧 and 予約確保一覧
// with a hold's changes (取り消し, 受取館, 連絡方法). A refusal's message is
// shown on the page it came from; any other failure is the generic page.

#include "charset/charset.h"
#include "db/outbox.h"
#include "gateway/clock.h"
#include "gateway/handlers.h"
#include "mail/mail.h"

namespace shiori::gateway {
namespace {

// Who is trying: the session (made by the attempt when there is none yet),
// else the device — never the IP address alone, which carrier gateways share.
std::string ThrottleKey(Ctx& ctx) {
  (void)ctx.session.Ensure();  // without a session (database busy) the device counts
  return ctx.session.active() ? "s" + std::to_string(ctx.session.row()->id)
                              : "d" + DeviceKey(ctx.profile);
}

Response AccountHome(Ctx& ctx, int64_t patron, std::string message) {
  const db::Date today = ctx.clock.Today();
  auto loans = db::PatronLoans(ctx.db(), patron, today);
  auto waiting = db::PatronHolds(ctx.db(), patron, false);
  auto ready = db::PatronHolds(ctx.db(), patron, true);
  if (!loans.ok()) return Failure(ctx, loans.status());
  if (!waiting.ok()) return Failure(ctx, waiting.status());
  if (!ready.ok()) return Failure(ctx, ready.status());
  pages::AccountHomeView v;
  v.message = std::move(message);
  v.loans = static_cast<int>(loans->size());
  for (const auto& l : *loans) v.overdue += l.overdue;
  v.waiting = static_cast<int>(waiting->size());
  v.ready = static_cast<int>(ready->size());
  return Html(200, pages::RenderAccountHome(ctx.page(), v));
}

Response RegisterPage(Ctx& ctx, pages::RegisterView v, int status = 200) {
  v.min_length = ctx.cfg.password_min;
  v.max_length = ctx.cfg.password_max;
  v.card_digits = ctx.cfg.card_digits;
  return Html(status, pages::RenderRegister(ctx.page(), v));
}

pages::EmailView EmailViewFor(Ctx& ctx) {
  pages::EmailView v;
  v.sender = ctx.cfg.mail.from;
  if (ctx.patron) v.current = ctx.patron->email;
  auto pending = db::PendingEmailChange(ctx.db(), *PatronOf(ctx), ctx.clock.Now());
  if (pending.ok() && pending->has_value()) {
    v.pending = (*pending)->address;
    v.pending_until = db::JapaneseDateTime((*pending)->expires_at);
  }
  return v;
}

// A refusal of an e-mail change shown on its page: 429 past the notice limit.
Response EmailRefused(Ctx& ctx, pages::EmailView v, const Status& s) {
  if (!s.refusal()) return Failure(ctx, s);
  v.message = s.message();
  return Html(s.code() == Status::Code::kLocked ? 429 : 400,
              pages::RenderEmailChange(ctx.page(), v));
}

// A confirmation code as the mail gives it: letters a-z and digits 2-7.
bool LooksLikeCode(std::string_view c) {
  if (c.empty() || c.size() > 64) return false;
  for (char ch : c) {
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7'))) return false;
  }
  return true;
}

Response CodeUnusable(Ctx& ctx) {
  return Html(410,
              pages::RenderError(ctx.page(), "このリンクは使えません", db::kEmailCodeUnusable));
}

// What RenewLoan would answer for loan `l` today: the new due date, or why
// not. The list offers 延長 and the confirmation names the date by it.
Result<db::Date> RenewalOf(const db::LoanLine& l, const db::Date& today,
                           const db::LibraryRules& rules) {
  const auto due = db::Date::Parse(l.due_on);
  if (!due) return Status::Conflict("この資料は延長できません。");
  db::LoanFacts facts{*due, l.renewals, l.reserved, {}};
  if (const db::Branch* b = rules.FindBranch(l.lending_branch)) facts.closed = b->closed;
  return db::Renewal(facts, today, rules);
}

Response LoansView(const Request& req, Ctx& ctx, std::string message, int status = 200) {
  const db::Date today = ctx.clock.Today();
  auto loans = db::PatronLoans(ctx.db(), *PatronOf(ctx), today);
  if (!loans.ok()) return Failure(ctx, loans.status());
  pages::LoansView v;
  v.message = std::move(message);
  v.loan_days = ctx.cfg.rules.loan_days;
  v.max_renewals = ctx.cfg.rules.max_renewals;
  const Slice slice = SliceOf(req, ctx, loans->size());
  v.paging = slice.paging;
  for (size_t i = slice.from; i < slice.to; ++i) {
    const db::LoanLine& l = (*loans)[i];
    pages::LoanLineView line;
    line.title = pages::TitleWithVolume(l.title, l.volume);
    line.due = DateText(l.due_on);
    line.loaned_on = DateText(l.loaned_on);
    line.branch = l.branch_name;
    line.overdue = l.overdue;
    line.reserved = l.reserved;
    line.renewals = l.renewals;
    line.loan_id = l.loan_id;
    line.renewable = RenewalOf(l, today, ctx.cfg.rules).ok();
    v.loans.push_back(std::move(line));
  }
  return Html(status, pages::RenderLoans(ctx.page(), v));
}

// The patron's own hold `id`, waiting or ready; nullopt when not theirs.
Result<std::optional<std::pair<db::HoldLine, bool>>> OwnHold(Ctx& ctx, int64_t id) {
  for (bool ready : {false, true}) {
    auto holds = db::PatronHolds(ctx.db(), *PatronOf(ctx), ready);
    if (!holds.ok()) return holds.status();
    for (auto& h : *holds) {
      if (h.hold_id == id) return std::optional<std::pair<db::HoldLine, bool>>({h, ready});
    }
  }
  return std::optional<std::pair<db::HoldLine, bool>>();
}

Response HoldList(const Request& req, Ctx& ctx, bool ready, std::string message = "",
                  int status = 200) {
  auto holds = db::PatronHolds(ctx.db(), *PatronOf(ctx), ready);
  if (!holds.ok()) return Failure(ctx, holds.status());
  pages::HoldsView v;
  v.ready = ready;
  v.message = std::move(message);
  const Slice slice = SliceOf(req, ctx, holds->size());
  v.paging = slice.paging;
  for (size_t i = slice.from; i < slice.to; ++i) {
    const db::HoldLine& h = (*holds)[i];
    std::string notice;
    if (ready && h.contact == "mail") {
      auto sent = db::NoticeSentAt(ctx.db(), h.hold_id);
      if (!sent.ok()) return Failure(ctx, sent.status());
      if (sent->has_value()) notice = **sent;
    }
    v.holds.push_back({h.hold_id, pages::TitleWithVolume(h.title, h.volume), h.branch_name,
                       ContactName(h.contact), h.position, DateText(h.deadline), std::move(notice),
                       DateText(h.placed_on)});
  }
  return Html(status, pages::RenderHolds(ctx.page(), v));
}

// What a patron may change of a hold: each its own route.
enum class HoldChange { kCancel, kBranch, kContact };

Response ChangeHold(const Request& req, Ctx& ctx, HoldChange what) {
  const int64_t id = ParseInt(req.Param("id"), 0, 0, 999999999);
  auto own = OwnHold(ctx, id);
  if (!own.ok()) return Failure(ctx, own.status());
  if (!own->has_value()) return Html(404, pages::RenderNotFound(ctx.page()));
  const auto& [hold, ready] = **own;
  const std::string title = pages::TitleWithVolume(hold.title, hold.volume);
  const std::string branch(req.Param("branch")), contact(req.Param("contact"));
  // A cancellation is confirmed on a page of its own on every device: the
  // place in the queue cannot be had back. ケータイ版 confirms every change.
  if ((what == HoldChange::kCancel || ctx.layout == Layout::kKeypad) &&
      req.Param("confirm") != "1") {
    pages::ConfirmView v;
    v.action = req.path;
    v.fields = {{"id", std::to_string(id)}};
    v.back = "/account/hold?id=" + std::to_string(id);
    v.back_label = "やめる（予約はそのまま）";
    if (what == HoldChange::kCancel) {
      v.heading = "予約の取り消し";
      v.text = ready ? "「" + title +
                           "」の予約を取り消します。取り置いている資料は次の方に回り、"
                           "取り消しは元に戻せません。よろしいですか。"
                     : "「" + title +
                           "」の予約を取り消します。取り消すと、予約の順番は元に戻せません"
                           "（もう一度予約すると最後尾になります）。よろしいですか。";
      v.button = "取り消す";
    } else if (what == HoldChange::kBranch) {
      const db::Branch* b = ctx.cfg.rules.FindBranch(branch);
      v.heading = "受取館の変更";
      v.text = "「" + title + "」の受取館を" + (b ? b->name : branch) + "に変えます。";
      v.button = "変える";
      v.fields.emplace_back("branch", branch);
    } else {
      v.heading = "連絡方法の変更";
      v.text = "「" + title + "」の連絡方法を" + ContactName(contact) + "に変えます。";
      v.button = "変える";
      v.fields.emplace_back("contact", contact);
    }
    return Html(200, pages::RenderConfirm(ctx.page(), v));
  }
  const db::Date today = ctx.clock.Today();
  Status s = what == HoldChange::kCancel
                 ? db::CancelHold(ctx.db(), *PatronOf(ctx), id, today, ctx.cfg.rules)
             : what == HoldChange::kBranch
                 ? db::ChangeHoldBranch(ctx.db(), *PatronOf(ctx), id, branch)
                 : db::ChangeHoldContact(ctx.db(), *PatronOf(ctx), id, contact);
  if (!s.ok()) {
    if (!s.refusal()) return Failure(ctx, s);
    return HoldList(req, ctx, ready, s.message(), 409);
  }
  return HoldList(req, ctx, ready,
                  what == HoldChange::kCancel ? "「" + title + "」の予約を取り消しました。"
                  : what == HoldChange::kBranch ? "受取館を変えました。"
                                                : "連絡方法を変えました。");
}

}  // namespace

Response AccountPage(const Request& req, Ctx& ctx) {
  auto patron = PatronOf(ctx);
  if (!patron) {
    // After ログアウト: said, with the login form for whoever comes next.
    if (req.Param("logout") == "1") {
      pages::LoginView v;
      v.notice = "ログアウトしました。";
      v.card_digits = ctx.cfg.card_digits;
      return Html(200, pages::RenderLogin(ctx.page(), v));
    }
    return LoginPage(ctx, "", "");
  }
  return AccountHome(ctx, *patron, "");
}

Response LoginPost(const Request& req, Ctx& ctx) {
  const std::string card(req.Param("card"));
  auto id =
      db::Login(ctx.db(), card, req.Param("password"), ThrottleKey(ctx),
                ThrottleOf(ctx.cfg, ctx.profile.feature_phone()), ctx.clock.Now(), ctx.client);
  if (!id.ok()) {
    if (!id.status().refusal()) return Failure(ctx, id.status());
    return LoginPage(ctx, card, id.status().message(), 403, ReturnTo(req.Param("next"), ""), true);
  }
  // A new id at login: whoever knew the old one (a shared URL) is left behind.
  Status s = ctx.session.Rotate();
  if (s.ok()) s = db::SetSessionPatron(ctx.db(), ctx.session.row()->id, *id);
  if (!s.ok()) return Failure(ctx, s);
  ctx.session.mutable_row()->patron_id = *id;
  return ctx.Redirect(ReturnTo(req.Param("next"), "/account"));
}

Response LogoutPost(const Request&, Ctx& ctx) {
  Status s = ctx.session.End();
  if (!s.ok()) return Failure(ctx, s);
  return ctx.Redirect("/account?logout=1");
}

Response RegisterForm(const Request&, Ctx& ctx) { return RegisterPage(ctx, {}); }

Response RegisterPost(const Request& req, Ctx& ctx) {
  pages::RegisterView v;
  v.card = std::string(req.Param("card"));
  v.name_kana = std::string(req.Param("name"));
  v.phone = std::string(req.Param("phone"));
  // A password only: an "email" field, if one is posted, is not read.
  const std::string password = charset::NormalizePassword(req.Param("password"));
  if (password != charset::NormalizePassword(req.Param("password2"))) {
    v.message = "パスワードが確認用と一致しません。同じものを2回入力してください。";
    return RegisterPage(ctx, std::move(v), 400);
  }
  Status s = db::RegisterPassword(
      ctx.db(), v.card, v.name_kana, v.phone, password, ThrottleKey(ctx), PasswordPolicyOf(ctx.cfg),
      ctx.cfg.hashing, ThrottleOf(ctx.cfg, ctx.profile.feature_phone()), ctx.clock.Now(),
      ClassName(ctx.profile.device_class), ctx.cfg.mail.limits, ctx.client);
  if (!s.ok()) {
    if (!s.refusal()) return Failure(ctx, s);
    v.message = s.message();
    return RegisterPage(ctx, std::move(v), 403);
  }
  v.done = true;
  return RegisterPage(ctx, std::move(v));
}

Response GuidePage(const Request&, Ctx& ctx) { return Html(200, pages::RenderGuide(ctx.page())); }

Response PasswordForm(const Request&, Ctx& ctx) {
  pages::PasswordView v{"", ctx.cfg.password_min, ctx.cfg.password_max};
  return Html(200, pages::RenderPasswordChange(ctx.page(), v));
}

Response PasswordPost(const Request& req, Ctx& ctx) {
  pages::PasswordView v{"", ctx.cfg.password_min, ctx.cfg.password_max};
  const std::string next = charset::NormalizePassword(req.Param("password"));
  if (next != charset::NormalizePassword(req.Param("password2"))) {
    v.message = "新しいパスワードが確認用と一致しません。";
    return Html(400, pages::RenderPasswordChange(ctx.page(), v));
  }
  Status s = db::ChangePassword(
      ctx.db(), *PatronOf(ctx), charset::NormalizePassword(req.Param("current")), next,
      ctx.session.row()->id, PasswordPolicyOf(ctx.cfg), ctx.cfg.hashing, ThrottleOf(ctx.cfg),
      ctx.clock.Now(), ClassName(ctx.profile.device_class), ctx.cfg.mail.limits);
  if (!s.ok()) {
    if (!s.refusal()) return Failure(ctx, s);
    v.message = s.message();
    return Html(403, pages::RenderPasswordChange(ctx.page(), v));
  }
  return AccountHome(ctx, *PatronOf(ctx), "パスワードを変更しました。");
}

Response EmailForm(const Request&, Ctx& ctx) {
  return Html(200, pages::RenderEmailChange(ctx.page(), EmailViewFor(ctx)));
}

Response EmailPost(const Request& req, Ctx& ctx) {
  pages::EmailView v = EmailViewFor(ctx);
  const int64_t patron = *PatronOf(ctx);
  const int64_t now = ctx.clock.Now();
  v.entered = std::string(req.Param("email"));
  const std::string address = db::NormalizeEmailInput(v.entered);
  if (address.empty()) {
    if (req.Param("confirm") != "1") {
      // Removing the address: say first what happens to the holds that wait for a mail.
      auto n = db::MailHoldCount(ctx.db(), patron);
      if (!n.ok()) return Failure(ctx, n.status());
      if (*n > 0) {
        v.confirm_removal = true;
        v.mail_holds = *n;
        return Html(200, pages::RenderEmailChange(ctx.page(), v));
      }
    }
    auto removed = db::RemoveEmail(ctx.db(), patron, now, ctx.cfg.mail.limits);
    if (!removed.ok()) return EmailRefused(ctx, std::move(v), removed.status());
    return AccountHome(ctx, patron, "Eメールアドレスの登録を消しました。");
  }
  // A new address is used only once confirmed from its own mailbox.
  auto change = db::RequestEmailChange(ctx.db(), patron, address, ctx.site.random, now,
                                       ctx.cfg.mail.confirm_valid_s, ctx.cfg.mail.limits);
  if (!change.ok()) return EmailRefused(ctx, std::move(v), change.status());
  pages::EmailView sent = EmailViewFor(ctx);
  sent.message = "確認のメールを送りました。";
  return Html(200, pages::RenderEmailChange(ctx.page(), sent));
}

Response EmailConfirmPage(const Request& req, Ctx& ctx) {
  const std::string code(req.Param("c"));
  if (!LooksLikeCode(code)) return CodeUnusable(ctx);
  auto patron = PatronOf(ctx);
  if (!patron) {
    // The link is opened where the mail arrived, often without a session:
    // the login leads back here.
    return LoginPage(ctx, "", "メールアドレスの変更を終えるには、ログインしてください。", 401,
                     mail::EmailConfirmPath(code));
  }
  auto change = db::FindEmailChange(ctx.db(), *patron, code, ctx.clock.Now());
  if (!change.ok()) return Failure(ctx, change.status());
  if (!change->has_value()) return CodeUnusable(ctx);
  // Opening the link changes nothing: the button below does.
  pages::ConfirmView v;
  v.heading = "メールアドレスの確認";
  v.text = "新しいEメールアドレス「" + (*change)->address +
           "」を登録します。登録すると、お知らせはこのアドレスに届きます。";
  v.action = "/account/email/confirm";
  v.button = "登録する";
  v.fields = {{"c", code}};
  return Html(200, pages::RenderConfirm(ctx.page(), v));
}

Response EmailConfirmPost(const Request& req, Ctx& ctx) {
  const int64_t patron = *PatronOf(ctx);
  auto address = db::ConfirmEmailChange(ctx.db(), patron, req.Param("c"), ctx.clock.Now(),
                                        ctx.cfg.mail.limits);
  if (!address.ok()) {
    const Status& s = address.status();
    if (!s.refusal()) return Failure(ctx, s);
    if (s.code() == Status::Code::kLocked) {
      return Html(429, pages::RenderError(ctx.page(), "しばらくお待ちください", s.message()));
    }
    return CodeUnusable(ctx);
  }
  return AccountHome(ctx, patron, "Eメールアドレスを " + *address + " に変更しました。");
}

Response LoansPage(const Request& req, Ctx& ctx) { return LoansView(req, ctx, ""); }

Response RenewPost(const Request& req, Ctx& ctx) {
  const db::Date today = ctx.clock.Today();
  const int64_t id = ParseInt(req.Param("id"), 0, 0, 999999999);
  auto loans = db::PatronLoans(ctx.db(), *PatronOf(ctx), today);
  if (!loans.ok()) return Failure(ctx, loans.status());
  const db::LoanLine* loan = nullptr;
  for (const auto& l : *loans) {
    if (l.loan_id == id) loan = &l;
  }
  if (!loan) return LoansView(req, ctx, "この貸出は見つかりません。", 404);
  auto next = RenewalOf(*loan, today, ctx.cfg.rules);
  if (!next.ok()) {
    if (!next.status().refusal()) return Failure(ctx, next.status());
    return LoansView(req, ctx, next.status().message(), 409);
  }
  // A renewal is confirmed first on every device: it can be made only so
  // many times, and the page says the due date it gives. The confirmation
  // carries that date: when the date a renewal would give has changed since
  // (the page was left open past midnight), it asks again.
  const bool confirmed = req.Param("confirm") == "1";
  if (!confirmed || req.Param("due") != next->ToString()) {
    const int max = ctx.cfg.rules.max_renewals;
    pages::ConfirmView v;
    v.heading = "貸出の延長";
    v.text =
        std::string(confirmed ? "延長した場合の返却期限が変わりました。もう一度お確かめください。"
                              : "") +
        "「" + pages::TitleWithVolume(loan->title, loan->volume) +
        "」の返却期限を延長します。新しい返却期限は" + db::JapaneseDate(*next) + "です。" +
        (max == 1 ? std::string("延長は1回だけです。")
                  : "延長は" + std::to_string(max) + "回までで、これが" +
                        std::to_string(loan->renewals + 1) + "回目です。") +
        "よろしいですか。";
    v.action = "/account/loans/renew";
    v.button = "延長する";
    v.fields = {{"id", std::to_string(id)}, {"due", next->ToString()}};
    v.back = "/account/loans";
    v.back_label = "やめる（貸出中一覧へ）";
    return Html(200, pages::RenderConfirm(ctx.page(), v));
  }
  auto due = db::RenewLoan(ctx.db(), *PatronOf(ctx), id, today, ctx.cfg.rules);
  if (!due.ok()) {
    if (!due.status().refusal()) return Failure(ctx, due.status());
    return LoansView(req, ctx, due.status().message(), 409);
  }
  return LoansView(req, ctx, "延長しました。新しい返却期限は" + db::JapaneseDate(*due) + "です。");
}

Response HoldDetail(const Request& req, Ctx& ctx) {
  auto own = OwnHold(ctx, ParseInt(req.Param("id"), 0, 0, 999999999));
  if (!own.ok()) return Failure(ctx, own.status());
  if (!own->has_value()) return Html(404, pages::RenderNotFound(ctx.page()));
  const auto& [hold, ready] = **own;
  if (!ctx.patron) return LoginPage(ctx, "", "ログインしてください。", 401);
  const db::PatronRow& patron = *ctx.patron;
  pages::HoldDetailView v;
  v.hold_id = hold.hold_id;
  v.title = pages::TitleWithVolume(hold.title, hold.volume);
  v.authors = hold.authors;
  v.placed_on = DateText(hold.placed_on);
  v.branch_name = hold.branch_name;
  v.deadline = DateText(hold.deadline);
  v.position = hold.position;
  v.ready = ready;
  v.branch_code = hold.branch_code;
  v.contact = hold.contact;
  v.branches = BranchesFor(ctx.cfg, patron);
  v.has_email = !patron.email.empty();
  return Html(200, pages::RenderHoldDetail(ctx.page(), v));
}

Response HoldsPage(const Request& req, Ctx& ctx) { return HoldList(req, ctx, false); }
Response ReadyPage(const Request& req, Ctx& ctx) { return HoldList(req, ctx, true); }

Response HoldCancelPost(const Request& req, Ctx& ctx) {
  return ChangeHold(req, ctx, HoldChange::kCancel);
}
Response HoldBranchPost(const Request& req, Ctx& ctx) {
  return ChangeHold(req, ctx, HoldChange::kBranch);
}
Response HoldContactPost(const Request& req, Ctx& ctx) {
  return ChangeHold(req, ctx, HoldChange::kContact);
}

}  // namespace shiori::gateway
