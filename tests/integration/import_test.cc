// End-to-end: staff import a catalogue and patrons with the real command while
// the server runs on the same file; patrons find the books through the pages
// from a PC and a feature phone; a bad file changes nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>

#include "charset/charset.h"
#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

const char kPc[] = "User-Agent: Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1.15";
const char kDocomo[] = "User-Agent: DoCoMo/2.0 N906i(c100;TB;W24H16)";

// A made-up book with a valid ISBN (9784099990015 = ISBN-10 409999001X),
// a cat book, and a title that would break an unescaped page.
const char kCatalog[] =
    "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher\tpublisher_"
    "kana\tyear\tisbn\tndc\tbarcode\tbranch\tcall_number\n"
    "x-1\t出水の鶴\tイズミ ノ ツル\t鶴田一郎\tツルタ イチロウ\t出水書房\tイズミ "
    "ショボウ\t2020\t978-4-09-999001-5\t488\t3000000001\tchuo\t488 ツ\n"
    "x-1\t出水の鶴\tイズミ ノ ツル\t鶴田一郎\tツルタ イチロウ\t出水書房\tイズミ "
    "ショボウ\t2020\t978-4-09-999001-5\t488\t3000000002\tnoda\t488 ツ\n"
    "x-2\t黒猫の旅\tクロネコ ノ タビ\t猫山花子\tネコヤマ ハナコ\t出水書房\tイズミ "
    "ショボウ\t2019\t\t913.6\t3000000003\ttakaono\t913.6 ネ\n"
    "x-3\t<script>alert(1)</script>の本\tスクリプト ノ ホン\t山田太郎\tヤマダ "
    "タロウ\t出水書房\tイズミ ショボウ\t2018\t\t007\t3000000004\tchuo\t007 ヤ\n";

class Import : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.File("i.db");
    ASSERT_TRUE(server_.Start({"--db", db_})) << server_.startup_output();
    std::ofstream(dir_.File("catalog.tsv")) << kCatalog;
    CommandResult r = RunShiori({"import", "catalog", dir_.File("catalog.tsv"), "--db", db_});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("3 records (3 new, 0 updated, 0 skipped), 4 copies"), std::string::npos)
        << r.out;
    EXPECT_EQ(r.err, "") << "quiet when not on a terminal";
  }
  std::string SearchPc(const std::string& q) {
    HttpResponse r = server_.Get("/search?_c=" + Hex("表ソ") + "&q=" + Hex(q), {kPc});
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
  std::string SearchPhone(const std::string& q) {
    HttpResponse r = server_.Get(
        "/search?_c=" + Hex("\x95\x5C\x83\x5C") + "&q=" + Hex(charset::Utf8ToSjis(q)), {kDocomo});
    EXPECT_EQ(r.status, 200);
    auto d = charset::SjisToUtf8(r.body);
    EXPECT_TRUE(d.ok());
    return d.ok() ? d.value() : "";
  }
  TempDir dir_;
  Server server_;
  std::string db_;
};

TEST_F(Import, IsbnInEveryFormFindsTheBook) {
  for (const char* q : {"9784099990015", "978-4-09-999001-5", "409999001X", "4-09-999001-x",
                        "４０９９９９００１Ｘ"}) {
    SCOPED_TRACE(q);
    EXPECT_NE(SearchPc(q).find(">出水の鶴</a>"), std::string::npos);
    EXPECT_NE(SearchPhone(q).find(">出水の鶴</a>"), std::string::npos);
  }
  EXPECT_NE(SearchPc("978-4-09-999001-4").find("見つかりませんでした"), std::string::npos)
      << "a wrong check digit is not this book";
}

