// Catalogue records: insert-or-update by source id with their authors, copies
// and search index, and the record page's detail with every copy's status.
#include "db/catalog.h"

#include <string>

#include "db/sqlite.h"

namespace shiori::db {
Result<Upserted> UpsertRecord(Connection& c, const CatalogRecord& r) {
  std::optional<std::string> isbn;
  if (!r.isbn.empty()) {
    isbn = NormalizeIsbn(r.isbn);
    if (!isbn) return Status::Invalid("ISBN '" + r.isbn + "' is not valid (check digit)");
  }
  Status err;
  Stmt* find = c.Cached("SELECT id FROM records WHERE source_id = ?1", &err);
  if (!find) return err;
  find->Bind(1, r.source_id);
  auto found = find->Step();
  if (!found.ok()) return found.status();
  std::optional<int64_t> id;
  if (*found) id = find->Int(0);
  find->Reset();

  const std::optional<int64_t> year = r.year ? std::optional<int64_t>(r.year) : std::nullopt;
  auto bind_fields = [&](Stmt* s) {
    s->Bind(1, r.source_id)
        .Bind(2, r.title)
        .Bind(3, NonEmpty(r.title_kana))
        .Bind(4, NonEmpty(r.volume))
        .Bind(5, NonEmpty(r.publisher))
        .Bind(6, NonEmpty(r.publisher_kana))
        .Bind(8, isbn)
        .Bind(9, NonEmpty(r.ndc))
        .Bind(10, NonEmpty(r.lang))
        .Bind(11, NonEmpty(r.subjects))
        .Bind(12, NonEmpty(r.notes));
    if (year) {
      s->Bind(7, *year);
    } else {
      s->BindNull(7);
    }
  };
  Upserted what;
  if (id) {
    SHIORI_RETURN_IF_ERROR(UnindexRecord(c, *id));
    Stmt* u = c.Cached(
        "UPDATE records SET title=?2, title_kana=?3, volume=?4, publisher=?5, publisher_kana=?6,"
        " year=?7, isbn=?8, ndc=?9, lang=?10, subjects=?11, notes=?12,"
        " updated_at=strftime('%Y-%m-%dT%H:%M:%SZ','now') WHERE source_id=?1",
        &err);
    if (!u) return err;
    bind_fields(u);
    SHIORI_RETURN_IF_ERROR(u->Run());
    Stmt* del = c.Cached("DELETE FROM record_authors WHERE record_id = ?1", &err);
    if (!del) return err;
    SHIORI_RETURN_IF_ERROR(del->Bind(1, *id).Run());
    what = Upserted::kUpdated;
  } else {
    Stmt* ins = c.Cached(
        "INSERT INTO records(source_id, title, title_kana, volume, publisher, publisher_kana,"
        " year, isbn, ndc, lang, subjects, notes) VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12)",
        &err);
    if (!ins) return err;
    bind_fields(ins);
    SHIORI_RETURN_IF_ERROR(ins->Run());
    id = c.LastInsertId();
    what = Upserted::kInserted;
  }

  Stmt* au = c.Cached(
      "INSERT INTO record_authors(record_id, pos, name, name_kana, role) VALUES(?1,?2,?3,?4,?5)",
      &err);
  if (!au) return err;
  int64_t pos = 0;
  for (const auto& a : r.authors) {
    au->Reset();
    SHIORI_RETURN_IF_ERROR(au->Bind(1, *id)
                               .Bind(2, pos++)
                               .Bind(3, a.name)
                               .Bind(4, NonEmpty(a.name_kana))
                               .Bind(5, NonEmpty(a.role))
                               .Run());
  }

  // Copies by barcode: new ones are added on the shelf; a known barcode is
  // moved to this record, branch and call number, keeping its status. A
  // lookup and then a plain INSERT or UPDATE: an INSERT ... ON CONFLICT here
  // made FTS5 flush its pending index for every record (measured: half of
  // the import time).
  Stmt* known = c.Cached("SELECT 1 FROM copies WHERE barcode = ?1", &err);
  Stmt* add = c.Cached(
      "INSERT INTO copies(barcode, record_id, branch, call_number, in_library)"
      " VALUES(?1,?2,?3,?4,ifnull(?5,0))",
      &err);
  Stmt* move = c.Cached(
      "UPDATE copies SET record_id = ?2, branch = ?3, call_number = ?4,"
      " in_library = ifnull(?5, in_library) WHERE barcode = ?1",
      &err);
  if (!known || !add || !move) return err;
  for (const auto& k : r.copies) {
    known->Reset();
    auto exists = known->Bind(1, k.barcode).Step();
    if (!exists.ok()) return exists.status();
    Stmt* w = *exists ? move : add;
    known->Reset();
    w->Reset();
    w->Bind(1, k.barcode).Bind(2, *id).Bind(3, k.branch).Bind(4, NonEmpty(k.call_number));
    if (k.in_library) {
      w->Bind(5, int64_t{*k.in_library ? 1 : 0});
    } else {
      w->BindNull(5);
    }
    Status s = w->Run();
    if (!s.ok()) {
      if (s.code() == Status::Code::kConflict) {
        return Status::Invalid("copy " + k.barcode + ": unknown branch '" + k.branch + "'");
      }
      return s;
    }
  }
  SHIORI_RETURN_IF_ERROR(IndexRecord(c, *id, r));
  return what;
}

Result<std::optional<RecordDetail>> GetRecord(Connection& c, int64_t id) {
  auto r = c.Prepare(
      "SELECT title, ifnull(title_kana,''), ifnull(volume,''), ifnull(publisher,''),"
      " ifnull(publisher_kana,''), ifnull(year,0), ifnull(isbn,''), ifnull(ndc,''),"
      " ifnull(lang,''), ifnull(subjects,''), ifnull(notes,'') FROM records WHERE id = ?1");
  if (!r.ok()) return r.status();
  r->Bind(1, id);
  auto row = r->Step();
  if (!row.ok()) return row.status();
  if (!*row) return std::optional<RecordDetail>();
  RecordDetail d;
  d.id = id;
  d.title = r->Text(0);
  d.title_kana = r->Text(1);
  d.volume = r->Text(2);
  d.publisher = r->Text(3);
  d.publisher_kana = r->Text(4);
  d.year = static_cast<int>(r->Int(5));
  d.isbn = r->Text(6);
  d.ndc = r->Text(7);
  d.lang = r->Text(8);
  d.subjects = r->Text(9);
  d.notes = r->Text(10);

  auto a = c.Prepare(
      "SELECT name, ifnull(name_kana,''), ifnull(role,'') FROM record_authors"
      " WHERE record_id = ?1 ORDER BY pos");
  if (!a.ok()) return a.status();
  a->Bind(1, id);
  while (true) {
    auto more = a->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    d.authors.push_back({a->Text(0), a->Text(1), a->Text(2)});
  }

  auto k = c.Prepare(
      "SELECT k.barcode, k.branch, b.name, ifnull(k.call_number,''), k.status,"
      " ifnull((SELECT due_on FROM loans l WHERE l.copy_id = k.id AND l.returned_on IS NULL),''),"
      " k.in_library FROM copies k JOIN branches b ON b.code = k.branch WHERE k.record_id = ?1"
      " ORDER BY b.sort, k.barcode");
  if (!k.ok()) return k.status();
  k->Bind(1, id);
  while (true) {
    auto more = k->Step();
    if (!more.ok()) return more.status();
    if (!*more) break;
    d.copies.push_back(
        {k->Text(0), k->Text(1), k->Text(2), k->Text(3), k->Text(4), k->Text(5), k->Int(6) != 0});
  }

  auto h = c.Prepare(
      "SELECT count(*) FROM holds WHERE record_id = ?1 AND status IN ('waiting','ready')");
  if (!h.ok()) return h.status();
  h->Bind(1, id);
  auto counted = h->Step();
  if (!counted.ok()) return counted.status();
  d.holds = *counted ? static_cast<int>(h->Int(0)) : 0;
  return std::optional<RecordDetail>(std::move(d));
}

}  // namespace shiori::db
