// 利用照会: login, account home, 新規パスワード登録, password and e-mail
// changes, the three lists, and はじめての方へ.
#include "pages/account.h"

#include <string>

#include "pages/layout.h"

namespace shiori::pages {
namespace {

// A labelled field on its own line, with the device's input mode.
// `describedby`: the id of the field's help, when it has one.
void Field(Html& h, const Context& ctx, const char* type, const char* name, const char* label,
           std::string_view value, Input kind, const char* size, const char* maxlength,
           std::string_view describedby = "") {
  const std::string id = std::string("f-") + name;
  h.Element("label", label, {{"for", id}});
  h.Void("br");
  std::vector<Attr> a = {{"type", type},   {"name", name}, {"id", id},
                         {"value", value}, {"size", size}, {"maxlength", maxlength}};
  if (!describedby.empty()) a.push_back({"aria-describedby", describedby});
  for (const Attr& x : ctx.device.InputAttrs(kind)) a.push_back(x);
  h.Void("input", a);
  h.Void("br");
}

// The card number's field with its help (where the number is on the card).
void CardField(Html& h, const Context& ctx, std::string_view value, int digits) {
  Field(h, ctx, "text", "card", "利用者カードの番号", value, Input::kDigits, "12", "16",
        "card-help");
  detail::CardHelp(h, ctx, digits, "card-help");
}

void Message(Html& h, const std::string& message) {
  if (!message.empty()) h.Open("p", {{"role", "alert"}}).Element("strong", message).Close();
}

void PostForm(Html& h, const Context& ctx, std::string_view action) {
  h.Open("form", {{"action", ctx.links.Url(action)}, {"method", "post"}});
  ctx.links.FormFields(h, true);
}

std::string PasswordRule(int min, int max) {
  return "半角英数字" + std::to_string(min) + "〜" + std::to_string(max) +
         "文字（大文字・小文字は区別します）";
}

void Notice(Html& h, const std::string& notice) {
  if (!notice.empty()) h.Open("p", {{"role", "status"}}).Element("strong", notice).Close();
}

void BackToAccount(Html& h, const Context& ctx) {
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url("/account"), "利用照会のトップへ", '9');
  h.Close();
}

}  // namespace

