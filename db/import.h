// Imports in bulk by staff: the catalogue (`shiori import catalog`: TSV,
// MARC21, MARCXML) and patron records (`shiori patron import`: TSV). Each is
// one transaction: a file with any problem changes nothing. A catalogue's
// problems are those of the file as a whole (its framing, header, encoding,
// ids, barcodes and branches); a bad value costs only that value, or its
// record, a warning. The formats and which is which are in
// docs/import-formats.md. Messages are English, for staff.
#ifndef SHIORI_DB_IMPORT_H_
#define SHIORI_DB_IMPORT_H_

#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "db/sqlite.h"

namespace shiori::db {

// Catalogue files ImportCatalog reads; docs/import-formats.md describes each.
enum class ImportFormat {
  kAuto,     // by content: five digits (a MARC leader): kMarc21; '<': kMarcXml; else kTsv
  kTsv,      // UTF-8, tab-separated, header row, one row per copy
  kMarc21,   // ISO 2709, MARC-8 or UTF-8 (leader 09)
  kMarcXml,  // MARC21 slim (a collection or a single record)
};

// A problem that refuses the file, or a warning.
struct ImportProblem {
  // TSV: the line number, counting the header as line 1. MARC21 and MARCXML:
  // the 1-based number of the record in the file. 0: the file as a whole.
  int record = 0;
  std::string reason;  // one line, UTF-8
};

struct ImportReport {
  // Records read: TSV, its distinct ids and its rows without an id; MARC, its
  // records. An accepted file has inserted + updated + skipped == records.
  int records = 0;
  int inserted = 0;  // records with a new source id
  int updated = 0;   // records whose source id was already there (rewritten or unchanged)
  int skipped = 0;   // records left out, each with a warning: no id (TSV), no title
  int copies = 0;    // copies in the file: added, moved by barcode, or already in place
  // Every problem found, in file order; each refuses the file. inserted,
  // updated, skipped and copies are 0 whenever this is non-empty: nothing
  // was written.
  std::vector<ImportProblem> problems;
  // Every warning, in file order: a value cleaned of control characters
  // ("title: removed control characters U+001B"), a value left out for
  // breaking its rule ("year '昭和44' is not 1 to 4 digits; left out"), a
  // record skipped ("missing title; the record is skipped");
  // docs/import-formats.md lists them. They refuse nothing; a refused
  // file's are listed too.
  std::vector<ImportProblem> warnings;
};

// Reads the catalogue file `path` and writes every record in it with
// UpsertRecord, all in ONE transaction: if the file has a problem (broken
// framing, a bad header, invalid UTF-8, a wrong number of columns, an id,
// barcode or branch with a control character, a barcode without a branch or
// twice, an unknown branch, a MARC 001 twice), nothing is changed. A value
// that breaks its own rule (a reading, an ISBN, a year ...) is left out with
// a warning and its record imported; a record without an id or title is
// skipped with a warning. The whole file is still read, so that
// report->problems lists every problem (reading stops only where the file
// cannot be followed further: broken ISO 2709 framing, XML that is not
// well-formed, a TSV header that cannot be used). Returns:
//   Ok       every record was written (or skipped, with a warning) and
//            committed;
//   Invalid  the file was refused; the message is a one-line summary (the
//            count and the first problem), the problems are in the report;
//   NotFound / Io  the file cannot be read (report->problems stays empty);
//   Io             the file is MARC21 or MARCXML and YAZ or libxml2, opened
//                  on the first MARC import, cannot be loaded ("cannot load
//                  libyaz.so.5 (libyaz5): <dlerror>"); nothing was changed;
//   Busy, Io       the database failed; nothing was changed.
// `report` (may be null) is reset and filled. `progress(done_records,
// fraction_of_file)`, when not null, is called after about every 1,000
// records and once when the whole file is read; fraction_of_file is the part
// of the file's bytes read so far (0..1); it runs on the calling thread. An
// empty file, or one with no records, is refused.
// A record already stored exactly as the file gives it (fields, authors and
// the file's copies) is left untouched and counted as updated.
// REQUIRES: `c` is migrated, its branches are synced (SyncBranches: copies
// name a branch by its code or its name; another refuses the file) and no
// transaction is open on it.
Status ImportCatalog(Connection& c, const std::string& path, ImportFormat format,
                     ImportReport* report, const std::function<void(int, double)>& progress);

// `shiori patron import`: a UTF-8 TSV with a header row naming its columns
// (card, name_kana, phone required; email, branch optional; see
// docs/import-formats.md), each row through UpsertPatron (db/patron.h), all
// in ONE transaction: any bad row (listed in report->problems with its line
// number, the header being line 1) and nothing is changed. ImportReport's
// copies field is unused.
Status ImportPatrons(Connection& c, const std::string& path, ImportReport* report);

}  // namespace shiori::db

#endif  // SHIORI_DB_IMPORT_H_
