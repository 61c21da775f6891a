// The catalogue TSV reader: UTF-8, tab-separated, a header row naming the
// columns, one row per copy, the rows of one record agreeing with each
// other. The rules are in docs/import-formats.md.
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
    "' is not a reading (kana, ー, ・, letters, digits and spaces)";

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
    // Control characters: an identifying value with one is refused, any
    // other value is cleaned (with a warning).
    std::vector<std::string> why;
    std::string_view v[kColumns];
    for (size_t i = 0; i < cols_.size(); ++i) {
      const int col = cols_[i];
      v[col] = Trim(fields_[i]);
      if (IsKey(col)) {
        if (std::string r = ControlInKey(kColumnNames[col], v[col]); !r.empty()) {
          why.push_back(std::move(r));
        }
      } else if (charset::HasControl(v[col])) {
        cleaned_[col] = imp_.Clean(lineno, kColumnNames[col], v[col]);
        v[col] = Trim(cleaned_[col]);
      }
    }
    const std::string_view id = v[kId];
    if (id.empty()) why.push_back("missing id");

    // The copy on this row.
    std::optional<CopyEntry> copy;
    if (!v[kBarcode].empty()) {
      copy =
          CopyEntry{std::string(v[kBarcode]), std::string(v[kBranch]), std::string(v[kCallNumber])};
      if (in_library_column_) {  // else each copy keeps its flag
        const std::string_view f = v[kInLibrary];
        if (f.empty() || f == "0" || f == "1") {
          copy->in_library = f == "1";
        } else {
          why.push_back("in_library '" + std::string(f) + "' is not 0 or 1");
        }
      }
      if (std::string r = imp_.CheckCopy(lineno, *copy); !r.empty()) why.push_back(r);
    } else if (!v[kBranch].empty() || !v[kCallNumber].empty()) {
      why.push_back("branch or call_number without a barcode");
    } else if (!v[kInLibrary].empty()) {
      why.push_back("in_library without a barcode");
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
                      std::string(kNotAReading));
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
                        std::string(kNotAReading));
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
