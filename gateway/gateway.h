// gateway: the application (routing table, handlers, maintenance switch) and
// the libmicrohttpd server that feeds it. Nothing outside gateway/ includes
// libmicrohttpd.
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

// The web application: one routing table, one entry point.
// Thread-safety: Handle() may be called from many threads at once.
class App {
 public:
  // REQUIRES: `pool` is open on a migrated database. `clock` and `random`
  // outlive the App.
  App(const Config& cfg, std::unique_ptr<db::Pool> pool, const Clock& clock, Random& random);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Answers one request. Never throws: a handler's exception becomes a 500.
  // Decodes the query and form of `req` into UTF-8 in place.
  Response Handle(Request& req);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The HTTP server: libmicrohttpd with an internal thread pool in poll mode.
// Besides libmicrohttpd's own limits (connections in all and per client
// address, idle time, header and body size), a request's line and headers
// must arrive within `header_timeout` of its start, however they trickle in.
class Server {
 public:
  Server(App& app, const Config& cfg);
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

  App& app_;
  const Config& cfg_;
  MHD_Daemon* daemon_ = nullptr;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<int> in_flight_{0};
  std::unique_ptr<AccessLog> log_;        // started by Start(), written out by Shutdown()
  std::unique_ptr<Deadlines> deadlines_;  // started by Start(), ended after the daemon
};

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_GATEWAY_H_
