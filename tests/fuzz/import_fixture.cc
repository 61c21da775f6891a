// The import fuzzers' database and contract checks (import_fixture.h).
#include "tests/fuzz/import_fixture.h"

#include <sqlite3.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "charset/charset.h"

namespace shiori::fuzz {
namespace {

// The library every input is imported into: a catalogue as a TSV import
// writes it, then what circulation adds (a loan, a held copy, holds told by
// mail, a patron with a password, a blocked one), for the rules that an
// import keeps a copy's and a patron's status and that a patron's e-mail
// removed turns their mail holds to 'none'.
constexpr char kCatalog[] =
    "id\ttitle\ttitle_kana\tauthor\tauthor_kana\tpublisher\tyear\tisbn\tbarcode\tbranch\t"
    "call_number\n"
    "t-001\t吾輩は猫である\tワガハイ ハ ネコ デ アル\t夏目漱石\tナツメ ソウセキ\t新潮社\t2003\t"
    "9784101010014\t2000000001\tchuo\t913.6/ナ\n"
    "t-001\t吾輩は猫である\tワガハイ ハ ネコ デ アル\t夏目漱石\tナツメ ソウセキ\t新潮社\t2003\t"
    "9784101010014\t2000000002\ttakaono\t913.6/ナ\n"
    "t-002\t銀河鉄道の夜\tギンガ テツドウ ノ ヨル\t宮沢賢治\tミヤザワ ケンジ\t新潮社\t1989\t\t"
    "2000000003\tnoda\t913.6/ミ\n"
    "test-jp-0001\t吾輩は猫である\t\t夏目漱石\t\t新潮社\t2003\t\t3000000001\tnoda\t\n";

constexpr char kCirculation[] = R"sql(
INSERT INTO patrons(card, name_kana, phone, email, home_branch, status, password_hash) VALUES
  ('10000001', 'イズミ キョウコ', '0996-63-0001', 'kyoko@example.jp', 'chuo', 'active',
   '$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA'),
  ('10000002', 'タカオノ ジロウ', '0996-63-0002', NULL, 'noda', 'blocked', NULL);
INSERT INTO loans(copy_id, patron_id, loaned_on, due_on)
  SELECT c.id, p.id, '2024-04-01', '2024-04-15' FROM copies c, patrons p
  WHERE c.barcode = '2000000002' AND p.card = '10000001';
UPDATE copies SET status = 'loan' WHERE barcode = '2000000002';
INSERT INTO holds(seq, record_id, patron_id, pickup_branch, contact, status, placed_at,
                  copy_id, ready_on, pickup_deadline)
  SELECT 1, c.record_id, p.id, 'chuo', 'mail', 'ready', '2024-04-01T10:00:00Z', c.id,
         '2024-04-02', '2024-04-09' FROM copies c, patrons p
  WHERE c.barcode = '3000000001' AND p.card = '10000001';
UPDATE copies SET status = 'held' WHERE barcode = '3000000001';
INSERT INTO holds(seq, record_id, patron_id, pickup_branch, contact, status, placed_at)
  SELECT 2, r.id, p.id, 'noda', 'mail', 'waiting', '2024-04-01T10:05:00Z'
  FROM records r, patrons p WHERE r.source_id = 't-002' AND p.card = '10000001';
)sql";

// What a catalogue import may change, and what a patron import may; every
// other table must be as it was.
const std::set<std::string> kCatalogTables = {"records",
                                              "record_authors",
                                              "copies",
                                              "records_fts_data",
                                              "records_fts_idx",
                                              "records_fts_docsize",
                                              "records_fts_config",
                                              "title_keys",
                                              "catalog_version"};
const std::set<std::string> kPatronTables = {"patrons", "holds"};

[[noreturn]] void Broken(const std::string& what) {
  std::fprintf(stderr, "import contract broken: %s\n", what.c_str());
  std::abort();
}

// The status and the first problems, for a message.
std::string Describe(const Status& s, const db::ImportReport& r) {
  std::string out = "status '" + s.message() + "'; records " + std::to_string(r.records) +
                    ", inserted " + std::to_string(r.inserted) + ", updated " +
                    std::to_string(r.updated) + ", skipped " + std::to_string(r.skipped) +
                    ", copies " + std::to_string(r.copies) + "; " +
                    std::to_string(r.problems.size()) + " problems, " +
                    std::to_string(r.warnings.size()) + " warnings";
  for (size_t i = 0; i < r.problems.size() && i < 3; ++i) {
    out += "; " + std::to_string(r.problems[i].record) + ": " + r.problems[i].reason;
  }
  return out;
}

// Whatever the outcome: the status's message is one line (base/status.h),
// and so is every problem's reason, in UTF-8 (db::ImportProblem).
void CheckMessages(const char* what, const Status& s, const db::ImportReport& r) {
  auto one_line = [](const std::string& m) { return m.find_first_of("\r\n") == std::string::npos; };
  if (!one_line(s.message())) {
    Broken(std::string("a ") + what + " import's status is not one line (" + Describe(s, r) + ")");
  }
  for (const auto& p : r.problems) {
    if (!one_line(p.reason) || !charset::IsValidUtf8(p.reason)) {
      Broken(std::string("a ") + what + " import's problem at " + std::to_string(p.record) +
             " is not one line of UTF-8 (" + Describe(s, r) + ")");
    }
  }
  for (const auto& w : r.warnings) {
    if (!one_line(w.reason) || !charset::IsValidUtf8(w.reason)) {
      Broken(std::string("a ") + what + " import's warning at " + std::to_string(w.record) +
             " is not one line of UTF-8 (" + Describe(s, r) + ")");
    }
  }
}

// An accepted catalogue stores no control character (docs/import-formats.md):
// every text of every record, author and copy is free of them.
void CheckNoControls(db::Connection& c) {
  const char* sql =
      "SELECT source_id, title, title_kana, volume, publisher, publisher_kana, isbn, ndc, lang,"
      " subjects, notes FROM records"
      " UNION ALL SELECT name, name_kana, role, '', '', '', '', '', '', '', '' FROM record_authors"
      " UNION ALL SELECT barcode, branch, call_number, '', '', '', '', '', '', '', '' FROM copies";
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(c.raw(), sql, -1, &st, nullptr) != SQLITE_OK) {
    Broken(std::string("cannot read the catalogue: ") + sqlite3_errmsg(c.raw()));
  }
  while (sqlite3_step(st) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(st); ++i) {
      const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
      const std::string_view v(p ? p : "", static_cast<size_t>(sqlite3_column_bytes(st, i)));
      if (charset::HasControl(v)) {
        const std::string shown = charset::ForTerminal(v);
        sqlite3_finalize(st);
        Broken("an accepted catalogue file stored a control character: '" + shown + "'");
      }
    }
  }
  sqlite3_finalize(st);
}

