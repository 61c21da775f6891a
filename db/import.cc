// Catalogue import: TSV, MARC21 (ISO 2709, read by YAZ) and MARCXML (libxml2's
// streaming reader, then YAZ) into records, copies and the search index, in
// one transaction. Every rule is written down in docs/import-formats.md.
// YAZ and libxml2 are reached through the loaders of marc_libs_internal.h,
// opened only when a MARC file is imported.
#include "db/import.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/marc_libs_internal.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

constexpr int kProgressEvery = 1000;

// Every id or barcode of a file (1.5M barcodes at 1M records), each with
// where it was first seen, in an arena of its own: only added to, freed at
// once, and not scattered through the heap the upserts allocate from (mixed
// in, they made a 1M import 15 % slower: malloc searching a fragmented heap).
template <typename V>
class SeenKeys {
 public:
  // Adds `key` with `v`; or, when it is there, returns what it was added with.
  std::pair<const V*, bool> Add(std::string_view key, V v) {
    auto [it, fresh] = map_.emplace(std::pmr::string(key, &arena_), std::move(v));
    return {&it->second, fresh};
  }

 private:
  std::pmr::monotonic_buffer_resource arena_;
  std::pmr::unordered_map<std::pmr::string, V> map_{&arena_};
};

// ---------------------------------------------------------------- C handles

using detail::XmlApi;
using detail::YazApi;

// The loaded libraries, for everything that reads MARC.
struct MarcLibs {
  const XmlApi& xml;
  const YazApi& yaz;
};

// Owners of the YAZ and libxml2 handles; move-only, freed on scope exit
// through the library that made them.
struct YazMarcFree {
  const YazApi* yaz;
  void operator()(yaz_marc_t m) const { yaz->yaz_marc_destroy(m); }
};
using YazMarc = std::unique_ptr<std::remove_pointer_t<yaz_marc_t>, YazMarcFree>;

struct YazIconvClose {
  const YazApi* yaz;
  void operator()(yaz_iconv_t cd) const { yaz->yaz_iconv_close(cd); }
};
using YazIconv = std::unique_ptr<std::remove_pointer_t<yaz_iconv_t>, YazIconvClose>;

struct XmlReaderFree {
  const XmlApi* xml;
  void operator()(xmlTextReaderPtr r) const { xml->xmlFreeTextReader(r); }
};
using XmlReader = std::unique_ptr<xmlTextReader, XmlReaderFree>;

// A node tree with no document (what yaz_marc_write_xml makes).
struct XmlNodeFree {
  const XmlApi* xml;
  void operator()(xmlNodePtr n) const { xml->xmlFreeNode(n); }
};
using XmlNode = std::unique_ptr<xmlNode, XmlNodeFree>;

struct XmlCharFree {
  const XmlApi* xml;
  void operator()(xmlChar* p) const { (*xml->xmlFree)(p); }
};
using XmlString = std::unique_ptr<xmlChar, XmlCharFree>;

// ---------------------------------------------------------------- text

// Calls f(code point) for each character of `s`.
template <typename F>
void ForEachChar(std::string_view s, F&& f) {
  for (size_t i = 0; i < s.size();) f(charset::NextCodePoint(s, &i));
}

bool IsSpace(char32_t c) { return c == ' ' || c == 0x3000; }

using charset::IsHiragana;
using charset::IsKatakana;
using charset::ToUtf8;
using charset::Trim;
bool IsHalfwidthKana(char32_t c) { return c >= 0xFF65 && c <= 0xFF9F; }
bool IsKana(char32_t c) { return charset::IsHiragana(c) || IsKatakana(c); }  // as written, ー and ・ included

// Kanji and kana, for joining "夏目, 漱石" into 夏目漱石.
bool IsCjk(char32_t c) { return IsKana(c) || charset::Classify(c) == charset::CharClass::kCjk; }

// TSV rule: a reading holds only kana (ー and ・ included) and spaces.
bool IsReadingText(std::string_view s) {
  bool ok = true;
  ForEachChar(s, [&](char32_t c) {
    if (!IsKana(c) && !IsSpace(c)) ok = false;
  });
  return ok;
}

// MARC rule: text is a reading when it has kana and no other letters
// (ASCII digits, punctuation and spaces may stand beside them).
bool LooksLikeReading(std::string_view s) {
  bool kana = false, other = false;
  ForEachChar(s, [&](char32_t c) {
    if (IsKana(c)) {
      kana = true;
    } else if (c < 0x80) {
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) other = true;
    } else if (!(IsSpace(c) || c == 0x3001 || c == 0x3002 || c == 0xFF0C)) {
      other = true;
    }
  });
  return kana && !other;
}

bool IsAllKatakana(std::string_view s) {
  bool kata = false, other = false;
  ForEachChar(s, [&](char32_t c) {
    if (IsKatakana(c)) {
      kata = true;
    } else if (IsHiragana(c)) {
      other = true;
    }
  });
  return kata && !other;
}

// A reading as stored: katakana (hiragana converted, half-width widened),
// commas and runs of spaces made one ASCII space, trimmed.
std::string Katakana(std::string_view s) {
  std::u32string in;
  bool halfwidth = false;
  ForEachChar(s, [&](char32_t c) {
    halfwidth = halfwidth || IsHalfwidthKana(c);
    in += c;
  });
  // Half-width kana need NFKC (ｶﾞ is two characters, ガ one); the search
  // folding does it and gives hiragana, which the loop below turns back.
  if (halfwidth) in = charset::FoldForSearch(s);
  std::u32string out;
  bool gap = false;
  for (char32_t c : in) {
    if (IsSpace(c) || c == ',' || c == 0x3001 || c == 0xFF0C) {
      gap = !out.empty();
      continue;
    }
    if (gap) out += ' ';
    gap = false;
    if ((c >= 0x3041 && c <= 0x3096) || c == 0x309D || c == 0x309E) c += 0x60;
    out += c;
  }
  return ToUtf8(out);
}

// "夏目, 漱石" -> "夏目漱石": a comma between two kanji/kana names goes, as
// Japanese names are written without one; "Collins, Jack" is kept.
std::string JoinCjkName(std::string_view s) {
  const std::u32string u = charset::ToUtf32(s);
  std::u32string out;
  for (size_t i = 0; i < u.size(); ++i) {
    if (u[i] == ',' || u[i] == 0x3001 || u[i] == 0xFF0C) {
      size_t j = i + 1;
      while (j < u.size() && IsSpace(u[j])) ++j;
      if (!out.empty() && IsCjk(out.back()) && j < u.size() && IsCjk(u[j])) {
        i = j - 1;
        continue;
      }
    }
    out += u[i];
  }
  return ToUtf8(out);
}

