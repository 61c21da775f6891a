// Mail: composition (ISO-2022-JP or UTF-8, by the policy in mail.h), SMTP with
// libcurl (opened on the first send, curl_lib_internal.h), the notices'
// wording, and the outbox sender.
#include "gateway/mail.h"

#include <errno.h>
#include <iconv.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "charset/charset.h"
#include "db/outbox.h"
#include "db/patron.h"
#include "gateway/clock.h"
#include "gateway/curl_lib_internal.h"
#include "gateway/session.h"
#include "pages/pages.h"

namespace shiori::gateway {
namespace {

constexpr size_t kMaxLine = 76;     // bytes per line, CRLF not counted (RFC 2045, 5322)
constexpr char32_t kGeta = 0x3013;  // 〓
constexpr char32_t kReplacement = 0xFFFD;

// ---------------------------------------------------------------- text

// Code points of UTF-8 `s`; each maximal ill-formed subsequence is one U+FFFD (ICU).
icu::UnicodeString FromUtf8(std::string_view s) {
  return icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
}

std::u32string ToU32(const icu::UnicodeString& u) {
  std::u32string out;
  out.reserve(static_cast<size_t>(u.length()));
  for (int32_t i = 0; i < u.length();) {
    const UChar32 c = u.char32At(i);
    out.push_back(static_cast<char32_t>(c));
    i += U16_LENGTH(c);
  }
  return out;
}

// NFC or NFKC of `u`; on an ICU failure (it has none for valid input) `u` as it is.
icu::UnicodeString Normalized(const icu::UnicodeString& u, bool compat) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n =
      compat ? icu::Normalizer2::getNFKCInstance(err) : icu::Normalizer2::getNFCInstance(err);
  if (U_FAILURE(err)) return u;
  icu::UnicodeString out = n->normalize(u, err);
  return U_FAILURE(err) ? u : out;
}

// Rule M1: controls other than TAB go (C0, DEL, C1).
bool IsDroppedControl(char32_t c) { return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F); }

// Splits text into lines at CRLF, LF or CR.
std::vector<std::string_view> Lines(std::string_view s) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r' || s[i] == '\n') {
      out.push_back(s.substr(start, i - start));
      if (s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      start = i + 1;
    }
  }
  if (start < s.size()) out.push_back(s.substr(start));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

// ---------------------------------------------------------------- ISO-2022-JP

// Rule M3.
struct Remap {
  char32_t from, to;
};
constexpr Remap kToJisVariant[] = {
    {0xFF5E, 0x301C},   // FULLWIDTH TILDE -> WAVE DASH (JIS 1-33)
    {0xFF0D, 0x2212},   // FULLWIDTH HYPHEN-MINUS -> MINUS SIGN (JIS 1-61)
    {0x2225, 0x2016},   // PARALLEL TO -> DOUBLE VERTICAL LINE (JIS 1-34)
    {0x2014, 0x2015},   // EM DASH -> HORIZONTAL BAR, as glibc maps JIS 1-29
    {0xFFE0, 0x00A2},   // ￠ -> ¢
    {0xFFE1, 0x00A3},   // ￡ -> £
    {0xFFE2, 0x00AC},   // ￢ -> ¬
    {0x00A5, 0xFFE5},   // ¥ -> ￥ (glibc would switch to JIS X 0201 Roman, ESC ( J)
    {0x203E, 0xFFE3},   // ‾ -> ￣ (likewise)
    {0x9AD9, 0x9AD8},   // 髙 -> 高
    {0xFA11, 0x5D0E},   // 﨑 -> 崎
    {0x5FB7, 0x5FB3},   // 德 -> 徳
    {0x6FF5, 0x6FF1},   // 濵 -> 濱
    {0x6801, 0x67F3},   // 栁 -> 柳
    {0xFA10, 0x585A},   // 塚 -> 塚
    {0x20BB7, 0x5409},  // 𠮷 -> 吉
};

char32_t ToJisVariant(char32_t c) {
  for (const Remap& r : kToJisVariant) {
    if (r.from == c) return r.to;
  }
  return c;
}

bool IsHalfWidthVoicedMark(char32_t c) { return c == 0xFF9E || c == 0xFF9F; }

static_assert(sizeof(wchar_t) == 4, "glibc's WCHAR_T is UCS-4");