// SHIORI_FUZZ_VERBOSE set: each import's outcome on stderr, for reading what
// an input does (`SHIORI_FUZZ_VERBOSE=1 fuzz_import_tsv FILE`).
void Tell(const char* what, const Status& s, const db::ImportReport& r) {
  static const bool verbose = std::getenv("SHIORI_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s import: %s\n", what, Describe(s, r).c_str());
}

int64_t Scalar(db::Connection& c, const char* sql) {
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(c.raw(), sql, -1, &s, nullptr) != SQLITE_OK) {
    Broken(std::string("cannot read the database: ") + sqlite3_errmsg(c.raw()));
  }
  int64_t v = -1;
  if (sqlite3_step(s) == SQLITE_ROW) v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  return v;
}

// FNV-1a over every value of every row, in the table's own order (which
// is the same for the same content: a rolled-back transaction restores the
// pages themselves).
uint64_t TableDigest(db::Connection& c, const std::string& table) {
  const std::string sql = "SELECT * FROM \"" + table + "\"";
  sqlite3_stmt* s = nullptr;
  if (sqlite3_prepare_v2(c.raw(), sql.c_str(), -1, &s, nullptr) != SQLITE_OK) {
    Broken("cannot read " + table + ": " + sqlite3_errmsg(c.raw()));
  }
  uint64_t h = 0xcbf29ce484222325u;
  auto mix = [&h](const void* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      h ^= static_cast<const unsigned char*>(p)[i];
      h *= 0x100000001b3u;
    }
  };
  while (sqlite3_step(s) == SQLITE_ROW) {
    for (int col = 0; col < sqlite3_column_count(s); ++col) {
      const int type = sqlite3_column_type(s, col);
      mix(&type, sizeof type);
      if (type == SQLITE_INTEGER) {
        const int64_t v = sqlite3_column_int64(s, col);
        mix(&v, sizeof v);
      } else if (type != SQLITE_NULL) {
        const void* p = sqlite3_column_blob(s, col);
        const int n = sqlite3_column_bytes(s, col);
        mix(&n, sizeof n);
        if (p) mix(p, static_cast<size_t>(n));
      }
    }
  }
  sqlite3_finalize(s);
  return h;
}

}  // namespace

