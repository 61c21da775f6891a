// A test fixture of the catalogue search's unit tests: a new SQLite file in
// a directory of its own, migrated, with the one branch chuo (中央図書館);
// removed after the test.
#ifndef SHIORI_TESTS_UNIT_CATALOGUE_DB_H_
#define SHIORI_TESTS_UNIT_CATALOGUE_DB_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"

namespace shiori::db {

class CatalogueDb : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-catalogue-XXXXXX";
    dir_ = mkdtemp(tmpl);
    auto c = Connection::Open(dir_ + "/s.db");
    ASSERT_TRUE(c.ok());
    c_ = std::move(c).value();
    ASSERT_TRUE(Migrate(*c_).ok());
    LibraryRules rules;
    rules.branches = {{"chuo", "中央図書館", {}}};
    ASSERT_TRUE(SyncBranches(*c_, rules).ok());
  }
  void TearDown() override {
    c_.reset();
    ASSERT_EQ(std::system(("rm -rf " + dir_).c_str()), 0);
  }
  std::string dir_;
  std::unique_ptr<Connection> c_;
};

}  // namespace shiori::db

#endif  // SHIORI_TESTS_UNIT_CATALOGUE_DB_H_