// glibc's ISO-2022-JP encoder for one composition (an iconv_t holds shift state).
class JisCoder {
 public:
  JisCoder() : cd_(iconv_open("ISO-2022-JP", "WCHAR_T")) {}
  ~JisCoder() {
    if (ok()) iconv_close(cd_);
  }
  JisCoder(const JisCoder&) = delete;
  JisCoder& operator=(const JisCoder&) = delete;
  bool ok() const { return cd_ != reinterpret_cast<iconv_t>(-1); }

  // True when ISO-2022-JP carries `c` as ASCII or JIS X 0208 (not JIS X 0201).
  bool Carried(char32_t c) {
    if (c < 0x80) return c >= 0x20 ? c != 0x7F : c == '\t';
    std::string out;
    if (!Encode(std::u32string(1, c), &out)) return false;
    return out.size() == 8 && out.compare(0, 3, "\x1B$B") == 0;
  }

  // Encodes `s` (carried characters only) starting and ending in ASCII mode.
  bool Encode(std::u32string_view s, std::string* out) {
    iconv(cd_, nullptr, nullptr, nullptr, nullptr);
    std::wstring w(s.begin(), s.end());
    char* in = reinterpret_cast<char*>(w.data());
    size_t in_left = w.size() * sizeof(wchar_t);
    std::string buf(w.size() * 8 + 8, '\0');
    char* o = buf.data();
    size_t o_left = buf.size();
    if (iconv(cd_, &in, &in_left, &o, &o_left) == static_cast<size_t>(-1)) return false;
    if (iconv(cd_, nullptr, nullptr, &o, &o_left) == static_cast<size_t>(-1)) return false;
    buf.resize(buf.size() - o_left);
    out->append(buf);
    return true;
  }

 private:
  iconv_t cd_;
};

// True when every character of `s` is carried.
bool AllCarried(JisCoder& jis, std::u32string_view s) {
  if (s.empty()) return false;
  for (char32_t c : s) {
    if (!jis.Carried(c)) return false;
  }
  return true;
}

// One line of UTF-8 (no line breaks) as the characters ISO-2022-JP will carry,
// by rules M1..M6.
std::u32string PrepareJis(JisCoder& jis, std::string_view line) {
  const std::u32string in = ToU32(Normalized(FromUtf8(line), false));
  std::u32string out;
  for (size_t i = 0; i < in.size(); ++i) {
    char32_t c = in[i];
    if (IsDroppedControl(c)) continue;  // M1
    if (u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
      continue;            // M2
    c = ToJisVariant(c);   // M3
    if (jis.Carried(c)) {  // M4
      out.push_back(c);
      continue;
    }
    if (c != kReplacement) {  // M5
      if (i + 1 < in.size() && IsHalfWidthVoicedMark(in[i + 1])) {
        std::u32string pair{c, in[i + 1]};
        icu::UnicodeString u =
            icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(pair.data()), 2);
        const std::u32string k = ToU32(Normalized(u, true));
        if (AllCarried(jis, k)) {
          out += k;
          ++i;
          continue;
        }
      }
      const UChar32 one = static_cast<UChar32>(c);
      const std::u32string k = ToU32(Normalized(icu::UnicodeString(one), true));
      if (AllCarried(jis, k)) {
        out += k;
        continue;
      }
    }
    out.push_back(kGeta);  // M6
  }
  return out;
}

// Bytes `c` takes in ISO-2022-JP, given the mode before it (true: JIS X 0208);
// updates the mode. Escape sequences are 3 bytes.
size_t JisWidth(char32_t c, bool* jis_mode) {
  const bool want_jis = c >= 0x80;
  size_t n = want_jis ? 2 : 1;
  if (want_jis != *jis_mode) n += 3;
  *jis_mode = want_jis;
  return n;
}

// Splits prepared text into pieces whose ISO-2022-JP form (ending in ASCII)
// is at most `limit` bytes.
std::vector<std::u32string> SplitJis(std::u32string_view s, size_t limit) {
  std::vector<std::u32string> out;
  std::u32string cur;
  size_t bytes = 0;
  bool mode = false;
  for (char32_t c : s) {
    bool m = mode;
    const size_t w = JisWidth(c, &m);
    const size_t closing = m ? 3 : 0;
    if (!cur.empty() && bytes + w + closing > limit) {
      out.push_back(std::move(cur));
      cur.clear();
      bytes = 0;
      mode = false;
      m = false;
      const size_t w2 = JisWidth(c, &m);
      cur.push_back(c);
      bytes = w2;
      mode = m;
      continue;
    }
    cur.push_back(c);
    bytes += w;
    mode = m;
  }
  if (!cur.empty() || out.empty()) out.push_back(std::move(cur));
  return out;
}