// How TrimIsbd treats a final full stop, which ISBD uses both to end an
// element and inside abbreviations.
enum class Period {
  kDrop,          // titles, subjects: "Internet world." -> "Internet world"
  kKeepInitials,  // names: "Oberst, Bruce." -> "Oberst, Bruce", "Cox, Jerome R." stays
  kKeep,          // publishers: "Keats Pub." stays
};

// MARC's ISBD punctuation (" /", " :", ";", ",", "=", a final "." as `period`
// says) off the end, and spaces off both ends. "..." stays.
std::string TrimIsbd(std::string_view s, Period period = Period::kDrop) {
  s = Trim(s);
  while (!s.empty()) {
    const char c = s.back();
    if (c == '/' || c == ':' || c == ';' || c == ',' || c == '=') {
      s.remove_suffix(1);
    } else if (c == '.' && period != Period::kKeep) {
      if (s.size() >= 3 && s.substr(s.size() - 3) == "...") break;
      if (period == Period::kKeepInitials && s.size() >= 2 && s[s.size() - 2] >= 'A' &&
          s[s.size() - 2] <= 'Z' &&
          (s.size() == 2 || s[s.size() - 3] == ' ' || s[s.size() - 3] == '.')) {
        break;
      }
      s.remove_suffix(1);
    } else {
      break;
    }
    s = Trim(s);
  }
  return std::string(s);
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The first run of exactly four digits: "[c1974]" -> 1974, "2003.6" -> 2003.
int FirstYear(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] < '0' || s[i] > '9') {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
    if (j - i == 4) return std::stoi(std::string(s.substr(i, 4)));
    i = j;
  }
  return 0;
}

std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    const size_t next = s.find(sep, pos);
    if (next == std::string_view::npos) {
      out.push_back(s.substr(pos));
      return out;
    }
    out.push_back(s.substr(pos, next - pos));
    pos = next + sep.size();
  }
}

void Append(std::string& list, std::string_view item, std::string_view sep = " ; ") {
  if (item.empty()) return;
  if (!list.empty()) list += sep;
  list += item;
}

// Relator terms and codes (MARC $e / $4) in the words a Japanese catalogue uses.
std::string Role(std::string_view term, std::string_view code) {
  static const std::pair<std::string_view, std::string_view> kRoles[] = {
      {"author", "著"},      {"aut", "著"}, {"translator", "訳"}, {"trl", "訳"},
      {"illustrator", "絵"}, {"ill", "絵"}, {"editor", "編"},     {"edt", "編"},
  };
  const std::string t = TrimIsbd(term);
  const std::string_view key = t.empty() ? Trim(code) : std::string_view(t);
  for (const auto& [from, to] : kRoles) {
    if (key == from) return std::string(to);
  }
  return std::string(key);
}

// ---------------------------------------------------------------- the import

// State shared by the readers: the transaction, what the file has used so far
// and the report. Records are written as they are read until the first problem;
// from then on they are only checked, and Finish() rolls everything back.
class Importer {
 public:
  Importer(Connection& c, ImportReport& report, const std::function<void(int, double)>& progress,
           uint64_t file_size, std::string unit)
      : c_(c), rep_(report), progress_(progress), size_(file_size), unit_(std::move(unit)) {}

  Status Begin() {
    tx_.emplace(c_);
    SHIORI_RETURN_IF_ERROR(tx_->begun());
    auto s = c_.Prepare("SELECT code FROM branches");
    if (!s.ok()) return s.status();
    while (true) {
      auto row = s->Step();
      if (!row.ok()) return row.status();
      if (!*row) break;
      branches_.insert(s->Text(0));
    }
    return Status::Ok();
  }

  // `reason` becomes one line: control characters (a newline in a MARCXML
  // value) turn into spaces.
  void Problem(int where, std::string reason) {
    for (char& ch : reason) {
      if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
    }
    rep_.problems.push_back({where, std::move(reason)});
  }

  bool Failed() const { return !rep_.problems.empty(); }

  // Checks one copy against the branches and the barcodes already in the file;
  // empty when it is fine.
  std::string CheckCopy(int where, const CopyEntry& k) {
    if (k.branch.empty()) return "barcode '" + k.barcode + "' has no branch";
    if (!branches_.count(k.branch)) return "unknown branch '" + k.branch + "'";
    auto [first, fresh] = barcodes_.Add(k.barcode, where);
    if (!fresh) {
      return "barcode '" + k.barcode + "' already appears on " + unit_ + " " +
             std::to_string(*first);
    }
    return std::string();
  }

  // Writes record `r` (first read at `where`) unless a problem has been found.
  // `counted`: false when this adds copies to a record already counted (TSV
  // rows of one id that are not next to each other). A record stored exactly
  // as the file has it is left alone (it counts as updated): rewriting it
  // would only take it out of the search index and put it back.
  Status Add(int where, const CatalogRecord& r, bool counted) {
    if (Failed()) return Status::Ok();
    auto same = Unchanged(r);
    if (!same.ok()) return same.status();
    if (*same) {
      if (counted) ++rep_.updated;
      rep_.copies += static_cast<int>(r.copies.size());
      return Status::Ok();
    }
    auto u = UpsertRecord(c_, r);
    if (!u.ok()) {
      const Status& s = u.status();
      if (s.code() == Status::Code::kInvalid || s.code() == Status::Code::kConflict) {
        Problem(where, s.message());
        return Status::Ok();
      }
      return s;  // the database failed: stop
    }
    if (counted) ++(*u == Upserted::kInserted ? rep_.inserted : rep_.updated);
    ++rewritten_;
    rep_.copies += static_cast<int>(r.copies.size());
    return Status::Ok();
  }

  // A record has been read (accepted or not); `bytes` of the file are behind us.
  void Read(uint64_t bytes) {
    ++rep_.records;
    if (progress_ && rep_.records % kProgressEvery == 0) progress_(rep_.records, Fraction(bytes));
  }

  Status Finish(const std::string& path) {
    if (progress_) progress_(rep_.records, 1.0);
    if (rep_.records == 0 && !Failed()) Problem(0, "the file holds no records");
    if (Failed()) return Refuse(path);
    Status s = tx_->Commit();
    if (!s.ok()) {
      rep_.inserted = rep_.updated = rep_.copies = 0;
      return s;
    }
    MergeIndexAfterALoad();
    return Status::Ok();
  }

