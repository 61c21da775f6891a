// shiori's command line: `serve` and the staff commands. Builds the
// application from the configuration and hands it down; no globals.
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "charset/charset.h"
#include "db/circ.h"
#include "db/demo.h"
#include "db/import.h"
#include "db/outbox.h"
#include "db/patron.h"
#include "db/patron_admin.h"
#include "db/schema.h"
#include "db/session.h"
#include "db/sqlite.h"
#include "db/staff.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/gateway.h"
#include "mail/mail.h"

namespace shiori::gateway {
namespace {

struct Options {
  std::string config;
  std::string db;
  std::string listen, staff_listen;
  bool demo = false;
  std::string backup_file;
  std::string maintenance;
  std::string import_file;
  std::string import_format = "auto";
  db::PatronInput patron;
  std::string unlock_card;
  std::string patron_card, new_card, block_reason, find_query;
  std::string circ_card, circ_item, circ_branch;
  int64_t hold_id = 0;
  db::StaffInput staff;  // `staff add|passwd|disable LOGIN`
};

// Staff commands print text from the catalogue, the patrons' records and the
// files they import: every line goes out through charset::ForTerminal, so a
// control character in it (an ESC that would recolour the terminal, a bidi
// override that reorders the line) is shown as an escape instead of acting.
void Out(const std::string& line) { std::printf("%s\n", charset::ForTerminal(line).c_str()); }
void Err(const std::string& line) {
  std::fprintf(stderr, "%s\n", charset::ForTerminal(line).c_str());
}

int Fail(const std::string& msg) {
  Err("shiori: " + msg);
  return 1;
}

bool FileExists(const std::string& p) {
  struct stat st;
  return stat(p.c_str(), &st) == 0;
}

Result<Config> BuildConfig(const Options& o) {
  Result<Config> c = o.config.empty() ? Result<Config>(DefaultConfig()) : LoadConfig(o.config);
  if (!c.ok()) return c;
  if (!o.db.empty()) c->db_path = o.db;
  if (!o.listen.empty()) SHIORI_RETURN_IF_ERROR(SetListen(*c, o.listen));
  if (!o.staff_listen.empty()) SHIORI_RETURN_IF_ERROR(SetStaffListen(*c, o.staff_listen));
  return c;
}

// Opens the library's database (creating the file when `create`), brings its
// schema up to date and its branches in line with the configuration: what
// init, serve and every staff command start from.
Result<std::unique_ptr<db::Connection>> OpenLibrary(const Config& c, bool create) {
  db::OpenOptions opt;
  opt.create = create;
  auto conn = db::Connection::Open(c.db_path, opt);
  if (!conn.ok()) return conn.status();
  SHIORI_RETURN_IF_ERROR(db::Migrate(**conn));
  SHIORI_RETURN_IF_ERROR(db::SyncBranches(**conn, c.rules));
  return conn;
}

// The server's notice sender: every `mail.send_interval_s` it drains the outbox on
// a connection of its own and logs one line per notice on stderr.
class NoticeSender {
 public:
  NoticeSender(const Config& cfg, const Clock& clock) : cfg_(cfg), clock_(clock) {
    thread_ = std::thread([this] { Run(); });
  }
  ~NoticeSender() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  void Run() {
    db::OpenOptions opt;
    opt.create = false;
    auto conn = db::Connection::Open(cfg_.db_path, opt);
    if (!conn.ok()) {
      Err("shiori: mail: " + conn.status().message());
      return;
    }
    std::unique_lock<std::mutex> lock(mu_);
    while (!stop_) {
      lock.unlock();
      std::vector<std::string> log;
      auto r = mail::SendPending(
          **conn, cfg_.mail, cfg_.rules.library_name, cfg_.rules, [this] { return clock_.Now(); },
          SystemRandom(), &log);
      for (const auto& line : log) Err("shiori: mail: " + line);
      if (!r.ok()) Err("shiori: mail: " + r.status().message());
      lock.lock();
      cv_.wait_for(lock, std::chrono::seconds(cfg_.mail.send_interval_s), [this] { return stop_; });
    }
  }

