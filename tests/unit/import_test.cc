// Tests for ImportCatalog (db/import.cc): TSV, MARC21 and MARCXML files into a
// real SQLite file, every rejection rule, re-import, and search over the result.
// Test data: tests/data/import/ (its README says where each file comes from).
#include "db/import.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

const std::string kData = std::string(SHIORI_SOURCE_DIR) + "/tests/data/import/";

// EXPECT_TRUE(Contains(text, part)): says what the text was when it fails.
::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The warnings of a report as "N: reason" lines, for comparing whole.
std::vector<std::string> Warnings(const ImportReport& rep) {
  std::vector<std::string> out;
  for (const auto& w : rep.warnings) out.push_back(std::to_string(w.record) + ": " + w.reason);
  return out;
}

// A migrated database in a fresh directory, with the three branches.
class ImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-import-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto c = Connection::Open(dir_ + "/shiori.db");
    ASSERT_TRUE(c.ok()) << c.status().message();
    db_ = std::move(c).value();
    Status s = Migrate(*db_);
    ASSERT_TRUE(s.ok()) << s.message();
    LibraryRules rules;
    rules.branches = {
        {"chuo", "中央図書館", {}}, {"takaono", "高尾野図書館", {}}, {"noda", "野田図書館", {}}};
    s = SyncBranches(*db_, rules);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  void TearDown() override {
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // Writes `bytes` to `name` in the test directory; returns the path.
  std::string Write(const std::string& name, const std::string& bytes) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  ImportReport Import(const std::string& path, Status* status = nullptr,
                      ImportFormat format = ImportFormat::kAuto) {
    ImportReport rep;
    Status s = ImportCatalog(*db_, path, format, &rep, nullptr);
    if (status) *status = s;
    return rep;
  }
  // Imports a file that must be accepted.
  ImportReport ImportOk(const std::string& path, ImportFormat format = ImportFormat::kAuto) {
    Status s;
    ImportReport rep = Import(path, &s, format);
    EXPECT_TRUE(s.ok()) << path << ": " << s.message();
    for (const auto& p : rep.problems)
      ADD_FAILURE() << path << ": " << p.record << ": " << p.reason;
    return rep;
  }

  int64_t Scalar(const std::string& sql) {
    auto s = db_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return -1;
    auto r = s->Step();
    EXPECT_TRUE(r.ok() && *r) << sql;
    return r.ok() && *r ? s->Int(0) : -1;
  }
  std::string Text(const std::string& sql) {
    auto s = db_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return "";
    auto r = s->Step();
    return r.ok() && *r ? s->Text(0) : "";
  }

  // Everything an import may change, to show that a refused one leaves it.
  struct Snapshot {
    int64_t records, authors, copies, index_rows;
    std::string digest;  // the stored fields of every record, author and copy
    bool operator==(const Snapshot& o) const {
      return records == o.records && authors == o.authors && copies == o.copies &&
             index_rows == o.index_rows && digest == o.digest;
    }
  };
  Snapshot Take() {
    Snapshot s;
    s.records = Scalar("SELECT count(*) FROM records");
    s.authors = Scalar("SELECT count(*) FROM record_authors");
    s.copies = Scalar("SELECT count(*) FROM copies");
    s.index_rows = Scalar("SELECT count(*) FROM records_fts_docsize");
    s.digest = Text(
        "SELECT group_concat(x, '|') FROM (SELECT * FROM ("
        " SELECT id || source_id || title || ifnull(title_kana,'') || ifnull(volume,'') ||"
        "  ifnull(publisher,'') || ifnull(year,'') || ifnull(isbn,'') || ifnull(notes,'') ||"
        "  updated_at AS x FROM records ORDER BY id)"
        " UNION ALL SELECT * FROM (SELECT record_id || pos || name || ifnull(name_kana,'')"
        "  FROM record_authors ORDER BY record_id, pos)"
        " UNION ALL SELECT * FROM (SELECT barcode || record_id || branch ||"
        "  ifnull(call_number,'') FROM copies ORDER BY barcode))");
    return s;
  }

  std::vector<int64_t> Find(const std::string& text) {
    SearchQuery q;
    q.text = text;
    q.limit = 100;
    auto r = Search(*db_, q);
    EXPECT_TRUE(r.ok()) << text << ": " << r.status().message();
    std::vector<int64_t> ids;
    if (r.ok()) {
      for (const auto& h : r->hits) ids.push_back(h.id);
    }
    return ids;
  }

  int64_t IdOf(const std::string& source_id) {
    auto s = db_->Prepare("SELECT id FROM records WHERE source_id = ?1");
    EXPECT_TRUE(s.ok());
    if (!s.ok()) return 0;
    s->Bind(1, source_id);
    auto r = s->Step();
    return r.ok() && *r ? s->Int(0) : 0;
  }

  RecordDetail Record(const std::string& source_id) {
    const int64_t id = IdOf(source_id);
    EXPECT_NE(id, 0) << source_id;
    auto d = GetRecord(*db_, id);
    EXPECT_TRUE(d.ok() && d->has_value()) << source_id;
    return d.ok() && d->has_value() ? **d : RecordDetail{};
  }

  std::string dir_;
  std::unique_ptr<Connection> db_;
};

// ---------------------------------------------------------------- TSV

TEST_F(ImportTest, TsvGivesRecordsCopiesAndReadings) {
  const ImportReport rep = ImportOk(kData + "catalog.tsv");
  EXPECT_EQ(rep.records, 4);
  EXPECT_EQ(rep.inserted, 4);
  EXPECT_EQ(rep.updated, 0);
  EXPECT_EQ(rep.copies, 4);
  EXPECT_EQ(Scalar("SELECT count(*) FROM records"), 4);
  EXPECT_EQ(Scalar("SELECT count(*) FROM copies"), 4);

  // Two rows of one id: one record with two copies. Readings given in
  // hiragana are stored in katakana.
  const RecordDetail neko = Record("t-001");
  EXPECT_EQ(neko.title, "吾輩は猫である");
  EXPECT_EQ(neko.title_kana, "ワガハイ ハ ネコ デ アル");
  ASSERT_EQ(neko.authors.size(), 1u);
  EXPECT_EQ(neko.authors[0].name, "夏目漱石");
  EXPECT_EQ(neko.authors[0].name_kana, "ナツメ ソウセキ");
  EXPECT_EQ(neko.authors[0].role, "");
  EXPECT_EQ(neko.publisher, "新潮社");
  EXPECT_EQ(neko.publisher_kana, "シンチョウシャ");
  EXPECT_EQ(neko.year, 2003);
  EXPECT_EQ(neko.isbn, "9784101010014");
  EXPECT_EQ(neko.ndc, "913.6");
  EXPECT_EQ(neko.lang, "jpn");
  EXPECT_EQ(neko.subjects, "日本文学 ; 小説");
  EXPECT_EQ(neko.notes, "新潮文庫");
  ASSERT_EQ(neko.copies.size(), 2u);
  EXPECT_EQ(neko.copies[0].barcode, "2000000001");
  EXPECT_EQ(neko.copies[0].branch_code, "chuo");
  EXPECT_EQ(neko.copies[0].call_number, "913.6/ナ");
  EXPECT_EQ(neko.copies[0].status, "shelf");
  EXPECT_EQ(neko.copies[1].barcode, "2000000002");
  EXPECT_EQ(neko.copies[1].branch_code, "takaono");

  // Several authors with readings in the same order; a role in full-width
  // parentheses; a row without a barcode is a record without a copy.
  const RecordDetail gatsby = Record("t-003");
  ASSERT_EQ(gatsby.authors.size(), 2u);
  EXPECT_EQ(gatsby.authors[0].name, "スコット・フィッツジェラルド");
  EXPECT_EQ(gatsby.authors[0].name_kana, "フィッツジェラルド スコット");
  EXPECT_EQ(gatsby.authors[1].name, "村上春樹");
  EXPECT_EQ(gatsby.authors[1].name_kana, "ムラカミ ハルキ");
  EXPECT_EQ(gatsby.authors[1].role, "訳");
  EXPECT_TRUE(gatsby.copies.empty());
  EXPECT_EQ(Record("t-004").volume, "第1巻");
}

TEST_F(ImportTest, TsvReimportUpdatesAndDuplicatesNothing) {
  ImportOk(kData + "catalog.tsv");
  const Snapshot before = Take();
  const ImportReport again = ImportOk(kData + "catalog.tsv");
  EXPECT_EQ(again.records, 4);
  EXPECT_EQ(again.inserted, 0);
  EXPECT_EQ(again.updated, 4);
  EXPECT_EQ(again.copies, 4);
  const Snapshot after = Take();
  EXPECT_EQ(after.records, 4);
  EXPECT_EQ(after.copies, 4);
  EXPECT_EQ(after.authors, before.authors);
  EXPECT_EQ(after.index_rows, 4);
  EXPECT_EQ(Find("猫").size(), 1u);
}

TEST_F(ImportTest, TsvChangedTitleIsFoundUnderTheNewTitleOnly) {
  ImportOk(kData + "catalog.tsv");
  const int64_t id = IdOf("t-002");
  EXPECT_EQ(Find("銀河鉄道"), std::vector<int64_t>{id});
  const ImportReport rep = ImportOk(kData + "catalog-changed.tsv");
  EXPECT_EQ(rep.inserted, 0);
  EXPECT_EQ(rep.updated, 4);
  EXPECT_EQ(IdOf("t-002"), id);
  EXPECT_EQ(Record("t-002").title, "風の又三郎");
  EXPECT_EQ(Find("又三郎"), std::vector<int64_t>{id});
  EXPECT_EQ(Find("かぜのまたさぶろう"), std::vector<int64_t>{id});
  EXPECT_TRUE(Find("銀河鉄道").empty());
  EXPECT_TRUE(Find("ぎんが").empty());
  EXPECT_EQ(Scalar("SELECT count(*) FROM records"), 4);
}

