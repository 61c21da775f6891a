// charset: UTF-8 validation and counting, and UTF-8 <-> Windows-31J (CP932) with glibc iconv
// under the policy written at the top of charset.h.
#include "charset/charset.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "charset/iconv_internal.h"

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

char32_t NextCodePoint(std::string_view s, size_t* i) {
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  auto at = static_cast<int32_t>(*i);
  UChar32 c;
  U8_NEXT(p, at, static_cast<int32_t>(s.size()), c);
  *i = static_cast<size_t>(at);
  return c < 0 ? char32_t{0xFFFD} : static_cast<char32_t>(c);
}

std::u32string ToUtf32(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) out += NextCodePoint(s, &i);
  return out;
}

std::string ToUtf8(std::u32string_view s) {
  std::string out;
  out.reserve(s.size() * 3);
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kIdeographicSpace = "\xE3\x80\x80";
  while (true) {
    if (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
      s.remove_prefix(1);
    } else if (s.substr(0, 3) == kIdeographicSpace) {
      s.remove_prefix(3);
    } else if (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == kIdeographicSpace) {
      s.remove_suffix(3);
    } else {
      return s;
    }
  }
}

bool IsHiragana(char32_t c) { return c >= 0x3041 && c <= 0x309F; }

bool IsKatakana(char32_t c) {
  return (c >= 0x30A0 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF) ||
         (c >= 0xFF65 && c <= 0xFF9F);
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

namespace {

using detail::Iconv;
using detail::IconvAppend;
using detail::IconvStatus;
using detail::kUcs4;
using detail::OutBuffer;

constexpr const char* kCp932 = "CP932";  // glibc: the same module as WINDOWS-31J
constexpr UChar32 kGeta = 0x3013;        // 〓, the Japanese "character missing" mark
constexpr std::string_view kGetaUtf8 = "\xE3\x80\x93";
constexpr std::string_view kGetaSjis = "\x81\xAC";

std::string Hex(uint8_t b) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02X", b);
  return buf;
}

// Rule O1: JIS-variant code points -> the ones CP932 holds.
struct Remap {
  UChar32 from;
  UChar32 to;
};
constexpr Remap kToCp932Variant[] = {
    {0x301C, 0xFF5E},  // WAVE DASH -> FULLWIDTH TILDE
    {0x2212, 0xFF0D},  // MINUS SIGN -> FULLWIDTH HYPHEN-MINUS
    {0x2014, 0x2015},  // EM DASH -> HORIZONTAL BAR
    {0x2016, 0x2225},  // DOUBLE VERTICAL LINE -> PARALLEL TO
    {0x00A2, 0xFFE0},  // ¢ -> ￠
    {0x00A3, 0xFFE1},  // £ -> ￡
    {0x00AC, 0xFFE2},  // ¬ -> ￢
    {0x00A5, 0xFFE5},  // ¥ -> ￥ (glibc alone would give 0x5C, which reads back as '\')
    {0x203E, 0xFFE3},  // ‾ -> ￣ (glibc alone would give 0x7E, which reads back as '~')
};

UChar32 ToCp932Variant(UChar32 c) {
  for (const Remap& r : kToCp932Variant) {
    if (r.from == c) return r.to;
  }
  return c;
}

// Encoding reads UCS-4 (WCHAR_T), not UTF-8 (iconv_internal.h says why): from UTF-8 a page of
// emoji would take seconds.
constexpr size_t kSliceChars = 1024;

[[noreturn]] void EncoderBroken(std::string_view what, int err) {
  const Status s = IconvStatus(what, err);
  std::fprintf(stderr, "shiori: cannot encode Shift_JIS: %s\n", s.message().c_str());
  std::abort();
}

// Appends the CP932 form of `utf8` to *out under rules O1..O8; returns how many 〓 stand in
// for something that had no CP932 form (O6, O7).
size_t Encode(std::string_view utf8, std::string* out) {
  // Pass 1 (O1, O5, O7): the code points iconv is to convert.
  std::wstring prepared;
  prepared.reserve(utf8.size());
  size_t substituted = 0;
  const auto* p = reinterpret_cast<const uint8_t*>(utf8.data());
  const auto n = static_cast<int64_t>(utf8.size());  // not int32_t: no length limit here
  for (int64_t i = 0; i < n;) {
    UChar32 c;
    U8_NEXT(p, i, n, c);  // on invalid input: c < 0, i past the maximal ill-formed subpart
    if (c < 0) {
      prepared.push_back(static_cast<wchar_t>(kGeta));
      ++substituted;
      continue;
    }
    if (c >= 0x80) {
      c = ToCp932Variant(c);
      if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) continue;
    }
    prepared.push_back(static_cast<wchar_t>(c));
  }

  // Pass 2 (O2..O4, O6): iconv; a character it refuses becomes one 〓.
  Iconv cd(kCp932, kUcs4);
  if (!cd.ok()) EncoderBroken("iconv_open(CP932, WCHAR_T)", errno);
  OutBuffer buffer(out);
  char* in = reinterpret_cast<char*>(prepared.data());
  size_t in_left = prepared.size() * sizeof(wchar_t);
  while (in_left > 0) {
    // In slices, so that one call never sees a long input: ASan's iconv interceptor checks
    // all of *inbuf on every call, which made a text of many 〓 quadratic in sanitizer builds.
    const size_t slice = std::min(in_left, kSliceChars * sizeof(wchar_t));
    size_t slice_left = slice;
    const int err = IconvAppend(cd, &in, &slice_left, slice / 2 + 16, &buffer);  // <= 2 bytes each
    in_left -= slice - slice_left;
    if (err == 0) continue;
    // EINVAL cannot happen on whole wchar_t; anything else is a broken iconv
    if (err != EILSEQ) EncoderBroken("iconv(CP932, WCHAR_T)", err);
    buffer.Append(kGetaSjis);
    ++substituted;
    in += sizeof(wchar_t);
    in_left -= sizeof(wchar_t);
  }
  buffer.Finish();
  return substituted;
}

