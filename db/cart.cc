// The cart (カート): titles collected in a session before reserving them.
#include "db/session.h"
#include "db/sqlite.h"

namespace shiori::db {

Status CartAdd(Connection& c, int64_t session_id, int64_t record_id, int64_t now) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto known = c.Prepare("SELECT 1 FROM records WHERE id = ?1");
  if (!known.ok()) return known.status();
  known->Bind(1, record_id);
  auto k = known->Step();
  if (!k.ok()) return k.status();
  if (!*k) return Status::NotFound("その資料は見つかりませんでした。");
  auto count =
      c.Prepare("SELECT count(*), sum(record_id = ?2) FROM cart_items WHERE session_id = ?1");
  if (!count.ok()) return count.status();
  count->Bind(1, session_id).Bind(2, record_id);
  auto n = count->Step();
  if (!n.ok()) return n.status();
  if (count->Int(1) > 0) return Status::Ok();  // already there: one is kept
  if (count->Int(0) >= kCartLimit) {
    return Status::Conflict("カートには" + std::to_string(kCartLimit) +
                            "冊まで入れられます。予約するか、いくつか取り出してください。");
  }
  auto ins = c.Prepare("INSERT INTO cart_items(session_id, record_id, added_at) VALUES(?1,?2,?3)");
  if (!ins.ok()) return ins.status();
  SHIORI_RETURN_IF_ERROR(ins->Bind(1, session_id).Bind(2, record_id).Bind(3, now).Run());
  return tx.Commit();
}

Status CartRemove(Connection& c, int64_t session_id, int64_t record_id) {
  auto s = c.Prepare("DELETE FROM cart_items WHERE session_id = ?1 AND record_id = ?2");
  if (!s.ok()) return s.status();
  return s->Bind(1, session_id).Bind(2, record_id).Run();
}

Status CartRemoveAll(Connection& c, int64_t session_id, const std::vector<int64_t>& record_ids) {
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  auto s = c.Prepare("DELETE FROM cart_items WHERE session_id = ?1 AND record_id = ?2");
  if (!s.ok()) return s.status();
  for (int64_t id : record_ids) {
    s->Reset();
    SHIORI_RETURN_IF_ERROR(s->Bind(1, session_id).Bind(2, id).Run());
  }
  return tx.Commit();
}

Result<std::vector<CartItem>> CartList(Connection& c, int64_t session_id) {
  auto s = c.Prepare(
      "SELECT r.id, r.title, ifnull(r.volume,'')"
      " FROM cart_items i JOIN records r ON r.id = i.record_id WHERE i.session_id = ?1"
      " ORDER BY i.added_at, r.id");
  if (!s.ok()) return s.status();
  auto a = c.Prepare(
      "SELECT name, ifnull(role,'') FROM record_authors WHERE record_id = ?1 ORDER BY pos");
  if (!a.ok()) return a.status();
  s->Bind(1, session_id);
  std::vector<CartItem> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    CartItem item{s->Int(0), s->Text(1), s->Text(2), {}};
    a->Reset();
    a->Bind(1, item.record_id);
    while (true) {
      auto ar = a->Step();
      if (!ar.ok()) return ar.status();
      if (!*ar) break;
      item.authors.push_back({a->Text(0), "", a->Text(1)});
    }
    out.push_back(std::move(item));
  }
  return out;
}

Result<std::vector<int64_t>> CartRecordIds(Connection& c, int64_t session_id) {
  auto s = c.Prepare("SELECT record_id FROM cart_items WHERE session_id = ?1");
  if (!s.ok()) return s.status();
  s->Bind(1, session_id);
  std::vector<int64_t> out;
  while (true) {
    auto r = s->Step();
    if (!r.ok()) return r.status();
    if (!*r) break;
    out.push_back(s->Int(0));
  }
  return out;
}

}  // namespace shiori::db
