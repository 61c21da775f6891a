// Tests for gateway/config.h: the built-in defaults, the committed conf/shiori.toml, bad files and
// --listen.
#include "gateway/config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "db/rules.h"

namespace shiori::gateway {
namespace {

// The guide's library: three branches in the order of the guide, each closed
// on Mondays and over New Year (12/29-1/3).
void ExpectGuideValues(const Config& c) {
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.staff_listen_host, "127.0.0.1");
  EXPECT_EQ(c.staff_listen_port, 8081);
  EXPECT_EQ(c.staff_idle_minutes, 30);
  EXPECT_EQ(c.rules.library_name, "出水市立図書館");
  struct Want {
    const char* code;
    const char* name;
  };
  const Want want[] = {{"chuo", "中央図書館"}, {"takaono", "高尾野図書館"}, {"noda", "野田図書館"}};
  ASSERT_EQ(c.rules.branches.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE(want[i].code);
    const db::Branch& b = c.rules.branches[i];
    EXPECT_EQ(b.code, want[i].code);
    EXPECT_EQ(b.name, want[i].name);
    EXPECT_EQ(b.closed.weekdays, std::vector<int>{1});
    ASSERT_EQ(b.closed.yearly.size(), 1u);
    EXPECT_EQ(b.closed.yearly[0].first.month, 12);
    EXPECT_EQ(b.closed.yearly[0].first.day, 29);
    EXPECT_EQ(b.closed.yearly[0].second.month, 1);
    EXPECT_EQ(b.closed.yearly[0].second.day, 3);
    EXPECT_TRUE(b.closed.dates.empty());
  }
  EXPECT_EQ(c.rules.loan_days, 14);
  EXPECT_EQ(c.rules.max_renewals, 1);
  EXPECT_EQ(c.rules.pickup_open_days, 7);
  EXPECT_EQ(c.rules.max_holds, 10);
  EXPECT_EQ(c.password_min, 6);
  EXPECT_EQ(c.password_max, 8);
  EXPECT_EQ(c.mail.from, "yoyaku@izumi-library.jp");
}

TEST(DefaultConfigTest, IsTheGuidesLibrary) { ExpectGuideValues(DefaultConfig()); }

// A slow or greedy client cannot hold the server with the defaults: headers
// have a time limit shorter than the idle timeout, and one address a share
// of the connections.
TEST(DefaultConfigTest, LimitsSlowAndGreedyClients) {
  const Config d = DefaultConfig();
  EXPECT_GE(d.header_timeout_s, 1);
  EXPECT_LT(d.header_timeout_s, d.connection_timeout_s);
  EXPECT_GE(d.connections_per_address, 1);
  EXPECT_LE(d.connections_per_address * 10, d.connection_limit);
}

TEST(LoadConfigTest, CommittedSampleGivesTheDefaults) {
  const std::string path = SHIORI_SOURCE_DIR "/conf/shiori.toml";
  auto c = LoadConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  ExpectGuideValues(*c);
  EXPECT_EQ(c->source, path);
  // On the configured calendar a loan never falls due while a branch is shut:
  // lent on 12-17, 14 days is 12-31, inside the year-end closure.
  for (const auto& b : c->rules.branches) {
    EXPECT_EQ(db::DueDate(*db::Date::Parse("2026-12-17"), b.closed, c->rules).ToString(),
              "2027-01-05")
        << b.code;
  }

  // The sample says "a missing key keeps the built-in default shown here":
  // every value it shows must be the default.
  const Config d = DefaultConfig();
  EXPECT_EQ(c->threads, d.threads);
  EXPECT_EQ(c->connection_limit, d.connection_limit);
  EXPECT_EQ(c->connection_timeout_s, d.connection_timeout_s);
  EXPECT_EQ(c->connections_per_address, d.connections_per_address);
  EXPECT_EQ(c->header_timeout_s, d.header_timeout_s);
  EXPECT_EQ(c->max_body_bytes, d.max_body_bytes);
  EXPECT_EQ(c->max_header_bytes, d.max_header_bytes);
  EXPECT_EQ(c->maintenance, d.maintenance);
  EXPECT_EQ(c->db_path, d.db_path);
  EXPECT_EQ(c->hashing.ops_limit, d.hashing.ops_limit);
  EXPECT_EQ(c->hashing.mem_limit, d.hashing.mem_limit);
  EXPECT_EQ(c->session_idle_minutes, d.session_idle_minutes);
  EXPECT_EQ(c->session_absolute_hours, d.session_absolute_hours);
  EXPECT_EQ(c->mail.from_name, d.mail.from_name);
  EXPECT_EQ(c->mail.host, d.mail.host);
  EXPECT_EQ(c->mail.port, d.mail.port);
  EXPECT_EQ(c->mail.security, d.mail.security);
  EXPECT_EQ(c->mail.user, d.mail.user);
  EXPECT_EQ(c->mail.password, d.mail.password);
  EXPECT_EQ(c->mail.helo, d.mail.helo);
  EXPECT_EQ(c->mail.site_url, d.mail.site_url);
  EXPECT_EQ(c->mail.send_interval_s, d.mail.send_interval_s);
  EXPECT_EQ(c->mail.give_up_after_s, d.mail.give_up_after_s);
  EXPECT_EQ(c->mail.timeout_s, d.mail.timeout_s);
  EXPECT_EQ(c->mail.carrier_domains, d.mail.carrier_domains);
  EXPECT_EQ(c->mail.lease_s, d.mail.lease_s);
  EXPECT_EQ(c->mail.limits.per_patron_hour, d.mail.limits.per_patron_hour);
  EXPECT_EQ(c->mail.limits.per_address_hour, d.mail.limits.per_address_hour);
  EXPECT_EQ(c->mail.confirm_valid_s, d.mail.confirm_valid_s);
}

// A temporary directory for configuration files, removed after each test.
class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = dir_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::string dir_;
};