  const Config& cfg_;
  const Clock& clock_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

// What a staff command works on: the configuration and the existing,
// migrated database with the configured branches.
struct StaffContext {
  Config cfg;
  std::unique_ptr<db::Connection> conn;
};

Result<StaffContext> OpenStaff(const Options& o) {
  auto cfg = BuildConfig(o);
  if (!cfg.ok()) return cfg.status();
  if (!FileExists(cfg->db_path)) {
    return Status::NotFound(cfg->db_path +
                            ": no such database file (create it with `shiori init`, with the "
                            "same --config or --db)");
  }
  auto conn = OpenLibrary(*cfg, false);
  if (!conn.ok()) return conn.status();
  return StaffContext{std::move(cfg).value(), std::move(conn).value()};
}

// `shiori init`: a new, empty database with the configured branches, ready for
// `import catalog` and `patron import`. Never touches an existing file.
int Init(const Options& o) {
  auto cfg = BuildConfig(o);
  if (!cfg.ok()) return Fail(cfg.status().message());
  if (FileExists(cfg->db_path)) {
    return Fail(cfg->db_path +
                ": already exists; init only creates a new database (nothing changed)");
  }
  auto conn = OpenLibrary(*cfg, true);
  if (!conn.ok()) {
    // Leave no half-made file behind: the next init starts clean.
    for (const char* suffix : {"", "-wal", "-shm"}) std::remove((cfg->db_path + suffix).c_str());
    return Fail(conn.status().message());
  }
  std::string line = "created an empty database in " + cfg->db_path + " with " +
                     std::to_string(cfg->rules.branches.size()) + " branches:";
  for (const auto& b : cfg->rules.branches) line += " " + b.code + " (" + b.name + ")";
  Out(line);
  Out("next: shiori import catalog FILE, shiori patron import FILE.tsv, shiori serve");
  return 0;
}

int MailCommand(const Options& o, const Clock& clock, bool send) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  if (send) {
    std::vector<std::string> log;
    auto r = mail::SendPending(
        *staff->conn, staff->cfg.mail, staff->cfg.rules.library_name, staff->cfg.rules,
        [&clock] { return clock.Now(); }, SystemRandom(), &log);
    for (const auto& line : log) Out(line);
    if (!r.ok()) return Fail(r.status().message());
    std::printf("%d sent, %d to retry, %d failed", r->sent, r->retried, r->failed);
    if (r->errors) std::printf(", %d not recorded (see above)", r->errors);
    std::printf("\n");
    return r->errors ? 1 : 0;
  }
  auto rows = db::OutboxStatus(*staff->conn);
  if (!rows.ok()) return Fail(rows.status().message());
  for (const auto& n : *rows) {
    // The card number is the patron's: only its last digits.
    const std::string tail = n.card.substr(n.card.size() > 4 ? n.card.size() - 4 : 0);
    Out(std::to_string(n.id) + " " + n.status + " " + n.kind + " card ..." + tail + " attempts " +
        std::to_string(n.attempts) + (n.last_error.empty() ? "" : ": ") + n.last_error);
  }
  if (rows->empty()) std::printf("no notices pending or failed\n");
  return 0;
}

int Serve(const Options& o, const Clock& clock) {
  auto cfg = BuildConfig(o);
  if (!cfg.ok()) return Fail(cfg.status().message());
  if (Status cs = charset::CheckSjisSupport(); !cs.ok()) return Fail(cs.message());
  const bool existed = FileExists(cfg->db_path);
  {
    auto conn = OpenLibrary(*cfg, true);
    if (!conn.ok()) return Fail(conn.status().message());
    if (!existed && o.demo) {
      auto accounts = db::CreateDemoLibrary(**conn, cfg->rules, clock.Today(), cfg->hashing);
      if (!accounts.ok()) return Fail(accounts.status().message());
      Out("shiori: created the demo library in " + cfg->db_path);
      Out("demo accounts (card number / password):");
      for (const auto& a : *accounts) {
        char password[32];
        std::snprintf(password, sizeof password, "%-9s",
                      a.password.empty() ? "(none)" : a.password.c_str());
        Out("  " + a.card + " / " + password + " " + a.name_kana + " (" +
            (a.email.empty() ? "no e-mail" : a.email) + ", tel " + a.phone + ") - " + a.what);
      }
      auto staff = db::CreateDemoStaff(**conn, cfg->hashing, clock.Now());
      if (!staff.ok()) return Fail(staff.status().message());
      Out("demo staff for the staff pages at /staff (login / password):");
      for (const auto& m : *staff) {
        Out("  " + m.login + " / " + m.password + " " + m.name + " (" + m.role + ")");
      }
    } else if (!existed) {
      Out("shiori: created an empty database in " + cfg->db_path);
    }
  }
  const int threads = cfg->threads > 0
                          ? cfg->threads
                          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  // One pool for both listeners, each with `threads` threads.
  auto pool = db::Pool::Open(cfg->db_path, 2 * threads + 1);
  if (!pool.ok()) return Fail(pool.status().message());

  // Block the stop signals before any thread starts, so only sigwait sees them.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGINT);
  sigaddset(&stop, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  signal(SIGPIPE, SIG_IGN);

  App app(*cfg, **pool, clock, SystemRandom());
  StaffApp staff_app(*cfg, **pool, clock, SystemRandom());
  Server server(app, *cfg, cfg->listen_host, cfg->listen_port);
  Status s = server.Start();
  if (!s.ok()) return Fail(s.message());
  // The back office on its own listener, after the public one.
  Server staff_server(staff_app, *cfg, cfg->staff_listen_host, cfg->staff_listen_port);
  s = staff_server.Start();
  if (!s.ok()) return Fail("staff pages ([staff] listen): " + s.message());
  Out("shiori: listening on http://" + cfg->listen_host + ":" + std::to_string(server.port()) +
      "/");
  Out("shiori: staff pages on http://" + cfg->staff_listen_host + ":" +
      std::to_string(staff_server.port()) + "/staff");
  std::fflush(stdout);
  NoticeSender mailer(*cfg, clock);

  int sig = 0;
  sigwait(&stop, &sig);
  std::fprintf(stderr, "shiori: %s received, finishing requests in flight\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  staff_server.Shutdown(cfg->connection_timeout_s);
  server.Shutdown(cfg->connection_timeout_s);
  std::fprintf(stderr, "shiori: stopped\n");
  return 0;
}

int Maintenance(const Options& o, const Clock& clock) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  std::unique_ptr<db::Connection>* conn = &staff->conn;
  if (o.maintenance == "vacuum") {
    // Timed-out sessions go first (in batches), then the file is rewritten.
    auto purged = db::PurgeSessions(**conn, clock.Now(), SessionLimitsOf(staff->cfg));
    if (!purged.ok()) return Fail(purged.status().message());
    auto size = db::Vacuum(**conn);
    if (!size.ok()) return Fail(size.status().message());
    std::printf("vacuum: %d timed-out sessions removed; the file went from %lld to %lld bytes\n",
                *purged, static_cast<long long>(size->before), static_cast<long long>(size->after));
    return 0;
  }
  const bool on = o.maintenance == "on";
  Status s = db::SetMaintenance(**conn, on);
  if (!s.ok()) return Fail(s.message());
  std::printf(on ? "maintenance on: public pages answer 503; staff commands keep working\n"
                 : "maintenance off: the public service is open\n");
  return 0;
}

int Backup(const Options& o) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  const Config* cfg = &staff->cfg;
  std::unique_ptr<db::Connection>* conn = &staff->conn;
  if (FileExists(o.backup_file) && o.backup_file == cfg->db_path) {
    return Fail("the backup must not overwrite the database itself");
  }
  Status s = db::Backup(**conn, o.backup_file);
  if (!s.ok()) return Fail(s.message());
  Out("backup written to " + o.backup_file);
  return 0;
}

int ImportCatalogCommand(const Options& o) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  std::unique_ptr<db::Connection>* conn = &staff->conn;
  const db::ImportFormat format = o.import_format == "tsv"       ? db::ImportFormat::kTsv
                                  : o.import_format == "marc"    ? db::ImportFormat::kMarc21
                                  : o.import_format == "marcxml" ? db::ImportFormat::kMarcXml
                                                                 : db::ImportFormat::kAuto;
  // Progress on a terminal only: records done, rate, time left.
  const bool tty = isatty(STDERR_FILENO);
  const auto start = std::chrono::steady_clock::now();
  auto progress = [&](int done, double fraction) {
    if (!tty) return;
    const double secs =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const double rate = secs > 0 ? done / secs : 0;
    const double left = fraction > 0 ? secs * (1 - fraction) / fraction : 0;
    std::fprintf(stderr, "\r%d records, %.0f/s, %3.0f%% read, about %.0f s left   ", done, rate,
                 fraction * 100, left);
  };
  db::ImportReport report;
  Status s = db::ImportCatalog(**conn, o.import_file, format, &report, progress);
  if (tty) std::fprintf(stderr, "\n");
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // FILE:N: reason — N is the line (TSV) or the record number (MARC), as
  // docs/import-formats.md says; a problem of the file as a whole has none.
  // The warnings first (values cleaned or left out, records skipped),
  // whatever the outcome.
  auto where = [&](int n) { return o.import_file + (n ? ":" + std::to_string(n) : "") + ": "; };
  for (const auto& w : report.warnings) Err(where(w.record) + "warning: " + w.reason);
  if (!s.ok()) {
    for (const auto& p : report.problems) Err(where(p.record) + p.reason);
    return Fail(s.message() + " (nothing was imported)");
  }
  char took[32];
  std::snprintf(took, sizeof took, "%.1f", secs);
  const size_t warnings = report.warnings.size();
  Out(o.import_file + ": " + std::to_string(report.records) + " records (" +
      std::to_string(report.inserted) + " new, " + std::to_string(report.updated) + " updated, " +
      std::to_string(report.skipped) + " skipped), " + std::to_string(report.copies) +
      " copies in " + took + " s, " + std::to_string(warnings) +
      (warnings == 1 ? " warning" : " warnings"));
  return 0;
}

int PatronAddCommand(const Options& o) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  std::unique_ptr<db::Connection>* conn = &staff->conn;
  db::Transaction tx(**conn);
  if (!tx.begun().ok()) return Fail(tx.begun().message());
  auto r = db::UpsertPatron(**conn, o.patron);
  if (!r.ok()) return Fail(r.status().message());
  if (Status s = tx.Commit(); !s.ok()) return Fail(s.message());
  // The card number is the patron's: show only its last digits.
  const std::string& card = o.patron.card;
  Out(std::string("patron ") + (*r == db::Upserted::kInserted ? "added" : "updated") +
      ": card ..." + card.substr(card.size() > 4 ? card.size() - 4 : 0));
  return 0;
}

