// 利用照会: login, the account home and its lists and changes, はじめての方へ.
#ifndef SHIORI_PAGES_ACCOUNT_H_
#define SHIORI_PAGES_ACCOUNT_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pages/pages.h"

namespace shiori::pages {

// ---------------------------------------------------------------- 利用照会

struct LoginView {
  std::string card;      // shown back after a failure
  std::string message;   // why the last attempt failed, or why a login is needed
  std::string notice;    // a plain notice (ログアウトしました。)
  bool failed = false;   // the card or password was refused: point to 新規パスワード登録
  std::string next;      // same-site path to go to after the login (e.g. /reserve)
  int card_digits = 10;  // for the card number's help
};
std::string RenderLogin(const Context& ctx, const LoginView& v);

struct AccountHomeView {
  std::string message;  // e.g. "パスワードを変更しました。"
  int loans = 0, overdue = 0, waiting = 0, ready = 0;
};
std::string RenderAccountHome(const Context& ctx, const AccountHomeView& v);

// 新規パスワード登録 sets a password only: the e-mail address is changed
// after a login (Eメールアドレスの変更), confirmed from its mailbox.
struct RegisterView {
  std::string card, name_kana, phone;  // shown back after a failure
  std::string message;
  bool done = false;
  int min_length = 6, max_length = 8;
  int card_digits = 10;  // for the card number's help
};
std::string RenderRegister(const Context& ctx, const RegisterView& v);

struct PasswordView {
  std::string message;
  int min_length = 6, max_length = 8;
};
std::string RenderPasswordChange(const Context& ctx, const PasswordView& v);

struct EmailView {
  std::string current;  // the registered address, empty when none
  std::string entered;  // what the patron typed (shown back, or to confirm)
  std::string sender;   // the library's From address, for the carrier filter note
  std::string message;
  // A new address waiting for its confirmation ("" when none), and until when
  // its link works ("12月27日(日) 17:00"): the page says where the mail went
  // and what to do when it does not arrive.
  std::string pending, pending_until;
  bool confirm_removal = false;  // ask before removing: mail holds fall back to the counter
  int mail_holds = 0;
};
std::string RenderEmailChange(const Context& ctx, const EmailView& v);

struct LoanLineView {
  std::string title, due;  // due: 12月15日(火)
  std::string loaned_on;   // 貸出日, as due
  std::string branch;      // 所蔵館: the copy's own branch
  bool overdue = false, reserved = false;
  int renewals = 0;  // times renewed: 延長済み at the library's limit, else 延長n回
  int64_t loan_id = 0;
  bool renewable = false;  // shows 「延長」
};
struct LoansView {
  std::string message;              // the result of a renewal
  std::vector<LoanLineView> loans;  // this page's lines
  ListPaging paging;
  int loan_days = 14;
  int max_renewals = 1;
};
std::string RenderLoans(const Context& ctx, const LoansView& v);

struct HoldLineView {
  int64_t hold_id = 0;
  std::string title, branch, contact;  // contact: メール / 電話 / 連絡不要
  int position = 0;       // waiting holds: place in the queue; 0: a copy is on its way (回送中)
  std::string deadline;   // ready holds: 12月15日(火)
  std::string notice;     // ready holds: when the mail went out ("12月1日 10:00"), or ""
  std::string placed_on;  // 予約日: 12月1日(火)
};
struct HoldsView {
  bool ready = false;               // 予約確保一覧 (true) or 予約中一覧
  std::string message;              // the result of a change
  std::vector<HoldLineView> holds;  // this page's lines
  ListPaging paging;
};

// One hold with its changes: cancel, pickup branch (waiting only), contact.
struct HoldDetailView {
  int64_t hold_id = 0;
  std::string title, authors;
  bool ready = false;
  std::string placed_on;    // 予約日: 12月1日(火)
  std::string branch_name;  // 受取館
  std::string deadline;     // ready: 取置期限, 12月15日(火)
  int position = 0;         // waiting: place in the queue; 0: its copy is on its way (回送中)
  std::string branch_code, contact;                           // current
  std::vector<std::pair<std::string, std::string>> branches;  // code, name
  bool has_email = false;
};
std::string RenderHoldDetail(const Context& ctx, const HoldDetailView& v);

// A confirmation step: what will happen (and what cannot be undone) and one
// button that sends the same form again with confirm=1; a link back changes
// nothing.
struct ConfirmView {
  std::string heading, text, action, button;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string back = "/account";  // where 「やめる」 leads
  std::string back_label = "やめる（利用照会のトップへ）";
};
std::string RenderConfirm(const Context& ctx, const ConfirmView& v);
std::string RenderHolds(const Context& ctx, const HoldsView& v);

// はじめての方へ: getting a card and registering, for a phone screen.
std::string RenderGuide(const Context& ctx);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_ACCOUNT_H_
