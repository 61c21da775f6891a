// scratch
#include <gtest/gtest.h>
#include <stdlib.h>
#include <filesystem>
#include <iostream>
#include "db/db.h"

namespace shiori::db {
namespace {
TEST(Scratch, Dump) {
  char tmpl[] = "/tmp/shiori-imp-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  const char* files[] = {"loc-sample.mrc", "loc-collection-2.xml", "loc-sandburg.xml", "marc8.mrc", "jp.mrc", "jp.xml", "catalog.tsv", "bad-row.tsv", "jp-truncated.mrc", "jp-bad-leader.mrc"};
  for (const char* f : files) {
    auto c = Connection::Open(dir + "/" + f + ".db");
    ASSERT_TRUE(c.ok());
    auto& db = **c;
    ASSERT_TRUE(Migrate(db).ok());
    LibraryRules rules;
    rules.branches = {{"chuo", "中央図書館", {}}, {"takaono", "高尾野図書館", {}}, {"noda", "野田図書館", {}}};
    ASSERT_TRUE(SyncBranches(db, rules).ok());
    ImportReport rep;
    Status s = ImportCatalog(db, std::string(SHIORI_SOURCE_DIR) + "/tests/data/import/" + f, ImportFormat::kAuto, &rep, nullptr);
    std::cout << "=== " << f << ": " << (s.ok() ? "OK" : s.message()) << " records=" << rep.records << " ins=" << rep.inserted << " upd=" << rep.updated << " copies=" << rep.copies << "\n";
    for (auto& p : rep.problems) std::cout << "  problem " << p.record << ": " << p.reason << "\n";
    auto st = db.Prepare("SELECT id FROM records ORDER BY id");
    while (*st->Step()) {
      auto d = GetRecord(db, st->Int(0));
      auto& r = **d;
      std::cout << r.id << " [" << r.title << "] kana[" << r.title_kana << "] vol[" << r.volume << "] pub[" << r.publisher << "/" << r.publisher_kana << "] y" << r.year << " isbn[" << r.isbn << "] ndc[" << r.ndc << "] lang[" << r.lang << "] subj[" << r.subjects << "] notes[" << r.notes << "]\n";
      for (auto& a : r.authors) std::cout << "    au [" << a.name << "] [" << a.name_kana << "] [" << a.role << "]\n";
      for (auto& k : r.copies) std::cout << "    cp " << k.barcode << " " << k.branch_code << " [" << k.call_number << "]\n";
    }
  }
  std::filesystem::remove_all(dir);
}
}  // namespace
}  // namespace shiori::db
