// Variant kanji (異体字) folded for search: 鷗 -> 鴎, 澤 -> 沢, 邊 and 邉 -> 辺,
// 髙 -> 高, 﨑 -> 崎, so that 森鴎外 finds 森鷗外 and 渡辺 finds 渡邊.
//
// The table (charset/data/kanji-variants.txt, built into the library) maps
// each variant to the canonical form of its class: the form JIS X 0208 holds
// whenever one of the class does, so a Shift_JIS phone can type it. It comes
// from the cjkvi-variants tables (old forms of the joyo and jinmei kanji,
// 表外漢字字体表, the 戸籍統一文字 variants...) less the pairs of different
// characters; docs/kanji-variants.md gives the policy and how to regenerate
// it. Distinct characters never meet: 崎/埼, 坂/阪, 斎/斉, 己/已/巳 stay apart.
//
// For search only, on both sides, the index and the query: what pages show
// keeps the record's own characters.
//
// The fold is idempotent (a canonical form is never a variant) and expects
// text after NFKC: the CJK compatibility ideographs NFKC maps (U+F900.. that
// decompose) are not in the table, the twelve NFKC keeps (U+FA0E, U+FA0F,
// U+FA11 﨑, ...) are where the source relates them.
//
// Thread-safety: a constant table; every function may be called from any thread.
#ifndef SHIORI_CHARSET_VARIANTS_H_
#define SHIORI_CHARSET_VARIANTS_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace shiori::charset {

// The canonical form of kanji `c`, or `c` itself when it is no variant (every
// character that is not a kanji). A range check lets ASCII and kana through,
// one bit of a constant bitmap the other BMP characters that are no variant,
// a binary search finds the rest: about 2 ns a character of a record's text
// (docs/kanji-variants.md).
char32_t FoldKanjiVariant(char32_t c);

// Every character of UTF-8 `utf8` through FoldKanjiVariant; all else, invalid
// UTF-8 bytes included, is copied as it is.
std::string FoldKanjiVariants(std::string_view utf8);

// One pair of the table.
struct KanjiVariant {
  char32_t variant;
  char32_t canonical;
};
// The whole table, sorted by variant: for tests and tools.
struct KanjiVariantTable {
  const KanjiVariant* begin;
  const KanjiVariant* end;
  size_t size() const { return static_cast<size_t>(end - begin); }
};
KanjiVariantTable AllKanjiVariants();

}  // namespace shiori::charset

#endif  // SHIORI_CHARSET_VARIANTS_H_
