// End-to-end tests of availability (所蔵と貸出状況) on the result list and the
// record page, on a PC (UTF-8) and a cookie-less docomo phone (Shift_JIS):
// one line per branch, the branch searched in first and counted alone, the
// due date of a loaned copy, the holds waiting, a copy for use in the library
// only (館内のみ) that the counter refuses to lend, and a docomo page that
// stays within its budget with nine branches. The server runs the demo
// library with six branches more than the sample configuration, and a
// catalogue of its own imported with `shiori import catalog`.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "charset/charset.h"
#include "tests/integration/browser.h"
#include "tests/integration/staff_client.h"

namespace shiori::test {
namespace {

const char kPc[] =
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";
const char kDocomo[] = "User-Agent: DoCoMo/1.0/N503i";  // no cache token: 5 KB pages
constexpr size_t kDocomoBudget = 5 * 1024;
// A Thursday: a loan made today is due 2027-01-05, after the year-end closure.
const char kToday[] = "SHIORI_TODAY=2026-12-17";
// The demo's counter account (db/demo.cc).
const char kStaff[] = "madoguchi";
const char kStaffPassword[] = "madoguchi-2026";

// Six branches after the sample configuration's 中央, 高尾野 and 野田.
const char* const kMoreBranches[][2] = {
    {"komenotsu", "米ノ津図書館"}, {"sho", "荘図書館"},    {"okawachi", "大川内図書館"},
    {"enai", "江内図書館"},        {"tobu", "東部図書館"}, {"seibu", "西部図書館"},
};

// One row per copy: id, title, reading, authors, their readings, publisher,
// year, barcode, branch, call number, in_library.
std::string Row(const std::string& id, const std::string& title, const std::string& kana,
                const std::string& barcode, const std::string& branch,
                const std::string& in_library = "") {
  return id + "\t" + title + "\t" + kana +
         "\t出水太郎（著） ; 鶴田花子（訳）\tイズミ タロウ ; ツルタ ハナコ\t出水書房\t2020\t" +
         barcode + "\t" + branch + "\t913.6 イ\t" + in_library + "\n";
}

std::string Catalogue() {
  std::string t =
      "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher\tyear\tbarcode\tbranch\t"
      "call_number\tin_library\n";
  // Two at 中央, one at 野田, one at 高尾野 (lent in a test).
  const std::string light = "鶴来る岬の灯台守", light_kana = "ツル クル ミサキ ノ トウダイモリ";
  t += Row("av-1", light, light_kana, "7000000001", "chuo");
  t += Row("av-1", light, light_kana, "7000000002", "chuo");
  t += Row("av-1", light, light_kana, "7000000003", "noda");
  t += Row("av-1", light, light_kana, "7000000004", "takaono");
  // A dictionary: for use in the library at 中央, lendable at 高尾野.
  t += Row("av-2", "出水方言大辞典", "イズミ ホウゲン ダイジテン", "7000000011", "chuo", "1");
  t += Row("av-2", "出水方言大辞典", "イズミ ホウゲン ダイジテン", "7000000012", "takaono", "0");
  // One copy, lent, with two patrons waiting for it.
  t += Row("av-3", "鶴の渡る田んぼの一年", "ツル ノ ワタル タンボ ノ イチネン", "7000000021",
           "noda");
  // Five long titles with a copy at each of the nine branches.
  for (int v = 1; v <= 5; ++v) {
    const std::string title = "出水平野に鶴の舞う冬の朝と人々の暮らしをたずねる長い旅の記録 第" +
                              std::to_string(v) + "巻";
    for (int b = 0; b < 9; ++b) {
      const std::string branch = b == 0   ? "chuo"
                                 : b == 1 ? "takaono"
                                 : b == 2 ? "noda"
                                          : kMoreBranches[b - 3][0];
      t += Row("av-b" + std::to_string(v), title, "イズミ ヘイヤ ニ ツル ノ マウ フユ ノ アサ",
               "71000" + std::to_string(v) + std::to_string(b), branch);
    }
  }
  return t;
}

class Availability : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    // The sample configuration with six more branches.
    std::ifstream in(SHIORI_SOURCE_DIR "/conf/shiori.toml");
    std::stringstream toml;
    toml << in.rdbuf();
    std::string text = toml.str();
    for (const auto& b : kMoreBranches) {
      text += std::string("\n[[branch]]\ncode = \"") + b[0] + "\"\nname = \"" + b[1] +
              "\"\nclosed_weekdays = [\"mon\"]\nclosed_yearly = [\"12-29/01-03\"]\n";
    }
    config_ = new std::string(dir_->File("shiori.toml"));
    db_ = new std::string(dir_->File("a.db"));
    std::ofstream(*config_) << text;
    ASSERT_TRUE(server_->Start({"--config", *config_, "--db", *db_, "--demo"}, {kToday}))
        << server_->startup_output();
    std::ofstream(dir_->File("catalog.tsv")) << Catalogue();
    CommandResult r = RunShiori(
        {"import", "catalog", dir_->File("catalog.tsv"), "--config", *config_, "--db", *db_},
        {kToday});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  static void TearDownTestSuite() {
    delete server_;
    delete config_;
    delete db_;
    delete dir_;
  }

