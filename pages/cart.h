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
};
struct CartView {
  std::string message;
  std::vector<CartLineView> items;
  int limit = 20;
  std::string back;  // the page the title was added from, for a way back
};
std::string RenderCart(const Context& ctx, const CartView& v);

struct ReserveView {
  std::vector<CartLineView> items;
  bool has_email = false;                                     // メール offered only then
  std::vector<std::pair<std::string, std::string>> branches;  // code, name; home branch first
  std::string branch, contact;                                // chosen (confirm step)
  std::string branch_name, contact_name;
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
  std::vector<ReserveLineView> lines;
  std::string branch_name, contact_name;
};
std::string RenderReserveResult(const Context& ctx, const ReserveResultView& v);

}  // namespace shiori::pages

#endif  // SHIORI_PAGES_CART_H_
