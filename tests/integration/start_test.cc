// End-to-end: a library's own start, step by step as docs/operations.md
// ("Starting your library") gives it: a copy of conf/shiori.toml with the
// database path set, `shiori init`, `shiori import catalog`, `shiori patron
// import`, `shiori serve`; then a patron finds an imported title and
// registers a password. Also what init refuses, and what a staff command
// says before init.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

const char kCatalog[] =
    "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher\tpublisher_kana\tyear\tisbn\tndc\t"
    "barcode\tbranch\tcall_number\n"
    "k-1\t鶴の来る町\tツル ノ クル マチ\t荒崎花子\tアラサキ ハナコ\t出水書房\tイズミ ショボウ\t"
    "2021\t\t488\t5000000001\tchuo\t488 ア\n"
    "k-2\t野田の郷土料理\tノダ ノ キョウド リョウリ\t野田一郎\tノダ イチロウ\t出水書房\t"
    "イズミ ショボウ\t2018\t\t596\t5000000002\tnoda\t596 ノ\n";

const char kPatrons[] =
    "card\tname_kana\tphone\temail\tbranch\n"
    "3000000001\tアラサキ ミドリ\t0996-63-1234\t\tchuo\n"
    "3000000002\tノダ タロウ\t0996-84-9876\t\tnoda\n";

class StartingALibrary : public ::testing::Test {
 protected:
  void SetUp() override {
    // Step 1: the configuration, a copy of conf/shiori.toml with the
    // database path changed (here: into the test's folder).
    std::ifstream in(SHIORI_SOURCE_DIR "/conf/shiori.toml");
    std::stringstream toml;
    toml << in.rdbuf();
    std::string text = toml.str();
    const std::string from = "path = \"shiori.db\"";
    const size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << "conf/shiori.toml names its database as the docs say";
    db_ = dir_.File("library.db");
    text.replace(at, from.size(), "path = \"" + db_ + "\"");
    config_ = dir_.File("shiori.toml");
    std::ofstream(config_) << text;
    std::ofstream(dir_.File("catalog.tsv")) << kCatalog;
    std::ofstream(dir_.File("patrons.tsv")) << kPatrons;
  }
  CommandResult Shiori(std::vector<std::string> args) {
    args.push_back("--config");
    args.push_back(config_);
    return RunShiori(args);
  }
  TempDir dir_;
  std::string db_, config_;
};

TEST_F(StartingALibrary, TheDocumentedStepsEndWithASearchAndARegisteredPatron) {
  CommandResult r = Shiori({"init"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("created an empty database in " + db_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("chuo (中央図書館) takaono (高尾野図書館) noda (野田図書館)"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM records"), 0) << "an empty catalogue";
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM branches"), 3);

  r = Shiori({"import", "catalog", dir_.File("catalog.tsv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 records (2 new, 0 updated, 0 skipped), 2 copies"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" s, 0 warnings\n"), std::string::npos) << r.out;

  r = Shiori({"patron", "import", dir_.File("patrons.tsv")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 patrons (2 new, 0 updated)"), std::string::npos) << r.out;

  Server server;
  ASSERT_TRUE(server.Start({"--config", config_})) << server.startup_output();
  EXPECT_EQ(server.startup_output().find("created"), std::string::npos)
      << "serve opens the database init made: " << server.startup_output();

  Browser pc(server, false);
  std::string page = pc.Get("/search?q=" + Hex("鶴の来る町"));
  EXPECT_NE(page.find(">鶴の来る町</a>"), std::string::npos) << page;
  page = pc.Get("/search?q=" + Hex("のだのきょうど"));
  EXPECT_NE(page.find(">野田の郷土料理</a>"), std::string::npos) << "by its reading: " << page;

  pc.Get("/account/register");
  long status = 0;
  page = pc.Post("/account/register",
                 {{"card", "3000000001"},
                  {"name", "あらさき みどり"},
                  {"phone", "0996631234"},
                  {"password", "Midori7"},
                  {"password2", "Midori7"},
                  {"email", ""}},
                 &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("パスワードを登録しました"), std::string::npos) << page;

  Browser phone(server, true);
  phone.Get("/account");
  page = phone.Post("/account/login", {{"card", "3000000001"}, {"password", "Midori7"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("貸出中一覧"), std::string::npos) << "logged in: " << page;
}

TEST_F(StartingALibrary, InitNeverTouchesAnExistingFile) {
  ASSERT_EQ(Shiori({"init"}).exit_code, 0);
  ASSERT_EQ(Shiori({"import", "catalog", dir_.File("catalog.tsv")}).exit_code, 0);
  CommandResult r = Shiori({"init"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(r.err, "shiori: " + db_ + ": already exists; init only creates a new database " +
                       "(nothing changed)\n");
  EXPECT_EQ(QueryInt(db_, "SELECT count(*) FROM records"), 2) << "the catalogue is still there";

  // Not a database at all: refused the same way, the file left as it was.
  const std::string other = dir_.File("notes.txt");
  std::ofstream(other) << "not a database";
  r = RunShiori({"init", "--db", other});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  std::ifstream f(other);
  std::string content((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, "not a database");
}

TEST_F(StartingALibrary, StaffCommandsBeforeInitSayToRunIt) {
  CommandResult r = Shiori({"import", "catalog", dir_.File("catalog.tsv")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find(db_ + ": no such database file (create it with `shiori init`"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;

  // A folder that does not exist: init says which file it could not create.
  r = RunShiori({"init", "--db", dir_.File("no-such-folder/library.db")});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no-such-folder/library.db"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
}

}  // namespace
}  // namespace shiori::test
