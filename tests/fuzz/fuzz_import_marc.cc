// libFuzzer target for the MARC readers of db::ImportCatalog: MARC21 (ISO
// 2709, through YAZ) and MARCXML (libxml2's streaming reader, then YAZ), both
// opened with dlopen as in the product. The input is the file, its format
// told by its content (ImportFormat::kAuto); the importers' contract is
// checked on every input (import_fixture.h): never a crash, a refused file
// changes nothing, an accepted one counts what it wrote and imports again
// as a no-op.
//
// Inputs that kAuto would read as TSV (neither five digits nor '<' first,
// after a BOM and spaces) are left out: fuzz_import_tsv covers that reader.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "db/import.h"
#include "db/sqlite.h"
#include "tests/fuzz/import_fixture.h"

namespace {

// The MARC half of ImportFormat::kAuto (docs/import-formats.md).
bool LooksLikeMarc(std::string_view s) {
  s = s.substr(0, 64);  // what kAuto reads
  if (s.substr(0, 3) == "\xEF\xBB\xBF") s.remove_prefix(3);
  if (s.size() >= 5 && s.substr(0, 5).find_first_not_of("0123456789") == std::string_view::npos) {
    return true;
  }
  const size_t text = s.find_first_not_of(" \t\r\n");
  return text != std::string_view::npos && s[text] == '<';
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view file(reinterpret_cast<const char*>(data), size);
  if (!LooksLikeMarc(file)) return -1;  // not kept in the corpus
  shiori::fuzz::ImportFixture::Get().Catalog(file, shiori::db::ImportFormat::kAuto);
  return 0;
}
