// charset: the one place where bytes in other encodings become UTF-8 and back.
//
// Policy (everything inside shiori is UTF-8; conversion happens at the edges):
// - Internal strings are valid UTF-8. Functions taking UTF-8 say what they do
//   with invalid input; none of them crash on it.
// - Thread-safety: every function here may be called from any thread.
#ifndef SHIORI_CHARSET_CHARSET_H_
#define SHIORI_CHARSET_CHARSET_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace shiori::charset {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in valid UTF-8 `s` (invalid bytes count one each).
size_t CodePointCount(std::string_view s);

}  // namespace shiori::charset

#endif  // SHIORI_CHARSET_CHARSET_H_
