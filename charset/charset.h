// charset: the one place where bytes in other encodings become UTF-8 and back
// (Shift_JIS for feature phones, ISO-2022-JP for mail to them).
//
// Policy (everything inside shiori is UTF-8; conversion happens at the edges):
// - Internal strings are valid UTF-8. Functions taking UTF-8 say what they do
//   with invalid input; none of them crash on it.
// - Thread-safety: every function here may be called from any thread.
//
// Shift_JIS policy. "Shift_JIS" on the wire means Windows-31J (CP932), which is
// what docomo and au phones send and expect; it is converted with glibc iconv
// ("CP932", same module as "WINDOWS-31J"; glibc's "IBM943" is a different table
// and is not used). The tables are glibc's charmap WINDOWS-31J plus the rules
// below; cp932_test.cc checks every line of that charmap and every rule here.
//
// Output, UTF-8 -> CP932 (Utf8ToSjis; never fails):
//  O1. JIS-variant code points are mapped first to the ones CP932 holds, so a
//      Windows-31J phone shows what was meant:
//        U+301C WAVE DASH   -> U+FF5E ～ 0x81 0x60
//        U+2212 MINUS SIGN  -> U+FF0D － 0x81 0x7C
//        U+2014 EM DASH     -> U+2015 ― 0x81 0x5C
//        U+2016 DOUBLE VERTICAL LINE -> U+2225 ∥ 0x81 0x61
//        U+00A2 ¢ -> U+FFE0 ￠ 0x81 0x91    U+00A3 £ -> U+FFE1 ￡ 0x81 0x92
//        U+00AC ¬ -> U+FFE2 ￢ 0x81 0xCA
//        U+00A5 ¥ -> U+FFE5 ￥ 0x81 0x8F    U+203E ‾ -> U+FFE3 ￣ 0x81 0x50
//      (glibc would send ¥ and ‾ as 0x5C and 0x7E, which read back as "\" and
//      "~"; the full-width forms read back as themselves.)
//  O2. U+005C stays 0x5C and U+007E stays 0x7E (backslash and tilde).
//  O3. Private use U+E000..U+E757 maps linearly to the user-defined area
//      0xF0 0x40..0xF9 0xFC (188 codes per lead byte, trail 0x7F skipped), so
//      docomo emoji written with docomo's code points reach docomo phones:
//      U+E63E -> 0xF8 0x9F, U+E6E2 (number key 1) -> 0xF9 0x87. One way only:
//      by I4 these bytes decode to 〓.
//  O4. A character that has two CP932 forms (NEC/IBM duplicates) gets the form
//      Windows uses: JIS row 2 over NEC row 13 (∵ ≒ ≡ ∫ √ ⊥ ∠ ∩ ∪ -> 0x81xx),
//      NEC row 13 over IBM (Ⅰ..Ⅹ -> 0x8754.., ㈱ № ℡ -> 0x878A 0x8782 0x8784),
//      IBM 0xFA40..0xFC4B over NEC-selected IBM 0xED40..0xEEFC, ￢ -> 0x81CA.
//      ∮ ∑ ∟ ⊿ exist only in NEC row 13 and stay there.
//  O5. Default-ignorable code points (Unicode Default_Ignorable_Code_Point:
//      ZWJ, ZWNJ, variation selectors incl. ideographic ones, tag characters,
//      soft hyphen, BOM, bidi controls...) produce no bytes: none has a CP932
//      form, and Unicode says a renderer that cannot show one shows nothing, so
//      葛 + U+E0100 gives 葛 and ❤ + U+FE0F gives one 〓, not two. This is
//      the only case where input produces no output.
//  O6. Any other character without a CP932 form (emoji U+1F600, 𠮷 U+20BB7,
//      Hangul, é U+00E9, private use above U+E757) becomes 〓 U+3013 = 0x81 0xAC,
//      one per character.
//  O7. Invalid UTF-8 becomes 〓 too: one per maximal ill-formed subsequence
//      (the Unicode / WHATWG rule), so a truncated 3-byte character is one 〓.
//  O8. The output is always well-formed CP932: never a partial double-byte
//      character, and SjisToUtf8 accepts it.
//
// Input, CP932 -> UTF-8 (SjisToUtf8; strict):
//  I1. 0x00..0x7F are ASCII as is (0x5C -> U+005C, 0x7E -> U+007E).
//  I2. 0xA1..0xDF are half-width katakana U+FF61..U+FF9F.
//  I3. Double-byte: lead 0x81..0x9F or 0xE0..0xFC, trail 0x40..0x7E or
//      0x80..0xFC, decoded by CP932, including NEC specials 0x8740..0x879C,
//      NEC-selected IBM 0xED40..0xEEFC and IBM 0xFA40..0xFC4B. 0x8160 -> U+FF5E.
//      Every duplicate decodes to the one code point its preferred form has.
//  I4. The user-defined area 0xF040..0xF9FC (carrier emoji; the same bytes
//      mean different emoji per carrier) decodes to 〓 U+3013: we never store
//      private-use characters.
//  I5. Anything else refuses the whole input with Status::Invalid; the message
//      names the byte(s) and the 0-based offset of the first byte of the bad
//      character, and reports the first error in the input:
//        a lone 0x80, 0xA0, 0xFD, 0xFE or 0xFF
//            "invalid Shift_JIS byte 0x80 at offset 3"
//        a lead byte ending the input
//            "truncated Shift_JIS character: lead byte 0x81 at offset 3 ends the input"
//        a lead byte followed by a byte outside the trail ranges (0x81 0x20,
//        0x81 0x7F, 0x81 0xFD); nothing is skipped or swallowed, the input is
//        refused
//            "invalid Shift_JIS trail byte 0x20 after lead byte 0x81 at offset 3"
//        a well-formed code CP932 leaves unassigned (0x85 0x40, 0x81 0xAD)
//            "unassigned Shift_JIS code 0x85 0x40 at offset 3"
//
// ISO-2022-JP policy, for mail to Japanese carrier addresses (mail/ decides who
// gets it): RFC 1468 as glibc iconv "ISO-2022-JP" writes it, ASCII and JIS X
// 0208 only: never JIS X 0201 Roman (ESC ( J), and RFC 1468 has no half-width
// katakana. Utf8ToIso2022Jp takes one line of UTF-8; after NFC, each
// character goes through the first rule that applies:
//  M1. Controls are dropped: C0 other than TAB, DEL and C1. An ESC from the
//      input would switch the phone's decoder; CR and LF go too (mail/ splits a
//      body into lines first and ends each with CRLF).
//  M2. Default-ignorable code points (ZWJ, variation selectors, BOM, ...)
//      produce nothing, as in rule O5.
//  M3. Known variants are mapped to the form JIS X 0208 holds (the other way
//      from O1): ～ U+FF5E -> 〜 U+301C, － U+FF0D -> − U+2212, ∥ -> ‖,
//      — U+2014 -> ― U+2015, ￠￡￢ -> ¢£¬, ¥ -> ￥ and ‾ -> ￣ (never ESC ( J),
//      and kanji outside JIS X 0208 that names are written with: 髙 -> 高,
//      﨑 -> 崎, 德 -> 徳, 濵 -> 濱, 栁 -> 柳, 塚 U+FA10 -> 塚, 𠮷 -> 吉.
//  M4. A character ISO-2022-JP carries stays: printable ASCII, TAB, and JIS X
//      0208 (so … and full-width Ａ stay as they are, not NFKC'ed).
//  M5. NFKC, when every character it gives is carried: the NEC special
//      characters ① -> 1, ㈱ -> (株), Ⅲ -> III, № -> No, ㍉ -> ミリ; half-width
//      katakana, with a following (semi-)voiced mark as one: ｶﾞ -> ガ.
//  M6. Anything else, and each maximal ill-formed UTF-8 subsequence, is one
//      〓 U+3013 (emoji, 𠀋, Hangul, é, ∮ ∟ ⊿).
//  M7. The result comes in pieces of at most max_bytes bytes, escape sequences
//      (3 bytes: ESC $ B, ESC ( B) included, cut between characters. Each
//      piece starts and ends in ASCII mode, so it decodes on its own; it holds
//      only 7-bit bytes, and no control byte but TAB and the ESC of those two
//      sequences. Text that gives no character is one empty piece. (mail/ cuts
//      body lines at 76 bytes and header encoded words at 36.)
//
// Implementation: one iconv_t per call (iconv_open + iconv_close measured at
// about 0.2 µs with glibc 2.36, less than converting a short title), so nothing
// is shared between threads and nothing is cached. Encoding feeds iconv UCS-4
// (WCHAR_T), not UTF-8, so each 〓 costs one restart, not a re-conversion.
// Whether ISO-2022-JP carries a character is asked of iconv, one character at a
// time from the initial state.
#ifndef SHIORI_CHARSET_CHARSET_H_
#define SHIORI_CHARSET_CHARSET_H_

