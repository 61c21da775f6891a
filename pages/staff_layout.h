// Internal to pages/: the frame every staff page shares (head, the header
// with where the member works and the logout button, the menu, one h1, the
// role="status" region) and the form helper staff pages build their forms
// with.
#ifndef SHIORI_PAGES_STAFF_LAYOUT_H_
#define SHIORI_PAGES_STAFF_LAYOUT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "pages/staff.h"

namespace shiori::pages::detail {

// Writes the doctype, <html lang="ja">, the head (UTF-8, the staff
// stylesheet), the header (the library's name; with a member, 「…で作業中」,
// the name and the ログアウト button), the menu, then opens <main> with the
// page's one h1 of `title` and, when `outcome` has text, the role="status"
// region with it.
void BeginStaffPage(Html& h, const StaffContext& ctx, std::string_view title,
                    const StaffOutcome& outcome = {});
// Closes <main> and the document.
std::string EndStaffPage(Html& h, const StaffContext& ctx);

// One field of a staff form. Every visible field is a <label> around its
// control, so the words name it for screen readers without ids.
struct StaffField {
  enum class Kind {
    kText,      // one line of text (barcodes, card numbers, logins)
    kPassword,  // never shown back: `value` is ignored
    kSelect,    // one of `options`; `value` is the one selected
    kHidden,    // a value carried along (not the CSRF token: FormFields adds it)
  };
  std::string name;
  std::string label;
  std::string value;
  Kind kind = Kind::kText;
  std::vector<std::pair<std::string, std::string>> options;  // kSelect: value, words
  // The autocomplete attribute: "off" (default: a barcode is not a thing to
  // remember), "username", "current-password".
  std::string_view autocomplete = "off";
  bool required = false;
};

// A staff form: its fields in order and one submit button. The first visible
// field gets `autofocus` (when `autofocus`), so a barcode scanner or the
// keyboard types into it at once; the submit button makes Enter send the form
// from any of its fields (HTML's implicit submission, no script), which is
// what a scanner types after a barcode.
struct StaffFormView {
  std::string action;  // a same-site path, given to Links::Url
  std::string button;  // the submit button's words
  std::vector<StaffField> fields;
  bool post = true;       // POST forms carry the CSRF token (Links::FormFields)
  bool autofocus = true;  // false for the second form of a page
};
void StaffForm(Html& h, const StaffContext& ctx, const StaffFormView& f);

}  // namespace shiori::pages::detail

#endif  // SHIORI_PAGES_STAFF_LAYOUT_H_