  // A whole catalogue loaded (at least half of the records written now;
  // records the file has as they were stored do not count) leaves the
  // search index in several segments (8 at 1M records); merged into one, the
  // index is 1-2 % smaller and its searches a little faster. The merge runs
  // in steps of its own transactions (FTS5 'merge' of up to 2,000 pages, 8
  // MB, each), so that the server's writes -- a loan at the counter -- wait
  // a step, not the 3.5 s of the whole merge at 1M records. Best effort: the
  // import has landed whatever this does, and an unfinished merge leaves a
  // valid index.
  void MergeIndexAfterALoad() {
    Stmt* m = c_.Cached("SELECT ifnull(max(id), 0) FROM records");
    if (!m || rewritten_ == 0) return;
    auto r = m->Step();
    const int64_t records = r.ok() && *r ? m->Int(0) : 0;
    m->Reset();
    if (2 * rewritten_ < records) return;
    for (int step = 0; step < 100000; ++step) {
      const int64_t before = sqlite3_total_changes64(c_.raw());
      if (!c_.Exec("INSERT INTO records_fts(records_fts, rank) VALUES('merge', -2000)").ok())
        return;
      // (FTS5: fewer than two changes mean there was nothing left to merge.)
      if (sqlite3_total_changes64(c_.raw()) - before < 2) return;
    }
  }

  // The report and status of a refused file; the transaction rolls back.
  Status Refuse(const std::string& path) {
    rep_.inserted = rep_.updated = rep_.copies = 0;
    const ImportProblem& p = rep_.problems.front();
    std::string msg = path + ": refused, " + std::to_string(rep_.problems.size()) +
                      (rep_.problems.size() == 1 ? " problem" : " problems") + "; ";
    if (p.record > 0) msg += unit_ + " " + std::to_string(p.record) + ": ";
    msg += p.reason;
    return Status::Invalid(msg);
  }

 private:
  // True when `r`'s source id is stored with the same fields, the same authors
  // in the same order, and each of `r`'s copies on it at the same branch and
  // call number (copies the file does not name are never touched anyway).
  // `r.isbn` is already ISBN-13 digits, as the readers make it.
  Result<bool> Unchanged(const CatalogRecord& r) {
    Status err;
    Stmt* rec = c_.Cached(
        "SELECT id, title, ifnull(title_kana,''), ifnull(volume,''), ifnull(publisher,''),"
        " ifnull(publisher_kana,''), ifnull(year,0), ifnull(isbn,''), ifnull(ndc,''),"
        " ifnull(lang,''), ifnull(subjects,''), ifnull(notes,'') FROM records WHERE source_id = ?1",
        &err);
    if (!rec) return err;
    rec->Bind(1, r.source_id);
    auto row = rec->Step();
    if (!row.ok()) return row.status();
    if (!*row) return false;
    const int64_t id = rec->Int(0);
    const bool fields = rec->Text(1) == r.title && rec->Text(2) == r.title_kana &&
                        rec->Text(3) == r.volume && rec->Text(4) == r.publisher &&
                        rec->Text(5) == r.publisher_kana && rec->Int(6) == r.year &&
                        rec->Text(7) == r.isbn && rec->Text(8) == r.ndc && rec->Text(9) == r.lang &&
                        rec->Text(10) == r.subjects && rec->Text(11) == r.notes;
    rec->Reset();
    if (!fields) return false;

    Stmt* au = c_.Cached(
        "SELECT name, ifnull(name_kana,''), ifnull(role,'') FROM record_authors"
        " WHERE record_id = ?1 ORDER BY pos",
        &err);
    if (!au) return err;
    au->Bind(1, id);
    size_t n = 0;
    bool same = true;
    while (same) {
      auto more = au->Step();
      if (!more.ok()) return more.status();
      if (!*more) break;
      same = n < r.authors.size() && au->Text(0) == r.authors[n].name &&
             au->Text(1) == r.authors[n].name_kana && au->Text(2) == r.authors[n].role;
      ++n;
    }
    au->Reset();
    if (!same || n != r.authors.size()) return false;

    Stmt* cp = c_.Cached(
        "SELECT record_id = ?2 AND branch = ?3 AND ifnull(call_number,'') = ?4 FROM copies"
        " WHERE barcode = ?1",
        &err);
    if (!cp) return err;
    for (const auto& k : r.copies) {
      cp->Reset();
      cp->Bind(1, k.barcode).Bind(2, id).Bind(3, k.branch).Bind(4, k.call_number);
      auto found = cp->Step();
      if (!found.ok()) return found.status();
      same = *found && cp->Int(0) == 1;
      cp->Reset();
      if (!same) return false;
    }
    return true;
  }

  double Fraction(uint64_t bytes) const {
    if (size_ == 0) return 1.0;
    return std::min(1.0, static_cast<double>(bytes) / static_cast<double>(size_));
  }

  Connection& c_;
  ImportReport& rep_;
  const std::function<void(int, double)>& progress_;
  uint64_t size_;
  std::string unit_;  // "line" (TSV) or "record" (MARC)
  std::optional<Transaction> tx_;
  int64_t rewritten_ = 0;  // records UpsertRecord wrote (not those left as they were)
  std::unordered_set<std::string> branches_;
  SeenKeys<int> barcodes_;  // -> where first seen
};

// ---------------------------------------------------------------- TSV

enum Col {
  kId,
  kIsbn,
  kTitle,
  kTitleKana,
  kVolume,
  kAuthor,
  kAuthorKana,
  kPublisher,
  kPublisherKana,
  kYear,
  kNdc,
  kLang,
  kSubjects,
  kNotes,
  kBarcode,  // from here on: the copy on this row
  kBranch,
  kCallNumber,
  kColumns
};
constexpr std::string_view kColumnNames[kColumns] = {
    "id",          "isbn",      "title",          "title_kana", "volume",     "author",
    "author_kana", "publisher", "publisher_kana", "year",       "ndc",        "lang",
    "subjects",    "notes",     "barcode",        "branch",     "call_number"};

bool IsBibliographic(int col) { return col != kId && col < kBarcode; }

class TsvReader {
 public:
  TsvReader(Importer& imp, std::istream& in, const std::string& path)
      : imp_(imp), in_(in), path_(path) {}

