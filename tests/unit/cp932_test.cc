// Tests for the Shift_JIS (Windows-31J / CP932) half of charset/charset.h: glibc's WINDOWS-31J
// charmap line by line, then the written policy (rules O1..O8, I1..I5) case by case.
#include <gtest/gtest.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "charset/charset.h"

namespace shiori::charset {
namespace {

constexpr std::string_view kGeta = "\xE3\x80\x93";  // 〓 U+3013 in UTF-8
constexpr std::string_view kGetaSjis = "\x81\xAC";  // 〓 in CP932

std::string U8(char32_t cp) {
  uint8_t buf[U8_MAX_LENGTH];
  int32_t len = 0;
  U8_APPEND_UNSAFE(buf, len, static_cast<UChar32>(cp));
  return std::string(reinterpret_cast<const char*>(buf), static_cast<size_t>(len));
}

// Bytes written with explicit length, so NULs and stray bytes stay as written.
std::string B(std::string_view s) { return std::string(s); }

std::string HexBytes(std::string_view s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    std::snprintf(buf, sizeof buf, "%02X", c);
    if (!out.empty()) out += ' ';
    out += buf;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// glibc's charmap, /usr/share/i18n/charmaps/WINDOWS-31J.gz. A line "<U2252> /x81/xe0 NAME" is a
// reversible mapping; "%IRREVERSIBLE%<U2252> /x87/x90 NAME" is a duplicate form that decodes to
// the code point but is never produced by encoding.

struct CharmapLine {
  char32_t cp;
  std::string bytes;
  bool reversible;
  std::string text;  // the line as read, for SCOPED_TRACE
};

struct Charmap {
  std::vector<CharmapLine> lines;
  std::map<char32_t, std::string> preferred;  // code point -> its reversible bytes
  std::set<std::string> all_bytes;            // every byte sequence that decodes
};

const Charmap& LoadCharmap() {
  static const Charmap charmap = [] {
    Charmap m;
    FILE* f = popen("gzip -dc /usr/share/i18n/charmaps/WINDOWS-31J.gz", "r");
    if (f == nullptr) return m;
    char buf[512];
    bool in_charmap = false;
    while (std::fgets(buf, sizeof buf, f) != nullptr) {
      std::string line(buf);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line == "CHARMAP") in_charmap = true;
      if (line == "END CHARMAP") in_charmap = false;
      if (!in_charmap) continue;
      CharmapLine l;
      l.text = line;
      std::string_view rest = line;
      constexpr std::string_view kIrreversible = "%IRREVERSIBLE%";
      l.reversible = rest.substr(0, kIrreversible.size()) != kIrreversible;
      if (!l.reversible) rest.remove_prefix(kIrreversible.size());
      unsigned cp = 0;
      char bytes[64];
      if (rest.empty() || rest[0] != '<' ||
          std::sscanf(std::string(rest).c_str(), "<U%X> %63s", &cp, bytes) != 2) {
        continue;
      }
      l.cp = cp;
      for (const char* p = bytes; p[0] == '/' && p[1] == 'x'; p += 4) {
        l.bytes.push_back(static_cast<char>(std::stoi(std::string(p + 2, 2), nullptr, 16)));
      }
      if (l.reversible) m.preferred[l.cp] = l.bytes;
      m.all_bytes.insert(l.bytes);
      m.lines.push_back(std::move(l));
    }
    pclose(f);
    return m;
  }();
  return charmap;
}

bool InUserDefinedArea(std::string_view bytes) {
  const auto lead = static_cast<unsigned char>(bytes[0]);
  return bytes.size() == 2 && lead >= 0xF0 && lead <= 0xF9;
}

TEST(Cp932Charmap, EveryReversibleLineRoundTrips) {
  const Charmap& m = LoadCharmap();
  size_t checked = 0;
  for (const CharmapLine& l : m.lines) {
    if (!l.reversible) continue;
    SCOPED_TRACE(l.text);
    const std::string utf8 = U8(l.cp);
    // I1..I4: decodes to the code point, except the user-defined area, which gives 〓.
    const Result<std::string> decoded = SjisToUtf8(l.bytes);
    ASSERT_TRUE(decoded.ok()) << decoded.status().message();
    EXPECT_EQ(*decoded, InUserDefinedArea(l.bytes) ? std::string(kGeta) : utf8);
    // O3, O4: encodes to exactly these bytes (private use U+E000..U+E757 included).
    EXPECT_EQ(HexBytes(Utf8ToSjis(utf8)), HexBytes(l.bytes));
    EXPECT_TRUE(FitsSjis(utf8));
    // O5 must never swallow a character CP932 has.
    EXPECT_FALSE(
        u_hasBinaryProperty(static_cast<UChar32>(l.cp), UCHAR_DEFAULT_IGNORABLE_CODE_POINT));
    ++checked;
  }
  EXPECT_EQ(checked, 9397u);  // glibc 2.36; the important part is the next line
  EXPECT_GT(checked, 7000u) << "the charmap was not read";
}

// O4 / I3: a duplicate form decodes to the same code point as the preferred form, and
// encoding gives the preferred form. What glibc picks (Microsoft's choice), by block:
//   NEC row 13 0x8790..0x879C ∵≒≡∫√⊥∠∩∪  -> JIS row 2 0x81xx      (9 codes)
//   IBM 0xFA4A..0xFA53 Ⅰ..Ⅹ, 0xFA58 ㈱, 0xFA59 №, 0xFA5A ℡ -> NEC row 13 0x87xx (13)
//   IBM 0xFA54 ￢, 0xFA5B ∵; NEC-selected 0xEEF9 ￢ -> JIS row 2 0x81xx (3)
//   NEC-selected IBM 0xED40..0xEEFC -> IBM 0xFA40..0xFC4B          (373)
// ∮ ∑ ∟ ⊿ (0x8793 0x8794 0x8798 0x8799) have no duplicate and round-trip.
TEST(Cp932Charmap, EveryDuplicateDecodesLikeItsPreferredForm) {
  const Charmap& m = LoadCharmap();
  std::map<std::string, size_t> blocks;  // "ED->FA" -> count
  size_t checked = 0;
  for (const CharmapLine& l : m.lines) {
    if (l.reversible) continue;
    SCOPED_TRACE(l.text);
    const auto it = m.preferred.find(l.cp);
    ASSERT_NE(it, m.preferred.end()) << "a duplicate without a preferred form";
    const std::string utf8 = U8(l.cp);
    const Result<std::string> dup = SjisToUtf8(l.bytes);
    const Result<std::string> pref = SjisToUtf8(it->second);
    ASSERT_TRUE(dup.ok()) << dup.status().message();
    ASSERT_TRUE(pref.ok()) << pref.status().message();
    EXPECT_EQ(*dup, utf8);
    EXPECT_EQ(*pref, utf8);
    EXPECT_EQ(HexBytes(Utf8ToSjis(utf8)), HexBytes(it->second));
    ++blocks[HexBytes(l.bytes.substr(0, 1)) + "->" + HexBytes(it->second.substr(0, 1))];
    ++checked;
  }
  EXPECT_EQ(checked, 398u);
  const std::map<std::string, size_t> expected = {{"87->81", 9},  {"FA->87", 13},  {"FA->81", 2},
                                                  {"EE->81", 1},  {"ED->FA", 160}, {"ED->FB", 28},
                                                  {"EE->FA", 13}, {"EE->FB", 160}, {"EE->FC", 12}};
  EXPECT_EQ(blocks, expected);
}

// I3, I5 exhaustively: every single byte and every lead/trail pair either is in the charmap and
// decodes, or is refused with the message the policy gives.
TEST(Cp932Charmap, EverythingOutsideTheCharmapIsRefused) {
  const Charmap& m = LoadCharmap();
  ASSERT_GT(m.all_bytes.size(), 7000u);
  auto is_lead = [](int b) { return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC); };
  auto is_trail = [](int b) { return (b >= 0x40 && b <= 0x7E) || (b >= 0x80 && b <= 0xFC); };
  size_t refused = 0;
  char hex[64];
  for (int lead = 0; lead < 256; ++lead) {
    const std::string one(1, static_cast<char>(lead));
    SCOPED_TRACE("byte " + HexBytes(one));
    const Result<std::string> single = SjisToUtf8(one);
    if (is_lead(lead)) {
      ASSERT_FALSE(single.ok());
      std::snprintf(hex, sizeof hex, "lead byte 0x%02X at offset 0", lead);
      EXPECT_NE(single.status().message().find(hex), std::string::npos)
          << single.status().message();
    } else if (m.all_bytes.count(one) != 0) {
      EXPECT_TRUE(single.ok()) << single.status().message();
      continue;
    } else {
      ASSERT_FALSE(single.ok());
      std::snprintf(hex, sizeof hex, "invalid Shift_JIS byte 0x%02X at offset 0", lead);
      EXPECT_EQ(single.status().message(), hex);
      ++refused;
      continue;
    }
    for (int trail = 0; trail < 256; ++trail) {
      const std::string two = one + static_cast<char>(trail);
      SCOPED_TRACE("pair " + HexBytes(two));
      const Result<std::string> r = SjisToUtf8(two);
      if (m.all_bytes.count(two) != 0) {
        EXPECT_TRUE(is_trail(trail));
        EXPECT_TRUE(r.ok()) << r.status().message();
        continue;
      }
      ASSERT_FALSE(r.ok());
      EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
      if (is_trail(trail)) {
        std::snprintf(hex, sizeof hex, "0x%02X 0x%02X", lead, trail);
        EXPECT_EQ(r.status().message(),
                  "unassigned Shift_JIS code " + std::string(hex) + " at offset 0");
      } else {
        std::snprintf(hex, sizeof hex, "0x%02X after lead byte 0x%02X", trail, lead);
        EXPECT_EQ(r.status().message(),
                  "invalid Shift_JIS trail byte " + std::string(hex) + " at offset 0");
      }
      ++refused;
    }
  }
  EXPECT_EQ(refused, 5u + 60u * 256u - (m.all_bytes.size() - 128u - 63u));
}

// O1 and O6 over the whole code space: a code point outside the charmap and the O1 table is
// 〓 (one each), or nothing if default-ignorable (O5).
TEST(Cp932Charmap, EveryOtherCodePointIsGetaOrIgnorable) {
  const Charmap& m = LoadCharmap();
  ASSERT_GT(m.preferred.size(), 7000u);
  const std::set<char32_t> o1 = {0x301C, 0x2212, 0x2014, 0x2016, 0x00A2,
                                 0x00A3, 0x00AC, 0x00A5, 0x203E};
  std::string geta_input, ignorable_input;
  size_t geta_count = 0;
  for (char32_t cp = 0; cp <= 0x10FFFF; ++cp) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (m.preferred.count(cp) != 0 || o1.count(cp) != 0) continue;
    if (u_hasBinaryProperty(static_cast<UChar32>(cp), UCHAR_DEFAULT_IGNORABLE_CODE_POINT)) {
      ignorable_input += U8(cp);
    } else {
      geta_input += U8(cp);
      ++geta_count;
    }
  }
  EXPECT_GT(geta_count, 1000000u);
  std::string expected;
  for (size_t i = 0; i < geta_count; ++i) expected += kGetaSjis;
  EXPECT_TRUE(Utf8ToSjis(geta_input) == expected) << "some code point did not become one 〓";
  EXPECT_EQ(Utf8ToSjis(ignorable_input), "");
  EXPECT_TRUE(FitsSjis(ignorable_input));
  EXPECT_FALSE(FitsSjis(geta_input));
}

