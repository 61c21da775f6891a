// Catalogue import: the Importer every reader (import_tsv.cc, import_marc.cc)
// writes its records through, in one transaction; the text rules the readers
// share; and ImportCatalog, which picks the reader. Every rule is written
// down in docs/import-formats.md. YAZ and libxml2 are reached through the
// loaders of marc_libs_internal.h, opened only when a MARC file is imported.
#include "db/import.h"

#include <sqlite3.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/import_internal.h"
#include "db/marc_libs_internal.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace detail {
namespace {

constexpr int kProgressEvery = 1000;

using charset::ToUtf8;

// A problem's or warning's reason as one line: control characters (a newline
// in a MARCXML value) become spaces.
void OneLine(std::string& reason) {
  for (char& ch : reason) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
  }
}

// Full-width ASCII and half-width katakana: what NFKC changes in a reading.
bool IsHalfOrFullWidth(char32_t c) { return c >= 0xFF01 && c <= 0xFF9F; }

// A copy's branch as a file may name it: the name as configured, and with
// or without 図書館 or 館 at its end (中央図書館, 中央館, 中央).
std::vector<std::string> BranchNameForms(std::string_view name) {
  name = charset::Trim(name);
  std::string_view base = name;
  for (std::string_view end : {std::string_view("図書館"), std::string_view("館")}) {
    if (base.size() > end.size() && base.substr(base.size() - end.size()) == end) {
      base.remove_suffix(end.size());
      break;
    }
  }
  std::vector<std::string> forms{std::string(name)};
  if (base.empty()) return forms;
  for (std::string_view end : {"", "館", "図書館"}) {
    std::string f = std::string(base) + std::string(end);
    if (f != name) forms.push_back(std::move(f));
  }
  return forms;
}

}  // namespace

// ---------------------------------------------------------------- text

std::string Katakana(std::string_view s) {
  std::u32string in;
  bool nfkc = false;
  ForEachChar(s, [&](char32_t c) {
    nfkc = nfkc || IsHalfOrFullWidth(c);
    in += c;
  });
  // Half-width kana need NFKC (ｶﾞ is two characters, ガ one), and so do
  // full-width letters and digits (ＳＤＧｓ is stored as SDGs).
  if (nfkc) in = charset::ToUtf32(charset::Nfkc(s));
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

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

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

std::string ControlInKey(std::string_view field, std::string_view value) {
  charset::ControlsFound found;
  (void)charset::WithoutControls(value, &found);
  if (!found.any()) return std::string();
  std::string what;
  for (char32_t c : found.removed) what += (what.empty() ? "" : " ") + charset::CodePointName(c);
  if (found.breaks) what += what.empty() ? "a tab or line break" : " and a tab or line break";
  return std::string(field) + " '" + charset::ForTerminal(value) + "' holds a control character (" +
         what + "); ids, barcodes and branch codes are not cleaned";
}

// ---------------------------------------------------------------- the import

std::string Importer::Clean(int where, std::string_view field, std::string_view value) {
  if (!charset::HasControl(value)) return std::string(value);
  charset::ControlsFound found;
  std::string out = charset::WithoutControls(value, &found);
  std::string what(field);
  what += ": ";
  if (!found.removed.empty()) {
    what += "removed control characters";
    for (char32_t c : found.removed) what += " " + charset::CodePointName(c);
  }
  if (found.breaks) {
    what += found.removed.empty() ? "" : "; ";
    what += "a tab or line break made a space";
  }
  for (char& ch : what) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
  }
  rep_.warnings.push_back({where, std::move(what)});
  return out;
}

Status Importer::Begin() {
  tx_.emplace(c_);
  SHIORI_RETURN_IF_ERROR(tx_->begun());
  auto s = c_.Prepare("SELECT code, name FROM branches ORDER BY sort");
  if (!s.ok()) return s.status();
  std::vector<std::pair<std::string, std::string>> all;  // code, name
  while (true) {
    auto row = s->Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    all.emplace_back(s->Text(0), s->Text(1));
  }
  // Codes first, then the names as configured, then their other forms: a
  // code or a whole name is never taken for another branch's short form.
  for (const auto& [code, name] : all) branches_[code] = code;
  for (const auto& [code, name] : all) {
    const std::string exact(charset::Trim(name));
    if (!exact.empty()) branches_.emplace(exact, code);
  }
  std::unordered_map<std::string, std::string> forms;  // "" when two branches share it
  for (const auto& [code, name] : all) {
    for (std::string& f : BranchNameForms(name)) {
      auto [it, fresh] = forms.emplace(std::move(f), code);
      if (!fresh && it->second != code) it->second.clear();
    }
  }
  for (auto& [form, code] : forms) branches_.emplace(form, std::move(code));
  return Status::Ok();
}