  Status Run() {
    std::string line;
    if (!std::getline(in_, line)) {
      imp_.Problem(0, "the file is empty");
      return Status::Ok();
    }
    bytes_ += line.size() + 1;
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);  // a BOM, as Excel writes
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!Header(line)) return Status::Ok();  // the file is refused

    int lineno = 1;
    while (std::getline(in_, line)) {
      ++lineno;
      bytes_ += line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.empty()) continue;
      SHIORI_RETURN_IF_ERROR(Row(lineno, line));
    }
    if (in_.bad()) return Status::Io(path_ + ": read error");
    return Flush();
  }

 private:
  // The header: names the columns. False (with problems) when it is unusable.
  bool Header(const std::string& line) {
    if (!charset::IsValidUtf8(line)) {
      imp_.Problem(1, "the header is not valid UTF-8");
      return false;
    }
    bool ok = true;
    std::vector<bool> seen(kColumns, false);
    for (std::string_view name : Split(line, "\t")) {
      name = Trim(name);
      const auto* it = std::find(std::begin(kColumnNames), std::end(kColumnNames), name);
      if (it == std::end(kColumnNames)) {
        imp_.Problem(1, "unknown column '" + std::string(name) + "' in the header");
        ok = false;
        cols_.push_back(-1);
        continue;
      }
      const int col = static_cast<int>(it - std::begin(kColumnNames));
      if (seen[col]) {
        imp_.Problem(1, "column '" + std::string(name) + "' appears twice in the header");
        ok = false;
      }
      seen[col] = true;
      cols_.push_back(col);
    }
    for (int required : {kId, kTitle}) {
      if (!seen[required]) {
        imp_.Problem(1, "the header has no '" + std::string(kColumnNames[required]) + "' column");
        ok = false;
      }
    }
    return ok;
  }

  Status Row(int lineno, const std::string& line) {
    if (!charset::IsValidUtf8(line)) {
      imp_.Problem(lineno, "not valid UTF-8");
      return Status::Ok();
    }
    fields_ = Split(line, "\t");
    if (fields_.size() != cols_.size()) {
      imp_.Problem(lineno, std::to_string(fields_.size()) + " columns; the header has " +
                               std::to_string(cols_.size()));
      return Status::Ok();
    }
    std::string_view v[kColumns];
    for (size_t i = 0; i < cols_.size(); ++i) v[cols_[i]] = Trim(fields_[i]);

    std::vector<std::string> why;
    const std::string_view id = v[kId];
    if (id.empty()) why.push_back("missing id");

    // The copy on this row.
    std::optional<CopyEntry> copy;
    if (!v[kBarcode].empty()) {
      copy =
          CopyEntry{std::string(v[kBarcode]), std::string(v[kBranch]), std::string(v[kCallNumber])};
      if (std::string r = imp_.CheckCopy(lineno, *copy); !r.empty()) why.push_back(r);
    } else if (!v[kBranch].empty() || !v[kCallNumber].empty()) {
      why.push_back("branch or call_number without a barcode");
    }

    // Rows of the record being read must agree with its first row.
    if (pending_ && id == pending_->id) {
      for (int col = 0; col < kColumns; ++col) {
        if (IsBibliographic(col) && v[col] != pending_->bib[col]) {
          why.push_back("column '" + std::string(kColumnNames[col]) + "' differs from line " +
                        std::to_string(pending_->line) + " of the same id");
        }
      }
      if (copy && why.empty()) pending_->rec.copies.push_back(std::move(*copy));
      Report(lineno, why);
      return Status::Ok();
    }

    SHIORI_RETURN_IF_ERROR(Flush());
    if (id.empty()) {
      Report(lineno, why);
      return Status::Ok();
    }
    auto p = std::make_unique<Pending>();
    p->id = std::string(id);
    p->line = lineno;
    for (int col = 0; col < kColumns; ++col) {
      if (IsBibliographic(col)) p->bib[col] = std::string(v[col]);
    }
    const size_t hash = BibHash(*p);
    auto [seen, fresh] = ids_.Add(p->id, IdInfo{lineno, hash});
    if (fresh) {
      imp_.Read(bytes_);
    } else {
      // More rows of an id read earlier: they add copies and must agree.
      p->counted = false;
      if (seen->bib_hash != hash) {
        why.push_back("the bibliographic columns differ from line " + std::to_string(seen->line) +
                      " of the same id");
      }
    }
    Parse(v, why, p->rec);
    p->rec.source_id = p->id;
    if (copy && why.empty()) p->rec.copies.push_back(std::move(*copy));
    Report(lineno, why);
    pending_ = std::move(p);
    return Status::Ok();
  }

  // The bibliographic columns of a row into `r`, with a reason per bad value.
  static void Parse(const std::string_view (&v)[kColumns], std::vector<std::string>& why,
                    CatalogRecord& r) {
    r.title = std::string(v[kTitle]);
    if (r.title.empty()) why.push_back("missing title");
    r.volume = std::string(v[kVolume]);
    r.publisher = std::string(v[kPublisher]);
    r.ndc = std::string(v[kNdc]);
    r.lang = std::string(v[kLang]);
    r.subjects = std::string(v[kSubjects]);
    r.notes = std::string(v[kNotes]);

    for (int col : {kTitleKana, kPublisherKana}) {
      if (!IsReadingText(v[col])) {
        why.push_back(std::string(kColumnNames[col]) + " '" + std::string(v[col]) +
                      "' is not a reading: only kana, ー, ・ and spaces");
      }
    }
    r.title_kana = Katakana(v[kTitleKana]);
    r.publisher_kana = Katakana(v[kPublisherKana]);

    if (!v[kYear].empty()) {
      if (v[kYear].size() > 4 || !AllDigits(v[kYear])) {
        why.push_back("year '" + std::string(v[kYear]) + "' is not 1 to 4 digits");
      } else {
        r.year = std::stoi(std::string(v[kYear]));
      }
    }
    if (!v[kIsbn].empty()) {
      if (auto isbn = NormalizeIsbn(v[kIsbn])) {
        r.isbn = *isbn;
      } else {
        why.push_back("ISBN '" + std::string(v[kIsbn]) +
                      "' is not valid (10 or 13 digits with a correct check digit)");
      }
    }

    // Authors: "夏目漱石 ; 村上春樹（訳）", readings in the same order.
    if (!v[kAuthor].empty()) {
      const auto names = Split(v[kAuthor], " ; ");
      for (size_t i = 0; i < names.size(); ++i) {
        AuthorEntry a;
        std::string_view name = Trim(names[i]);
        constexpr std::string_view kOpen = "（", kClose = "）";
        if (name.size() > kClose.size() && name.substr(name.size() - kClose.size()) == kClose) {
          const size_t open = name.rfind(kOpen);
          if (open != std::string_view::npos && open > 0) {
            const size_t from = open + kOpen.size();
            a.role = std::string(Trim(name.substr(from, name.size() - kClose.size() - from)));
            name = Trim(name.substr(0, open));
          }
        }
        a.name = std::string(name);
        if (a.name.empty()) why.push_back("author " + std::to_string(i + 1) + " is empty");
        r.authors.push_back(std::move(a));
      }
    }
    if (!v[kAuthorKana].empty()) {
      const auto readings = Split(v[kAuthorKana], " ; ");
      if (readings.size() != r.authors.size()) {
        why.push_back("author_kana gives " + std::to_string(readings.size()) +
                      (readings.size() == 1 ? " reading for " : " readings for ") +
                      std::to_string(r.authors.size()) +
                      (r.authors.size() == 1 ? " author" : " authors"));
      }
      for (size_t i = 0; i < readings.size(); ++i) {
        if (!IsReadingText(readings[i])) {
          why.push_back("author_kana '" + std::string(Trim(readings[i])) +
                        "' is not a reading: only kana, ー, ・ and spaces");
        } else if (i < r.authors.size()) {
          r.authors[i].name_kana = Katakana(readings[i]);
        }
      }
    }
  }

  struct Pending {
    std::string id;
    int line = 0;
    std::string bib[kColumns];  // the first row's bibliographic values
    CatalogRecord rec;
    bool counted = true;  // false: more copies of a record written earlier
  };
  struct IdInfo {
    int line;
    size_t bib_hash;
  };

  static size_t BibHash(const Pending& p) {
    std::string all;
    for (int col = 0; col < kColumns; ++col) {
      if (!IsBibliographic(col)) continue;
      all += p.bib[col];
      all += '\x1f';
    }
    return std::hash<std::string>()(all);
  }

  void Report(int lineno, std::vector<std::string>& why) {
    for (auto& w : why) imp_.Problem(lineno, std::move(w));
  }

  Status Flush() {
    if (!pending_) return Status::Ok();
    // Once a problem is found nothing is written (Importer::Add), so a record
    // with a bad row needs no mark of its own.
    std::unique_ptr<Pending> p = std::move(pending_);
    return imp_.Add(p->line, p->rec, p->counted);
  }

  Importer& imp_;
  std::istream& in_;
  const std::string& path_;
  uint64_t bytes_ = 0;
  std::vector<int> cols_;  // header position -> Col (-1: unknown)
  std::vector<std::string_view> fields_;
  std::unique_ptr<Pending> pending_;
  SeenKeys<IdInfo> ids_;
};

