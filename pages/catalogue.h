// 蔵書検索: the result list, a record with its holdings, 詳しく探す.
#ifndef SHIORI_PAGES_CATALOGUE_H_
#define SHIORI_PAGES_CATALOGUE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pages/pages.h"

namespace shiori::pages {

// ---------------------------------------------------------------- 蔵書検索

struct AuthorView {
  std::string name;
  std::string role;  // 著, 訳, 絵 ... ; empty when not given
};
// Authors as the result list, the record page and the cart name them
// (a name may hold ・): each name with its role after a space, the names
// apart by " ; " as catalogues print them (レイチェル・カーソン 著 ; 青樹簗一
// 訳), a name without a role alone.
std::string AuthorsText(const std::vector<AuthorView>& authors);

// What one branch holds of a title (db::BranchHolding).
struct HoldingView {
  std::string branch;  // the branch's name: 中央図書館
  int lendable = 0;    // copies that may be lent
  int on_shelf = 0;    // of those, on the shelf
  int in_library = 0;  // 館内のみ copies on the shelf
  int on_loan = 0, held = 0, in_transit = 0, missing = 0;
  std::string due;  // "12月15日(火)": the earliest due date of the copies on loan
};
// The branch's line in the result list, short enough for a phone:
// 「中央 在架1/2冊」「野田 貸出中（返却予定12月15日(火)）」「高尾野 館内のみ」.
// The name loses a trailing 図書館.
std::string HoldingText(const HoldingView& b);

struct HitView {
  int64_t id = 0;
  std::string title, volume, publisher;
  std::vector<AuthorView> authors;
  int year = 0;
  std::vector<HoldingView> holdings;  // one line each, in this order
  int holds = 0;                      // holds waiting or ready: 「予約 n件」
};

struct ResultsView {
  bool cart_buttons = false;  // a 「カートに入れる」 button per hit (not on tiny pages)
  std::string back;           // this page's path and query, for the cart to return to
  std::string query;          // the free words as typed, shown back
  Links::Query params;        // every search parameter, for paging and sort links
  std::string sort;           // relevance | newest | oldest | title | author
  std::string message;        // when set, shown instead of results (empty query, too long)
  bool one_kana = false;      // the query is one kana: it finds little (db::IsOneKanaQuery)
  // Not empty: the words as typed found nothing and the hits are a second
  // try's (db::SearchResult::did_you_mean): 「もしかして: 坊っちゃん」, a link
  // that searches it when `query` was all that was asked.
  std::string did_you_mean;
  bool did_you_mean_link = false;
  std::vector<HitView> hits;
  int total = 0;
  bool capped = false;  // "total件以上"
  int offset = 0;
  int page_size = 20;

  // The conditions besides the free words, as the search used them: said in
  // words under the count, and on スマホ版 and PC版 offered to narrow by.
  std::string title, author, publisher, subject, isbn;
  int year_from = 0, year_to = 0;
  std::string branch;  // a configured branch's code, or empty
  bool on_shelf = false;
  std::vector<std::pair<std::string, std::string>> branches;  // code, name: every branch

  std::vector<int64_t> in_cart;  // record ids in the session's cart: marked, not added
  int cart_added = 0;            // 0, or n of the line 「カートに入れました（n冊）」
};
std::string RenderResults(const Context& ctx, const ResultsView& v);

struct CopyView {
  std::string branch, call_number;
  std::string status;       // shelf | loan | transit | held | missing
  std::string due;          // "12月15日(火)" when on loan
  bool in_library = false;  // for use in the library only: 館内のみ when on the shelf
};

struct RecordView {
  std::string back;  // this page, for the cart to return to
  int64_t id = 0;
  std::string title, title_kana, volume, publisher, year, isbn, ndc, subjects, notes;
  std::vector<AuthorView> authors;
  std::vector<CopyView> copies;  // grouped by branch
  int holds = 0;                 // holds waiting or ready: 「予約 n件」

  bool in_cart = false;  // in the session's cart: marked, not added
  int cart_added = 0;    // 0, or n of the line 「カートに入れました（n冊）」
};
std::string RenderRecord(const Context& ctx, const RecordView& v);

struct AdvancedView {
  std::vector<std::pair<std::string, std::string>> branches;  // code, name
};
std::string RenderAdvanced(const Context& ctx, const AdvancedView& v);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_CATALOGUE_H_
