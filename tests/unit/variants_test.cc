// Tests for charset/variants.h: the variant kanji a patron must find (森鴎外 finds
// 森鷗外), the distinct characters that never meet, and the table as a whole:
// what the build compiled is charset/data/kanji-variants.txt, the fold is
// idempotent, and every canonical form a Shift_JIS phone can type.
#include "charset/variants.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "charset/charset.h"

namespace shiori::charset {
namespace {

std::string Utf8(char32_t c) {
  std::string s;
  AppendUtf8(s, c);
  return s;
}

char32_t One(const std::string& s) {
  const std::u32string u = ToUtf32(s);
  EXPECT_EQ(u.size(), 1u) << s;
  return u.empty() ? 0 : u[0];
}

std::string Hex(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(c));
  return buf;
}

// True when JIS X 0208 holds `c`: its CP932 form is in the JIS rows, not in
// NEC row 13 (0x87) nor the NEC-selected (0xED, 0xEE) or IBM (0xFA..0xFC)
// extensions, which JIS X 0208 phones and ISO-2022-JP mail lack.
bool InJisX0208(char32_t c) {
  const std::string s = Utf8(c);
  if (!FitsSjis(s)) return false;
  const std::string sjis = Utf8ToSjis(s);
  if (sjis.size() != 2) return false;
  const auto lead = static_cast<unsigned char>(sjis[0]);
  return (lead >= 0x81 && lead <= 0x84) || (lead >= 0x88 && lead <= 0x9F) ||
         (lead >= 0xE0 && lead <= 0xEA);
}

class VariantsTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(CheckSjisSupport().ok()); }
};

// Pairs of a variant and its canonical form, separated by spaces.
std::vector<std::pair<char32_t, char32_t>> Pairs(std::string_view s) {
  std::vector<std::pair<char32_t, char32_t>> out;
  const std::u32string u = ToUtf32(s);
  for (size_t i = 0; i + 1 < u.size(); i += 3) out.emplace_back(u[i], u[i + 1]);
  return out;
}

TEST_F(VariantsTest, RequiredPairs) {
  const char* const kPairs =
      // What patrons must find: 森鴎外 finds 森鷗外, 渡辺 finds 渡邊 and 渡邉.
      "鷗鴎 澤沢 邊辺 邉辺 齋斎 齊斉 髙高 \uFA11崎 濱浜 廣広 櫻桜 國国 "
      "學学 德徳 惠恵 瀧滝 嶋島 圓円 眞真 實実 壽寿 藝芸 龍竜 "
      // More old forms (旧字体) of joyo and jinmei kanji, and name variants.
      "亞亜 惡悪 圍囲 醫医 榮栄 驛駅 應応 假仮 會会 樂楽 氣気 "
      "舊旧 區区 經経 縣県 權権 號号 黑黒 濟済 雜雑 參参 兒児 "
      "辭辞 寫写 從従 將将 條条 觸触 圖図 數数 聲声 戰戦 淺浅 "
      "總総 藏蔵 對対 體体 臺台 團団 斷断 遲遅 晝昼 聽聴 鐵鉄 "
      "轉転 傳伝 當当 黨党 獨独 讀読 發発 拜拝 賣売 佛仏 變変 "
      "寶宝 萬万 滿満 藥薬 譯訳 豫予 餘余 與与 來来 亂乱 兩両 "
      "禮礼 靈霊 歷歴 勞労 灣湾 缺欠 廳庁 燈灯 穗穂 靜静 祿禄 "
      "檜桧 彌弥 遙遥 堯尭 槇槙 冨富 峯峰 舘館 濵浜 栁柳 桒桑 "
      "嶌島 嵜崎 﨟臘 﨔欅 剝剥 頰頬 塡填 \U00020B9F叱 繫繋 蟬蝉 醬醤 "
      "麴麹 麵麺 穐秋 龝秋 "
      // The three old forms that the reform wrote 弁.
      "辨弁 瓣弁 辯弁 ";
  const auto pairs = Pairs(kPairs);
  EXPECT_EQ(pairs.size(), 129u);
  for (const auto& [variant, canonical] : pairs) {
    SCOPED_TRACE(Utf8(variant) + " -> " + Utf8(canonical));
    EXPECT_EQ(FoldKanjiVariant(variant), canonical);
    EXPECT_EQ(FoldKanjiVariant(canonical), canonical) << "a canonical form stays";
  }
}

