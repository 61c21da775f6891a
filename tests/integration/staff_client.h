// A staff member's browser for the end-to-end suites: it talks to the staff
// listener, keeps the staff cookies, submits the forms of the last page with
// their hidden fields (the CSRF token), and keeps every answer so that a test
// can check the headers of all of them.
#ifndef SHIORI_TESTS_INTEGRATION_STAFF_CLIENT_H_
#define SHIORI_TESTS_INTEGRATION_STAFF_CLIENT_H_

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "tests/integration/fixture.h"

namespace shiori::test {

class StaffBrowser {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  // `headers`: sent with every request (e.g. "X-Forwarded-Proto: https").
  explicit StaffBrowser(const Server& s, std::vector<std::string> headers = {})
      : s_(s), headers_(std::move(headers)) {}

  HttpResponse Get(const std::string& path);
  // Submits the (first) POST form of the last page whose action is `action`:
  // its hidden fields but those `fields` name, then `fields` (UTF-8). Follows a 303 with a GET and
  // returns the last answer.
  HttpResponse Post(const std::string& action, const Fields& fields = {});
  // POSTs `body` to `path` as it is, with the cookies; follows nothing.
  HttpResponse PostRaw(const std::string& path, const std::string& body);
  // Opens /staff/login and submits it: the page after the login (the
  // dashboard, or the page `next` names), or the refusal.
  HttpResponse Login(const std::string& login, const std::string& password,
                     const std::string& branch);

  // The value of a cookie the browser keeps ("" when none).
  std::string cookie(const std::string& name) const;
  void set_cookie(const std::string& name, const std::string& value) { cookies_[name] = value; }
  // Every Set-Cookie header received, as sent.
  const std::vector<std::string>& set_cookies() const { return set_cookies_; }
  // Every answer received, in order (redirects too).
  const std::vector<HttpResponse>& answers() const { return answers_; }
  const HttpResponse& last() const { return answers_.back(); }

 private:
  std::vector<std::string> Headers() const;
  const HttpResponse& Keep(HttpResponse r);

  const Server& s_;
  std::vector<std::string> headers_;
  std::map<std::string, std::string> cookies_;
  std::vector<std::string> set_cookies_;
  std::vector<HttpResponse> answers_;
};

}  // namespace shiori::test

#endif  // SHIORI_TESTS_INTEGRATION_STAFF_CLIENT_H_
