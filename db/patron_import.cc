// `shiori patron import FILE.tsv`: staff patron records in bulk, one transaction.
#include <fstream>
#include <sstream>

#include "charset/charset.h"
#include "db/import.h"
#include "db/patron.h"
#include "db/sqlite.h"

namespace shiori::db {
namespace {

// A message from the file's own text is one line: control characters (a CR
// inside a row) become spaces.
std::string OneLine(std::string s) {
  for (char& ch : s) {
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7F) ch = ' ';
  }
  return s;
}

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (true) {
    size_t t = line.find('\t', pos);
    out.push_back(line.substr(pos, t == std::string::npos ? std::string::npos : t - pos));
    if (t == std::string::npos) return out;
    pos = t + 1;
  }
}

}  // namespace

Status ImportPatrons(Connection& c, const std::string& path, ImportReport* report) {
  ImportReport local;
  ImportReport& r = report ? *report : local;
  r = ImportReport{};
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(path + ": cannot open");
  std::string line;
  if (!std::getline(in, line)) return Status::Invalid(path + ": empty file");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (!charset::IsValidUtf8(line)) {
    return Status::Invalid(path + ": line 1: the header is not valid UTF-8");
  }
  const std::vector<std::string> header = SplitTabs(line);
  int col_card = -1, col_name = -1, col_phone = -1, col_email = -1, col_branch = -1;
  for (size_t i = 0; i < header.size(); ++i) {
    const std::string& h = header[i];
    int* slot = h == "card"        ? &col_card
                : h == "name_kana" ? &col_name
                : h == "phone"     ? &col_phone
                : h == "email"     ? &col_email
                : h == "branch"    ? &col_branch
                                   : nullptr;
    if (!slot) return Status::Invalid(path + ": line 1: unknown column '" + OneLine(h) + "'");
    *slot = static_cast<int>(i);
  }
  if (col_card < 0 || col_name < 0 || col_phone < 0) {
    return Status::Invalid(path + ": line 1: the columns card, name_kana and phone are required");
  }
  Transaction tx(c);
  SHIORI_RETURN_IF_ERROR(tx.begun());
  int number = 1;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    ++r.records;
    if (!charset::IsValidUtf8(line)) {
      r.problems.push_back({number, "not valid UTF-8"});
      continue;
    }
    const std::vector<std::string> f = SplitTabs(line);
    if (f.size() != header.size()) {
      r.problems.push_back({number, std::to_string(f.size()) + " columns, the header has " +
                                        std::to_string(header.size())});
      continue;
    }
    PatronInput p;
    p.card = f[static_cast<size_t>(col_card)];
    p.name_kana = f[static_cast<size_t>(col_name)];
    p.phone = f[static_cast<size_t>(col_phone)];
    if (col_email >= 0) p.email = f[static_cast<size_t>(col_email)];
    if (col_branch >= 0) p.home_branch = f[static_cast<size_t>(col_branch)];
    auto u = UpsertPatron(c, p);
    if (!u.ok()) {
      if (u.status().code() == Status::Code::kIo || u.status().code() == Status::Code::kBusy) {
        return u.status();
      }
      r.problems.push_back({number, OneLine(u.status().message())});
      continue;
    }
    ++(*u == Upserted::kInserted ? r.inserted : r.updated);
  }
  if (!r.problems.empty()) {
    const ImportProblem first = r.problems.front();
    const size_t n = r.problems.size();
    r.inserted = r.updated = 0;
    return Status::Invalid(path + ": " + std::to_string(n) + " bad row(s), the first at line " +
                           std::to_string(first.record) + ": " + first.reason);
  }
  if (r.records == 0) return Status::Invalid(path + ": no patrons in the file");
  return tx.Commit();
}

}  // namespace shiori::db