TEST_F(VariantsTest, DistinctCharactersNeverMeet) {
  const char* const kApart[] = {
      "崎埼", "坂阪", "土士", "斎斉", "齋齊", "己已巳", "未末", "冶治", "析折", "祟崇",
      "著着", "界堺", "柿杮", "栅棚", "以已", "乙隠",   "売殻", "某梅", "潟瀉", "井丼",
  };
  for (const char* chars : kApart) {
    const std::u32string u = ToUtf32(chars);
    for (size_t i = 0; i < u.size(); ++i) {
      for (size_t j = i + 1; j < u.size(); ++j) {
        EXPECT_NE(FoldKanjiVariant(u[i]), FoldKanjiVariant(u[j]))
            << Utf8(u[i]) << " and " << Utf8(u[j]) << " must stay apart";
      }
    }
  }
}

TEST_F(VariantsTest, OtherCharactersStay) {
  for (char32_t c : {U'a', U'1', U'あ', U'ア', U'ー', U'々', U'〓', U'猫', U'鴎', U'辺', U'弁',
                     U'\uFFFD', U'\U0001F600', U'\U0010FFFF', U'\0'}) {
    EXPECT_EQ(FoldKanjiVariant(c), c) << Hex(c);
  }
}

TEST_F(VariantsTest, Strings) {
  EXPECT_EQ(FoldKanjiVariants("森鷗外"), "森鴎外");
  EXPECT_EQ(FoldKanjiVariants("宮澤賢治"), "宮沢賢治");
  EXPECT_EQ(FoldKanjiVariants("渡邊 渡邉 渡辺"), "渡辺 渡辺 渡辺");
  EXPECT_EQ(FoldKanjiVariants("髙橋・山\uFA11・齋藤・濱田"), "高橋・山崎・斎藤・浜田");
  EXPECT_EQ(FoldKanjiVariants("ABC あいう 猫"), "ABC あいう 猫");
  EXPECT_EQ(FoldKanjiVariants(""), "");
  // Invalid UTF-8 is kept byte for byte, the characters around it fold.
  EXPECT_EQ(FoldKanjiVariants("國\xE7\x8C\x80\xFF學"), "国\xE7\x8C\x80\xFF学");
  EXPECT_EQ(FoldKanjiVariants("\xE9\xB7"), "\xE9\xB7");  // half of 鷗
}

// The table the build compiled is the committed file, pair for pair.
TEST_F(VariantsTest, TableIsTheCommittedFile) {
  std::ifstream in(SHIORI_SOURCE_DIR "/charset/data/kanji-variants.txt");
  ASSERT_TRUE(in) << "charset/data/kanji-variants.txt";
  std::map<char32_t, char32_t> file;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t tab = line.find('\t');
    ASSERT_NE(tab, std::string::npos) << line;
    const size_t end = line.find('\t', tab + 1);
    const char32_t v = One(line.substr(0, tab));
    const char32_t c = One(line.substr(tab + 1, end == std::string::npos ? end : end - tab - 1));
    EXPECT_TRUE(file.emplace(v, c).second) << line;
  }
  const KanjiVariantTable table = AllKanjiVariants();
  ASSERT_EQ(table.size(), file.size());
  auto f = file.begin();
  for (const KanjiVariant* e = table.begin; e != table.end; ++e, ++f) {
    EXPECT_EQ(e->variant, f->first);
    EXPECT_EQ(e->canonical, f->second) << Utf8(e->variant);
    EXPECT_EQ(FoldKanjiVariant(e->variant), e->canonical) << Utf8(e->variant);
  }
}

// Plausible: the old forms of the joyo and jinmei kanji alone are some 500.
TEST_F(VariantsTest, TableSize) {
  const size_t n = AllKanjiVariants().size();
  RecordProperty("pairs", static_cast<int>(n));
  EXPECT_GE(n, 1000u);
  EXPECT_LE(n, 3000u);
}

// A canonical form is no variant: folding twice is folding once.
TEST_F(VariantsTest, Idempotent) {
  const KanjiVariantTable table = AllKanjiVariants();
  for (const KanjiVariant* e = table.begin; e != table.end; ++e) {
    EXPECT_NE(e->variant, e->canonical);
    EXPECT_EQ(FoldKanjiVariant(e->canonical), e->canonical)
        << Utf8(e->variant) << " -> " << Utf8(e->canonical) << " folds again";
    EXPECT_EQ(FoldKanjiVariant(FoldKanjiVariant(e->variant)), FoldKanjiVariant(e->variant));
  }
}

