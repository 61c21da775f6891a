// What the unit tests of the staff pages share (staff_pages_test.cc,
// patrons_test.cc): the staff gateway's links as a fake, and a counter of
// occurrences in a page.
#ifndef SHIORI_TESTS_UNIT_STAFF_PAGES_FIXTURE_H_
#define SHIORI_TESTS_UNIT_STAFF_PAGES_FIXTURE_H_

#include <string>
#include <string_view>

#include "pages/pages.h"

namespace shiori::pages::testing {

// Links as the staff gateway gives them: the path and its query, the CSRF
// token in POST forms.
class FakeStaffLinks : public Links {
 public:
  std::string Url(std::string_view path, const Query& q) const override {
    std::string u(path);
    char sep = '?';
    for (const auto& [k, v] : q) {
      u += sep + k + "=" + v;
      sep = '&';
    }
    return u;
  }
  void FormFields(Html& h, bool post) const override {
    if (post) h.Void("input", {{"type", "hidden"}, {"name", "_t"}, {"value", "TOKEN"}});
  }
  std::string ExitUrl(std::string_view) const override { return "/staff"; }
};

// How many times `what` stands in `s` (overlapping ones too).
inline size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace shiori::pages::testing

#endif  // SHIORI_TESTS_UNIT_STAFF_PAGES_FIXTURE_H_