// ---------------------------------------------------------------- MARC

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
  std::string Join(std::string_view codes) const {
    std::string out;
    char mark = 0;
    for (const auto& [c, v] : subfields) {
      const std::string_view t = Trim(v);
      if (codes.find(c) == std::string_view::npos) {
        if (!t.empty() && (t.back() == ':' || t.back() == ';' || t.back() == '=')) mark = t.back();
        continue;
      }
      if (t.empty()) continue;
      if (mark && !out.empty() && out.back() != ':' && out.back() != ';' && out.back() != '=') {
        out += ' ';
        out += mark;
      }
      mark = 0;
      Append(out, t, " ");
    }
    return out;
  }
};

struct MarcRecord {
  std::string leader;
  std::vector<MarcField> fields;
};

std::string NodeText(const xmlNode* n) {
  std::string s;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
      s += reinterpret_cast<const char*>(c->content);
    }
  }
  return s;
}

std::string Attr(const XmlApi& xml, const xmlNode* n, const char* name) {
  XmlString v(xml.xmlGetProp(n, reinterpret_cast<const xmlChar*>(name)), XmlCharFree{&xml});
  return v ? std::string(reinterpret_cast<const char*>(v.get())) : std::string();
}

bool NameIs(const xmlNode* n, const char* name) {
  return n->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(n->name), name) == 0;
}

// The record YAZ holds, as fields, through its libxml2 writer (which applies
// the handle's character conversion). False when YAZ has no record.
bool TakeRecord(const MarcLibs& lib, yaz_marc_t mt, MarcRecord* out) {
  xmlNode* raw = nullptr;
  if (lib.yaz.yaz_marc_write_xml(mt, &raw, "http://www.loc.gov/MARC21/slim", nullptr, nullptr) !=
      0) {
    return false;
  }
  XmlNode root(raw, XmlNodeFree{&lib.xml});
  out->leader.clear();
  out->fields.clear();
  for (const xmlNode* n = root->children; n; n = n->next) {
    if (NameIs(n, "leader")) {
      out->leader = NodeText(n);
    } else if (NameIs(n, "controlfield")) {
      MarcField f;
      f.tag = Attr(lib.xml, n, "tag");
      f.control = true;
      f.data = NodeText(n);
      out->fields.push_back(std::move(f));
    } else if (NameIs(n, "datafield")) {
      MarcField f;
      f.tag = Attr(lib.xml, n, "tag");
      const std::string i1 = Attr(lib.xml, n, "ind1"), i2 = Attr(lib.xml, n, "ind2");
      if (!i1.empty()) f.ind1 = i1[0];
      if (!i2.empty()) f.ind2 = i2[0];
      for (const xmlNode* s = n->children; s; s = s->next) {
        if (!NameIs(s, "subfield")) continue;
        const std::string code = Attr(lib.xml, s, "code");
        f.subfields.emplace_back(code.empty() ? ' ' : code[0], NodeText(s));
      }
      out->fields.push_back(std::move(f));
    }
  }
  return true;
}

// "880-01" (in a field) or "245-01/$1" (in its 880): the tag and occurrence.
bool ParseLink(std::string_view s, std::string* tag, std::string* occ) {
  if (s.size() < 6 || s[3] != '-' || !AllDigits(s.substr(0, 3)) || !AllDigits(s.substr(4, 2))) {
    return false;
  }
  *tag = std::string(s.substr(0, 3));
  *occ = std::string(s.substr(4, 2));
  return true;
}

