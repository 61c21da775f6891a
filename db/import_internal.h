// Internal to db/: what the catalogue import's files share. import.cc has
// ImportCatalog, the Importer every reader writes through and the text
// helpers below; import_tsv.cc reads TSV; import_marc.cc reads ISO 2709 and
// MARCXML with YAZ and libxml2 into MarcRecords, which import_marc_map.cc
// maps onto catalogue records. The rules are in docs/import-formats.md.
#ifndef SHIORI_DB_IMPORT_INTERNAL_H_
#define SHIORI_DB_IMPORT_INTERNAL_H_

#include <cstdint>
#include <functional>
#include <istream>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "base/status.h"
#include "charset/charset.h"
#include "db/catalog.h"
#include "db/import.h"
#include "db/sqlite.h"

namespace shiori::db::detail {

// Every id or barcode of a file (1.5M barcodes at 1M records), each with
// where it was first seen, in an arena of its own: only added to, freed at
// once, and not scattered through the heap the upserts allocate from (mixed
// in, they made a 1M import 15 % slower: malloc searching a fragmented heap).
template <typename V>
class SeenKeys {
 public:
  // Adds `key` with `v`; or, when it is there, returns what it was added with.
  std::pair<V*, bool> Add(std::string_view key, V v) {
    auto [it, fresh] = map_.emplace(std::pmr::string(key, &arena_), std::move(v));
    return {&it->second, fresh};
  }

