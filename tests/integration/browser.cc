// Test clients for the end-to-end suites (see browser.h).
#include "tests/integration/browser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "charset/charset.h"

namespace shiori::test {

std::string Hex(std::string_view bytes) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += '%';
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

int64_t RecordId(const Server& s, const std::string& title) {
  HttpResponse r =
      s.Get("/search?_c=" + Hex("表ソ") + "&q=" + Hex(title), {"User-Agent: Mozilla/5.0"});
  std::smatch m;
  std::regex re("href=\"/record\\?id=([0-9]+)\">" + title + "<");
  return std::regex_search(r.body, m, re) ? std::stoll(m[1]) : 0;
}

namespace {

// An attribute value as the browser reads it: the builder's escapes undone.
std::string Unescaped(std::string v) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"},
                                 {"&gt;", ">"},
                                 {"&quot;", "\""},
                                 {"&#39;", "'"},
                                 {"&amp;", "&"}}) {
    for (size_t at = v.find(from); at != std::string::npos; at = v.find(from, at + to.size())) {
      v.replace(at, from.size(), to);
    }
  }
  return v;
}

}  // namespace

// GETs `path` (adding the URL session for the phone) and returns the page as UTF-8.
std::string Browser::Get(const std::string& path, long* status) {
  std::string url = path;
  if (phone_ && !sid_.empty())
    url += (url.find('?') == std::string::npos ? "?sid=" : "&sid=") + sid_;
  HttpResponse r = s_.Get(url, Headers());
  return Take(r, status);
}

// Submits the POST form of the last page whose action is `action`, with
// `fields` (UTF-8) added to its hidden fields (a given field replaces the
// hidden one of its name), encoded as the page's charset.
std::string Browser::Post(const std::string& action,
                          const std::vector<std::pair<std::string, std::string>>& fields,
                          long* status) {
  std::string body;
  auto add = [&](const std::string& k, const std::string& v) {
    if (!body.empty()) body += '&';
    body += k + "=" + Hex(phone_ ? charset::Utf8ToSjis(v) : v);
  };
  std::smatch m;
  std::regex form("<form action=\"" + action + "[^\"]*\" method=\"post\">(.*?)</form>");
  std::string page = last_;
  std::regex hidden("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");
  if (std::regex_search(page, m,
                        std::regex("<form action=\"" + action + "[^\"]*\" method=\"post\">"))) {
    std::string rest = m.suffix();
    rest = rest.substr(0, rest.find("</form>"));
    for (auto it = std::sregex_iterator(rest.begin(), rest.end(), hidden);
         it != std::sregex_iterator(); ++it) {
      const std::string name = (*it)[1];
      const bool given =
          std::any_of(fields.begin(), fields.end(), [&](const auto& f) { return f.first == name; });
      if (!given) add(name, Unescaped((*it)[2]));
    }
  }
  for (const auto& [k, v] : fields) add(k, v);
  HttpResponse r = s_.Post(action, body, Headers());
  if (r.status == 303) {
    std::string loc = r.Header("location");
    LearnCookie(r);
    HttpResponse next = s_.Get(loc, Headers());
    std::smatch sm;
    if (phone_ && std::regex_search(loc, sm, std::regex("sid=([0-9a-f]{32})"))) sid_ = sm[1];
    return Take(next, status);
  }
  return Take(r, status);
}

std::vector<std::string> Browser::Headers() const {
  std::vector<std::string> h = {
      "User-Agent: " + (!ua_.empty() ? ua_
                        : phone_     ? std::string("DoCoMo/2.0 P903i(c100;TB;W24H12)")
                                     : std::string("Mozilla/5.0 (Windows NT 10.0) Firefox/120.0"))};
  std::string jar;
  if (!cookie_.empty()) jar = "sid=" + cookie_;
  if (!visitor_.empty()) jar += (jar.empty() ? "v=" : "; v=") + visitor_;
  if (!jar.empty()) h.push_back("Cookie: " + jar);
  return h;
}

// Keeps the session cookie and the visitor cookie, as a PC's browser does.
void Browser::LearnCookie(const HttpResponse& r) {
  if (phone_) return;
  for (const auto& [name, value] : r.headers) {
    if (name != "set-cookie") continue;
    if (value.rfind("sid=", 0) == 0) cookie_ = value.substr(4, 32);
    if (value.rfind("v=", 0) == 0) visitor_ = value.substr(2, 32);
  }
}
std::string Browser::Take(const HttpResponse& r, long* status) {
  if (status) *status = r.status;
  LearnCookie(r);
  last_bytes_ = r.body.size();
  std::string page = r.body;
  if (phone_) {
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=Shift_JIS");
    auto d = charset::SjisToUtf8(r.body);
    EXPECT_TRUE(d.ok());
    page = d.ok() ? d.value() : "";
    std::smatch m;
    if (std::regex_search(page, m, std::regex("name=\"sid\" value=\"([0-9a-f]{32})\"")) ||
        std::regex_search(page, m, std::regex("[?&]sid=([0-9a-f]{32})")))
      sid_ = m[1];
  }
  last_ = page;
  return page;
}

}  // namespace shiori::test