struct ImportFixture::State {
  int64_t records = 0, copies = 0, index_rows = 0, patrons = 0;
  // Copies not on the shelf and patrons with a status or password of their
  // own: an import keeps both.
  std::string kept;
  std::map<std::string, uint64_t> tables;  // every table (the search index's shadow tables too)
};

namespace {

using State = ImportFixture::State;

State Take(db::Connection& c) {
  State st;
  st.records = Scalar(c, "SELECT count(*) FROM records");
  st.copies = Scalar(c, "SELECT count(*) FROM copies");
  st.index_rows = Scalar(c, "SELECT count(*) FROM records_fts_docsize");
  st.patrons = Scalar(c, "SELECT count(*) FROM patrons");
  sqlite3_stmt* s = nullptr;
  sqlite3_prepare_v2(c.raw(),
                     "SELECT 'copy ' || barcode || ' ' || status FROM copies"
                     " WHERE status <> 'shelf'"
                     " UNION ALL SELECT 'patron ' || card || ' ' || status || ' ' ||"
                     " ifnull(password_hash, '') FROM patrons"
                     " WHERE status <> 'active' OR password_hash IS NOT NULL ORDER BY 1",
                     -1, &s, nullptr);
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    st.kept += reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    st.kept += '\n';
  }
  sqlite3_finalize(s);
  sqlite3_prepare_v2(c.raw(),
                     "SELECT name FROM sqlite_schema WHERE type = 'table'"
                     " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%'",
                     -1, &s, nullptr);
  std::vector<std::string> names;
  while (s && sqlite3_step(s) == SQLITE_ROW) {
    names.emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
  }
  sqlite3_finalize(s);
  for (const auto& n : names) st.tables[n] = TableDigest(c, n);
  return st;
}

// Tables whose content differs between `a` and `b`.
std::set<std::string> Changed(const State& a, const State& b) {
  std::set<std::string> out;
  for (const auto& [name, digest] : a.tables) {
    auto it = b.tables.find(name);
    if (it == b.tables.end() || it->second != digest) out.insert(name);
  }
  for (const auto& [name, digest] : b.tables) {
    if (!a.tables.count(name)) out.insert(name);
  }
  return out;
}

std::string Join(const std::set<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// Whatever happened: the search index has one row per record.
void CheckIndex(const State& st, const char* when) {
  if (st.index_rows != st.records) {
    Broken(std::string(when) + ": the search index has " + std::to_string(st.index_rows) +
           " rows for " + std::to_string(st.records) + " records");
  }
}

// A refused file: Invalid, problems listed, nothing counted, nothing written.
void CheckRefused(const char* what, const Status& s, const db::ImportReport& r, const State& before,
                  const State& after) {
  const std::set<std::string> changed = Changed(before, after);
  if (!changed.empty()) {
    Broken(std::string("a refused ") + what + " file changed " + Join(changed) + " (" +
           Describe(s, r) + ")");
  }
  if (s.code() != Status::Code::kInvalid) {
    Broken(std::string("a ") + what + " file was refused other than as Invalid (" + Describe(s, r) +
           ")");
  }
  if (r.problems.empty()) {
    Broken(std::string("a refused ") + what + " file has no problem in the report (" +
           Describe(s, r) + ")");
  }
  if (r.inserted != 0 || r.updated != 0 || r.skipped != 0 || r.copies != 0) {
    Broken(std::string("a refused ") + what + " file counts what it wrote (" + Describe(s, r) +
           ")");
  }
}

// An accepted file of either kind: every record it read is written or
// skipped (with a warning), and `inserted` of them are new.
void CheckAccepted(const char* what, const Status& s, const db::ImportReport& r,
                   const State& before, const State& after, const std::set<std::string>& may,
                   int64_t rows_before, int64_t rows_after) {
  if (!r.problems.empty()) {
    Broken(std::string("an accepted ") + what + " file has problems (" + Describe(s, r) + ")");
  }
  if (r.records <= 0 || r.inserted < 0 || r.updated < 0 || r.skipped < 0 ||
      r.inserted + r.updated + r.skipped != r.records ||
      r.warnings.size() < static_cast<size_t>(r.skipped)) {
    Broken(std::string("an accepted ") + what + " file's counts do not add up (" + Describe(s, r) +
           ")");
  }
  if (rows_after != rows_before + r.inserted) {
    Broken(std::string("an accepted ") + what + " file went from " + std::to_string(rows_before) +
           " to " + std::to_string(rows_after) + " rows with " + std::to_string(r.inserted) +
           " inserted (" + Describe(s, r) + ")");
  }
  std::set<std::string> others;
  for (const auto& t : Changed(before, after)) {
    if (!may.count(t)) others.insert(t);
  }
  if (!others.empty()) {
    Broken(std::string("an accepted ") + what + " file changed " + Join(others));
  }
  if (after.kept != before.kept) {
    Broken(std::string("an accepted ") + what + " file changed a copy's or patron's status: '" +
           before.kept + "' became '" + after.kept + "'");
  }
}

// progress(done, fraction) as ImportCatalog promises it: records never
// going back, a fraction of the file between 0 and 1.
struct Progress {
  int calls = 0, last_done = 0;
  double last_fraction = 0;
  std::function<void(int, double)> Callback() {
    return [this](int done, double fraction) {
      if (done < last_done || !(fraction >= 0.0 && fraction <= 1.0)) {
        Broken("progress(" + std::to_string(done) + ", " + std::to_string(fraction) +
               ") after progress(" + std::to_string(last_done) + ", ...)");
      }
      ++calls;
      last_done = done;
      last_fraction = fraction;
    };
  }
};

}  // namespace