 private:
  std::pmr::monotonic_buffer_resource arena_;
  std::pmr::unordered_map<std::pmr::string, V> map_{&arena_};
};

// ---------------------------------------------------------------- text

// Calls f(code point) for each character of `s`.
template <typename F>
void ForEachChar(std::string_view s, F&& f) {
  for (size_t i = 0; i < s.size();) f(charset::NextCodePoint(s, &i));
}

inline bool IsSpace(char32_t c) { return c == ' ' || c == 0x3000; }

// As written, ー and ・ included.
inline bool IsKana(char32_t c) { return charset::IsHiragana(c) || charset::IsKatakana(c); }

// Letters and digits a reading may hold beside its kana (JAPAN/MARC keeps
// them: SDGsケイザイ, ダイ23カン): ASCII and full-width A-Z, a-z, 0-9.
inline bool IsLatinOrDigit(char32_t c) {
  if (c >= 0xFF10 && c <= 0xFF5A) c -= 0xFF10 - '0';  // full-width to ASCII
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

// A reading as stored: katakana (hiragana converted, half-width widened),
// letters and digits as half-width ASCII in the case given (NFKC), commas
// and runs of spaces made one ASCII space, trimmed.
std::string Katakana(std::string_view s);

// True when `s` is one or more ASCII digits and nothing else.
bool AllDigits(std::string_view s);

// Raw bytes for a message: printable ASCII as is, anything else as \xNN, so
// a problem's reason stays one line of UTF-8.
std::string Escaped(std::string_view bytes);

// Control characters (docs/import-formats.md, "Control characters"): the
// reason that refuses an identifying value -- an id, a barcode, a branch
// code -- holding one, naming `field`; empty when it holds none. Such values
// are never cleaned: the cleaned one could be another record's or copy's.
std::string ControlInKey(std::string_view field, std::string_view value);

// ---------------------------------------------------------------- the import

// State shared by the readers: the transaction, what the file has used so far
// and the report. Records are written as they are read until the first problem
// (which refuses the file); from then on they are only checked, and Finish()
// rolls everything back. A warning (a value left out or cleaned, a record
// skipped) refuses nothing.
class Importer {
 public:
  Importer(Connection& c, ImportReport& report, const std::function<void(int, double)>& progress,
           uint64_t file_size, std::string unit)
      : c_(c), rep_(report), progress_(progress), size_(file_size), unit_(std::move(unit)) {}

  // Opens the transaction and reads the branches copies may name, by code
  // and by name (docs/import-formats.md, "Branches").
  Status Begin();

  // A problem refuses the file. `reason` becomes one line: control
  // characters (a newline in a MARCXML value) turn into spaces.
  void Problem(int where, std::string reason);

  // A value the record is imported without (or with another way of reading
  // it); one line, as Problem's.
  void Warn(int where, std::string reason);

  // A record that cannot stand (no id, no title): left out with a warning and
  // counted as skipped. Call once per record, after Read().
  void Skip(int where, std::string reason);

  bool Failed() const { return !rep_.problems.empty(); }

  // A descriptive value as it is stored: without control characters
  // (charset::WithoutControls: TAB, LF and CR make a space, the others go).
  // When anything was changed, a warning at `where` names `field` and what
  // was removed.
  std::string Clean(int where, std::string_view field, std::string_view value);

  // Checks one copy against the branches and the barcodes already in the
  // file; empty when it is fine. A branch given by its name becomes its code.
  std::string CheckCopy(int where, CopyEntry& k);

  // Writes record `r` (first read at `where`) unless a problem has been found.
  // `counted`: false when this adds copies to a record already counted (TSV
  // rows of one id that are not next to each other). A record stored exactly
  // as the file has it is left alone (it counts as updated): rewriting it
  // would only take it out of the search index and put it back.
  Status Add(int where, const CatalogRecord& r, bool counted);

  // Adds `copies` to the record stored under `source_id` (written earlier from
  // this file), its fields and authors as they are stored: the copies of a
  // row whose bibliography differs from the first row of its id. Nothing is
  // counted but the copies.
  Status AddCopies(int where, const std::string& source_id, std::vector<CopyEntry> copies);

  // A record has been read (accepted or not); `bytes` of the file are behind us.
  void Read(uint64_t bytes);

  // Commits, or refuses the file when a problem was found.
  Status Finish(const std::string& path);

  // A whole catalogue loaded (at least half of the records written now;
  // records the file has as they were stored do not count) leaves the
  // search index in several segments (8 at 1M records); merged into one, the
  // index is 1-2 % smaller and its searches a little faster. The merge runs
  // in steps of its own transactions (FTS5 'merge' of up to 2,000 pages, 8
  // MB, each), so that the server's writes -- a loan at the counter -- wait
  // a step, not the 3.5 s of the whole merge at 1M records. Best effort: the
  // import has landed whatever this does, and an unfinished merge leaves a
  // valid index.
  void MergeIndexAfterALoad();

  // The report and status of a refused file; the transaction rolls back.
  Status Refuse(const std::string& path);

 private:
  // True when `r`'s source id is stored with the same fields, the same authors
  // in the same order, and each of `r`'s copies on it at the same branch and
  // call number (copies the file does not name are never touched anyway).
  // `r.isbn` is already ISBN-13 digits, as the readers make it.
  Result<bool> Unchanged(const CatalogRecord& r);

  // The record stored under `source_id` into `r`: its fields and authors
  // (not its copies). Its id, or 0 when there is none.
  Result<int64_t> Stored(const std::string& source_id, CatalogRecord* r);

  double Fraction(uint64_t bytes) const;

  Connection& c_;
  ImportReport& rep_;
  const std::function<void(int, double)>& progress_;
  uint64_t size_;
  std::string unit_;  // "line" (TSV) or "record" (MARC)
  std::optional<Transaction> tx_;
  int64_t rewritten_ = 0;  // records UpsertRecord wrote (not those left as they were)
  // A branch's code, its name and the name with or without 図書館 or 館 at
  // its end -> the code; "" for a name form that two branches share.
  std::unordered_map<std::string, std::string> branches_;
  SeenKeys<int> barcodes_;  // -> where first seen
};

// ---------------------------------------------------------------- readers

// TSV (import_tsv.cc): the header, then one row per copy, into `imp`.
Status ReadTsv(Importer& imp, std::istream& in, const std::string& path);

struct XmlApi;  // db/marc_libs_internal.h
struct YazApi;

// The loaded libraries, for everything that reads MARC.
struct MarcLibs {
  const XmlApi& xml;
  const YazApi& yaz;
};

// ISO 2709 (import_marc.cc): a record is framed by the five-digit length at
// its start and must end with the record terminator; once the framing breaks
// the rest of the file cannot be found, so reading stops there.
Status ReadIso2709(const MarcLibs& lib, Importer& imp, std::istream& in, const std::string& path);

// MARCXML (import_marc.cc): <record> elements in the MARC21 slim namespace
// (or none), at any depth, read one at a time. XML text is Unicode whatever
// leader 09 says.
Status ReadMarcXml(const MarcLibs& lib, Importer& imp, const std::string& path);

// ---------------------------------------------------------------- MARC records

struct MarcField {
  std::string tag;
  char ind1 = ' ', ind2 = ' ';
  bool control = false;
  std::string data;  // control fields
  std::vector<std::pair<char, std::string>> subfields;

  const std::string* First(char code) const {
    for (const auto& [c, v] : subfields) {
      if (c == code) return &v;
    }
    return nullptr;
  }
  std::string Get(char code) const {
    const std::string* v = First(code);
    return v ? *v : std::string();
  }
  // The subfields with any of `codes`, in order, joined by a space. The ISBD
  // mark ending a subfield left out ("$h [microform] :") is kept between the
  // ones either side of it.
  std::string Join(std::string_view codes) const;
};

struct MarcRecord {
  std::string leader;
  std::vector<MarcField> fields;
};

// Maps one MARC record onto a catalogue record (import_marc_map.cc;
// docs/import-formats.md has the table): problems that refuse the file go to
// `why` (then `r` is not filled), values it is imported without or with
// another way to `warnings`. A record without a title is left with an empty
// r.title, for the caller to skip.
void MapMarc(const MarcRecord& m, int recno, CatalogRecord& r, std::vector<std::string>& why,
             std::vector<std::string>& warnings);

}  // namespace shiori::db::detail

#endif  // SHIORI_DB_IMPORT_INTERNAL_H_