#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace shiori::charset {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Number of code points in UTF-8 `s`. Each maximal ill-formed subsequence
// counts one, as it would show as one U+FFFD (or one 〓 on a phone).
size_t CodePointCount(std::string_view s);

// OK when glibc's CP932 converter can be opened (the gconv module is installed).
// Call once at start-up: Utf8ToSjis aborts the process without it, since it
// cannot report an error.
Status CheckSjisSupport();

// UTF-8 -> Windows-31J bytes (what feature phones get, labelled Shift_JIS), by
// rules O1..O8 above. Never fails on any input: characters without a CP932 form
// and invalid UTF-8 become 〓 (0x81 0xAC).
// REQUIRES: CheckSjisSupport().ok() (aborts otherwise).
std::string Utf8ToSjis(std::string_view utf8);

// Windows-31J bytes -> UTF-8, strict, by rules I1..I5 above. On success the
// result is valid UTF-8 holding no private-use character. Any byte sequence
// that is not valid CP932 gives Status::Invalid with the 0-based byte offset in
// the message, and no partial result. Status::Io if iconv cannot be opened.
Result<std::string> SjisToUtf8(std::string_view sjis);

// True when every character of `utf8` has a CP932 form under rules O1..O5, so
// Utf8ToSjis would put no 〓 in place of anything (a 〓 already in `utf8` is
// fine). False for invalid UTF-8. Used to tell a user a character will show
// as 〓 on a feature phone.
bool FitsSjis(std::string_view utf8);