// Which of a field and its 880 holds the script and which the reading.
struct Forms {
  const MarcField* script;
  const MarcField* reading;  // null: none
};
Forms Decide(const MarcField* field, const MarcField* alt, std::string_view codes) {
  if (!alt) return {field, nullptr};
  const std::string f = field->Join(codes), a = alt->Join(codes);
  const bool fr = LooksLikeReading(f), ar = LooksLikeReading(a);
  if (fr && !ar) return {alt, field};
  if (!fr && ar) return {field, alt};
  if (fr && ar) {
    // Both in kana (a title written in kana): the katakana one is the reading.
    if (IsAllKatakana(f) && !IsAllKatakana(a)) return {alt, field};
    return {field, alt};
  }
  return {field, nullptr};  // e.g. a romanisation: not a reading
}

std::string ReadingOf(const MarcField* f, std::string_view codes) {
  return f ? Katakana(TrimIsbd(f->Join(codes))) : std::string();
}

// Maps one MARC record onto a catalogue record (docs/import-formats.md has
// the table); problems that reject it go to `why`.
void MapMarc(const MarcRecord& m, int recno, CatalogRecord& r, std::vector<std::string>& why) {
  for (const auto& f : m.fields) {
    bool ok = charset::IsValidUtf8(f.data);
    for (const auto& s : f.subfields) ok = ok && charset::IsValidUtf8(s.second);
    if (!ok) why.push_back("field " + f.tag + " is not valid UTF-8");
  }
  if (!why.empty()) return;

  // 880s, by the field each gives another form of.
  std::unordered_map<std::string, const MarcField*> linked;  // "245-01" -> its 880
  for (const auto& f : m.fields) {
    std::string tag, occ;
    if (f.tag == "880" && ParseLink(f.Get('6'), &tag, &occ)) linked.emplace(tag + "-" + occ, &f);
  }
  std::unordered_set<const MarcField*> used;
  auto alt_of = [&](const MarcField& f) -> const MarcField* {
    std::string tag, occ;
    if (ParseLink(f.Get('6'), &tag, &occ) && tag == "880" && occ != "00") {
      auto it = linked.find(f.tag + "-" + occ);
      if (it != linked.end()) {
        used.insert(it->second);
        return it->second;
      }
      return nullptr;
    }
    // An unlinked 880 ("245-00") belongs to the first field of its tag.
    auto it = linked.find(f.tag + "-00");
    if (it != linked.end() && !used.count(it->second)) {
      used.insert(it->second);
      return it->second;
    }
    return nullptr;
  };
  auto first = [&](std::string_view tag) -> const MarcField* {
    for (const auto& f : m.fields) {
      if (f.tag == tag) return &f;
    }
    return nullptr;
  };

  // 001: the source id.
  for (const auto& f : m.fields) {
    if (f.tag == "001" && f.control) r.source_id = std::string(Trim(f.data));
  }
  if (r.source_id.empty()) r.source_id = "marc-" + std::to_string(recno);
  if (const MarcField* f008 = first("008"); f008 && f008->control && f008->data.size() >= 38) {
    const std::string lang = f008->data.substr(35, 3);
    if (std::all_of(lang.begin(), lang.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
      r.lang = lang;
    }
  }

  // 245: title and volume; the reading from its 880 or a 246.
  if (const MarcField* t = first("245")) {
    const Forms forms = Decide(t, alt_of(*t), "ab");
    r.title = TrimIsbd(forms.script->Join("ab"));
    r.volume = TrimIsbd(forms.script->Join("np"));
    if (r.volume.empty()) r.volume = TrimIsbd(t->Join("np"));
    r.title_kana = ReadingOf(forms.reading, "ab");
  }
  if (r.title.empty()) why.push_back("no title (245 $a)");
  if (r.title_kana.empty()) {
    for (const auto& f : m.fields) {
      if (f.tag != "246") continue;
      const std::string a = TrimIsbd(f.Get('a'));
      if (LooksLikeReading(a)) {
        r.title_kana = Katakana(a);
        break;
      }
    }
  }

  // 100 and 700: authors, each with the reading from its 880.
  for (const auto& f : m.fields) {
    if (f.tag != "100" && f.tag != "700") continue;
    const Forms forms = Decide(&f, alt_of(f), "a");
    AuthorEntry a;
    a.name = JoinCjkName(TrimIsbd(forms.script->Get('a'), Period::kKeepInitials));
    if (a.name.empty()) continue;
    a.name_kana = ReadingOf(forms.reading, "a");
    a.role = Role(f.Get('e'), f.Get('4'));
    r.authors.push_back(std::move(a));
  }

  // 260, else 264 (publication, second indicator 1, first): publisher and year.
  const MarcField* pub = first("260");
  for (const auto& f : m.fields) {
    if (!pub && f.tag == "264" && f.ind2 == '1') pub = &f;
  }
  if (!pub) pub = first("264");
  if (pub) {
    const Forms forms = Decide(pub, alt_of(*pub), "b");
    r.publisher = TrimIsbd(forms.script->Get('b'), Period::kKeep);
    r.publisher_kana = ReadingOf(forms.reading, "b");
    r.year = FirstYear(forms.script->Get('c'));
    if (!r.year) r.year = FirstYear(pub->Get('c'));
  }
  if (!r.year) {
    if (const MarcField* f008 = first("008");
        f008 && f008->control && f008->data.size() >= 11 && AllDigits(f008->data.substr(7, 4))) {
      r.year = std::stoi(f008->data.substr(7, 4));
    }
  }

  std::string bad_isbns;
  std::vector<std::string> subjects;
  for (const auto& f : m.fields) {
    if (f.tag == "020") {
      // "0879832355 (pbk.) :" -> the leading digits, X and hyphens.
      const std::string raw = f.Get('a');
      const std::string_view a = Trim(raw);
      if (a.empty()) continue;
      size_t n = 0;
      while (n < a.size() && (std::isdigit(static_cast<unsigned char>(a[n])) || a[n] == '-' ||
                              a[n] == 'X' || a[n] == 'x')) {
        ++n;
      }
      const auto isbn = NormalizeIsbn(a.substr(0, n));
      if (!isbn) {
        Append(bad_isbns, "invalid ISBN: " + TrimIsbd(a));
      } else if (r.isbn.empty()) {
        r.isbn = *isbn;
      }
    } else if (f.tag == "084" && r.ndc.empty()) {
      std::string scheme = f.Get('2');
      std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (scheme.rfind("njb", 0) == 0 || scheme.rfind("ndc", 0) == 0) {
        r.ndc = std::string(Trim(f.Get('a')));
      }
    } else if (f.tag == "650" || f.tag == "651") {
      std::string s = TrimIsbd(f.Get('a'));
      if (!s.empty() && std::find(subjects.begin(), subjects.end(), s) == subjects.end()) {
        Append(r.subjects, s);
        subjects.push_back(std::move(s));
      }
    } else if (f.tag == "500") {
      Append(r.notes, Trim(f.Get('a')));
    } else if (f.tag == "852" || f.tag == "949") {
      CopyEntry k;
      k.barcode = std::string(Trim(f.Get('p')));
      if (k.barcode.empty()) continue;  // a holdings statement without an item
      k.branch = std::string(Trim(f.Get('b')));
      k.call_number = f.Join("hi");
      r.copies.push_back(std::move(k));
    }
  }
  Append(r.notes, bad_isbns);
}

class MarcReader {
 public:
  MarcReader(Importer& imp, const MarcLibs& lib)
      : imp_(imp), lib_(lib), mt_(lib.yaz.yaz_marc_create(), YazMarcFree{&lib.yaz}) {}

  // One record read by YAZ into `mt_`, number `recno`; `bytes` read so far.
  Status Take(int recno, uint64_t bytes) {
    imp_.Read(bytes);
    MarcRecord m;
    if (!TakeRecord(lib_, mt_.get(), &m)) {
      imp_.Problem(recno, "YAZ cannot read the record");
      return Status::Ok();
    }
    CatalogRecord r;
    std::vector<std::string> why;
    MapMarc(m, recno, r, why);
    if (why.empty()) {
      auto [first, fresh] = source_ids_.Add(r.source_id, recno);
      if (!fresh) {
        why.push_back("001 '" + r.source_id + "' is also the id of record " +
                      std::to_string(*first));
      }
    }
    for (const auto& k : r.copies) {
      if (std::string w = imp_.CheckCopy(recno, k); !w.empty()) why.push_back(w);
    }
    for (auto& w : why) imp_.Problem(recno, std::move(w));
    if (!why.empty()) return Status::Ok();
    return imp_.Add(recno, r, true);
  }

  yaz_marc_t marc() { return mt_.get(); }

 private:
  Importer& imp_;
  const MarcLibs& lib_;
  YazMarc mt_;
  SeenKeys<int> source_ids_;
};

// Raw bytes for a message: printable ASCII as is, anything else as \xNN.
std::string Escaped(std::string_view bytes) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    if (b >= 0x20 && b < 0x7F) {
      out += ch;
    } else {
      out += "\\x";
      out += kHex[b >> 4];
      out += kHex[b & 0xF];
    }
  }
  return out;
}

