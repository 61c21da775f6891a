// Unit tests of the search's forgiveness on a real SQLite file: readings as
// spoken and as typed, an exact title first however many records match, and
// the second try that says 「もしかして」.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "tests/unit/catalogue_db.h"

namespace shiori::db {
namespace {

std::string Folded(const char* s) {
  std::u32string f = charset::FoldForSearch(s);
  charset::FoldReading(f);
  return charset::ToUtf8(f);
}

TEST(FoldReading, ParticlesSmallKanaVoicingAndTheLongVowelAsPatronsTypeThem) {
  EXPECT_EQ(Folded("ワガハイ ワ ネコ デ アル"), Folded("わがはい は ねこ で ある"));
  EXPECT_EQ(Folded("トウキョウ エ"), Folded("とうきょう へ"));
  EXPECT_EQ(Folded("ホン オ ヨム"), Folded("ほん を よむ"));
  EXPECT_EQ(Folded("ボッチャン"), Folded("ぼつちやん"));
  EXPECT_EQ(Folded("コンピューター"), Folded("コンピュータ"));
  EXPECT_EQ(Folded("ヴァイオリン"), Folded("バイオリン"));
  EXPECT_EQ(Folded("ヴィーナス"), Folded("ビーナス"));
  EXPECT_EQ(Folded("ヴ"), Folded("ブ"));
  EXPECT_EQ(Folded("ハナヂ"), Folded("ハナジ"));
  EXPECT_EQ(Folded("ミカヅキ"), Folded("ミカズキ"));
  EXPECT_EQ(Folded("ヶ"), Folded("ケ"));
  EXPECT_EQ(Folded("ゐ ゑ"), Folded("い え"));
  // What is different stays different.
  EXPECT_NE(Folded("ハナ"), Folded("ハマ"));
  EXPECT_NE(Folded("バイオリン"), Folded("パイオリン"));
  EXPECT_NE(Folded("ガン"), Folded("カン"));
}

class ForgivingSearch : public CatalogueDb {
 protected:
  void Put(const std::string& id, const std::string& title, const std::string& kana,
           const std::string& author = "", const std::string& author_kana = "",
           const std::string& volume = "") {
    CatalogRecord r;
    r.source_id = id;
    r.title = title;
    r.title_kana = kana;
    r.volume = volume;
    if (!author.empty()) r.authors = {{author, author_kana, ""}};
    r.copies = {{"b" + id, "chuo", ""}};
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    ASSERT_TRUE(UpsertRecord(*c_, r).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  SearchResult Find(const std::string& text, const std::string& author = "") {
    SearchQuery q;
    q.text = text;
    q.author = author;
    auto r = Search(*c_, q);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : SearchResult{};
  }
  static std::vector<std::string> Titles(const SearchResult& r) {
    std::vector<std::string> t;
    for (const auto& h : r.hits) t.push_back(h.title);
    return t;
  }
};

TEST_F(ForgivingSearch, AReadingIsFoundAsWrittenAndAsSpoken) {
  Put("neko", "吾輩は猫である", "ワガハイ ワ ネコ デ アル", "夏目漱石", "ナツメ ソウセキ");
  Put("botchan", "坊っちゃん", "ボッチャン", "夏目漱石", "ナツメ ソウセキ");
  Put("pc", "コンピューター入門", "コンピューター ニュウモン");
  Put("violin", "ヴァイオリンの歴史", "ヴァイオリン ノ レキシ");
  for (const char* q : {"わがはいはねこである", "わがはいわねこである", "ワガハイハネコデアル"}) {
    EXPECT_EQ(Titles(Find(q)), std::vector<std::string>{"吾輩は猫である"}) << q;
  }
  EXPECT_EQ(Titles(Find("ぼつちやん")), std::vector<std::string>{"坊っちゃん"});
  EXPECT_EQ(Titles(Find("ぼっちゃん")), std::vector<std::string>{"坊っちゃん"});
  EXPECT_EQ(Titles(Find("こんぴゅーた")), std::vector<std::string>{"コンピューター入門"});
  EXPECT_EQ(Titles(Find("コンピュータ")), std::vector<std::string>{"コンピューター入門"});
  EXPECT_EQ(Titles(Find("ばいおりん")), std::vector<std::string>{"ヴァイオリンの歴史"});
  // A reading typed in the author field.
  EXPECT_EQ(Find("", "なつめそうせき").total, 2);
  // Nothing said: the first try found them.
  EXPECT_EQ(Find("ぼつちやん").did_you_mean, "");
}

TEST_F(ForgivingSearch, AKanaTitleKeepsItsKanaAsWritten) {
  // The title itself is not a reading: は in it is not わ.
  Put("hana", "はなのみち", "");
  Put("wana", "わなのみち", "");
  EXPECT_EQ(Titles(Find("はなのみち")), std::vector<std::string>{"はなのみち"});
  EXPECT_EQ(Titles(Find("わなのみち")), std::vector<std::string>{"わなのみち"});
}

TEST_F(ForgivingSearch, AnExactTitleComesFirstBeyondTheRankedCandidates) {
  // The exact title is the oldest of more matches than are ranked.
  Put("old", "猫", "ネコ", "ある著者", "アル チョシャ");
  {
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    for (int i = 0; i < kSearchCandidates + 50; ++i) {
      CatalogRecord r;
      r.source_id = "n" + std::to_string(i);
      r.title = "猫の本 " + std::to_string(i);
      r.title_kana = "ネコ ノ ホン";
      ASSERT_TRUE(UpsertRecord(*c_, r).ok());
    }
    ASSERT_TRUE(tx.Commit().ok());
  }
  SearchResult r = Find("猫");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].title, "猫");
  EXPECT_TRUE(r.capped);
  EXPECT_EQ(r.total, kSearchCandidates) << "「1,000件以上」, not one more";
  // Also as typed with spaces, by its reading, and in the title field.
  EXPECT_EQ(Find("ねこ").hits.at(0).title, "猫");
  SearchQuery q;
  q.title = "猫";
  auto t = Search(*c_, q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->hits.at(0).title, "猫");
  // A filter still applies to it.
  q.year_from = 2000;
  t = Search(*c_, q);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->total, 0);
}

TEST_F(ForgivingSearch, ATitleOfOneKanaIsFoundByItsReading) {
  // One kana is no term of the index; the whole title finds it.
  Put("a", "亜", "ア");
  Put("other", "亜細亜の旅", "アジア ノ タビ");
  SearchResult r = Find("あ");
  ASSERT_EQ(r.hits.size(), 1u);
  EXPECT_EQ(r.hits[0].title, "亜");
}

TEST_F(ForgivingSearch, ATitleWithItsVolumeIsExactToo) {
  Put("v1", "日本の歴史", "ニホン ノ レキシ", "", "", "1");
  Put("v2", "日本の歴史", "ニホン ノ レキシ", "", "", "2");
  Put("other", "日本の歴史と文化", "ニホン ノ レキシ ト ブンカ");
  SearchResult r = Find("日本の歴史 2");
  ASSERT_FALSE(r.hits.empty());
  EXPECT_EQ(r.hits[0].volume, "2");
  r = Find("日本の歴史");
  ASSERT_EQ(r.hits.size(), 3u);
  EXPECT_EQ(r.hits[2].title, "日本の歴史と文化");
}

TEST_F(ForgivingSearch, NothingFoundIsTriedOnceMoreAndSaysWhatItFound) {
  Put("botchan", "坊っちゃん", "ボッチャン", "夏目漱石", "ナツメ ソウセキ");
  Put("other", "坊主の話", "ボウズ ノ ハナシ");
  Put("saito", "声に出して読みたい日本語", "コエ ニ ダシテ ヨミタイ ニホンゴ", "斎藤孝",
      "サイトウ タカシ");
  SearchResult r = Find("坊ちゃん");
  EXPECT_EQ(Titles(r), std::vector<std::string>{"坊っちゃん"});
  EXPECT_EQ(r.did_you_mean, "坊っちゃん");
  r = Find("坊ちゃん 夏目");
  EXPECT_EQ(Titles(r), std::vector<std::string>{"坊っちゃん"});
  EXPECT_EQ(r.did_you_mean, "坊っちゃん 夏目");
  // 斉 and 斎 are different characters: only a second try joins them.
  r = Find("斉藤孝");
  EXPECT_EQ(Titles(r), std::vector<std::string>{"声に出して読みたい日本語"});
  EXPECT_EQ(r.did_you_mean, "斎藤孝");
  r = Find("斎藤孝");
  EXPECT_EQ(r.did_you_mean, "");
  EXPECT_EQ(r.total, 1);
  // What is in no record is still nothing, and says nothing.
  r = Find("坊ちゃま");
  EXPECT_EQ(r.total, 0);
  EXPECT_EQ(r.did_you_mean, "");
}

TEST_F(ForgivingSearch, VariantKanjiFindEachOtherAndDistinctOnesDoNot) {
  Put("ogai", "雁", "ガン", "森鷗外", "モリ オウガイ");
  Put("kenji", "銀河鉄道の夜", "ギンガ テツドウ ノ ヨル", "宮沢賢治", "ミヤザワ ケンジ");
  Put("elmer", "エルマーのぼうけん", "エルマー ノ ボウケン", "渡辺茂男", "ワタナベ シゲオ");
  Put("saki", "長崎の歴史", "ナガサキ ノ レキシ");
  Put("sai", "埼玉の歴史", "サイタマ ノ レキシ");
  Put("osaka", "大阪の町", "オオサカ ノ マチ");
  Put("takasaki", "髙﨑の祭り", "タカサキ ノ マツリ");
  Put("kuzu", "葛\xF3\xA0\x84\x80飾の本", "カツシカ ノ ホン");  // 葛 with a variation selector
  EXPECT_EQ(Titles(Find("森鴎外")), std::vector<std::string>{"雁"});
  EXPECT_EQ(Titles(Find("森鷗外")), std::vector<std::string>{"雁"});
  EXPECT_EQ(Titles(Find("宮澤賢治")), std::vector<std::string>{"銀河鉄道の夜"});
  EXPECT_EQ(Titles(Find("渡邊茂男")), std::vector<std::string>{"エルマーのぼうけん"});
  EXPECT_EQ(Titles(Find("渡邉茂男")), std::vector<std::string>{"エルマーのぼうけん"});
  EXPECT_EQ(Titles(Find("高崎")), std::vector<std::string>{"髙﨑の祭り"});
  EXPECT_EQ(Titles(Find("葛飾")), std::vector<std::string>{"葛\xF3\xA0\x84\x80飾の本"});
  // The display keeps the record's characters.
  EXPECT_EQ(Find("森鴎外").hits.at(0).authors.at(0).name, "森鷗外");
  // 崎 is not 埼, 坂 is not 阪: not even a second try joins them.
  EXPECT_EQ(Titles(Find("長埼")), std::vector<std::string>{});
  EXPECT_EQ(Titles(Find("埼玉")), std::vector<std::string>{"埼玉の歴史"});
  EXPECT_EQ(Titles(Find("大坂の町")), std::vector<std::string>{});
}

TEST_F(ForgivingSearch, ReadingsWithLettersAndDigitsAreSearchable) {
  Put("sdgs", "SDGs経済入門", "SDGsケイザイ ニュウモン");
  Put("vol", "第23巻の謎", "ダイ23カン ノ ナゾ");
  EXPECT_EQ(Titles(Find("sdgsけいざい")), std::vector<std::string>{"SDGs経済入門"});
  EXPECT_EQ(Titles(Find("だい23かん")), std::vector<std::string>{"第23巻の謎"});
}

}  // namespace
}  // namespace shiori::db