void Importer::Problem(int where, std::string reason) {
  OneLine(reason);
  rep_.problems.push_back({where, std::move(reason)});
}

void Importer::Warn(int where, std::string reason) {
  OneLine(reason);
  rep_.warnings.push_back({where, std::move(reason)});
}

void Importer::Skip(int where, std::string reason) {
  Warn(where, std::move(reason));
  ++rep_.skipped;
}

std::string Importer::CheckCopy(int where, CopyEntry& k) {
  if (k.branch.empty()) return "barcode '" + k.barcode + "' has no branch";
  auto branch = branches_.find(k.branch);
  if (branch == branches_.end()) {
    return "unknown branch '" + k.branch + "': not the code or name of a configured branch";
  }
  if (branch->second.empty()) {
    return "branch '" + k.branch + "' could be more than one configured branch: give its code";
  }
  k.branch = branch->second;
  auto [first, fresh] = barcodes_.Add(k.barcode, where);
  if (!fresh) {
    return "barcode '" + k.barcode + "' already appears on " + unit_ + " " + std::to_string(*first);
  }
  return std::string();
}

Status Importer::Add(int where, const CatalogRecord& r, bool counted) {
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

Result<int64_t> Importer::Stored(const std::string& source_id, CatalogRecord* r) {
  Status err;
  Stmt* rec = c_.Cached(
      "SELECT id, title, ifnull(title_kana,''), ifnull(volume,''), ifnull(publisher,''),"
      " ifnull(publisher_kana,''), ifnull(year,0), ifnull(isbn,''), ifnull(ndc,''),"
      " ifnull(lang,''), ifnull(subjects,''), ifnull(notes,'') FROM records WHERE source_id = ?1",
      &err);
  if (!rec) return err;
  rec->Bind(1, source_id);
  auto row = rec->Step();
  if (!row.ok()) return row.status();
  if (!*row) {
    rec->Reset();
    return int64_t{0};
  }
  const int64_t id = rec->Int(0);
  r->source_id = source_id;
  r->title = rec->Text(1);
  r->title_kana = rec->Text(2);
  r->volume = rec->Text(3);
  r->publisher = rec->Text(4);
  r->publisher_kana = rec->Text(5);
  r->year = static_cast<int>(rec->Int(6));
  r->isbn = rec->Text(7);
  r->ndc = rec->Text(8);
  r->lang = rec->Text(9);
  r->subjects = rec->Text(10);
  r->notes = rec->Text(11);
  rec->Reset();
  Stmt* au = c_.Cached(
      "SELECT name, ifnull(name_kana,''), ifnull(role,'') FROM record_authors"
      " WHERE record_id = ?1 ORDER BY pos",
      &err);
  if (!au) return err;
  au->Bind(1, id);
  while (true) {
    auto more = au->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    r->authors.push_back({au->Text(0), au->Text(1), au->Text(2)});
  }
  au->Reset();
  return id;
}

Status Importer::AddCopies(int where, const std::string& source_id, std::vector<CopyEntry> copies) {
  if (Failed()) return Status::Ok();
  CatalogRecord r;
  auto id = Stored(source_id, &r);
  if (!id.ok()) return id.status();
  if (*id == 0) {  // the first row of the id was not written: no record to add to
    Problem(where, "no record '" + source_id + "' to add the copies to");
    return Status::Ok();
  }
  r.copies = std::move(copies);
  return Add(where, r, false);
}

void Importer::Read(uint64_t bytes) {
  ++rep_.records;
  if (progress_ && rep_.records % kProgressEvery == 0) progress_(rep_.records, Fraction(bytes));
}

Status Importer::Finish(const std::string& path) {
  if (progress_) progress_(rep_.records, 1.0);
  if (rep_.records == 0 && !Failed()) Problem(0, "the file holds no records");
  if (Failed()) return Refuse(path);
  Status s = tx_->Commit();
  if (!s.ok()) {
    rep_.inserted = rep_.updated = rep_.skipped = rep_.copies = 0;
    return s;
  }
  MergeIndexAfterALoad();
  return Status::Ok();
}

void Importer::MergeIndexAfterALoad() {
  Stmt* m = c_.Cached("SELECT ifnull(max(id), 0) FROM records");
  if (!m || rewritten_ == 0) return;
  auto r = m->Step();
  const int64_t records = r.ok() && *r ? m->Int(0) : 0;
  m->Reset();
  if (2 * rewritten_ < records) return;
  for (int step = 0; step < 100000; ++step) {
    const int64_t before = sqlite3_total_changes64(c_.raw());
    if (!c_.Exec("INSERT INTO records_fts(records_fts, rank) VALUES('merge', -2000)").ok()) return;
    // (FTS5: fewer than two changes mean there was nothing left to merge.)
    if (sqlite3_total_changes64(c_.raw()) - before < 2) return;
  }
}

Status Importer::Refuse(const std::string& path) {
  rep_.inserted = rep_.updated = rep_.skipped = rep_.copies = 0;
  const ImportProblem& p = rep_.problems.front();
  std::string msg = path + ": refused, " + std::to_string(rep_.problems.size()) +
                    (rep_.problems.size() == 1 ? " problem" : " problems") + "; ";
  if (p.record > 0) msg += unit_ + " " + std::to_string(p.record) + ": ";
  msg += p.reason;
  return Status::Invalid(msg);
}

Result<bool> Importer::Unchanged(const CatalogRecord& r) {
  CatalogRecord was;
  auto stored = Stored(r.source_id, &was);
  if (!stored.ok()) return stored.status();
  const int64_t id = *stored;
  if (id == 0) return false;
  const bool fields = was.title == r.title && was.title_kana == r.title_kana &&
                      was.volume == r.volume && was.publisher == r.publisher &&
                      was.publisher_kana == r.publisher_kana && was.year == r.year &&
                      was.isbn == r.isbn && was.ndc == r.ndc && was.lang == r.lang &&
                      was.subjects == r.subjects && was.notes == r.notes;
  if (!fields || was.authors.size() != r.authors.size()) return false;
  for (size_t n = 0; n < r.authors.size(); ++n) {
    const AuthorEntry &a = was.authors[n], &b = r.authors[n];
    if (a.name != b.name || a.name_kana != b.name_kana || a.role != b.role) return false;
  }

  Status err;
  Stmt* cp = c_.Cached(
      "SELECT record_id = ?2 AND branch = ?3 AND ifnull(call_number,'') = ?4"
      " AND in_library = ifnull(?5, in_library) FROM copies WHERE barcode = ?1",
      &err);
  if (!cp) return err;
  for (const auto& k : r.copies) {
    cp->Reset();
    cp->Bind(1, k.barcode).Bind(2, id).Bind(3, k.branch).Bind(4, k.call_number);
    if (k.in_library) {
      cp->Bind(5, int64_t{*k.in_library ? 1 : 0});
    } else {
      cp->BindNull(5);
    }
    auto found = cp->Step();
    if (!found.ok()) return found.status();
    const bool same = *found && cp->Int(0) == 1;
    cp->Reset();
    if (!same) return false;
  }
  return true;
}

double Importer::Fraction(uint64_t bytes) const {
  if (size_ == 0) return 1.0;
  return std::min(1.0, static_cast<double>(bytes) / static_cast<double>(size_));
}

namespace {

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
}  // namespace detail

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
  if (format == ImportFormat::kAuto) format = detail::Sniff(in);

  detail::Importer imp(c, rep, progress, size, format == ImportFormat::kTsv ? "line" : "record");
  if (size == 0) {
    imp.Problem(0, "the file is empty");
    return imp.Refuse(path);
  }
  // MARC is read with YAZ and libxml2, opened here, before the transaction:
  // when one cannot be loaded the import stops with nothing written.
  const detail::XmlApi* xml = nullptr;
  const detail::YazApi* yaz = nullptr;
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
    case ImportFormat::kTsv:
      s = detail::ReadTsv(imp, in, path);
      break;
    case ImportFormat::kMarc21:
      s = detail::ReadIso2709(detail::MarcLibs{*xml, *yaz}, imp, in, path);
      break;
    case ImportFormat::kMarcXml:
    case ImportFormat::kAuto:
      in.close();
      s = detail::ReadMarcXml(detail::MarcLibs{*xml, *yaz}, imp, path);
      break;
  }
  if (!s.ok()) {  // the transaction rolls back
    rep.inserted = rep.updated = rep.skipped = rep.copies = 0;
    return s;
  }
  return imp.Finish(path);
}

}  // namespace shiori::db