  // A page as a PC sees it (UTF-8).
  static std::string Pc(const std::string& path) {
    HttpResponse r = server_->Get(path, {kPc});
    EXPECT_EQ(r.status, 200) << path;
    return r.body;
  }
  // A page as an old i-mode phone sees it: Shift_JIS within 5 KB, as UTF-8.
  static std::string Docomo(const std::string& path) {
    HttpResponse r = server_->Get(path, {kDocomo});
    EXPECT_EQ(r.status, 200) << path;
    EXPECT_EQ(r.Header("content-type"), "text/html; charset=Shift_JIS");
    EXPECT_LE(r.body.size(), kDocomoBudget) << path << " fits the 5 KB cache";
    auto d = charset::SjisToUtf8(r.body);
    EXPECT_TRUE(d.ok()) << path;
    return d.ok() ? d.value() : "";
  }
  // The search for `words` as each device's form sends it, with more
  // parameters (`&branch=noda`).
  static std::string PcSearch(const std::string& words, const std::string& more = "") {
    return Pc("/search?_c=" + Hex("表ソ") + "&q=" + Hex(words) + more);
  }
  static std::string DocomoSearch(const std::string& words, const std::string& more = "") {
    return Docomo("/search?_c=" + Hex("\x95\x5C\x83\x5C") +
                  "&q=" + Hex(charset::Utf8ToSjis(words)) + more);
  }
  // The list item of the hit titled `title` ("" when it is not on the page).
  static std::string Hit(const std::string& page, const std::string& title) {
    const size_t at = page.find("\">" + title + "</a>");
    if (at == std::string::npos) return "";
    const size_t from = page.rfind("<li>", at);
    const size_t to = page.find("</li>", at);
    return page.substr(from, to - from);
  }
  // The record page's path of the hit titled `title`.
  static std::string RecordPath(const std::string& page, const std::string& title) {
    std::smatch m;
    const std::regex re("href=\"(/record\\?id=[0-9]+)[^\"]*\">" + title + "<");
    return std::regex_search(page, m, re) ? std::string(m[1]) : "";
  }
  // Lends `barcode` to `card` at the counter of `branch`; the due date as the
  // counter shows it (1月5日(火)).
  static std::string Lend(StaffBrowser& counter, const std::string& card,
                          const std::string& barcode) {
    counter.Get("/staff/checkout?card=" + card);
    HttpResponse r = counter.Post("/staff/checkout", {{"barcode", barcode}});
    EXPECT_EQ(r.status, 200) << r.body;
    std::smatch m;
    if (!std::regex_search(r.body, m, std::regex("返却期限 ([0-9]+月[0-9]+日\\([^)]+\\))"))) {
      ADD_FAILURE() << r.body;
      return "";
    }
    return m[1];
  }
  static std::string Count(const std::string& sql) { return QueryText(*db_, sql); }

