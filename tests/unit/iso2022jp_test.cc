// Tests for the ISO-2022-JP half of charset/charset.h (rules M1..M7): exact bytes for a few
// lines, each rule case by case decoded back with glibc, and the pieces' promises (length,
// ASCII mode at both ends, each decodes alone).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "charset/charset.h"
#include "tests/mail_decode.h"

namespace shiori::charset {
namespace {

using test::Iconv;

std::vector<std::string> Pieces(std::string_view utf8, size_t max_bytes) {
  auto r = Utf8ToIso2022Jp(utf8, max_bytes);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? *r : std::vector<std::string>{};
}

// Every piece decoded alone, concatenated.
std::string Decoded(const std::vector<std::string>& pieces) {
  std::string out;
  for (const std::string& p : pieces) out += Iconv(p, "ISO-2022-JP");
  return out;
}

TEST(Iso2022Jp, ExactBytes) {
  using V = std::vector<std::string>;
  EXPECT_EQ(Pieces("", 76), V{""});
  EXPECT_EQ(Pieces("\r\n\x1B", 76), V{""});  // M1: nothing left is one empty piece
  EXPECT_EQ(Pieces("abc\tdef", 76), V{"abc\tdef"});
  EXPECT_EQ(Pieces("図書館", 76), V{"\x1B$B?^=q4[\x1B(B"});
  EXPECT_EQ(Pieces("資料名: 猫", 76), V{"\x1B$B;qNAL>\x1B(B: \x1B$BG-\x1B(B"});
  // M7: cut between characters so that each piece with its escapes fits.
  EXPECT_EQ(Pieces("図書館", 8), (V{"\x1B$B?^\x1B(B", "\x1B$B=q\x1B(B", "\x1B$B4[\x1B(B"}));
  EXPECT_EQ(Pieces("図書館", 10), (V{"\x1B$B?^=q\x1B(B", "\x1B$B4[\x1B(B"}));
  EXPECT_EQ(Pieces("ab図", 10), V{"ab\x1B$B?^\x1B(B"});
  EXPECT_EQ(Pieces("ab図", 9), (V{"ab", "\x1B$B?^\x1B(B"}));
}

TEST(Iso2022Jp, RulesCaseByCase) {
  struct Case {
    const char* rule;
    const char* in;
    const char* want;
  } cases[] = {
      {"M1", "a\x1B$Bb", "a$Bb"},          // ESC from the input is dropped
      {"M1", "a\x7F\xC2\x85\x01z", "az"},  // DEL, C1 and C0 too
      {"M1", "a\tb", "a\tb"},              // TAB stays
      {"M2", "葛\xF3\xA0\x84\x80", "葛"},  // ideographic variation selector
      {"M2", "❤\xEF\xB8\x8F", "〓"},       // VS16: one 〓, not two
      {"M2", "a\u200Db", "ab"},            // ZWJ
      {"M3", "～－∥—", "〜−‖―"},
      {"M3", "￠￡￢¥‾", "¢£¬￥￣"},
      {"M3", "髙﨑德濵栁塚𠮷", "高崎徳濱柳塚吉"},
      {"M4", "…ＡＢ〓", "…ＡＢ〓"},  // carried as they are, no NFKC
      {"M5", "①②㈱", "12(株)"},
      {"M5", "Ⅲ巻 № ㍉", "III巻 No ミリ"},
      {"M5", "ｶﾀｶﾅ ﾊﾟﾝ ｶﾞｲﾄﾞ", "カタカナ パン ガイド"},
      {"M6", "한국 é 😀 𠀋", "〓〓 〓 〓 〓"},
      {"M6", "∮∟⊿", "〓〓〓"},                         // NEC row 13 only: not in JIS X 0208
      {"M6", "bad\xFFutf8 \xE3\x81", "bad〓utf8 〓"},  // one 〓 per ill-formed subsequence
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(std::string(k.rule) + ": " + k.in);
    EXPECT_EQ(Decoded(Pieces(k.in, 76)), k.want);
  }
}

TEST(Iso2022Jp, EveryPieceFitsEndsInAsciiAndDecodesAlone) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += (i % 7 == 3) ? "A" : (i % 11 == 5) ? "😀" : "図";
  std::string want;
  for (int i = 0; i < 200; ++i) want += (i % 7 == 3) ? "A" : (i % 11 == 5) ? "〓" : "図";
  for (size_t limit : {size_t{8}, size_t{9}, size_t{36}, size_t{76}, size_t{1000}}) {
    SCOPED_TRACE(limit);
    const std::vector<std::string> pieces = Pieces(text, limit);
    for (const std::string& p : pieces) {
      EXPECT_LE(p.size(), limit);
      for (unsigned char ch : p) EXPECT_LT(ch, 0x80);
      const size_t last_escape = p.rfind('\x1B');
      if (last_escape != std::string::npos) {
        EXPECT_EQ(p.substr(last_escape, 3), "\x1B(B") << "ends in ASCII mode";
      }
    }
    EXPECT_EQ(Decoded(pieces), want);
    if (limit < 1000) {
      EXPECT_GT(pieces.size(), 1u);
    } else {
      EXPECT_EQ(pieces.size(), 1u);
    }
  }
}

}  // namespace
}  // namespace shiori::charset
