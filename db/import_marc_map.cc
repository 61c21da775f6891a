// MARC21 onto catalogue records: which field and subfield gives what, the
// readings in 880 fields, ISBD punctuation, names, relator terms. The table
// is in docs/import-formats.md; the readers are in import_marc.cc.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/import_internal.h"

namespace shiori::db::detail {
namespace {

using charset::IsHiragana;
using charset::IsKatakana;
using charset::ToUtf8;
using charset::Trim;

// Kanji and kana, for joining "夏目, 漱石" into 夏目漱石.
bool IsCjk(char32_t c) { return IsKana(c) || charset::Classify(c) == charset::CharClass::kCjk; }

// MARC rule: text is a reading when it has kana and, besides them, only
// letters and digits (ASCII or full-width: SDGsケイザイ), ASCII punctuation
// and spaces; no kanji.
bool LooksLikeReading(std::string_view s) {
  bool kana = false, other = false;
  ForEachChar(s, [&](char32_t c) {
    if (IsKana(c)) {
      kana = true;
    } else if (c >= 0x80 && !IsLatinOrDigit(c) &&
               !(IsSpace(c) || c == 0x3001 || c == 0x3002 || c == 0xFF0C)) {
      other = true;
    }
  });
  return kana && !other;
}

// True when `s` has a Latin letter, ASCII or full-width.
bool HasLatinLetter(std::string_view s) {
  bool letter = false;
  ForEachChar(s, [&](char32_t c) {
    if (c >= 0xFF21 && c <= 0xFF5A) c -= 0xFF21 - 'A';  // full-width to ASCII
    letter = letter || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  });
  return letter;
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

}  // namespace

// ---------------------------------------------------------------- MARC

std::string MarcField::Join(std::string_view codes) const {
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

namespace {

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
    // Both in kana (a title written in kana). Letters in one only: it is the
    // script (Tokyo ガイド, とうきょう がいど). Else the katakana one is the reading.
    const bool fl = HasLatinLetter(f), al = HasLatinLetter(a);
    if (fl != al) return fl ? Forms{field, alt} : Forms{alt, field};
    if (IsAllKatakana(f) && !IsAllKatakana(a)) return {alt, field};
    return {field, alt};
  }
  return {field, nullptr};  // e.g. a romanisation: not a reading
}

std::string ReadingOf(const MarcField* f, std::string_view codes) {
  return f ? Katakana(TrimIsbd(f->Join(codes))) : std::string();
}

}  // namespace

void MapMarc(const MarcRecord& m, int recno, CatalogRecord& r, std::vector<std::string>& why,
             std::vector<std::string>& warnings) {
  for (const auto& f : m.fields) {
    bool ok = charset::IsValidUtf8(f.data);
    for (const auto& s : f.subfields) ok = ok && charset::IsValidUtf8(s.second);
    if (!ok) why.push_back("field " + Escaped(f.tag) + " is not valid UTF-8");
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
        warnings.push_back("020 $a '" + TrimIsbd(a) + "' is not a valid ISBN; kept in the notes");
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

}  // namespace shiori::db::detail
