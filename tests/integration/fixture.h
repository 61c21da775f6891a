// The end-to-end fixture: runs the real `shiori` binary as a child process on
// a free loopback port with a temporary database, and talks HTTP to it with
// libcurl. Also runs staff commands against the same files.
#ifndef SHIORI_TESTS_INTEGRATION_FIXTURE_H_
#define SHIORI_TESTS_INTEGRATION_FIXTURE_H_

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace shiori::test {

struct HttpResponse {
  long status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string Header(const std::string& lower_name) const;
};

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// A temporary directory, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The first column of the first row of `sql` on the SQLite file `db`, opened
// read-only ("" / -1 when there is none or it fails).
std::string QueryText(const std::string& db, const std::string& sql);
int64_t QueryInt(const std::string& db, const std::string& sql);

// Libraries (sonames, "libyaz.so.5") a child must not be able to load: its
// LD_LIBRARY_PATH starts with a folder of empty files by those names, so the
// loader fails on them ("file too short") as on a machine without the
// package, for a dlopen and for a library another one needs alike.
using Hidden = std::vector<std::string>;

// Runs `shiori` with `args` to completion (at most 120 s). `env` entries are
// NAME=VALUE added to the environment.
CommandResult RunShiori(const std::vector<std::string>& args,
                        const std::vector<std::string>& env = {}, const Hidden& hidden = {});
// The same with `input` as its stdin (a file, not a terminal).
CommandResult RunShioriWithInput(const std::vector<std::string>& args, const std::string& input,
                                 const std::vector<std::string>& env = {});

// A running `shiori serve`.
class Server {
 public:
  Server() = default;
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Starts `shiori serve --listen 127.0.0.1:0 --staff-listen 127.0.0.1:0
  // <args>` and waits (at most 60 s) for its "listening on" and "staff pages
  // on" lines. Returns false, with the output in startup_output(), when it
  // exits or does not start.
  bool Start(const std::vector<std::string>& args, const std::vector<std::string>& env = {},
             const Hidden& hidden = {});
  int port() const { return port_; }
  // The staff pages' port (the second listener).
  int staff_port() const { return staff_port_; }
  pid_t pid() const { return pid_; }
  std::string Url(const std::string& path) const;
  std::string StaffUrl(const std::string& path) const;
  // Everything printed on stdout before "listening on" (demo accounts etc.).
  const std::string& startup_output() const { return startup_; }

  HttpResponse Get(const std::string& path, const std::vector<std::string>& headers = {}) const;
  HttpResponse Head(const std::string& path, const std::vector<std::string>& headers = {}) const;
  HttpResponse Post(const std::string& path, const std::string& body,
                    const std::vector<std::string>& headers = {}) const;
  // The same on the staff listener.
  HttpResponse StaffGet(const std::string& path,
                        const std::vector<std::string>& headers = {}) const;
  HttpResponse StaffPost(const std::string& path, const std::string& body,
                         const std::vector<std::string>& headers = {}) const;

  // Sends `sig` and waits (at most 60 s); returns the exit status or -1.
  int Stop(int sig);
  // The server's stderr so far (access log and messages).
  std::string Stderr() const;

 private:
  pid_t pid_ = -1;
  int port_ = 0;
  int staff_port_ = 0;
  std::string startup_;
  std::string stderr_path_;
  TempDir logs_;
};

}  // namespace shiori::test

#endif  // SHIORI_TESTS_INTEGRATION_FIXTURE_H_
