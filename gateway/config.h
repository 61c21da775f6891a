// The configuration: defaults, the TOML file (conf/shiori.toml documents every
// key) and command-line overrides. Unknown keys and bad values are refused
// with the file, the line and the key named.
#ifndef SHIORI_GATEWAY_CONFIG_H_
#define SHIORI_GATEWAY_CONFIG_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/session.h"
#include "mail/mail.h"

namespace shiori::gateway {

struct Config {
  std::string source = "(built-in defaults)";  // where it came from, for messages

  // [server]
  std::string listen_host = "127.0.0.1";
  int listen_port = 8080;
  int threads = 0;  // 0: one per core
  int connection_limit = 1000;
  int connections_per_address = 50;  // most open at once from one client address; 0: no limit
  int connection_timeout_s = 30;     // idle seconds before a connection is closed
  // Seconds from a request's start (the connection's accept, or the end of
  // the previous response on a kept-alive one) until its headers are all in.
  int header_timeout_s = 10;
  int max_body_bytes = 16384;
  int max_header_bytes = 8192;
  bool maintenance = false;  // when true, the public service is off whatever the database says
  // Reverse proxies whose X-Forwarded-For names the client (exact addresses).
  std::vector<std::string> trusted_proxies;

  // [database]
  std::string db_path = "shiori.db";

  // [library], [[branch]], [loans], [holds]
  db::LibraryRules rules;
  int card_digits = 10;  // digits printed under the card's barcode, for the pages' card help

  // [passwords]
  int password_min = 6;
  int password_max = 8;
  db::PasswordHashing hashing;
  int max_failures = 5;   // wrong logins or registrations before a session or device is locked
  int lock_minutes = 15;  // how long the lock lasts
  int card_delay_max_seconds = 60;      // a card's longest wait between attempts after failures
  int source_max_failures = 30;         // failures from one client address ...
  int phone_source_max_failures = 300;  // ... or one carrier gateway address (feature phones)
  int source_window_minutes = 10;       // ... within this many minutes

  // [session]
  int session_idle_minutes = 30;
  int session_absolute_hours = 12;

  // [staff]: the back office's pages, on a listener of their own (keep it on
  // loopback or behind a proxy that admits only the library's network)
  std::string staff_listen_host = "127.0.0.1";
  int staff_listen_port = 8081;
  int staff_idle_minutes = 30;  // a staff session ends after this many idle minutes

  // [mail]: the notices' sender, SMTP relay and carrier domains, and the site's address
  mail::Settings mail;
};

// The built-in defaults: the guide's library with its three branches.
Config DefaultConfig();

// Reads `path` over the defaults. Errors name the file, line and key:
// "conf/x.toml:12: loans.period_days: must be between 1 and 365".
Result<Config> LoadConfig(const std::string& path);

// Parses "HOST:PORT" (IPv4 or a name; [v6] in brackets) into the config:
// the public listener's address, or the staff pages' one.
Status SetListen(Config& c, std::string_view host_port);
Status SetStaffListen(Config& c, std::string_view host_port);

// The password rules, the failed-login throttle and the session timeouts the
// configuration sets, as db/ takes them.
db::PasswordPolicy PasswordPolicyOf(const Config& c);
db::Throttle ThrottleOf(const Config& c, bool feature_phone = false);
db::SessionLimits SessionLimitsOf(const Config& c);

// The client's address: `peer`, unless `peer` is one of the trusted proxies
// and `forwarded_for` (X-Forwarded-For) names one — then its last entry, the
// address the proxy saw.
std::string ClientAddress(const Config& c, std::string_view peer, std::string_view forwarded_for);
// Whether the client reached the reverse proxy over HTTPS: `peer` is one of
// the trusted proxies and `forwarded_proto` (X-Forwarded-Proto) is "https".
// Cookies are then sent Secure. From any other peer the header says nothing.
bool ViaHttps(const Config& c, std::string_view peer, std::string_view forwarded_proto);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_CONFIG_H_