bool IsLead(uint8_t b) { return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC); }
bool IsTrail(uint8_t b) { return (b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFC); }
bool IsUserDefinedLead(uint8_t b) { return b >= 0xF0 && b <= 0xF9; }

// Decodes sjis[begin, end), whole characters already checked for shape (I1..I3), appending
// to *out. The only error left is a code CP932 leaves unassigned.
Status DecodeRun(const Iconv& cd, std::string_view sjis, size_t begin, size_t end, OutBuffer* out) {
  if (begin == end) return Status::Ok();
  char* in = const_cast<char*>(sjis.data()) + begin;  // iconv does not write through it
  size_t in_left = end - begin;
  const int err = IconvAppend(cd, &in, &in_left, in_left * 3 + 16, out);  // ｱ: 1 byte -> 3
  if (err == 0) return Status::Ok();
  const size_t at = static_cast<size_t>(in - sjis.data());
  const auto* b = reinterpret_cast<const uint8_t*>(sjis.data());
  if (err == EILSEQ && at + 1 < sjis.size()) {
    return Status::Invalid("unassigned Shift_JIS code " + Hex(b[at]) + " " + Hex(b[at + 1]) +
                           " at offset " + std::to_string(at));
  }
  return IconvStatus("iconv(UTF-8, CP932) at offset " + std::to_string(at), err);
}

}  // namespace

Status CheckSjisSupport() {
  Iconv encode(kCp932, kUcs4);
  if (!encode.ok()) return IconvStatus("iconv_open(CP932, WCHAR_T)", errno);
  Iconv decode("UTF-8", kCp932);
  if (!decode.ok()) return IconvStatus("iconv_open(UTF-8, CP932)", errno);
  return Status::Ok();
}

std::string Utf8ToSjis(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  Encode(utf8, &out);
  return out;
}

bool FitsSjis(std::string_view utf8) {
  std::string ignored;
  return Encode(utf8, &ignored) == 0;
}

Result<std::string> SjisToUtf8(std::string_view sjis) {
  Iconv cd("UTF-8", kCp932);
  if (!cd.ok()) return IconvStatus("iconv_open(UTF-8, CP932)", errno);
  const auto* b = reinterpret_cast<const uint8_t*>(sjis.data());
  const size_t n = sjis.size();
  std::string result;
  OutBuffer out(&result);
  // Characters are checked for shape here and handed to iconv in runs, cut at each
  // user-defined-area character (I4). An error flushes the run before it first, so an
  // unassigned code earlier in the run is reported first.
  size_t run = 0;
  size_t i = 0;
  while (i < n) {
    const uint8_t lead = b[i];
    if (lead < 0x80 || (lead >= 0xA1 && lead <= 0xDF)) {
      ++i;
      continue;
    }
    if (!IsLead(lead)) {
      SHIORI_RETURN_IF_ERROR(DecodeRun(cd, sjis, run, i, &out));
      return Status::Invalid("invalid Shift_JIS byte " + Hex(lead) + " at offset " +
                             std::to_string(i));
    }
    if (i + 1 == n) {
      SHIORI_RETURN_IF_ERROR(DecodeRun(cd, sjis, run, i, &out));
      return Status::Invalid("truncated Shift_JIS character: lead byte " + Hex(lead) +
                             " at offset " + std::to_string(i) + " ends the input");
    }
    const uint8_t trail = b[i + 1];
    if (!IsTrail(trail)) {
      SHIORI_RETURN_IF_ERROR(DecodeRun(cd, sjis, run, i, &out));
      return Status::Invalid("invalid Shift_JIS trail byte " + Hex(trail) + " after lead byte " +
                             Hex(lead) + " at offset " + std::to_string(i));
    }
    if (IsUserDefinedLead(lead)) {
      SHIORI_RETURN_IF_ERROR(DecodeRun(cd, sjis, run, i, &out));
      out.Append(kGetaUtf8);
      run = i + 2;
    }
    i += 2;
  }
  SHIORI_RETURN_IF_ERROR(DecodeRun(cd, sjis, run, n, &out));
  out.Finish();
  return result;
}

}  // namespace shiori::charset