TEST_F(ConfigFileTest, ReadsALibrarysOwnCalendar) {
  const std::string path = Write("own.toml",
                                 "[server]\n"
                                 "listen = \"[::1]:8081\"\n"
                                 "[staff]\n"
                                 "listen = \"192.0.2.10:9090\"\n"
                                 "idle_minutes = 15\n"
                                 "[loans]\n"
                                 "period_days = 21\n"
                                 "[passwords]\n"
                                 "argon2_ops = 1\n"
                                 "argon2_mem_kib = 8192\n"
                                 "[[branch]]\n"
                                 "code = \"noda\"\n"
                                 "name = \"野田図書館\"\n"
                                 "closed_weekdays = [\"日\", \"mon\"]\n"
                                 "closed_yearly = [\"08-15\", \"12-29/01-03\"]\n"
                                 "closed_dates = [\"2027-02-01/2027-02-05\", \"2027-03-10\"]\n");
  auto c = LoadConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->listen_host, "::1");
  EXPECT_EQ(c->listen_port, 8081);
  EXPECT_EQ(c->staff_listen_host, "192.0.2.10");
  EXPECT_EQ(c->staff_listen_port, 9090);
  EXPECT_EQ(c->staff_idle_minutes, 15);
  EXPECT_EQ(c->rules.loan_days, 21);
  EXPECT_EQ(c->hashing.ops_limit, 1u);
  EXPECT_EQ(c->hashing.mem_limit, 8192u << 10);
  // The file's branches replace the built-in ones.
  ASSERT_EQ(c->rules.branches.size(), 1u);
  const db::ClosedDays& closed = c->rules.branches[0].closed;
  struct Day {
    const char* date;
    bool closed;
  };
  const Day days[] = {
      {"2026-06-07", true},                          // Sunday
      {"2026-06-08", true},                          // Monday
      {"2026-06-09", false},                         // Tuesday
      {"2026-08-15", true},                          // Saturday, but 08-15 every year
      {"2026-08-14", false},                         // Friday
      {"2026-12-31", true},  {"2027-01-04", true},   // Monday after New Year
      {"2027-01-05", false}, {"2027-02-03", true},   // inside the dated range
      {"2027-02-05", true},  {"2027-02-06", false},  // Saturday after it
      {"2027-03-10", true},  {"2027-03-11", false},
  };
  for (const auto& d : days) {
    SCOPED_TRACE(d.date);
    auto date = db::Date::Parse(d.date);
    ASSERT_TRUE(date.has_value());
    EXPECT_EQ(closed.IsClosed(*date), d.closed);
  }
}

