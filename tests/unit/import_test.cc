// Tests for ImportCatalog (db/import.cc): TSV, MARC21 and MARCXML files into a
// real SQLite file, every rejection rule, re-import, and search over the result.
// Test data: tests/data/import/ (its README says where each file comes from).
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "charset/charset.h"
#include "db/db.h"

namespace shiori::db {
namespace {

const std::string kData = std::string(SHIORI_SOURCE_DIR) + "/tests/data/import/";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
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
    rules.branches = {{"chuo", "中央図書館", {}},
                      {"takaono", "高尾野図書館", {}},
                      {"noda", "野田図書館", {}}};
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
    for (const auto& p : rep.problems) ADD_FAILURE() << p.record << ": " << p.reason;
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

  // Everything an import may change, so a refused one can be shown to leave it.
  struct Snapshot {
    int64_t records, authors, copies, index_rows;
    std::string digest;  // every stored field of every record and copy
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
    auto q = db_->Prepare(
        "SELECT group_concat(x, '|') FROM (SELECT source_id || title || ifnull(title_kana,'') ||"
        " ifnull(year,'') || ifnull(isbn,'') || updated_at AS x FROM records UNION ALL"
        " SELECT barcode || record_id || branch || ifnull(call_number,'') FROM copies)");
    EXPECT_TRUE(q.ok());
    if (q.ok() && q->Step().value_or_false()) s.digest = q->Text(0);
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

}  // namespace
}  // namespace shiori::db

// Step() gives Result<bool>; this reads it as "a row is ready".
namespace shiori {
template <>
inline bool Result<bool>::value_or_false() const {
  return ok() && value();
}
}  // namespace shiori