// ---------------------------------------------------------------- ISO-2022-JP

// One line of UTF-8 -> ISO-2022-JP by rules M1..M7: pieces of at most
// `max_bytes` bytes, at least one. Any text is encoded: what ISO-2022-JP does
// not carry becomes 〓, invalid UTF-8 included. Io only when glibc's
// ISO-2022-JP converter cannot be opened ("iconv_open(ISO-2022-JP, WCHAR_T):
// ...") or fails.
// REQUIRES: max_bytes >= 8 (one JIS X 0208 character with both escape sequences).
Result<std::vector<std::string>> Utf8ToIso2022Jp(std::string_view utf8, size_t max_bytes);

// ---------------------------------------------------------------- search folding

// Search folding of UTF-8 text, as UTF-32:
// 1. WAVE DASH U+301C becomes FULLWIDTH TILDE, MINUS SIGN U+2212 becomes '-',
//    so the Shift_JIS variants fold like their CP932 twins;
// 2. ICU NFKC with case folding (NFKC_Casefold): full-width ASCII to ASCII,
//    half-width katakana to full-width (ｶﾞ -> ガ), ① -> 1, upper to lower case;
//    variation selectors dropped (葛󠄀 -> 葛);
// 3. katakana to hiragana (ネコ -> ねこ; ヽヾ -> ゝゞ; ヷ..ヺ stay);
// 4. variant kanji to their canonical form (charset/variants.h: 鷗 -> 鴎,
//    澤 -> 沢, 邊 -> 辺; 斎 and 斉 stay apart);
// 5. iteration marks written out (すゝめ -> すすめ, みすゞ -> みすず, 佐々木 ->
//    佐佐木), and a ケ, ヶ, か or が between two kanji as one (霞が関, 霞ヶ関;
//    一か月, 一ヵ月).
// Invalid UTF-8 bytes are dropped. Never fails.
std::u32string FoldForSearch(std::string_view utf8);

// Readings as patrons type them, on text FoldForSearch has folded (hiragana):
// the particles as written and as spoken are one (は/わ, へ/え, を/お), small
// kana are large (ゃ -> や, っ -> つ, ゕ -> か, ゖ -> け), ゔ and ヷ..ヺ are the
// ば-line, ぢ/じ, づ/ず, ゐ/い, ゑ/え are one, and the long vowel mark ー is
// dropped (こんぴゅーたー and こんぴゅーた meet). For readings only: a title
// keeps its kana as written.
void FoldReading(std::u32string& folded);

