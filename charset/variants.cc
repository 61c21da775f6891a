// Variant kanji folding: the table that charset/variants_table.cmake makes
// from charset/data/kanji-variants.txt, checked at compile time (sorted,
// idempotent), a bitmap of its BMP variants and a binary search.
#include "charset/variants.h"

#include <algorithm>
#include <cstdint>
#include <iterator>

#include "charset/charset.h"

namespace shiori::charset {
namespace {

constexpr KanjiVariant kTable[] = {
#include "kanji_variants.inc"
};

constexpr bool Sorted() {
  for (size_t i = 1; i < std::size(kTable); ++i) {
    if (!(kTable[i - 1].variant < kTable[i].variant)) return false;
  }
  return true;
}
constexpr bool IsVariant(char32_t c) {
  size_t lo = 0;
  size_t hi = std::size(kTable);
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if (kTable[mid].variant < c) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo < std::size(kTable) && kTable[lo].variant == c;
}
constexpr bool Idempotent() {
  for (const KanjiVariant& e : kTable) {
    if (IsVariant(e.canonical)) return false;
  }
  return true;
}
static_assert(std::size(kTable) > 0);
static_assert(Sorted(), "kanji_variants.inc: sorted by variant, each once");
static_assert(Idempotent(), "kanji_variants.inc: no canonical form is a variant");

constexpr char32_t kFirst = kTable[0].variant;
constexpr char32_t kLast = kTable[std::size(kTable) - 1].variant;

// One bit per BMP code point from U+3400 (CJK Extension A) on: set for the
// variants. Most kanji of a record are no variant and leave after one load.
constexpr char32_t kBitsFrom = 0x3400;
constexpr char32_t kBitsTo = 0x10000;
struct Bits {
  uint64_t words[(kBitsTo - kBitsFrom) / 64];
};
constexpr Bits MakeBits() {
  Bits b{};
  for (const KanjiVariant& e : kTable) {
    if (e.variant >= kBitsFrom && e.variant < kBitsTo) {
      const char32_t i = e.variant - kBitsFrom;
      b.words[i / 64] |= uint64_t{1} << (i % 64);
    }
  }
  return b;
}
constexpr Bits kBits = MakeBits();
static_assert(kFirst >= kBitsFrom, "a variant below U+3400: FoldKanjiVariant's range check");

}  // namespace

char32_t FoldKanjiVariant(char32_t c) {
  if (c < kFirst || c > kLast) return c;
  if (c < kBitsTo) {
    const char32_t i = c - kBitsFrom;
    if (((kBits.words[i / 64] >> (i % 64)) & 1) == 0) return c;
  }
  const KanjiVariant* end = std::end(kTable);
  const KanjiVariant* it = std::lower_bound(
      std::begin(kTable), end, c, [](const KanjiVariant& e, char32_t v) { return e.variant < v; });
  return it != end && it->variant == c ? it->canonical : c;
}

std::string FoldKanjiVariants(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const size_t start = i;
    const char32_t c = NextCodePoint(utf8, &i);
    const char32_t folded = FoldKanjiVariant(c);
    if (folded == c) {
      out.append(utf8.substr(start, i - start));  // also an ill-formed sequence, as it was
    } else {
      AppendUtf8(out, folded);
    }
  }
  return out;
}

KanjiVariantTable AllKanjiVariants() { return {std::begin(kTable), std::end(kTable)}; }

}  // namespace shiori::charset