// ---------------------------------------------------------------- MIME

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = p[i] << 16;
    if (i + 1 < in.size()) v |= p[i + 1] << 8;
    out += kAlphabet[v >> 18];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return static_cast<unsigned char>(ch) < 0x80; });
}

// RFC 2047 encoded words for a header value, each short enough that
// "Subject: " + one word fits in 76 bytes.
std::vector<std::string> EncodedWords(JisCoder* jis, std::string_view value) {
  std::vector<std::string> words;
  if (jis) {
    // "=?ISO-2022-JP?B?" + base64 of <= 36 bytes (48) + "?=": 66 characters.
    for (const std::u32string& piece : SplitJis(PrepareJis(*jis, value), 36)) {
      std::string bytes;
      jis->Encode(piece, &bytes);
      words.push_back("=?ISO-2022-JP?B?" + Base64(bytes) + "?=");
    }
    return words;
  }
  // "=?UTF-8?B?" + base64 of <= 39 bytes (52) + "?=": 64 characters; whole characters only.
  std::string utf8;
  for (char32_t c : ToU32(FromUtf8(value))) {
    if (!IsDroppedControl(c)) charset::AppendUtf8(utf8, c);
  }
  size_t start = 0;
  while (start < utf8.size()) {
    size_t end = std::min(utf8.size(), start + 39);
    while (end < utf8.size() && end > start &&
           (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80)
      --end;
    words.push_back("=?UTF-8?B?" + Base64(std::string_view(utf8).substr(start, end - start)) +
                    "?=");
    start = end;
  }
  return words;
}

// "Name: token token ..." folded before a token when a line would pass 76 bytes.
std::string Header(std::string_view name, const std::vector<std::string>& tokens) {
  std::string out(name);
  out += ":";
  size_t line = out.size();
  for (const std::string& t : tokens) {
    if (line + 1 + t.size() > kMaxLine && line > name.size() + 1) {
      out += "\r\n";
      line = 0;
    }
    out += ' ';
    out += t;
    line += 1 + t.size();
  }
  out += "\r\n";
  return out;
}

// RFC 5322 atext.
bool IsAtext(char ch) {
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) return true;
  return std::strchr("!#$%&'*+-/=?^_`{|}~", ch) != nullptr && ch != '\0';
}

// The address as a mailbox in a header or an SMTP path: a local part that is
// not a dot-atom (old phones: "a..b.") is quoted.
std::string AddrSpec(std::string_view address) {
  const size_t at = address.rfind('@');
  const std::string_view local = address.substr(0, at), domain = address.substr(at + 1);
  bool dot_atom = !local.empty() && local.front() != '.' && local.back() != '.' &&
                  local.find("..") == std::string_view::npos;
  for (char ch : local) dot_atom = dot_atom && (IsAtext(ch) || ch == '.');
  if (dot_atom) return std::string(address);
  std::string q = "\"";
  for (char ch : local) {
    if (ch == '"' || ch == '\\') q += '\\';
    q += ch;
  }
  return q + "\"@" + std::string(domain);
}

std::string QuotedString(std::string_view s) {
  std::string q = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') q += '\\';
    q += ch;
  }
  return q + "\"";
}

// RFC 5322 date in local time: "Tue, 01 Dec 2026 10:00:00 +0900".
std::string RfcDate(std::time_t t) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm tm;
  localtime_r(&t, &tm);
  const long off = tm.tm_gmtoff / 60;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec,
                off < 0 ? '-' : '+', std::labs(off) / 60, std::labs(off) % 60);
  return buf;
}

// A header value from the input: no CR, LF or other control character.
Status CheckHeaderValue(std::string_view what, std::string_view v) {
  for (char ch : v) {
    const auto b = static_cast<unsigned char>(ch);
    if (b == '\r' || b == '\n')
      return Status::Invalid(std::string(what) + ": CR or LF in a header value");
    if ((b < 0x20 && b != '\t') || b == 0x7F)
      return Status::Invalid(std::string(what) + ": control character in a header value");
  }
  return Status::Ok();
}

