// Request/response helpers: header validation, percent-coding, query parsing,
// and gzip compression for the clients that accept it.
#include "gateway/http.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>

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

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

// A qvalue (RFC 9110 12.4.2): "0" [ "." 0*3DIGIT ] or "1" [ "." 0*3("0") ].
// Sets *positive; false when `q` is not one.
bool ParseWeight(std::string_view q, bool* positive) {
  if (q.empty() || (q[0] != '0' && q[0] != '1')) return false;
  if (q.size() > 1 && (q[1] != '.' || q.size() > 5)) return false;
  bool nonzero = q[0] == '1';
  for (char c : q.substr(std::min<size_t>(2, q.size()))) {
    if (c < '0' || c > '9' || (q[0] == '1' && c != '0')) return false;
    if (c != '0') nonzero = true;
  }
  *positive = nonzero;
  return true;
}

// The bytes a Content-Encoding header costs (libmicrohttpd writes "Name: value\r\n").
constexpr size_t kEncodingHeaderBytes = sizeof "Content-Encoding: gzip\r\n" - 1;

}  // namespace

bool AcceptsGzip(std::string_view accept_encoding) {
  // -1: not named; 0: refused (q=0); 1: accepted.
  int gzip = -1, x_gzip = -1, any = -1;
  size_t pos = 0;
  while (pos <= accept_encoding.size()) {
    size_t comma = accept_encoding.find(',', pos);
    if (comma == std::string_view::npos) comma = accept_encoding.size();
    std::string_view element = accept_encoding.substr(pos, comma - pos);
    pos = comma + 1;
    size_t semi = element.find(';');
    const std::string_view coding = TrimOws(element.substr(0, semi));
    if (coding.empty()) continue;
    bool positive = true, valid = true;
    while (semi != std::string_view::npos && valid) {
      const size_t next = element.find(';', semi + 1);
      const std::string_view param = TrimOws(element.substr(semi + 1, next - semi - 1));
      const size_t eq = param.find('=');
      if (eq != std::string_view::npos && EqualsNoCase(TrimOws(param.substr(0, eq)), "q")) {
        valid = ParseWeight(TrimOws(param.substr(eq + 1)), &positive);
      }
      semi = next;
    }
    if (!valid) continue;
    const int w = positive ? 1 : 0;
    if (EqualsNoCase(coding, "gzip")) {
      gzip = std::max(gzip, w);
    } else if (EqualsNoCase(coding, "x-gzip")) {
      x_gzip = std::max(x_gzip, w);
    } else if (coding == "*") {
      any = std::max(any, w);
    }
  }
  if (gzip >= 0) return gzip == 1;
  if (x_gzip >= 0) return x_gzip == 1;
  return any == 1;
}

bool Compressible(std::string_view content_type) {
  const std::string_view type = TrimOws(content_type.substr(0, content_type.find(';')));
  return EqualsNoCase(type, "text/html") || EqualsNoCase(type, "text/css") ||
         EqualsNoCase(type, "text/plain") || EqualsNoCase(type, "image/svg+xml");
}

namespace {

// A deflate state: about 270 KB (windowBits 15, memLevel 8). Each serving
// thread keeps one, made at its first page and reset for each next, so a
// call allocates nothing but its output: made and freed per call, the state
// cost as much time as compressing a 10 KB page at level 6 (its memory
// faulted in each time).
class Deflater {
 public:
  Deflater() {
    ok_ = deflateInit2(&z_, kGzipLevel, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~Deflater() {
    if (ok_) deflateEnd(&z_);
  }
  Deflater(const Deflater&) = delete;
  Deflater& operator=(const Deflater&) = delete;

  // `plain` gzip-compressed into `out`; false on failure.
  bool Compress(std::string_view plain, std::string& out) {
    if (!ok_ || deflateReset(&z_) != Z_OK) return false;
    out.resize(deflateBound(&z_, plain.size()));
    z_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
    z_.avail_in = static_cast<uInt>(plain.size());
    z_.next_out = reinterpret_cast<Bytef*>(out.data());
    z_.avail_out = static_cast<uInt>(out.size());
    if (deflate(&z_, Z_FINISH) != Z_STREAM_END) return false;
    out.resize(z_.total_out);
    return true;
  }

 private:
  z_stream z_{};
  bool ok_ = false;
};

std::string GzipWith(Deflater& deflater, std::string_view plain) {
  if (plain.size() <= kEncodingHeaderBytes + 18) return {};  // gzip's own header and trailer
  std::string out;
  if (!deflater.Compress(plain, out) || out.size() + kEncodingHeaderBytes >= plain.size())
    return {};
  return out;
}

}  // namespace

std::string Gzip(std::string_view plain) {
  thread_local Deflater deflater;
  return GzipWith(deflater, plain);
}

// A kept page is compressed once (the top pages at start, on the main
// thread): with a state of its own, freed at once, not one a thread keeps.
KeptBody::KeptBody(std::string plain_bytes) : plain(std::move(plain_bytes)) {
  Deflater once;
  gzip = GzipWith(once, plain);
}

Wire ForClient(const Response& resp, std::string_view accept_encoding, std::string& scratch) {
  Wire w;
  w.bytes = &resp.Sent();
  w.kept = resp.kept_body != nullptr;
  if (!Compressible(resp.content_type) || w.bytes->empty()) return w;
  w.vary = true;
  if (!AcceptsGzip(accept_encoding)) return w;
  if (resp.kept_body) {
    if (resp.kept_body->gzip.empty()) return w;
    w.bytes = &resp.kept_body->gzip;
  } else {
    scratch = Gzip(resp.body);
    if (scratch.empty()) return w;
    w.bytes = &scratch;
    w.kept = false;
  }
  w.gzip = true;
  return w;
}

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
