// libFuzzer target for the TSV importers: db::ImportCatalog (ImportFormat::kTsv)
// and db::ImportPatrons, into a small library, with the importers' contract
// checked on every input (import_fixture.h): never a crash, a refused file
// changes nothing, an accepted one counts what it wrote and imports again
// as a no-op.
//
// The first byte chooses the importer, the rest is the file: odd (as 'C')
// the catalogue, even (as 'P') the patrons. The seeds in corpus/import_tsv/
// start with that letter.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "db/import.h"
#include "db/sqlite.h"
#include "tests/fuzz/import_fixture.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return -1;
  const std::string_view file(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto& fixture = shiori::fuzz::ImportFixture::Get();
  if (data[0] & 1) {
    fixture.Catalog(file, shiori::db::ImportFormat::kTsv);
  } else {
    fixture.Patrons(file);
  }
  return 0;
}