std::string_view DomainOf(std::string_view address) {
  const size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

std::string LocalTime(std::time_t t) {
  std::tm tm;
  localtime_r(&t, &tm);
  char hm[8];
  std::snprintf(hm, sizeof hm, "%02d:%02d", tm.tm_hour, tm.tm_min);
  return JapaneseDate(db::Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday}) + " " + hm;
}

}  // namespace

std::vector<std::string> DefaultCarrierDomains() {
  return {"docomo.ne.jp", "ezweb.ne.jp", "au.com",    "softbank.ne.jp", "i.softbank.jp",
          "disney.ne.jp", "willcom.com", "pdx.ne.jp", "ymobile.ne.jp",  "emnet.ne.jp"};
}

bool IsCarrierAddress(std::string_view address, const std::vector<std::string>& domains) {
  const std::string domain = Lower(DomainOf(address));
  if (domain.empty()) return false;
  for (const std::string& d0 : domains) {
    const std::string d = Lower(d0);
    if (d.empty()) continue;
    if (domain == d) return true;
    if (domain.size() > d.size() + 1 &&
        domain.compare(domain.size() - d.size(), d.size(), d) == 0 &&
        domain[domain.size() - d.size() - 1] == '.')
      return true;
  }
  return false;
}

std::string NewMessageId(const MailConfig& c) {
  std::string_view domain = DomainOf(c.from);
  return NewToken() + "@" + std::string(domain.empty() ? "localhost" : domain);
}

Result<std::string> ComposeMessage(const MailConfig& c, const Message& m,
                                   std::string_view message_id, std::time_t date) {
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("to", m.to));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("subject", m.subject));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("from", c.from));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("from_name", c.from_name));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("message_id", message_id));
  if (Status s = db::ValidateEmail(m.to); !s.ok()) return Status::Invalid("to: " + s.message());
  if (Status s = db::ValidateEmail(c.from); !s.ok()) return Status::Invalid("from: " + s.message());
  const size_t at = message_id.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == message_id.size() ||
      message_id.find_first_of("<> \t\"") != std::string_view::npos) {
    return Status::Invalid("message_id: must be left@right without <>");
  }

  const bool carrier = IsCarrierAddress(m.to, c.carrier_domains);
  std::unique_ptr<JisCoder> jis;
  if (carrier) {
    jis = std::make_unique<JisCoder>();
    if (!jis->ok()) {
      return Status::Io(std::string("iconv_open(ISO-2022-JP, WCHAR_T): ") + std::strerror(errno));
    }
  }

  std::string out;
  out += Header("Date", {RfcDate(date)});
  std::vector<std::string> from;
  if (!c.from_name.empty()) {
    from = IsAscii(c.from_name) ? std::vector<std::string>{QuotedString(c.from_name)}
                                : EncodedWords(jis.get(), c.from_name);
  }
  from.push_back("<" + AddrSpec(c.from) + ">");
  out += Header("From", from);
  out += Header("To", {AddrSpec(m.to)});
  if (IsAscii(m.subject) && m.subject.find("=?") == std::string::npos) {
    std::vector<std::string> words;  // folded at its spaces when long
    size_t start = 0;
    for (size_t sp; (sp = m.subject.find(' ', start)) != std::string::npos; start = sp + 1) {
      words.push_back(m.subject.substr(start, sp - start));
    }
    words.push_back(m.subject.substr(start));
    out += Header("Subject", words);
  } else {
    out += Header("Subject", EncodedWords(jis.get(), m.subject));
  }
  out += Header("Message-ID", {"<" + std::string(message_id) + ">"});
  out += "MIME-Version: 1.0\r\n";

  if (carrier) {
    out += "Content-Type: text/plain; charset=ISO-2022-JP\r\n";
    out += "Content-Transfer-Encoding: 7bit\r\n\r\n";
    for (std::string_view line : Lines(m.body)) {
      for (const std::u32string& piece : SplitJis(PrepareJis(*jis, line), kMaxLine)) {
        if (!jis->Encode(piece, &out))
          return Status::Io("iconv(ISO-2022-JP) refused prepared text");
        out += "\r\n";
      }
    }
    return out;
  }
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  std::string body;
  for (std::string_view line : Lines(m.body)) {
    for (char32_t ch : ToU32(FromUtf8(line))) {
      if (!IsDroppedControl(ch)) charset::AppendUtf8(body, ch);
    }
    body += "\r\n";
  }
  const std::string b64 = Base64(body);
  for (size_t i = 0; i < b64.size(); i += kMaxLine) {
    out.append(b64, i, kMaxLine);
    out += "\r\n";
  }
  return out;
}

