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

  // [database]
  std::string db_path = "shiori.db";

  // [library], [[branch]], [loans], [holds]
  db::LibraryRules rules;

  // [passwords]
  int password_min = 6;
  int password_max = 8;
  db::PasswordHashing hashing;
  int max_failures = 5;   // wrong logins or registrations before a card is locked
  int lock_minutes = 15;  // how long the lock lasts

  // [session]
  int session_idle_minutes = 30;
  int session_absolute_hours = 12;

  // [mail]: the notices' sender, SMTP relay and carrier domains, and the site's address
  mail::Settings mail;
};

// The built-in defaults: the guide's library with its three branches.
Config DefaultConfig();

// Reads `path` over the defaults. Errors name the file, line and key:
// "conf/x.toml:12: loans.period_days: must be between 1 and 365".
Result<Config> LoadConfig(const std::string& path);

// Parses "HOST:PORT" (IPv4 or a name; [v6] in brackets) into the config.
Status SetListen(Config& c, std::string_view host_port);

// The password rules and the failed-login throttle the configuration sets,
// as db/ takes them.
db::PasswordPolicy PasswordPolicyOf(const Config& c);
db::Throttle ThrottleOf(const Config& c);

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_CONFIG_H_