TEST_F(ImportTest, TsvChangesToAuthorsAndCopiesAreWritten) {
  ImportOk(kData + "catalog.tsv");
  // The same record with another reading and its copy moved to another branch.
  std::string tsv = ReadFile(kData + "catalog.tsv");
  const std::string from = "ミヤザワ ケンジ\t新潮社\tシンチョウシャ\t1989\t\t913.6\tjpn\t\t\tnoda";
  const std::string to = "ミヤザワ ケンヂ\t新潮社\tシンチョウシャ\t1989\t\t913.6\tjpn\t\t\tchuo";
  ASSERT_NE(tsv.find(from), std::string::npos);
  tsv.replace(tsv.find(from), from.size(), to);
  const ImportReport rep = ImportOk(Write("moved.tsv", tsv));
  EXPECT_EQ(rep.updated, 4);
  const RecordDetail d = Record("t-002");
  ASSERT_EQ(d.authors.size(), 1u);
  EXPECT_EQ(d.authors[0].name_kana, "ミヤザワ ケンヂ");
  ASSERT_EQ(d.copies.size(), 1u);
  EXPECT_EQ(d.copies[0].branch_code, "chuo");
  EXPECT_EQ(Find("みやざわけんぢ"), std::vector<int64_t>{IdOf("t-002")});
  EXPECT_EQ(Scalar("SELECT count(*) FROM copies"), 4);
}

TEST_F(ImportTest, TsvInLibraryMarksReferenceCopiesAndAFileWithoutItKeepsThem) {
  const std::string h = "id\ttitle\tbarcode\tbranch\tin_library\n";
  ImportOk(Write("ref.tsv", h + "d-1\t広辞苑\t2900000001\tchuo\t1\n"
                                "d-1\t広辞苑\t2900000002\tnoda\t\n"));
  auto flag = [&](const char* barcode) {
    return Scalar(std::string("SELECT in_library FROM copies WHERE barcode = '") + barcode + "'");
  };
  EXPECT_EQ(flag("2900000001"), 1);
  EXPECT_EQ(flag("2900000002"), 0);
  RecordDetail d = Record("d-1");
  ASSERT_EQ(d.copies.size(), 2u);
  EXPECT_TRUE(d.copies[0].in_library);
  EXPECT_FALSE(d.copies[1].in_library);

  // Without the column (and from MARC, which has no such field) the flag stays.
  ImportOk(Write("plain.tsv", "id\ttitle\tbarcode\tbranch\nd-1\t広辞苑\t2900000001\tchuo\n"));
  EXPECT_EQ(flag("2900000001"), 1);
  // Given as 0 it is lendable again, though nothing else of the record changed.
  ImportOk(Write("lend.tsv", h + "d-1\t広辞苑\t2900000001\tchuo\t0\n"));
  EXPECT_EQ(flag("2900000001"), 0);

  // A value that is not 0 or 1 is left out with a warning: the copy keeps
  // its setting, a new copy is lendable; the rest of the row is imported.
  ImportOk(Write("ref-again.tsv", h + "d-1\t広辞苑\t2900000001\tchuo\t1\n"));
  ASSERT_EQ(flag("2900000001"), 1);
  const ImportReport rep = ImportOk(Write("bad.tsv", h + "d-1\t広辞苑\t2900000001\tchuo\t禁帯出\n"
                                                         "d-1\t広辞苑\t2900000003\tnoda\tyes\n"
                                                         "d-2\t大辞林\t\t\t1\n"));
  EXPECT_EQ(Warnings(rep),
            (std::vector<std::string>{
                "2: in_library '禁帯出' is not 0 or 1; left out (the copy keeps its setting, a new "
                "copy is lendable)",
                "3: in_library 'yes' is not 0 or 1; left out (the copy keeps its setting, a new "
                "copy is lendable)",
                "4: in_library without a barcode; left out"}));
  EXPECT_EQ(flag("2900000001"), 1) << "still for use in the library only";
  EXPECT_EQ(flag("2900000003"), 0) << "a new copy is lendable";
  EXPECT_EQ(Record("d-1").copies.size(), 3u);
  EXPECT_EQ(Record("d-2").title, "大辞林");
  EXPECT_TRUE(Record("d-2").copies.empty());
}

TEST_F(ImportTest, TsvSearchFindsByReadingAndByIsbn10) {
  ImportOk(kData + "catalog.tsv");
  const std::vector<int64_t> neko{IdOf("t-001")};
  EXPECT_EQ(Find("ねこ"), neko);  // the reading, in hiragana
  EXPECT_EQ(Find("ネコ"), neko);
  EXPECT_EQ(Find("猫"), neko);
  // 9784101010014 was imported; its ISBN-10 form is 4-10-101001-3.
  EXPECT_EQ(Find("4-10-101001-3"), neko);
  EXPECT_EQ(Find("4101010013"), neko);
  EXPECT_EQ(Find("978-4-10-101001-4"), neko);
  EXPECT_EQ(Find("むらかみはるき"), std::vector<int64_t>{IdOf("t-003")});
}

TEST_F(ImportTest, TsvWithABadYearImportsEveryRowAndLeavesTheYearOut) {
  ImportOk(kData + "catalog.tsv");
  const ImportReport rep = ImportOk(kData + "bad-row.tsv");
  EXPECT_EQ(Warnings(rep),
            std::vector<std::string>{"3: year '昭和44' is not 1 to 4 digits; left out"});
  EXPECT_EQ(rep.records, 3);
  EXPECT_EQ(rep.inserted, 3);
  EXPECT_EQ(rep.skipped, 0);
  EXPECT_EQ(rep.copies, 3);
  const RecordDetail sangetsuki = Record("b-002");
  EXPECT_EQ(sangetsuki.title, "山月記");
  EXPECT_EQ(sangetsuki.year, 0) << "no year rather than a wrong one";
  EXPECT_EQ(sangetsuki.title_kana, "サンゲツキ");
  ASSERT_EQ(sangetsuki.copies.size(), 1u);
  EXPECT_EQ(sangetsuki.copies[0].barcode, "2100000002");
  EXPECT_EQ(Find("山月記"), std::vector<int64_t>{IdOf("b-002")});
  EXPECT_EQ(Find("檸檬"), std::vector<int64_t>{IdOf("b-001")});
  EXPECT_EQ(Find("人間失格"), std::vector<int64_t>{IdOf("b-003")});
  EXPECT_EQ(Scalar("SELECT count(*) FROM records"), 7);
}

// JAPAN/MARC keeps letters and digits in readings: they are readings, stored
// in half-width ASCII as given, and found by search. A copy's branch may be
// its code or its name, with or without 図書館 or 館.
TEST_F(ImportTest, TsvReadingsWithLettersAndDigitsAndBranchesByNameImportInFull) {
  const std::string tsv =
      "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher\tpublisher_kana\tbarcode\tbranch\n"
      "r-1\tSDGsの経済学\tSDGsノ ケイザイガク\t蟹江憲史 ; ＮＨＫ取材班\t"
      "カニエ ノリチカ ; ＮＨＫ シュザイハン\tＮＨＫ出版\tNHK シュッパン\t3100000001\t中央図書館\n"
      "r-1\tSDGsの経済学\tSDGsノ ケイザイガク\t蟹江憲史 ; ＮＨＫ取材班\t"
      "カニエ ノリチカ ; ＮＨＫ シュザイハン\tＮＨＫ出版\tNHK シュッパン\t3100000002\t高尾野\n"
      "r-2\t日本の歴史 第23巻\tニホン ノ レキシ ダイ23カン\t\t\t\t\t3100000003\tnoda\n"
      "r-3\tSDGs入門\tＳＤＧｓ ﾆｭｳﾓﾝ\t\t\t\t\t3100000004\t野田館\n"
      "r-4\t3びきのこぶた\t3びきの こぶた\t\t\t\t\t3100000005\t 中央 \n";
  const ImportReport rep = ImportOk(Write("letters.tsv", tsv));
  EXPECT_TRUE(rep.warnings.empty()) << ::testing::PrintToString(Warnings(rep));
  EXPECT_EQ(rep.inserted, 4);
  EXPECT_EQ(rep.skipped, 0);
  EXPECT_EQ(rep.copies, 5);

  const RecordDetail sdgs = Record("r-1");
  EXPECT_EQ(sdgs.title_kana, "SDGsノ ケイザイガク");
  ASSERT_EQ(sdgs.authors.size(), 2u);
  EXPECT_EQ(sdgs.authors[0].name_kana, "カニエ ノリチカ");
  EXPECT_EQ(sdgs.authors[1].name_kana, "NHK シュザイハン") << "full-width letters as ASCII";
  EXPECT_EQ(sdgs.publisher_kana, "NHK シュッパン");
  ASSERT_EQ(sdgs.copies.size(), 2u);
  EXPECT_EQ(sdgs.copies[0].branch_code, "chuo");
  EXPECT_EQ(sdgs.copies[1].branch_code, "takaono");
  EXPECT_EQ(Record("r-2").title_kana, "ニホン ノ レキシ ダイ23カン");
  const RecordDetail intro = Record("r-3");
  EXPECT_EQ(intro.title_kana, "SDGs ニュウモン") << "half-width kana widened, case kept";
  ASSERT_EQ(intro.copies.size(), 1u);
  EXPECT_EQ(intro.copies[0].branch_code, "noda");
  const RecordDetail pigs = Record("r-4");
  EXPECT_EQ(pigs.title_kana, "3ビキノ コブタ");
  ASSERT_EQ(pigs.copies.size(), 1u);
  EXPECT_EQ(pigs.copies[0].branch_code, "chuo");

  // Found by the readings, typed in hiragana or with the letters.
  EXPECT_EQ(Find("けいざいがく"), std::vector<int64_t>{IdOf("r-1")});
  EXPECT_EQ(Find("しゅざいはん"), std::vector<int64_t>{IdOf("r-1")});
  EXPECT_EQ(Find("だい23かん"), std::vector<int64_t>{IdOf("r-2")});
  EXPECT_EQ(Find("にゅうもん"), std::vector<int64_t>{IdOf("r-3")});
  EXPECT_EQ(Find("sdgsにゅうもん"), std::vector<int64_t>{IdOf("r-3")});
  std::vector<int64_t> both = Find("SDGs");
  std::sort(both.begin(), both.end());
  EXPECT_EQ(both, (std::vector<int64_t>{IdOf("r-1"), IdOf("r-3")}));
}