// ---------------------------------------------------------------- SMTP

namespace {

using detail::CurlApi;

struct CurlDeleter {
  const CurlApi* curl;
  void operator()(CURL* h) const { curl->curl_easy_cleanup(h); }
};
struct SlistDeleter {
  const CurlApi* curl;
  void operator()(curl_slist* l) const { curl->curl_slist_free_all(l); }
};

struct Upload {
  const std::string* bytes;
  size_t pos = 0;
};

size_t ReadUpload(char* buf, size_t size, size_t n, void* user) {
  auto* u = static_cast<Upload*>(user);
  const size_t len = std::min(size * n, u->bytes->size() - u->pos);
  std::memcpy(buf, u->bytes->data() + u->pos, len);
  u->pos += len;
  return len;
}

// What the dialogue showed: the first 4xx or 5xx reply and the command it
// answered (libcurl says QUIT after it, so the last reply is "221 Bye"), the
// last reply, and whether the server said 250 to the end of the message.
struct Dialogue {
  std::string command;        // the last command sent: its verb, lower case
  std::string error_command;  // the command the first error answered
  std::string error_reply;    // the first 4xx or 5xx reply line
  std::string last_reply;
  bool answered = false;
  bool data_sent = false;
  bool error_after_data = false;
  bool accepted = false;
};

int OnDebug(CURL*, curl_infotype type, char* data, size_t size, void* user) {
  auto* d = static_cast<Dialogue*>(user);
  std::string_view s(data, size);
  if (type == CURLINFO_HEADER_OUT) {
    const size_t sp = s.find_first_of(" \r\n:");
    d->command = Lower(s.substr(0, sp));
  } else if (type == CURLINFO_DATA_OUT) {
    d->data_sent = true;
  } else if (type == CURLINFO_HEADER_IN) {
    while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
    if (s.empty()) return 0;
    d->answered = true;
    d->last_reply = std::string(s.substr(0, 300));
    const bool error = s.size() >= 3 && (s[0] == '4' || s[0] == '5');
    if (error && d->error_reply.empty()) {
      d->error_reply = d->last_reply;
      d->error_command = d->command;
      d->error_after_data = d->data_sent;
    }
    if (d->data_sent && d->error_reply.empty() && s.compare(0, 3, "250") == 0) d->accepted = true;
  }
  return 0;
}

}  // namespace

