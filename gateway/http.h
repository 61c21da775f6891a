// Plain request and response values passed between the server and handlers,
// and the URL helpers (percent-decoding, query parsing) they rely on.
#ifndef SHIORI_GATEWAY_HTTP_H_
#define SHIORI_GATEWAY_HTTP_H_

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"

namespace shiori::gateway {

using Pairs = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;     // GET, HEAD, POST, ...
  std::string path;       // without the query
  std::string raw_query;  // as sent, without '?'
  Pairs headers;          // names lower-cased
  Pairs query;            // percent-decoded bytes (charset not yet decoded)
  Pairs form;             // application/x-www-form-urlencoded body, likewise
  std::string body;
  std::string remote;  // peer address, for logs and throttling
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  // The first value of header `lower_name`, or "" when absent.
  std::string_view Header(std::string_view lower_name) const;
  // The first value of `name` in the form, then in the query; "" when absent.
  std::string_view Param(std::string_view name) const;
};

// A body kept in memory for the server's lifetime (the top pages, the
// stylesheets) with its gzip form, made together once: a kept page is never
// compressed again at a request. It is made from its plain bytes on purpose
// without `explicit` — `kept = page;` keeps a page and its gzip form, so the
// code that renders and indexes kept pages (KeepTopPages) is written as if it
// kept plain strings.
struct KeptBody {
  KeptBody() = default;
  KeptBody(std::string plain_bytes);  // NOLINT(google-explicit-constructor)
  std::string plain;
  std::string gzip;  // Gzip(plain): empty when that would not be smaller
};

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=UTF-8";
  std::string body;
  // Instead of `body`: bytes that outlive the server (a page the App keeps),
  // sent without a copy, plain or gzip.
  const KeptBody* kept_body = nullptr;
  Pairs headers;

  // The plain (uncompressed) bytes: kept_body->plain when set, else body.
  const std::string& Sent() const { return kept_body ? kept_body->plain : body; }

  // Adds a header. Refuses names or values with CR, LF or NUL (header
  // injection) and names that are not tokens; the response is unchanged then.
  Status SetHeader(std::string_view name, std::string_view value);
};

// Compression (gzip, RFC 9110 8.4.1.3). A client gets gzip when its
// Accept-Encoding accepts it and the response is text (Compressible) and
// smaller so; any other client gets the plain bytes. Every compressible
// response carries `Vary: Accept-Encoding`, compressed or not.

// True when an Accept-Encoding value accepts gzip: "gzip" or "x-gzip" with a
// weight above zero, or, when neither is named, "*" with one. Codings are
// case-insensitive; a missing q is 1; a malformed element counts for nothing.
bool AcceptsGzip(std::string_view accept_encoding);
// text/html, text/css and text/plain, whatever their parameters.
bool Compressible(std::string_view content_type);
// The gzip form of `plain` (zlib level kGzipLevel, windowBits 15 with the
// gzip header, no name or time in it), or "" when it would not be smaller on
// the wire than `plain` (counting the Content-Encoding header it needs) or
// compression fails.
// Level 6 (zlib's default): a PC's search page of 11,183 bytes becomes 2,624
// in 0.10 ms; level 4 gives 2,675 in 0.086 ms, level 1 2,816 in 0.058 ms
// (one core of a 2-core AMD EPYC, per call, the deflate state reused).
// Patrons on mobile data pay for bytes; the kept pages are compressed once.
inline constexpr int kGzipLevel = 6;
std::string Gzip(std::string_view plain);

// What goes on the wire for `resp` to a client that sent `accept_encoding`
// (the same for a HEAD as for its GET).
struct Wire {
  const std::string* bytes = nullptr;  // the body sent
  bool gzip = false;                   // Content-Encoding: gzip
  bool vary = false;                   // Vary: Accept-Encoding
  bool kept = false;                   // *bytes outlives the server (no copy needed)
};
// `scratch` holds the bytes of a body compressed for this response and must
// outlive the use of the result.
Wire ForClient(const Response& resp, std::string_view accept_encoding, std::string& scratch);

// Decodes %XX and '+' (as space) in a query or form component. Malformed
// escapes are kept as they are. The result is bytes in the sender's charset.
std::string PercentDecode(std::string_view s);
// Encodes everything but RFC 3986 unreserved characters.
std::string PercentEncode(std::string_view s);
// `url` with every byte outside RFC 3986's unreserved and reserved
// characters percent-encoded (a space, a control byte, every byte of UTF-8
// beyond ASCII, " < > \ ^ ` { | }), and a '%' that does not start an escape
// (%XX) as %25: printable ASCII without space, fit for a Location header,
// naming the same resource. Escapes already there are kept as they are.
std::string EncodeUrl(std::string_view url);
// Splits "a=1&b=2" into decoded pairs; empty pieces are skipped.
Pairs ParseQuery(std::string_view s);
// Decodes every name and value of `pairs` in place into UTF-8: from
// Windows-31J when `sjis`, else checked as UTF-8. On error `pairs` may be
// partly decoded and must not be used.
Status DecodePairs(Pairs& pairs, bool sjis);
// The query with its values removed ("q=&page="), safe for an access log.
std::string QueryKeysOnly(std::string_view raw_query);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_HTTP_H_
