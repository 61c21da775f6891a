// Unit tests of the catalogue search on a real SQLite file: tokens, ISBN
// forms, and the bounded ranking's promises (filters never hide matches, the
// count says when it stopped).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "db/catalog.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "tests/unit/catalogue_db.h"

namespace shiori::db {
namespace {

TEST(SearchTokens, BigramsPlusEachKanjiForDocumentsAndWordsForLatin) {
  // Each kanji follows the bigram it starts, at that bigram's position.
  EXPECT_EQ(SearchTokens("宮沢賢治", true),
            (std::vector<std::string>{"宮沢", "宮", "沢賢", "沢", "賢治", "賢", "治"}));
  // A kanji repeated at the end of a run is not indexed twice at one position.
  EXPECT_EQ(SearchTokens("人人", true), (std::vector<std::string>{"人人", "人"}));
  // A kana within a run is no term of a document; standing alone it is.
  EXPECT_EQ(SearchTokens("ココ", true), (std::vector<std::string>{"ここ"}));
  EXPECT_EQ(SearchTokens("猫 の 本", true), (std::vector<std::string>{"猫", "の", "本"}));
  // A reading (after the mark U+001F) gives no single characters; three kana
  // in a row also give their trigram, at the position of the bigram it starts.
  EXPECT_EQ(
      SearchTokens("猫町 \x1Fネコマチ ネ", true),
      (std::vector<std::string>{"猫町", "猫", "町", "ねこ", "ねこま", "こま", "こまち", "まち"}));
  EXPECT_EQ(SearchTokens("ねこ町", true),
            (std::vector<std::string>{"ねこ", "こ町", "町"}));  // not all kana: no trigram
  EXPECT_EQ(SearchTokens("宮沢賢治", false), (std::vector<std::string>{"宮沢", "沢賢", "賢治"}));
  EXPECT_EQ(SearchTokens("猫", false), (std::vector<std::string>{"猫"}));
  // A query takes the trigram wherever three kana start, and stops when the
  // run is covered: one token a position, as the phrase needs.
  EXPECT_EQ(SearchTokens("みやざわけんじ", false),
            (std::vector<std::string>{"みやざ", "やざわ", "ざわけ", "わけん", "けんじ"}));
  EXPECT_EQ(SearchTokens("ねこ", false), (std::vector<std::string>{"ねこ"}));
  EXPECT_EQ(SearchTokens("猫まち", false), (std::vector<std::string>{"猫ま", "まち"}));
  EXPECT_EQ(SearchTokens("まちの猫", false), (std::vector<std::string>{"まちの", "ちの", "の猫"}));
  // Katakana, half-width katakana and hiragana are one; full-width Latin is ASCII, lower case.
  EXPECT_EQ(SearchTokens("ネコ", true), SearchTokens("ねこ", true));
  EXPECT_EQ(SearchTokens("ﾈｺ", true), SearchTokens("ねこ", true));
  EXPECT_EQ(SearchTokens("ＨＡＲＲＹ Potter", false),
            (std::vector<std::string>{"harry", "potter"}));
  // WAVE DASH and FULLWIDTH TILDE separate alike; ・ separates.
  EXPECT_EQ(SearchTokens("あ〜い", false), SearchTokens("あ～い", false));
  EXPECT_EQ(SearchTokens("ハリー・ポッター", false),
            (std::vector<std::string>{"はりー", "ぽった", "ったー"}));
}

TEST(IsOneKanaQuery, OneKanaInAnyWidthOrScriptAndNothingElse) {
  for (const char* q : {"ね", "ネ", "ﾈ", " ね　", "ー"}) EXPECT_TRUE(IsOneKanaQuery(q)) << q;
  for (const char* q : {"ねこ", "猫", "n", "ね こ", "・", ""}) EXPECT_FALSE(IsOneKanaQuery(q)) << q;
}

TEST(Isbn, TenAndThirteenDigitFormsAreOneBook) {
  struct Case {
    const char* in;
    const char* out;  // nullptr: not an ISBN
  } cases[] = {
      {"9784099990015", "9784099990015"},
      {"978-4-09-999001-5", "9784099990015"},
      {"409999001X", "9784099990015"},
      {"4-09-999001-x", "9784099990015"},
      {"４０９９９９００１Ｘ", "9784099990015"},
      {"9784099990014", nullptr},
      {"4099990011", nullptr},
      {"12345", nullptr},
      {"", nullptr},
      {"97840999900151", nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.in);
    auto r = NormalizeIsbn(c.in);
    if (c.out) {
      ASSERT_TRUE(r.has_value());
      EXPECT_EQ(*r, c.out);
    } else {
      EXPECT_FALSE(r.has_value());
    }
  }
}

class SearchDb : public CatalogueDb {
 protected:
  // `n` records "日本の話 i" with `year`, imported oldest first.
  void Add(int from, int n, int year) {
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    for (int i = from; i < from + n; ++i) {
      CatalogRecord r;
      r.source_id = "r" + std::to_string(i);
      r.title = "日本の話 " + std::to_string(i);
      r.title_kana = "ニホン ノ ハナシ";
      r.year = year;
      r.copies = {{"b" + std::to_string(i), "chuo", ""}};
      ASSERT_TRUE(UpsertRecord(*c_, r).ok());
    }
    ASSERT_TRUE(tx.Commit().ok());
  }
  // The titles a search shows, sorted (the order is not what is tested).
  std::vector<std::string> Titles(const SearchQuery& q) {
    auto r = Search(*c_, q);
    EXPECT_TRUE(r.ok());
    std::vector<std::string> t;
    if (r.ok()) {
      for (const auto& h : r->hits) t.push_back(h.title);
    }
    std::sort(t.begin(), t.end());
    return t;
  }
  static SearchQuery Words(std::string text, std::string author = "", int from = 0, int to = 0) {
    SearchQuery q;
    q.text = std::move(text);
    q.author = std::move(author);
    q.year_from = from;
    q.year_to = to;
    return q;
  }
  // Imports `r` with one copy at chuo, in a transaction of its own.
  void Put(CatalogRecord r) {
    r.copies = {{"b" + r.source_id, "chuo", ""}};
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    ASSERT_TRUE(UpsertRecord(*c_, r).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
};

TEST_F(SearchDb, OneKanjiIsFoundAnywhereInATitleButASingleKanaNowhere) {
  auto put = [&](const std::string& id, const std::string& title, const std::string& kana) {
    CatalogRecord r;
    r.source_id = id;
    r.title = title;
    r.title_kana = kana;
    Put(r);
  };
  put("1", "吾輩は猫である", "ワガハイ ワ ネコ デ アル");
  put("2", "黒猫", "クロネコ");
  put("3", "猫町", "ネコマチ");
  put("4", "NEKO", "ネコ");
  auto titles = [&](const std::string& text) { return Titles(Words(text)); };
  // At the start, in the middle and at the end of a run of kanji and kana.
  EXPECT_EQ(titles("猫"), (std::vector<std::string>{"吾輩は猫である", "猫町", "黒猫"}));
  EXPECT_EQ(titles("輩"), (std::vector<std::string>{"吾輩は猫である"}));
  // Two kana find the readings; one kana alone finds nothing (it is in most
  // titles and readings), not even the title that has it.
  EXPECT_EQ(titles("ねこ"), (std::vector<std::string>{"NEKO", "吾輩は猫である", "猫町", "黒猫"}));
  EXPECT_EQ(titles("ﾈｺ"), titles("ねこ"));
  EXPECT_TRUE(titles("ね").empty());
  EXPECT_TRUE(titles("は").empty());
}

TEST_F(SearchDb, KanaAreFoundAnywhereInAReadingOrTitleAndOnlyInOrder) {
  CatalogRecord r;
  r.source_id = "kenji";
  r.title = "カチューシャの唄";
  r.title_kana = "カチューシャ ノ ウタ";
  r.authors = {{"宮沢 賢治", "ミヤザワ ケンジ", ""}, {"高橋", "タカハシ", "絵"}};
  Put(r);
  auto found = [&](const std::string& text, const std::string& author = "") {
    return Titles(Words(text, author)).size();
  };
  // At the start, in the middle, at the end; as typed in any kana.
  for (const char* q : {"みやざ", "やざわけ", "けんじ", "みやざわけんじ", "ミヤザワケンジ",
                        "ﾐﾔｻﾞﾜｹﾝｼﾞ", "ちゅーしゃ", "しゃのうた", "かちゅーしゃのうた"}) {
    EXPECT_EQ(found(q), 1u) << q;
  }
  EXPECT_EQ(found("", "ざわけん"), 1u);
  // Not when the kana are not next to each other, or run across two names.
  for (const char* q : {"みやけんじ", "ざわみや", "じのうた", "しゃうた", "けんじたか"}) {
    EXPECT_EQ(found(q), 0u) << q;
  }
  EXPECT_EQ(found("", "かちゅー"), 0u);  // the title's kana, not the author's
}

TEST_F(SearchDb, AKanaStandingAloneNeitherHidesNorJoinsItsNeighbours) {
  auto put = [&](const std::string& id, const std::string& title, const std::string& author) {
    CatalogRecord r;
    r.source_id = id;
    r.title = title;
    if (!author.empty()) r.authors = {{author, "", ""}};
    Put(r);
  };
  put("ged", "ゲド戦記", "ル・グウィン");
  put("code", "ダ・ヴィンチ・コード", "");
  put("neko", "吾輩は猫である", "");
  put("two", "東京 と 京都", "");
  auto found = [&](const std::string& text, const std::string& author = "") {
    return Titles(Words(text, author));
  };
  using V = std::vector<std::string>;
  // A lone kana beside other words is no condition of the search.
  EXPECT_EQ(found("ル・グウィン"), V{"ゲド戦記"});
  EXPECT_EQ(found("", "ル・グウィン"), V{"ゲド戦記"});
  EXPECT_EQ(found("ダ・ヴィンチ"), V{"ダ・ヴィンチ・コード"});
  EXPECT_EQ(found("吾輩 は 猫"), V{"吾輩は猫である"});
  // The particle keeps its place: 東京 と 京都 is not 東京都.
  EXPECT_TRUE(found("東京都").empty());
  EXPECT_EQ(found("東京 京都"), V{"東京 と 京都"});
}

TEST_F(SearchDb, AControlCharacterInTheDataIsASpaceNotAReading) {
  CatalogRecord r;
  r.source_id = "x";
  r.title = "猫町\x1F犬 鳥類";  // U+001F is the index's reading mark
  Put(r);
  for (const char* word : {"猫", "犬", "鳥", "鳥類"}) {
    SearchQuery q;
    q.text = word;
    EXPECT_EQ(Search(*c_, q)->total, 1) << word;
  }
}

TEST_F(SearchDb, ARareWordOfTwoWeighsMoreThanAWordInEveryRecord) {
  Add(0, 40, 2000);  // "日本の話 i": 日本 is in every record
  auto put = [&](const std::string& id, const std::string& title, const std::string& subjects) {
    CatalogRecord r;
    r.source_id = id;
    r.title = title;
    r.subjects = subjects;
    Put(r);
  };
  put("yuki", "雪国", "日本");
  put("nihon", "日本", "雪国");  // newer: it would win a tie
  SearchQuery q;
  q.text = "日本 雪国";
  auto r = Search(*c_, q);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->hits.size(), 2u);
  EXPECT_EQ(r->hits[0].title, "雪国") << "雪国 in the title counts more than 日本 in the title";
}

TEST_F(SearchDb, TheIndexOfAnOlderDatabaseIsRebuiltByTheMigrations) {
  struct Case {
    int version;
    const char* options;  // the index as that schema had it, here empty
    std::vector<std::string> queries;
  } cases[] = {
      {7, ", prefix='1'", {"日本", "話"}},  // with a prefix index (migration 8)
      {9, "", {"にほんのはなし", "日本"}},  // without kana trigrams (migration 10)
  };
  Add(0, 3, 2000);  // 日本の話, read ニホン ノ ハナシ
  for (const auto& k : cases) {
    SCOPED_TRACE(k.version);
    ASSERT_TRUE(c_->Exec(std::string("DROP TABLE records_fts; DELETE FROM title_keys;"
                                     " CREATE VIRTUAL TABLE records_fts USING fts5(title,"
                                     " title_reading, author, author_reading, publisher, subjects,"
                                     " other, content='', tokenize='shiori'") +
                         k.options + "); PRAGMA user_version = " + std::to_string(k.version))
                    .ok());
    SearchQuery q;
    q.text = k.queries[0];
    ASSERT_EQ(Search(*c_, q)->total, 0);
    ASSERT_TRUE(Migrate(*c_).ok());
    for (const auto& text : k.queries) {
      q.text = text;
      EXPECT_EQ(Search(*c_, q)->total, 3) << text;
    }
  }
}

TEST_F(SearchDb, AYearFilterFindsOldMatchesBehindTheNewestCandidates) {
  Add(0, 100, 1977);     // the oldest records
  Add(100, 1100, 2000);  // more than kSearchCandidates newer ones
  SearchQuery q;
  q.text = "日本";
  q.year_from = 1977;
  q.year_to = 1979;
  auto r = Search(*c_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 100);
  EXPECT_FALSE(r->capped) << "all of them were found";
  ASSERT_FALSE(r->hits.empty());
  EXPECT_EQ(r->hits[0].year, 1977);
  q.text.clear();  // the years alone
  r = Search(*c_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 100);
  EXPECT_FALSE(r->capped);
  q.year_from = q.year_to = 2000;
  r = Search(*c_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, kSearchCandidates);
  EXPECT_TRUE(r->capped);
  ASSERT_FALSE(r->hits.empty());
  EXPECT_EQ(r->hits[0].id, 1200) << "the newest first";
}

TEST_F(SearchDb, AYearFilterFollowsChangedNewAndYearlessRecordsAtOnce) {
  // The years are kept per connection (db/search.cc RecordYears): every
  // search below follows a change the one before it could have cached.
  // Every record has 猫 in its title: by the word and years, or by the
  // years alone (answered from the copy without the index), alike.
  auto found = [&](int from, int to) {
    const auto by_word = Titles(Words("猫", "", from, to));
    EXPECT_EQ(by_word, Titles(Words("", "", from, to))) << from << "-" << to;
    return by_word;
  };
  auto put = [&](const std::string& id, const std::string& title, int year) {
    CatalogRecord r;
    r.source_id = id;
    r.title = title;
    r.year = year;
    Put(r);
  };
  put("a", "猫町", 2000);
  put("b", "黒猫", 0);  // year not known
  EXPECT_EQ(found(1999, 2001), (std::vector<std::string>{"猫町"}));
  EXPECT_EQ(found(0, 2100), (std::vector<std::string>{"猫町"})) << "no year: not in any range";
  put("a", "猫町", 1990);  // re-imported with another year, same id
  EXPECT_TRUE(found(1999, 2001).empty());
  EXPECT_EQ(found(1990, 0), (std::vector<std::string>{"猫町"}));
  put("c", "猫の本", 2001);  // a new record, the highest id
  EXPECT_EQ(found(2001, 2001), (std::vector<std::string>{"猫の本"}));
  put("b", "黒猫", 2001);  // a year now known
  EXPECT_EQ(found(2001, 2001), (std::vector<std::string>{"猫の本", "黒猫"}));
  for (auto sort : {SearchQuery::Sort::kTitle, SearchQuery::Sort::kNewest,
                    SearchQuery::Sort::kOldest, SearchQuery::Sort::kAuthor}) {
    std::vector<std::string> order[2];
    for (int alone = 0; alone < 2; ++alone) {
      SearchQuery q;
      q.text = alone ? "" : "猫";
      q.year_from = 1980;
      q.sort = sort;
      auto r = Search(*c_, q);
      ASSERT_TRUE(r.ok());
      for (const auto& h : r->hits) order[alone].push_back(h.title);
    }
    EXPECT_EQ(order[0].size(), 3u);
    EXPECT_EQ(order[0], order[1]) << "the same order with or without the word";
  }
  // Another connection (another server thread, the import) changes a year.
  auto other = Connection::Open(dir_ + "/s.db");
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Exec("UPDATE records SET year = 1950 WHERE source_id = 'c'").ok());
  EXPECT_EQ(found(2001, 2001), (std::vector<std::string>{"黒猫"}));
  EXPECT_EQ(found(1950, 1950), (std::vector<std::string>{"猫の本"}));
  ASSERT_TRUE((*other)
                  ->Exec("DELETE FROM copies WHERE record_id IN"
                         " (SELECT id FROM records WHERE source_id = 'c');"
                         " DELETE FROM records WHERE source_id = 'c'")
                  .ok());
  EXPECT_TRUE(found(1950, 1950).empty());
}

TEST_F(SearchDb, TheYearFilterReadsTheKeptCopyOfTheYears) {
  Add(0, 3, 1990);  // 日本の話 0, 1, 2
  auto in_1990 = [&](const std::string& text) { return Titles(Words(text, "", 1990, 1990)); };
  using V = std::vector<std::string>;
  ASSERT_EQ(in_1990("日本").size(), 3u);  // the copy is read here
  // A change inside a transaction is seen there, and not after a rollback:
  // a copy kept under the transaction's count would outlive it once another
  // change brings the count back to that number.
  {
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    ASSERT_TRUE(c_->Exec("UPDATE records SET year = 2000 WHERE source_id = 'r0'").ok());
    EXPECT_EQ(in_1990("日本"), (V{"日本の話 1", "日本の話 2"}));
  }
  ASSERT_TRUE(c_->Exec("UPDATE records SET year = 2000 WHERE source_id = 'r1'").ok());
  EXPECT_EQ(in_1990("日本"), (V{"日本の話 0", "日本の話 2"}));
  // A change the trigger does not count is not seen: the filter is the copy
  // (migration 11's trigger is what makes every change seen).
  ASSERT_TRUE(c_->Exec("DROP TRIGGER records_year_changed;"
                       " UPDATE records SET year = 2000 WHERE source_id = 'r2'")
                  .ok());
  EXPECT_EQ(in_1990("日本"), (V{"日本の話 0", "日本の話 2"}));
  EXPECT_EQ(in_1990(""), (V{"日本の話 0", "日本の話 2"}));
}

TEST_F(SearchDb, AYearRangeFiltersWithoutChangingTheOrder) {
  Add(0, 10, 1990);
  Add(10, 50, 2000);
  SearchQuery q;
  q.text = "日本";
  q.year_from = 1985;
  q.year_to = 2005;
  auto narrow = Search(*c_, q);
  q.year_from = 1000;
  q.year_to = 2100;
  auto wide = Search(*c_, q);
  q.year_from = q.year_to = 0;
  auto all = Search(*c_, q);
  ASSERT_TRUE(narrow.ok() && wide.ok() && all.ok());
  EXPECT_EQ(narrow->total, 60);
  EXPECT_EQ(wide->total, 60);
  ASSERT_EQ(narrow->hits.size(), all->hits.size());
  for (size_t i = 0; i < all->hits.size(); ++i) {
    EXPECT_EQ(narrow->hits[i].id, all->hits[i].id) << "a filter, not a weight";
    EXPECT_EQ(wide->hits[i].id, all->hits[i].id);
  }
  q.year_from = 1991;
  q.year_to = 1999;
  EXPECT_EQ(Search(*c_, q)->total, 0);
  q.year_from = 1990;
  q.year_to = 1990;
  EXPECT_EQ(Search(*c_, q)->total, 10);
}

TEST_F(SearchDb, OldestFirstAndByAuthorsReadingInTheJapaneseOrder) {
  auto put = [&](const std::string& id, const std::string& title, int year,
                 std::vector<AuthorEntry> authors) {
    CatalogRecord r;
    r.source_id = id;
    r.title = title;
    r.year = year;
    r.authors = std::move(authors);
    Put(r);
  };
  put("1", "猫の事務所", 1990, {{"宮沢賢治", "ミヤザワ ケンジ", ""}});
  put("2", "吾輩は猫である", 2003, {{"夏目漱石", "ナツメ ソウセキ", ""}});
  put("3", "猫の話", 0, {});                         // no author, no year
  put("4", "猫町", 1955, {{"萩原朔太郎", "", ""}});  // an author without a reading
  put("5", "猫と庄造と二人のおんな", 1951,
      {{"谷崎潤一郎", "タニザキ ジュンイチロウ", "著"}, {"相沢二郎", "アイザワ ジロウ", "絵"}});
  put("6", "猫のいる部屋", 2010, {{"あさの あつこ", "アサノ アツコ", ""}});
  auto order = [&](SearchQuery::Sort sort) {
    SearchQuery q;
    q.text = "猫";
    q.sort = sort;
    auto r = Search(*c_, q);
    EXPECT_TRUE(r.ok());
    std::vector<std::string> t;
    if (r.ok()) {
      for (const auto& h : r->hits) t.push_back(h.title);
    }
    return t;
  };
  EXPECT_EQ(order(SearchQuery::Sort::kOldest),
            (std::vector<std::string>{"猫と庄造と二人のおんな", "猫町", "猫の事務所",
                                      "吾輩は猫である", "猫のいる部屋", "猫の話"}))
      << "the year not known last";
  // アサノ, タニザキ (the first author, not the illustrator アイザワ), ナツメ,
  // ミヤザワ; then the author without a reading, and the record without one.
  const std::vector<std::string> by_author = order(SearchQuery::Sort::kAuthor);
  ASSERT_EQ(by_author.size(), 6u);
  EXPECT_EQ(std::vector<std::string>(by_author.begin(), by_author.begin() + 4),
            (std::vector<std::string>{"猫のいる部屋", "猫と庄造と二人のおんな", "吾輩は猫である",
                                      "猫の事務所"}));
}

TEST_F(SearchDb, KeptLengthsRankAsFts5sOwnEvenAfterTheCatalogueChanges) {
  // Titles of every length with 猫 in them: bm25's length normalisation
  // decides their order.
  for (int i = 0; i < 60; ++i) {
    CatalogRecord r;
    r.source_id = "n" + std::to_string(i);
    r.title = std::string("猫") + std::string(static_cast<size_t>(i % 17) * 3, ' ') +
              std::string(static_cast<size_t>(i % 17), 'a') + " 話" + std::to_string(i);
    for (int k = 0; k < i % 7; ++k) r.title += " 日本の猫の物語";
    Put(r);
  }
  // A second connection to the same file ranks without the kept lengths:
  // FTS5 gives each row's, as bm25 has it.
  OpenOptions fts5_lengths;
  fts5_lengths.rank_length_cache = false;
  auto plain = Connection::Open(dir_ + "/s.db", fts5_lengths);
  ASSERT_TRUE(plain.ok());
  auto order = [&](bool kept) {
    SearchQuery q;
    q.text = "猫";
    q.limit = 60;
    auto r = Search(kept ? *c_ : **plain, q);
    EXPECT_TRUE(r.ok());
    std::vector<int64_t> ids;
    for (const auto& h : r->hits) ids.push_back(h.id);
    return ids;
  };
  const auto first = order(true);
  ASSERT_EQ(first.size(), 60u);
  EXPECT_EQ(first, order(false));
  // A record grows long, one is added: the kept lengths follow.
  CatalogRecord longer;
  longer.source_id = "n0";
  longer.title = "猫 " + std::string(40, 'x') + " とても長い題名の猫の本の話の続きの話";
  Put(longer);
  CatalogRecord added;
  added.source_id = "new";
  added.title = "猫";
  Put(added);
  const auto after = order(true);
  EXPECT_EQ(after, order(false));
  EXPECT_NE(after, first);
}

TEST_F(SearchDb, TheCountSaysWhenItStoppedAndOnlyThen) {
  Add(0, kSearchCandidates, 2000);
  SearchQuery q;
  q.text = "日本";
  auto exact = Search(*c_, q);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->total, kSearchCandidates);
  EXPECT_FALSE(exact->capped) << "exactly the cap is an exact count";
  Add(kSearchCandidates, 1, 2001);
  auto more = Search(*c_, q);
  ASSERT_TRUE(more.ok());
  EXPECT_EQ(more->total, kSearchCandidates);
  EXPECT_TRUE(more->capped);
  EXPECT_EQ(more->hits.size(), 20u);
}

TEST_F(SearchDb, ReimportChangesWhatIsFound) {
  Add(0, 1, 2000);
  CatalogRecord r;
  r.source_id = "r0";
  r.title = "雪国";
  r.copies = {{"b0", "chuo", ""}};
  Transaction tx(*c_);
  ASSERT_TRUE(tx.begun().ok());
  auto u = UpsertRecord(*c_, r);
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(*u, Upserted::kUpdated);
  ASSERT_TRUE(tx.Commit().ok());
  SearchQuery old_title, new_title;
  old_title.text = "日本";
  new_title.text = "雪";
  EXPECT_EQ(Search(*c_, old_title)->total, 0);
  EXPECT_EQ(Search(*c_, new_title)->total, 1);
}

TEST_F(SearchDb, EveryFieldOfAnOldVersionLeavesTheIndexWhenTheRecordChanges) {
  // The index is contentless: a record is taken out of it with the text it
  // was put in with, made once from the record written and once from the
  // row read back. Every field, empty ones and odd bytes included, must
  // give the same text both ways, or the old words stay findable.
  CatalogRecord r;
  r.source_id = "x";
  r.title = "旧題\tの本";  // a tab: a space in the index
  r.volume = "上巻";
  r.title_kana = "キュウダイ\x1Fノ ホン";
  r.authors = {{"旧著者", "", ""}, {"別人", "ベツジン", "訳"}};
  r.publisher = "旧版元";
  r.publisher_kana = "キュウハンモト";
  r.subjects = "旧件名";
  r.notes = "旧注記";
  r.ndc = "913";
  r.year = 1999;
  Put(r);
  CatalogRecord n;
  n.source_id = "x";
  n.title = "新題";
  Put(n);
  auto total = [&](const std::string& text) {
    SearchQuery q;
    q.text = text;
    return Search(*c_, q)->total;
  };
  for (const char* old_word : {"旧題", "上巻", "きゅうだい", "旧著者", "別人", "べつじん", "旧版元",
                               "きゅうはんもと", "旧件名", "旧注記", "913", "1999"}) {
    EXPECT_EQ(total(old_word), 0) << old_word;
  }
  EXPECT_EQ(total("新題"), 1);
  Put(r);  // and back
  EXPECT_EQ(total("新題"), 0);
  for (const char* word : {"旧題", "べつじん", "1999"}) EXPECT_EQ(total(word), 1) << word;
}

// Each hit says what each branch holds, counted on its own, with the
// earliest due date there, its authors with their roles, and its holds.
TEST_F(SearchDb, AHitCountsItsCopiesPerBranchWithTheEarliestDueDate) {
  LibraryRules rules;
  rules.branches = {{"chuo", "中央図書館", {}}, {"noda", "野田図書館", {}}};
  ASSERT_TRUE(SyncBranches(*c_, rules).ok());
  CatalogRecord r;
  r.source_id = "s1";
  r.title = "沈黙の春";
  r.authors = {{"レイチェル・カーソン", "", "著"}, {"青樹簗一", "", "訳"}};
  r.copies = {{"c1", "chuo", ""},
              {"c2", "chuo", "", true},
              {"c3", "chuo", ""},
              {"n1", "noda", ""},
              {"n2", "noda", ""}};
  {
    Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    ASSERT_TRUE(UpsertRecord(*c_, r).ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  ASSERT_TRUE(c_->Exec(R"sql(
UPDATE copies SET status = 'loan' WHERE barcode IN ('c3', 'n1', 'n2');
INSERT INTO patrons(id, card, name_kana, phone) VALUES(1, '1001', 'テスト', '0'), (2, '1002', 'テスト', '0'),
  (3, '1003', 'テスト', '0');
INSERT INTO loans(copy_id, patron_id, loaned_on, due_on) VALUES
  ((SELECT id FROM copies WHERE barcode = 'n1'), 1, '2026-12-01', '2026-12-15'),
  ((SELECT id FROM copies WHERE barcode = 'n2'), 1, '2026-11-20', '2026-12-04'),
  ((SELECT id FROM copies WHERE barcode = 'c3'), 1, '2026-12-02', '2026-12-16');
INSERT INTO holds(seq, record_id, patron_id, pickup_branch, contact, status, placed_at) VALUES
  (1, 1, 2, 'chuo', 'none', 'waiting', 'x'), (2, 1, 3, 'chuo', 'none', 'waiting', 'x'),
  (3, 1, 1, 'chuo', 'none', 'cancelled', 'x');
)sql")
                  .ok());
  auto res = Search(*c_, Words("沈黙"));
  ASSERT_TRUE(res.ok()) << res.status().message();
  ASSERT_EQ(res->hits.size(), 1u);
  const SearchHit& h = res->hits[0];
  ASSERT_EQ(h.authors.size(), 2u);
  EXPECT_EQ(h.authors[1].name, "青樹簗一");
  EXPECT_EQ(h.authors[1].role, "訳");
  EXPECT_EQ(h.holds, 2) << "the cancelled hold is not counted";
  ASSERT_EQ(h.holdings.size(), 2u);
  const BranchHolding& chuo = h.holdings[0];
  EXPECT_EQ(chuo.branch_code, "chuo");
  EXPECT_EQ(chuo.copies, 3);
  EXPECT_EQ(chuo.lendable, 2);
  EXPECT_EQ(chuo.on_shelf, 1);
  EXPECT_EQ(chuo.in_library, 1);
  EXPECT_EQ(chuo.on_loan, 1);
  EXPECT_EQ(chuo.due_on, "2026-12-16");
  const BranchHolding& noda = h.holdings[1];
  EXPECT_EQ(noda.branch_code, "noda");
  EXPECT_EQ(noda.on_shelf, 0);
  EXPECT_EQ(noda.on_loan, 2);
  EXPECT_EQ(noda.due_on, "2026-12-04") << "the earliest of the branch's loans";
}

}  // namespace
}  // namespace shiori::db