SendResult SendMail(const MailConfig& c, const std::string& to, const std::string& bytes) {
  SendResult res;
  auto loaded = detail::LoadCurl();
  if (!loaded.ok()) {  // like a server that cannot be reached: kept and tried again later
    res.detail = loaded.status().message();
    return res;
  }
  const CurlApi& curl = **loaded;
  std::unique_ptr<CURL, CurlDeleter> h(curl.curl_easy_init(), CurlDeleter{&curl});
  if (!h) {
    res.detail = "curl_easy_init failed";
    return res;
  }
  const bool tls = c.security == "tls";
  std::string host = c.host;
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  const std::string url = std::string(tls ? "smtps://" : "smtp://") + host + ":" +
                          std::to_string(c.port) + "/" + c.helo;
  const std::string from = "<" + AddrSpec(c.from) + ">";
  std::unique_ptr<curl_slist, SlistDeleter> rcpt(
      curl.curl_slist_append(nullptr, ("<" + AddrSpec(to) + ">").c_str()), SlistDeleter{&curl});
  Upload up{&bytes};
  Dialogue dialogue;
  char error[CURL_ERROR_SIZE] = "";
  CURL* e = h.get();
  curl.curl_easy_setopt(e, CURLOPT_URL, url.c_str());
  curl.curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl.curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl.curl_easy_setopt(e, CURLOPT_USE_SSL,
                        c.security == "starttls" ? static_cast<long>(CURLUSESSL_ALL)
                                                 : static_cast<long>(CURLUSESSL_NONE));
  if (!c.user.empty()) {
    curl.curl_easy_setopt(e, CURLOPT_USERNAME, c.user.c_str());
    curl.curl_easy_setopt(e, CURLOPT_PASSWORD, c.password.c_str());
  }
  curl.curl_easy_setopt(e, CURLOPT_MAIL_FROM, from.c_str());
  curl.curl_easy_setopt(e, CURLOPT_MAIL_RCPT, rcpt.get());
  curl.curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
  curl.curl_easy_setopt(e, CURLOPT_READFUNCTION, ReadUpload);
  curl.curl_easy_setopt(e, CURLOPT_READDATA, &up);
  curl.curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(bytes.size()));
  curl.curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, static_cast<long>(c.timeout_s));
  curl.curl_easy_setopt(e, CURLOPT_TIMEOUT, static_cast<long>(c.timeout_s) * 3);
  curl.curl_easy_setopt(e, CURLOPT_ERRORBUFFER, error);
  curl.curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);  // feeds OnDebug; nothing is printed
  curl.curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, OnDebug);
  curl.curl_easy_setopt(e, CURLOPT_DEBUGDATA, &dialogue);

  const CURLcode rc = curl.curl_easy_perform(e);
  res.server_answered = dialogue.answered;
  if (rc == CURLE_OK || dialogue.accepted) {  // 250 after the data: delivered, whatever QUIT did
    res.outcome = SendOutcome::kSent;
    res.detail = dialogue.last_reply;
    return res;
  }
  res.detail = !dialogue.error_reply.empty()  ? dialogue.error_reply
               : !dialogue.last_reply.empty() ? dialogue.last_reply
               : error[0] != '\0'             ? std::string(error)
                                              : std::string(curl.curl_easy_strerror(rc));
  // A 5xx refusing the sender, the recipient or the message is final; one to
  // the greeting, EHLO, STARTTLS or AUTH is about this server or our settings.
  const std::string& cmd = dialogue.error_command;
  const bool about_message =
      dialogue.error_after_data || cmd == "mail" || cmd == "rcpt" || cmd == "data";
  res.outcome = !dialogue.error_reply.empty() && dialogue.error_reply[0] == '5' && about_message
                    ? SendOutcome::kPermanent
                    : SendOutcome::kTemporary;
  return res;
}

// ---------------------------------------------------------------- notices

Message HoldReadyMessage(const std::string& to, const std::string& title,
                         const std::string& branch_name, const db::Date& deadline,
                         const std::string& library_name, const std::string& site_url) {
  Message m;
  m.to = to;
  m.subject = "予約資料のご用意ができました";
  m.body =
      "予約資料のご用意ができました。\n"
      "\n"
      "■資料名\n" +
      title +
      "\n"
      "■受取館\n" +
      branch_name +
      "\n"
      "■取置期限\n" +
      JapaneseDate(deadline) +
      "まで\n"
      "\n"
      "利用者カードをお持ちください。\n"
      "期限をすぎると取消となります。\n"
      "\n"
      "予約確保一覧:\n" +
      site_url + "/account/ready\n\n" + library_name + "\n";
  return m;
}

Message EmailChangedMessage(const std::string& to, bool to_old_address, std::time_t when,
                            const std::string& library_name, const std::string& site_url) {
  Message m;
  m.to = to;
  m.subject = "メールアドレスの変更";
  std::string b = "利用照会のメールアドレスが\n";
  b += to_old_address ? "変更されました。\n" : "このアドレスに変更されました。\n";
  b += "日時: " + LocalTime(when) + "\n\n";
  if (to_old_address) {
    b += "このアドレスには今後\nお知らせが届きません。\n";
  } else {
    b += "予約資料のご用意ができたら\nこのアドレスへお知らせします。\n";
  }
  b += "お心当たりのない場合は\n図書館へご連絡ください。\n\n";
  b += "利用照会:\n" + site_url + "/account\n\n" + library_name + "\n";
  m.body = std::move(b);
  return m;
}