TEST_F(ConfigFileTest, MailSettingsAreTheSendersOwn) {
  const std::string path = Write("mail.toml",
                                 "[mail]\n"
                                 "smtp_host = \"relay.example.jp\"\n"
                                 "give_up_hours = 3\n"
                                 "send_interval = 30\n"
                                 "lease = 300\n"
                                 "notices_per_patron_hour = 4\n"
                                 "notices_per_address_hour = 2\n"
                                 "confirm_hours = 48\n"
                                 "carrier_domains = [\"docomo.ne.jp\", \"example.ne.jp\"]\n");
  auto c = LoadConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->mail.host, "relay.example.jp");
  EXPECT_EQ(c->mail.give_up_after_s, 3 * 3600);
  EXPECT_EQ(c->mail.send_interval_s, 30);
  EXPECT_EQ(c->mail.lease_s, 300);
  EXPECT_EQ(c->mail.limits.per_patron_hour, 4);
  EXPECT_EQ(c->mail.limits.per_address_hour, 2);
  EXPECT_EQ(c->mail.confirm_valid_s, 48 * 3600);
  EXPECT_EQ(c->mail.carrier_domains, (std::vector<std::string>{"docomo.ne.jp", "example.ne.jp"}));
  EXPECT_EQ(c->mail.from, mail::Settings().from);  // a key not given keeps its default
  // An empty list keeps the built-in carrier domains.
  auto empty = LoadConfig(Write("empty.toml", "[mail]\ncarrier_domains = []\n"));
  ASSERT_TRUE(empty.ok()) << empty.status().message();
  EXPECT_EQ(empty->mail.carrier_domains, mail::DefaultCarrierDomains());
}

struct BadFile {
  const char* what;
  const char* text;
  const char* want;  // expected right after the file's path in the message
};

