// End-to-end tests of 蔵書検索 on the demo library: the same searches from a
// PC (UTF-8) and a cookie-less feature phone (Shift_JIS), paging to the
// phone's budget, the record page, the advanced form and the helpful pages.
#include <gtest/gtest.h>

#include <regex>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

const char kPc[] =
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
const char kDocomo[] = "User-Agent: DoCoMo/1.0/N503i";  // no cache token: 5 KB pages

// Titles of the hits on a results page, in order.
std::vector<std::string> Titles(const std::string& html) {
  std::vector<std::string> out;
  std::regex re("<li><a href=\"/record\\?id=[0-9]+[^\"]*\">([^<]*)</a>");
  for (auto it = std::sregex_iterator(html.begin(), html.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back((*it)[1]);
  }
  return out;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

class Search : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("d.db")}))
        << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  // A search from a PC, as its form sends it.
  static std::string Pc(const std::string& query) {
    HttpResponse r = server_->Get("/search?_c=" + Hex("表ソ") + "&q=" + Hex(query), {kPc});
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
  // The same from an old i-mode phone: Shift_JIS bytes, Shift_JIS page.
  static std::string Phone(const std::string& query, HttpResponse* raw = nullptr) {
    HttpResponse r = server_->Get(
        "/search?_c=" + Hex("\x95\x5C\x83\x5C") + "&q=" + Hex(charset::Utf8ToSjis(query)),
        {kDocomo});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=Shift_JIS");
    EXPECT_LE(r.body.size(), 5u * 1024) << "fits the 5 KB cache";
    auto d = charset::SjisToUtf8(r.body);
    EXPECT_TRUE(d.ok());
    if (raw) *raw = r;
    return d.ok() ? d.value() : "";
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* Search::dir_ = nullptr;
Server* Search::server_ = nullptr;

TEST_F(Search, OneKanjiKanaAndHalfWidthKanaFindTheCatBooks) {
  for (const char* q : {"猫", "ねこ", "ネコ", "ﾈｺ"}) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(Has(Titles(Pc(q)), "吾輩は猫である"));
    std::string page = Phone(q);
    EXPECT_NE(page.find("value=\"" + std::string(q) + "\""), std::string::npos) << "shown as typed";
    EXPECT_NE(page.find("吾輩は猫である"), std::string::npos);
  }
  EXPECT_TRUE(Has(Titles(Pc("猫")), "吾輩は猫である"));
  EXPECT_TRUE(Has(Titles(Pc("ねこ")), "吾輩は猫である")) << "through the reading ワガハイ ワ ネコ";
  EXPECT_TRUE(Has(Titles(Pc("ねこ")), "100万回生きたねこ"));
  EXPECT_TRUE(Has(Titles(Pc("ﾈｺ")), "吾輩は猫である"));
}

// What patrons type: old and new kanji, readings as written and as spoken,
// kana large for small, okurigana left out. From a PC, and from a cookie-less
// Shift_JIS phone where the phone can type it (鷗 is not in Shift_JIS: 鴎
// must find it).
TEST_F(Search, WhatPatronsTypeFindsTheBooksTheyMean) {
  const std::vector<std::string> ogai = {"阿部一族・舞姫", "山椒大夫・高瀬舟", "雁"};
  const std::vector<std::string> kenji = {"銀河鉄道の夜", "注文の多い料理店", "風の又三郎",
                                          "セロ弾きのゴーシュ", "新編宮沢賢治詩集"};
  const struct {
    const char* typed;
    std::vector<std::string> expected;
    const char* did_you_mean;  // nullptr: found as typed
  } rows[] = {
      {"森鴎外", ogai, nullptr},
      {"森鷗外", ogai, nullptr},
      {"宮澤賢治", kenji, nullptr},
      {"渡邊茂男", {"エルマーのぼうけん"}, nullptr},
      {"渡邉茂男", {"エルマーのぼうけん"}, nullptr},
      {"わがはいはねこである", {"吾輩は猫である"}, nullptr},
      {"ぼつちやん", {"坊っちゃん"}, nullptr},
      {"坊ちゃん", {"坊っちゃん"}, "坊っちゃん"},
  };
  for (const auto& row : rows) {
    SCOPED_TRACE(row.typed);
    const std::string pc = Pc(row.typed);
    for (const std::string& t : row.expected) EXPECT_TRUE(Has(Titles(pc), t)) << t;
    const bool said = pc.find("もしかして") != std::string::npos;
    EXPECT_EQ(said, row.did_you_mean != nullptr);
    if (row.did_you_mean) {
      EXPECT_NE(pc.find("もしかして: <a href=\"/search?q=" + Hex(row.did_you_mean)),
                std::string::npos);
      EXPECT_NE(pc.find("入力されたことばでは見つかりませんでした。"), std::string::npos);
    }
    auto typeable = charset::SjisToUtf8(charset::Utf8ToSjis(row.typed));
    if (!typeable.ok() || *typeable != row.typed) continue;
    const std::string phone = Phone(row.typed);
    for (const std::string& t : row.expected) EXPECT_NE(phone.find(t), std::string::npos) << t;
    EXPECT_EQ(phone.find("もしかして") != std::string::npos, row.did_you_mean != nullptr);
  }
  // 森鷗外 cannot be typed on the phone: 森鴎外 finds him, shown as the record has it.
  const std::string phone = Phone("森鴎外");
  EXPECT_NE(phone.find("阿部一族・舞姫"), std::string::npos);
}

TEST_F(Search, AnAuthorsReadingFindsTheKanjiName) {
  for (const char* q : {"みやざわけんじ", "ミヤザワ ケンジ", "宮沢賢治", "宮沢"}) {
    SCOPED_TRACE(q);
    EXPECT_TRUE(Has(Titles(Pc(q)), "銀河鉄道の夜"));
    EXPECT_NE(Phone(q).find("銀河鉄道の夜"), std::string::npos);
  }
}

TEST_F(Search, FullWidthAndCaseDoNotMatter) {
  EXPECT_EQ(Titles(Pc("ＯＲＷＥＬＬ")), Titles(Pc("orwell")));
  EXPECT_FALSE(Titles(Pc("Orwell")).empty());
}

TEST_F(Search, PhonePagesAreCutToTheBudgetWithNextAndPrevious) {
  HttpResponse raw;
  std::string first = Phone("新潮社", &raw);  // the publisher of 153 of the 400 demo records
  std::vector<std::string> t1 = Titles(first);
  ASSERT_GE(t1.size(), 3u);
  ASSERT_LT(t1.size(), 20u) << "fewer hits per page than on a PC";
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(first, m, std::regex("<a href=\"([^\"]*)\" accesskey=\"6\">次へ</a>")));
  std::string next = m[1];
  for (size_t at; (at = next.find("&amp;")) != std::string::npos;) next.replace(at, 5, "&");
  HttpResponse r2 = server_->Get(next, {kDocomo});
  ASSERT_EQ(r2.status, 200);
  EXPECT_LE(r2.body.size(), 5u * 1024);
  std::string second = charset::SjisToUtf8(r2.body).value();
  EXPECT_NE(second.find("accesskey=\"4\">前へ</a>"), std::string::npos);
  std::vector<std::string> t2 = Titles(second);
  ASSERT_FALSE(t2.empty());
  EXPECT_NE(t1.front(), t2.front()) << "the second page shows the next hits";
  EXPECT_NE(second.find("value=\"新潮社\""), std::string::npos) << "the query survives paging";
}

