// A staff member's browser for the end-to-end suites (see staff_client.h).
#include "tests/integration/staff_client.h"

#include <regex>

#include "tests/integration/browser.h"

namespace shiori::test {

std::vector<std::string> StaffBrowser::Headers() const {
  std::vector<std::string> h = headers_;
  std::string c;
  for (const auto& [k, v] : cookies_) {
    if (v.empty()) continue;
    c += (c.empty() ? "" : "; ") + k + "=" + v;
  }
  if (!c.empty()) h.push_back("Cookie: " + c);
  return h;
}

const HttpResponse& StaffBrowser::Keep(HttpResponse r) {
  for (const auto& [k, v] : r.headers) {
    if (k != "set-cookie") continue;
    set_cookies_.push_back(v);
    const size_t eq = v.find('=');
    const size_t semi = v.find(';');
    if (eq == std::string::npos) continue;
    const std::string value = v.substr(eq + 1, semi == std::string::npos ? semi : semi - eq - 1);
    cookies_[v.substr(0, eq)] = v.find("Max-Age=0") != std::string::npos ? "" : value;
  }
  answers_.push_back(std::move(r));
  return answers_.back();
}

HttpResponse StaffBrowser::Get(const std::string& path) {
  return Keep(s_.StaffGet(path, Headers()));
}

HttpResponse StaffBrowser::PostRaw(const std::string& path, const std::string& body) {
  return Keep(s_.StaffPost(path, body, Headers()));
}

HttpResponse StaffBrowser::Post(const std::string& action, const Fields& fields) {
  std::string body;
  auto add = [&](const std::string& k, const std::string& v) {
    body += (body.empty() ? "" : "&") + k + "=" + Hex(v);
  };
  const std::string page = answers_.empty() ? "" : answers_.back().body;
  std::smatch m;
  if (std::regex_search(page, m,
                        std::regex("<form action=\"" + action + "\" method=\"post\"[^>]*>"))) {
    std::string rest = m.suffix();
    rest = rest.substr(0, rest.find("</form>"));
    std::regex hidden("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), hidden);
         it != std::sregex_iterator(); ++it) {
      bool given = false;  // a field given by the test takes the hidden one's place
      for (const auto& f : fields) given |= f.first == (*it)[1];
      if (!given) add((*it)[1], (*it)[2]);
    }
  }
  for (const auto& [k, v] : fields) add(k, v);
  HttpResponse r = Keep(s_.StaffPost(action, body, Headers()));
  if (r.status != 303) return r;
  return Get(r.Header("location"));
}

HttpResponse StaffBrowser::Login(const std::string& login, const std::string& password,
                                 const std::string& branch) {
  Get("/staff/login");
  return Post("/staff/login", {{"login", login}, {"password", password}, {"branch", branch}});
}

std::string StaffBrowser::cookie(const std::string& name) const {
  auto it = cookies_.find(name);
  return it == cookies_.end() ? "" : it->second;
}

}  // namespace shiori::test
