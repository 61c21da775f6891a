// The catalogue TSV reader: UTF-8, tab-separated, a header row naming the
// columns, one row per copy, a record's bibliography from the first row of
// its id. The rules are in docs/import-formats.md.
#include <algorithm>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/import_internal.h"

namespace shiori::db::detail {
namespace {

using charset::Trim;

// TSV rule: a reading holds only kana (ー and ・ included), letters and
// digits (ASCII or full-width) and spaces.
bool IsReadingText(std::string_view s) {
  bool ok = true;
  ForEachChar(s, [&](char32_t c) {
    if (!IsKana(c) && !IsLatinOrDigit(c) && !IsSpace(c)) ok = false;
  });
  return ok;
}

constexpr std::string_view kNotAReading =
    "' is not a reading (kana, ー, ・, letters, digits and spaces); left out";

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
  kInLibrary,
  kColumns
};
constexpr std::string_view kColumnNames[kColumns] = {
    "id",          "isbn",      "title",          "title_kana", "volume",      "author",
    "author_kana", "publisher", "publisher_kana", "year",       "ndc",         "lang",
    "subjects",    "notes",     "barcode",        "branch",     "call_number", "in_library"};

bool IsBibliographic(int col) { return col != kId && col < kBarcode; }

// The columns that name a record, a copy or a branch: refused, never
// cleaned, when they hold a control character.
bool IsKey(int col) { return col == kId || col == kBarcode || col == kBranch; }

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
    in_library_column_ = seen[kInLibrary];
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
    // Control characters: an identifying value with one refuses the file,
    // any other value is cleaned (with a warning).
    std::string_view v[kColumns];
    for (size_t i = 0; i < cols_.size(); ++i) {
      const int col = cols_[i];
      v[col] = Trim(fields_[i]);
      if (IsKey(col)) {
        if (std::string r = ControlInKey(kColumnNames[col], v[col]); !r.empty()) {
          imp_.Problem(lineno, std::move(r));
        }
      } else if (charset::HasControl(v[col])) {
        cleaned_[col] = imp_.Clean(lineno, kColumnNames[col], v[col]);
        v[col] = Trim(cleaned_[col]);
      }
    }
    const std::string_view id = v[kId];

    // The copy on this row. Its branch and barcode are checked on every row,
    // a skipped one's too: a file that cannot place its copies is refused.
    std::optional<CopyEntry> copy;
    if (!v[kBarcode].empty()) {
      copy =
          CopyEntry{std::string(v[kBarcode]), std::string(v[kBranch]), std::string(v[kCallNumber])};
      if (in_library_column_) {  // else each copy keeps its flag
        const std::string_view f = v[kInLibrary];
        if (f.empty() || f == "0" || f == "1") {
          copy->in_library = f == "1";
        } else {
          imp_.Warn(lineno, "in_library '" + std::string(f) +
                                "' is not 0 or 1; left out (the copy keeps its setting, a new "
                                "copy is lendable)");
        }
      }
      if (std::string r = imp_.CheckCopy(lineno, *copy); !r.empty()) imp_.Problem(lineno, r);
    } else if (!v[kBranch].empty() || !v[kCallNumber].empty()) {
      imp_.Warn(lineno, "branch or call_number without a barcode; left out");
    } else if (!v[kInLibrary].empty()) {
      imp_.Warn(lineno, "in_library without a barcode; left out");
    }