TEST_F(Search, DetailedSearchIsOneKeyAwayFromTheTopPageAndEveryResultList) {
  const std::regex advanced("<a href=\"(/search/advanced[^\"]*)\" accesskey=\"5\">詳しく探す</a>");
  std::smatch m;
  for (const char* ua : {kPc, kDocomo}) {
    HttpResponse top = server_->Get("/", {ua});
    ASSERT_EQ(top.status, 200);
    const std::string html = ua == kPc ? top.body : charset::SjisToUtf8(top.body).value();
    ASSERT_TRUE(std::regex_search(html, m, advanced)) << html;
    EXPECT_EQ(server_->Get(m[1], {ua}).status, 200);
  }
  EXPECT_TRUE(std::regex_search(Pc("新潮社"), advanced));
  std::string phone = Phone("新潮社");  // within 5 KB, checked there
  EXPECT_TRUE(std::regex_search(phone, advanced)) << phone;
  EXPECT_EQ(phone.find("accesskey=\"5\""), phone.rfind("accesskey=\"5\"")) << "one key 5";
}

TEST_F(Search, APcReachesAnyNearPageAndTheLastInOneStep) {
  const std::string first = Pc("新潮社");  // 153 hits: 8 pages of 20
  EXPECT_NE(first.find("<strong aria-current=\"page\">1</strong>"), std::string::npos) << first;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(first, m, std::regex("<a href=\"([^\"]*&amp;p=40[^\"]*)\">3</a>")))
      << first;
  HttpResponse third =
      server_->Get(std::regex_replace(m[1].str(), std::regex("&amp;"), "&"), {kPc});
  ASSERT_EQ(third.status, 200);
  EXPECT_NE(third.body.find("153件（41〜60件目）"), std::string::npos) << third.body;
  EXPECT_NE(third.body.find("<strong aria-current=\"page\">3</strong>"), std::string::npos);
  EXPECT_TRUE(std::regex_search(third.body, std::regex(">1</a> <a [^>]*>2</a>")));
  EXPECT_TRUE(std::regex_search(third.body, std::regex(">5</a> … <a [^>]*p=140[^>]*>8</a> ")))
      << "the last page, after a gap";
  EXPECT_EQ(third.body.find(">6</a>"), std::string::npos) << "not every page";
  // ケータイ版 keeps 前へ and 次へ only.
  const std::string phone = Phone("新潮社");
  EXPECT_EQ(phone.find("aria-current"), std::string::npos);
  EXPECT_FALSE(std::regex_search(phone, std::regex(">2</a>")));
}

