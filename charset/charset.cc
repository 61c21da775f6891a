// charset: UTF-8 validation and counting (conversion to Shift_JIS arrives with the device gateway).
#include "charset/charset.h"

#include <unicode/utf8.h>

namespace shiori::charset {

bool IsValidUtf8(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) return false;
  }
  return true;
}

size_t CodePointCount(std::string_view s) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  int32_t i = 0;
  const auto n = static_cast<int32_t>(s.size());
  size_t count = 0;
  while (i < n) {
    UChar32 c;
    U8_NEXT(p, i, n, c);
    ++count;
  }
  return count;
}

}  // namespace shiori::charset
