// Request/response helpers: header validation, percent-coding, query parsing.
#include "gateway/http.h"

#include "charset/charset.h"

namespace shiori::gateway {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// True when s[i] starts a well-formed %XX escape.
bool IsEscapeAt(std::string_view s, size_t i) {
  return s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0;
}

// RFC 3986 unreserved: letters, digits, - . _ ~
bool IsUnreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void AppendPercent(std::string& out, unsigned char c) {
  static const char kHex[] = "0123456789ABCDEF";
  out += '%';
  out += kHex[c >> 4];
  out += kHex[c & 15];
}

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::string_view Request::Header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return {};
}

std::string_view Request::Param(std::string_view name) const {
  for (const auto& [k, v] : form) {
    if (k == name) return v;
  }
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return {};
}

Status Response::SetHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return Status::Invalid("empty header name");
  for (char c : name) {
    if (!IsTokenChar(c)) return Status::Invalid("header name with a forbidden character");
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') {
      return Status::Invalid("header value with CR, LF or NUL refused");
    }
  }
  headers.emplace_back(std::string(name), std::string(value));
  return Status::Ok();
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      out += ' ';
    } else if (IsEscapeAt(s, i)) {
      out += static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string PercentEncode(std::string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (unsigned char c : s) {
    if (IsUnreserved(c)) {
      out += static_cast<char>(c);
    } else {
      AppendPercent(out, c);
    }
  }
  return out;
}

std::string EncodeUrl(std::string_view url) {
  static constexpr std::string_view kReserved = ":/?#[]@!$&'()*+,;=";
  std::string out;
  out.reserve(url.size());
  for (size_t i = 0; i < url.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(url[i]);
    const bool reserved = c != 0 && kReserved.find(static_cast<char>(c)) != std::string_view::npos;
    if (IsUnreserved(c) || reserved || IsEscapeAt(url, i)) {
      out += static_cast<char>(c);
    } else {
      AppendPercent(out, c);
    }
  }
  return out;
}

Pairs ParseQuery(std::string_view s) {
  Pairs out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t amp = s.find('&', pos);
    if (amp == std::string_view::npos) amp = s.size();
    std::string_view piece = s.substr(pos, amp - pos);
    if (!piece.empty()) {
      size_t eq = piece.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(PercentDecode(piece), std::string());
      } else {
        out.emplace_back(PercentDecode(piece.substr(0, eq)), PercentDecode(piece.substr(eq + 1)));
      }
    }
    pos = amp + 1;
  }
  return out;
}

Status DecodePairs(Pairs& pairs, bool sjis) {
  for (auto& [k, v] : pairs) {
    for (std::string* s : {&k, &v}) {
      if (sjis) {
        auto d = charset::SjisToUtf8(*s);
        if (!d.ok()) return d.status();
        *s = std::move(d).value();
      } else if (!charset::IsValidUtf8(*s)) {
        return Status::Invalid("invalid UTF-8");
      }
    }
  }
  return Status::Ok();
}

std::string QueryKeysOnly(std::string_view raw_query) {
  std::string out;
  size_t pos = 0;
  while (pos < raw_query.size()) {
    size_t amp = raw_query.find('&', pos);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view piece = raw_query.substr(pos, amp - pos);
    std::string_view key = piece.substr(0, piece.find('='));
    if (!key.empty()) {
      if (!out.empty()) out += '&';
      // Keys are ours and short; anything odd is cut so a log line stays one line.
      for (char c : key.substr(0, 32)) out += (c > ' ' && c < 127) ? c : '?';
      out += '=';
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace shiori::gateway
