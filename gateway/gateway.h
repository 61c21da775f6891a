// gateway: the applications (the public one and the staff one, each a
// routing table with its handlers) and the libmicrohttpd server that feeds
// either. Nothing outside gateway/ includes libmicrohttpd.
#ifndef SHIORI_GATEWAY_GATEWAY_H_
#define SHIORI_GATEWAY_GATEWAY_H_

#include <atomic>
#include <memory>
#include <string>

#include "base/status.h"
#include "db/sqlite.h"
#include "gateway/access_log.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "gateway/http.h"

struct MHD_Daemon;

namespace shiori::gateway {

// What a Server serves: an application that answers requests.
// Thread-safety: Handle() may be called from many threads at once.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  // Answers one request. Never throws: a handler's exception becomes a 500.
  // May decode the query and form of `req` in place.
  virtual Response Handle(Request& req) = 0;
  // The answer to a request whose body is over max_body_bytes (413), from its
  // headers alone: a page in the application's language and the device's
  // charset. Never throws.
  virtual Response TooLarge(const Request& req) = 0;
};

// The public web application (蔵書検索, カート, 利用照会): one routing table
// (app.cc), one entry point. Decodes the query and form of a request into
// UTF-8 in place.
class App : public RequestHandler {
 public:
  // REQUIRES: `pool` is open on a migrated database. `pool`, `clock` and
  // `random` outlive the App.
  App(const Config& cfg, db::Pool& pool, const Clock& clock, Random& random);
  ~App() override;
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  Response Handle(Request& req) override;
  Response TooLarge(const Request& req) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The back office's pages under /staff (職員): their own routing table
// (staff_app.cc), served on their own listener ([staff] listen). Cookie
// sessions, each working at a branch; UTF-8 only.
class StaffApp : public RequestHandler {
 public:
  // REQUIRES: as for App; the same pool may serve both.
  StaffApp(const Config& cfg, db::Pool& pool, const Clock& clock, Random& random);
  ~StaffApp() override;
  StaffApp(const StaffApp&) = delete;
  StaffApp& operator=(const StaffApp&) = delete;

  Response Handle(Request& req) override;
  Response TooLarge(const Request& req) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTTP server: libmicrohttpd with an internal thread pool in poll mode,
// on one listening address, feeding one RequestHandler.
// Besides libmicrohttpd's own limits (connections in all and per client
// address, idle time, header and body size), a request's line and headers
// must arrive within `header_timeout` of its start, however they trickle in.
class Server {
 public:
  // Serves `handler` on `host`:`port` with the limits of `cfg` ([server]).
  // `handler` and `cfg` outlive the Server.
  Server(RequestHandler& handler, const Config& cfg, std::string host, int port);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listen address and starts serving. A busy port or a bad address
  // gives a one-line error naming it.
  Status Start();
  // The bound port (useful when the configuration asked for port 0).
  int port() const { return port_; }
  // Stops accepting, lets requests in flight finish (at most `grace_s`
  // seconds), then closes every connection.
  void Shutdown(int grace_s);

  // Internal: used by the libmicrohttpd trampolines.
  struct Hooks;

 private:
  class Deadlines;  // every connection's time limit for its request headers (server.cc)

  RequestHandler& handler_;
  const Config& cfg_;
  const std::string host_;
  const int listen_port_;
  MHD_Daemon* daemon_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> in_flight_{0};
  std::unique_ptr<AccessLog> log_;        // started by Start(), written out by Shutdown()
  std::unique_ptr<Deadlines> deadlines_;  // started by Start(), ended after the daemon
};

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_GATEWAY_H_