  static TempDir* dir_;
  static Server* server_;
  static std::string* config_;
  static std::string* db_;
};
TempDir* Availability::dir_ = nullptr;
Server* Availability::server_ = nullptr;
std::string* Availability::config_ = nullptr;
std::string* Availability::db_ = nullptr;

TEST_F(Availability, ABranchSearchShowsThatBranchFirstCountedAloneAndALoanItsDueDate) {
  StaffBrowser takaono(*server_);
  ASSERT_EQ(takaono.Login(kStaff, kStaffPassword, "takaono").status, 200);
  const std::string due = Lend(takaono, "1000000022", "7000000004");
  ASSERT_FALSE(due.empty());
  const std::string title = "鶴来る岬の灯台守";
  const std::string loaned = "高尾野 貸出中（返却予定" + due + "）";

  // Every branch, in the configuration's order, each counted on its own.
  for (const std::string& page : {PcSearch("灯台守"), DocomoSearch("灯台守")}) {
    const std::string hit = Hit(page, title);
    ASSERT_FALSE(hit.empty()) << page;
    EXPECT_NE(hit.find("出水太郎 著 ; 鶴田花子 訳 出水書房 2020<br>中央 在架2/2冊<br>" + loaned +
                       "<br>野田 在架1/1冊"),
              std::string::npos)
        << hit;
    EXPECT_EQ(hit.find("在架3/4冊"), std::string::npos) << "no sum over the branches";
  }
  // Limited to 野田: 野田's own line first, then the others.
  for (const std::string& page :
       {PcSearch("灯台守", "&branch=noda"), DocomoSearch("灯台守", "&branch=noda")}) {
    const std::string hit = Hit(page, title);
    ASSERT_FALSE(hit.empty()) << page;
    EXPECT_NE(hit.find("2020<br>野田 在架1/1冊<br>中央 在架2/2冊<br>" + loaned), std::string::npos)
        << hit;
  }
  // Limited to 高尾野, on the shelf only: the title has none there.
  EXPECT_TRUE(Hit(PcSearch("灯台守", "&branch=takaono&shelf=1"), title).empty());

  // The record page: each copy with its branch, call number and state.
  const std::string path = RecordPath(PcSearch("灯台守"), title);
  ASSERT_FALSE(path.empty());
  for (const std::string& page : {Pc(path), Docomo(path)}) {
    EXPECT_NE(
        page.find("<li>高尾野図書館 請求記号 913.6 イ<br>貸出中（返却予定 " + due + "）</li>"),
        std::string::npos)
        << page;
    EXPECT_NE(page.find("<li>野田図書館 請求記号 913.6 イ<br>在架</li>"), std::string::npos)
        << page;
    // Each name a link that searches it, the role after it.
    EXPECT_NE(page.find(">出水太郎</a> 著 ; <a href=\"/search?author="), std::string::npos) << page;
    EXPECT_NE(page.find(">鶴田花子</a> 訳</dd>"), std::string::npos) << page;
  }
}

TEST_F(Availability, TwoWaitingHoldsAreCountedOnTheRecordPageAndTheList) {
  StaffBrowser noda(*server_);
  ASSERT_EQ(noda.Login(kStaff, kStaffPassword, "noda").status, 200);
  ASSERT_FALSE(Lend(noda, "1000000055", "7000000021").empty());
  const std::string title = "鶴の渡る田んぼの一年";
  const std::string path = RecordPath(PcSearch("田んぼの一年"), title);
  ASSERT_FALSE(path.empty());
  EXPECT_EQ(Pc(path).find("予約"), std::string::npos) << "no holds yet";

  // One patron from a PC, one from a phone.
  Browser pc(*server_, false), phone(*server_, true);
  for (auto [b, card, password] :
       {std::tuple<Browser*, const char*, const char*>{&pc, "1000000011", "neko2026"},
        {&phone, "1000000033", "hon4649"}}) {
    b->Get("/account");
    long status = 0;
    b->Post("/account/login", {{"card", card}, {"password", password}}, &status);
    ASSERT_EQ(status, 200) << b->last_page();
    b->Get(path);
    b->Post("/cart/add", {}, &status);
    b->Get("/reserve");
    b->Post("/reserve/confirm", {{"branch", "noda"}, {"contact", "phone"}}, &status);
    const std::string placed = b->Post("/reserve/place", {}, &status);
    ASSERT_NE(placed.find("予約しました"), std::string::npos) << placed;
  }
  ASSERT_EQ(Count("SELECT count(*) FROM holds h JOIN records r ON r.id = h.record_id"
                  " WHERE r.source_id = 'av-3' AND h.status = 'waiting'"),
            "2");

  for (const std::string& page : {Pc(path), Docomo(path)}) {
    EXPECT_NE(page.find("<p>予約 2件</p>"), std::string::npos) << page;
  }
  for (const std::string& page : {PcSearch("田んぼの一年"), DocomoSearch("田んぼの一年")}) {
    const std::string hit = Hit(page, title);
    EXPECT_NE(hit.find("<br>野田 貸出中（返却予定"), std::string::npos) << hit;
    EXPECT_NE(hit.find("<br>予約 2件"), std::string::npos) << hit;
  }
}

TEST_F(Availability, AReferenceCopyShowsInLibraryOnlyAndTheCounterRefusesToLendIt) {
  const std::string title = "出水方言大辞典";
  for (const std::string& page : {PcSearch("方言大辞典"), DocomoSearch("方言大辞典")}) {
    const std::string hit = Hit(page, title);
    EXPECT_NE(hit.find("<br>中央 館内のみ<br>高尾野 在架1/1冊"), std::string::npos) << hit;
  }
  const std::string path = RecordPath(PcSearch("方言大辞典"), title);
  ASSERT_FALSE(path.empty());
  for (const std::string& page : {Pc(path), Docomo(path)}) {
    EXPECT_NE(page.find("<li>中央図書館 請求記号 913.6 イ<br>館内のみ</li>"), std::string::npos)
        << page;
    EXPECT_NE(page.find("<li>高尾野図書館 請求記号 913.6 イ<br>在架</li>"), std::string::npos)
        << page;
  }

  const char kRefusal[] = "この資料は館内でのご利用のみです（貸出できません）。";
  StaffBrowser chuo(*server_);
  ASSERT_EQ(chuo.Login(kStaff, kStaffPassword, "chuo").status, 200);
  chuo.Get("/staff/checkout?card=1000000011");
  HttpResponse r = chuo.Post("/staff/checkout", {{"barcode", "7000000011"}});
  EXPECT_EQ(r.status, 409);
  EXPECT_NE(r.body.find(kRefusal), std::string::npos) << r.body;
  CommandResult cli = RunShiori(
      {"circ", "checkout", "1000000011", "7000000011", "--config", *config_, "--db", *db_},
      {kToday});
  EXPECT_NE(cli.exit_code, 0);
  EXPECT_NE(cli.err.find(kRefusal), std::string::npos) << cli.err;
  EXPECT_EQ(Count("SELECT status FROM copies WHERE barcode = '7000000011'"), "shelf");
  EXPECT_EQ(Count("SELECT count(*) FROM loans l JOIN copies k ON k.id = l.copy_id"
                  " WHERE k.barcode = '7000000011'"),
            "0");
  EXPECT_NE(Count("SELECT count(*) FROM audit WHERE action = 'checkout' AND barcode = '7000000011'"
                  " AND outcome = '" +
                  std::string(kRefusal) + "'"),
            "0")
      << "the refusal is audited";
}

// Nine branches, each with a copy on loan: every hit has nine lines of the
// longest kind, and the docomo pages still fit 5 KB.
TEST_F(Availability, DocomoResultsWithNineBranchesStayWithinTheBudget) {
  std::vector<std::string> codes = {"chuo", "takaono", "noda"};
  for (const auto& b : kMoreBranches) codes.push_back(b[0]);
  for (size_t b = 0; b < codes.size(); ++b) {
    StaffBrowser counter(*server_);
    ASSERT_EQ(counter.Login(kStaff, kStaffPassword, codes[b]).status, 200) << codes[b];
    for (int v = 1; v <= 5; ++v) {
      ASSERT_FALSE(
          Lend(counter, "1000000022", "71000" + std::to_string(v) + std::to_string(b)).empty());
    }
  }
  const std::string words = "暮らしをたずねる";
  std::string page = DocomoSearch(words);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(page, m, std::regex("([0-9]+)件（1(〜|～)([0-9]+)件目）"))) << page;
  EXPECT_EQ(m[1], "5");
  const int first_page = std::stoi(m[3]);
  EXPECT_LT(first_page, 5) << "fewer hits a page than with three branches";
  int hits = 0;
  for (int v = 1; v <= 5; ++v) {
    const std::string hit =
        Hit(page, "出水平野に鶴の舞う冬の朝と人々の暮らしをたずねる長い旅の記録 第" +
                      std::to_string(v) + "巻");
    if (hit.empty()) continue;
    ++hits;
    size_t lines = 0;
    for (size_t at = 0; (at = hit.find(" 貸出中（返却予定", at)) != std::string::npos; ++at) {
      ++lines;
    }
    EXPECT_EQ(lines, 9u) << hit;
    EXPECT_NE(hit.find("<br>西部 貸出中（返却予定"), std::string::npos) << hit;
  }
  EXPECT_EQ(hits, first_page);
  // The next page (its bytes checked by Docomo too).
  ASSERT_TRUE(
      std::regex_search(page, m, std::regex("<a href=\"([^\"]*)\" accesskey=\"6\">次へ</a>")));
  std::string next = m[1];
  for (size_t at; (at = next.find("&amp;")) != std::string::npos;) next.replace(at, 5, "&");
  const std::string second = Docomo(next);
  EXPECT_NE(second.find("件目）"), std::string::npos) << second;
}

}  // namespace
}  // namespace shiori::test
