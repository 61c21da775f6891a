// libxml2 and YAZ, which only the MARC21 and MARCXML import reads with: opened
// on first use (dlopen) so that `shiori serve` does not map them (with
// libxslt, libgcrypt and the rest, about 1.5 MB of pages).
// Types and constants still come from their headers; every function import.cc
// calls is a pointer of the header's own type, resolved by name.
#ifndef SHIORI_DB_MARC_LIBS_INTERNAL_H_
#define SHIORI_DB_MARC_LIBS_INTERNAL_H_

#include <libxml/tree.h>
#include <libxml/xmlmemory.h>
#include <libxml/xmlreader.h>
#include <yaz/marcdisp.h>
#include <yaz/yaz-iconv.h>

#include "base/dynlib.h"
#include "base/status.h"

namespace shiori::db::detail {

// Every libxml2 name import.cc uses. xmlFree is a variable holding the
// allocator's free function: call it as (*xml.xmlFree)(p).
#define SHIORI_XML_NAMES(X)         \
  X(xmlFree)                        \
  X(xmlFreeNode)                    \
  X(xmlGetProp)                     \
  X(xmlReaderForFile)               \
  X(xmlFreeTextReader)              \
  X(xmlTextReaderSetErrorHandler)   \
  X(xmlTextReaderLocatorLineNumber) \
  X(xmlTextReaderRead)              \
  X(xmlTextReaderNext)              \
  X(xmlTextReaderNodeType)          \
  X(xmlTextReaderConstLocalName)    \
  X(xmlTextReaderConstNamespaceUri) \
  X(xmlTextReaderExpand)            \
  X(xmlTextReaderByteConsumed)

// Every YAZ function import.cc calls.
#define SHIORI_YAZ_NAMES(X) \
  X(yaz_marc_create)        \
  X(yaz_marc_destroy)       \
  X(yaz_marc_iconv)         \
  X(yaz_marc_read_iso2709)  \
  X(yaz_marc_read_xml)      \
  X(yaz_marc_write_xml)     \
  X(yaz_iconv_open)         \
  X(yaz_iconv_close)

struct XmlApi {
  SHIORI_XML_NAMES(SHIORI_DYNLIB_MEMBER)
};

struct YazApi {
  SHIORI_YAZ_NAMES(SHIORI_DYNLIB_MEMBER)
};

// libxml2.so.2 (Debian package libxml2), opened and resolved on the first
// call; later calls return the same pointer (or the same error: a package
// installed afterwards needs a restart). Io "cannot load libxml2.so.2
// (libxml2): <dlerror>" or "libxml2.so.2 has no NAME: ...". Thread-safe; the
// library stays loaded for the life of the process.
Result<const XmlApi*> LoadXml();

// libyaz.so.5 (Debian package libyaz5), likewise. YAZ brings its own libxml2
// dependency, the same copy LoadXml opens, so trees YAZ makes are freed with
// XmlApi. Io "cannot load libyaz.so.5 (libyaz5): <dlerror>" on failure.
Result<const YazApi*> LoadYaz();

}  // namespace shiori::db::detail

#endif  // SHIORI_DB_MARC_LIBS_INTERNAL_H_
