// libFuzzer target for the Shift_JIS converters in charset/charset.h: decoding arbitrary bytes
// never crashes, and whatever decodes re-encodes to the same text; encoding arbitrary bytes as
// UTF-8 never crashes and always gives CP932 that decodes.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "charset/charset.h"

namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_cp932: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace shiori::charset;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  // The bytes as Shift_JIS (rules I1..I5).
  const shiori::Result<std::string> decoded = SjisToUtf8(bytes);
  if (decoded.ok()) {
    if (!IsValidUtf8(*decoded)) Fail("SjisToUtf8 gave invalid UTF-8");
    if (!FitsSjis(*decoded)) Fail("SjisToUtf8 gave a character with no CP932 form");
    const shiori::Result<std::string> again = SjisToUtf8(Utf8ToSjis(*decoded));
    if (!again.ok()) Fail("re-encoded text does not decode");
    if (*again != *decoded) Fail("decode(encode(decode(x))) != decode(x)");
  } else if (decoded.status().code() != shiori::Status::Code::kInvalid) {
    Fail("SjisToUtf8 failed with something other than Invalid");
  }

  // The bytes as (possibly invalid) UTF-8 (rules O1..O8).
  const std::string encoded = Utf8ToSjis(bytes);
  const shiori::Result<std::string> round = SjisToUtf8(encoded);
  if (!round.ok()) Fail("Utf8ToSjis output does not decode");
  if (FitsSjis(bytes) && !IsValidUtf8(bytes)) Fail("FitsSjis accepted invalid UTF-8");
  return 0;
}