ImportFixture& ImportFixture::Get() {
  static ImportFixture* f = new ImportFixture();  // never destroyed: libFuzzer exits
  return *f;
}

ImportFixture::ImportFixture() {
  // The input file lives in memory: nothing to clean up, even after a crash.
  fd_ = memfd_create("shiori-import-input", 0);
  if (fd_ < 0) Broken("memfd_create failed");
  path_ = "/proc/self/fd/" + std::to_string(fd_);
  Build();
  Restore();
  library_ = std::make_unique<State>(Take(*db_));
  CheckIndex(*library_, "in the fixture's library");
}

ImportFixture::~ImportFixture() = default;

std::unique_ptr<db::Connection> ImportFixture::Open() {
  auto c = db::Connection::Open(":memory:");
  if (!c.ok()) Broken("cannot open the database: " + c.status().message());
  return std::move(c).value();
}

void ImportFixture::Build() {
  db_ = Open();
  Status s = db::Migrate(*db_);
  if (!s.ok()) Broken("cannot migrate: " + s.message());
  db::LibraryRules rules;
  rules.branches = {
      {"chuo", "中央図書館", {}}, {"takaono", "高尾野図書館", {}}, {"noda", "野田図書館", {}}};
  s = db::SyncBranches(*db_, rules);
  if (!s.ok()) Broken("cannot add the branches: " + s.message());
  Write(kCatalog);
  db::ImportReport rep;
  s = db::ImportCatalog(*db_, path_, db::ImportFormat::kTsv, &rep, nullptr);
  if (!s.ok()) Broken("the fixture's own catalogue is refused: " + Describe(s, rep));
  s = db_->Exec(kCirculation);
  if (!s.ok()) Broken("cannot add the fixture's circulation: " + s.message());
  sqlite3_int64 size = 0;
  unsigned char* image = sqlite3_serialize(db_->raw(), "main", &size, 0);
  if (!image) Broken("cannot serialize the database");
  image_.assign(reinterpret_cast<const char*>(image), static_cast<size_t>(size));
  sqlite3_free(image);
}

void ImportFixture::Restore() {
  db_ = Open();
  auto* copy = static_cast<unsigned char*>(sqlite3_malloc64(image_.size()));
  if (!copy) Broken("out of memory");
  std::memcpy(copy, image_.data(), image_.size());
  const auto size = static_cast<sqlite3_int64>(image_.size());
  if (sqlite3_deserialize(db_->raw(), "main", copy, size, size,
                          SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE) !=
      SQLITE_OK) {
    Broken(std::string("cannot deserialize the database: ") + sqlite3_errmsg(db_->raw()));
  }
}

void ImportFixture::Write(std::string_view bytes) {
  if (ftruncate(fd_, 0) != 0) Broken("cannot truncate the input file");
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n =
        pwrite(fd_, bytes.data() + done, bytes.size() - done, static_cast<off_t>(done));
    if (n <= 0) Broken("cannot write the input file");
    done += static_cast<size_t>(n);
  }
}

