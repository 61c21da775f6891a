// libFuzzer target for the ISO-2022-JP encoder in charset/charset.h (rules M1..M7): any bytes,
// taken as UTF-8, never crash it, and every piece it gives is 7-bit, within its length, made
// only of the two escape sequences, ASCII and JIS X 0208 codes, ends in ASCII mode, and decodes
// with glibc's own ISO-2022-JP decoder to valid UTF-8.
#include <iconv.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "charset/charset.h"

namespace {

[[noreturn]] void Fail(const char* what, std::string_view piece) {
  std::fprintf(stderr, "fuzz_iso2022jp: %s in piece of %zu bytes:", what, piece.size());
  for (unsigned char ch : piece) std::fprintf(stderr, " %02X", ch);
  std::fprintf(stderr, "\n");
  std::abort();
}

// Walks `piece` as ISO-2022-JP and checks its shape: 7-bit bytes; ESC only in "ESC $ B" (to
// JIS X 0208) and "ESC ( B" (to ASCII); in ASCII mode printable ASCII or TAB; in JIS X 0208
// mode pairs of bytes 0x21..0x7E; ASCII mode at the end.
void CheckShape(std::string_view piece) {
  bool jis = false;
  for (size_t i = 0; i < piece.size();) {
    const auto b = static_cast<unsigned char>(piece[i]);
    if (b >= 0x80) Fail("a byte above 0x7F", piece);
    if (b == 0x1B) {
      const std::string_view esc = piece.substr(i, 3);
      if (esc == "\x1B$B") {
        jis = true;
      } else if (esc == "\x1B(B") {
        jis = false;
      } else {
        Fail("an escape sequence other than ESC $ B or ESC ( B", piece);
      }
      i += 3;
      continue;
    }
    if (jis) {
      if (i + 1 >= piece.size()) Fail("half a JIS X 0208 character", piece);
      const auto b2 = static_cast<unsigned char>(piece[i + 1]);
      if (b < 0x21 || b > 0x7E || b2 < 0x21 || b2 > 0x7E) Fail("a bad JIS X 0208 code", piece);
      i += 2;
      continue;
    }
    if ((b < 0x20 && b != '\t') || b == 0x7F) Fail("a control character", piece);
    ++i;
  }
  if (jis) Fail("JIS X 0208 mode at the end", piece);
}

// True when glibc decodes `piece` as ISO-2022-JP to UTF-8 completely; the UTF-8 in *out.
bool Decodes(std::string_view piece, std::string* out) {
  iconv_t cd = iconv_open("UTF-8", "ISO-2022-JP");
  if (cd == reinterpret_cast<iconv_t>(-1)) std::abort();
  out->assign(piece.size() * 3 + 16, '\0');
  char* in = const_cast<char*>(piece.data());
  size_t in_left = piece.size();
  char* o = out->data();
  size_t o_left = out->size();
  const bool ok = iconv(cd, &in, &in_left, &o, &o_left) != static_cast<size_t>(-1);
  iconv_close(cd);
  out->resize(out->size() - o_left);
  return ok && in_left == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;  // libFuzzer's default -max_len; a longer line only takes longer
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The limits mail uses (header words, body lines) and the smallest allowed.
  for (size_t limit : {size_t{8}, size_t{36}, size_t{76}}) {
    const shiori::Result<std::vector<std::string>> pieces =
        shiori::charset::Utf8ToIso2022Jp(text, limit);
    if (!pieces.ok()) Fail("Utf8ToIso2022Jp failed", pieces.status().message());
    if (pieces->empty()) Fail("no piece at all", "");
    for (const std::string& piece : *pieces) {
      if (piece.size() > limit) Fail("longer than the limit", piece);
      CheckShape(piece);
      std::string utf8;
      if (!Decodes(piece, &utf8)) Fail("glibc cannot decode it", piece);
      if (!shiori::charset::IsValidUtf8(utf8)) Fail("it decodes to invalid UTF-8", piece);
    }
  }
  return 0;
}