TEST_F(Search, OldestFirstAndByAuthorsReading) {
  // 著者順 lists 芥川龍之介 (アクタガワ) before 夏目漱石 (ナツメ), page after page.
  std::vector<std::string> all;
  for (int p = 0; p < 160; p += 20) {
    HttpResponse r =
        server_->Get("/search?q=" + Hex("新潮社") + "&sort=author&p=" + std::to_string(p), {kPc});
    ASSERT_EQ(r.status, 200);
    if (p == 0) {
      EXPECT_NE(r.body.find("<strong>著者順</strong>"), std::string::npos);
    }
    for (const std::string& t : Titles(r.body)) all.push_back(t);
  }
  ASSERT_EQ(all.size(), 153u);
  auto pos = [&](const char* s) { return std::find(all.begin(), all.end(), s) - all.begin(); };
  for (const char* akutagawa : {"羅生門・鼻", "蜘蛛の糸・杜子春", "河童・或阿呆の一生"}) {
    for (const char* natsume : {"吾輩は猫である", "坊っちゃん"}) {
      EXPECT_LT(pos(akutagawa), pos(natsume)) << akutagawa << " " << natsume;
    }
  }
  EXPECT_LT(pos("坊っちゃん"), static_cast<long>(all.size()));
  // 古い順: the years rise.
  HttpResponse old = server_->Get("/search?q=" + Hex("夏目漱石") + "&sort=oldest", {kPc});
  EXPECT_NE(old.body.find("<strong>古い順</strong>"), std::string::npos);
  std::vector<int> years;
  std::string b = old.body;
  std::regex year(" ([12][0-9]{3})<br>");
  for (auto it = std::sregex_iterator(b.begin(), b.end(), year); it != std::sregex_iterator();
       ++it) {
    years.push_back(std::stoi((*it)[1]));
  }
  ASSERT_GE(years.size(), 5u) << b;
  EXPECT_TRUE(std::is_sorted(years.begin(), years.end()));
  EXPECT_LT(years.front(), years.back());
}

