// Control characters in text from outside: which ones there are (ICU's
// properties), the one-line form the imports store, and the escaped form a
// terminal is given.
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>

#include "charset/charset.h"

namespace shiori::charset {

Control ControlOf(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return Control::kBreak;
  const auto u = static_cast<UChar32>(c);
  if (u_charType(u) == U_CONTROL_CHAR) return Control::kControl;
  switch (u_charDirection(u)) {
    case U_LEFT_TO_RIGHT_EMBEDDING:
    case U_RIGHT_TO_LEFT_EMBEDDING:
    case U_LEFT_TO_RIGHT_OVERRIDE:
    case U_RIGHT_TO_LEFT_OVERRIDE:
    case U_POP_DIRECTIONAL_FORMAT:
    case U_LEFT_TO_RIGHT_ISOLATE:
    case U_RIGHT_TO_LEFT_ISOLATE:
    case U_FIRST_STRONG_ISOLATE:
    case U_POP_DIRECTIONAL_ISOLATE:
      return Control::kBidi;
    default:
      break;
  }
  if (u_hasBinaryProperty(u, UCHAR_NONCHARACTER_CODE_POINT)) return Control::kNoncharacter;
  return Control::kNone;
}

namespace {

// The kinds of the BMP characters MayStartControl lets through (U+0080..U+00BF,
// U+2000..U+2FFF, U+F000..U+FFFF), asked of ICU once: a page of Japanese has
// many of them (… ※ full-width letters), and three ICU lookups each tripled
// the time of escaping it.
struct BmpKinds {
  Control c2[0x40], e2[0x1000], ef[0x1000];
  BmpKinds() {
    for (char32_t i = 0; i < 0x40; ++i) c2[i] = ControlOf(0x80 + i);
    for (char32_t i = 0; i < 0x1000; ++i) {
      e2[i] = ControlOf(0x2000 + i);
      ef[i] = ControlOf(0xF000 + i);
    }
  }
};
const BmpKinds& Bmp() {
  static const BmpKinds kKinds;
  return kKinds;
}

bool IsTrail(unsigned char b) { return (b & 0xC0) == 0x80; }

}  // namespace

Control ControlAt(std::string_view s, size_t i, size_t* len) {
  const auto b = static_cast<unsigned char>(s[i]);
  if (!MayStartControl(b)) return Control::kNone;
  if (b < 0x80) {
    *len = 1;
    return ControlOf(b);
  }
  const size_t n = s.size() - i;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data()) + i;
  Control k;
  if (b == 0xC2) {  // no overlong or surrogate forms start with C2, E2 or EF
    if (n < 2 || !IsTrail(p[1])) return Control::kNone;
    k = Bmp().c2[p[1] & 0x3F];
    *len = 2;
  } else if (b == 0xE2 || b == 0xEF) {
    if (n < 3 || !IsTrail(p[1]) || !IsTrail(p[2])) return Control::kNone;
    const size_t at = ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    k = b == 0xE2 ? Bmp().e2[at] : Bmp().ef[at];
    *len = 3;
  } else {
    auto at = static_cast<int32_t>(i);
    UChar32 c;
    U8_NEXT(reinterpret_cast<const uint8_t*>(s.data()), at, static_cast<int32_t>(s.size()), c);
    if (c < 0) return Control::kNone;
    k = ControlOf(static_cast<char32_t>(c));
    *len = static_cast<size_t>(at) - i;
  }
  return k;
}

bool HasControl(std::string_view s) {
  for (size_t i = 0; i < s.size(); ++i) {
    size_t len = 0;
    if (MayStartControl(static_cast<unsigned char>(s[i])) &&
        ControlAt(s, i, &len) != Control::kNone) {
      return true;
    }
  }
  return false;
}

std::string WithoutControls(std::string_view utf8, ControlsFound* found) {
  ControlsFound local;
  ControlsFound& f = found ? *found : local;
  f = ControlsFound{};
  std::string out;
  out.reserve(utf8.size());
  size_t run = 0;            // start of the bytes not yet copied
  bool after_break = false;  // the character before was a TAB, LF or CR
  for (size_t i = 0; i < utf8.size();) {
    size_t len = 0;
    const Control k = ControlAt(utf8, i, &len);
    if (k == Control::kNone) {
      after_break = false;
      ++i;
      continue;
    }
    out.append(utf8.data() + run, i - run);
    if (k == Control::kBreak) {
      f.breaks = true;
      if (!after_break) out += ' ';
      after_break = true;
    } else {
      size_t next = i;
      const char32_t c = NextCodePoint(utf8, &next);
      if (std::find(f.removed.begin(), f.removed.end(), c) == f.removed.end()) {
        f.removed.push_back(c);
      }
    }
    i += len;
    run = i;
  }
  out.append(utf8.data() + run, utf8.size() - run);
  return out;
}

std::string CodePointName(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

std::string ForTerminal(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const auto n = static_cast<int32_t>(s.size());
  for (int32_t i = 0; i < n;) {
    const int32_t start = i;
    UChar32 c;
    U8_NEXT(p, i, n, c);
    if (c < 0) {  // each byte of an ill-formed sequence
      for (int32_t j = start; j < i; ++j) {
        out += "\\x";
        out += kHex[p[j] >> 4];
        out += kHex[p[j] & 0xF];
      }
      continue;
    }
    if (ControlOf(static_cast<char32_t>(c)) == Control::kNone) {
      out.append(s.data() + start, static_cast<size_t>(i - start));
      continue;
    }
    char buf[16];
    if (c < 0x80) {
      std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned>(c));
    } else if (c <= 0xFFFF) {
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(c));
    } else {
      std::snprintf(buf, sizeof buf, "\\U%08X", static_cast<unsigned>(c));
    }
    out += buf;
  }
  return out;
}

}  // namespace shiori::charset