// Whenever JIS X 0208 holds one character of a class, it holds the canonical
// form, so a Shift_JIS phone can type what the index holds.
TEST_F(VariantsTest, CanonicalFormsAreTypeableOnShiftJisPhones) {
  const KanjiVariantTable table = AllKanjiVariants();
  std::map<char32_t, bool> class_in_jis;  // canonical -> some member in JIS X 0208
  for (const KanjiVariant* e = table.begin; e != table.end; ++e) {
    class_in_jis[e->canonical] = class_in_jis[e->canonical] || InJisX0208(e->variant);
  }
  size_t typeable = 0;
  for (const auto& [canonical, any] : class_in_jis) {
    const bool in = InJisX0208(canonical);
    if (any) {
      EXPECT_TRUE(in) << Utf8(canonical) << " " << Hex(canonical)
                      << " is not JIS X 0208 but a variant of it is";
    }
    if (in) {
      ++typeable;
      EXPECT_TRUE(FitsSjis(Utf8(canonical))) << Utf8(canonical);
    }
  }
  // Most classes have a JIS X 0208 member: the rest are rare pairs of JIS X 0213.
  EXPECT_GT(typeable, class_in_jis.size() * 8 / 10);
  EXPECT_TRUE(InJisX0208(U'鴎'));
  EXPECT_FALSE(InJisX0208(U'鷗'));
  EXPECT_FALSE(InJisX0208(U'髙'));  // CP932 has it, among the IBM extensions
}

// Keys are what NFKC leaves: no CJK compatibility ideograph that NFKC maps
// (U+F900..U+FAFF but the twelve unified ones, U+2F800..U+2FA1F).
TEST_F(VariantsTest, KeysAreNfkcStable) {
  const std::u32string kUnified =
      U"\uFA0E\uFA0F\uFA11\uFA13\uFA14\uFA1F\uFA21\uFA23\uFA24\uFA27"
      U"\uFA28\uFA29";
  const KanjiVariantTable table = AllKanjiVariants();
  for (const KanjiVariant* e = table.begin; e != table.end; ++e) {
    for (char32_t c : {e->variant, e->canonical}) {
      const bool compatibility = (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
      EXPECT_TRUE(!compatibility || kUnified.find(c) != std::u32string::npos) << Hex(c);
      EXPECT_EQ(Classify(c), CharClass::kCjk) << Hex(c);
    }
  }
}

// Nanoseconds a character, the best of five runs over `text`.
double NsPerChar(const std::u32string& text, int rounds) {
  double best = 1e9;
  for (int run = 0; run < 5; ++run) {
    char32_t sink = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int r = 0; r < rounds; ++r) {
      for (char32_t c : text) sink ^= FoldKanjiVariant(c);
    }
    const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - start;
    EXPECT_NE(sink, 0xFFFFFFFFu);  // uses the result
    best = std::min(best, took.count() / (static_cast<double>(rounds) * text.size()));
  }
  return best;
}

// A record of 200 characters is folded in well under a microsecond: importing
// a million records at 20,000 a second leaves 50 µs a record for everything.
TEST_F(VariantsTest, Cheap) {
  const std::u32string text = ToUtf32(
      "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
      "東京大学出版会 2020 日本の近代文学 ISBN 978-4-13-000000-0");
  const std::u32string names = ToUtf32("森鷗外 宮澤賢治 渡邊 髙橋 齋藤 濱田 國學院大學 櫻井");
  std::u32string variants;
  const KanjiVariantTable table = AllKanjiVariants();
  for (const KanjiVariant* e = table.begin; e != table.end; ++e) variants += e->variant;
  const double ns_text = NsPerChar(text, 20000);
  const double ns_names = NsPerChar(names, 20000);
  const double ns_variants = NsPerChar(variants, 500);
  std::printf("FoldKanjiVariant, ns a character: %.1f text, %.1f names, %.1f only variants\n",
              ns_text, ns_names, ns_variants);
  RecordProperty("ns_per_char_text", std::to_string(ns_text));
  RecordProperty("ns_per_char_variants", std::to_string(ns_variants));
  // Generous bounds, for sanitizer builds (some 80 and 600 ns) on a shared
  // machine: they catch a lookup that scans the table.
  EXPECT_LT(ns_text, 1000.0);
  EXPECT_LT(ns_variants, 5000.0);
}

}  // namespace
}  // namespace shiori::charset
