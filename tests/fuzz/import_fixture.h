// The database the import fuzzers write into, and the importers' contract
// (docs/import-formats.md, db/db.h) checked after every input:
//   - the status's message is one line, and every problem's reason and every
//     warning is one line of UTF-8;
//   - a refused file (any non-OK Status) changes nothing: every row of every
//     table, the search index's included, is as it was;
//   - a refused file is refused as Invalid, with its problems in the report
//     and inserted, updated and copies 0;
//   - an accepted file has no problems, writes or skips (with a warning)
//     every record it read (inserted + updated + skipped == records), adds
//     exactly `inserted` records, never
//     removes a copy, adds at most `copies`, keeps the status of every copy
//     (on loan, held) and of every patron (blocked, password), leaves the
//     search index one row per record, and (a catalogue) stores no control
//     character in any record, author or copy;
//   - the same file imported again is accepted, inserts nothing, skips and
//     warns as before, and (for a catalogue) changes nothing at all: a record
//     stored as the file gives it is left untouched.
// A broken rule prints what broke and aborts, so libFuzzer keeps the input.
// With SHIORI_FUZZ_VERBOSE set, each import's outcome is printed too.
#ifndef SHIORI_TESTS_FUZZ_IMPORT_FIXTURE_H_
#define SHIORI_TESTS_FUZZ_IMPORT_FIXTURE_H_

#include <memory>
#include <string>
#include <string_view>

#include "db/import.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"

namespace shiori::fuzz {

// An in-memory database, migrated, with the branches chuo, takaono and noda
// and a small library (kCatalog and kCirculation in import_fixture.cc):
// records t-001, t-002 and test-jp-0001 (the id of the first record of
// tests/data/import/jp.xml, so that MARC seeds update it), a copy on loan and
// one held, a patron with a password and holds told by mail, and a blocked
// card. Every input is imported into this library: a refused import
// leaves it as it is, and after an accepted one it is put back from a copy
// made once, so an input does the same whatever ran before it.
class ImportFixture {
 public:
  // Made on first use and kept for the process; aborts when it cannot be made.
  static ImportFixture& Get();

  // Imports `bytes` as a catalogue file in `format` (kAuto: by its content)
  // and checks the contract.
  void Catalog(std::string_view bytes, db::ImportFormat format);
  // Imports `bytes` as a patron file (db::ImportPatrons) and checks the contract.
  void Patrons(std::string_view bytes);

  struct State;  // what the checks compare before and after an import

 private:
  ImportFixture();
  ~ImportFixture();
  static std::unique_ptr<db::Connection> Open();  // a new, empty in-memory database
  void Build();    // the library from nothing, into image_ (the migrations take 30 ms)
  void Restore();  // db_ becomes a new connection holding image_ (well under 1 ms)
  void Write(std::string_view bytes);  // the bytes become the file at path_

  int fd_ = -1;        // the input file: a memfd, rewritten for each input
  std::string path_;   // the path the importers open it by
  std::string image_;  // the library's database file, as sqlite3_serialize gives it
  std::unique_ptr<db::Connection> db_;
  // The library's state: the state before every import, as a refused import
  // must leave it and an accepted one is followed by Restore().
  std::unique_ptr<State> library_;
};

}  // namespace shiori::fuzz

#endif  // SHIORI_TESTS_FUZZ_IMPORT_FIXTURE_H_