Message PasswordNoticeMessage(const std::string& to, bool registered, std::time_t when,
                              std::string_view device_class, const std::string& library_name,
                              const std::string& site_url) {
  std::string device = "不明";
  if (device_class == "feature") device = "携帯電話";
  if (device_class == "smartphone") device = "スマートフォン";
  if (device_class == "tablet") device = "タブレット";
  if (device_class == "pc") device = "パソコン";
  Message m;
  m.to = to;
  m.subject = registered ? "パスワードの登録" : "パスワードの変更";
  std::string b = "利用照会のパスワードが\n";
  b += registered ? "登録されました。\n" : "変更されました。\n";
  b += "日時: " + LocalTime(when) + "\n";
  b += "端末: " + device + "\n\n";
  b += "お心当たりのない場合は\n至急図書館へご連絡ください。\n\n";
  b += "利用照会:\n" + site_url + "/account\n\n" + library_name + "\n";
  m.body = std::move(b);
  return m;
}

// ---------------------------------------------------------------- the sender

namespace {

// Longer than any send can take (connect, then the whole exchange).
int64_t AbandonedAfter(const MailConfig& mc) { return int64_t{mc.timeout_s} * 3 + 60; }

// The back-off after the n-th attempt (n >= 1): 1, 2, 4, ... minutes, at most 30.
int64_t Backoff(int attempts) {
  const int n = std::clamp(attempts, 1, 6);
  return std::min<int64_t>(int64_t{1} << (n - 1), 30) * 60;
}

std::time_t ParseIsoUtc(const std::string& iso) {
  std::tm tm{};
  if (sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
             &tm.tm_min, &tm.tm_sec) != 6)
    return 0;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return timegm(&tm);
}

struct Sender {
  db::Connection& c;
  const MailConfig& mc;
  const std::string& library_name;
  const db::LibraryRules& rules;
  int64_t now;
  std::vector<std::string>* log;
  const MailTransport& transport;
  SenderStats stats;
  bool unreachable = false;
  std::string unreachable_why;  // the SMTP server's silence, or libcurl missing

  void Log(const db::OutboxRow& r, const std::string& what) {
    if (!log) return;
    std::string line = "notice " + std::to_string(r.id) + " (" + r.kind;
    if (r.hold_id) line += ", hold " + std::to_string(r.hold_id);
    line += ", card " + r.card + "): " + what;
    log->push_back(std::move(line));
  }

  Status Fail(const db::OutboxRow& r, const std::string& status, const std::string& reason) {
    SHIORI_RETURN_IF_ERROR(db::MarkNoticeDone(c, r.id, status, reason));
    if (status == "failed") ++stats.failed;
    Log(r, status + ": " + reason);
    return Status::Ok();
  }

  // The message for a claimed row, or a reason it cannot be sent (*skip: the
  // notice is no longer wanted, rather than failed).
  Result<Message> Build(const db::NoticeData& d, bool* skip) {
    const db::OutboxRow& r = d.row;
    const std::string to = !r.to_address.empty() ? r.to_address : d.patron_email;
    if (to.empty()) return Status::Invalid("the patron has no e-mail address");
    const std::time_t created = ParseIsoUtc(r.created_at);
    if (r.kind == "hold_ready") {
      if (d.hold_status != "ready") {
        *skip = true;
        return Status::Conflict("the hold is " +
                                (d.hold_status.empty() ? std::string("gone") : d.hold_status) +
                                ", no longer ready");
      }
      auto deadline = db::Date::Parse(d.deadline);
      if (!deadline) return Status::Io("hold " + std::to_string(r.hold_id) + ": bad deadline");
      std::string branch = d.branch_name;
      if (const db::Branch* b = rules.FindBranch(d.branch_code)) branch = b->name;
      return HoldReadyMessage(to, pages::TitleWithVolume(d.title, d.volume), branch, *deadline, library_name, mc.site_url);
    }
    if (r.kind == "email_changed") {
      return EmailChangedMessage(to, r.detail == "old", created, library_name, mc.site_url);
    }
    if (r.kind == "password_registered" || r.kind == "password_changed") {
      return PasswordNoticeMessage(to, r.kind == "password_registered", created, r.detail,
                                   library_name, mc.site_url);
    }
    return Status::Invalid("unknown notice kind " + r.kind);
  }