void ImportFixture::Catalog(std::string_view bytes, db::ImportFormat format) {
  Write(bytes);
  const State& before = *library_;
  db::ImportReport rep;
  Progress progress;
  const Status s = db::ImportCatalog(*db_, path_, format, &rep, progress.Callback());
  Tell("catalogue", s, rep);
  CheckMessages("catalogue", s, rep);
  const State after = Take(*db_);
  CheckIndex(after, "after a catalogue import");
  if (!s.ok()) {
    CheckRefused("catalogue", s, rep, before, after);
    return;  // the library is as it was
  }
  CheckAccepted("catalogue", s, rep, before, after, kCatalogTables, before.records, after.records);
  CheckNoControls(*db_);
  if (after.copies < before.copies || after.copies - before.copies > rep.copies) {
    Broken("an accepted catalogue file went from " + std::to_string(before.copies) + " to " +
           std::to_string(after.copies) + " copies with " + std::to_string(rep.copies) +
           " in the file");
  }
  if (progress.calls == 0 || progress.last_done != rep.records || progress.last_fraction != 1.0) {
    Broken("an accepted catalogue file's last progress was (" + std::to_string(progress.last_done) +
           ", " + std::to_string(progress.last_fraction) + "), not (records, 1.0)");
  }

  // The same file again: every record is stored as the file gives it.
  db::ImportReport again;
  const Status s2 = db::ImportCatalog(*db_, path_, format, &again, nullptr);
  if (!s2.ok())
    Broken("an accepted catalogue file is refused the second time: " + Describe(s2, again));
  if (again.records != rep.records || again.inserted != 0 ||
      again.updated != rep.records - rep.skipped || again.skipped != rep.skipped ||
      again.copies != rep.copies || again.warnings.size() != rep.warnings.size()) {
    Broken("an accepted catalogue file imported again counts differently: first " +
           Describe(s, rep) + "; then " + Describe(s2, again));
  }
  const std::set<std::string> changed = Changed(after, Take(*db_));
  if (!changed.empty()) {
    Broken("an accepted catalogue file imported again changed " + Join(changed));
  }
  Restore();  // back to the library every input starts from
}

void ImportFixture::Patrons(std::string_view bytes) {
  Write(bytes);
  const State& before = *library_;
  db::ImportReport rep;
  const Status s = db::ImportPatrons(*db_, path_, &rep);
  Tell("patron", s, rep);
  CheckMessages("patron", s, rep);
  const State after = Take(*db_);
  if (!s.ok()) {
    // The header and an empty file are refused before any row is read.
    if (s.code() != Status::Code::kInvalid) {
      Broken("a patron file was refused other than as Invalid (" + Describe(s, rep) + ")");
    }
    const std::set<std::string> changed = Changed(before, after);
    if (!changed.empty()) {
      Broken("a refused patron file changed " + Join(changed) + " (" + Describe(s, rep) + ")");
    }
    if (rep.inserted != 0 || rep.updated != 0) {
      Broken("a refused patron file counts what it wrote (" + Describe(s, rep) + ")");
    }
    return;
  }
  CheckAccepted("patron", s, rep, before, after, kPatronTables, before.patrons, after.patrons);
  const int64_t told_by_mail =
      Scalar(*db_,
             "SELECT count(*) FROM holds h JOIN patrons p ON p.id = h.patron_id"
             " WHERE h.contact = 'mail' AND h.status IN ('waiting','ready') AND p.email IS NULL");
  if (told_by_mail != 0) {
    Broken(std::to_string(told_by_mail) + " holds are told by mail to a patron without e-mail");
  }

  db::ImportReport again;
  const Status s2 = db::ImportPatrons(*db_, path_, &again);
  if (!s2.ok())
    Broken("an accepted patron file is refused the second time: " + Describe(s2, again));
  if (again.records != rep.records || again.inserted != 0 || again.updated != rep.records) {
    Broken("an accepted patron file imported again counts differently: first " + Describe(s, rep) +
           "; then " + Describe(s2, again));
  }
  if (Scalar(*db_, "SELECT count(*) FROM patrons") != after.patrons) {
    Broken("an accepted patron file imported again added patrons");
  }
  Restore();
}

}  // namespace shiori::fuzz