TEST_F(Search, TheListSaysItsConditionsAndNarrowsWithoutRetypingTheWords) {
  const std::string first = Pc("新潮社");
  // The narrowing form keeps the words as a hidden field and offers the rest.
  const size_t at = first.find("<select name=\"branch\" id=\"n-branch\">");
  ASSERT_NE(at, std::string::npos) << first;
  const size_t form = first.rfind("<form", at);
  const std::string narrow = first.substr(form, first.find("</form>", at) - form);
  EXPECT_NE(narrow.find("<input type=\"hidden\" name=\"q\" value=\"新潮社\">"), std::string::npos)
      << narrow;
  for (const char* field :
       {"<option value=\"chuo\">中央図書館</option>", "name=\"from\"", "name=\"to\"",
        "name=\"shelf\" value=\"1\"", "<label for=\"n-shelf\">"}) {
    EXPECT_NE(narrow.find(field), std::string::npos) << field;
  }
  // Sent as the form sends it: the words and the new conditions together.
  std::string query;
  std::regex hidden("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");
  for (auto it = std::sregex_iterator(narrow.begin(), narrow.end(), hidden);
       it != std::sregex_iterator(); ++it) {
    query += std::string(query.empty() ? "" : "&") + (*it)[1].str() + "=" + Hex((*it)[2].str());
  }
  HttpResponse r = server_->Get("/search?" + query + "&branch=chuo&from=&to=&shelf=1", {kPc});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<p>条件: 所蔵館: 中央、在架のみ</p>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("value=\"新潮社\""), std::string::npos) << "the words kept";
  EXPECT_NE(r.body.find("<option value=\"chuo\" selected>"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"1\" id=\"n-shelf\" checked>"), std::string::npos);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(r.body, m, std::regex("([0-9]+)件（1〜")));
  EXPECT_LT(std::stoi(m[1]), 153) << "fewer than the words alone";
  EXPECT_GT(std::stoi(m[1]), 0);
  // Every condition said in words, on a phone too (which has no form: 詳しく探す is its way).
  HttpResponse adv =
      server_->Get("/search?adv=1&author=" + Hex("夏目漱石") + "&from=1985&to=1990", {kPc});
  EXPECT_NE(adv.body.find("<p>条件: 著者: 夏目漱石、出版年: 1985年〜1990年</p>"), std::string::npos)
      << adv.body;
  HttpResponse phone = server_->Get("/search?adv=1&author=" + Hex(charset::Utf8ToSjis("夏目漱石")) +
                                        "&from=1985&_c=" + Hex("\x95\x5C\x83\x5C"),
                                    {kDocomo});
  EXPECT_LE(phone.body.size(), 5u * 1024);
  const std::string p = charset::SjisToUtf8(phone.body).value();
  EXPECT_NE(p.find("<p>条件: 著者: 夏目漱石、出版年: 1985年以降</p>"), std::string::npos) << p;
  EXPECT_EQ(p.find("n-branch"), std::string::npos) << "no narrowing form in ケータイ版";
}

// A page past the last one (an old bookmark, a catalogue that has shrunk, a
// hand-made link) shows the last page of the results, not 「1001〜1000件目」.
TEST_F(Search, APagePastTheLastShowsTheLastPage) {
  std::smatch m;
  const std::string first = Pc("新潮社");
  ASSERT_TRUE(std::regex_search(first, m, std::regex("([0-9]+)件（1〜([0-9]+)件目）"))) << first;
  const int total = std::stoi(m[1]);
  const int size = std::stoi(m[2]);
  ASSERT_GT(total, size) << "more than one page";
  const int from = (total - 1) / size * size + 1;
  const std::string want = std::to_string(total) + "件（" + std::to_string(from) + "〜" +
                           std::to_string(total) + "件目）";
  for (const char* p : {"999", "1000", "5000"}) {
    SCOPED_TRACE(p);
    HttpResponse r =
        server_->Get("/search?_c=" + Hex("表ソ") + "&q=" + Hex("新潮社") + "&p=" + p, {kPc});
    EXPECT_EQ(r.status, 200);
    EXPECT_NE(r.body.find(want), std::string::npos) << r.body;
    EXPECT_EQ(Titles(r.body).size(), static_cast<size_t>(total - from + 1));
    EXPECT_NE(r.body.find(">前へ</a>"), std::string::npos);
    EXPECT_EQ(r.body.find(">次へ</a>"), std::string::npos) << "nothing after the last page";
  }
  // No hits at all: the same helpful page on any page number.
  HttpResponse none = server_->Get("/search?q=zzqqxxnothing&p=40", {kPc});
  EXPECT_NE(none.body.find("見つかりませんでした"), std::string::npos);
  EXPECT_EQ(none.body.find("件目"), std::string::npos);
}

