// Configuration loading with toml++: every key is known, typed and range-checked.
#include "gateway/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <functional>
#include <map>

#include "charset/charset.h"

namespace shiori::gateway {
namespace {

using Setter = std::function<Status(const toml::node&)>;

// Reports a problem at a node: "FILE:LINE: section.key: what".
Status At(const std::string& file, const toml::source_region& where, const std::string& key,
          const std::string& what) {
  return Status::Invalid(file + ":" + std::to_string(where.begin.line) + ": " + key + ": " + what);
}

struct Reader {
  std::string file;
  std::string key;  // dotted, for messages

  Status Fail(const toml::node& n, const std::string& what) const {
    return At(file, n.source(), key, what);
  }
  Status Int(const toml::node& n, int64_t lo, int64_t hi, int* out) const {
    auto v = n.value_exact<int64_t>();
    if (!v) return Fail(n, "must be a whole number");
    if (*v < lo || *v > hi) {
      return Fail(n, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
    }
    *out = static_cast<int>(*v);
    return Status::Ok();
  }
  Status Str(const toml::node& n, bool allow_empty, std::string* out) const {
    auto v = n.value_exact<std::string>();
    if (!v) return Fail(n, "must be a string in double quotes");
    if (!allow_empty && v->empty()) return Fail(n, "must not be empty");
    *out = *v;
    return Status::Ok();
  }
  Status Bool(const toml::node& n, bool* out) const {
    auto v = n.value_exact<bool>();
    if (!v) return Fail(n, "must be true or false");
    *out = *v;
    return Status::Ok();
  }
  Status OneOf(const toml::node& n, std::initializer_list<const char*> allowed,
               std::string* out) const {
    SHIORI_RETURN_IF_ERROR(Str(n, false, out));
    std::string list;
    for (const char* a : allowed) {
      if (*out == a) return Status::Ok();
      list += list.empty() ? "" : ", ";
      list += a;
    }
    return Fail(n, "must be one of " + list);
  }
};

// Applies `setters` to every key of `table`; a key not in `setters` is an error.
Status ApplyTable(
    const std::string& file, const std::string& prefix, const toml::table& table,
    const std::map<std::string, std::function<Status(Reader&, const toml::node&)>>& setters) {
  for (auto&& [k, v] : table) {
    const std::string name(k.str());
    Reader r{file, prefix + name};
    auto it = setters.find(name);
    if (it == setters.end()) return At(file, k.source(), prefix + name, "unknown key");
    SHIORI_RETURN_IF_ERROR(it->second(r, v));
  }
  return Status::Ok();
}

std::optional<int> ParseWeekday(std::string_view s) {
  static const char* const kEn[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
  static const char* const kJa[] = {"日", "月", "火", "水", "木", "金", "土"};
  for (int i = 0; i < 7; ++i) {
    if (s == kEn[i] || s == kJa[i]) return i;
  }
  return std::nullopt;
}

std::optional<db::ClosedDays::MonthDay> ParseMonthDay(std::string_view s) {
  // MM-DD, checked against a leap year so 02-29 is allowed.
  auto d = db::Date::Parse("2024-" + std::string(s));
  if (!d) return std::nullopt;
  return db::ClosedDays::MonthDay{d->month, d->day};
}

// Reads an array of strings, each given to `each`.
Status StringArray(Reader& r, const toml::node& n,
                   const std::function<bool(std::string_view)>& each, const char* expected) {
  const auto* arr = n.as_array();
  if (!arr) return r.Fail(n, std::string("must be an array of strings such as ") + expected);
  for (const auto& item : *arr) {
    auto s = item.value_exact<std::string>();
    if (!s || !each(*s)) {
      return r.Fail(item, std::string("each entry must look like ") + expected);
    }
  }
  return Status::Ok();
}

Status ReadBranch(const std::string& file, const toml::table& t, db::Branch* b) {
  std::map<std::string, std::function<Status(Reader&, const toml::node&)>> s = {
      {"code",
       [&](Reader& r, const toml::node& n) {
         SHIORI_RETURN_IF_ERROR(r.Str(n, false, &b->code));
         for (char c : b->code) {
           if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
             return r.Fail(n, "must be lower-case ASCII letters, digits or _");
           }
         }
         return Status::Ok();
       }},
      {"name", [&](Reader& r, const toml::node& n) { return r.Str(n, false, &b->name); }},
      {"closed_weekdays",
       [&](Reader& r, const toml::node& n) {
         b->closed.weekdays.clear();
         return StringArray(
             r, n,
             [&](std::string_view v) {
               auto w = ParseWeekday(v);
               if (w) b->closed.weekdays.push_back(*w);
               return w.has_value();
             },
             "\"mon\" or \"月\"");
       }},
      {"closed_yearly",
       [&](Reader& r, const toml::node& n) {
         b->closed.yearly.clear();
         return StringArray(
             r, n,
             [&](std::string_view v) {
               size_t slash = v.find('/');
               auto from = ParseMonthDay(v.substr(0, slash));
               auto to =
                   slash == std::string_view::npos ? from : ParseMonthDay(v.substr(slash + 1));
               if (!from || !to) return false;
               b->closed.yearly.push_back({*from, *to});
               return true;
             },
             "\"12-29/01-03\" or \"08-15\"");
       }},
      {"closed_dates",
       [&](Reader& r, const toml::node& n) {
         b->closed.dates.clear();
         return StringArray(
             r, n,
             [&](std::string_view v) {
               size_t slash = v.find('/');
               auto from = db::Date::Parse(v.substr(0, slash));
               auto to =
                   slash == std::string_view::npos ? from : db::Date::Parse(v.substr(slash + 1));
               if (!from || !to || *to < *from) return false;
               b->closed.dates.push_back({*from, *to});
               return true;
             },
             "\"2027-02-01\" or \"2027-02-01/2027-02-05\"");
       }},
  };
  return ApplyTable(file, "branch.", t, s);
}

}  // namespace

Config DefaultConfig() {
  Config c;
  db::ClosedDays year_end;
  year_end.weekdays = {1};  // Mondays
  year_end.yearly = {{{12, 29}, {1, 3}}};
  c.rules.branches = {
      {"chuo", "中央図書館", year_end},
      {"takaono", "高尾野図書館", year_end},
      {"noda", "野田図書館", year_end},
  };
  return c;
}

namespace {

Status ParseListen(std::string_view hp, std::string* host_out, int* port_out) {
  size_t colon = hp.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == hp.size()) {
    return Status::Invalid("listen address must be HOST:PORT, e.g. 127.0.0.1:8080");
  }
  std::string host(hp.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char ch : hp.substr(colon + 1)) {
    if (ch < '0' || ch > '9' || port > 65535) {
      return Status::Invalid("listen port must be a number from 0 to 65535");
    }
    port = port * 10 + (ch - '0');
  }
  if (port > 65535) return Status::Invalid("listen port must be a number from 0 to 65535");
  *host_out = host;
  *port_out = port;
  return Status::Ok();
}

}  // namespace

Status SetListen(Config& c, std::string_view hp) {
  return ParseListen(hp, &c.listen_host, &c.listen_port);
}

Status SetStaffListen(Config& c, std::string_view hp) {
  return ParseListen(hp, &c.staff_listen_host, &c.staff_listen_port);
}

db::PasswordPolicy PasswordPolicyOf(const Config& c) {
  return db::PasswordPolicy{c.password_min, c.password_max};
}

db::Throttle ThrottleOf(const Config& c, bool feature_phone) {
  db::Throttle t;
  t.max_failures = c.max_failures;
  t.lock_seconds = c.lock_minutes * 60LL;
  t.card_delay_max_seconds = c.card_delay_max_seconds;
  t.source_max_failures = feature_phone ? c.phone_source_max_failures : c.source_max_failures;
  t.source_window_seconds = c.source_window_minutes * 60LL;
  return t;
}

namespace {

bool TrustedProxy(const Config& c, std::string_view peer) {
  return std::find(c.trusted_proxies.begin(), c.trusted_proxies.end(), peer) !=
         c.trusted_proxies.end();
}

}  // namespace

bool ViaHttps(const Config& c, std::string_view peer, std::string_view forwarded_proto) {
  return forwarded_proto == "https" && TrustedProxy(c, peer);
}

std::string ClientAddress(const Config& c, std::string_view peer, std::string_view forwarded_for) {
  if (forwarded_for.empty() || !TrustedProxy(c, peer)) return std::string(peer);
  const std::string_view last = charset::Trim(forwarded_for.substr(forwarded_for.rfind(',') + 1));
  if (last.empty() || last.size() > 64) return std::string(peer);
  return std::string(last);
}

db::SessionLimits SessionLimitsOf(const Config& c) {
  return db::SessionLimits{c.session_idle_minutes * 60LL, c.session_absolute_hours * 3600LL};
}

Result<Config> LoadConfig(const std::string& path) {
  Config c = DefaultConfig();
  c.source = path;
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    std::string what(e.description());
    if (e.source().begin.line == 0) return Status::Invalid(path + ": " + what);
    return Status::Invalid(path + ":" + std::to_string(e.source().begin.line) + ": " + what);
  }

