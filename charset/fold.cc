// Search folding with ICU (NFKC_Casefold, kana folding, character classes) and
// the ICU Japanese collator.
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <string>
#include <utility>
#include <vector>

#include "charset/charset.h"
#include "charset/icu_internal.h"
#include "charset/variants.h"

namespace shiori::charset {

void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

namespace {

// CJK unified ideographs (the extensions and the compatibility block too).
bool IsKanji(char32_t c) {
  return (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x4E00 && c <= 0x9FFF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x20000 && c <= 0x3FFFF);
}

}  // namespace

std::u32string FoldForSearch(std::string_view utf8) {
  // UTF-16 with the JIS variants mapped to their CP932 twins first (both are BMP).
  std::vector<UChar> in = detail::ToUtf16(utf8);
  for (UChar& u : in) {
    if (u == 0x301C) u = 0xFF5E;
    if (u == 0x2212) u = '-';
  }
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2* nfkc = unorm2_getNFKCCasefoldInstance(&err);
  // ICU data missing: fold nothing rather than fail.
  const std::vector<UChar> out = detail::Normalize(nfkc, err, std::move(in));
  const auto len = static_cast<int32_t>(out.size());
  std::u32string result;
  result.reserve(static_cast<size_t>(len));
  for (int32_t i = 0; i < len;) {
    UChar32 c;
    U16_NEXT(out.data(), i, len, c);
    if ((c >= 0x30A1 && c <= 0x30F6) || c == 0x30FD || c == 0x30FE) c -= 0x60;
    result += FoldKanjiVariant(static_cast<char32_t>(c));
  }
  // Iteration marks written out (學問のすゝめ, 金子みすゞ, 佐々木 / 佐佐木),
  // and the ケ of place names as it is read (霞ヶ関, 霞ケ関, 霞が関; 一ヵ月,
  // 一か月): a small or large ケ, か or が between two kanji is ゖ.
  static constexpr std::u32string_view kVoiceable = U"かきくけこさしすせそたちつてとはひふへほ";
  for (size_t i = 1; i < result.size(); ++i) {
    const char32_t prev = result[i - 1];
    char32_t& c = result[i];
    if (c == U'ゝ' && prev >= U'ぁ' && prev <= U'ゖ') {
      c = prev;
    } else if (c == U'ゞ' && kVoiceable.find(prev) != std::u32string_view::npos) {
      c = prev + 1;
    } else if (c == U'々' && IsKanji(prev)) {
      c = prev;
    } else if ((c == U'ゖ' || c == U'ゕ' || c == U'け' || c == U'か' || c == U'が') &&
               IsKanji(prev) && i + 1 < result.size() && IsKanji(result[i + 1])) {
      c = U'ゖ';
    }
  }
  return result;
}

void FoldReading(std::u32string& f) {
  size_t out = 0;
  for (size_t i = 0; i < f.size(); ++i) {
    char32_t c = f[i];
    if (c == U'ー') continue;
    if (c == U'ゔ' || (c >= U'ヷ' && c <= U'ヺ')) {
      // ゔぁ ゔぃ ゔぇ ゔぉ -> ば び べ ぼ; ゔ alone -> ぶ; ヷ ヸ ヹ ヺ -> ば び べ ぼ.
      static constexpr char32_t kVa[] = {U'ば', U'び', U'べ', U'ぼ'};
      if (c != U'ゔ') {
        f[out++] = kVa[c - U'ヷ'];
        continue;
      }
      const char32_t next = i + 1 < f.size() ? f[i + 1] : 0;
      const char32_t* small = std::char_traits<char32_t>::find(U"ぁぃぇぉ", 4, next);
      if (small) {
        f[out++] = kVa[small - U"ぁぃぇぉ"];
        ++i;
      } else {
        f[out++] = U'ぶ';
      }
      continue;
    }
    switch (c) {
      case U'ぁ':
      case U'ぃ':
      case U'ぅ':
      case U'ぇ':
      case U'ぉ':
      case U'っ':
      case U'ゃ':
      case U'ゅ':
      case U'ょ':
        c += 1;  // the large kana follows its small one
        break;
      case U'ゎ':
      case U'は':
        c = U'わ';
        break;
      case U'ゕ':
        c = U'か';
        break;
      case U'ゖ':
        c = U'け';
        break;
      case U'ぢ':
        c = U'じ';
        break;
      case U'づ':
        c = U'ず';
        break;
      case U'ゐ':
        c = U'い';
        break;
      case U'ゑ':
      case U'へ':
        c = U'え';
        break;
      case U'を':
        c = U'お';
        break;
      default:
        break;
    }
    f[out++] = c;
  }
  f.resize(out);
}

bool IsKana(char32_t c) {
  return (c >= 0x3041 && c <= 0x309F) ||  // hiragana
         (c >= 0x30A1 && c <= 0x30FA) ||  // katakana left after folding (ヷ..ヺ)
         c == 0x30FC ||                   // ー
         (c >= 0x31F0 && c <= 0x31FF);    // small katakana extension
}

CharClass Classify(char32_t c) {
  if (IsKana(c) || c == 0x3005 || c == 0x3006 ||  // 々 〆
      IsKanji(c)) {
    return CharClass::kCjk;
  }
  if (u_isalnum(static_cast<UChar32>(c))) return CharClass::kWord;
  return CharClass::kSeparator;
}

}  // namespace shiori::charset

#include <unicode/ucol.h>

namespace shiori::charset {
namespace {

class IcuCollator : public Collator {
 public:
  IcuCollator() {
    UErrorCode err = U_ZERO_ERROR;
    coll_ = ucol_open("ja", &err);
    if (U_FAILURE(err)) coll_ = nullptr;
  }
  ~IcuCollator() override { ucol_close(coll_); }
  std::string Key(std::string_view s) const override {
    if (!coll_) return std::string(s);  // no ICU data: code point order
    const std::vector<UChar> u = detail::ToUtf16(s);
    std::string key(u.size() * 4 + 16, '\0');
    int32_t len =
        ucol_getSortKey(coll_, u.data(), static_cast<int32_t>(u.size()),
                        reinterpret_cast<uint8_t*>(key.data()), static_cast<int32_t>(key.size()));
    if (len > static_cast<int32_t>(key.size())) {
      key.resize(static_cast<size_t>(len));
      len = ucol_getSortKey(coll_, u.data(), static_cast<int32_t>(u.size()),
                            reinterpret_cast<uint8_t*>(key.data()), len);
    }
    key.resize(len > 0 ? static_cast<size_t>(len - 1) : 0);  // without the trailing NUL
    return key;
  }

 private:
  UCollator* coll_;
};

}  // namespace

const Collator& JapaneseCollator() {
  // Immutable once built; ucol_getSortKey on one collator is thread-safe.
  static const IcuCollator kCollator;
  return kCollator;
}

}  // namespace shiori::charset