TEST_F(Import, ReadingsAndOneKanjiFindImportedRecords) {
  for (const char* q : {"猫", "ねこ", "ﾈｺ", "ネコ", "くろねこ"}) {
    SCOPED_TRACE(q);
    EXPECT_NE(SearchPc(q).find(">黒猫の旅</a>"), std::string::npos);
    EXPECT_NE(SearchPhone(q).find(">黒猫の旅</a>"), std::string::npos);
  }
  EXPECT_NE(SearchPc("つるたいちろう").find(">出水の鶴</a>"), std::string::npos)
      << "author reading";
  EXPECT_NE(SearchPhone("鶴").find(">出水の鶴</a>"), std::string::npos);
}

TEST_F(Import, ImportedTextIsEscapedOnThePage) {
  std::string page = SearchPc("すくりぷと");
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;の本"), std::string::npos);
}

// A bad ISBN, a bad year and a reading in kanji, on three records: the
// three are imported without those values, each with a warning line naming
// the file and the line, and the summary counts them.
TEST_F(Import, BadValuesCostTheValueAndAWarningLineEach) {
  const std::string file = dir_.File("values.tsv");
  std::ofstream(file) << "id\ttitle\ttitle_kana\tyear\tisbn\tbarcode\tbranch\n"
                         "y-1\t白い鳥\tシロイ トリ\t2021\t978-4-09-999001-4\t3000000100\tchuo\n"
                         "y-2\t赤い鳥\tアカイ トリ\t20x1\t\t3000000101\t高尾野図書館\n"
                         "y-3\t青い鳥\t青い トリ\t2019\t\t3000000102\t野田\n";
  CommandResult r = RunShiori({"import", "catalog", file, "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err,
            file +
                ":2: warning: ISBN '978-4-09-999001-4' is not valid (10 or 13 digits with a "
                "correct check digit); left out\n" +
                file + ":3: warning: year '20x1' is not 1 to 4 digits; left out\n" + file +
                ":4: warning: title_kana '青い トリ' is not a reading (kana, ー, ・, letters, "
                "digits and spaces); left out\n");
  EXPECT_NE(r.out.find("values.tsv: 3 records (3 new, 0 updated, 0 skipped), 3 copies in "),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" s, 3 warnings\n"), std::string::npos) << r.out;
  for (const char* title : {"白い鳥", "赤い鳥", "青い鳥"}) {
    EXPECT_NE(SearchPc(title).find(std::string(">") + title + "</a>"), std::string::npos) << title;
  }
  EXPECT_EQ(QueryText(db_, "SELECT ifnull(isbn, '') FROM records WHERE source_id = 'y-1'"), "");
  EXPECT_EQ(QueryInt(db_, "SELECT ifnull(year, 0) FROM records WHERE source_id = 'y-2'"), 0);
  EXPECT_EQ(QueryText(db_, "SELECT ifnull(title_kana, '') FROM records WHERE source_id = 'y-3'"),
            "");
  EXPECT_EQ(QueryText(db_,
                      "SELECT group_concat(branch, ' ') FROM (SELECT branch FROM copies"
                      " WHERE barcode IN ('3000000101', '3000000102') ORDER BY barcode)"),
            "takaono noda")
      << "branches given by name";
}

// A file whose copies cannot be placed -- an unknown branch, a barcode twice
// -- is refused whole: nothing of it lands, its good rows neither.
TEST_F(Import, AnUnknownBranchOrABarcodeTwiceRefusesTheWholeFileAndChangesNothing) {
  const std::string rows =
      "id\ttitle\tyear\tbarcode\tbranch\n"
      "y-1\t新しい本\t2021\t3000000100\tchuo\n"
      "y-2\t壊れた行\t20x1\t3000000101\tchuo\n";
  const std::pair<std::string, std::string> cases[] = {
      {"branch.tsv", rows + "y-3\t三冊目\t2020\t3000000102\t阿久根図書館\n"},
      {"barcode.tsv", rows + "y-3\t三冊目\t2020\t3000000100\tnoda\n"}};
  for (const auto& [name, tsv] : cases) {
    SCOPED_TRACE(name);
    std::ofstream(dir_.File(name)) << tsv;
    CommandResult r = RunShiori({"import", "catalog", dir_.File(name), "--db", db_});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find(dir_.File(name) + ":4: " +
                         (name == "branch.tsv"
                              ? "unknown branch '阿久根図書館': not the code or name of a "
                                "configured branch\n"
                              : "barcode '3000000100' already appears on line 2\n")),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find(dir_.File(name) + ":3: warning: year '20x1'"), std::string::npos)
        << "the warnings are listed too: " << r.err;
    EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_NE(SearchPc("新しい本").find("見つかりませんでした"), std::string::npos)
        << "the good row before it did not land either";
    EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM records WHERE source_id LIKE 'y-%'"), 0);
  }
  EXPECT_NE(SearchPc("猫").find(">黒猫の旅</a>"), std::string::npos) << "what was there stays";
}