int PatronUnlockCommand(const Options& o, const Clock& clock) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  auto n = db::UnlockCard(*staff->conn, o.unlock_card, clock.Now());
  if (!n.ok()) return Fail(n.status().message());
  const std::string card = charset::NormalizeDigits(o.unlock_card);  // only its last digits shown
  Out("card ..." + card.substr(card.size() > 4 ? card.size() - 4 : 0) + ": " +
      (*n > 0 ? "unlocked (failed logins and registrations forgotten)"
              : "was not locked (no failures counted)"));
  return 0;
}

// ---------------------------------------------------------------- patron administration
// `patron block`, `unblock`, `replace`, `find`: the back office's functions
// (db/patron_admin.h), one line per change, and one audit row per command.

// A card number as the terminal shows it outside `patron find`: its last digits.
std::string CardTail(const std::string& card) {
  return "..." + card.substr(card.size() > 4 ? card.size() - 4 : 0);
}

// Who runs a staff command, for the audit: "cli:" and the system user.
std::string CommandUser() {
  const uid_t uid = geteuid();
  passwd pw;
  passwd* found = nullptr;
  char buf[1024];
  if (getpwuid_r(uid, &pw, buf, sizeof buf, &found) == 0 && found && found->pw_name) {
    return std::string("cli:") + found->pw_name;
  }
  return "cli:" + std::to_string(uid);
}