const BadFile kBadFiles[] = {
    {"staff listen without a port",
     "[staff]\n"
     "listen = \"127.0.0.1\"\n",
     ":2: staff.listen: listen address must be HOST:PORT"},
    {"staff idle minutes out of range",
     "[staff]\n"
     "idle_minutes = 0\n",
     ":2: staff.idle_minutes: must be between 1 and 1440"},
    {"unknown key in [server]",
     "# shiori\n"
     "[server]\n"
     "lisen = \"127.0.0.1:8080\"\n",
     ":3: server.lisen: unknown key"},
    {"unknown section",
     "[server]\n"
     "threads = 2\n"
     "[sever]\n"
     "threads = 2\n",
     ":3: sever: unknown section"},
    {"wrong type",
     "[server]\n"
     "threads = \"two\"\n",
     ":2: server.threads: must be a whole number"},
    {"out of range",
     "[loans]\n"
     "max_renewals = 1\n"
     "period_days = 0\n",
     ":3: loans.period_days: must be between 1 and 365"},
    {"not a boolean",
     "[server]\n"
     "maintenance = \"yes\"\n",
     ":2: server.maintenance: must be true or false"},
    {"listen without a port",
     "[server]\n"
     "threads = 1\n"
     "listen = \"localhost\"\n",
     ":3: server.listen: listen address must be HOST:PORT"},
    {"listen port too large",
     "[server]\n"
     "listen = \"127.0.0.1:80800\"\n",
     ":2: server.listen: listen port must be a number"},
    {"bad weekday in a branch",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"中央図書館\"\n"
     "closed_weekdays = [\"mon\", \"monday\"]\n",
     ":4: branch.closed_weekdays: each entry must look like"},
    {"bad yearly range",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"中央図書館\"\n"
     "closed_weekdays = [\"mon\"]\n"
     "closed_yearly = [\"12-29/13-01\"]\n",
     ":5: branch.closed_yearly: each entry must look like"},
    {"yearly month 13",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"中央図書館\"\n"
     "closed_yearly = [\"13-01\"]\n",
     ":4: branch.closed_yearly: each entry must look like"},
    {"dated range backwards",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"中央図書館\"\n"
     "closed_dates = [\"2027-02-05/2027-02-01\"]\n",
     ":4: branch.closed_dates: each entry must look like"},
    {"branch code with capitals",
     "[[branch]]\n"
     "code = \"Chuo\"\n"
     "name = \"中央図書館\"\n",
     ":2: branch.code: must be lower-case ASCII"},
    {"branch without a name",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "\n"
     "[[branch]]\n"
     "code = \"noda\"\n",
     ":1: branch: needs both code and name"},
    {"duplicate branch code",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"中央図書館\"\n"
     "\n"
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"高尾野図書館\"\n",
     ":5: branch.code: 'chuo' is given twice"},
    {"unknown key in a branch",
     "[[branch]]\n"
     "code = \"chuo\"\n"
     "name = \"中央図書館\"\n"
     "closed = [\"mon\"]\n",
     ":4: branch.closed: unknown key"},
    {"header_timeout of zero",
     "[server]\n"
     "header_timeout = 0\n",
     ":2: server.header_timeout: must be between 1 and 3600"},
    {"connections_per_address below zero",
     "[server]\n"
     "connections_per_address = -1\n",
     ":2: server.connections_per_address: must be between 0 and 100000"},
    {"smtp_security not one of the list",
     "[mail]\n"
     "smtp_security = \"ssl\"\n",
     ":2: mail.smtp_security: must be one of none, starttls, tls"},
    {"a lease no longer than a send may take",
     "[mail]\n"
     "timeout = 20\n"
     "lease = 60\n",
     ":3: mail.lease: must be more than 3 * timeout (60 s)"},
    {"a timeout that outgrows the default lease",
     "[mail]\n"
     "timeout = 40\n",
     ":2: mail.timeout: 3 * timeout must be less than lease (120 s)"},
    {"min_length larger than max_length",
     "[passwords]\n"
     "min_length = 8\n"
     "max_length = 6\n",
     ":2: passwords.min_length: must not be larger than max_length"},
    // Only max_length is written, below the default minimum of 6: the message
    // must point at the line the librarian wrote, not at line 0.
    {"max_length alone below the default min_length",
     "[passwords]\n"
     "# shorter passwords for the trial\n"
     "max_length = 5\n",
     ":3: passwords."},
    {"TOML syntax error: unterminated string",
     "[server]\n"
     "threads = 2\n"
     "listen = \"127.0.0.1:8080\n"
     "[loans]\n",
     ":3: "},
    {"TOML syntax error: missing value",
     "[loans]\n"
     "period_days =\n",
     ":2: "},
};

