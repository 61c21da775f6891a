// charset: UTF-8 -> ISO-2022-JP for mail to Japanese carrier addresses, with glibc iconv under
// rules M1..M7 at the top of charset.h: which characters are carried, remapped or replaced by
// 〓, and how a line is cut into pieces of bounded length.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <utility>

#include "charset/charset.h"
#include "charset/iconv_internal.h"

namespace shiori::charset {
namespace {

constexpr const char* kIso2022Jp = "ISO-2022-JP";
constexpr char32_t kGeta = 0x3013;  // 〓
constexpr char32_t kReplacement = 0xFFFD;
constexpr size_t kEscapeBytes = 3;  // ESC $ B and ESC ( B

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

// glibc's ISO-2022-JP encoder for one call (the iconv_t holds the shift state).
class JisEncoder {
 public:
  JisEncoder() : cd_(kIso2022Jp, detail::kUcs4) {}
  bool ok() const { return cd_.ok(); }

  // True when ISO-2022-JP carries `c` as ASCII or JIS X 0208 (not JIS X 0201).
  bool Carried(char32_t c) {
    if (c < 0x80) return c >= 0x20 ? c != 0x7F : c == '\t';
    std::string out;
    if (Encode(std::u32string_view(&c, 1), &out) != 0) return false;
    return out.size() == 2 * kEscapeBytes + 2 && out.compare(0, kEscapeBytes, "\x1B$B") == 0;
  }

  // Appends the ISO-2022-JP form of `s`, starting and ending in ASCII mode. Returns 0, or the
  // errno iconv stopped with (EILSEQ: a character it does not carry), then appending nothing.
  int Encode(std::u32string_view s, std::string* out) {
    char* none = nullptr;
    size_t none_left = 0;
    iconv(cd_.get(), nullptr, nullptr, nullptr, nullptr);  // back to the initial state
    std::wstring w(s.begin(), s.end());
    char* in = reinterpret_cast<char*>(w.data());
    size_t in_left = w.size() * sizeof(wchar_t);
    std::string bytes;
    detail::OutBuffer buffer(&bytes);
    int err = detail::IconvAppend(cd_, &in, &in_left, w.size() * 8 + 8, &buffer);
    if (err == 0) err = detail::IconvAppend(cd_, &none, &none_left, kEscapeBytes, &buffer);
    if (err != 0) return err;
    buffer.Finish();
    out->append(bytes);
    return 0;
  }

 private:
  detail::Iconv cd_;
};

// True when every character of `s` is carried.
bool AllCarried(JisEncoder& jis, std::u32string_view s) {
  if (s.empty()) return false;
  for (char32_t c : s) {
    if (!jis.Carried(c)) return false;
  }
  return true;
}

// UTF-8 text as the characters ISO-2022-JP will carry, by rules M1..M6.
std::u32string Prepare(JisEncoder& jis, std::string_view utf8) {
  const std::u32string in = ToU32(Normalized(FromUtf8(utf8), false));
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
// updates the mode.
size_t JisWidth(char32_t c, bool* jis_mode) {
  const bool want_jis = c >= 0x80;
  size_t n = want_jis ? 2 : 1;
  if (want_jis != *jis_mode) n += kEscapeBytes;
  *jis_mode = want_jis;
  return n;
}

// Rule M7: splits prepared text into pieces whose ISO-2022-JP form (ending in
// ASCII) is at most `limit` bytes; at least one piece.
std::vector<std::u32string> Split(std::u32string_view s, size_t limit) {
  std::vector<std::u32string> out;
  std::u32string cur;
  size_t bytes = 0;
  bool mode = false;
  for (char32_t c : s) {
    bool m = mode;
    const size_t w = JisWidth(c, &m);
    const size_t closing = m ? kEscapeBytes : 0;
    if (!cur.empty() && bytes + w + closing > limit) {
      out.push_back(std::move(cur));
      cur.clear();
      m = false;
      bytes = JisWidth(c, &m);
      cur.push_back(c);
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

}  // namespace

Result<std::vector<std::string>> Utf8ToIso2022Jp(std::string_view utf8, size_t max_bytes) {
  JisEncoder jis;
  if (!jis.ok()) return detail::IconvStatus("iconv_open(ISO-2022-JP, WCHAR_T)", errno);
  std::vector<std::string> out;
  for (const std::u32string& piece : Split(Prepare(jis, utf8), max_bytes)) {
    std::string bytes;
    if (const int err = jis.Encode(piece, &bytes); err != 0) {
      return detail::IconvStatus("iconv(ISO-2022-JP, WCHAR_T)", err);
    }
    out.push_back(std::move(bytes));
  }
  return out;
}

}  // namespace shiori::charset