TEST_F(Search, EmptyTooLongAndNoHitQueriesGetHelpfulPages) {
  std::string empty = Pc("");
  EXPECT_NE(empty.find("入力してください"), std::string::npos);
  EXPECT_NE(Pc(std::string(201, 'x')).find("長すぎます"), std::string::npos);
  std::string kanji200;
  for (int i = 0; i < 200; ++i) kanji200 += "猫";
  EXPECT_EQ(Pc(kanji200).find("長すぎます"), std::string::npos) << "200 characters are fine";
  EXPECT_NE(Pc(kanji200 + "猫").find("長すぎます"), std::string::npos);
  std::string none = Pc("zzqqxxnothing");
  EXPECT_NE(none.find("見つかりませんでした"), std::string::npos);
  EXPECT_NE(none.find("ひらがなの読み"), std::string::npos) << "suggests the reading search";
  EXPECT_NE(none.find("href=\"/search/advanced\""), std::string::npos) << "and the ISBN form";
  EXPECT_NE(Phone("zzqqxxnothing").find("見つかりませんでした"), std::string::npos);
  EXPECT_EQ(none.find("2文字以上"), std::string::npos);
  // One kana finds nothing: the page says to type two.
  std::string one = Pc("ゑ");
  EXPECT_NE(one.find("見つかりませんでした"), std::string::npos) << one;
  EXPECT_NE(one.find("2文字以上で入力してください"), std::string::npos) << one;
  EXPECT_NE(Phone("ゑ").find("2文字以上で入力してください"), std::string::npos);
}

TEST_F(Search, RecordPageShowsEveryCopyWithBranchAndStatus) {
  std::string results = Pc("吾輩は猫である");
  std::smatch m;
  ASSERT_TRUE(
      std::regex_search(results, m, std::regex("href=\"(/record\\?id=[0-9]+)\">吾輩は猫である<")));
  HttpResponse r = server_->Get(m[1], {kPc});
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<h1>吾輩は猫である</h1>"), std::string::npos);
  EXPECT_NE(r.body.find("夏目漱石"), std::string::npos);
  EXPECT_NE(r.body.find("ワガハイ ワ ネコ デ アル"), std::string::npos);
  EXPECT_NE(r.body.find("中央図書館"), std::string::npos);
  EXPECT_NE(r.body.find("在架"), std::string::npos);
  EXPECT_EQ(server_->Get("/record?id=999999", {kPc}).status, 404);
  EXPECT_EQ(server_->Get("/record?id=abc", {kPc}).status, 404);
}

TEST_F(Search, TheAuthorOnARecordPageSearchesTheirOtherBooks) {
  std::smatch m;
  std::string results = Pc("吾輩は猫である");
  ASSERT_TRUE(
      std::regex_search(results, m, std::regex("href=\"(/record\\?id=[0-9]+)\">吾輩は猫である<")));
  const std::string record_path = m[1];
  HttpResponse record = server_->Get(record_path, {kPc});
  ASSERT_TRUE(std::regex_search(
      record.body, m, std::regex("<dd><a href=\"(/search\\?author=[^\"]+)\">夏目漱石</a>")))
      << record.body;
  HttpResponse r = server_->Get(std::regex_replace(m[1].str(), std::regex("&amp;"), "&"), {kPc});
  ASSERT_EQ(r.status, 200);
  std::vector<std::string> t = Titles(r.body);
  EXPECT_TRUE(Has(t, "こころ")) << r.body;
  EXPECT_TRUE(Has(t, "それから"));
  EXPECT_FALSE(Has(t, "人間失格")) << "only his books";

  // On an i-mode phone the link carries the charset probe (the name goes in
  // Shift_JIS), and the search finds his books there too.
  std::string p = charset::SjisToUtf8(server_->Get(record_path, {kDocomo}).body).value();
  ASSERT_TRUE(std::regex_search(
      p, m, std::regex("<a href=\"(/search\\?author=[^\"]+&amp;_c=[^\"]+)\">夏目漱石</a>")))
      << p;
  HttpResponse found =
      server_->Get(std::regex_replace(m[1].str(), std::regex("&amp;"), "&"), {kDocomo});
  std::string f = charset::SjisToUtf8(found.body).value();
  EXPECT_FALSE(Titles(f).empty()) << f;
  EXPECT_EQ(f.find("人間失格"), std::string::npos);
}

