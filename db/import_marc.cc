// The MARC readers: ISO 2709 (MARC-8 or UTF-8, read by YAZ) and MARCXML
// (libxml2's streaming reader, then YAZ), each record into a MarcRecord for
// import_marc_map.cc. YAZ and libxml2 are reached through the loaders of
// marc_libs_internal.h, opened only when a MARC file is imported.
#include <algorithm>
#include <cstring>
#include <istream>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "charset/charset.h"
#include "db/catalog.h"
#include "db/import_internal.h"
#include "db/marc_libs_internal.h"

namespace shiori::db::detail {
namespace {

// ---------------------------------------------------------------- C handles

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
    std::vector<std::string> keys;  // MapMarc stops early when `why` is not empty
    CleanControls(recno, m, keys);
    CatalogRecord r;
    std::vector<std::string> why, warnings;
    MapMarc(m, recno, r, why, warnings);
    why.insert(why.begin(), keys.begin(), keys.end());
    if (why.empty()) {
      auto [first, fresh] = source_ids_.Add(r.source_id, recno);
      if (!fresh) {
        why.push_back("001 '" + r.source_id + "' is also the id of record " +
                      std::to_string(*first));
      }
    }
    // A skipped record's copies are checked too: a file that cannot place
    // its copies is refused.
    for (auto& k : r.copies) {
      if (std::string w = imp_.CheckCopy(recno, k); !w.empty()) why.push_back(w);
    }
    for (auto& w : why) imp_.Problem(recno, std::move(w));
    if (!why.empty()) return Status::Ok();
    if (r.title.empty()) {
      imp_.Skip(recno, "no title (245 $a); the record is skipped, with its copies");
      return Status::Ok();
    }
    for (auto& w : warnings) imp_.Warn(recno, std::move(w));
    return imp_.Add(recno, r, true);
  }

  yaz_marc_t marc() { return mt_.get(); }

 private:
  // Control characters (docs/import-formats.md): 001 and a copy's barcode
  // and branch (852/949 $p $b) with one refuse the record; every other
  // subfield is cleaned, with a warning naming it. The other control fields
  // are read by position (008) or not at all, and stay as they are.
  void CleanControls(int recno, MarcRecord& m, std::vector<std::string>& why) {
    for (MarcField& f : m.fields) {
      if (f.control) {
        if (f.tag == "001") {
          if (std::string r = ControlInKey("001", charset::Trim(f.data)); !r.empty()) {
            why.push_back(std::move(r));
          }
        }
        continue;
      }
      const bool holdings = f.tag == "852" || f.tag == "949";
      for (auto& [code, value] : f.subfields) {
        if (!charset::HasControl(value)) continue;
        const std::string name = "field " + Escaped(f.tag) + " $" + Escaped(std::string(1, code));
        if (holdings && (code == 'p' || code == 'b')) {
          if (std::string r = ControlInKey(name, charset::Trim(value)); !r.empty()) {
            why.push_back(std::move(r));
          }
        } else {
          value = imp_.Clean(recno, name, value);
        }
      }
    }
  }

  Importer& imp_;
  const MarcLibs& lib_;
  YazMarc mt_;
  SeenKeys<int> source_ids_;
};

bool IsFiller(int c) { return c == 0x1D || c == 0 || c == '\r' || c == '\n' || c == ' '; }

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

}  // namespace

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
    // MARC 21 fixes the indicator count and the subfield code length at 2,
    // and the directory's field length and start at 4 and 5 digits; YAZ
    // reads past a field's end when given others.
    if (buf[10] != '2' || buf[11] != '2' || buf[20] != '4' || buf[21] != '5') {
      imp.Read(offset);
      imp.Problem(recno, "bad leader: '" + Escaped(std::string_view(buf.data() + 10, 2)) +
                             "' and '" + Escaped(std::string_view(buf.data() + 20, 2)) +
                             "' at 10-11 and 20-21, where MARC 21 has '22' and '45'");
      continue;
    }
    const std::string_view base_text(buf.data() + 12, 5);
    const size_t base = AllDigits(base_text) ? std::stoul(std::string(base_text)) : 0;
    if (base <= 24 || base >= len || buf[base - 1] != 0x1E) {
      imp.Read(offset);
      imp.Problem(recno, "bad leader: base address '" + Escaped(base_text) +
                             "' is not the end of the directory");
      continue;
    }
    // YAZ takes a NUL inside a field for its end and drops the rest of it;
    // read as DEL, it is removed with the other control characters instead.
    std::replace(buf.begin() + static_cast<std::ptrdiff_t>(base),
                 buf.begin() + static_cast<std::ptrdiff_t>(len), '\0', '\x7F');
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
                    // libxml2 quotes the input, cut anywhere (mid-character too)
                    (errors.first.empty() ? std::string("parse error")
                                          : charset::ForTerminal(errors.first)) +
                    ")" + (ret < 0 ? "; the rest of the file is not read" : ""));
  }
  return Status::Ok();
}

}  // namespace shiori::db::detail