    // More rows of the record being read: they add their copies, and the
    // first row's bibliography is the record's.
    if (pending_ && id == pending_->id) {
      if (pending_->skipped) return Status::Ok();
      if (pending_->counted) {  // the rows right after the id's first
        std::string differ;
        for (int col = 0; col < kColumns; ++col) {
          if (IsBibliographic(col) && v[col] != pending_->bib[col]) {
            differ += (differ.empty() ? "'" : ", '") + std::string(kColumnNames[col]) + "'";
          }
        }
        if (!differ.empty()) {
          const bool one = differ.find(',') == std::string::npos;
          imp_.Warn(lineno, (one ? "column " : "columns ") + differ +
                                (one ? " differs" : " differ") + " from line " +
                                std::to_string(pending_->line) + " of the same id; line " +
                                std::to_string(pending_->line) + "'s are kept");
        }
      } else if (BibHash(v) != pending_->first_hash) {
        DiffersFromFirst(lineno, pending_->first_line);
      }
      if (copy) pending_->rec.copies.push_back(std::move(*copy));
      return Status::Ok();
    }

    SHIORI_RETURN_IF_ERROR(Flush());
    if (id.empty()) {
      imp_.Read(bytes_);
      imp_.Skip(lineno, "missing id; the row is skipped");
      return Status::Ok();
    }
    auto p = std::make_unique<Pending>();
    p->id = std::string(id);
    p->line = lineno;
    const size_t hash = BibHash(v);
    auto [seen, fresh] = ids_.Add(p->id, IdInfo{lineno, hash, false});
    p->first_line = seen->line;
    p->first_hash = seen->bib_hash;
    if (fresh) {
      for (int col = 0; col < kColumns; ++col) {
        if (IsBibliographic(col)) p->bib[col] = std::string(v[col]);
      }
      imp_.Read(bytes_);
      if (v[kTitle].empty()) {
        imp_.Skip(lineno, "missing title; the record is skipped, with the copies of its rows");
        seen->skipped = true;
        p->skipped = true;
      } else {
        Parse(lineno, v, p->rec);
      }
    } else if (seen->skipped) {
      p->skipped = true;  // its first row had no title
    } else {
      // More rows of an id read earlier: they add copies to the record as
      // its first row gave it.
      p->counted = false;
      if (seen->bib_hash == hash) {
        Parse(0, v, p->rec);  // the first row's values again: warned of there
      } else {
        DiffersFromFirst(lineno, seen->line);
        p->stored = true;
      }
    }
    p->rec.source_id = p->id;
    if (copy && !p->skipped) p->rec.copies.push_back(std::move(*copy));
    pending_ = std::move(p);
    return Status::Ok();
  }

  // The bibliographic columns of a row (with a title) into `r`. A value that
  // breaks its rule is left out, with a warning at `lineno` (none when it is 0).
  void Parse(int lineno, const std::string_view (&v)[kColumns], CatalogRecord& r) {
    auto warn = [&](std::string reason) {
      if (lineno > 0) imp_.Warn(lineno, std::move(reason));
    };
    r.title = std::string(v[kTitle]);
    r.volume = std::string(v[kVolume]);
    r.publisher = std::string(v[kPublisher]);
    r.ndc = std::string(v[kNdc]);
    r.lang = std::string(v[kLang]);
    r.subjects = std::string(v[kSubjects]);
    r.notes = std::string(v[kNotes]);

    for (int col : {kTitleKana, kPublisherKana}) {
      std::string& kana = col == kTitleKana ? r.title_kana : r.publisher_kana;
      if (IsReadingText(v[col])) {
        kana = Katakana(v[col]);
      } else {
        warn(std::string(kColumnNames[col]) + " '" + std::string(v[col]) +
             std::string(kNotAReading));
      }
    }

    if (!v[kYear].empty()) {
      if (v[kYear].size() > 4 || !AllDigits(v[kYear])) {
        warn("year '" + std::string(v[kYear]) + "' is not 1 to 4 digits; left out");
      } else {
        r.year = std::stoi(std::string(v[kYear]));
      }
    }
    if (!v[kIsbn].empty()) {
      if (auto isbn = NormalizeIsbn(v[kIsbn])) {
        r.isbn = *isbn;
      } else {
        warn("ISBN '" + std::string(v[kIsbn]) +
             "' is not valid (10 or 13 digits with a correct check digit); left out");
      }
    }

    // Authors: "夏目漱石 ; 村上春樹（訳）", readings in the same order.
    if (!v[kAuthor].empty()) {
      for (std::string_view name : Split(v[kAuthor], " ; ")) {
        AuthorEntry a;
        name = Trim(name);
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
        r.authors.push_back(std::move(a));
      }
    }
    if (!v[kAuthorKana].empty()) {
      const auto readings = Split(v[kAuthorKana], " ; ");
      if (readings.size() != r.authors.size()) {
        warn("author_kana gives " + std::to_string(readings.size()) +
             (readings.size() == 1 ? " reading for " : " readings for ") +
             std::to_string(r.authors.size()) + (r.authors.size() == 1 ? " author" : " authors") +
             "; the readings are left out");
      } else {
        for (size_t i = 0; i < readings.size(); ++i) {
          if (IsReadingText(readings[i])) {
            r.authors[i].name_kana = Katakana(readings[i]);
          } else {
            warn("author_kana '" + std::string(Trim(readings[i])) + std::string(kNotAReading));
          }
        }
      }
    }
    // An empty name ("夏目漱石 ;  ; 森鴎外") goes, with its reading.
    size_t kept = 0;
    for (size_t i = 0; i < r.authors.size(); ++i) {
      if (r.authors[i].name.empty()) {
        warn("author " + std::to_string(i + 1) + " is empty; left out");
        continue;
      }
      if (kept != i) r.authors[kept] = std::move(r.authors[i]);
      ++kept;
    }
    r.authors.resize(kept);
  }

  struct Pending {
    std::string id;
    int line = 0;
    std::string bib[kColumns];  // the id's first row's bibliographic values (when it is that row)
    int first_line = 0;         // the id's first row
    size_t first_hash = 0;      // and its BibHash
    CatalogRecord rec;
    bool counted = true;   // false: more copies of a record written earlier
    bool skipped = false;  // the record has no title: nothing is written
    bool stored = false;   // only rec.copies count: they go to the record as stored
  };
  struct IdInfo {
    int line;         // the id's first row
    size_t bib_hash;  // of that row's bibliographic columns
    bool skipped;     // that row had no title
  };

  // The bibliographic columns of a row, for telling rows apart.
  static size_t BibHash(const std::string_view (&v)[kColumns]) {
    std::string all;
    for (int col = 0; col < kColumns; ++col) {
      if (!IsBibliographic(col)) continue;
      all += v[col];
      all += '\x1f';
    }
    return std::hash<std::string>()(all);
  }

  void DiffersFromFirst(int lineno, int first) {
    imp_.Warn(lineno, "the bibliographic columns differ from line " + std::to_string(first) +
                          " of the same id; line " + std::to_string(first) + "'s are kept");
  }

  Status Flush() {
    if (!pending_) return Status::Ok();
    // Once a problem is found nothing is written (Importer::Add), so a record
    // with a bad row needs no mark of its own.
    std::unique_ptr<Pending> p = std::move(pending_);
    if (p->skipped) return Status::Ok();
    if (p->stored) {
      if (p->rec.copies.empty()) return Status::Ok();
      return imp_.AddCopies(p->line, p->id, std::move(p->rec.copies));
    }
    return imp_.Add(p->line, p->rec, p->counted);
  }

  Importer& imp_;
  std::istream& in_;
  const std::string& path_;
  uint64_t bytes_ = 0;
  std::vector<int> cols_;  // header position -> Col (-1: unknown)
  bool in_library_column_ = false;
  std::vector<std::string_view> fields_;
  std::string cleaned_[kColumns];  // this row's values cleaned of control characters
  std::unique_ptr<Pending> pending_;
  SeenKeys<IdInfo> ids_;
};

}  // namespace

Status ReadTsv(Importer& imp, std::istream& in, const std::string& path) {
  TsvReader tsv(imp, in, path);
  return tsv.Run();
}

}  // namespace shiori::db::detail