TEST_F(Search, ALoanedCopyShowsItsDueDateWithTheWeekday) {
  // The demo lends 坊っちゃん (its only copy) to card 1000000011.
  std::smatch m;
  std::string results = Pc("坊っちゃん");
  EXPECT_TRUE(std::regex_search(
      results,
      std::regex("<br>[^<]+ 貸出中（返却予定[0-9]+月[0-9]+日\\((日|月|火|水|木|金|土)\\)）")))
      << "the list names the branch and the due date";
  ASSERT_TRUE(
      std::regex_search(results, m, std::regex("href=\"(/record\\?id=[0-9]+)\">坊っちゃん<")));
  HttpResponse r = server_->Get(m[1], {kPc});
  EXPECT_TRUE(std::regex_search(
      r.body, std::regex("貸出中（返却予定 [0-9]+月[0-9]+日\\((日|月|火|水|木|金|土)\\)）")))
      << r.body;
}

TEST_F(Search, AdvancedFormCombinesFields) {
  HttpResponse form = server_->Get("/search/advanced", {kPc});
  ASSERT_EQ(form.status, 200);
  for (const char* field : {"name=\"title\"", "name=\"author\"", "name=\"isbn\"", "name=\"from\"",
                            "name=\"branch\"", "name=\"shelf\"", "<label for=\"f-isbn\">"}) {
    EXPECT_NE(form.body.find(field), std::string::npos) << field;
  }
  HttpResponse phone = server_->Get("/search/advanced", {kDocomo});
  std::string p = charset::SjisToUtf8(phone.body).value();
  EXPECT_NE(p.find("name=\"isbn\" id=\"f-isbn\" size=\"13\" maxlength=\"200\" istyle=\"4\""),
            std::string::npos)
      << "number keypad for the ISBN on docomo";

  // 夏目漱石 by reading, only 1985-1987.
  HttpResponse r =
      server_->Get("/search?adv=1&author=" + Hex("なつめ") + "&from=1985&to=1987", {kPc});
  std::vector<std::string> t = Titles(r.body);
  ASSERT_FALSE(t.empty());
  EXPECT_TRUE(Has(t, "それから"));  // 1985
  EXPECT_FALSE(Has(t, "吾輩は猫である")) << "2003 is outside the range";
  HttpResponse title_only = server_->Get("/search?adv=1&title=" + Hex("なつめ"), {kPc});
  EXPECT_FALSE(Has(Titles(title_only.body), "それから")) << "an author's reading is not a title";
}

TEST_F(Search, SortByTitleReadingFollowsJapaneseOrder) {
  HttpResponse r = server_->Get("/search?q=" + Hex("夏目漱石") + "&sort=title", {kPc});
  std::vector<std::string> t = Titles(r.body);
  ASSERT_GE(t.size(), 5u);
  // こころ (コ) comes before それから (ソ) before 門 (モン).
  auto pos = [&](const char* s) { return std::find(t.begin(), t.end(), s) - t.begin(); };
  EXPECT_LT(pos("こころ"), pos("それから"));
  EXPECT_LT(pos("それから"), pos("門"));
  EXPECT_NE(r.body.find("<strong>書名順</strong>"), std::string::npos);
}

}  // namespace
}  // namespace shiori::test
