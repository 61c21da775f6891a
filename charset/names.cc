// Normalisation of what patrons type when they prove who they are: names in
// kana, phone numbers, passwords typed in full-width; and NFKC, for the
// readings a catalogue import stores.
#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <vector>

#include "charset/charset.h"
#include "charset/icu_internal.h"

namespace shiori::charset {
namespace {

using detail::Normalize;
using detail::ToUtf16;

// '-' and the dashes among them (U+FF0D is '-' after NFKC; ー U+30FC is not one).
bool IsHyphen(UChar32 c) { return c == 0x002D || c == 0x2212 || (c >= 0x2010 && c <= 0x2015); }

// Characters a name is written with but that are not part of it.
bool IsNameSeparator(UChar32 c) {
  switch (c) {
    case 0x0020:  // space (U+3000 is a space after NFKC)
    case 0x0009:
    case 0x3000:
    case 0x00B7:  // · middle dot
    case 0x30FB:  // ・ (U+FF65 ･ after NFKC)
    case 0xFF65:
    case 0x002D:  // '-' (U+FF0D after NFKC)
    case 0x2212:  // − minus sign
    case 0xFF0D:
      return true;
    default:
      return c >= 0x2010 && c <= 0x2015;  // hyphens and dashes; ー U+30FC is not one
  }
}

// Small kana -> the large ones the card records may hold (the guide: try
// ヤユヨ for ャュョ), katakana only (hiragana is already katakana here).
UChar32 LargeKana(UChar32 c) {
  switch (c) {
    case 0x30A1:
      return 0x30A2;  // ァ ア
    case 0x30A3:
      return 0x30A4;  // ィ イ
    case 0x30A5:
      return 0x30A6;  // ゥ ウ
    case 0x30A7:
      return 0x30A8;  // ェ エ
    case 0x30A9:
      return 0x30AA;  // ォ オ
    case 0x30C3:
      return 0x30C4;  // ッ ツ
    case 0x30E3:
      return 0x30E4;  // ャ ヤ
    case 0x30E5:
      return 0x30E6;  // ュ ユ
    case 0x30E7:
      return 0x30E8;  // ョ ヨ
    case 0x30EE:
      return 0x30EF;  // ヮ ワ
    case 0x30F5:
      return 0x30AB;  // ヵ カ
    case 0x30F6:
      return 0x30B1;  // ヶ ケ
    default:
      break;
  }
  // Small katakana extension (Ainu): ㇰ ㇱ ㇲ ㇳ ㇴ ㇵ ㇶ ㇷ ㇸ ㇹ ㇺ ㇻ ㇼ ㇽ ㇾ ㇿ.
  static constexpr char16_t kExt[16] = {u'ク', u'シ', u'ス', u'ト', u'ヌ', u'ハ', u'ヒ', u'フ',
                                        u'ヘ', u'ホ', u'ム', u'ラ', u'リ', u'ル', u'レ', u'ロ'};
  if (c >= 0x31F0 && c <= 0x31FF) return kExt[c - 0x31F0];
  return c;
}

void AppendUtf16(std::vector<UChar>& out, UChar32 c) {
  if (U_IS_BMP(c)) {
    out.push_back(static_cast<UChar>(c));
  } else {
    out.push_back(U16_LEAD(c));
    out.push_back(U16_TRAIL(c));
  }
}

std::string NormalizeName(std::string_view utf8, bool hyphen_after_kana_is_choonpu) {
  UErrorCode kerr = U_ZERO_ERROR;
  const UNormalizer2* nfkc = unorm2_getNFKCInstance(&kerr);
  std::vector<UChar> u = Normalize(nfkc, kerr, ToUtf16(utf8));
  std::vector<UChar> mapped;
  mapped.reserve(u.size());
  const auto n = static_cast<int32_t>(u.size());
  UChar32 previous = 0;  // the character before, as mapped (separators as they are)
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(u.data(), i, n, c);
    if (IsNameSeparator(c)) {
      // ユ-コ typed for ユーコ on a keypad without ー: with the flag, a hyphen
      // right after a kana (not after a space) reads as the prolonged mark.
      const bool after_kana = previous >= 0x30A1 && previous <= 0x30FC && previous != 0x30FB;
      if (hyphen_after_kana_is_choonpu && IsHyphen(c) && after_kana) mapped.push_back(0x30FC);
      previous = c;
      continue;
    }
    // Hiragana ぁ..ゖ and ゝゞ -> katakana (ゔ -> ヴ).
    if ((c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E) c += 0x60;
    previous = LargeKana(c);
    AppendUtf16(mapped, previous);
  }
  // Compose again: removing a space can bring a voicing mark next to its kana
  // (カ゛ is カ, space, U+3099 after NFKC).
  UErrorCode cerr = U_ZERO_ERROR;
  const UNormalizer2* nfc = unorm2_getNFCInstance(&cerr);
  mapped = Normalize(nfc, cerr, std::move(mapped));
  std::string out;
  out.reserve(mapped.size() * 3);
  const auto m = static_cast<int32_t>(mapped.size());
  for (int32_t i = 0; i < m;) {
    UChar32 c;
    U16_NEXT(mapped.data(), i, m, c);
    AppendUtf8(out, static_cast<char32_t>(c));
  }
  return out;
}

}  // namespace

std::string NormalizeNameKana(std::string_view utf8) { return NormalizeName(utf8, false); }

bool SameNameKana(std::string_view typed, std::string_view recorded) {
  const std::string want = NormalizeNameKana(recorded);
  if (want.empty()) return false;
  return NormalizeName(typed, false) == want || NormalizeName(typed, true) == want;
}

std::string NormalizeDigits(std::string_view utf8) {
  std::string out;
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0xFF10 && c <= 0xFF19) c = c - 0xFF10 + '0';
    if (c >= '0' && c <= '9') out += static_cast<char>(c);
  }
  return out;
}

std::string HalfWidthAscii(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c >= 0xFF01 && c <= 0xFF5E) {
      out += static_cast<char>(c - 0xFF01 + 0x21);
    } else {
      out.append(utf8.data() + start, static_cast<size_t>(i - start));  // as is, even invalid
    }
  }
  return out;
}

}  // namespace shiori::charset

namespace shiori::charset {

std::string NormalizePassword(std::string_view utf8) { return HalfWidthAscii(utf8); }

std::string Nfkc(std::string_view utf8) {
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfkc = unorm2_getNFKCInstance(&err);
  const std::vector<UChar> u = detail::Normalize(nfkc, err, detail::ToUtf16(utf8));
  std::string out;
  out.reserve(u.size() * 3);
  const auto n = static_cast<int32_t>(u.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(u.data(), i, n, c);
    AppendUtf8(out, static_cast<char32_t>(c));
  }
  return out;
}

}  // namespace shiori::charset
