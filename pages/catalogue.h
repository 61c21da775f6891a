// 蔵書検索: the result list, a record with its holdings, 詳しく探す.
#ifndef SHIORI_PAGES_CATALOGUE_H_
#define SHIORI_PAGES_CATALOGUE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pages/pages.h"

namespace shiori::pages {

// ---------------------------------------------------------------- 蔵書検索

struct HitView {
  int64_t id = 0;
  std::string title, volume, authors, publisher;
  int year = 0;
  int copies = 0, on_shelf = 0;
};

struct ResultsView {
  bool cart_buttons = false;  // a 「カートに入れる」 button per hit (not on tiny pages)
  std::string back;           // this page's path and query, for the cart to return to
  std::string query;          // the free words as typed, shown back
  Links::Query params;        // every search parameter, for paging and sort links
  std::string sort;           // relevance | newest | title
  std::string message;        // when set, shown instead of results (empty query, too long)
  bool one_kana = false;      // the query is one kana: it finds little (db::IsOneKanaQuery)
  std::vector<HitView> hits;
  int total = 0;
  bool capped = false;  // "total件以上"
  int offset = 0;
  int page_size = 20;

  std::vector<int64_t> in_cart;  // record ids in the session's cart: marked, not added
  int cart_added = 0;            // 0, or n of the line 「カートに入れました（n冊）」
};
std::string RenderResults(const Context& ctx, const ResultsView& v);

struct CopyView {
  std::string branch, call_number;
  std::string status;  // shelf | loan | transit | held | missing
  std::string due;     // "12月15日(火)" when on loan
};

struct RecordView {
  std::string back;  // this page, for the cart to return to
  int64_t id = 0;
  std::string title, title_kana, volume, authors, publisher, year, isbn, ndc, subjects, notes;
  std::vector<CopyView> copies;

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