// A branch name that two branches could be is refused with its reason; a
// whole name or a code is never taken for another branch's short name.
TEST_F(ImportTest, TsvBranchNamesMatchExactlyOrWithoutTheirEndingWhenThatIsUnambiguous) {
  LibraryRules rules;
  rules.branches = {{"chuo", "中央図書館", {}},
                    {"takaono", "高尾野図書館", {}},
                    {"noda", "野田図書館", {}},
                    {"chuo-kodomo", "中央館", {}}};
  ASSERT_TRUE(SyncBranches(*db_, rules).ok());
  const std::string h = "id\ttitle\tbarcode\tbranch\n";
  const ImportReport rep = ImportOk(Write("names.tsv", h + "n-1\t猫\t3200000001\t中央図書館\n"
                                                           "n-1\t猫\t3200000002\t中央館\n"
                                                           "n-1\t猫\t3200000003\t高尾野館\n"));
  EXPECT_EQ(rep.copies, 3);
  auto branch = [&](const std::string& barcode) {
    return Text("SELECT branch FROM copies WHERE barcode = '" + barcode + "'");
  };
  EXPECT_EQ(branch("3200000001"), "chuo");
  EXPECT_EQ(branch("3200000002"), "chuo-kodomo") << "a whole name is that branch's";
  EXPECT_EQ(branch("3200000003"), "takaono");

  const Snapshot before = Take();
  Status s;
  const ImportReport bad = Import(Write("ambiguous.tsv", h + "n-2\t犬\t3200000004\t中央\n"
                                                             "n-3\t鳥\t3200000005\t阿久根図書館\n"),
                                  &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  ASSERT_EQ(bad.problems.size(), 2u);
  EXPECT_EQ(bad.problems[0].record, 2);
  EXPECT_EQ(bad.problems[0].reason,
            "branch '中央' could be more than one configured branch: give its code");
  EXPECT_EQ(bad.problems[1].record, 3);
  EXPECT_EQ(bad.problems[1].reason,
            "unknown branch '阿久根図書館': not the code or name of a configured branch");
  EXPECT_TRUE(Take() == before);
}

// Three records, each with one value that breaks its rule: all three are
// imported, each without that value, each with a warning naming its line.
TEST_F(ImportTest, TsvBadIsbnYearAndReadingCostTheValueAndAWarningEach) {
  const std::string tsv =
      "id\ttitle\ttitle_kana\tyear\tisbn\tbarcode\tbranch\n"
      "w-1\t檸檬\tレモン\t1967\t9784101010015\t3300000001\tchuo\n"
      "w-2\t山月記\tサンゲツキ\t昭和44\t9784101010014\t3300000002\tnoda\n"
      "w-3\t人間失格\t人間 シッカク\t1952\t\t3300000003\ttakaono\n";
  const ImportReport rep = ImportOk(Write("three.tsv", tsv));
  EXPECT_EQ(Warnings(rep),
            (std::vector<std::string>{
                "2: ISBN '9784101010015' is not valid (10 or 13 digits with a correct check "
                "digit); left out",
                "3: year '昭和44' is not 1 to 4 digits; left out",
                "4: title_kana '人間 シッカク' is not a reading (kana, ー, ・, letters, digits and "
                "spaces); left out"}));
  EXPECT_EQ(rep.inserted, 3);
  EXPECT_EQ(rep.copies, 3);
  const RecordDetail lemon = Record("w-1");
  EXPECT_EQ(lemon.isbn, "");
  EXPECT_EQ(lemon.year, 1967);
  EXPECT_EQ(lemon.title_kana, "レモン");
  const RecordDetail sangetsuki = Record("w-2");
  EXPECT_EQ(sangetsuki.year, 0);
  EXPECT_EQ(sangetsuki.isbn, "9784101010014");
  const RecordDetail shikkaku = Record("w-3");
  EXPECT_EQ(shikkaku.title_kana, "");
  EXPECT_EQ(shikkaku.year, 1952);
  ASSERT_EQ(shikkaku.copies.size(), 1u);
  EXPECT_EQ(Find("人間失格"), std::vector<int64_t>{IdOf("w-3")});
}

// What refuses a file: it cannot be read as a whole, or its copies cannot be
// placed. Each against a database that already holds catalog.tsv, which
// must come out unchanged.
TEST_F(ImportTest, TsvRejections) {
  ImportOk(kData + "catalog.tsv");
  const Snapshot before = Take();
  const std::string h =
      "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher_kana\tyear\tisbn\tbarcode\tbranch\t"
      "call_number\n";
  auto row = [](std::string id, std::string title, std::string year = "", std::string barcode = "",
                std::string branch = "") {
    return id + "\t" + title + "\t\t\t\t\t" + year + "\t\t" + barcode + "\t" + branch + "\t\n";
  };
  // A good row and one that only costs a value: neither saves the file.
  const std::string good = row("x-1", "檸檬", "19x5", "2900000009", "chuo");
  struct Case {
    const char* name;
    std::string tsv;
    int line;
    const char* reason;
  };
  const Case cases[] = {
      {"wrong column count", h + good + "x-2\t山月記\n", 3, "2 columns; the header has 11"},
      {"too many columns", h + good + "x-2\t山月記\t\t\t\t\t\t\t\t\t\tx\n", 3,
       "12 columns; the header has 11"},
      {"unknown column", "id\ttitle\tauthr\nx-1\t檸檬\t梶井\n", 1, "unknown column 'authr'"},
      {"column twice", "id\ttitle\ttitle\nx-1\t檸檬\t檸檬\n", 1, "column 'title' appears twice"},
      {"no title column", "id\tauthor\nx-1\t梶井基次郎\n", 1, "the header has no 'title' column"},
      {"no id column", "title\n檸檬\n", 1, "the header has no 'id' column"},
      {"barcode without branch", h + good + row("x-2", "山月記", "", "2900000001"), 3,
       "barcode '2900000001' has no branch"},
      {"unknown branch", h + good + row("x-2", "山月記", "", "2900000001", "akune"), 3,
       "unknown branch 'akune': not the code or name of a configured branch"},
      {"unknown branch on a row without a title",
       h + good + row("x-2", "", "", "2900000001", "akune"), 3, "unknown branch 'akune'"},
      {"barcode twice in the file", h + good + row("x-2", "山月記", "", "2900000009", "noda"), 3,
       "barcode '2900000009' already appears on line 2"},
      {"barcode twice in one record", h + good + row("x-1", "檸檬", "19x5", "2900000009", "noda"),
       3, "already appears on line 2"},
      {"invalid UTF-8", h + good + row("x-2", "山月\xE8\xA8"), 3, "not valid UTF-8"},
      {"invalid UTF-8 in the header", "id\ttit\xFFle\nx-1\t檸檬\n", 1, "UTF-8"},
      {"empty file", "", 0, "the file is empty"},
      {"header only", h, 0, "the file holds no records"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Status s;
    const ImportReport rep = Import(Write("case.tsv", c.tsv), &s, ImportFormat::kTsv);
    EXPECT_EQ(s.code(), Status::Code::kInvalid) << s.message();
    ASSERT_FALSE(rep.problems.empty());
    EXPECT_EQ(rep.problems[0].record, c.line);
    EXPECT_TRUE(Contains(rep.problems[0].reason, c.reason));
    EXPECT_EQ(rep.inserted + rep.updated + rep.skipped + rep.copies, 0);
    EXPECT_TRUE(Take() == before);
    EXPECT_TRUE(Find("檸檬").empty());
  }
}

// What costs a value, a copy's part or a record a warning; the rest of the
// file is imported. Each against catalog.tsv; `check` looks at what was stored.
TEST_F(ImportTest, TsvValuesThatBreakTheirRuleAreLeftOutWithAWarning) {
  ImportOk(kData + "catalog.tsv");
  const std::string h =
      "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher_kana\tyear\tisbn\tbarcode\tbranch\t"
      "call_number\n";
  auto row = [](std::string id, std::string title, std::string kana = "", std::string author = "",
                std::string author_kana = "", std::string pub_kana = "", std::string year = "",
                std::string isbn = "", std::string barcode = "", std::string branch = "",
                std::string call = "") {
    return id + "\t" + title + "\t" + kana + "\t" + author + "\t" + author_kana + "\t" + pub_kana +
           "\t" + year + "\t" + isbn + "\t" + barcode + "\t" + branch + "\t" + call + "\n";
  };
  const std::string good = row("x-1", "檸檬", "レモン", "梶井基次郎", "カジイ モトジロウ");
  struct Case {
    const char* name;
    std::string tsv;
    int line;
    const char* warning;  // the whole reason
    std::function<void()> check;
  };
  const Case cases[] = {
      {"year with letters", h + row("x-1", "檸檬", "", "", "", "", "19x5"), 2,
       "year '19x5' is not 1 to 4 digits; left out", [&] { EXPECT_EQ(Record("x-1").year, 0); }},
      {"year of five digits", h + row("x-1", "檸檬", "", "", "", "", "19255"), 2,
       "year '19255' is not 1 to 4 digits; left out", [&] { EXPECT_EQ(Record("x-1").year, 0); }},
      {"year negative", h + row("x-1", "檸檬", "", "", "", "", "-1925"), 2,
       "year '-1925' is not 1 to 4 digits; left out", [&] { EXPECT_EQ(Record("x-1").year, 0); }},
      {"ISBN check digit", h + row("x-1", "檸檬", "", "", "", "", "1925", "9784101010015"), 2,
       "ISBN '9784101010015' is not valid (10 or 13 digits with a correct check digit); left out",
       [&] {
         EXPECT_EQ(Record("x-1").isbn, "");
         EXPECT_EQ(Record("x-1").year, 1925);
       }},
      {"ISBN length", h + row("x-1", "檸檬", "", "", "", "", "", "41010100"), 2,
       "ISBN '41010100' is not valid (10 or 13 digits with a correct check digit); left out",
       [&] { EXPECT_EQ(Record("x-1").isbn, ""); }},
      {"title_kana with kanji", h + row("x-1", "檸檬", "檸檬 レモン", "", "", "シンチョウシャ"), 2,
       "title_kana '檸檬 レモン' is not a reading (kana, ー, ・, letters, digits and spaces); left "
       "out",
       [&] {
         EXPECT_EQ(Record("x-1").title_kana, "");
         EXPECT_EQ(Record("x-1").publisher_kana, "シンチョウシャ");
       }},
      {"title_kana with a comma", h + row("x-1", "檸檬", "レモン,"), 2,
       "title_kana 'レモン,' is not a reading (kana, ー, ・, letters, digits and spaces); left out",
       [&] { EXPECT_EQ(Record("x-1").title_kana, ""); }},
      {"publisher_kana with kanji", h + row("x-1", "檸檬", "レモン", "", "", "新潮シャ"), 2,
       "publisher_kana '新潮シャ' is not a reading (kana, ー, ・, letters, digits and spaces); "
       "left out",
       [&] {
         EXPECT_EQ(Record("x-1").publisher_kana, "");
         EXPECT_EQ(Record("x-1").title_kana, "レモン");
       }},
      {"author_kana not kana",
       h + row("x-1", "檸檬", "", "梶井基次郎 ; 中島敦", "梶井 ; ナカジマ アツシ"), 2,
       "author_kana '梶井' is not a reading (kana, ー, ・, letters, digits and spaces); left out",
       [&] {
         const RecordDetail d = Record("x-1");
         ASSERT_EQ(d.authors.size(), 2u);
         EXPECT_EQ(d.authors[0].name, "梶井基次郎");
         EXPECT_EQ(d.authors[0].name_kana, "");
         EXPECT_EQ(d.authors[1].name_kana, "ナカジマ アツシ") << "the others are kept";
       }},
      {"more readings than authors",
       h + row("x-1", "檸檬", "", "梶井基次郎", "カジイ ; モトジロウ"), 2,
       "author_kana gives 2 readings for 1 author; the readings are left out",
       [&] {
         const RecordDetail d = Record("x-1");
         ASSERT_EQ(d.authors.size(), 1u);
         EXPECT_EQ(d.authors[0].name, "梶井基次郎");
         EXPECT_EQ(d.authors[0].name_kana, "");
       }},
      {"readings without authors", h + row("x-1", "檸檬", "", "", "カジイ"), 2,
       "author_kana gives 1 reading for 0 authors; the readings are left out",
       [&] { EXPECT_TRUE(Record("x-1").authors.empty()); }},
      {"empty author", h + row("x-1", "檸檬", "", "梶井基次郎 ;  ; 中島敦", "カジイ ;  ; ナカジマ"),
       2, "author 2 is empty; left out",
       [&] {
         const RecordDetail d = Record("x-1");
         ASSERT_EQ(d.authors.size(), 2u);
         EXPECT_EQ(d.authors[1].name, "中島敦");
         EXPECT_EQ(d.authors[1].name_kana, "ナカジマ") << "the readings stay with their names";
       }},
      {"missing title", h + good + row("x-2", "", "", "", "", "", "", "", "2900000001", "chuo"), 3,
       "missing title; the record is skipped, with the copies of its rows",
       [&] {
         EXPECT_EQ(IdOf("x-2"), 0);
         EXPECT_EQ(Scalar("SELECT count(*) FROM copies WHERE barcode = '2900000001'"), 0);
         EXPECT_EQ(Record("x-1").title, "檸檬");
       }},
      {"missing id", h + row("", "山月記") + good, 2, "missing id; the row is skipped",
       [&] {
         EXPECT_TRUE(Find("山月記").empty());
         EXPECT_EQ(Record("x-1").title, "檸檬");
       }},
      {"branch without barcode", h + row("x-1", "檸檬", "", "", "", "", "", "", "", "chuo"), 2,
       "branch or call_number without a barcode; left out",
       [&] { EXPECT_EQ(Record("x-1").title, "檸檬"); }},
      {"rows of one id disagree",
       h + row("x-1", "檸檬", "レモン", "", "", "", "", "", "2900000001", "chuo") +
           row("x-1", "檸檬", "れもん", "", "", "", "1925", "", "2900000002", "chuo"),
       3, "columns 'title_kana', 'year' differ from line 2 of the same id; line 2's are kept",
       [&] {
         const RecordDetail d = Record("x-1");
         EXPECT_EQ(d.year, 0);
         EXPECT_EQ(d.copies.size(), 2u) << "the copy is added";
       }},
      {"rows of one id apart disagree",
       h + row("x-1", "檸檬", "", "", "", "", "1925", "", "2900000001", "chuo") +
           row("x-2", "山月記") +
           row("x-1", "檸檬と", "", "", "", "", "", "", "2900000002", "noda"),
       4, "the bibliographic columns differ from line 2 of the same id; line 2's are kept",
       [&] {
         const RecordDetail d = Record("x-1");
         EXPECT_EQ(d.title, "檸檬");
         EXPECT_EQ(d.year, 1925);
         ASSERT_EQ(d.copies.size(), 2u) << "the copy is added";
         EXPECT_EQ(d.copies[1].branch_code, "noda");
         EXPECT_TRUE(Find("檸檬と").empty()) << "the later row's title is not stored";
       }},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const ImportReport rep = ImportOk(Write("case.tsv", c.tsv));
    ASSERT_EQ(rep.warnings.size(), 1u) << ::testing::PrintToString(Warnings(rep));
    EXPECT_EQ(rep.warnings[0].record, c.line);
    EXPECT_EQ(rep.warnings[0].reason, c.warning);
    EXPECT_EQ(rep.inserted + rep.updated + rep.skipped, rep.records);
    c.check();
  }
}

TEST_F(ImportTest, TsvReportsEveryProblemAndEveryWarning) {
  const std::string tsv =
      "id\ttitle\tyear\tbarcode\tbranch\n"
      "x-1\t檸檬\t1925\t2900000001\tchuo\n"
      "x-2\t\t1942\t\t\n"
      "x-3\t人間失格\tsoon\t2900000003\takune\n"
      "x-4\t山月記\t1942\t2900000001\tnoda\n"
      "x-5\t羅生門\t1915\t\t\n";
  Status s;
  const ImportReport rep = Import(Write("many.tsv", tsv), &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  EXPECT_TRUE(Contains(s.message(), "2 problems"));
  ASSERT_EQ(rep.problems.size(), 2u);
  EXPECT_EQ(rep.problems[0].record, 4);
  EXPECT_EQ(rep.problems[0].reason,
            "unknown branch 'akune': not the code or name of a configured branch");
  EXPECT_EQ(rep.problems[1].record, 5);
  EXPECT_EQ(rep.problems[1].reason, "barcode '2900000001' already appears on line 2");
  EXPECT_EQ(Warnings(rep),
            (std::vector<std::string>{
                "3: missing title; the record is skipped, with the copies of its rows",
                "4: year 'soon' is not 1 to 4 digits; left out"}));
  EXPECT_EQ(rep.records, 5);
  EXPECT_EQ(rep.inserted + rep.updated + rep.skipped + rep.copies, 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM records"), 0);
}

TEST_F(ImportTest, TsvRowsOfOneIdNeedNotBeAdjacent) {
  const std::string tsv =
      "title\tid\tbarcode\tbranch\n"  // columns in any order
      "檸檬\tx-1\t2900000001\tchuo\n"
      "山月記\tx-2\t\t\n"
      "檸檬\tx-1\t2900000002\tnoda\n";
  const ImportReport rep = ImportOk(Write("apart.tsv", tsv));
  EXPECT_EQ(rep.records, 2);
  EXPECT_EQ(rep.inserted, 2);
  EXPECT_EQ(rep.updated, 0);
  EXPECT_EQ(rep.copies, 2);
  const RecordDetail d = Record("x-1");
  ASSERT_EQ(d.copies.size(), 2u);
  EXPECT_EQ(d.copies[1].branch_code, "noda");
  EXPECT_EQ(Find("檸檬"), std::vector<int64_t>{IdOf("x-1")});
}

// Rows of an id read earlier that give it another bibliography add their
// copies to the record as its first row gave it, each with a warning; the
// same file again changes nothing.
TEST_F(ImportTest, TsvRowsOfOneIdApartThatDisagreeAddTheirCopiesToTheFirstRowsRecord) {
  const std::string tsv =
      "id\ttitle\tyear\tbarcode\tbranch\n"
      "x-1\t檸檬\t1925\t2900000001\tchuo\n"
      "x-2\t山月記\t1942\t\t\n"
      "x-1\t檸檬（新版）\t2003\t2900000002\tnoda\n"
      "x-1\t檸檬（新版）\t2003\t2900000003\ttakaono\n"
      "x-1\t檸檬\t1925\t2900000004\tchuo\n";
  const ImportReport rep = ImportOk(Write("apart.tsv", tsv));
  EXPECT_EQ(Warnings(rep),
            (std::vector<std::string>{
                "4: the bibliographic columns differ from line 2 of the same id; line 2's are kept",
                "5: the bibliographic columns differ from line 2 of the same id; line 2's are "
                "kept"}));
  EXPECT_EQ(rep.records, 2);
  EXPECT_EQ(rep.inserted, 2);
  EXPECT_EQ(rep.copies, 4);
  const RecordDetail d = Record("x-1");
  EXPECT_EQ(d.title, "檸檬");
  EXPECT_EQ(d.year, 1925);
  EXPECT_EQ(d.copies.size(), 4u);
  EXPECT_TRUE(Find("新版").empty());

  const Snapshot before = Take();
  const ImportReport again = ImportOk(Write("apart.tsv", tsv));
  EXPECT_EQ(again.updated, 2);
  EXPECT_EQ(again.copies, 4);
  EXPECT_TRUE(Take() == before) << "nothing rewritten";
}

TEST_F(ImportTest, TsvAcceptsBomCrlfBlankLinesAndHalfwidthReadings) {
  const std::string tsv =
      "\xEF\xBB\xBFid\ttitle\ttitle_kana\tauthor_kana\tauthor\r\n"
      "x-1\t檸檬\tﾚﾓﾝ\tかじい　もとじろう\t梶井基次郎\r\n"
      "\r\n"
      "x-2\t ゔぁいおりん \tゔぁいおりん\t\t\r\n";
  ImportOk(Write("crlf.tsv", tsv));
  const RecordDetail lemon = Record("x-1");
  EXPECT_EQ(lemon.title_kana, "レモン");
  ASSERT_EQ(lemon.authors.size(), 1u);
  EXPECT_EQ(lemon.authors[0].name_kana, "カジイ モトジロウ");
  const RecordDetail violin = Record("x-2");
  EXPECT_EQ(violin.title, "ゔぁいおりん");  // values are trimmed
  EXPECT_EQ(violin.title_kana, "ヴァイオリン");
}

TEST_F(ImportTest, ProgressIsReportedEveryThousandRecordsAndAtTheEnd) {
  std::string tsv = "id\ttitle\tbarcode\tbranch\n";
  for (int i = 0; i < 2500; ++i) {
    tsv += "p-" + std::to_string(i) + "\t本" + std::to_string(i) + "\t" +
           std::to_string(4000000000 + i) + "\tchuo\n";
  }
  std::vector<std::pair<int, double>> calls;
  ImportReport rep;
  Status s = ImportCatalog(*db_, Write("many.tsv", tsv), ImportFormat::kAuto, &rep,
                           [&](int done, double fraction) { calls.emplace_back(done, fraction); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(rep.inserted, 2500);
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].first, 1000);
  EXPECT_EQ(calls[1].first, 2000);
  EXPECT_EQ(calls[2].first, 2500);
  EXPECT_GT(calls[0].second, 0.3);
  EXPECT_LT(calls[0].second, 0.5);
  EXPECT_LT(calls[0].second, calls[1].second);
  EXPECT_EQ(calls[2].second, 1.0);
}

TEST_F(ImportTest, AWholeCatalogueLeavesTheIndexInOneSegmentButASmallImportDoesNotMergeIt) {
  // FTS5 writes its pending terms out as a segment whenever they pass
  // 'hashsize': a small one here, so that 2,000 records make many.
  ASSERT_TRUE(
      db_->Exec("INSERT INTO records_fts(records_fts, rank) VALUES('hashsize', 4096)").ok());
  auto segments = [&] {
    auto s = db_->Prepare("SELECT count(DISTINCT segid) FROM records_fts_idx");
    EXPECT_TRUE(s.ok() && *s->Step());
    return s->Int(0);
  };
  auto tsv = [](int from, int to) {
    std::string t = "id\ttitle\ttitle_kana\tbarcode\tbranch\n";
    for (int i = from; i < to; ++i) {
      t += "s-" + std::to_string(i) + "\t猫の本" + std::to_string(i) + "\tネコノホン\t" +
           std::to_string(4100000000 + i) + "\tchuo\n";
    }
    return t;
  };
  ImportOk(Write("all.tsv", tsv(0, 2000)));
  EXPECT_EQ(segments(), 1);
  ImportOk(Write("more.tsv", tsv(2000, 2010)));
  EXPECT_EQ(segments(), 2) << "ten records do not rewrite the index of 2,000";
  ImportOk(Write("all.tsv", tsv(0, 2000)));
  EXPECT_EQ(segments(), 2) << "the same file again changes no record: nothing to merge for";
  SearchQuery q;
  q.text = "ねこのほん";
  auto r = Search(*db_, q);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->total, 1000);
  EXPECT_TRUE(r->capped);
}

TEST_F(ImportTest, FilesThatCannotBeRead) {
  Status s;
  ImportReport rep = Import(dir_ + "/missing.tsv", &s);
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_TRUE(Contains(s.message(), "missing.tsv"));
  EXPECT_TRUE(rep.problems.empty());
  rep = Import(dir_, &s);  // a directory
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.code(), Status::Code::kInvalid);
  // A null report and a null progress are allowed.
  s = ImportCatalog(*db_, kData + "catalog.tsv", ImportFormat::kTsv, nullptr, nullptr);
  EXPECT_TRUE(s.ok()) << s.message();
}

// ---------------------------------------------------------------- control characters

// The attack as a file gives it: NUL and an ANSI colour sequence in a title,
// a right-to-left override in a name, a noncharacter, a CR inside a value, a
// C1 control (CSI) in a call number. Stored cleaned, each cleaning a warning
// naming the line and the column; nothing is refused.
TEST_F(ImportTest, TsvControlCharactersAreCleanedWithAWarningPerLineAndColumn) {
  const std::string file =
      std::string("id\ttitle\tauthor\tpublisher\tnotes\tbarcode\tbranch\tcall_number\n") +
      "c-1\t吾輩" + std::string(1, '\0') + "は猫\x1B[31mである\t夏目\u202E漱石\t新潮社\uFFFF\t" +
      "上巻\r下巻\t4000000001\tchuo\t913.6\u009Bナ\n" + "c-2\t\u2066猫\u2069の本\t\t\t\t\t\t\n";
  const ImportReport rep = ImportOk(Write("controls.tsv", file));
  EXPECT_EQ(rep.inserted, 2);
  EXPECT_EQ(Warnings(rep), (std::vector<std::string>{
                               "2: title: removed control characters U+0000 U+001B",
                               "2: author: removed control characters U+202E",
                               "2: publisher: removed control characters U+FFFF",
                               "2: notes: a tab or line break made a space",
                               "2: call_number: removed control characters U+009B",
                               "3: title: removed control characters U+2066 U+2069",
                           }));
  const RecordDetail c1 = Record("c-1");
  EXPECT_EQ(c1.title, "吾輩は猫[31mである");
  ASSERT_EQ(c1.authors.size(), 1u);
  EXPECT_EQ(c1.authors[0].name, "夏目漱石");
  EXPECT_EQ(c1.publisher, "新潮社");
  EXPECT_EQ(c1.notes, "上巻 下巻");
  ASSERT_EQ(c1.copies.size(), 1u);
  EXPECT_EQ(c1.copies[0].call_number, "913.6ナ");
  EXPECT_EQ(Record("c-2").title, "猫の本");
  EXPECT_EQ(Find("吾輩"), std::vector<int64_t>{IdOf("c-1")});
  EXPECT_EQ(Find("夏目漱石"), std::vector<int64_t>{IdOf("c-1")});

  // Again: the same warnings, and the records, stored as cleaned, are untouched.
  const Snapshot before = Take();
  const ImportReport again = ImportOk(Write("controls.tsv", file));
  EXPECT_EQ(again.updated, 2);
  EXPECT_EQ(again.warnings.size(), 6u);
  EXPECT_TRUE(Take() == before);
}

// A cleaned id or barcode could be another record's or copy's: refused.
TEST_F(ImportTest, TsvIdsBarcodesAndBranchesWithControlCharactersAreRefused) {
  ImportOk(kData + "catalog.tsv");
  const Snapshot before = Take();
  const std::string file =
      "id\ttitle\tbarcode\tbranch\n"
      "c\x1B-1\t猫\t\t\n"
      "c-2\t犬\t4000\u202E0002\tchuo\n"
      "c-3\t鳥\t4000000003\tch\xC2\x85uo\n";
  Status s;
  const ImportReport rep = Import(Write("keys.tsv", file), &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  ASSERT_GE(rep.problems.size(), 3u);
  EXPECT_EQ(rep.problems[0].record, 2);
  EXPECT_EQ(rep.problems[0].reason,
            "id 'c\\x1B-1' holds a control character (U+001B); ids, barcodes and branch codes "
            "are not cleaned");
  EXPECT_EQ(rep.problems[1].record, 3);
  EXPECT_TRUE(Contains(rep.problems[1].reason,
                       "barcode '4000\\u202E0002' holds a control character (U+202E)"));
  bool branch = false;
  for (const auto& p : rep.problems) {
    branch =
        branch || (p.record == 4 &&
                   Contains(p.reason, "branch 'ch\\u0085uo' holds a control character (U+0085)"));
  }
  EXPECT_TRUE(branch);
  EXPECT_TRUE(Take() == before);
}

// ---------------------------------------------------------------- MARC

TEST_F(ImportTest, LocMarc21Sample) {
  // Zebra's sample-marc: 24 Library of Congress records in MARC-8, the last
  // one a danMARC2 record (no 001 control field).
  const ImportReport rep = ImportOk(kData + "loc-sample.mrc");
  EXPECT_EQ(rep.records, 24);
  EXPECT_EQ(rep.inserted, 24);
  EXPECT_EQ(Scalar("SELECT count(*) FROM records WHERE title = ''"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM records WHERE source_id LIKE 'marc-%'"), 1);
  EXPECT_EQ(Scalar("SELECT count(DISTINCT record_id) FROM record_authors"), 18);
  // Every ISBN is valid, stored as ISBN-13.
  auto s = db_->Prepare("SELECT isbn FROM records WHERE isbn IS NOT NULL");
  ASSERT_TRUE(s.ok());
  int isbns = 0;
  while (true) {
    auto r = s->Step();
    ASSERT_TRUE(r.ok());
    if (!*r) break;
    ++isbns;
    EXPECT_EQ(NormalizeIsbn(s->Text(0)).value_or(""), s->Text(0));
  }
  EXPECT_EQ(isbns, 5);
  EXPECT_EQ(Scalar("SELECT count(*) FROM records WHERE notes LIKE '%invalid ISBN%'"), 0);

  const RecordDetail first = Record("11224466");
  EXPECT_EQ(first.title, "How to program a computer");
  ASSERT_EQ(first.authors.size(), 1u);
  EXPECT_EQ(first.authors[0].name, "Jack Collins");
  EXPECT_EQ(first.year, 1991);
  EXPECT_EQ(first.lang, "eng");
  const RecordDetail psalms = Record("80082329");
  EXPECT_EQ(psalms.title, "Four psalms : XXIII, XXXVI, LII, CXXI");
  EXPECT_EQ(psalms.publisher, "Keats Pub.");
  EXPECT_EQ(psalms.isbn, "9780879832353");  // 020 $a "0879832355 (pbk.) :"
  ASSERT_EQ(psalms.authors.size(), 1u);
  EXPECT_EQ(psalms.authors[0].name, "Smith, George Adam");
  EXPECT_EQ(Find("psalms").size(), 1u);
  EXPECT_EQ(Find("0-87983-235-5").size(), 1u);
  // The danMARC2 record is not MARC-8, but its leader says so: its Latin-1
  // letters come out as (valid) MARC-8 diacritics.
  const RecordDetail danish = Record("marc-24");
  EXPECT_FALSE(danish.title.empty());
  EXPECT_TRUE(charset::IsValidUtf8(danish.title));
}

TEST_F(ImportTest, LocMarcXmlSamples) {
  ImportReport rep = ImportOk(kData + "loc-collection-2.xml");
  EXPECT_EQ(rep.records, 2);
  const RecordDetail ray = Record("5637241");
  EXPECT_EQ(ray.title, "The Great Ray Charles");
  EXPECT_EQ(ray.year, 1957);
  ASSERT_EQ(ray.authors.size(), 1u);
  EXPECT_EQ(ray.authors[0].name, "Charles, Ray");

  rep = ImportOk(kData + "loc-sandburg.xml", ImportFormat::kMarcXml);
  EXPECT_EQ(rep.records, 1);
  const RecordDetail arith = Record("92005291");
  EXPECT_EQ(arith.title, "Arithmetic");
  EXPECT_EQ(arith.isbn, "9780152038656");  // 0152038655
  EXPECT_EQ(arith.year, 1993);
  ASSERT_EQ(arith.authors.size(), 2u);
  EXPECT_EQ(arith.authors[0].name, "Sandburg, Carl");
  EXPECT_EQ(arith.authors[1].name, "Rand, Ted");
  EXPECT_EQ(arith.authors[1].role, "絵");  // $e ill.
  EXPECT_TRUE(Contains(arith.subjects, "Arithmetic ; Children's poetry, American"));
}

TEST_F(ImportTest, Marc8IsConvertedToUtf8) {
  // Leader 09 is blank: MARC-8, where an accent comes before its letter.
  const std::string raw = ReadFile(kData + "marc8.mrc");
  ASSERT_EQ(raw[9], ' ');
  ASSERT_NE(raw.find("Garc\xE2ia"), std::string::npos);
  ImportOk(kData + "marc8.mrc", ImportFormat::kMarc21);
  const RecordDetail d = Record("marc8-test-1");
  EXPECT_EQ(d.title, "Cien años de soledad");  // precomposed ñ
  ASSERT_EQ(d.authors.size(), 1u);
  EXPECT_EQ(d.authors[0].name, "García Márquez, Gabriel");
  EXPECT_EQ(d.publisher, "Editorial Sudamericana");
  EXPECT_EQ(d.year, 1967);
  EXPECT_EQ(d.lang, "spa");
  EXPECT_EQ(Find("Márquez").size(), 1u);
  EXPECT_EQ(Find("años").size(), 1u);
}

// One ISO 2709 record in UTF-8 (leader 09 'a') from (tag, field) pairs: a
// control field's data, or a data field's indicators and subfields
// ("10\x1Fa..."), as the file holds them.
std::string Iso2709(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string dir, data;
  for (const auto& [tag, body] : fields) {
    const std::string f = body + "\x1E";
    char entry[16];
    std::snprintf(entry, sizeof entry, "%3s%04zu%05zu", tag.c_str(), f.size(), data.size());
    dir += entry;
    data += f;
  }
  dir += "\x1E";
  const size_t base = 24 + dir.size();
  char leader[32];
  std::snprintf(leader, sizeof leader, "%05zunam a22%05zu   4500", base + data.size() + 1, base);
  return leader + dir + data + "\x1D";
}

// The attack in ISO 2709: ESC sequences, NUL, DEL, a C1 control, a bidi
// override, noncharacters and line breaks inside subfields. Cleaned, with a
// warning naming the record, the field and the subfield.
// A subfield as ISO 2709 writes it: the delimiter 0x1F, the code, the value.
std::string Sf(char code, const std::string& value) { return std::string("\x1F") + code + value; }

TEST_F(ImportTest, MarcControlCharactersAreCleanedWithAWarningPerRecordAndSubfield) {
  const std::string nul(1, '\0');
  const std::string mrc =
      Iso2709(
          {{"001", "m-1"},
           {"245", "10" + Sf('a', "吾輩は猫\x1B[2Jである") + Sf('b', "\u202E上巻")},
           {"100", "1 " + Sf('a', "夏目" + nul + "漱石\x7F")},
           {"260", "  " + Sf('b', "新潮社\uFFFE") + Sf('c', "2003")},
           {"500", "  " + Sf('a', "初出\r\nホトトギス\t1905")},
           {"852", "  " + Sf('p', "4000000011") + Sf('b', "chuo") + Sf('h', "913.6\u009Bナ")}}) +
      Iso2709({{"001", "m-2"}, {"245", "10" + Sf('a', "\uFDD0雪国")}});
  const ImportReport rep = ImportOk(Write("controls.mrc", mrc));
  EXPECT_EQ(rep.inserted, 2);
  const RecordDetail m1 = Record("m-1");
  EXPECT_EQ(m1.title, "吾輩は猫[2Jである 上巻");
  ASSERT_EQ(m1.authors.size(), 1u);
  EXPECT_EQ(m1.authors[0].name, "夏目漱石") << "a NUL does not end the field";
  EXPECT_EQ(m1.publisher, "新潮社");
  EXPECT_EQ(m1.year, 2003);
  EXPECT_EQ(m1.notes, "初出 ホトトギス 1905");
  ASSERT_EQ(m1.copies.size(), 1u);
  EXPECT_EQ(m1.copies[0].call_number, "913.6ナ");
  EXPECT_EQ(Record("m-2").title, "雪国");
  const std::vector<std::string> w = Warnings(rep);
  for (const char* expected : {"1: field 245 $a: removed control characters U+001B",
                               "1: field 245 $b: removed control characters U+202E",
                               "1: field 100 $a: removed control characters U+007F",
                               "1: field 260 $b: removed control characters U+FFFE",
                               "1: field 500 $a: a tab or line break made a space",
                               "1: field 852 $h: removed control characters U+009B",
                               "2: field 245 $a: removed control characters U+FDD0"}) {
    EXPECT_NE(std::find(w.begin(), w.end(), expected), w.end()) << expected;
  }
}

// MARCXML allows fewer of them (no C0 but TAB, LF, CR; no U+FFFE), but C1,
// bidi controls and U+FDD0.. are well-formed XML.
TEST_F(ImportTest, MarcXmlControlCharactersAreCleanedToo) {
  std::string xml = ReadFile(kData + "jp.xml");
  xml.replace(xml.find("吾輩は猫である"), std::string("吾輩は猫である").size(),
              "吾輩&#x9B;は&#x202E;猫&#xFDD0;で\n\tある");
  const ImportReport rep = ImportOk(Write("controls.xml", xml));
  EXPECT_EQ(Record("test-jp-0001").title, "吾輩は猫で ある");
  ASSERT_FALSE(rep.warnings.empty());
  EXPECT_EQ(rep.warnings[0].record, 1);
  EXPECT_EQ(rep.warnings[0].reason,
            "field 245 $a: removed control characters U+009B U+202E U+FDD0; a tab or line break "
            "made a space");
}

TEST_F(ImportTest, MarcIdsBarcodesAndBranchesWithControlCharactersAreRefused) {
  const std::string mrc = Iso2709({{"001", "m\x1B-1"}, {"245", "10" + Sf('a', "猫")}}) +
                          Iso2709({{"001", "m-2"},
                                   {"245", "10" + Sf('a', "犬")},
                                   {"852", "  " + Sf('p', "4000\u202E0012") + Sf('b', "chuo")}}) +
                          Iso2709({{"001", "m-3"},
                                   {"245", "10" + Sf('a', "鳥")},
                                   {"949", "  " + Sf('p', "4000000013") + Sf('b', "ch\x1Buo")}});
  Status s;
  const ImportReport rep = Import(Write("keys.mrc", mrc), &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  ASSERT_GE(rep.problems.size(), 3u);
  EXPECT_EQ(rep.problems[0].record, 1);
  EXPECT_EQ(rep.problems[0].reason,
            "001 'm\\x1B-1' holds a control character (U+001B); ids, barcodes and branch codes are "
            "not cleaned");
  EXPECT_EQ(rep.problems[1].record, 2);
  EXPECT_TRUE(
      Contains(rep.problems[1].reason, "field 852 $p '4000\\u202E0012' holds a control character"));
  EXPECT_EQ(rep.problems[2].record, 3);
  EXPECT_TRUE(
      Contains(rep.problems[2].reason, "field 949 $b 'ch\\x1Buo' holds a control character"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM records"), 0);
}

// The Japanese records, from jp.mrc (ISO 2709, UTF-8) and jp.xml (MARCXML):
// the same four records either way.
class JapaneseMarcTest : public ImportTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(JapaneseMarcTest, TitlesReadingsAuthorsAndCopies) {
  const ImportReport rep = ImportOk(kData + GetParam());
  EXPECT_EQ(rep.records, 4);
  EXPECT_EQ(rep.inserted, 4);
  EXPECT_EQ(rep.copies, 5);

  // 245/100/260 in kanji, readings in linked 880s.
  const RecordDetail neko = Record("test-jp-0001");
  EXPECT_EQ(neko.title, "吾輩は猫である");
  EXPECT_EQ(neko.title_kana, "ワガハイ ワ ネコ デ アル");
  ASSERT_EQ(neko.authors.size(), 1u);
  EXPECT_EQ(neko.authors[0].name, "夏目漱石");
  EXPECT_EQ(neko.authors[0].name_kana, "ナツメ ソウセキ");
  EXPECT_EQ(neko.publisher, "新潮社");
  EXPECT_EQ(neko.publisher_kana, "シンチョウシャ");
  EXPECT_EQ(neko.year, 2003);
  EXPECT_EQ(neko.isbn, "9784101010014");
  EXPECT_EQ(neko.ndc, "913.6");
  EXPECT_EQ(neko.lang, "jpn");
  EXPECT_EQ(neko.subjects, "日本文学 ; 小説");
  EXPECT_EQ(neko.notes, "初出: 「ホトトギス」1905-1906");
  ASSERT_EQ(neko.copies.size(), 2u);
  EXPECT_EQ(neko.copies[0].barcode, "3000000001");
  EXPECT_EQ(neko.copies[0].branch_code, "chuo");
  EXPECT_EQ(neko.copies[0].branch_name, "中央図書館");
  EXPECT_EQ(neko.copies[0].call_number, "913.6/ナ");
  EXPECT_EQ(neko.copies[1].branch_code, "takaono");

  // The transcription (hiragana) in 245/100/260, the kanji in 880; 949
  // holdings; the ISBN-10 stored as ISBN-13; Dewey (082) is not NDC.
  const RecordDetail ginga = Record("test-jp-0002");
  EXPECT_EQ(ginga.title, "新編銀河鉄道の夜");
  EXPECT_EQ(ginga.title_kana, "シンペン ギンガ テツドウ ノ ヨル");
  ASSERT_EQ(ginga.authors.size(), 1u);
  EXPECT_EQ(ginga.authors[0].name, "宮沢賢治");
  EXPECT_EQ(ginga.authors[0].name_kana, "ミヤザワ ケンジ");
  EXPECT_EQ(ginga.publisher, "新潮社");
  EXPECT_EQ(ginga.publisher_kana, "シンチョウシャ");
  EXPECT_EQ(ginga.year, 1989);
  EXPECT_EQ(ginga.isbn, "9784101092058");
  EXPECT_EQ(ginga.ndc, "913.6");
  ASSERT_EQ(ginga.copies.size(), 1u);
  EXPECT_EQ(ginga.copies[0].branch_code, "noda");
  EXPECT_EQ(ginga.copies[0].call_number, "913.6/ミ");

  // Reading from 246 $i 読み; 264; an invalid ISBN goes to the notes.
  const RecordDetail yuki = Record("test-jp-0003");
  EXPECT_EQ(yuki.title, "雪国");
  EXPECT_EQ(yuki.title_kana, "ユキグニ");
  ASSERT_EQ(yuki.authors.size(), 1u);
  EXPECT_EQ(yuki.authors[0].name, "川端康成");
  EXPECT_EQ(yuki.authors[0].name_kana, "カワバタ ヤスナリ");
  EXPECT_EQ(yuki.publisher_kana, "シンチョウシャ");
  EXPECT_EQ(yuki.year, 2006);
  EXPECT_EQ(yuki.isbn, "9784101001012");
  EXPECT_EQ(yuki.notes, "invalid ISBN: 9784101001013");
  EXPECT_EQ(yuki.subjects, "新潟県");
  EXPECT_EQ(yuki.copies.size(), 2u);

  // A title in katakana keeps 245 as the title; a translator's role; a
  // romanised name with its katakana reading; no holdings.
  const RecordDetail gatsby = Record("test-jp-0004");
  EXPECT_EQ(gatsby.title, "グレート・ギャツビー");
  EXPECT_EQ(gatsby.title_kana, "グレート ギャツビー");
  ASSERT_EQ(gatsby.authors.size(), 2u);
  EXPECT_EQ(gatsby.authors[0].name, "Fitzgerald, F. Scott");
  EXPECT_EQ(gatsby.authors[0].name_kana, "フィッツジェラルド スコット");
  EXPECT_EQ(gatsby.authors[1].name, "村上春樹");
  EXPECT_EQ(gatsby.authors[1].name_kana, "ムラカミ ハルキ");
  EXPECT_EQ(gatsby.authors[1].role, "訳");
  EXPECT_EQ(gatsby.publisher, "中央公論新社");
  EXPECT_TRUE(gatsby.copies.empty());

  // Readings typed in hiragana find them.
  EXPECT_EQ(Find("わがはい"), std::vector<int64_t>{IdOf("test-jp-0001")});
  EXPECT_EQ(Find("なつめそうせき"), std::vector<int64_t>{IdOf("test-jp-0001")});
  EXPECT_EQ(Find("ぎんがてつどう"), std::vector<int64_t>{IdOf("test-jp-0002")});
  EXPECT_EQ(Find("みやざわ"), std::vector<int64_t>{IdOf("test-jp-0002")});
  EXPECT_EQ(Find("ゆきぐに"), std::vector<int64_t>{IdOf("test-jp-0003")});
  EXPECT_EQ(Find("かわばた"), std::vector<int64_t>{IdOf("test-jp-0003")});
  EXPECT_EQ(Find("むらかみ"), std::vector<int64_t>{IdOf("test-jp-0004")});
  EXPECT_EQ(Find("夏目漱石"), std::vector<int64_t>{IdOf("test-jp-0001")});
}

INSTANTIATE_TEST_SUITE_P(Formats, JapaneseMarcTest, ::testing::Values("jp.mrc", "jp.xml"));

TEST_F(ImportTest, MarcXmlAndMarc21GiveTheSameRecords) {
  ImportOk(kData + "jp.xml");
  const Snapshot before = Take();
  const ImportReport rep = ImportOk(kData + "jp.mrc");
  EXPECT_EQ(rep.inserted, 0);
  EXPECT_EQ(rep.updated, 4);
  EXPECT_TRUE(Take() == before);  // nothing differed, so nothing was rewritten
}

TEST_F(ImportTest, BrokenMarcIsRefusedAndChangesNothing) {
  ImportOk(kData + "catalog.tsv");
  const Snapshot before = Take();
  const std::string jp = ReadFile(kData + "jp.mrc");
  std::string letters = jp;
  letters.replace(815, 5, "00a22");  // the second record's length
  std::string in_xml = ReadFile(kData + "jp.xml");
  in_xml.resize(in_xml.find("</record>", in_xml.find("test-jp-0002")));
  std::string bad_base = jp;
  bad_base.replace(815 + 12, 5, "00100");
  std::string bad_codes = jp;
  bad_codes[815 + 11] = '9';  // the second record's subfield code length
  std::string bad_utf8 = jp;
  bad_utf8.replace(bad_utf8.find("吾輩"), 3, "\xE5\x90\xFF");
  std::string bad_tag = bad_utf8;
  bad_tag[85] = '\xE5';  // record 1's directory: the entry of that 245
  std::string unknown_branch = ReadFile(kData + "jp.xml");
  unknown_branch.replace(unknown_branch.find(">takaono<"), 9, ">akune<");
  std::string branch_newline = ReadFile(kData + "jp.xml");
  branch_newline.replace(branch_newline.find(">takaono<"), 9, ">ak\nune<");
  std::string no_title_bad_branch = ReadFile(kData + "jp.xml");
  no_title_bad_branch.replace(no_title_bad_branch.find("tag=\"245\""), 9, "tag=\"247\"");
  no_title_bad_branch.replace(no_title_bad_branch.find(">takaono<"), 9, ">akune<");
  struct Case {
    const char* name;
    std::string path;
    int record;
    const char* reason;
  };
  const Case cases[] = {
      {"truncated", kData + "jp-truncated.mrc", 3, "truncated"},
      {"leader length too short", kData + "jp-bad-leader.mrc", 2,
       "does not end at a record terminator"},
      {"leader length not digits", Write("letters.mrc", letters), 2, "is not five digits"},
      {"garbage after a record", Write("tail.mrc", jp.substr(0, 815) + "hello"), 2,
       "is not five digits"},
      {"leader alone", Write("leader.mrc", jp.substr(0, 24)), 1, "truncated"},
      {"bad base address", Write("base.mrc", bad_base), 2, "base address"},
      {"subfield codes of 9 bytes", Write("codes.mrc", bad_codes), 2,
       "where MARC 21 has '22' and '45'"},
      {"invalid UTF-8", Write("utf8.mrc", bad_utf8), 1, "field 245 is not valid UTF-8"},
      {"invalid UTF-8 in the tag too", Write("tag.mrc", bad_tag), 1,
       "field 2\\xE55 is not valid UTF-8"},
      {"unknown branch", Write("branch.xml", unknown_branch), 1, "unknown branch 'akune'"},
      {"unknown branch in a record without a title",
       Write("notitle-branch.xml", no_title_bad_branch), 1, "unknown branch 'akune'"},
      {"XML cut off", Write("cut.xml", in_xml), 2, "not well-formed XML"},
      {"XML without records", Write("none.xml", "<collection/>"), 0, "no records"},
      {"XML record without leader",
       Write(
           "noleader.xml",
           "<record xmlns='http://www.loc.gov/MARC21/slim'><controlfield tag='001'>x</controlfield>"
           "</record>"),
       1, "does not start with a leader"},
      {"a TSV read as MARC21", kData + "catalog.tsv", 1,
       "the record length 'id\\x09ti' is not five digits"},
      {"a line break in a branch", Write("newline.xml", branch_newline), 1,
       "field 852 $b 'ak\\x0Aune' holds a control character"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Status s;
    const ImportFormat format =
        c.path == kData + "catalog.tsv" ? ImportFormat::kMarc21 : ImportFormat::kAuto;
    const ImportReport rep = Import(c.path, &s, format);
    EXPECT_EQ(s.code(), Status::Code::kInvalid) << s.message();
    ASSERT_FALSE(rep.problems.empty());
    EXPECT_EQ(rep.problems[0].record, c.record) << rep.problems[0].reason;
    EXPECT_TRUE(Contains(rep.problems[0].reason, c.reason));
    if (c.record > 0) {
      EXPECT_TRUE(Contains(s.message(), "record " + std::to_string(c.record)));
    }
    EXPECT_EQ(rep.inserted + rep.updated + rep.copies, 0);
    EXPECT_TRUE(Take() == before);
    EXPECT_EQ(IdOf("test-jp-0001"), 0);  // record 1 was read, and rolled back
  }
}

// A record without a title cannot stand: it is skipped with a warning, the
// others are imported.
TEST_F(ImportTest, MarcRecordWithoutATitleIsSkippedWithAWarning) {
  std::string xml = ReadFile(kData + "jp.xml");
  xml.replace(xml.find("tag=\"245\""), 9, "tag=\"247\"");
  const ImportReport rep = ImportOk(Write("notitle.xml", xml));
  EXPECT_EQ(rep.records, 4);
  EXPECT_EQ(rep.inserted, 3);
  EXPECT_EQ(rep.skipped, 1);
  ASSERT_FALSE(rep.warnings.empty());
  EXPECT_EQ(rep.warnings[0].record, 1);
  EXPECT_EQ(rep.warnings[0].reason, "no title (245 $a); the record is skipped, with its copies");
  EXPECT_EQ(IdOf("test-jp-0001"), 0);
  EXPECT_EQ(Scalar("SELECT count(*) FROM copies WHERE barcode = '3000000001'"), 0);
  EXPECT_EQ(Record("test-jp-0002").title, "新編銀河鉄道の夜");
}

// Readings in 880 fields may hold letters and digits (JAPAN/MARC: SDGsケイザイ),
// full-width ones stored as half-width ASCII; of two kana forms, the one with
// Latin letters where the other has none is the script. Branches by name; an invalid ISBN is kept
// in the notes with a warning.
TEST_F(ImportTest, MarcReadingsWithLettersAndDigits) {
  const std::string mrc =
      Iso2709({{"001", "s-1"},
               {"020", "  " + Sf('a', "9784101001013")},
               {"100", "1 " + Sf('6', "880-01") + Sf('a', "蟹江, 憲史")},
               {"245", "10" + Sf('6', "880-02") + Sf('a', "SDGsの経済学 /")},
               {"260", "  " + Sf('6', "880-03") + Sf('b', "ＮＨＫ出版,") + Sf('c', "2020")},
               {"852", "  " + Sf('b', "中央図書館") + Sf('p', "3400000001")},
               {"880", "1 " + Sf('6', "100-01/$1") + Sf('a', "カニエ, ノリチカ")},
               {"880", "10" + Sf('6', "245-02/$1") + Sf('a', "ＳＤＧｓ ノ ケイザイガク")},
               {"880", "  " + Sf('6', "260-03/$1") + Sf('b', "NHK シュッパン")}}) +
      Iso2709({{"001", "s-2"},
               {"245", "10" + Sf('6', "880-01") + Sf('a', "２００１年宇宙の旅")},
               {"852", "  " + Sf('b', "野田") + Sf('p', "3400000002")},
               {"880", "10" + Sf('6', "245-01/$1") + Sf('a', "２００１ネン ウチュウ ノ タビ")}}) +
      Iso2709({{"001", "s-3"},
               {"245", "10" + Sf('6', "880-01") + Sf('a', "とうきょう がいど")},
               {"880", "10" + Sf('6', "245-01/$1") + Sf('a', "Tokyo ガイド")}});
  const ImportReport rep = ImportOk(Write("letters.mrc", mrc));
  EXPECT_EQ(rep.inserted, 3);
  EXPECT_EQ(Warnings(rep), std::vector<std::string>{
                               "1: 020 $a '9784101001013' is not a valid ISBN; kept in the notes"});
  const RecordDetail sdgs = Record("s-1");
  EXPECT_EQ(sdgs.title, "SDGsの経済学");
  EXPECT_EQ(sdgs.title_kana, "SDGs ノ ケイザイガク");
  ASSERT_EQ(sdgs.authors.size(), 1u);
  EXPECT_EQ(sdgs.authors[0].name, "蟹江憲史");
  EXPECT_EQ(sdgs.authors[0].name_kana, "カニエ ノリチカ");
  EXPECT_EQ(sdgs.publisher_kana, "NHK シュッパン");
  EXPECT_EQ(sdgs.notes, "invalid ISBN: 9784101001013");
  ASSERT_EQ(sdgs.copies.size(), 1u);
  EXPECT_EQ(sdgs.copies[0].branch_code, "chuo");
  const RecordDetail odyssey = Record("s-2");
  EXPECT_EQ(odyssey.title, "２００１年宇宙の旅");
  EXPECT_EQ(odyssey.title_kana, "2001ネン ウチュウ ノ タビ");
  ASSERT_EQ(odyssey.copies.size(), 1u);
  EXPECT_EQ(odyssey.copies[0].branch_code, "noda");
  const RecordDetail tokyo = Record("s-3");
  EXPECT_EQ(tokyo.title, "Tokyo ガイド");
  EXPECT_EQ(tokyo.title_kana, "トウキョウ ガイド");
  EXPECT_EQ(Find("けいざいがく"), std::vector<int64_t>{IdOf("s-1")});
  EXPECT_EQ(Find("とうきょう"), std::vector<int64_t>{IdOf("s-3")});
}

TEST_F(ImportTest, MarcRecordsWithoutAnIdAreNumbered) {
  std::string xml = ReadFile(kData + "jp.xml");
  for (size_t at; (at = xml.find("<controlfield tag=\"001\">")) != std::string::npos;) {
    xml.erase(at, xml.find("</controlfield>", at) + 15 - at);
  }
  const ImportReport rep = ImportOk(Write("noid.xml", xml));
  EXPECT_EQ(rep.inserted, 4);
  EXPECT_EQ(Record("marc-1").title, "吾輩は猫である");
  EXPECT_EQ(Record("marc-4").title, "グレート・ギャツビー");
}

TEST_F(ImportTest, MarcDuplicateIdsAreRefused) {
  std::string xml = ReadFile(kData + "jp.xml");
  xml.replace(xml.find("test-jp-0003"), 12, "test-jp-0001");
  Status s;
  const ImportReport rep = Import(Write("dup.xml", xml), &s);
  EXPECT_EQ(s.code(), Status::Code::kInvalid);
  ASSERT_EQ(rep.problems.size(), 1u);
  EXPECT_EQ(rep.problems[0].record, 3);
  EXPECT_EQ(rep.problems[0].reason, "001 'test-jp-0001' is also the id of record 1");
}

TEST_F(ImportTest, FormatIsDetectedFromContent) {
  EXPECT_EQ(ImportOk(kData + "jp.mrc").records, 4);
  EXPECT_EQ(ImportOk(kData + "jp.xml").updated, 4);
  EXPECT_EQ(ImportOk(kData + "catalog.tsv").inserted, 4);
  // MARCXML after a byte order mark is still MARCXML.
  std::string xml = "\xEF\xBB\xBF" + ReadFile(kData + "loc-sandburg.xml");
  EXPECT_EQ(ImportOk(Write("bom.xml", xml)).inserted, 1);
}

}  // namespace
}  // namespace shiori::db
