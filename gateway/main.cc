// shiori's command line: `serve` and the staff commands. Builds the
// application from the configuration and hands it down; no globals.
#include <signal.h>
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

#include "charset/charset.h"
#include "gateway/config.h"
#include "gateway/gateway.h"

namespace shiori::gateway {
namespace {

struct Options {
  std::string config;
  std::string db;
  std::string listen;
  bool demo = false;
  std::string backup_file;
  std::string maintenance;
};

int Fail(const std::string& msg) {
  std::fprintf(stderr, "shiori: %s\n", msg.c_str());
  return 1;
}

bool FileExists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

// Today's date for the library's rules: SHIORI_TODAY=YYYY-MM-DD when set (for
// tests and for re-running a missed daily job), else the local calendar date.
Result<db::Date> Today() {
  if (const char* env = std::getenv("SHIORI_TODAY"); env && *env) {
    auto d = db::Date::Parse(env);
    if (!d) return Status::Invalid(std::string("SHIORI_TODAY must be YYYY-MM-DD, not '") + env + "'");
    return *d;
  }
  std::time_t now = std::time(nullptr);
  std::tm tm;
  localtime_r(&now, &tm);
  return db::Date{tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday};
}

Result<Config> BuildConfig(const Options& o) {
  Result<Config> c = o.config.empty() ? Result<Config>(DefaultConfig()) : LoadConfig(o.config);
  if (!c.ok()) return c;
  if (!o.db.empty()) c->db_path = o.db;
  if (!o.listen.empty()) SHIORI_RETURN_IF_ERROR(SetListen(*c, o.listen));
  return c;
}

// Opens an existing database for a staff command and brings its schema up to date.
Result<std::unique_ptr<db::Connection>> OpenExisting(const Config& c) {
  if (!FileExists(c.db_path)) return Status::NotFound(c.db_path + ": no such database file");
  db::OpenOptions opt;
  opt.create = false;
  auto conn = db::Connection::Open(c.db_path, opt);
  if (!conn.ok()) return conn.status();
  SHIORI_RETURN_IF_ERROR(db::Migrate(**conn));
  return conn;
}

int Serve(const Options& o) {
  auto cfg = BuildConfig(o);
  if (!cfg.ok()) return Fail(cfg.status().message());
  if (Status cs = charset::CheckSjisSupport(); !cs.ok()) return Fail(cs.message());
  const bool existed = FileExists(cfg->db_path);
  {
    auto conn = db::Connection::Open(cfg->db_path);
    if (!conn.ok()) return Fail(conn.status().message());
    Status s = db::Migrate(**conn);
    if (!s.ok()) return Fail(s.message());
    s = db::SyncBranches(**conn, cfg->rules);
    if (!s.ok()) return Fail(s.message());
    if (!existed && o.demo) {
      auto today = Today();
      if (!today.ok()) return Fail(today.status().message());
      auto accounts = db::CreateDemoLibrary(**conn, cfg->rules, *today, cfg->hashing);
      if (!accounts.ok()) return Fail(accounts.status().message());
      std::printf("shiori: created the demo library in %s\n", cfg->db_path.c_str());
      std::printf("demo accounts (card number / password):\n");
      for (const auto& a : *accounts) {
        std::printf("  %s / %-9s %s (%s, tel %s) - %s\n", a.card.c_str(),
                    a.password.empty() ? "(none)" : a.password.c_str(), a.name_kana.c_str(),
                    a.email.empty() ? "no e-mail" : a.email.c_str(), a.phone.c_str(),
                    a.what.c_str());
      }
    } else if (!existed) {
      std::printf("shiori: created an empty database in %s\n", cfg->db_path.c_str());
    }
  }
  const int threads = cfg->threads > 0 ? cfg->threads
                                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto pool = db::Pool::Open(cfg->db_path, threads + 1);
  if (!pool.ok()) return Fail(pool.status().message());

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  App app(*cfg, std::move(pool).value());
  Server server(app, *cfg);
  Status s = server.Start();
  if (!s.ok()) return Fail(s.message());
  std::printf("shiori: listening on http://%s:%d/\n", cfg->listen_host.c_str(), server.port());
  std::fflush(stdout);

  int sig = 0;
  sigwait(&stop, &sig);
  std::fprintf(stderr, "shiori: %s received, finishing requests in flight\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.Shutdown(cfg->connection_timeout_s);
  std::fprintf(stderr, "shiori: stopped\n");
  return 0;
}

int Maintenance(const Options& o) {
  auto cfg = BuildConfig(o);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto conn = OpenExisting(*cfg);
  if (!conn.ok()) return Fail(conn.status().message());
  const bool on = o.maintenance == "on";
  Status s = db::SetMaintenance(**conn, on);
  if (!s.ok()) return Fail(s.message());
  std::printf(on ? "maintenance on: public pages answer 503; staff commands keep working\n"
                 : "maintenance off: the public service is open\n");
  return 0;
}

int Backup(const Options& o) {
  auto cfg = BuildConfig(o);
  if (!cfg.ok()) return Fail(cfg.status().message());
  auto conn = OpenExisting(*cfg);
  if (!conn.ok()) return Fail(conn.status().message());
  if (FileExists(o.backup_file) && o.backup_file == cfg->db_path) {
    return Fail("the backup must not overwrite the database itself");
  }
  Status s = db::Backup(**conn, o.backup_file);
  if (!s.ok()) return Fail(s.message());
  std::printf("backup written to %s\n", o.backup_file.c_str());
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"shiori: the online catalogue (OPAC) of a small library"};
  app.require_subcommand(1);
  app.add_option("--config", o.config, "configuration file (TOML)")->check(CLI::ExistingFile);
  app.add_option("--db", o.db, "database file (overrides the configuration)");

  auto* serve = app.add_subcommand("serve", "serve the catalogue over HTTP");
  serve->fallthrough();
  serve->add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_flag("--demo", o.demo, "create the demo library when the database file is missing");

  auto* maint = app.add_subcommand("maintenance", "switch the public service off (on) or back (off)");
  maint->fallthrough();
  maint->add_option("state", o.maintenance, "on or off")
      ->required()
      ->check(CLI::IsMember({"on", "off"}));

  auto* backup = app.add_subcommand("backup", "copy the database while it is in use");
  backup->fallthrough();
  backup->add_option("file", o.backup_file, "where to write the copy")->required();

  // CLI11 reports a mistyped command as "a subcommand is required": name it instead.
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--config" || a == "--db") {
      ++i;
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    bool known = false;
    for (const auto* sc : app.get_subcommands([](const CLI::App*) { return true; })) {
      known = known || sc->get_name() == a;
    }
    if (!known) {
      std::fprintf(stderr, "shiori: unknown command '%s' (commands: serve, maintenance, backup)\n",
                   argv[i]);
      return 2;
    }
    break;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (auto& c : msg) {
      if (c == '\n') c = ' ';
    }
    std::fprintf(stderr, "shiori: %s (see shiori --help)\n", msg.c_str());
    return 2;
  }
  if (*serve) return Serve(o);
  if (*maint) return Maintenance(o);
  if (*backup) return Backup(o);
  return 2;
}

}  // namespace shiori::gateway

int main(int argc, char** argv) { return shiori::gateway::Main(argc, argv); }
