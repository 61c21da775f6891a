// Internal to charset/: the UTF-8 to UTF-16 step every ICU call here needs,
// and ICU normalisation with its retry for a larger buffer.
#ifndef SHIORI_CHARSET_ICU_INTERNAL_H_
#define SHIORI_CHARSET_ICU_INTERNAL_H_

#include <unicode/unorm2.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <string_view>
#include <vector>

namespace shiori::charset::detail {

// UTF-8 -> UTF-16, dropping invalid bytes.
inline std::vector<UChar> ToUtf16(std::string_view utf8) {
  std::vector<UChar> u;
  u.reserve(utf8.size());
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int32_t>(utf8.size());
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) continue;
    if (U_IS_BMP(c)) {
      u.push_back(static_cast<UChar>(c));
    } else {
      u.push_back(U16_LEAD(c));
      u.push_back(U16_TRAIL(c));
    }
  }
  return u;
}

// Normalises `in` with `norm` (an ICU normaliser and the error its getter
// gave); `in` unchanged when ICU fails (its data missing).
inline std::vector<UChar> Normalize(const UNormalizer2* norm, UErrorCode err,
                                    std::vector<UChar> in) {
  if (U_FAILURE(err) || in.empty()) return in;
  std::vector<UChar> out(in.size() * 3 + 16);
  int32_t len = unorm2_normalize(norm, in.data(), static_cast<int32_t>(in.size()), out.data(),
                                 static_cast<int32_t>(out.size()), &err);
  if (err == U_BUFFER_OVERFLOW_ERROR) {
    out.resize(static_cast<size_t>(len));
    err = U_ZERO_ERROR;
    len = unorm2_normalize(norm, in.data(), static_cast<int32_t>(in.size()), out.data(),
                           static_cast<int32_t>(out.size()), &err);
  }
  if (U_FAILURE(err)) return in;
  out.resize(static_cast<size_t>(len));
  return out;
}

}  // namespace shiori::charset::detail

#endif  // SHIORI_CHARSET_ICU_INTERNAL_H_