enum class CharClass {
  kCjk,   // kanji, kana, 々〆ー: indexed as runs (db/search.cc: bigrams, kanji, kana trigrams)
  kWord,  // letters and digits of other scripts: indexed as words
  kSeparator,  // spaces, punctuation, symbols (・ included)
};
// Class of a folded code point.
CharClass Classify(char32_t c);
// Kana as FoldForSearch leaves them (hiragana, the katakana it does not fold,
// ー, the small katakana extension): part of kCjk.
bool IsKana(char32_t c);

// Appends code point `c` to `out` as UTF-8.
void AppendUtf8(std::string& out, char32_t c);
// The code point of `s` starting at byte `*i`, moving `*i` past it (ICU's
// U8_NEXT); U+FFFD for an ill-formed sequence, which it skips as a whole.
// REQUIRES: *i < s.size().
char32_t NextCodePoint(std::string_view s, size_t* i);
// Every code point of `s` (NextCodePoint), and back to UTF-8.
std::u32string ToUtf32(std::string_view s);
std::string ToUtf8(std::u32string_view s);

// ---------------------------------------------------------------- control characters
// Characters that text from outside (a catalogue file, rows stored before
// these rules) may hold and that no page or terminal shows as they are: they
// are invisible, and they reorder the text around them or drive the device
// that shows it. Decided by ICU's character properties:
//   kBreak         TAB, LF and CR: spacing in a file, never inside a one-line
//                  value;
//   kControl       every other control (General_Category Cc): C0
//                  U+0000..U+001F (NUL, ESC ...), DEL U+007F and C1
//                  U+0080..U+009F (CSI U+009B ...);
//   kBidi          the explicit directional formatting characters (Bidi_Class
//                  LRE, RLE, LRO, RLO, PDF, LRI, RLI, FSI, PDI:
//                  U+202A..U+202E, U+2066..U+2069). The marks LRM, RLM and ALM
//                  are not among them: they only give a direction to the punctuation
//                  beside them;
//   kNoncharacter  Noncharacter_Code_Point: U+FDD0..U+FDEF and the last two
//                  code points of every plane (U+FFFE, U+FFFF, U+1FFFE ...).
// docs/import-formats.md says what the imports do with each kind; pages drop
// all but kBreak (HTML whitespace); ForTerminal shows each as an escape.
enum class Control { kNone, kBreak, kControl, kBidi, kNoncharacter };
Control ControlOf(char32_t c);
// False when no control character starts with byte `b`; only 0x00..0x1F,
// 0x7F, 0xC2 (C1), 0xE2 (bidi), 0xEF (U+FDD0.., U+FFFE..) and 0xF0..0xF4
// (the other planes' noncharacters) may. Inline, so that a loop over a page
// looks up nothing for kanji and kana.
inline bool MayStartControl(unsigned char b) {
  return b < 0x20 || b == 0x7F || b == 0xC2 || b == 0xE2 || b == 0xEF || (b >= 0xF0 && b <= 0xF4);
}
// The kind of the character starting at byte `i` of `s`, and its length in
// bytes in *len when it is not kNone. Invalid UTF-8 is kNone. Looks only at
// characters whose first byte passes MayStartControl; the BMP ones come from
// a table made with ControlOf on first use (charset_test checks every code
// point against ControlOf). Thread-safe.
// REQUIRES: i < s.size().
Control ControlAt(std::string_view s, size_t i, size_t* len);

// True when `s` holds a control character (ControlAt), TAB, LF or CR included.
bool HasControl(std::string_view s);

// What WithoutControls changed in a value.
struct ControlsFound {
  bool breaks = false;            // a TAB, LF or CR became a space
  std::vector<char32_t> removed;  // each other control character removed, once, in order
  bool any() const { return breaks || !removed.empty(); }
};
// `utf8` as a one-line value: each run of TAB, LF and CR becomes one space,
// every other control character (kControl, kBidi, kNoncharacter) is removed;
// all else, invalid UTF-8 bytes included, is kept as it is. `found` (may be
// null) is reset and says what was changed.
std::string WithoutControls(std::string_view utf8, ControlsFound* found = nullptr);

// "U+001B", "U+1FFFE": how a staff message names a character.
std::string CodePointName(char32_t c);