  // Sends claimed row `id` and records the outcome.
  Status Deliver(int64_t id, const std::string& message_id) {
    auto data = db::LoadNotice(c, id);
    if (!data.ok()) return data.status();
    if (!data->has_value()) return Status::Ok();
    const db::NoticeData& d = **data;
    const db::OutboxRow& r = d.row;
    bool skip = false;
    auto msg = Build(d, &skip);
    if (!msg.ok()) {
      if (msg.status().code() == Status::Code::kIo) return msg.status();
      return Fail(r, skip ? "skipped" : "failed", msg.status().message());
    }
    auto bytes = ComposeMessage(mc, *msg, message_id, static_cast<std::time_t>(now));
    if (!bytes.ok()) return Fail(r, "failed", bytes.status().message());
    const SendResult sent = transport(msg->to, *bytes);
    const std::string domain(DomainOf(msg->to));
    switch (sent.outcome) {
      case SendOutcome::kSent:
        SHIORI_RETURN_IF_ERROR(db::MarkNoticeSent(c, id, now));
        ++stats.sent;
        Log(r, "sent to ...@" + domain);
        return Status::Ok();
      case SendOutcome::kPermanent:
        return Fail(r, "failed", "refused: " + sent.detail);
      case SendOutcome::kTemporary:
        break;
    }
    if (!sent.server_answered) {
      unreachable = true;
      unreachable_why = sent.detail;
    }
    const int64_t first = r.first_try_at ? r.first_try_at : now;
    if (now - first >= mc.give_up_after_s) {
      return Fail(r, "failed",
                  "gave up after " + std::to_string(r.attempts) + " attempts: " + sent.detail);
    }
    const int64_t wait = Backoff(r.attempts);
    SHIORI_RETURN_IF_ERROR(db::MarkNoticeRetry(c, id, now + wait, sent.detail));
    ++stats.retried;
    Log(r, "will retry in " + std::to_string(wait / 60) + " min: " + sent.detail);
    return Status::Ok();
  }

  Status Run() {
    // 1. Rows a sender left in 'sending' (it stopped mid-send).
    auto abandoned = db::AbandonedNotices(c, now - AbandonedAfter(mc));
    if (!abandoned.ok()) return abandoned.status();
    for (const db::OutboxRow& r : *abandoned) {
      if (r.resent_uncertain) {
        SHIORI_RETURN_IF_ERROR(Fail(
            r, "failed", "outcome uncertain twice (the sender stopped mid-send); not sent again"));
        continue;
      }
      auto claimed = db::ReclaimNotice(c, r.id, r.sending_at, now);
      if (!claimed.ok()) return claimed.status();
      if (!*claimed) continue;
      Log(r, "outcome uncertain, sending once more");
      std::string mid = r.message_id.empty() ? NewMessageId(mc) : r.message_id;
      SHIORI_RETURN_IF_ERROR(Deliver(r.id, mid));
      if (unreachable) return Status::Ok();
    }
    // 2. Pending rows that are due.
    auto due = db::DueNotices(c, now);
    if (!due.ok()) return due.status();
    for (int64_t id : *due) {
      auto mid = db::ClaimNotice(c, id, now, NewMessageId(mc));
      if (!mid.ok()) return mid.status();
      if (!mid->has_value()) continue;  // another sender took it
      SHIORI_RETURN_IF_ERROR(Deliver(id, **mid));
      if (unreachable) {
        if (log) log->push_back("mail: cannot send (" + unreachable_why + "); the rest wait");
        return Status::Ok();
      }
    }
    return Status::Ok();
  }
};

}  // namespace

Result<SenderStats> SendPending(db::Connection& c, const MailConfig& mc,
                                const std::string& library_name, const db::LibraryRules& rules,
                                int64_t now, std::vector<std::string>* log,
                                const MailTransport& transport) {
  Sender s{c, mc, library_name, rules, now, log, transport, {}, false};
  SHIORI_RETURN_IF_ERROR(s.Run());
  return s.stats;
}

Result<SenderStats> SendPending(db::Connection& c, const MailConfig& mc,
                                const std::string& library_name, const db::LibraryRules& rules,
                                int64_t now, std::vector<std::string>* log) {
  const MailTransport smtp = [&mc](const std::string& to, const std::string& bytes) {
    return SendMail(mc, to, bytes);
  };
  return SendPending(c, mc, library_name, rules, now, log, smtp);
}

}  // namespace shiori::gateway
