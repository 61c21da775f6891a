// Internal to pages/: the frame every page shares (head, heading, footer) and
// the main-link helper with access keys.
#ifndef SHIORI_PAGES_LAYOUT_H_
#define SHIORI_PAGES_LAYOUT_H_

#include "pages/pages.h"

namespace shiori::pages::detail {

// Writes the doctype, head and the opening of body with an h1 of `title`.
// Smartphones and PCs also get the stylesheet and a header with the library's
// name, unless `linked` is false: the maintenance notice links nowhere, not even
// to the stylesheet (which is not served while the service is off).
void BeginPage(Html& h, const Context& ctx, std::string_view title, bool linked = true);
enum class Footer {
  kFull,      // 蔵書検索, 利用照会, ご注意 and the library's name
  kNoSearch,  // the same without 蔵書検索, for the search page itself
  kNone,      // nothing: the maintenance notice, which links nowhere
};
// Writes the footer and closes the document.
std::string EndPage(Html& h, const Context& ctx, Footer footer = Footer::kFull);
// A main link with access key `key` ('0'..'9'), labelled for number-key phones.
void KeyLink(Html& h, const Context& ctx, std::string_view href, std::string_view text, char key);

// One term of a description list (<dt>label<dd>value), nothing when `value`
// is empty: a record's and a hold's facts.
void Fact(Html& h, std::string_view label, std::string_view value);

// The guide's words on what the network costs the patron: where patrons
// start (top page, はじめての方へ), on the e-mail page and in ご注意.
inline constexpr char kPacketFees[] =
    "インターネット通信やメール受信にかかる通信料・パケット料は自己負担になります。";

// The help under a card-number field, with element id `id` for the field's
// aria-describedby: where the number is printed on the card and how many
// `digits` it has; smartphones and PCs also get a small drawing of the card.
void CardHelp(Html& h, const Context& ctx, int digits, std::string_view id);

// 前へ (key 4) and 次へ (key 6) of a list paged to the device, as links to
// `path` with p=; nothing when the list fits one page.
void PagingLinks(Html& h, const Context& ctx, std::string_view path, const ListPaging& p);

// The 「カートに入れる」 form for record `id`; after adding, the patron returns to
// `back`. A title already in the cart gets a link to the cart instead
// (「カートに入っています」), not a second add.
void CartButton(Html& h, const Context& ctx, int64_t id, std::string_view back, bool in_cart);
// The status line a page shows after 「カートに入れる」 brought the patron back
// to it: 「カートに入れました（n冊）」 with a link to the cart.
void CartAdded(Html& h, const Context& ctx, int count);

// The inline SVG QR code of `text` (the page's own address), written through
// the escaping builder; false, with nothing written, if it cannot be made.
bool QrSvg(Html& h, std::string_view text);

// The library's icon, a bookmark (栞), as a data: URL for the staff pages'
// <link rel="icon">: inline, because browsers ask for /favicon.ico otherwise.
// The public pages link the same drawing as a file (IconSvg, /icon.svg).
std::string_view IconUrl();

}  // namespace shiori::pages::detail

#endif  // SHIORI_PAGES_LAYOUT_H_