// One row of the `audit` table for a staff command (db::RecordAudit): by
// CommandUser, outcome "ok" or the refusal as printed; what the command was
// given is kept with its control characters as visible escapes
// (charset::ForTerminal), as any terminal would be shown them. A row that
// cannot be written is said on stderr and makes the exit non-zero (the
// change itself stays made). Returns `exit_code` otherwise.
int AuditCli(db::Connection& c, const Clock& clock, const std::string& action,
             const std::string& card, const Status& outcome, const std::string& detail,
             int exit_code, const std::string& barcode = "") {
  db::AuditEntry e;
  e.at = clock.Now();
  e.staff = CommandUser();
  e.action = action;
  e.card = card;
  e.barcode = charset::ForTerminal(barcode);
  e.outcome = outcome.ok() ? std::string("ok") : charset::ForTerminal(outcome.message());
  e.detail = charset::ForTerminal(detail);
  Status st = db::RecordAudit(c, e);
  if (st.ok()) return exit_code;
  Err("shiori: audit: the row for " + action + " was not written: " + st.message());
  return 1;
}

int PatronBlockCommand(const Options& o, const Clock& clock, bool block) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  db::Connection& c = *staff->conn;
  const std::string card = charset::NormalizeDigits(o.patron_card);
  auto p = db::CardHolder(c, card);
  Status s = !p.ok() ? p.status()
             : block ? db::BlockPatron(c, p->id, o.block_reason)
                     : db::UnblockPatron(c, p->id);
  // The audit keeps the reason given, or the one an unblock took away.
  std::string detail(charset::Trim(o.block_reason));
  if (!block && p.ok() && !p->block_reason.empty()) detail = "was: " + p->block_reason;
  if (!s.ok()) {
    Fail(s.message());
    return AuditCli(c, clock, block ? "patron_block" : "patron_unblock", card, s, detail, 1);
  }
  Out("card " + CardTail(card) +
      (block ? ": blocked (no login, password registration, holds or loans); its sessions ended"
             : ": unblocked; the card works again"));
  return AuditCli(c, clock, block ? "patron_block" : "patron_unblock", card, s, detail, 0);
}

int PatronReplaceCommand(const Options& o, const Clock& clock) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  db::Connection& c = *staff->conn;
  const std::string old = charset::NormalizeDigits(o.patron_card);
  const std::string next(charset::Trim(o.new_card));
  auto id = db::ReplaceCard(c, old, next, clock.Now());
  if (!id.ok()) {
    Fail(id.status().message());
    return AuditCli(c, clock, "patron_replace", old, id.status(), "new card " + next, 1);
  }
  Out("card " + CardTail(old) + " replaced by " + CardTail(next) + " (patron " +
      std::to_string(*id) + "); the old number no longer works and the patron's sessions ended");
  return AuditCli(c, clock, "patron_replace", old, Status::Ok(), "new card " + next, 0);
}