TEST_F(Import, ReimportUpdatesInsteadOfDuplicating) {
  CommandResult r = RunShiori({"import", "catalog", dir_.File("catalog.tsv"), "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("(0 new, 3 updated, 0 skipped)"), std::string::npos) << r.out;
  std::string page = SearchPc("出水の鶴");
  EXPECT_NE(page.find("1件"), std::string::npos) << "one record, not two";
}

TEST_F(Import, PatronsImportedByStaffCanRegisterOnline) {
  std::ofstream(dir_.File("patrons.tsv")) << "card\tname_kana\tphone\temail\tbranch\n"
                                             "5000000001\tヤマダ ユウコ\t0996-11-2233\t\tnoda\n";
  CommandResult r = RunShiori({"patron", "import", dir_.File("patrons.tsv"), "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("1 patrons (1 new, 0 updated)"), std::string::npos) << r.out;
  std::ofstream(dir_.File("bad-patrons.tsv")) << "card\tname_kana\tphone\n"
                                                 "5000000002\tサトウ\t0996-11-0000\n"
                                                 "abc\tスズキ\t0996\n";
  CommandResult bad = RunShiori({"patron", "import", dir_.File("bad-patrons.tsv"), "--db", db_});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("bad-patrons.tsv:3: "), std::string::npos) << bad.err;
  CommandResult add = RunShiori({"patron", "add", "--card", "5000000002", "--name-kana", "サトウ",
                                 "--phone", "0996", "--db", db_});
  EXPECT_NE(add.exit_code, 0) << "a phone number of 4 digits is refused";
  EXPECT_EQ(add.err.find('\n'), add.err.size() - 1) << "one line: " << add.err;
}

// Bytes no page and no terminal may be given raw: NUL, ESC, DEL, C1 CSI
// (U+009B), RLO (U+202E), LRI (U+2066), U+FFFF, U+FDD0.
const char* const kRawControls[] = {"\x1B",         "\x7F",         "\xC2\x9B",    "\xE2\x80\xAE",
                                    "\xE2\x81\xA6", "\xEF\xBF\xBF", "\xEF\xB7\x90"};
::testing::AssertionResult NoRawControls(const std::string& text) {
  if (text.find('\0') != std::string::npos) return ::testing::AssertionFailure() << "a NUL";
  for (const char* c : kRawControls) {
    if (text.find(c) != std::string::npos) {
      return ::testing::AssertionFailure() << "raw " << charset::ForTerminal(c) << " in: " << text;
    }
  }
  return ::testing::AssertionSuccess();
}

// The record page's id of `source_id`.
std::string RecordPath(const std::string& db, const std::string& source_id) {
  return "/record?id=" + std::to_string(QueryInt(
                             db, "SELECT id FROM records WHERE source_id = '" + source_id + "'"));
}

// The attack as a file: the staff command cleans the values it stores and
// says, on one line each, which line or record and which field it cleaned.
TEST_F(Import, ControlCharactersInAFileAreStoredCleanedAndEachCleaningIsReported) {
  std::ofstream(dir_.File("attack.tsv"), std::ios::binary)
      << std::string("id\ttitle\tauthor\tnotes\tbarcode\tbranch\tcall_number\n") + "z-1\t赤い" +
             std::string(1, '\0') + "猫\x1B[31mの本\x7F\t猫山\u202E花子\t上巻\r下巻\t" +
             "3000000201\tchuo\t913.6\u009Bア\n" +
             "z-2\t\u2066黒い\u2069犬\xEF\xBF\xBF\t\t\t\t\t\n";
  CommandResult r = RunShiori({"import", "catalog", dir_.File("attack.tsv"), "--db", db_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 records (2 new, 0 updated, 0 skipped), 1 copies"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" s, 5 warnings\n"), std::string::npos) << r.out;
  const std::string file = dir_.File("attack.tsv");
  for (const std::string& line :
       {file + ":2: warning: title: removed control characters U+0000 U+001B U+007F\n",
        file + ":2: warning: author: removed control characters U+202E\n",
        file + ":2: warning: notes: a tab or line break made a space\n",
        file + ":2: warning: call_number: removed control characters U+009B\n",
        file + ":3: warning: title: removed control characters U+2066 U+2069 U+FFFF\n"}) {
    EXPECT_NE(r.err.find(line), std::string::npos) << r.err;
  }
  EXPECT_TRUE(NoRawControls(r.out + r.err));
  EXPECT_EQ(QueryText(db_, "SELECT title FROM records WHERE source_id = 'z-1'"), "赤い猫[31mの本");
  EXPECT_EQ(QueryText(db_,
                      "SELECT name FROM record_authors JOIN records ON id = record_id"
                      " WHERE source_id = 'z-1'"),
            "猫山花子");
  EXPECT_EQ(QueryText(db_, "SELECT notes FROM records WHERE source_id = 'z-1'"), "上巻 下巻");
  EXPECT_EQ(QueryText(db_, "SELECT call_number FROM copies WHERE barcode = '3000000201'"),
            "913.6ア");
  EXPECT_EQ(QueryText(db_, "SELECT title FROM records WHERE source_id = 'z-2'"), "黒い犬");
  EXPECT_NE(SearchPc("猫山花子").find(">赤い猫[31mの本</a>"), std::string::npos);

  // MARCXML carries C1 controls, bidi controls and U+FDD0 (XML refuses C0 and U+FFFF).
  std::ofstream(dir_.File("attack.xml"), std::ios::binary)
      << "<collection xmlns=\"http://www.loc.gov/MARC21/slim\"><record>"
         "<leader>00000nam a2200000 a 4500</leader>"
         "<controlfield tag=\"001\">z-3</controlfield>"
         "<datafield tag=\"245\" ind1=\"1\" ind2=\"0\"><subfield code=\"a\">白い&#x9B;"
         "&#x202E;鳥&#xFDD0;</subfield></datafield>"
         "</record></collection>";
  CommandResult x = RunShiori({"import", "catalog", dir_.File("attack.xml"), "--db", db_});
  ASSERT_EQ(x.exit_code, 0) << x.err;
  EXPECT_NE(x.err.find(dir_.File("attack.xml") +
                       ":1: warning: field 245 $a: removed control characters U+009B U+202E "
                       "U+FDD0\n"),
            std::string::npos)
      << x.err;
  EXPECT_EQ(QueryText(db_, "SELECT title FROM records WHERE source_id = 'z-3'"), "白い鳥");
}

// Rows stored before the imports cleaned anything (or written by another
// tool) still reach no page and no staff terminal raw.
TEST_F(Import, OlderRowsWithControlCharactersReachNoPageAndNoTerminalRaw) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  const char* sql =
      "INSERT INTO records(source_id, title, publisher, notes) VALUES('old-1',"
      " '古い' || char(0) || '猫' || char(27) || '[31mの本' || char(8238) || 'fdp.exe',"
      " '出水' || char(155) || '書房', '注記' || char(65535) || char(64976) || char(8294));"
      "INSERT INTO record_authors(record_id, pos, name) SELECT id, 0, '猫山' || char(27) ||"
      " ']0;title' || char(7) || '花子' FROM records WHERE source_id = 'old-1';"
      "INSERT INTO copies(barcode, record_id, branch, call_number) SELECT '3000000301', id,"
      " 'chuo', '913' || char(127) || '.6' FROM records WHERE source_id = 'old-1';";
  char* err = nullptr;
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_close(db);
  ASSERT_EQ(
      QueryInt(db_, "SELECT instr(title, char(0)) > 0 FROM records WHERE source_id = 'old-1'"), 1)
      << "the raw bytes are stored";

  const std::string path = RecordPath(db_, "old-1");
  HttpResponse pc = server_.Get(path, {kPc});
  ASSERT_EQ(pc.status, 200);
  EXPECT_NE(pc.body.find("<h1>古い猫[31mの本fdp.exe</h1>"), std::string::npos) << pc.body;
  EXPECT_NE(pc.body.find("出水書房"), std::string::npos);
  EXPECT_NE(pc.body.find("猫山]0;title花子"), std::string::npos);
  EXPECT_TRUE(NoRawControls(pc.body));
  EXPECT_EQ(pc.body.find('\x07'), std::string::npos) << "BEL";
  HttpResponse phone = server_.Get(path, {kDocomo});
  ASSERT_EQ(phone.status, 200);
  auto page = charset::SjisToUtf8(phone.body);
  ASSERT_TRUE(page.ok());
  EXPECT_NE(page->find("古い猫[31mの本fdp.exe"), std::string::npos) << *page;
  EXPECT_TRUE(NoRawControls(*page));
  EXPECT_EQ(phone.body.find('\x1B'), std::string::npos);

  // The counter: the title and the name go to a terminal as escapes.
  CommandResult add = RunShiori({"patron", "add", "--card", "5000000301", "--name-kana", "ネコヤマ",
                                 "--phone", "0996-11-2233", "--db", db_});
  ASSERT_EQ(add.exit_code, 0) << add.err;
  CommandResult out = RunShiori({"circ", "checkout", "5000000301", "3000000301", "--db", db_});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  EXPECT_TRUE(NoRawControls(out.out + out.err));
  CommandResult in = RunShiori({"circ", "checkin", "3000000301", "--db", db_});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  EXPECT_NE(in.out.find("配架: 3000000301 「古い\\x00猫\\x1B[31mの本\\u202Efdp.exe」を"),
            std::string::npos)
      << in.out;
  EXPECT_TRUE(NoRawControls(in.out + in.err));
}

// YAZ and libxml2 are opened on the first MARC import: on a machine without
// one of them a MARC file is refused whole with the reason, a TSV file (which
// needs neither) is imported as before.
TEST_F(Import, WithoutYazOrLibxml2AMarcFileIsRefusedAndNothingChanges) {
  const std::string marc = SHIORI_SOURCE_DIR "/tests/data/import/jp.mrc";
  const std::string count = "SELECT count(*) FROM records";
  const int64_t before = QueryInt(db_, count);
  const std::pair<std::string, std::string> libs[] = {{"libyaz.so.5", "libyaz5"},
                                                      {"libxml2.so.2", "libxml2"}};
  for (const auto& [soname, package] : libs) {
    SCOPED_TRACE(soname);
    CommandResult r = RunShiori({"import", "catalog", marc, "--db", db_}, {}, {soname});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("shiori: cannot load " + soname + " (" + package + "): "),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("(nothing was imported)"), std::string::npos) << r.err;
    EXPECT_EQ(QueryInt(db_, count), before);
  }
  CommandResult tsv = RunShiori({"import", "catalog", dir_.File("catalog.tsv"), "--db", db_}, {},
                                {"libyaz.so.5", "libxml2.so.2"});
  EXPECT_EQ(tsv.exit_code, 0) << tsv.err;
  EXPECT_NE(tsv.out.find("(0 new, 3 updated, 0 skipped)"), std::string::npos) << tsv.out;

  CommandResult ok = RunShiori({"import", "catalog", marc, "--db", db_});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_GT(QueryInt(db_, count), before) << "the same file, with the libraries there";
}

}  // namespace
}  // namespace shiori::test