  using Set = std::map<std::string, std::function<Status(Reader&, const toml::node&)>>;
  auto i = [](int lo, int hi, int* out) {
    return [=](Reader& r, const toml::node& n) { return r.Int(n, lo, hi, out); };
  };
  auto str = [](std::string* out, bool allow_empty = false) {
    return [=](Reader& r, const toml::node& n) { return r.Str(n, allow_empty, out); };
  };
  int mem_kib = static_cast<int>(c.hashing.mem_limit >> 10);
  int ops = static_cast<int>(c.hashing.ops_limit);
  int give_up_hours = static_cast<int>(c.mail.give_up_after_s / 3600);
  int confirm_hours = static_cast<int>(c.mail.confirm_valid_s / 3600);
  std::string listen, staff_listen;
  bool branches_given = false;

  const std::map<std::string, Set> sections = {
      {"server",
       {{"listen", str(&listen)},
        {"threads", i(0, 64, &c.threads)},
        {"connection_limit", i(1, 100000, &c.connection_limit)},
        {"connections_per_address", i(0, 100000, &c.connections_per_address)},
        {"connection_timeout", i(1, 3600, &c.connection_timeout_s)},
        {"header_timeout", i(1, 3600, &c.header_timeout_s)},
        {"max_body_bytes", i(1024, 1 << 20, &c.max_body_bytes)},
        {"max_header_bytes", i(1024, 1 << 16, &c.max_header_bytes)},
        {"maintenance", [&](Reader& r, const toml::node& n) { return r.Bool(n, &c.maintenance); }},
        {"trusted_proxies",
         [&](Reader& r, const toml::node& n) {
           c.trusted_proxies.clear();
           return StringArray(
               r, n,
               [&](std::string_view a) {
                 if (a.empty() || a.size() > 64) return false;
                 c.trusted_proxies.emplace_back(a);
                 return true;
               },
               "\"127.0.0.1\"");
         }}}},
      {"database", {{"path", str(&c.db_path)}}},
      {"library",
       {{"name", str(&c.rules.library_name)}, {"card_digits", i(4, 16, &c.card_digits)}}},
      {"loans",
       {{"period_days", i(1, 365, &c.rules.loan_days)},
        {"max_renewals", i(0, 10, &c.rules.max_renewals)}}},
      {"holds",
       {{"pickup_open_days", i(1, 60, &c.rules.pickup_open_days)},
        {"max_per_patron", i(1, 100, &c.rules.max_holds)}}},
      {"passwords",
       {{"min_length", i(4, 64, &c.password_min)},
        {"max_length", i(4, 64, &c.password_max)},
        {"argon2_ops", i(1, 20, &ops)},
        {"max_failures", i(1, 100, &c.max_failures)},
        {"lock_minutes", i(1, 24 * 60, &c.lock_minutes)},
        {"card_delay_max_seconds", i(1, 3600, &c.card_delay_max_seconds)},
        {"source_max_failures", i(1, 1000000, &c.source_max_failures)},
        {"phone_source_max_failures", i(1, 1000000, &c.phone_source_max_failures)},
        {"source_window_minutes", i(1, 24 * 60, &c.source_window_minutes)},
        {"argon2_mem_kib", i(8, 1 << 20, &mem_kib)}}},
      {"session",
       {{"idle_minutes", i(1, 24 * 60, &c.session_idle_minutes)},
        {"absolute_hours", i(1, 24 * 30, &c.session_absolute_hours)}}},
      {"staff",
       {{"listen", str(&staff_listen)}, {"idle_minutes", i(1, 24 * 60, &c.staff_idle_minutes)}}},
      {"mail",
       {{"from", str(&c.mail.from)},
        {"from_name", str(&c.mail.from_name, true)},
        {"smtp_host", str(&c.mail.host)},
        {"smtp_port", i(1, 65535, &c.mail.port)},
        {"smtp_security",
         [&](Reader& r, const toml::node& n) {
           return r.OneOf(n, {"none", "starttls", "tls"}, &c.mail.security);
         }},
        {"smtp_user", str(&c.mail.user, true)},
        {"smtp_password", str(&c.mail.password, true)},
        {"helo", str(&c.mail.helo)},
        {"site_url", str(&c.mail.site_url)},
        {"give_up_hours", i(1, 24 * 30, &give_up_hours)},
        {"timeout", i(1, 300, &c.mail.timeout_s)},
        {"send_interval", i(1, 3600, &c.mail.send_interval_s)},
        {"lease", i(3, 3600, &c.mail.lease_s)},
        {"notices_per_patron_hour", i(1, 1000, &c.mail.limits.per_patron_hour)},
        {"notices_per_address_hour", i(1, 1000, &c.mail.limits.per_address_hour)},
        {"confirm_hours", i(1, 24 * 7, &confirm_hours)},
        {"carrier_domains",
         [&](Reader& r, const toml::node& n) {
           c.mail.carrier_domains.clear();
           SHIORI_RETURN_IF_ERROR(StringArray(
               r, n,
               [&](std::string_view d) {
                 if (d.empty() || d.find('.') == std::string_view::npos) return false;
                 c.mail.carrier_domains.emplace_back(d);
                 return true;
               },
               "\"docomo.ne.jp\""));
           // An empty list keeps the built-in one.
           if (c.mail.carrier_domains.empty()) {
             c.mail.carrier_domains = mail::DefaultCarrierDomains();
           }
           return Status::Ok();
         }}}},
  };

