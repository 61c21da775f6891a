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

// Opens `soname` and fills an Api from it; on failure nothing stays loaded.
template <typename Api>
Result<Api> Load(const char* soname, const char* package) {
  auto lib = dynlib::Open(soname, package);
  if (!lib.ok()) return lib.status();
  Api api;
  if (Status s = Bind(*lib, soname, api); !s.ok()) {
    dlclose(*lib);
    return s;
  }
  return api;  // the handle is never closed: the pointers in `api` live on
}

}  // namespace

Result<const XmlApi*> LoadXml() {
  static const Result<XmlApi> api = Load<XmlApi>(kXmlSoname, kXmlPackage);
  if (!api.ok()) return api.status();
  return &api.value();
}

Result<const YazApi*> LoadYaz() {
  static const Result<YazApi> api = Load<YazApi>(kYazSoname, kYazPackage);
  if (!api.ok()) return api.status();
  return &api.value();
}

}  // namespace shiori::db::detail