std::string RenderLogin(const Context& ctx, const LoginView& v) {
  Html h;
  detail::BeginPage(h, ctx, "利用照会（ログイン）");
  Notice(h, v.notice);
  Message(h, v.message);
  if (v.failed) {
    h.Open("p")
        .Text("はじめて利用照会をお使いになる方は、先に")
        .Open("a", {{"href", ctx.links.Url("/account/register")}})
        .Text("新規パスワード登録")
        .Close()
        .Text("をしてください。パスワードを忘れたときも同じところで設定し直せます。")
        .Close();
  }
  PostForm(h, ctx, "/account/login");
  if (!v.next.empty()) h.Void("input", {{"type", "hidden"}, {"name", "next"}, {"value", v.next}});
  CardField(h, ctx, v.card, v.card_digits);
  Field(h, ctx, "password", "password", "パスワード", "", Input::kAlpha, "10", "16");
  h.Void("input", {{"type", "submit"}, {"value", "ログイン"}});
  h.Close();
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url("/account/register"),
                  "新規パスワード登録・パスワードを忘れたら", '5');
  h.Void("br");
  detail::KeyLink(h, ctx, ctx.links.Url("/account/guide"), "はじめての方へ", '7');
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderAccountHome(const Context& ctx, const AccountHomeView& v) {
  Html h;
  detail::BeginPage(h, ctx, "利用照会");
  Message(h, v.message);
  h.Open("ul");
  auto item = [&](const char* path, std::string label, char key) {
    h.Open("li");
    detail::KeyLink(h, ctx, ctx.links.Url(path), label, key);
    h.Close();
  };
  std::string loans = "貸出中一覧（" + std::to_string(v.loans) + "冊";
  if (v.overdue) loans += "、延滞" + std::to_string(v.overdue) + "冊";
  item("/account/loans", loans + "）", '1');
  item("/account/holds", "予約中一覧（" + std::to_string(v.waiting) + "件）", '2');
  item("/account/ready", "予約確保一覧（" + std::to_string(v.ready) + "件）", '3');
  item("/account/password", "パスワードの変更", '4');
  item("/account/email", "Eメールアドレスの変更", '5');
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderRegister(const Context& ctx, const RegisterView& v) {
  Html h;
  detail::BeginPage(h, ctx, "新規パスワード登録");
  if (v.done) {
    h.Element("p",
              "パスワードを登録しました。カード番号と新しいパスワードでログインしてください。"
              "メールでのお知らせは、ログイン後の「Eメールアドレスの変更」で登録できます。");
    h.Open("p");
    detail::KeyLink(h, ctx, ctx.links.Url("/account"), "ログインへ", '1');
    h.Close();
    return detail::EndPage(h, ctx);
  }
  Message(h, v.message);
  h.Element("p",
            "図書館でカードを作ったときの氏名（カタカナ）と電話番号を入力してください。"
            "パスワードを忘れたときも、ここで設定し直せます。");
  PostForm(h, ctx, "/account/register");
  CardField(h, ctx, v.card, v.card_digits);
  Field(h, ctx, "text", "name", "氏名（カタカナ）", v.name_kana, Input::kKana, "16", "40");
  Field(h, ctx, "tel", "phone", "電話番号", v.phone, Input::kDigits, "14", "20");
  h.Element("p", "パスワード: " + PasswordRule(v.min_length, v.max_length));
  Field(h, ctx, "password", "password", "パスワード", "", Input::kAlpha, "10", "16");
  Field(h, ctx, "password", "password2", "パスワード（確認）", "", Input::kAlpha, "10", "16");
  h.Void("input", {{"type", "submit"}, {"value", "登録する"}});
  h.Close();
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url("/account/guide"), "登録できないときは", '7');
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderPasswordChange(const Context& ctx, const PasswordView& v) {
  Html h;
  detail::BeginPage(h, ctx, "パスワードの変更");
  Message(h, v.message);
  h.Element("p", "新しいパスワード: " + PasswordRule(v.min_length, v.max_length) +
                     "。変更したパスワードは図書館でもわかりませんので、大切に管理してください。");
  PostForm(h, ctx, "/account/password");
  Field(h, ctx, "password", "current", "いまのパスワード", "", Input::kAlpha, "10", "16");
  Field(h, ctx, "password", "password", "新しいパスワード", "", Input::kAlpha, "10", "16");
  Field(h, ctx, "password", "password2", "新しいパスワード（確認）", "", Input::kAlpha, "10", "16");
  h.Void("input", {{"type", "submit"}, {"value", "変更する"}});
  h.Close();
  BackToAccount(h, ctx);
  return detail::EndPage(h, ctx);
}

std::string RenderEmailChange(const Context& ctx, const EmailView& v) {
  Html h;
  detail::BeginPage(h, ctx, "Eメールアドレスの変更");
  Message(h, v.message);
  h.Element("p", v.current.empty() ? "いまはEメールアドレスが登録されていません。"
                                   : "いまのアドレス: " + v.current);
  if (v.confirm_removal) {
    h.Element(
        "p",
        "アドレスを消すと、連絡方法がメールの予約" + std::to_string(v.mail_holds) +
            "件は「連絡不要」になります（予約確保一覧でご確認ください）。消してよろしいですか。");
    PostForm(h, ctx, "/account/email");
    h.Void("input", {{"type", "hidden"}, {"name", "email"}, {"value", ""}});
    h.Void("input", {{"type", "hidden"}, {"name", "confirm"}, {"value", "1"}});
    h.Void("input", {{"type", "submit"}, {"value", "アドレスを消す"}});
    h.Close();
    BackToAccount(h, ctx);
    return detail::EndPage(h, ctx);
  }
  if (!v.pending.empty()) {
    h.Element(
        "p",
        "確認のメールを " + v.pending + " に送りました。メールのリンクを開き、" + v.pending_until +
            "までに手続きを終えると変更されます。それまでは、いまのアドレスにお知らせします。");
    h.Element("p",
              "メールが届かないときは、図書館からのメール（" + v.sender +
                  "）を受信できるよう設定してください（指定受信）。設定後もメールが届かない"
                  "場合は、メールアドレスの誤りの可能性があるので、再度手続きをしてください。");
  } else {
    h.Element("p", "携帯電話のメールで受信を制限している方は、図書館からのメール（" + v.sender +
                       "）を受信できるよう設定してください（指定受信）。新しいアドレスには確認の"
                       "メールが届きます。設定後もメールが届かない場合は、メールアドレスの誤りの"
                       "可能性があるので、再度手続きをしてください。");
  }
  h.Element("p", detail::kPacketFees);
  PostForm(h, ctx, "/account/email");
  Field(h, ctx, "email", "email", "新しいEメールアドレス（空にすると登録を消します）", v.entered,
        Input::kAlpha, "20", "254");
  h.Void("input", {{"type", "submit"}, {"value", "変更する"}});
  h.Close();
  BackToAccount(h, ctx);
  return detail::EndPage(h, ctx);
}

std::string RenderLoans(const Context& ctx, const LoansView& v) {
  Html h;
  detail::BeginPage(h, ctx, "貸出中一覧");
  Message(h, v.message);
  if (v.loans.empty()) {
    h.Element("p", "いま借りている資料はありません。");
  } else {
    h.Open("ol", {{"start", std::to_string(v.paging.first)}});
    for (const auto& l : v.loans) {
      h.Open("li");
      h.Text(l.title).Void("br");
      h.Text("返却期限 ").Text(l.due);
      if (l.overdue) h.Text(" ").Element("strong", "延滞");
      if (l.reserved) h.Text(" ").Element("strong", "予約あり");
      if (l.renewals > 0 && l.renewals >= v.max_renewals) {
        h.Text(" 延長済み");
      } else if (l.renewals > 0) {
        h.Text(" 延長").Text(std::to_string(l.renewals)).Text("回");
      }
      h.Void("br").Text("貸出日 ").Text(l.loaned_on).Text(" / ").Text(l.branch);
      if (l.renewable) {
        PostForm(h, ctx, "/account/loans/renew");
        h.Void("input", {{"type", "hidden"}, {"name", "id"}, {"value", std::to_string(l.loan_id)}});
        h.Void("input", {{"type", "submit"}, {"value", "延長"}});
        h.Close();
      }
      h.Close();
    }
    h.Close();
    h.Element("p",
              std::string("「延滞」は返却期限を過ぎています。至急お返しください。"
                          "「予約あり」は次に待っている人がいます。期限内にお返しください。") +
                  (v.max_renewals <= 0
                       ? std::string("延長はできません。")
                       : "予約がなく期限内の資料は、" +
                             (v.max_renewals == 1 ? std::string("1回に限り")
                                                  : std::to_string(v.max_renewals) + "回まで") +
                             "延長できます（延長した日から" + std::to_string(v.loan_days) +
                             "日）。「延長済み」の資料はもう延長できません。"));
    detail::PagingLinks(h, ctx, "/account/loans", v.paging);
  }
  BackToAccount(h, ctx);
  return detail::EndPage(h, ctx);
}

std::string RenderHolds(const Context& ctx, const HoldsView& v) {
  Html h;
  detail::BeginPage(h, ctx, v.ready ? "予約確保一覧" : "予約中一覧");
  Message(h, v.message);
  if (v.holds.empty()) {
    h.Element("p", v.ready ? "受け取りをお待ちしている資料はありません。"
                           : "順番を待っている予約はありません。");
  } else {
    h.Open("ol", {{"start", std::to_string(v.paging.first)}});
    for (const auto& x : v.holds) {
      h.Open("li");
      h.Open("a", {{"href", ctx.links.Url("/account/hold", {{"id", std::to_string(x.hold_id)}})}})
          .Text(x.title)
          .Close()
          .Void("br");
      h.Text("受取館 ").Text(x.branch);
      if (v.ready) {
        h.Void("br").Text("取置期限 ").Text(x.deadline);
        if (!x.notice.empty()) h.Void("br").Text("お知らせメール送信 ").Text(x.notice);
      } else {
        h.Void("br").Text("予約日 ").Text(x.placed_on);
        h.Void("br").Text("連絡方法 ").Text(x.contact).Text(" / ");
        if (x.position > 0) {
          h.Text(std::to_string(x.position)).Text("番目");
        } else {
          h.Text("回送中（資料が受取館へ向かっています）");
        }
      }
      h.Close();
    }
    h.Close();
    detail::PagingLinks(h, ctx, v.ready ? "/account/ready" : "/account/holds", v.paging);
    if (v.ready) {
      h.Element("p",
                "表示の受取館へ、期限内に利用者カードをお持ちのうえお越しください。"
                "期限を過ぎると予約は取り消しになります。");
    }
  }
  BackToAccount(h, ctx);
  return detail::EndPage(h, ctx);
}

std::string RenderHoldDetail(const Context& ctx, const HoldDetailView& v) {
  Html h;
  detail::BeginPage(h, ctx, v.title);
  h.Open("dl");
  auto fact = [&](std::string_view label, std::string_view value) {
    detail::Fact(h, label, value);
  };
  fact("著者", v.authors);
  fact("予約日", v.placed_on);
  fact("受取館", v.branch_name);
  if (v.ready) {
    fact("取置期限", v.deadline);
  } else {
    fact("順番", v.position > 0 ? std::to_string(v.position) + "番目"
                                : "回送中（資料が受取館へ向かっています）");
  }
  h.Close();
  auto select = [&](const char* name, const char* label,
                    const std::vector<std::pair<std::string, std::string>>& options,
                    const std::string& current) {
    const std::string id = std::string("f-") + name;
    h.Element("label", label, {{"for", id}});
    h.Void("br");
    h.Open("select", {{"name", name}, {"id", id}});
    for (const auto& [value, text] : options) {
      if (value == current) {
        h.Element("option", text, {{"value", value}, {"selected", "", true}});
      } else {
        h.Element("option", text, {{"value", value}});
      }
    }
    h.Close();
  };
  const std::string id = std::to_string(v.hold_id);
  if (!v.ready) {
    PostForm(h, ctx, "/account/holds/branch");
    h.Void("input", {{"type", "hidden"}, {"name", "id"}, {"value", id}});
    select("branch", "受取館", v.branches, v.branch_code);
    h.Void("input", {{"type", "submit"}, {"value", "受取館を変える"}});
    h.Close();
  }
  std::vector<std::pair<std::string, std::string>> contacts;
  if (v.has_email) contacts.emplace_back("mail", "メール");
  contacts.emplace_back("phone", "電話");
  contacts.emplace_back("none", "連絡不要");
  PostForm(h, ctx, "/account/holds/contact");
  h.Void("input", {{"type", "hidden"}, {"name", "id"}, {"value", id}});
  select("contact", "連絡方法", contacts, v.contact);
  h.Void("input", {{"type", "submit"}, {"value", "連絡方法を変える"}});
  h.Close();
  PostForm(h, ctx, "/account/holds/cancel");
  h.Void("input", {{"type", "hidden"}, {"name", "id"}, {"value", id}});
  h.Void("input", {{"type", "submit"}, {"value", "この予約を取り消す"}});
  h.Close();
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url(v.ready ? "/account/ready" : "/account/holds"),
                  v.ready ? "予約確保一覧へ" : "予約中一覧へ", '8');
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderConfirm(const Context& ctx, const ConfirmView& v) {
  Html h;
  detail::BeginPage(h, ctx, v.heading);
  h.Element("p", v.text);
  PostForm(h, ctx, v.action);
  for (const auto& [k, val] : v.fields) {
    h.Void("input", {{"type", "hidden"}, {"name", k}, {"value", val}});
  }
  h.Void("input", {{"type", "hidden"}, {"name", "confirm"}, {"value", "1"}});
  h.Void("input", {{"type", "submit"}, {"value", v.button}});
  h.Close();
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url(v.back), v.back_label, '9');
  h.Close();
  return detail::EndPage(h, ctx);
}

