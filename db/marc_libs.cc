// The libxml2 and YAZ loaders (marc_libs_internal.h): each opened once, on
// first use, under a function-local static (thread-safe since C++11).
#include "db/marc_libs_internal.h"

namespace shiori::db::detail {
namespace {

// The sonames: the ABI versions the headers we build against describe
// (`objdump -p /usr/lib/x86_64-linux-gnu/libxml2.so | grep SONAME`), and the
// Debian packages that ship them, for the error message.
constexpr char kXmlSoname[] = "libxml2.so.2";
constexpr char kXmlPackage[] = "libxml2";
constexpr char kYazSoname[] = "libyaz.so.5";
constexpr char kYazPackage[] = "libyaz5";

Status Bind(void* lib, const char* soname, XmlApi& api) {
  SHIORI_XML_NAMES(SHIORI_DYNLIB_RESOLVE)
  return Status::Ok();
}

Status Bind(void* lib, const char* soname, YazApi& api) {
  SHIORI_YAZ_NAMES(SHIORI_DYNLIB_RESOLVE)
  return Status::Ok();
}

}  // namespace

Result<const XmlApi*> LoadXml() {
  static const Result<XmlApi> api = dynlib::OpenApi<XmlApi>(kXmlSoname, kXmlPackage, Bind);
  if (!api.ok()) return api.status();
  return &api.value();
}

Result<const YazApi*> LoadYaz() {
  static const Result<YazApi> api = dynlib::OpenApi<YazApi>(kYazSoname, kYazPackage, Bind);
  if (!api.ok()) return api.status();
  return &api.value();
}

}  // namespace shiori::db::detail
