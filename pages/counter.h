// pages: the counter's pages of the back office (貸出, 返却, 回送受入,
// 予約資料の準備, 取置棚, 電話連絡), drawn in the staff frame
// (pages/staff_layout.h). The gateway (gateway/counter_pages.cc) fills the
// views: dates as staff read them, card numbers shortened to their last four
// digits except on the patron's own record. No SQL, no HTTP, no clock.
#ifndef SHIORI_PAGES_COUNTER_H_
#define SHIORI_PAGES_COUNTER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pages/staff.h"

namespace shiori::pages {

// Where a copy goes after a scan, as the counter says it: 配架, 取置 or 回送,
// the sentence, and for 取置 the slip to put in the book (取置票: the card's
// last four digits, the title, the deadline).
struct CopyFateView {
  std::string kind;  // 配架 | 取置 | 回送
  std::string text;
  std::vector<std::string> slip;  // 取置 only
};

// ---------------------------------------------------------------- 貸出

struct CounterLoanView {
  std::string title, barcode, due;  // due: 1月5日(火)
  bool overdue = false;             // 延滞
};
struct CounterHoldView {
  int64_t hold_id = 0;
  std::string title, branch, state;  // state: 取置中（1月5日(火)まで）, 予約中 2番目, 回送中
  bool ready_here = false;  // set aside at this branch: lend it now
};
struct CheckoutPatronView {
  std::string card;  // the whole number: staff have the card in hand
  std::string name_kana, home_branch, phone, email;
  std::string state;   // 利用可 / 利用停止中（理由）/ 有効期限切れ
  bool usable = true;  // may borrow
  std::vector<CounterLoanView> loans;
  std::vector<CounterHoldView> holds;
};
struct CheckoutView {
  StaffOutcome outcome;
  std::string card;  // as typed, kept in the card field
  bool has_patron = false;
  CheckoutPatronView patron;
  std::vector<CopyFateView> fates;  // a copy released by the loan (rare)
};
// Card first (a GET form), then the patron's summary, loans with 延長 and
// holds with 取消, and the barcode field (focused) for one copy after another.
std::string RenderCheckout(const StaffContext& ctx, const CheckoutView& v);

// ---------------------------------------------------------------- 返却 and 回送受入

struct IncomingView {
  std::string barcode, title, from_branch,
      for_whom;  // for_whom: 予約（カード……1234）or 所蔵館へ戻る
};
struct ScanView {
  StaffOutcome outcome;
  std::vector<CopyFateView> fates;
  std::vector<IncomingView> incoming;  // 回送受入: copies on their way here
};
std::string RenderCheckin(const StaffContext& ctx, const ScanView& v);
std::string RenderReceive(const StaffContext& ctx, const ScanView& v);

// ---------------------------------------------------------------- lists

struct PullLineView {
  std::string title, call_number, barcode, pickup_branch, placed_on;
};
struct PullView {
  StaffOutcome outcome;
  std::vector<CopyFateView> fates;
  std::vector<PullLineView> lines;
};
// 予約資料の準備: per line 確保 and 見つからない.
std::string RenderPullList(const StaffContext& ctx, const PullView& v);

struct ShelfLineView {
  std::string title, barcode, card_tail, name_kana, contact, ready_on, deadline;
  bool expired = false;
};
struct ShelfView {
  StaffOutcome outcome;
  std::vector<ShelfLineView> lines;
  int expired = 0;
};
// 取置棚: the ready holds here, the expired ones marked in words, and the
// button that expires them now.
std::string RenderHoldShelf(const StaffContext& ctx, const ShelfView& v);

struct CallLineView {
  int64_t hold_id = 0;
  std::string title, card_tail, name_kana, phone, deadline;
  std::string why;       // 電話 / メールが届かない / メールアドレスなし
  std::string attempts;  // "" or 不在 2回（最後 12月8日 10:15）
};
struct CallsView {
  StaffOutcome outcome;
  std::vector<CallLineView> lines;
};
// 電話連絡: per line 連絡済 and 不在.
std::string RenderPhoneList(const StaffContext& ctx, const CallsView& v);

struct OverdueLineView {
  std::string title, barcode, card_tail, name_kana, phone, due;
  int days = 0;
};
struct OverdueView {
  std::vector<OverdueLineView> lines;
};
// 延滞: loans lent here past their due date, to call about or remind at the
// counter.
std::string RenderOverdue(const StaffContext& ctx, const OverdueView& v);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_COUNTER_H_
