// Tests for charset/charset.h: which bytes are well-formed UTF-8 and how many code points they
// hold.
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

}  // namespace
}  // namespace shiori::charset
