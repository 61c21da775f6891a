// mail: the libcurl loader (curl_lib_internal.h): opened once, on the first send,
// under a function-local static (thread-safe since C++11).
#include <string>
#include <utility>

#include "mail/curl_lib_internal.h"

namespace shiori::mail::detail {
namespace {

// The soname: the ABI version <curl/curl.h> describes (`objdump -p
// /usr/lib/x86_64-linux-gnu/libcurl.so | grep SONAME`), and the Debian
// package that ships it, for the error message.
constexpr char kCurlSoname[] = "libcurl.so.4";
constexpr char kCurlPackage[] = "libcurl4";

Status Bind(void* lib, const char* soname, CurlApi& api) {
  SHIORI_CURL_NAMES(SHIORI_DYNLIB_RESOLVE)
  return Status::Ok();
}

Result<CurlApi> Load() {
  auto opened = dynlib::OpenApi<CurlApi>(kCurlSoname, kCurlPackage, Bind);
  if (!opened.ok()) return opened.status();
  CurlApi api = std::move(opened).value();
  // curl_global_init used to run in main before any thread started, as
  // libcurl asks when it is not built thread-safe. Now it runs when the first
  // mail is sent, with the server's threads running: the static in LoadCurl
  // makes it run once, never concurrently with itself, and nothing else in
  // shiori uses libcurl before it. Debian 12's 7.88.1 is moreover built with
  // thread-safe init: curl_version_info(CURLVERSION_NOW)->features has
  // CURL_VERSION_THREADSAFE ("threadsafe" in `curl -V`).
  const CURLcode rc = api.curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {  // not closed: the libraries it set up may have exit handlers
    return Status::Io(std::string("curl_global_init failed: ") + api.curl_easy_strerror(rc));
  }
  return api;
}

}  // namespace

Result<const CurlApi*> LoadCurl() {
  static const Result<CurlApi> api = Load();
  if (!api.ok()) return api.status();
  return &api.value();
}

}  // namespace shiori::mail::detail