// One patron as `patron find` prints it: the full card number (staff at the
// terminal need it), and what the counter asks about.
std::string PatronLine(const db::PatronRow& p) {
  std::string line = "id " + std::to_string(p.id) + "  card " + p.card + "  " + p.name_kana +
                     "  tel " + p.phone + "  mail " + (p.email.empty() ? "-" : p.email) +
                     "  home " + (p.home_branch.empty() ? "-" : p.home_branch) + "  " + p.status;
  if (!p.block_reason.empty()) line += " (" + p.block_reason + ")";
  return line + (p.has_password ? "  password registered" : "  no password");
}

int PatronFindCommand(const Options& o, const Clock& clock) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  db::Connection& c = *staff->conn;
  const std::string digits = charset::NormalizeDigits(o.find_query);
  auto m = db::FindPatrons(c, o.find_query);
  const std::string query(charset::Trim(o.find_query));
  const std::string detail = "query " + query;
  if (!m.ok()) {
    Fail(m.status().message());
    return AuditCli(c, clock, "patron_find", digits, m.status(), detail, 1);
  }
  std::vector<db::PatronRow> rows = std::move(m->rows);
  if (rows.empty() && !digits.empty()) {
    // An old number: say so, and show who holds the card now.
    auto r = db::ReplacedCardOf(c, digits);
    if (!r.ok()) return Fail(r.status().message());
    if (r->has_value()) {
      auto p = db::FindPatronById(c, (*r)->patron_id);
      if (!p.ok()) return Fail(p.status().message());
      if (p->has_value()) {
        Out("card " + digits + ": " + db::kCardReplaced + " now card " + (*p)->card);
        rows.push_back(std::move(**p));
      }
    }
  }
  if (rows.empty()) {
    const Status none = Status::NotFound("no patron found for '" + query + "'");
    Fail(none.message());
    return AuditCli(c, clock, "patron_find", digits, none, detail + ": 0 found", 1);
  }
  for (const auto& p : rows) Out(PatronLine(p));
  if (m->more) {
    Out("(more than " + std::to_string(db::kPatronFindLimit) +
        " patrons match: type more of the name)");
  }
  return AuditCli(c, clock, "patron_find", digits, Status::Ok(),
                  detail + ": " + std::to_string(rows.size()) + (m->more ? "+" : "") + " found", 0);
}

int PatronImportCommand(const Options& o) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  std::unique_ptr<db::Connection>* conn = &staff->conn;
  db::ImportReport report;
  Status s = db::ImportPatrons(**conn, o.import_file, &report);
  if (!s.ok()) {
    for (const auto& p : report.problems) {
      Err(o.import_file + ":" + std::to_string(p.record) + ": " + p.reason);
    }
    return Fail(s.message() + " (nothing was imported)");
  }
  Out(o.import_file + ": " + std::to_string(report.records) + " patrons (" +
      std::to_string(report.inserted) + " new, " + std::to_string(report.updated) + " updated)");
  return 0;
}

// `shiori circ ...` and `shiori hold cancel`: one line per change on stdout,
// a one-line refusal on stderr. They call the functions the staff pages call.
int CircCommand(const Options& o, const Clock& clock, const std::string& what) {
  auto staff = OpenStaff(o);
  if (!staff.ok()) return Fail(staff.status().message());
  const Config* cfg = &staff->cfg;
  db::Connection& conn = *staff->conn;
  const db::Date today = clock.Today();
  std::vector<std::string> log;
  Status s;
  auto counter = [&](Result<db::CounterResult> r) {
    if (r.ok()) {
      log = std::move(r->lines);
    } else {
      s = r.status();
    }
  };
  if (what == "checkout") {
    counter(db::Checkout(conn, o.circ_card, o.circ_item, o.circ_branch, today, cfg->rules));
  } else if (what == "checkin") {
    counter(db::Checkin(conn, o.circ_item, o.circ_branch, today, cfg->rules));
  } else if (what == "receive") {
    counter(db::ReceiveTransit(conn, o.circ_item, o.circ_branch, today, cfg->rules));
  } else if (what == "ready") {
    counter(db::PullForHold(conn, o.circ_item, o.circ_branch, today, cfg->rules));
  } else if (what == "renew") {
    auto r = db::RenewAtCounter(conn, o.circ_item, today, cfg->rules);
    if (r.ok()) {
      log.push_back("延長: " + r->copy.barcode + " 「" + r->copy.title + "」 新しい返却期限 " +
                    r->due_on);
    } else {
      s = r.status();
    }
  } else if (what == "cancel") {
    s = db::CancelHoldAtCounter(conn, o.hold_id, today, cfg->rules);
    if (s.ok()) log.push_back("予約" + std::to_string(o.hold_id) + "を取り消しました。");
  } else {
    auto r = db::DailyRun(conn, today, cfg->rules);
    if (r.ok()) {
      log = std::move(*r);
      // Failed-login counters whose lock time is over are no longer needed.
      auto n = db::PurgeAuthFailures(conn, ThrottleOf(*cfg), clock.Now());
      if (!n.ok()) {
        s = n.status();
      } else if (*n > 0) {
        log.push_back("forgot " + std::to_string(*n) +
                      " failed-login counters past their lock time");
      }
    } else {
      s = r.status();
    }
  }
  for (const auto& line : log) Out(line);
  std::string detail;
  for (const auto& line : log) detail += (detail.empty() ? "" : " / ") + line;
  if (!o.circ_branch.empty())
    detail = "館 " + o.circ_branch + (detail.empty() ? "" : ": ") + detail;
  const std::string action = what == "ready" ? "pull" : what == "cancel" ? "hold_cancel" : what;
  const std::string barcode = what == "daily" || what == "cancel" ? "" : o.circ_item;
  if (what == "cancel")
    detail = "予約" + std::to_string(o.hold_id) + (detail.empty() ? "" : " / ") + detail;
  // The daily run is the library's own job, not a member's action: not audited.
  int code = s.ok() ? 0 : 1;
  if (what != "daily") code = AuditCli(conn, clock, action, o.circ_card, s, detail, code, barcode);
  if (!s.ok()) return Fail(s.message());
  if (log.empty()) std::printf("nothing to do\n");
  return code;
}

