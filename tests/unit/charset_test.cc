// Tests for charset/charset.h: which bytes are well-formed UTF-8, how many code points they
// hold and how they decode, and the text-as-typed helpers (Trim, IsHiragana, IsKatakana).
#include "charset/charset.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

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

}  // namespace
}  // namespace shiori::charset
