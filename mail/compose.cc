// mail: composing a notice as RFC 5322 / MIME bytes (mail.h states the
// policy): headers with RFC 2047 encoded words, ISO-2022-JP bodies for carrier
// addresses (the encoding is charset::Utf8ToIso2022Jp), base64 UTF-8 for the
// rest; carrier domains and Message-IDs.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "charset/charset.h"
#include "mail/mail.h"
#include "db/patron.h"
#include "mail/mail_internal.h"

namespace shiori::mail {

namespace detail {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return out;
}

std::string_view DomainOf(std::string_view address) {
  const size_t at = address.rfind('@');
  return at == std::string_view::npos ? std::string_view() : address.substr(at + 1);
}

namespace {

// RFC 5322 atext.
bool IsAtext(char ch) {
  if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')) return true;
  return std::strchr("!#$%&'*+-/=?^_`{|}~", ch) != nullptr && ch != '\0';
}

}  // namespace

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

}  // namespace detail

namespace {

using detail::AddrSpec;
using detail::DomainOf;
using detail::Lower;

constexpr size_t kMaxLine = 76;  // bytes per line, CRLF not counted (RFC 2045, 5322)
// An encoded word "=?ISO-2022-JP?B?" + base64 of <= 36 bytes (48) + "?=" is 66
// characters, so "Subject: " and one word fit in a line.
constexpr size_t kJisWordBytes = 36;
// "=?UTF-8?B?" + base64 of <= 39 bytes (52) + "?=": 64 characters.
constexpr size_t kUtf8WordBytes = 39;

// Rule M1 (charset.h): controls other than TAB go (C0, DEL, C1).
bool IsDroppedControl(char32_t c) { return (c < 0x20 && c != '\t') || (c >= 0x7F && c <= 0x9F); }

// UTF-8 `s` with each ill-formed subsequence as U+FFFD and rule M1 applied.
void AppendCleanUtf8(std::string_view s, std::string* out) {
  for (char32_t c : charset::ToUtf32(s)) {
    if (!IsDroppedControl(c)) charset::AppendUtf8(*out, c);
  }
}

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

// RFC 2047 encoded words for a header value, in ISO-2022-JP (`jis`) or UTF-8.
Result<std::vector<std::string>> EncodedWords(bool jis, std::string_view value) {
  std::vector<std::string> words;
  if (jis) {
    auto pieces = charset::Utf8ToIso2022Jp(value, kJisWordBytes);
    if (!pieces.ok()) return pieces.status();
    for (const std::string& bytes : *pieces) {
      words.push_back("=?ISO-2022-JP?B?" + Base64(bytes) + "?=");
    }
    return words;
  }
  std::string utf8;  // cut between whole characters only
  AppendCleanUtf8(value, &utf8);
  size_t start = 0;
  while (start < utf8.size()) {
    size_t end = std::min(utf8.size(), start + kUtf8WordBytes);
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

std::string NewMessageId(const Settings& s, Random& random) {
  std::string_view domain = DomainOf(s.from);
  return NewToken(random) + "@" + std::string(domain.empty() ? "localhost" : domain);
}

Result<std::string> ComposeMessage(const Settings& s, const Message& m, std::string_view message_id,
                                   std::time_t date) {
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("to", m.to));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("subject", m.subject));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("from", s.from));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("from_name", s.from_name));
  SHIORI_RETURN_IF_ERROR(CheckHeaderValue("message_id", message_id));
  if (Status st = db::ValidateEmail(m.to); !st.ok()) return Status::Invalid("to: " + st.message());
  if (Status st = db::ValidateEmail(s.from); !st.ok()) {
    return Status::Invalid("from: " + st.message());
  }
  const size_t at = message_id.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == message_id.size() ||
      message_id.find_first_of("<> \t\"") != std::string_view::npos) {
    return Status::Invalid("message_id: must be left@right without <>");
  }
  const bool carrier = IsCarrierAddress(m.to, s.carrier_domains);

  std::string out;
  out += Header("Date", {RfcDate(date)});
  std::vector<std::string> from;
  if (!s.from_name.empty()) {
    if (IsAscii(s.from_name)) {
      from.push_back(QuotedString(s.from_name));
    } else {
      auto words = EncodedWords(carrier, s.from_name);
      if (!words.ok()) return words.status();
      from = std::move(words).value();
    }
  }
  from.push_back("<" + AddrSpec(s.from) + ">");
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
    auto words = EncodedWords(carrier, m.subject);
    if (!words.ok()) return words.status();
    out += Header("Subject", *words);
  }
  out += Header("Message-ID", {"<" + std::string(message_id) + ">"});
  out += "MIME-Version: 1.0\r\n";

  if (carrier) {
    out += "Content-Type: text/plain; charset=ISO-2022-JP\r\n";
    out += "Content-Transfer-Encoding: 7bit\r\n\r\n";
    for (std::string_view line : Lines(m.body)) {
      auto pieces = charset::Utf8ToIso2022Jp(line, kMaxLine);
      if (!pieces.ok()) return pieces.status();
      for (const std::string& piece : *pieces) {
        out += piece;
        out += "\r\n";
      }
    }
    return out;
  }
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  std::string body;
  for (std::string_view line : Lines(m.body)) {
    AppendCleanUtf8(line, &body);
    body += "\r\n";
  }
  const std::string b64 = Base64(body);
  for (size_t i = 0; i < b64.size(); i += kMaxLine) {
    out.append(b64, i, kMaxLine);
    out += "\r\n";
  }
  return out;
}

}  // namespace shiori::mail
