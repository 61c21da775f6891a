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

struct Response {
  int status = 200;
  std::string content_type = "text/html; charset=UTF-8";
  std::string body;
  // Instead of `body`: bytes that outlive the server (a page the App keeps),
  // sent without a copy.
  const std::string* kept_body = nullptr;
  Pairs headers;

  // The bytes sent: *kept_body when set, else body.
  const std::string& Sent() const { return kept_body ? *kept_body : body; }

  // Adds a header. Refuses names or values with CR, LF or NUL (header
  // injection) and names that are not tokens; the response is unchanged then.
  Status SetHeader(std::string_view name, std::string_view value);
};

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