std::string RenderGuide(const Context& ctx) {
  Html h;
  detail::BeginPage(h, ctx, "はじめての方へ");
  h.Element("h2", "利用者カード");
  h.Element("p",
            "利用照会には利用者カードが必要です。カードは中央図書館・高尾野図書館・野田図書館の"
            "カウンターで作れます（無料）。申込書にお名前・ご住所などを書き、住所が確認できるもの"
            "（運転免許証・健康保険証・学生証など）をお見せください。");
  h.Element("p", detail::kPacketFees);
  h.Element("h2", "パスワードの登録");
  h.Element("p",
            "「新規パスワード登録」で、カード番号・氏名（カタカナ）・電話番号を入力し、"
            "パスワードを決めてください。パスワードを忘れたときも同じ画面で設定し直せます。");
  h.Element("h2", "登録できないとき");
  h.Open("ul");
  h.Element("li",
            "カードを作ったあとで氏名や電話番号が変わった方は、カードを作ったときのもので"
            "お試しください。そのあと、お近くの図書館のカウンターで変更届を出してください。");
  h.Element(
      "li",
      "お名前に小さい「ャ」「ュ」「ョ」がある方は、大きい「ヤ」「ユ」「ヨ」でも登録できます。");
  h.Element("li", "それでも登録できないときは、お近くの図書館のカウンターにお問い合わせください。");
  h.Close();
  h.Open("p");
  detail::KeyLink(h, ctx, ctx.links.Url("/account/register"), "新規パスワード登録へ", '5');
  h.Close();
  return detail::EndPage(h, ctx);
}

}  // namespace shiori::pages
