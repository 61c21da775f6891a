// Tests for charset/charset.h: which bytes are well-formed UTF-8, how many code points they
// hold and how they decode, the text-as-typed helpers (Trim, IsHiragana, IsKatakana), and
// the control characters (ControlOf, WithoutControls, ForTerminal).
#include "charset/charset.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace shiori::charset {
namespace {

struct Utf8Case {
  const char* what;
  std::string bytes;
  bool valid;
  size_t code_points;  // per the contract: a valid character counts one, an invalid byte one each
};

// For a case with an embedded NUL, which a plain string literal would cut short.
std::string B(std::string_view s) { return std::string(s); }

const Utf8Case kUtf8Cases[] = {
    {"empty string", "", true, 0},
    {"ASCII title", "Neko 2026", true, 9},
    {"embedded NUL is ASCII", B(std::string_view("a\0b", 3)), true, 3},
    {"猫 (one-character Japanese query)", "\xE7\x8C\xAB", true, 1},
    {"吾輩は猫である", "吾輩は猫である", true, 7},
    {"half-width katakana ﾈｺ", "\xEF\xBE\x88\xEF\xBD\xBA", true, 2},
    {"full-width ＡＢＣ１２３", "ＡＢＣ１２３", true, 6},
    {"emoji 😀 (4 bytes)", "\xF0\x9F\x98\x80", true, 1},
    {"mixed 猫と😀a", "猫と😀a", true, 4},
    {"largest code point U+10FFFF", "\xF4\x8F\xBF\xBF", true, 1},
    {"last before surrogates U+D7FF", "\xED\x9F\xBF", true, 1},
    {"first after surrogates U+E000", "\xEE\x80\x80", true, 1},
    {"two-byte é", "\xC3\xA9", true, 1},
    {"overlong NUL C0 80", "\xC0\x80", false, 2},
    {"overlong slash E0 80 AF", "\xE0\x80\xAF", false, 3},
    {"overlong F0 80 80 80", "\xF0\x80\x80\x80", false, 4},
    {"surrogate U+D800 ED A0 80", "\xED\xA0\x80", false, 3},
    {"above U+10FFFF F4 90 80 80", "\xF4\x90\x80\x80", false, 4},
    {"lead byte F5", "\xF5\x80\x80\x80", false, 4},
    {"lone continuation 80", "\x80", false, 1},
    {"lone FF", "\xFF", false, 1},
    {"truncated 猫 E7 8C", "\xE7\x8C", false, 1},
    {"truncated E3 81 (half of あ)", "\xE3\x81", false, 1},
    {"truncated あ then ASCII",
     "\xE3\x81"
     "a",
     false, 2},
    {"valid text then lone continuation", "猫\x80", false, 2},
    {"Shift_JIS 猫 (94 4C) is not UTF-8", "\x94\x4C", false, 2},
};

TEST(Utf8Test, IsValidUtf8) {
  for (const auto& c : kUtf8Cases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(IsValidUtf8(c.bytes), c.valid);
  }
}

TEST(Utf8Test, CodePointCountOfValidText) {
  for (const auto& c : kUtf8Cases) {
    if (!c.valid) continue;
    SCOPED_TRACE(c.what);
    EXPECT_EQ(CodePointCount(c.bytes), c.code_points);
  }
}

// charset.h: each ill-formed sequence counts one, as one U+FFFD (or one 〓) would show.
TEST(Utf8Test, CodePointCountCountsEachIllFormedSequenceOnce) {
  for (const auto& c : kUtf8Cases) {
    if (c.valid) continue;
    SCOPED_TRACE(c.what);
    EXPECT_EQ(CodePointCount(c.bytes), c.code_points);
  }
}

// Decoding agrees with counting: one code point per character, one U+FFFD per
// ill-formed sequence; valid text goes back to the same bytes.
TEST(Utf8Test, ToUtf32DecodesEachCharacterAndEachIllFormedSequenceOnce) {
  for (const auto& c : kUtf8Cases) {
    SCOPED_TRACE(c.what);
    const std::u32string u = ToUtf32(c.bytes);
    EXPECT_EQ(u.size(), c.code_points);
    if (c.valid) {
      EXPECT_EQ(u.find(U'\uFFFD'), std::u32string::npos);
      EXPECT_EQ(ToUtf8(u), c.bytes);
    } else {
      EXPECT_NE(u.find(U'\uFFFD'), std::u32string::npos);
    }
  }
  EXPECT_EQ(ToUtf32("猫と😀a"), U"猫と😀a");
}

TEST(TrimTest, CutsSpacesTabsAndIdeographicSpacesAtBothEndsOnly) {
  const struct {
    const char* in;
    const char* out;
  } cases[] = {
      {"", ""},
      {"   ", ""},
      {"\xE3\x80\x80", ""},                              // one full-width space is empty
      {" \xE3\x80\x80\t\xE3\x80\x80 ", ""},                // any mix
      {"\xE3\x80\x80イズミ キョウコ\xE3\x80\x80", "イズミ キョウコ"},  // the inside is kept
      {"\tchuo ", "chuo"},
      {"a\xE3\x80\x80" "b", "a\xE3\x80\x80" "b"},
      {"\xE3\x80", "\xE3\x80"},  // half an ideographic space is not one
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    EXPECT_EQ(Trim(c.in), c.out);
  }
}

TEST(KanaTest, HiraganaAndKatakanaAsWritten) {
  for (char32_t c : std::u32string(U"あぁんゔゝゞ")) EXPECT_TRUE(IsHiragana(c)) << int(c);
  for (char32_t c : std::u32string(U"アァンヴーヽ・ㇰｱｰﾞﾟ･")) EXPECT_TRUE(IsKatakana(c)) << int(c);
  for (char32_t c : std::u32string(U"猫aＡ１　、。〓")) {
    EXPECT_FALSE(IsHiragana(c)) << int(c);
    EXPECT_FALSE(IsKatakana(c)) << int(c);
  }
}

// ---------------------------------------------------------------- control characters

struct ControlCase {
  const char* what;
  char32_t c;
  Control kind;
};
const ControlCase kControlCases[] = {
    {"NUL", 0x0000, Control::kControl},
    {"TAB", 0x0009, Control::kBreak},
    {"LF", 0x000A, Control::kBreak},
    {"CR", 0x000D, Control::kBreak},
    {"ESC", 0x001B, Control::kControl},
    {"DEL", 0x007F, Control::kControl},
    {"C1 NEL", 0x0085, Control::kControl},
    {"C1 CSI", 0x009B, Control::kControl},
    {"LRE", 0x202A, Control::kBidi},
    {"RLO", 0x202E, Control::kBidi},
    {"LRI", 0x2066, Control::kBidi},
    {"PDI", 0x2069, Control::kBidi},
    {"RLM is a mark, not a control", 0x200F, Control::kNone},
    {"ZWJ is not a control", 0x200D, Control::kNone},
    {"U+FDD0", 0xFDD0, Control::kNoncharacter},
    {"U+FDEF", 0xFDEF, Control::kNoncharacter},
    {"U+FFFE", 0xFFFE, Control::kNoncharacter},
    {"U+FFFF", 0xFFFF, Control::kNoncharacter},
    {"U+1FFFE", 0x1FFFE, Control::kNoncharacter},
    {"U+10FFFF", 0x10FFFF, Control::kNoncharacter},
    {"space", 0x0020, Control::kNone},
    {"NBSP", 0x00A0, Control::kNone},
    {"ideographic space", 0x3000, Control::kNone},
    {"猫", 0x732B, Control::kNone},
    {"U+FFFD", 0xFFFD, Control::kNone},
    {"full-width Ａ", 0xFF21, Control::kNone},
};

TEST(ControlTest, KindsOfControlCharacters) {
  for (const auto& c : kControlCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(ControlOf(c.c), c.kind);
  }
}

// ControlAt looks only at some first bytes: every code point says it was right to.
TEST(ControlTest, ControlAtAgreesWithControlOfForEveryCodePoint) {
  for (char32_t c = 0; c <= 0x10FFFF; ++c) {
    if (c >= 0xD800 && c <= 0xDFFF) continue;
    std::string s;
    AppendUtf8(s, c);
    s += 'x';
    size_t len = 0;
    const Control k = ControlAt(s, 0, &len);
    ASSERT_EQ(k, ControlOf(c)) << std::hex << static_cast<unsigned>(c);
    if (k != Control::kNone) {
      ASSERT_EQ(len, s.size() - 1) << std::hex << static_cast<unsigned>(c);
    }
  }
  size_t len = 0;
  EXPECT_EQ(ControlAt("\xC2", 0, &len), Control::kNone) << "a truncated character is none";
}

struct CleanCase {
  const char* what;
  std::string in, out;
  bool breaks;
  std::vector<char32_t> removed;
};
const CleanCase kCleanCases[] = {
    {"nothing to clean", "吾輩は猫である", "吾輩は猫である", false, {}},
    {"TAB is a space", "猫\tである", "猫 である", true, {}},
    {"CR LF is one space", "上巻\r\n下巻", "上巻 下巻", true, {}},
    {"ESC sequence loses its ESC", "猫\x1B[31m赤", "猫[31m赤", false, {0x1B}},
    {"NUL inside", B(std::string_view("吾輩\0猫", 10)), "吾輩猫", false, {0}},
    {"C1 CSI",
     "a\xC2\x9B"
     "2Jb",
     "a2Jb",
     false,
     {0x9B}},
    {"RLO and PDF", "abc\u202Efdp.exe\u202C", "abcfdp.exe", false, {0x202E, 0x202C}},
    {"isolates", "\u2066x\u2069", "x", false, {0x2066, 0x2069}},
    {"noncharacters", "a\uFDD0b\uFFFE\xEF\xBF\xBF", "ab", false, {0xFDD0, 0xFFFE, 0xFFFF}},
    {"one of each removed once",
     "\x1B"
     "a\x1B"
     "b",
     "ab",
     false,
     {0x1B}},
    {"RLM stays", "\u200F", "\u200F", false, {}},
    {"invalid bytes stay", "\xFF\x1B", "\xFF", false, {0x1B}},
};

TEST(ControlTest, WithoutControlsMakesOneLineOfVisibleText) {
  for (const auto& c : kCleanCases) {
    SCOPED_TRACE(c.what);
    ControlsFound f;
    EXPECT_EQ(WithoutControls(c.in, &f), c.out);
    EXPECT_EQ(f.breaks, c.breaks);
    EXPECT_EQ(f.removed, c.removed);
    EXPECT_EQ(f.any(), c.breaks || !c.removed.empty());
  }
}

TEST(ControlTest, ForTerminalShowsEveryControlAsAnEscape) {
  EXPECT_EQ(ForTerminal("吾輩は猫である"), "吾輩は猫である");
  EXPECT_EQ(ForTerminal("\x1B[31m赤\x1B[0m"), "\\x1B[31m赤\\x1B[0m");
  EXPECT_EQ(ForTerminal(B(std::string_view("a\0b", 3))), "a\\x00b");
  EXPECT_EQ(ForTerminal("a\tb\r\nc\x7F"), "a\\x09b\\x0D\\x0Ac\\x7F");
  EXPECT_EQ(ForTerminal("\xC2\x9B"
                        "2J"),
            "\\u009B2J");
  EXPECT_EQ(ForTerminal("\u202Efdp.exe"), "\\u202Efdp.exe");
  EXPECT_EQ(ForTerminal("\xEF\xBF\xBF\xF4\x8F\xBF\xBF"), "\\uFFFF\\U0010FFFF");
  EXPECT_EQ(ForTerminal("\x9B\xE7\x8C"), "\\x9B\\xE7\\x8C") << "bytes that are not UTF-8";
  EXPECT_EQ(ForTerminal("C:\\path"), "C:\\path") << "a backslash is text";
  EXPECT_TRUE(IsValidUtf8(ForTerminal("\xFF\xC0\x80")));
  EXPECT_EQ(CodePointName(0x1B), "U+001B");
  EXPECT_EQ(CodePointName(0x1FFFE), "U+1FFFE");
}

}  // namespace
}  // namespace shiori::charset