bool IsFiller(int c) { return c == 0x1D || c == 0 || c == '\r' || c == '\n' || c == ' '; }

// ISO 2709: a record is framed by the five-digit length at its start and
// must end with the record terminator; once the framing breaks the rest of
// the file cannot be found, so reading stops there.
Status ReadIso2709(const MarcLibs& lib, Importer& imp, std::istream& in, const std::string& path) {
  MarcReader reader(imp, lib);
  // "MARC8s": MARC-8 to precomposed UTF-8 (é, not e + U+0301).
  YazIconv marc8(lib.yaz.yaz_iconv_open("UTF-8", "MARC8s"), YazIconvClose{&lib.yaz});
  if (!marc8) return Status::Io("YAZ has no MARC-8 converter");
  uint64_t offset = 0;
  int recno = 0;
  std::string buf;
  while (true) {
    while (in.peek() != std::char_traits<char>::eof() && IsFiller(in.peek())) {
      in.get();
      ++offset;
    }
    if (in.peek() == std::char_traits<char>::eof()) break;
    ++recno;
    char len5[5];
    in.read(len5, 5);
    const auto got = static_cast<size_t>(in.gcount());
    const std::string_view len_text(len5, got);
    if (got < 5 || !AllDigits(len_text)) {
      imp.Problem(recno, "bad leader at byte " + std::to_string(offset) + ": the record length '" +
                             Escaped(len_text) +
                             "' is not five digits; the rest of the file "
                             "is not read");
      break;
    }
    const size_t len = static_cast<size_t>(std::stoul(std::string(len_text)));
    if (len < 25) {
      imp.Problem(recno, "bad leader at byte " + std::to_string(offset) + ": record length " +
                             std::to_string(len) + " is shorter than a leader");
      break;
    }
    // YAZ may look a few bytes past a field's end while telling control
    // fields from data fields: the padding keeps that inside the buffer.
    buf.assign(len + 16, '\0');
    std::memcpy(buf.data(), len5, 5);
    in.read(buf.data() + 5, static_cast<std::streamsize>(len - 5));
    const auto rest = static_cast<size_t>(in.gcount());
    if (rest < len - 5) {
      imp.Problem(recno, "the file ends inside the record: its leader gives " +
                             std::to_string(len) + " bytes, " + std::to_string(rest + 5) +
                             " remain (truncated file?)");
      break;
    }
    offset += len;
    if (buf[len - 1] != 0x1D) {
      imp.Problem(recno, "bad leader: the record length " + std::to_string(len) +
                             " does not end at a record terminator (0x1D); the rest of the "
                             "file is not read");
      break;
    }
    const std::string_view base_text(buf.data() + 12, 5);
    const size_t base = AllDigits(base_text) ? std::stoul(std::string(base_text)) : 0;
    if (base <= 24 || base >= len || buf[base - 1] != 0x1E) {
      imp.Read(offset);
      imp.Problem(recno, "bad leader: base address '" + Escaped(base_text) +
                             "' is not the end of the directory");
      continue;
    }
    if (lib.yaz.yaz_marc_read_iso2709(reader.marc(), buf.data(), static_cast<int>(len)) <= 0) {
      imp.Read(offset);
      imp.Problem(recno, "YAZ cannot read the record");
      continue;
    }
    // Leader 09: 'a' is UTF-8 (checked later); anything else is MARC-8.
    lib.yaz.yaz_marc_iconv(reader.marc(), buf[9] == 'a' ? nullptr : marc8.get());
    SHIORI_RETURN_IF_ERROR(reader.Take(recno, offset));
  }
  if (in.bad()) return Status::Io(path + ": read error");
  return Status::Ok();
}