// Text for a terminal, on one line: every control character (TAB, LF and CR
// included) and every byte that is not UTF-8 is written as an escape, so
// that nothing reaches the terminal that it would act on: \x1B for C0 and
// DEL, \u009B, \u202E, \uFFFF or \U0010FFFF for the other code points,
// \xC3 for a byte of invalid UTF-8. Everything else is kept; the result is
// valid UTF-8. Every staff command prints what it got from the database or a
// file through this.
std::string ForTerminal(std::string_view s);

// ---------------------------------------------------------------- text as typed
// Before any folding: what staff files and patrons' fields hold.

// `s` without spaces, tabs and ideographic spaces (U+3000, what a Japanese
// keyboard types) at either end. The one trim of the program: a field of only
// full-width spaces is empty.
std::string_view Trim(std::string_view s);
// Hiragana U+3041..U+309F.
bool IsHiragana(char32_t c);
// Katakana as written: U+30A0..U+30FF (ー and ・ included), the small katakana
// extension U+31F0..U+31FF and half-width katakana U+FF65..U+FF9F.
bool IsKatakana(char32_t c);

// ICU collation for sorting by reading (Japanese order: あいうえお, voiced
// after unvoiced, katakana with hiragana). Thread-safe: Key() only reads.
class Collator {
 public:
  virtual ~Collator() = default;
  // A byte string whose order is the collation order of UTF-8 `s`.
  virtual std::string Key(std::string_view s) const = 0;
};
// The one Japanese collator, created on first use and never changed.
const Collator& JapaneseCollator();

// ---------------------------------------------------------------- identity input
// What a patron types to prove who they are, made comparable with what the
// library recorded. Invalid UTF-8 bytes: dropped by NormalizeNameKana and
// NormalizeDigits, kept as they are by NormalizePassword (so a password check
// refuses them). Never fail.

// A name in kana, for comparing a typed name with the one recorded when the
// card was made: NFKC (ｶﾞ -> ガ, full-width space -> space), hiragana ->
// katakana (ゔ -> ヴ), small kana -> large (ァィゥェォッャュョヮヵヶ and
// ㇰ..ㇿ -> アイウエオツヤユヨワカケ, ク..ロ: the guide tells patrons to try ヤユヨ
// for ャュョ), and removes spaces, tabs, middle dots (・ ･ ·) and hyphens or
// dashes ('-', U+2010..U+2015, U+2212, U+FF0D). The prolonged sound mark ー
// stays (ユーコ), ヴ stays ヴ. Returns katakana for kana input; other
// characters pass through NFKC'ed. "いずみ きょうこ", "ｲｽﾞﾐ ｷｮｳｺ",
// "イズミ・キヨウコ" -> "イズミキヨウコ".
std::string NormalizeNameKana(std::string_view utf8);
// True when the name a patron typed is the recorded one: both through
// NormalizeNameKana, and once more with every hyphen or dash that follows a
// kana read as ー, for phones whose keypad has no ー (ユ-コ is ユーコ; a hyphen
// between family and given name, サトウ-ハナコ, still separates). Empty never
// matches.
bool SameNameKana(std::string_view typed, std::string_view recorded);

// Full-width digits to ASCII, then only the ASCII digits: phone and card
// numbers with hyphens, brackets, spaces or a ー typed for a hyphen.
// "(0996)63-1111", "０９９６ー６３ー１１１１" -> "0996631111".
std::string NormalizeDigits(std::string_view utf8);

// Full-width ASCII U+FF01..U+FF5E to ASCII (ＡＢＣ１２３ -> ABC123, ！ -> !);
// nothing else changes, case included.
std::string HalfWidthAscii(std::string_view utf8);
// What a password typed on a phone becomes before checking and hashing: HalfWidthAscii.
std::string NormalizePassword(std::string_view utf8);

// ICU NFKC, nothing more: full-width ASCII to ASCII (ＳＤＧｓ -> SDGs),
// half-width katakana to full-width (ｶﾞ -> ガ), ① -> 1; case and kana kept as
// they are. Invalid UTF-8 bytes are dropped. A catalogue import's readings go
// through it (db/import.cc).
std::string Nfkc(std::string_view utf8);

}  // namespace shiori::charset

#endif  // SHIORI_CHARSET_CHARSET_H_
