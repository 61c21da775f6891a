// libFuzzer target for the query/form decoder: percent-decoding, pair
// splitting and charset decoding must never crash, and what they accept is
// valid UTF-8.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "charset/charset.h"
#include "gateway/http.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  using shiori::gateway::Pairs;
  for (bool sjis : {false, true}) {
    Pairs p = shiori::gateway::ParseQuery(in);
    if (shiori::gateway::DecodePairs(p, sjis).ok()) {
      for (const auto& [k, v] : p) {
        if (!shiori::charset::IsValidUtf8(k) || !shiori::charset::IsValidUtf8(v)) std::abort();
      }
    }
  }
  const std::string keys = shiori::gateway::QueryKeysOnly(in);
  for (char c : keys) {
    if (c == '\n' || c == '\r') std::abort();  // an access-log line stays one line
  }
  std::string enc = shiori::gateway::PercentEncode(in);
  if (shiori::gateway::PercentDecode(enc) != in) std::abort();
  return 0;
}
