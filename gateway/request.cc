// The request context and the helpers every page handler shares
// (gateway/handlers.h): device facts for the pages, same-site links, the
// answers for a failure and for the login page, paging and small parsers.
#include <sodium.h>

#include <algorithm>
#include <cstdio>

#include "charset/charset.h"
#include "db/schema.h"
#include "gateway/access_log.h"
#include "gateway/clock.h"
#include "gateway/handlers.h"

namespace shiori::gateway {
namespace {

// Input-mode attributes per carrier: istyle (docomo), format and
// -wap-input-format (au), mode (SoftBank), inputmode (HTML5, everyone).
const std::vector<pages::Attr> kDigitsDocomo = {{"istyle", "4"}, {"inputmode", "numeric"}};
const std::vector<pages::Attr> kKanaDocomo = {{"istyle", "1"}};
const std::vector<pages::Attr> kAlphaDocomo = {{"istyle", "3"}};
const std::vector<pages::Attr> kDigitsAu = {
    {"format", "*N"}, {"style", "-wap-input-format:\"*<ja:n>\""}, {"inputmode", "numeric"}};
const std::vector<pages::Attr> kKanaAu = {{"format", "*M"},
                                          {"style", "-wap-input-format:\"*<ja:h>\""}};
const std::vector<pages::Attr> kAlphaAu = {{"format", "*m"},
                                           {"style", "-wap-input-format:\"*<ja:en>\""}};
const std::vector<pages::Attr> kDigitsSoftbank = {{"mode", "numeric"}, {"inputmode", "numeric"}};
const std::vector<pages::Attr> kKanaSoftbank = {{"mode", "hiragana"}};
const std::vector<pages::Attr> kAlphaSoftbank = {{"mode", "alphabet"}};
const std::vector<pages::Attr> kDigitsOther = {{"inputmode", "numeric"}};

}  // namespace

pages::Device PageDevice(const DeviceProfile& p, bool shift_jis, Layout layout) {
  pages::Device d;
  d.keypad = layout == Layout::kKeypad;
  d.viewport = !p.feature_phone();
  d.accesskey_labels = d.keypad;
  d.accesskey_emoji = p.accesskey_emoji && shift_jis;
  d.charset = shift_jis ? "Shift_JIS" : "UTF-8";
  d.budget_bytes = p.budget_bytes;
  switch (p.carrier) {
    case Carrier::kDocomo:
      d.digits = kDigitsDocomo, d.kana = kKanaDocomo, d.alpha = kAlphaDocomo;
      break;
    case Carrier::kAu:
      d.digits = kDigitsAu, d.kana = kKanaAu, d.alpha = kAlphaAu;
      break;
    case Carrier::kSoftbank:
      d.digits = kDigitsSoftbank, d.kana = kKanaSoftbank, d.alpha = kAlphaSoftbank;
      break;
    default:
      d.digits = kDigitsOther;
  }
  return d;
}

// Query values go out in the page's charset, as a form on the page would
// send them; a link with non-ASCII values also carries the probe, so it is
// read right whatever the device's charset is when it comes back.
std::string RequestLinks::Url(std::string_view path, const Query& query) const {
  std::string u(path);
  char sep = path.find('?') == std::string_view::npos ? '?' : '&';
  bool non_ascii = false;
  for (const auto& [k, v] : query) {
    u += sep;
    u += PercentEncode(k);
    u += '=';
    for (unsigned char ch : v) non_ascii = non_ascii || ch >= 0x80;
    u += PercentEncode(shift_jis_ ? charset::Utf8ToSjis(v) : v);
    sep = '&';
  }
  if (non_ascii) {
    u += '&';
    u += kProbeParam;
    u += '=';
    u += PercentEncode(shift_jis_ ? kProbeSjis : kProbeText);
  }
  const std::string_view page = path.substr(0, path.find_first_of("?#"));
  if (IdInUrls() && page != "/exit") {
    u += sep;
    u += kSessionParam;
    u += '=';
    u += session_.token();
  }
  return u;
}

void RequestLinks::FormFields(pages::Html& h, bool post) const {
  h.Void("input", {{"type", "hidden"}, {"name", kProbeParam}, {"value", kProbeText}});
  if (IdInUrls()) {
    h.Void("input", {{"type", "hidden"}, {"name", kSessionParam}, {"value", session_.token()}});
  }
  if (post)
    h.Void("input", {{"type", "hidden"}, {"name", kCsrfParam}, {"value", session_.FormToken()}});
}

std::string RequestLinks::ExitUrl(std::string_view url) const {
  return "/exit?to=" + PercentEncode(url);
}

Ctx::Ctx(db::Pool& pool, const Site& s, DeviceProfile p, int64_t now)
    : lazy_db(pool),
      site(s),
      cfg(s.cfg),
      clock(s.clock),
      profile(std::move(p)),
      session(lazy_db, profile, SessionLimitsOf(s.cfg), now, s.random, s.key),
      links(session, shift_jis) {}

Response Ctx::Redirect(std::string_view to) const {
  Response r;
  r.status = 303;
  (void)r.SetHeader("Location", EncodeUrl(links.Url(to, {})));
  // Browsers of today follow it unseen; an old phone's may show the body.
  if (profile.feature_phone()) r.body = pages::RenderMoved(page(), links.Url(to, {}));
  return r;
}

Response Guarded(const std::function<Response()>& dispatch) {
  Response r;
  try {
    r = dispatch();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shiori: handler failed: %s\n", LogText(e.what(), 1024).c_str());
    r = Response();
    r.status = 500;
    r.body =
        "<!DOCTYPE html><html lang=\"ja\"><title>エラー</title><h1>エラー</h1>"
        "<p>ただいま処理できません。</p></html>";
  }
  (void)r.SetHeader("X-Content-Type-Options", "nosniff");
  (void)r.SetHeader("Referrer-Policy", "no-referrer");
  return r;
}

std::string SiteKeyBytes(db::Pool& pool, Random& random) {
  db::LazyLease lease(pool);
  auto key = db::SiteKey(*lease, random);
  if (!key.ok()) {
    std::fprintf(stderr, "shiori: site key: %s\n", key.status().message().c_str());
    return std::string();
  }
  unsigned char raw[kSiteKeyBytes];
  size_t raw_len = 0;
  if (sodium_hex2bin(raw, sizeof raw, key->data(), key->size(), nullptr, &raw_len, nullptr) != 0 ||
      raw_len != sizeof raw) {
    std::fprintf(stderr, "shiori: site key: not %zu bytes in hex\n", sizeof raw);
    return std::string();
  }
  std::string bytes(reinterpret_cast<const char*>(raw), sizeof raw);
  sodium_memzero(raw, sizeof raw);
  return bytes;
}

Response Html(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response Failure(Ctx& ctx, const Status& s) {
  std::fprintf(stderr, "shiori: %s: %s\n", LogText(ctx.path, kLogPathBytes).c_str(),
               LogText(s.message(), 1024).c_str());
  if (s.code() == Status::Code::kBusy) {
    Response r = Html(503, pages::RenderError(ctx.page(), "混み合っています",
                                              "ただいま混み合っています。しばらくしてから"
                                              "もう一度お試しください。"));
    (void)r.SetHeader("Retry-After", "10");
    return r;
  }
  return Html(500, pages::RenderError(ctx.page(), "エラー",
                                      "ただいま処理できません。しばらくしてからお試しください。"));
}

Response LoginPage(Ctx& ctx, std::string card, std::string message, int status, std::string next,
                   bool failed) {
  pages::LoginView v;
  v.card = std::move(card);
  v.message = std::move(message);
  v.next = std::move(next);
  v.failed = failed;
  v.card_digits = ctx.cfg.card_digits;
  return Html(status, pages::RenderLogin(ctx.page(), v));
}

bool IsLocalPath(std::string_view p) {
  if (p.empty() || p[0] != '/' || (p.size() > 1 && (p[1] == '/' || p[1] == '\\'))) return false;
  for (unsigned char c : p) {
    if (c < 0x20 || c == 0x7f) return false;
  }
  return true;
}

std::string ReturnTo(std::string_view back, std::string_view fallback) {
  back = back.substr(0, back.find('#'));
  const size_t q = back.find('?');
  if (!IsLocalPath(back) || !IsPageToReturnTo(back.substr(0, q))) return std::string(fallback);
  if (q == std::string_view::npos) return std::string(back);
  const std::string query = WithoutParam(back.substr(q + 1), kSessionParam);
  return std::string(back.substr(0, q)) + (query.empty() ? "" : "?" + query);
}

std::string WithoutParam(std::string_view raw_query, std::string_view name) {
  std::string out;
  size_t pos = 0;
  while (pos <= raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view piece = raw_query.substr(pos, amp - pos);
    if (!piece.empty() && piece.substr(0, piece.find('=')) != name) {
      if (!out.empty()) out += '&';
      out += piece;
    }
    pos = amp + 1;
  }
  return out;
}

bool IsHttpUrl(std::string_view u) {
  const bool scheme = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
  if (!scheme || u.size() > 2000) return false;
  for (unsigned char c : u) {
    if (c <= 0x20 || c == 0x7f || c == '"' || c == '<' || c == '>') return false;
  }
  return true;
}

int ParseInt(std::string_view s, int fallback, int lo, int hi) {
  if (s.empty() || s.size() > 9) return fallback;
  int v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return fallback;
    v = v * 10 + (c - '0');
  }
  return std::clamp(v, lo, hi);
}

int LinesPerPage(const Ctx& ctx, long line_bytes, int unlimited) {
  const size_t budget = ctx.profile.budget_bytes;
  if (!budget) return unlimited;
  const long frame = ctx.signed_in ? 2200 : 1800;
  const long n = (static_cast<long>(budget) - frame) / line_bytes;
  return static_cast<int>(std::clamp(n, 3L, 20L));
}

Slice SliceOf(const Request& req, const Ctx& ctx, size_t n, long line_bytes) {
  const int size = LinesPerPage(ctx, line_bytes, 100);
  Slice s;
  s.from = std::min(n, static_cast<size_t>(ParseInt(req.Param("p"), 0, 0, 100000)));
  s.to = std::min(n, s.from + static_cast<size_t>(size));
  s.paging.first = static_cast<int>(s.from) + 1;
  if (s.from > 0)
    s.paging.prev = static_cast<int>(s.from > static_cast<size_t>(size) ? s.from - size : 0);
  if (s.to < n) s.paging.next = static_cast<int>(s.to);
  return s;
}

std::optional<int64_t> PatronOf(Ctx& ctx) {
  const db::SessionRow* row = ctx.session.row();
  return row ? row->patron_id : std::nullopt;
}

std::vector<pages::AuthorView> AuthorViews(const std::vector<db::AuthorEntry>& authors) {
  std::vector<pages::AuthorView> out;
  for (const auto& a : authors) out.push_back({a.name, a.role});
  return out;
}

Status SignInName(Ctx& ctx) {
  ctx.patron.reset();
  ctx.signed_in.reset();
  const auto id = PatronOf(ctx);
  if (!id) return Status::Ok();
  auto p = db::FindPatronById(ctx.db(), *id);
  if (!p.ok()) return p.status();
  if (!p->has_value()) return Status::Ok();
  ctx.patron = std::move(**p);
  ctx.signed_in = pages::SignedIn{ctx.patron->name_kana, pages::CardTail(ctx.patron->card)};
  return Status::Ok();
}

std::vector<std::pair<std::string, std::string>> BranchesFor(const Config& cfg,
                                                             const db::PatronRow& p) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& b : cfg.rules.branches) {
    if (b.code == p.home_branch)
      out.insert(out.begin(), {b.code, b.name});
    else
      out.emplace_back(b.code, b.name);
  }
  return out;
}

const char* ContactName(std::string_view c) {
  return c == "mail" ? "メール" : c == "phone" ? "電話" : "連絡不要";
}

std::string DateText(const std::string& ymd) {
  auto d = db::Date::Parse(ymd);
  return d ? db::JapaneseDate(*d) : ymd;
}

}  // namespace shiori::gateway