  for (auto&& [k, v] : root) {
    const std::string name(k.str());
    if (name == "branch") {
      const auto* arr = v.as_array();
      if (!arr || !arr->is_array_of_tables()) {
        return At(path, v.source(), name, "must be written as [[branch]] tables");
      }
      branches_given = true;
      c.rules.branches.clear();
      for (const auto& item : *arr) {
        db::Branch b;
        SHIORI_RETURN_IF_ERROR(ReadBranch(path, *item.as_table(), &b));
        if (b.code.empty() || b.name.empty()) {
          return At(path, item.source(), "branch", "needs both code and name");
        }
        if (c.rules.FindBranch(b.code)) {
          return At(path, item.source(), "branch.code", "'" + b.code + "' is given twice");
        }
        c.rules.branches.push_back(std::move(b));
      }
      continue;
    }
    auto sec = sections.find(name);
    if (sec == sections.end()) return At(path, k.source(), name, "unknown section");
    const auto* t = v.as_table();
    if (!t) return At(path, v.source(), name, "must be a [" + name + "] table");
    SHIORI_RETURN_IF_ERROR(ApplyTable(path, name + ".", *t, sec->second));
  }
  if (branches_given && c.rules.branches.empty()) {
    return Status::Invalid(path + ": at least one [[branch]] is needed");
  }
  if (!listen.empty()) {
    Status s = SetListen(c, listen);
    if (!s.ok()) {
      return At(path, root["server"]["listen"].node()->source(), "server.listen", s.message());
    }
  }
  if (!staff_listen.empty()) {
    Status s = SetStaffListen(c, staff_listen);
    if (!s.ok()) {
      return At(path, root["staff"]["listen"].node()->source(), "staff.listen", s.message());
    }
  }
  if (c.password_min > c.password_max) {
    // Name the key the file wrote (both may be there; min_length first).
    const bool min_given = root["passwords"]["min_length"].node() != nullptr;
    const toml::node* n =
        min_given ? root["passwords"]["min_length"].node() : root["passwords"]["max_length"].node();
    return At(path, n->source(), min_given ? "passwords.min_length" : "passwords.max_length",
              min_given
                  ? "must not be larger than max_length (" + std::to_string(c.password_max) + ")"
                  : "must not be smaller than min_length (" + std::to_string(c.password_min) + ")");
  }
  c.hashing.ops_limit = static_cast<uint64_t>(ops);
  c.hashing.mem_limit = static_cast<uint64_t>(mem_kib) << 10;
  c.mail.give_up_after_s = give_up_hours * int64_t{3600};
  c.mail.confirm_valid_s = confirm_hours * int64_t{3600};
  if (c.mail.lease_s <= 3 * c.mail.timeout_s) {
    // A claim must outlast the longest send, or two senders could send one notice.
    const bool lease_given = root["mail"]["lease"].node() != nullptr;
    const toml::node* n =
        lease_given ? root["mail"]["lease"].node() : root["mail"]["timeout"].node();
    return At(
        path, n->source(), lease_given ? "mail.lease" : "mail.timeout",
        lease_given
            ? "must be more than 3 * timeout (" + std::to_string(3 * c.mail.timeout_s) +
                  " s): a send may take that long"
            : "3 * timeout must be less than lease (" + std::to_string(c.mail.lease_s) + " s)");
  }
  return c;
}

}  // namespace shiori::gateway