TEST_F(ConfigFileTest, BadFilesAreRefusedWithFileLineAndKey) {
  int n = 0;
  for (const auto& b : kBadFiles) {
    SCOPED_TRACE(b.what);
    const std::string path = Write("bad" + std::to_string(n++) + ".toml", b.text);
    auto c = LoadConfig(path);
    ASSERT_FALSE(c.ok());
    const Status st = c.status();
    const std::string& msg = st.message();
    EXPECT_EQ(st.code(), Status::Code::kInvalid);
    EXPECT_NE(msg.find(path + b.want), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST_F(ConfigFileTest, MissingFileIsNamed) {
  const std::string path = dir_ + "/no-such.toml";
  auto c = LoadConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(path), std::string::npos) << c.status().message();
  EXPECT_EQ(c.status().message().find('\n'), std::string::npos) << c.status().message();
}

struct ListenCase {
  const char* input;
  bool ok;
  const char* host;
  int port;
};

const ListenCase kListenCases[] = {
    {"0.0.0.0:80", true, "0.0.0.0", 80},
    {"127.0.0.1:8080", true, "127.0.0.1", 8080},
    {"[::1]:8080", true, "::1", 8080},
    {"opac.example.jp:65535", true, "opac.example.jp", 65535},
    {"127.0.0.1:0", true, "127.0.0.1", 0},  // any free port
    {"8080", false, "", 0},
    {"host:", false, "", 0},
    {":8080", false, "", 0},
    {"host:99999", false, "", 0},
    {"host:65536", false, "", 0},
    {"host:99999999999999999999", false, "", 0},
    {"host:80a", false, "", 0},
    {"host:-80", false, "", 0},
    {"[::1]", false, "", 0},
    {"", false, "", 0},
};

// The staff pages' address takes the same forms and leaves the public one alone.
TEST(SetListenTest, StaffAddressIsItsOwn) {
  for (const auto& t : kListenCases) {
    SCOPED_TRACE(t.input);
    Config c = DefaultConfig();
    Status s = SetStaffListen(c, t.input);
    EXPECT_EQ(s.ok(), t.ok) << s.message();
    EXPECT_EQ(c.staff_listen_host, t.ok ? t.host : "127.0.0.1");
    EXPECT_EQ(c.staff_listen_port, t.ok ? t.port : 8081);
    EXPECT_EQ(c.listen_host, "127.0.0.1");
    EXPECT_EQ(c.listen_port, 8080);
  }
}

TEST(SetListenTest, Table) {
  for (const auto& t : kListenCases) {
    SCOPED_TRACE(t.input);
    Config c = DefaultConfig();
    Status s = SetListen(c, t.input);
    EXPECT_EQ(s.ok(), t.ok) << s.message();
    if (t.ok) {
      EXPECT_EQ(c.listen_host, t.host);
      EXPECT_EQ(c.listen_port, t.port);
    } else {
      // A refused address leaves the previous one in place.
      EXPECT_EQ(c.listen_host, "127.0.0.1");
      EXPECT_EQ(c.listen_port, 8080);
      EXPECT_FALSE(s.message().empty());
      EXPECT_EQ(s.message().find('\n'), std::string::npos);
    }
  }
}


// The address the per-address login limits count: a forged X-Forwarded-For
// from anyone but a listed proxy changes nothing.
TEST(ClientAddressTest, OnlyATrustedProxyNamesTheClient) {
  Config c = DefaultConfig();
  EXPECT_EQ(ClientAddress(c, "203.0.113.5", "198.51.100.1"), "203.0.113.5") << "none trusted";
  c.trusted_proxies = {"127.0.0.1"};
  EXPECT_EQ(ClientAddress(c, "203.0.113.5", "198.51.100.1"), "203.0.113.5") << "not a proxy";
  EXPECT_EQ(ClientAddress(c, "127.0.0.1", ""), "127.0.0.1");
  EXPECT_EQ(ClientAddress(c, "127.0.0.1", "198.51.100.1"), "198.51.100.1");
  // The proxy appends the address it saw: the last entry, whatever came before it.
  EXPECT_EQ(ClientAddress(c, "127.0.0.1", "10.0.0.1, 198.51.100.9 ,\t203.0.113.7 "), "203.0.113.7");
  EXPECT_EQ(ClientAddress(c, "127.0.0.1", "198.51.100.1, "), "127.0.0.1") << "an empty entry";
  EXPECT_EQ(ClientAddress(c, "127.0.0.1", std::string(65, '1')), "127.0.0.1") << "too long";
}

// Secure cookies: only a listed proxy says the client came over HTTPS.
TEST(ViaHttpsTest, OnlyATrustedProxySaysHttps) {
  Config c = DefaultConfig();
  EXPECT_FALSE(ViaHttps(c, "127.0.0.1", "https")) << "none trusted";
  c.trusted_proxies = {"127.0.0.1"};
  EXPECT_TRUE(ViaHttps(c, "127.0.0.1", "https"));
  EXPECT_FALSE(ViaHttps(c, "127.0.0.1", "http"));
  EXPECT_FALSE(ViaHttps(c, "127.0.0.1", ""));
  EXPECT_FALSE(ViaHttps(c, "203.0.113.5", "https")) << "not a proxy";
}

}  // namespace
}  // namespace shiori::gateway
