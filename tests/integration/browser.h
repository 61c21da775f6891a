// Test clients for the end-to-end suites: percent-encoding of raw bytes and a
// Browser that behaves like a feature phone (Shift_JIS, the session in URLs
// and forms, no cookies) or a PC (UTF-8, cookie).
#ifndef SHIORI_TESTS_INTEGRATION_BROWSER_H_
#define SHIORI_TESTS_INTEGRATION_BROWSER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/integration/fixture.h"

namespace shiori::test {

// %XX for every byte: how a browser sends bytes in a query or form.
std::string Hex(std::string_view bytes);

// The record id of the demo catalogue's title `title`, from the search page (0 when not found).
int64_t RecordId(const Server& s, const std::string& title);

class Browser {
 public:
  // `ua`: the User-Agent; empty gives a FOMA docomo phone or a desktop Firefox.
  Browser(const Server& s, bool phone, std::string ua = "")
      : s_(s), phone_(phone), ua_(std::move(ua)) {}
  // GETs `path` (adding the URL session for the phone) and returns the page as UTF-8.
  std::string Get(const std::string& path, long* status = nullptr);
  // Submits the POST form of the last page whose action is `action`, with
  // `fields` (UTF-8) added to its hidden fields (a given field replaces the
  // hidden one of its name), encoded in the page's charset; follows a 303.
  std::string Post(const std::string& action,
                   const std::vector<std::pair<std::string, std::string>>& fields,
                   long* status = nullptr);
  const std::string& sid() const { return sid_; }
  // The session cookie's value ("" when none).
  const std::string& cookie() const { return cookie_; }
  const std::string& last_page() const { return last_; }
  // The bytes of the last page as the server sent them (Shift_JIS for the phone).
  size_t last_bytes() const { return last_bytes_; }

 private:
  std::vector<std::string> Headers() const;
  void LearnCookie(const HttpResponse& r);
  std::string Take(const HttpResponse& r, long* status);

  const Server& s_;
  bool phone_;
  std::string ua_;
  std::string sid_, cookie_, visitor_, last_;
  size_t last_bytes_ = 0;
};

}  // namespace shiori::test

#endif  // SHIORI_TESTS_INTEGRATION_BROWSER_H_
