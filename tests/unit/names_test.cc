// Tests for the identity-input normalisers of charset/charset.h: names in kana,
// digits of phone and card numbers, passwords typed in full-width.
#include <gtest/gtest.h>

#include <string>

#include "charset/charset.h"

namespace shiori::charset {
namespace {

struct Case {
  const char* what;
  std::string in;
  std::string want;
};

const Case kNameCases[] = {
    // The guide's name, as patrons type it.
    {"katakana with space", "イズミ キョウコ", "イズミキヨウコ"},
    {"hiragana without space", "いずみきょうこ", "イズミキヨウコ"},
    {"hiragana with space", "いずみ きょうこ", "イズミキヨウコ"},
    {"half-width with voiced mark", "ｲｽﾞﾐ ｷｮｳｺ", "イズミキヨウコ"},
    {"large ヨ as the guide advises", "イズミ キヨウコ", "イズミキヨウコ"},
    {"full-width space", "イズミ　キヨウコ", "イズミキヨウコ"},
    {"middle dot", "イズミ・キョウコ", "イズミキヨウコ"},
    {"half-width middle dot", "ｲｽﾞﾐ･ｷｮｳｺ", "イズミキヨウコ"},
    {"latin middle dot", "イズミ·キョウコ", "イズミキヨウコ"},
    {"several spaces and a tab", "  イズミ \t キョウコ ", "イズミキヨウコ"},
    {"combining voiced mark", "イス\u3099ミ", "イズミ"},
    {"spacing voiced mark after a space", "イス゛ミ", "イズミ"},
    // Marks that stay.
    {"prolonged sound mark kept", "ユーコ", "ユーコ"},
    {"half-width prolonged sound mark", "ﾕｰｺ", "ユーコ"},
    {"hyphen is not ー", "ユ-コ", "ユコ"},
    {"ヴ stays", "ヴィクトル", "ヴイクトル"},
    {"ゔ becomes ヴ", "ゔぃくとる", "ヴイクトル"},
    {"half-width ｳﾞ", "ｳﾞｨｸﾄﾙ", "ヴイクトル"},
    {"ガ via ｶﾞ", "ｶﾞﾓｳ", "ガモウ"},
    {"パ via ﾊﾟ", "ﾊﾟｸ", "パク"},
    // Small kana.
    {"ッ becomes ツ", "ハットリ", "ハツトリ"},
    {"ツ stays", "ハツトリ", "ハツトリ"},
    {"small ァィゥェォ", "ァィゥェォ", "アイウエオ"},
    {"small hiragana ぁぃぅぇぉっゃゅょゎ", "ぁぃぅぇぉっゃゅょゎ", "アイウエオツヤユヨワ"},
    {"small ヮヵヶ", "ヮヵヶ", "ワカケ"},
    {"small hiragana ゕゖ", "ゕゖ", "カケ"},
    {"Ainu small ㇰㇿ", "ㇰㇿ", "クロ"},
    // Hyphens and dashes.
    {"ASCII hyphen", "サトウ-ハナコ", "サトウハナコ"},
    {"hyphen U+2010", "サトウ‐ハナコ", "サトウハナコ"},
    {"en dash U+2013", "サトウ–ハナコ", "サトウハナコ"},
    {"em dash U+2014", "サトウ—ハナコ", "サトウハナコ"},
    {"horizontal bar U+2015", "サトウ―ハナコ", "サトウハナコ"},
    {"minus U+2212", "サトウ−ハナコ", "サトウハナコ"},
    {"full-width hyphen-minus U+FF0D", "サトウ－ハナコ", "サトウハナコ"},
    // Edges.
    {"empty", "", ""},
    {"only separators", " ・　-", ""},
    {"ヽヾ iteration marks", "ゝゞ", "ヽヾ"},
    {"invalid byte dropped", "イズ\xFFミ", "イズミ"},
    {"kanji passes through", "出水", "出水"},
    {"full-width latin to ASCII", "ＡＢＣ", "ABC"},
};

TEST(NormalizeNameKanaTest, Table) {
  for (const auto& c : kNameCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(NormalizeNameKana(c.in), c.want);
  }
}

TEST(SameNameKanaTest, AHyphenAfterAKanaMayStandForTheProlongedMark) {
  EXPECT_TRUE(SameNameKana("ゆ-こ", "ユーコ"));
  EXPECT_TRUE(SameNameKana("ﾕ-ｺ", "ユーコ"));
  EXPECT_TRUE(SameNameKana("ユ－コ", "ユーコ"));  // full-width hyphen-minus
  EXPECT_FALSE(SameNameKana("サトウ-ユ-コ", "サトウ ユーコ"))
      << "one hyphen a separator and the other ー: not both readings at once";
  EXPECT_TRUE(SameNameKana("サトウ-ハナコ", "サトウ ハナコ"));  // a separator, as before
  EXPECT_TRUE(SameNameKana("サトウ ハナコ", "サトウ ハナコ"));
  EXPECT_FALSE(SameNameKana("ユ -コ", "ユーコ")) << "after a space it separates";
  EXPECT_FALSE(SameNameKana("ユ・-コ", "ユーコ")) << "after ・ too";
  EXPECT_FALSE(SameNameKana("ユコ", "ユーコ"));
  EXPECT_FALSE(SameNameKana("", ""));
}

TEST(NormalizeNameKanaTest, GuideFormsAreOneName) {
  const std::string want = NormalizeNameKana("イズミ キョウコ");
  for (const char* typed :
       {"いずみ きょうこ", "ｲｽﾞﾐ ｷｮｳｺ", "イズミ　キヨウコ", "イズミ・キョウコ"}) {
    SCOPED_TRACE(typed);
    EXPECT_EQ(NormalizeNameKana(typed), want);
  }
  EXPECT_NE(NormalizeNameKana("いずみきよおこ"), want);  // オ for ウ is another name
  EXPECT_NE(NormalizeNameKana("イスミキョウコ"), want);  // so is ス for ズ
}

const Case kDigitCases[] = {
    {"hyphens", "0996-63-1111", "0996631111"},
    {"brackets", "(0996)63-1111", "0996631111"},
    {"full-width with ー for hyphens", "０９９６ー６３ー１１１１", "0996631111"},
    {"full-width hyphen-minus", "０９９６－６３－１１１１", "0996631111"},
    {"spaces", " 0996 63 1111 ", "0996631111"},
    {"full-width brackets and space", "（０９９６）６３　１１１１", "0996631111"},
    {"mobile", "090-1234-5555", "09012345555"},
    {"nothing but digits", "0996631111", "0996631111"},
    {"no digits", "でんわ", ""},
    {"empty", "", ""},
    {"circled digits are not digits", "①②", ""},
    {"invalid byte dropped",
     "09\xFF"
     "96",
     "0996"},
};

TEST(NormalizeDigitsTest, Table) {
  for (const auto& c : kDigitCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(NormalizeDigits(c.in), c.want);
  }
}

const Case kPasswordCases[] = {
    {"full-width letters and digits", "ＡＢＣ１２３", "ABC123"},
    {"full-width lower case kept lower", "ａｂｃ", "abc"},
    {"case kept", "NeKo2026", "NeKo2026"},
    {"mixed widths", "ｎｅｋｏ2026", "neko2026"},
    {"full-width symbols become ASCII", "！＠～", "!@~"},
    {"ideographic space unchanged", "ab　cd", "ab　cd"},
    {"kana unchanged", "ねこ", "ねこ"},
    {"half-width kana unchanged", "ﾈｺ", "ﾈｺ"},
    {"invalid bytes kept", "ab\xFF", "ab\xFF"},
    {"empty", "", ""},
};

TEST(NormalizePasswordTest, Table) {
  for (const auto& c : kPasswordCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(NormalizePassword(c.in), c.want);
  }
}

const Case kNfkcCases[] = {
    {"full-width letters and digits, case kept", "ＳＤＧｓケイザイ ダイ２３カン",
     "SDGsケイザイ ダイ23カン"},
    {"half-width katakana widened, voiced marks joined", "ｹｲｻﾞｲ ﾊﾟﾝ", "ケイザイ パン"},
    {"half-width prolonged mark and middle dot", "ｽｰﾊﾟｰ･ﾏﾝ", "スーパー・マン"},
    {"ideographic space", "ア　イ", "ア イ"},
    {"hiragana and katakana stay", "ねこ ネコ", "ねこ ネコ"},
    {"circled digit", "①", "1"},
    {"invalid byte dropped",
     "ab\xFF"
     "c",
     "abc"},
    {"empty", "", ""},
};

TEST(NfkcTest, Table) {
  for (const auto& c : kNfkcCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(Nfkc(c.in), c.want);
  }
}

}  // namespace
}  // namespace shiori::charset