// libxml2's first complaint about the file, kept for the report (not
// printed), with the number of the record being read when it came.
struct XmlErrors {
  const XmlApi* xml;
  const int* recno;  // records read so far
  std::string first;
  int at_record = 0;
  static void Collect(void* arg, const char* msg, xmlParserSeverities severity,
                      xmlTextReaderLocatorPtr where) {
    auto* self = static_cast<XmlErrors*>(arg);
    if (severity == XML_PARSER_SEVERITY_WARNING ||
        severity == XML_PARSER_SEVERITY_VALIDITY_WARNING || !self->first.empty()) {
      return;
    }
    std::string m = msg ? msg : "error";
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
    self->first =
        "line " + std::to_string(self->xml->xmlTextReaderLocatorLineNumber(where)) + ": " + m;
    self->at_record = *self->recno + 1;
  }
};

bool IsMarcNamespace(const xmlChar* ns) {
  if (!ns) return true;
  const char* s = reinterpret_cast<const char*>(ns);
  return std::strcmp(s, "http://www.loc.gov/MARC21/slim") == 0 ||
         std::strcmp(s, "info:lc/xmlns/marcxchange-v1") == 0;
}

// Why YAZ would refuse a MARCXML record; empty when it looks right.
std::string XmlRecordFault(const xmlNode* record) {
  const xmlNode* n = record->children;
  while (n && n->type != XML_ELEMENT_NODE) n = n->next;
  if (!n || !NameIs(n, "leader")) return "the record does not start with a leader";
  const std::string leader = NodeText(n);
  if (leader.size() != 24) {
    return "the leader has " + std::to_string(leader.size()) + " characters, not 24";
  }
  return std::string();
}

// MARCXML: <record> elements in the MARC21 slim namespace (or none), at any
// depth, read one at a time. XML text is Unicode whatever leader 09 says.
Status ReadMarcXml(const MarcLibs& lib, Importer& imp, const std::string& path) {
  const XmlApi& xml = lib.xml;
  XmlReader r(xml.xmlReaderForFile(path.c_str(), nullptr, XML_PARSE_NONET), XmlReaderFree{&xml});
  if (!r) return Status::Io(path + ": libxml2 cannot open the file");
  MarcReader reader(imp, lib);
  int recno = 0;
  XmlErrors errors{&xml, &recno};
  xml.xmlTextReaderSetErrorHandler(r.get(), &XmlErrors::Collect, &errors);
  int ret = xml.xmlTextReaderRead(r.get());
  while (ret == 1) {
    if (xml.xmlTextReaderNodeType(r.get()) == XML_READER_TYPE_ELEMENT &&
        std::strcmp(reinterpret_cast<const char*>(xml.xmlTextReaderConstLocalName(r.get())),
                    "record") == 0 &&
        IsMarcNamespace(xml.xmlTextReaderConstNamespaceUri(r.get()))) {
      xmlNodePtr n = xml.xmlTextReaderExpand(r.get());
      if (!n) {
        ret = -1;
        break;
      }
      ++recno;
      const uint64_t bytes =
          static_cast<uint64_t>(std::max(0L, xml.xmlTextReaderByteConsumed(r.get())));
      if (std::string fault = XmlRecordFault(n); !fault.empty()) {
        imp.Read(bytes);
        imp.Problem(recno, fault);
      } else if (lib.yaz.yaz_marc_read_xml(reader.marc(), n) != 0) {
        imp.Read(bytes);
        imp.Problem(recno, "not a MARCXML record (controlfield and datafield elements expected)");
      } else {
        lib.yaz.yaz_marc_iconv(reader.marc(), nullptr);
        SHIORI_RETURN_IF_ERROR(reader.Take(recno, bytes));
      }
      ret = xml.xmlTextReaderNext(r.get());
      continue;
    }
    ret = xml.xmlTextReaderRead(r.get());
  }
  if (ret < 0 || !errors.first.empty()) {
    imp.Problem(errors.first.empty() ? recno + 1 : errors.at_record,
                "not well-formed XML (" +
                    (errors.first.empty() ? std::string("parse error") : errors.first) + ")" +
                    (ret < 0 ? "; the rest of the file is not read" : ""));
  }
  return Status::Ok();
}

// kAuto: what the first bytes say.
ImportFormat Sniff(std::istream& in) {
  char head[64] = {};
  in.read(head, sizeof head);
  const size_t n = static_cast<size_t>(in.gcount());
  in.clear();
  in.seekg(0);
  std::string_view s(head, n);
  if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.remove_prefix(3);
  if (s.size() >= 5 && AllDigits(s.substr(0, 5))) return ImportFormat::kMarc21;
  const size_t text = s.find_first_not_of(" \t\r\n");
  if (text != std::string_view::npos && s[text] == '<') return ImportFormat::kMarcXml;
  return ImportFormat::kTsv;
}

}  // namespace

Status ImportCatalog(Connection& c, const std::string& path, ImportFormat format,
                     ImportReport* report, const std::function<void(int, double)>& progress) {
  ImportReport local;
  ImportReport& rep = report ? *report : local;
  rep = ImportReport{};

  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory)
      return Status::NotFound(path + ": no such file");
    return Status::Io(path + ": " + ec.message());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Io(path + ": " + std::strerror(errno));
  if (format == ImportFormat::kAuto) format = Sniff(in);

  Importer imp(c, rep, progress, size, format == ImportFormat::kTsv ? "line" : "record");
  if (size == 0) {
    imp.Problem(0, "the file is empty");
    return imp.Refuse(path);
  }
  // MARC is read with YAZ and libxml2, opened here, before the transaction:
  // when one cannot be loaded the import stops with nothing written.
  const XmlApi* xml = nullptr;
  const YazApi* yaz = nullptr;
  if (format != ImportFormat::kTsv) {
    auto x = detail::LoadXml();
    if (!x.ok()) return x.status();
    auto y = detail::LoadYaz();
    if (!y.ok()) return y.status();
    xml = *x;
    yaz = *y;
  }
  SHIORI_RETURN_IF_ERROR(imp.Begin());
  Status s;
  switch (format) {
    case ImportFormat::kTsv: {
      TsvReader tsv(imp, in, path);
      s = tsv.Run();
      break;
    }
    case ImportFormat::kMarc21:
      s = ReadIso2709(MarcLibs{*xml, *yaz}, imp, in, path);
      break;
    case ImportFormat::kMarcXml:
    case ImportFormat::kAuto:
      in.close();
      s = ReadMarcXml(MarcLibs{*xml, *yaz}, imp, path);
      break;
  }
  if (!s.ok()) {  // the transaction rolls back
    rep.inserted = rep.updated = rep.copies = 0;
    return s;
  }
  return imp.Finish(path);
}

}  // namespace shiori::db
