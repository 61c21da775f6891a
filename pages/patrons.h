// pages: the back office's patron pages (利用者): the search with its list,
// a patron's own page with the 変更届, 利用停止 (or its 解除), カード再発行
// and ログイン制限の解除 forms, and 新規登録, drawn in the staff frame
// (pages/staff_layout.h). The gateway (gateway/patron_pages.cc) fills the
// views. A list shows a card only by its last four digits (the renderer
// shortens it: CardTail); the whole number is on the patron's own page
// only. No SQL, no HTTP, no clock.
#ifndef SHIORI_PAGES_PATRONS_H_
#define SHIORI_PAGES_PATRONS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pages/staff.h"

namespace shiori::pages {

// The configured branches for a select: code, name.
using BranchOptions = std::vector<std::pair<std::string, std::string>>;

// What a patron's state is called: 利用可, 利用停止中, 有効期限切れ.
// "active", "blocked", "expired"; anything else as it is.
std::string PatronStateName(std::string_view status);

// ---------------------------------------------------------------- 利用者

// One patron of a list: the card is given whole and drawn by its last four
// digits only.
struct PatronLineView {
  int64_t id = 0;
  std::string card;  // the whole number; the list shows CardTail(card)
  std::string name_kana;
  std::string home_branch;  // the branch's name, or ""
  std::string status;       // active | blocked | expired
};
struct PatronSearchView {
  StaffOutcome outcome;
  std::string query;      // as typed, kept in the field
  bool searched = false;  // a query was given and taken: the list (or its absence) is shown
  std::vector<PatronLineView> lines;
  bool more = false;  // more patrons matched than the list holds
  int limit = 50;     // how many the list holds at most
  // The query was the old number of a replaced card: `lines` holds the
  // patron who has the card now, and the page says the old one is dead.
  bool replaced = false;
};
// The search field (GET, q: カード番号または氏名（カナ）, focused), the
// results as a table linking each patron's page, and the link to 新規登録.
std::string RenderPatronSearch(const StaffContext& ctx, const PatronSearchView& v);

// ---------------------------------------------------------------- 利用者の詳細

// A patron's fields as the 変更届 and 新規登録 forms carry them.
struct PatronFieldsView {
  std::string card;  // 新規登録 only
  std::string name_kana, phone, email;
  std::string home_branch;  // a code, "" for none
};

struct PatronDetailView {
  StaffOutcome outcome;
  int64_t id = 0;
  std::string card;  // whole: the patron's own page is where staff read it
  std::string name_kana, phone, email;
  std::string home_branch;  // the branch's name, or ""
  std::string status;       // active | blocked | expired
  std::string block_reason;
  bool has_password = false;
  int loans = 0, overdue = 0;  // loans, of which overdue
  int holds = 0, ready = 0;    // holds, of which ready for pickup
  // The forms: the 変更届 with the patron's fields (or what was typed when
  // it was refused), the reason and the new number typed when refused.
  PatronFieldsView change;
  std::string reason;
  std::string new_card;
  BranchOptions branches;
  // The form whose first field takes the focus: the one of a refused action,
  // else the 変更届.
  enum class Focus { kChange, kBlock, kReplace };
  Focus focus = Focus::kChange;
};
// The patron (the whole card number, status with the block's reason,
// password registered or not, loans and holds with a link to 貸出), then the
// forms: 変更届, 利用停止 or 利用停止の解除 (whichever applies), カード再発行
// and ログイン制限の解除, each carrying the patron's id.
std::string RenderPatronDetail(const StaffContext& ctx, const PatronDetailView& v);

// ---------------------------------------------------------------- 新規登録

struct PatronNewView {
  StaffOutcome outcome;
  PatronFieldsView fields;  // as typed when refused; the session's branch at first
  BranchOptions branches;
};
// The card application: カード番号 (focused), 氏名（カナ）, 電話番号,
// メールアドレス (任意), 登録館.
std::string RenderPatronNew(const StaffContext& ctx, const PatronNewView& v);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_PATRONS_H_