// ---------------------------------------------------------------------------------------------
// Named cases.

struct EncodeCase {
  const char* what;
  std::string utf8;
  std::string sjis;
};

const EncodeCase kEncodeCases[] = {
    {"empty", "", ""},
    {"ASCII", "Neko 2026 <a href=\"x\">", "Neko 2026 <a href=\"x\">"},
    {"embedded NUL", B(std::string_view("a\0b", 3)), B(std::string_view("a\0b", 3))},
    // O2
    {"U+005C backslash stays 0x5C", "\\", "\x5C"},
    {"U+007E tilde stays 0x7E", "~", "\x7E"},
    // second byte 0x5C: never split or escaped
    {"表 0x95 0x5C", "表", "\x95\x5C"},
    {"ソ 0x83 0x5C", "ソ", "\x83\x5C"},
    {"能 0x94 0x5C", "能", "\x94\x5C"},
    {"十 0x8F 0x5C", "十", "\x8F\x5C"},
    {"表示 ソフト ～ ①", "表示 ソフト ～ ①",
     "\x95\x5C\x8E\xA6 \x83\x5C\x83\x74\x83\x67 \x81\x60 \x87\x40"},
    {"half-width katakana ｼｵﾘ", "ｼｵﾘ", "\xBC\xB5\xD8"},
    {"猫", "猫", "\x94\x4C"},
    {"〓 itself", "〓", "\x81\xAC"},
    // O1
    {"U+301C WAVE DASH -> 0x8160", "\u301C", "\x81\x60"},
    {"U+FF5E FULLWIDTH TILDE -> 0x8160", "\uFF5E", "\x81\x60"},
    {"U+2212 MINUS -> 0x817C", "\u2212", "\x81\x7C"},
    {"U+FF0D FULLWIDTH HYPHEN-MINUS -> 0x817C", "\uFF0D", "\x81\x7C"},
    {"U+2014 EM DASH -> 0x815C", "\u2014", "\x81\x5C"},
    {"U+2015 HORIZONTAL BAR -> 0x815C", "\u2015", "\x81\x5C"},
    {"U+2016 DOUBLE VERTICAL LINE -> 0x8161", "\u2016", "\x81\x61"},
    {"U+2225 PARALLEL TO -> 0x8161", "\u2225", "\x81\x61"},
    {"U+00A2 ¢ -> 0x8191", "\u00A2", "\x81\x91"},
    {"U+00A3 £ -> 0x8192", "\u00A3", "\x81\x92"},
    {"U+00AC ¬ -> 0x81CA", "\u00AC", "\x81\xCA"},
    {"U+00A5 ¥ -> ￥ 0x818F (not glibc's 0x5C)", "\u00A5", "\x81\x8F"},
    {"U+203E ‾ -> ￣ 0x8150 (not glibc's 0x7E)", "\u203E", "\x81\x50"},
    {"¥1,500",
     "\u00A5"
     "1,500",
     "\x81\x8F"
     "1,500"},
    // CP932-only characters
    {"① NEC 0x8740", "①", "\x87\x40"},
    {"㈱ NEC 0x878A", "㈱", "\x87\x8A"},
    {"Ⅰ NEC 0x8754 (not IBM 0xFA4A)", "Ⅰ", "\x87\x54"},
    {"髙 IBM 0xFBFC (not NEC-selected 0xEEE0)", "髙", "\xFB\xFC"},
    {"纊 IBM 0xFA5C (not NEC-selected 0xED40)", "纊", "\xFA\x5C"},
    {"ⅰ IBM 0xFA40 (not NEC-selected 0xEEEF)", "ⅰ", "\xFA\x40"},
    // O4
    {"∵ JIS 0x81E6 (not 0x879A, 0xFA5B)", "∵", "\x81\xE6"},
    {"≒ JIS 0x81E0 (not 0x8790)", "≒", "\x81\xE0"},
    {"≡ JIS 0x81DF (not 0x8791)", "≡", "\x81\xDF"},
    {"∫ JIS 0x81E7 (not 0x8792)", "∫", "\x81\xE7"},
    {"√ JIS 0x81E3 (not 0x8795)", "√", "\x81\xE3"},
    {"⊥ JIS 0x81DB (not 0x8796)", "⊥", "\x81\xDB"},
    {"∠ JIS 0x81DA (not 0x8797)", "∠", "\x81\xDA"},
    {"∩ JIS 0x81BF (not 0x879B)", "∩", "\x81\xBF"},
    {"∪ JIS 0x81BE (not 0x879C)", "∪", "\x81\xBE"},
    {"∮ only NEC 0x8793", "∮", "\x87\x93"},
    {"∑ only NEC 0x8794", "∑", "\x87\x94"},
    {"∟ only NEC 0x8798", "∟", "\x87\x98"},
    {"⊿ only NEC 0x8799", "⊿", "\x87\x99"},
    {"￢ JIS 0x81CA (not 0xEEF9, 0xFA54)", "￢", "\x81\xCA"},
    {"№ NEC 0x8782 (not 0xFA59)", "№", "\x87\x82"},
    {"℡ NEC 0x8784 (not 0xFA5A)", "℡", "\x87\x84"},
    // O3
    {"U+E000 -> 0xF040", "\uE000", "\xF0\x40"},
    {"docomo U+E63E -> 0xF89F", "\uE63E", "\xF8\x9F"},
    {"docomo number key 1 U+E6E2 -> 0xF987", "\uE6E2", "\xF9\x87"},
    {"docomo number key 0 U+E6EB -> 0xF990", "\uE6EB", "\xF9\x90"},
    {"U+E757 -> 0xF9FC", "\uE757", "\xF9\xFC"},
    {"U+E758 (past the user-defined area) -> 〓", "\uE758", "\x81\xAC"},
    {"U+F8FF -> 〓", "\uF8FF", "\x81\xAC"},
    // O5
    {"葛 + IVS U+E0100 -> 葛", "葛\U000E0100", "\x8A\x8B"},
    {"❤ + VS16 -> one 〓", "\u2764\uFE0F", "\x81\xAC"},
    {"ZWJ between letters -> nothing", "a\u200Db", "ab"},
    {"BOM -> nothing",
     "\uFEFF"
     "abc",
     "abc"},
    {"soft hyphen -> nothing", "co\u00ADop", "coop"},
    {"family 👨‍👩‍👧 -> three 〓", "\U0001F468\u200D\U0001F469\u200D\U0001F467",
     "\x81\xAC\x81\xAC\x81\xAC"},
    {"flag of England (tags) -> one 〓",
     "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "\x81\xAC"},
    // O6
    {"😀 U+1F600 -> 〓", "\U0001F600", "\x81\xAC"},
    {"𠮷 U+20BB7 -> 〓", "\U00020BB7", "\x81\xAC"},
    {"Hangul 한 -> 〓", "한", "\x81\xAC"},
    {"é U+00E9 -> 〓", "\u00E9", "\x81\xAC"},
    {"U+0080 (C1 control) -> 〓", "\xC2\x80", "\x81\xAC"},
    {"one 〓 per character, text kept", "a😀b𠮷c",
     "a\x81\xAC"
     "b\x81\xAC"
     "c"},
    {"吉野家 with 𠮷", "\U00020BB7野家", "\x81\xAC\x96\xEC\x89\xC6"},
    // O7
    {"lone 0xFF -> 〓", "\xFF", "\x81\xAC"},
    {"lone continuation 0x80 -> 〓", "a\x80z",
     "a\x81\xAC"
     "z"},
    {"truncated 猫 E7 8C -> one 〓", "\xE7\x8C", "\x81\xAC"},
    {"truncated 猫 then ASCII keeps the ASCII", "\xE7\x8Cx",
     "\x81\xAC"
     "x"},
    {"overlong C0 AF -> two 〓", "\xC0\xAF", "\x81\xAC\x81\xAC"},
    {"surrogate ED A0 80 -> three 〓", "\xED\xA0\x80", "\x81\xAC\x81\xAC\x81\xAC"},
    {"above U+10FFFF F4 90 80 80 -> four 〓", "\xF4\x90\x80\x80",
     "\x81\xAC\x81\xAC\x81\xAC\x81\xAC"},
    {"Shift_JIS bytes given as UTF-8 (表示)", "\x95\x5C\x8E\xA6", "\x81\xAC\\\x81\xAC\x81\xAC"},
};

TEST(Cp932, Utf8ToSjisNamedCases) {
  for (const EncodeCase& c : kEncodeCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(HexBytes(Utf8ToSjis(c.utf8)), HexBytes(c.sjis));
  }
}

struct DecodeCase {
  const char* what;
  std::string sjis;
  std::string utf8;
};

const DecodeCase kDecodeCases[] = {
    {"empty", "", ""},
    {"ASCII", "Neko 2026", "Neko 2026"},
    {"NUL", B(std::string_view("\0", 1)), B(std::string_view("\0", 1))},
    // I1
    {"0x5C -> U+005C, 0x7E -> U+007E", "\x5C\x7E", "\\~"},
    {"0x7F is ASCII", "\x7F", "\x7F"},
    // I2
    {"0xA1 -> U+FF61", "\xA1", "\uFF61"},
    {"0xDF -> U+FF9F", "\xDF", "\uFF9F"},
    {"ｼｵﾘ", "\xBC\xB5\xD8", "ｼｵﾘ"},
    // I3
    {"表 0x95 0x5C", "\x95\x5C", "表"},
    {"ソ 0x83 0x5C", "\x83\x5C", "ソ"},
    {"能 0x94 0x5C", "\x94\x5C", "能"},
    {"十 0x8F 0x5C", "\x8F\x5C", "十"},
    {"表示 ソフト ～ ①", "\x95\x5C\x8E\xA6 \x83\x5C\x83\x74\x83\x67 \x81\x60 \x87\x40",
     "表示 ソフト ～ ①"},
    {"0x8160 -> U+FF5E FULLWIDTH TILDE", "\x81\x60", "\uFF5E"},
    {"0x817C -> U+FF0D", "\x81\x7C", "\uFF0D"},
    {"0x815C -> U+2015", "\x81\x5C", "\u2015"},
    {"0x8161 -> U+2225", "\x81\x61", "\u2225"},
    {"0x8191 0x8192 0x81CA -> ￠￡￢", "\x81\x91\x81\x92\x81\xCA", "\uFFE0\uFFE1\uFFE2"},
    {"0x818F -> ￥", "\x81\x8F", "\uFFE5"},
    {"① 0x8740", "\x87\x40", "①"},
    {"㈱ 0x878A", "\x87\x8A", "㈱"},
    {"Ⅰ 0x8754", "\x87\x54", "Ⅰ"},
    {"Ⅰ IBM 0xFA4A", "\xFA\x4A", "Ⅰ"},
    {"髙 IBM 0xFBFC", "\xFB\xFC", "髙"},
    {"髙 NEC-selected 0xEEE0", "\xEE\xE0", "髙"},
    {"≒ JIS 0x81E0 and NEC 0x8790", "\x81\xE0\x87\x90", "≒≒"},
    {"last IBM code 0xFC4B 黑", "\xFC\x4B", "\u9ED1"},
    {"0x81 0x41 (ASCII-range trail) is 、", "\x81\x41", "\u3001"},
    // I4
    {"0xF040 -> 〓", "\xF0\x40", "〓"},
    {"docomo 0xF89F -> 〓", "\xF8\x9F", "〓"},
    {"docomo number key 1 0xF987 -> 〓", "\xF9\x87", "〓"},
    {"0xF9FC -> 〓", "\xF9\xFC", "〓"},
    {"user-defined area between text",
     "a\xF9\x87"
     "b\xF0\x40\x95\x5C",
     "a〓b〓表"},
    {"0x81AC is 〓 too", "\x81\xAC", "〓"},
};

TEST(Cp932, SjisToUtf8NamedCases) {
  for (const DecodeCase& c : kDecodeCases) {
    SCOPED_TRACE(c.what);
    const Result<std::string> r = SjisToUtf8(c.sjis);
    ASSERT_TRUE(r.ok()) << r.status().message();
    EXPECT_EQ(*r, c.utf8);
    EXPECT_TRUE(IsValidUtf8(*r));
  }
}

struct ErrorCase {
  const char* what;
  std::string sjis;
  std::string message;  // the whole message
};

const ErrorCase kErrorCases[] = {
    {"lone 0x80", "\x80", "invalid Shift_JIS byte 0x80 at offset 0"},
    {"0x80 after ASCII", "abc\x80", "invalid Shift_JIS byte 0x80 at offset 3"},
    {"lone 0xA0", "\xA0", "invalid Shift_JIS byte 0xA0 at offset 0"},
    {"lone 0xFD", "x\xFD", "invalid Shift_JIS byte 0xFD at offset 1"},
    {"lone 0xFE", "\x95\x5C\xFE", "invalid Shift_JIS byte 0xFE at offset 2"},
    {"lone 0xFF",
     "\xFF"
     "abc",
     "invalid Shift_JIS byte 0xFF at offset 0"},
    {"truncated lead 0x81", "abc\x81",
     "truncated Shift_JIS character: lead byte 0x81 at offset 3 ends the input"},
    {"truncated lead 0xFC after 表", "\x95\x5C\xFC",
     "truncated Shift_JIS character: lead byte 0xFC at offset 2 ends the input"},
    {"truncated user-defined lead 0xF9", "\xF9",
     "truncated Shift_JIS character: lead byte 0xF9 at offset 0 ends the input"},
    {"0x81 0x20: space is no trail, and is not swallowed", "\x81\x20",
     "invalid Shift_JIS trail byte 0x20 after lead byte 0x81 at offset 0"},
    {"0x81 0x7F",
     "a\x81\x7F"
     "b",
     "invalid Shift_JIS trail byte 0x7F after lead byte 0x81 at offset 1"},
    {"0x81 0xFD", "\x81\xFD", "invalid Shift_JIS trail byte 0xFD after lead byte 0x81 at offset 0"},
    {"0x81 0x0A (newline)", "\x81\n",
     "invalid Shift_JIS trail byte 0x0A after lead byte 0x81 at offset 0"},
    {"0x81 0x3F: just below the trail range", "\x81\x3F",
     "invalid Shift_JIS trail byte 0x3F after lead byte 0x81 at offset 0"},
    {"user-defined lead with a bad trail", "\xF0\x20",
     "invalid Shift_JIS trail byte 0x20 after lead byte 0xF0 at offset 0"},
    {"unassigned 0x85 0x40", "\x85\x40", "unassigned Shift_JIS code 0x85 0x40 at offset 0"},
    {"unassigned 0x81 0xAD", "xy\x81\xAD", "unassigned Shift_JIS code 0x81 0xAD at offset 2"},
    {"unassigned 0xFC 0x4C (after the last IBM code)", "\xFC\x4C",
     "unassigned Shift_JIS code 0xFC 0x4C at offset 0"},
    {"unassigned 0xEB 0x40", "\xEB\x40", "unassigned Shift_JIS code 0xEB 0x40 at offset 0"},
    {"unassigned 0x87 0x9D (after NEC row 13)", "\x87\x9D",
     "unassigned Shift_JIS code 0x87 0x9D at offset 0"},
    // the first error in the input is the one reported
    {"unassigned before a lone byte", "\x85\x40\x80",
     "unassigned Shift_JIS code 0x85 0x40 at offset 0"},
    {"bad trail before unassigned", "\x81\x20\x85\x40",
     "invalid Shift_JIS trail byte 0x20 after lead byte 0x81 at offset 0"},
    {"offset counts user-defined characters as 2 bytes", "\xF0\x40\x80",
     "invalid Shift_JIS byte 0x80 at offset 2"},
    {"unassigned after the user-defined area",
     "\xF0\x40"
     "a\x85\x40",
     "unassigned Shift_JIS code 0x85 0x40 at offset 3"},
    {"two unassigned: the first", "ab\x86\x40\x85\x40",
     "unassigned Shift_JIS code 0x86 0x40 at offset 2"},
};

TEST(Cp932, SjisToUtf8RefusesInvalidInput) {
  for (const ErrorCase& c : kErrorCases) {
    SCOPED_TRACE(c.what);
    const Result<std::string> r = SjisToUtf8(c.sjis);
    ASSERT_FALSE(r.ok()) << "decoded to " << HexBytes(*r);
    EXPECT_EQ(r.status().code(), Status::Code::kInvalid);
    EXPECT_EQ(r.status().message(), c.message);
  }
}

struct FitsCase {
  const char* what;
  std::string utf8;
  bool fits;
};

const FitsCase kFitsCases[] = {
    {"empty", "", true},
    {"ASCII", "Neko 2026 \\~", true},
    {"猫", "猫", true},
    {"①", "①", true},
    {"～ U+FF5E", "\uFF5E", true},
    {"〜 U+301C (O1)", "\u301C", true},
    {"− U+2212 (O1)", "\u2212", true},
    {"¥ (O1)", "\u00A5", true},
    {"髙", "髙", true},
    {"〓 itself", "〓", true},
    {"docomo U+E6E2 has a CP932 form", "\uE6E2", true},
    {"葛 + IVS (O5)", "葛\U000E0100", true},
    {"😀", "\U0001F600", false},
    {"𠮷", "\U00020BB7", false},
    {"猫😀", "猫\U0001F600", false},
    {"é", "\u00E9", false},
    {"❤ + VS16", "\u2764\uFE0F", false},
    {"U+E758", "\uE758", false},
    {"invalid UTF-8", "\xE7\x8C", false},
};

TEST(Cp932, FitsSjis) {
  for (const FitsCase& c : kFitsCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(FitsSjis(c.utf8), c.fits);
  }
}

TEST(Cp932, ConverterIsAvailable) {
  const Status s = CheckSjisSupport();
  EXPECT_TRUE(s.ok()) << s.message();
}

// A long input crosses iconv's slices and buffer growth, with 0x5C trail bytes everywhere.
TEST(Cp932, LongTextBothWays) {
  std::string utf8, sjis, back_expected;
  for (int i = 0; i < 20000; ++i) {
    utf8 += "表示ｼｵﾘ～①a\u00A5😀";
    sjis +=
        "\x95\x5C\x8E\xA6\xBC\xB5\xD8\x81\x60\x87\x40"
        "a\x81\x8F\x81\xAC";
    back_expected += "表示ｼｵﾘ～①a\uFFE5〓";
  }
  EXPECT_TRUE(Utf8ToSjis(utf8) == sjis);
  const Result<std::string> back = SjisToUtf8(sjis);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(*back == back_expected);
}

// "Every function may be called from any thread": no shared iconv_t.
TEST(Cp932, ConcurrentCalls) {
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &failures] {
      for (int i = 0; i < 2000; ++i) {
        const std::string sjis = Utf8ToSjis("表示 ソフト ～ ① 😀");
        const Result<std::string> back = SjisToUtf8(sjis);
        if (!back.ok() || *back != "表示 ソフト ～ ① 〓") ++failures[t];
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace shiori::charset
