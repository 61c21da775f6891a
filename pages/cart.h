// カート・予約: the cart, the reservation form and its result.
#ifndef SHIORI_PAGES_CART_H_
#define SHIORI_PAGES_CART_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "pages/pages.h"

namespace shiori::pages {

// ---------------------------------------------------------------- カート・予約

struct CartLineView {
  int64_t id = 0;
  std::string title, authors;
  std::string refusal;  // why 予約する would refuse it now; "" when it would not (or no login)
};
struct CartView {
  std::string message;
  std::vector<CartLineView> items;  // the lines this page shows
  size_t count = 0;                 // titles in the whole cart
  int limit = 20;
  ListPaging paging;  // a phone's page holds a few lines
  std::string back;   // the page a refused 「カートに入れる」 came from, for a way back
};
std::string RenderCart(const Context& ctx, const CartView& v);

struct ReserveView {
  std::vector<CartLineView> items;  // those with a refusal are listed apart: they stay in the cart
  std::string email, phone;  // the patron's, named with each choice; メール offered only with one
  std::vector<std::pair<std::string, std::string>> branches;  // code, name; home branch first
  std::string branch, contact;                                // chosen (confirm step)
  std::string branch_name, contact_name;  // contact_name names the address or number too
  bool confirm = false;     // the second step: everything shown, one button
  std::string request_key;  // the confirmation's token: a second send places nothing
  std::string message;
};
std::string RenderReserve(const Context& ctx, const ReserveView& v);

struct ReserveLineView {
  std::string title;
  bool placed = false;
  int position = 0;
  bool on_shelf = false;  // a copy was on the shelf: ready in a few days
  std::string message;    // why not, when not placed
};
struct ReserveResultView {
  int pickup_days = 7;  // the library's rule, for the explanation
  std::vector<ReserveLineView> lines;     // the titles not placed stay in the cart
  std::string branch_name, contact_name;  // contact_name names the address or number too
};
std::string RenderReserveResult(const Context& ctx, const ReserveResultView& v);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_CART_H_