// Who runs a command, as the audit names them: "cli:" and the system user.
// One line typed on the terminal without echo, after `prompt` on stderr.
std::string ReadHidden(const char* prompt) {
  std::fprintf(stderr, "%s", prompt);
  std::fflush(stderr);
  termios old{};
  const bool quiet = tcgetattr(STDIN_FILENO, &old) == 0;
  if (quiet) {
    termios silent = old;
    silent.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
  }
  std::string line;
  std::getline(std::cin, line);
  if (quiet) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::fprintf(stderr, "\n");
  return line;
}

// A new staff password: asked twice without echo on a terminal; else the
// first line of stdin (scripts, tests), without its line end.
Result<std::string> ReadNewPassword() {
  if (isatty(STDIN_FILENO)) {
    const std::string first = ReadHidden("新しいパスワード（10文字以上）: ");
    if (ReadHidden("もう一度入力してください: ") != first) {
      return Status::Invalid("2回のパスワードが一致しません。");
    }
    return first;
  }
  std::string line;
  if (!std::getline(std::cin, line)) {
    return Status::Invalid("パスワードを標準入力の1行目に書いてください。");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

// `shiori staff add|passwd|disable LOGIN`: one line on a change, a one-line
// refusal on stderr; every attempt that reaches the database is audited.
int StaffCommand(const Options& o, const Clock& clock, const std::string& what) {
  auto lib = OpenStaff(o);
  if (!lib.ok()) return Fail(lib.status().message());
  db::Connection& conn = *lib->conn;
  const std::string login = db::NormalizeStaffLogin(o.staff.login);
  db::AuditEntry e;
  e.at = clock.Now();
  e.staff = CommandUser();
  e.action = "staff_" + what;
  e.detail = "職員ID " + login;
  std::string done;
  Status s;
  if (what == "disable") {
    auto changed = db::DisableStaff(conn, login, e.at);
    s = changed.status();
    if (s.ok())
      done = "staff " + login +
             (*changed ? ": disabled, its sessions ended" : ": was disabled already");
  } else {
    // Whatever would refuse the change is told before a password is asked for.
    if (what == "add") {
      e.detail += "、氏名 " + o.staff.name + "、権限 " + o.staff.role;
      s = db::CheckNewStaff(conn, o.staff);
    } else {
      auto found = db::FindStaff(conn, login);
      s = !found.ok()          ? found.status()
          : found->has_value() ? Status::Ok()
                               : Status::NotFound(db::kStaffUnknownLogin);
    }
    if (s.ok()) {
      auto password = ReadNewPassword();
      s = password.status();
      if (s.ok() && what == "add") {
        s = db::AddStaff(conn, o.staff, *password, lib->cfg.hashing, e.at).status();
        done = "staff added: " + login + " (" + o.staff.role + ")";
      } else if (s.ok()) {
        s = db::SetStaffPassword(conn, login, *password, lib->cfg.hashing, e.at);
        done = "staff " + login + ": password changed, its sessions ended";
      }
    }
  }
  e.outcome = db::AuditOutcome(s);
  if (Status a = db::RecordAudit(conn, e); !a.ok())
    Err("shiori: audit not written: " + a.message());
  if (!s.ok()) return Fail(s.message());
  Out(done);
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  Options o;
  CLI::App app{"shiori: the online catalogue (OPAC) of a small library"};
  app.require_subcommand(1);
  app.add_option("--config", o.config, "configuration file (TOML)")->check(CLI::ExistingFile);
  app.add_option("--db", o.db, "database file (overrides the configuration)");

  auto* init = app.add_subcommand("init", "create a new, empty database for the library");
  init->fallthrough();

  auto* serve = app.add_subcommand("serve", "serve the catalogue over HTTP");
  serve->fallthrough();
  serve->add_option("--listen", o.listen, "HOST:PORT to listen on (default 127.0.0.1:8080)");
  serve->add_option("--staff-listen", o.staff_listen,
                    "HOST:PORT of the staff pages (default 127.0.0.1:8081)");
  serve->add_flag("--demo", o.demo, "create the demo library when the database file is missing");

  auto* maint =
      app.add_subcommand("maintenance",
                         "switch the public service off (on) or back (off), or shrink the "
                         "database file (vacuum)");
  maint->fallthrough();
  maint->add_option("state", o.maintenance, "on, off or vacuum")
      ->required()
      ->check(CLI::IsMember({"on", "off", "vacuum"}));

  auto* backup = app.add_subcommand("backup", "copy the database while it is in use");
  backup->fallthrough();
  backup->add_option("file", o.backup_file, "where to write the copy")->required();

  auto* import = app.add_subcommand("import", "import records into the library");
  import->require_subcommand(1);
  auto* import_catalog =
      import->add_subcommand("catalog", "import a catalogue file (TSV, MARC21, MARCXML)");
  import_catalog->fallthrough();
  import->fallthrough();
  import_catalog->add_option("file", o.import_file, "the file")->required();
  import_catalog->add_option("--format", o.import_format, "auto, tsv, marc or marcxml")
      ->check(CLI::IsMember({"auto", "tsv", "marc", "marcxml"}));

  auto* patron = app.add_subcommand("patron", "patron records");
  patron->require_subcommand(1);
  patron->fallthrough();
  auto* patron_add = patron->add_subcommand("add", "add a patron, or update one by card number");
  patron_add->fallthrough();
  patron_add->add_option("--card", o.patron.card, "card number")->required();
  patron_add->add_option("--name-kana", o.patron.name_kana, "name in katakana")->required();
  patron_add->add_option("--phone", o.patron.phone, "phone number")->required();
  patron_add->add_option("--email", o.patron.email, "e-mail address");
  patron_add->add_option("--branch", o.patron.home_branch, "home branch code");
  auto* patron_unlock =
      patron->add_subcommand("unlock", "let a card locked by failed logins in again at once");
  patron_unlock->fallthrough();
  patron_unlock->add_option("card", o.unlock_card, "card number")->required();
  auto* patron_block = patron->add_subcommand(
      "block", "block a card: no login, password registration, holds or loans");
  patron_block->fallthrough();
  patron_block->add_option("card", o.patron_card, "card number")->required();
  patron_block->add_option("--reason", o.block_reason, "why (shown to staff, up to 200 characters)")
      ->required();
  auto* patron_unblock = patron->add_subcommand("unblock", "let a blocked card work again");
  patron_unblock->fallthrough();
  patron_unblock->add_option("card", o.patron_card, "card number")->required();
  auto* patron_replace = patron->add_subcommand(
      "replace", "give a patron a new card for a lost one; the old number stops working");
  patron_replace->fallthrough();
  patron_replace->add_option("old_card", o.patron_card, "the lost card's number")->required();
  patron_replace->add_option("new_card", o.new_card, "the new card's number")->required();
  auto* patron_find = patron->add_subcommand(
      "find", "find patrons by card number or the start of the name in kana");
  patron_find->fallthrough();
  patron_find->add_option("query", o.find_query, "card number, or name in kana")->required();
  auto* patron_import = patron->add_subcommand("import", "add or update patrons from a TSV file");
  patron_import->fallthrough();
  patron_import->add_option("file", o.import_file, "the TSV file")->required();

  auto* mail = app.add_subcommand("mail", "e-mail notices");
  mail->require_subcommand(1);
  mail->fallthrough();
  auto* mail_send =
      mail->add_subcommand("send-pending", "send the notices waiting in the outbox now");
  mail_send->fallthrough();
  auto* mail_status = mail->add_subcommand("status", "list notices pending or failed");
  mail_status->fallthrough();

  auto* circ = app.add_subcommand("circ", "circulation at the counter");
  circ->require_subcommand(1);
  circ->fallthrough();
  auto branch_option = [&o](CLI::App* sc) {
    sc->add_option("--branch", o.circ_branch,
                   "the branch where staff work (default: the copy's own branch)");
  };
  auto* checkout = circ->add_subcommand("checkout", "lend a copy to a patron");
  checkout->fallthrough();
  checkout->add_option("card", o.circ_card, "the patron's card number")->required();
  checkout->add_option("barcode", o.circ_item, "the copy's barcode")->required();
  branch_option(checkout);
  auto* checkin = circ->add_subcommand("checkin", "take a copy back; it goes to the next hold");
  checkin->fallthrough();
  checkin->add_option("barcode", o.circ_item, "the copy's barcode")->required();
  branch_option(checkin);
  auto* receive =
      circ->add_subcommand("receive", "a copy in transit arrived; its hold is ready now");
  receive->fallthrough();
  receive->add_option("barcode", o.circ_item, "the copy's barcode")->required();
  branch_option(receive);
  auto* ready =
      circ->add_subcommand("ready", "a copy taken from the shelf goes to the first waiting hold");
  ready->fallthrough();
  ready->add_option("barcode", o.circ_item, "the copy's barcode")->required();
  branch_option(ready);
  auto* renew = circ->add_subcommand("renew", "renew a loan at the patron's request");
  renew->fallthrough();
  renew->add_option("barcode", o.circ_item, "the copy's barcode")->required();
  auto* daily = circ->add_subcommand("daily", "expire ready holds past their deadline (cron)");
  daily->fallthrough();

  auto* hold = app.add_subcommand("hold", "holds at the counter");
  hold->require_subcommand(1);
  hold->fallthrough();
  auto* hold_cancel = hold->add_subcommand("cancel", "cancel a hold at the patron's request");
  hold_cancel->fallthrough();
  hold_cancel->add_option("hold", o.hold_id, "the hold's number")->required();

  auto* staff = app.add_subcommand("staff", "the back office's staff accounts (職員)");
  staff->require_subcommand(1);
  staff->fallthrough();
  auto* staff_add = staff->add_subcommand("add",
                                          "add a staff account; its password is asked for (or read "
                                          "from the first line of stdin)");
  staff_add->fallthrough();
  staff_add->add_option("login", o.staff.login, "the login (職員ID): a-z, 0-9, . _ -")->required();
  staff_add->add_option("--name", o.staff.name, "the name shown on the staff pages")->required();
  staff_add->add_option("--role", o.staff.role, "counter or admin (admins also read the audit)")
      ->required()
      ->check(CLI::IsMember({"counter", "admin"}));
  auto* staff_passwd = staff->add_subcommand("passwd",
                                             "set a new password (asked for, or the first line of "
                                             "stdin); ends the account's sessions");
  staff_passwd->fallthrough();
  staff_passwd->add_option("login", o.staff.login, "the login (職員ID)")->required();
  auto* staff_disable = staff->add_subcommand(
      "disable", "the account can no longer log in; its sessions end at once");
  staff_disable->fallthrough();
  staff_disable->add_option("login", o.staff.login, "the login (職員ID)")->required();

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
      Err("shiori: unknown command '" + std::string(a) +
          "' (commands: init, serve, import, patron, circ, hold, staff, mail, maintenance, "
          "backup)");
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
    Err("shiori: " + msg + " (see shiori --help)");
    return 2;
  }
  // The one clock of the process; SHIORI_TODAY is read here and nowhere else.
  const char* fixed_today = std::getenv("SHIORI_TODAY");
  auto clock = SystemClock(fixed_today ? fixed_today : "");
  if (!clock.ok()) return Fail(clock.status().message());
  if (*init) return Init(o);
  if (*serve) return Serve(o, **clock);
  if (*maint) return Maintenance(o, **clock);
  if (*backup) return Backup(o);
  if (*import_catalog) return ImportCatalogCommand(o);
  if (*patron_add) return PatronAddCommand(o);
  if (*patron_import) return PatronImportCommand(o);
  if (*patron_unlock) return PatronUnlockCommand(o, **clock);
  if (*patron_block) return PatronBlockCommand(o, **clock, true);
  if (*patron_unblock) return PatronBlockCommand(o, **clock, false);
  if (*patron_replace) return PatronReplaceCommand(o, **clock);
  if (*patron_find) return PatronFindCommand(o, **clock);
  if (*mail_send) return MailCommand(o, **clock, true);
  if (*mail_status) return MailCommand(o, **clock, false);
  if (*checkout) return CircCommand(o, **clock, "checkout");
  if (*checkin) return CircCommand(o, **clock, "checkin");
  if (*ready) return CircCommand(o, **clock, "ready");
  if (*receive) return CircCommand(o, **clock, "receive");
  if (*renew) return CircCommand(o, **clock, "renew");
  if (*hold_cancel) return CircCommand(o, **clock, "cancel");
  if (*daily) return CircCommand(o, **clock, "daily");
  if (*staff_add) return StaffCommand(o, **clock, "add");
  if (*staff_passwd) return StaffCommand(o, **clock, "passwd");
  if (*staff_disable) return StaffCommand(o, **clock, "disable");
  return 2;
}

}  // namespace shiori::gateway

int main(int argc, char** argv) { return shiori::gateway::Main(argc, argv); }
