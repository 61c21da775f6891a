// Shared libraries opened on first use (dlopen) instead of linked, for the C
// libraries only some commands need; the one place dlopen and dlsym errors
// become a Status. The per-library loaders (db/marc_libs_internal.h,
// mail/curl_lib_internal.h) are built on it.
#ifndef SHIORI_BASE_DYNLIB_H_
#define SHIORI_BASE_DYNLIB_H_

#include <dlfcn.h>

#include <string>

#include "base/status.h"

namespace shiori::dynlib {

namespace detail {
// dlerror()'s text (thread-local in glibc), never empty.
inline std::string LastError() {
  const char* e = dlerror();
  return e ? e : "unknown dlerror";
}
}  // namespace detail

// Opens `soname` and returns its handle. RTLD_NOW binds every symbol of it and
// of its dependencies here, so a broken installation fails at this call and
// not halfway through the work; RTLD_LOCAL keeps its symbols out of the global
// scope (they are reached through Resolve only). The caller owns the handle
// (dlclose); the loaders keep theirs for the life of the process.
// Io "cannot load SONAME (PACKAGE): <dlerror>" when it cannot be loaded;
// `package` names the Debian package that ships the file.
inline Result<void*> Open(const char* soname, const char* package) {
  void* h = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    return Status::Io(std::string("cannot load ") + soname + " (" + package +
                      "): " + detail::LastError());
  }
  return h;
}

// Stores the address of symbol `name` of `lib` (from Open) in *out: a function
// pointer, or a pointer to a variable (libxml2's xmlFree). `P` comes from the
// library's header, as decltype(&::name), so no signature is written by hand.
// Io "SONAME has no NAME: <dlerror>" (an older version of the library) and
// *out unchanged on failure.
template <typename P>
Status Resolve(void* lib, const char* soname, const char* name, P* out) {
  dlerror();  // so the text below is about this lookup
  void* p = dlsym(lib, name);
  if (!p) return Status::Io(std::string(soname) + " has no " + name + ": " + detail::LastError());
  *out = reinterpret_cast<P>(p);  // POSIX guarantees void* <-> function pointer
  return Status::Ok();
}

// Opens `soname` and fills an Api from it with `bind` (a function of
// SHIORI_DYNLIB_RESOLVE lines); on failure nothing stays loaded. On success
// the handle is never closed: the pointers in the Api live on.
template <typename Api>
Result<Api> OpenApi(const char* soname, const char* package,
                    Status (*bind)(void* lib, const char* soname, Api& api)) {
  auto lib = Open(soname, package);
  if (!lib.ok()) return lib.status();
  Api api;
  if (Status s = bind(*lib, soname, api); !s.ok()) {
    dlclose(*lib);
    return s;
  }
  return api;
}

}  // namespace shiori::dynlib

// For a loader's X-macro list of names: a member `decltype(&::name) name`, and
// the statement that resolves it from `lib` into `api.name` (in a function
// returning Status, with `lib`, `soname` and `api` in scope).
#define SHIORI_DYNLIB_MEMBER(name) decltype(&::name) name = nullptr;
#define SHIORI_DYNLIB_RESOLVE(name) \
  SHIORI_RETURN_IF_ERROR(::shiori::dynlib::Resolve(lib, soname, #name, &api.name));

#endif  // SHIORI_BASE_DYNLIB_H_
