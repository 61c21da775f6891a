// The libmicrohttpd server: per-request state, body limits, the time limit
// on request headers, the one place a response is queued and the access log
// written, and graceful shutdown.
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <mutex>
#include <thread>
#include <unordered_set>
#include <utility>

#include "gateway/access_log.h"
#include "gateway/gateway.h"

namespace shiori::gateway {

namespace {

// What libmicrohttpd keeps for us between the callbacks of one request.
struct RequestState {
  Request req;
  bool headers_seen = false;
  bool too_large = false;
};

const char kServerError[] =
    "<!DOCTYPE html><html lang=\"ja\"><head><meta http-equiv=\"Content-Type\" "
    "content=\"text/html; charset=UTF-8\"><title>エラー</title></head><body><h1>エラー</h1>"
    "<p>ただいま処理できません。しばらくしてからもう一度お試しください。</p></body></html>";

std::string ErrnoText(int err) {
  char buf[128];
  return strerror_r(err, buf, sizeof buf);
}

int64_t SteadyMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The peer's address as text ("" when libmicrohttpd cannot say).
void PeerText(MHD_Connection* conn, char (&out)[INET6_ADDRSTRLEN]) {
  out[0] = '\0';
  const auto* info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  if (!info || !info->client_addr) return;
  const sockaddr* sa = info->client_addr;
  const void* bytes =
      sa->sa_family == AF_INET6
          ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr)
          : &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr;
  if (!inet_ntop(sa->sa_family, bytes, out, sizeof out)) out[0] = '\0';
}

// One access-log line: time, method, path (query values removed), status,
// bytes of the body as sent (compressed when it was), microseconds; what the client sent goes
// through LogText. Never a session id, password or card number: those only travel in query values,
// bodies and cookies, none of which is logged.
void LogAccess(AccessLog& log, const Request& req, int status, size_t bytes) {
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                      std::chrono::steady_clock::now() - req.start)
                      .count();
  // The time stamp changes once a second; each thread formats it only then.
  thread_local std::time_t stamped = 0;
  thread_local char ts[32] = "";
  const std::time_t now = std::time(nullptr);
  if (now != stamped) {
    std::tm tm;
    gmtime_r(&now, &tm);
    std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
    stamped = now;
  }
  std::string line;
  line.reserve(96);
  line += ts;
  line += ' ';
  line += LogText(req.method, kLogMethodBytes);
  line += ' ';
  line += LogText(req.path, kLogPathBytes);
  const std::string q = QueryKeysOnly(req.raw_query);
  if (!q.empty()) {
    line += '?';
    line += LogText(q, kLogPathBytes);
  }
  char tail[64];
  std::snprintf(tail, sizeof tail, " %d %zu %lldus\n", status, bytes, static_cast<long long>(us));
  line += tail;
  log.Append(line);
}

// The client's Accept-Encoding: its one header's value, or several joined
// by commas (RFC 9110 5.3) in `joined`.
std::string_view AcceptEncoding(const Request& req, std::string& joined) {
  std::string_view first;
  int n = 0;
  for (const auto& [k, v] : req.headers) {
    if (k != "accept-encoding") continue;
    if (n++ == 0) {
      first = v;
    } else {
      if (n == 2) joined = first;
      joined += ", ";
      joined += v;
    }
  }
  return n > 1 ? std::string_view(joined) : first;
}

MHD_Result Queue(MHD_Connection* conn, AccessLog& log, const Request& req, const Response& resp) {
  // Compressed here for both listeners, to the clients that ask for it (a
  // kept page's gzip form was made when it was kept). A body that outlives
  // the server (a page kept by the App) is sent from where it is; any other
  // is copied by libmicrohttpd.
  std::string packed, joined;
  const Wire wire = ForClient(resp, AcceptEncoding(req, joined), packed);
  const std::string& sent = *wire.bytes;
  MHD_Response* r =
      MHD_create_response_from_buffer(sent.size(), const_cast<char*>(sent.data()),
                                      wire.kept ? MHD_RESPMEM_PERSISTENT : MHD_RESPMEM_MUST_COPY);
  if (!r) return MHD_NO;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp.content_type.c_str());
  if (wire.gzip) MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
  if (wire.vary) MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
  for (const auto& [k, v] : resp.headers) MHD_add_response_header(r, k.c_str(), v.c_str());
  MHD_Result ok = MHD_queue_response(conn, static_cast<unsigned>(resp.status), r);
  MHD_destroy_response(r);
  LogAccess(log, req, resp.status, sent.size());  // the body's bytes as sent
  return ok;
}

MHD_Result CollectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
  auto* req = static_cast<Request*>(cls);
  std::string k(key ? key : "");
  for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  req->headers.emplace_back(std::move(k), value ? value : "");
  return MHD_YES;
}

}  // namespace

// libmicrohttpd's connection timeout counts idle time only: a client that
// sends a byte of its headers every few seconds never meets it and holds the
// connection for as long as it likes. Here every open connection has a
// deadline for its request's headers, counted from the request's start (the
// connection's accept, or the end of the previous answer on a kept-alive
// connection) and cleared once the headers are in; a sweeper thread shuts
// down the socket of a connection past it. libmicrohttpd's thread then reads
// the end of the stream and closes the connection as if the client had.
class Server::Deadlines {
 public:
  struct Conn {
    int fd = -1;
    std::atomic<int64_t> deadline_ms{0};  // steady-clock ms; 0: none (headers in)
    std::atomic<bool> waiting{false};     // kept alive, no request line of a next request yet
    char peer[INET6_ADDRSTRLEN] = "";
  };

  explicit Deadlines(int timeout_s)
      : timeout_ms_(int64_t{timeout_s} * 1000), sweeper_([this] { Run(); }) {}
  ~Deadlines() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    sweeper_.join();
    for (Conn* c : conns_) delete c;
  }

  // A connection was accepted (libmicrohttpd's thread for it). nullptr when
  // its descriptor cannot be had; such a connection has no deadline.
  Conn* Opened(MHD_Connection* conn) {
    const auto* info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (!info) return nullptr;
    auto* c = new Conn();
    c->fd = info->connect_fd;
    PeerText(conn, c->peer);
    c->deadline_ms.store(SteadyMs() + timeout_ms_);
    std::lock_guard<std::mutex> lock(mu_);
    conns_.insert(c);
    return c;
  }
  // libmicrohttpd calls this before it closes the descriptor: once it has
  // returned, the sweeper no longer touches c->fd.
  void Closed(Conn* c) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      conns_.erase(c);
    }
    delete c;
  }
  static void RequestLine(Conn* c) { c->waiting.store(false, std::memory_order_relaxed); }
  static void HeadersIn(Conn* c) { c->deadline_ms.store(0, std::memory_order_relaxed); }
  // The answer is sent: the next request on this connection starts now.
  void Answered(Conn* c) const {
    c->waiting.store(true, std::memory_order_relaxed);
    c->deadline_ms.store(SteadyMs() + timeout_ms_, std::memory_order_relaxed);
  }

 private:
  void Run() {
    const auto every = std::chrono::milliseconds(std::clamp<int64_t>(timeout_ms_ / 8, 50, 250));
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, every, [this] { return stopping_; })) {
      const int64_t now = SteadyMs();
      int closed = 0;
      char first[INET6_ADDRSTRLEN] = "";
      for (Conn* c : conns_) {
        const int64_t d = c->deadline_ms.load(std::memory_order_relaxed);
        if (d == 0 || now < d) continue;
        // A kept-alive connection left waiting is closed without a word:
        // browsers leave them so and open a new one when they need it. (Read
        // before the shutdown: the connection's thread reacts to it at once.)
        const bool quiet = c->waiting.load(std::memory_order_relaxed);
        c->deadline_ms.store(0, std::memory_order_relaxed);
        shutdown(c->fd, SHUT_RDWR);
        if (!quiet && closed++ == 0) std::memcpy(first, c->peer, sizeof first);
      }
      if (closed > 0) {
        std::fprintf(stderr,
                     "shiori: closed %d connection(s) whose request headers were not in within "
                     "%lld s (the first from %s)\n",
                     closed, static_cast<long long>(timeout_ms_ / 1000), first);
      }
    }
  }

  const int64_t timeout_ms_;
  std::mutex mu_;  // conns_, stopping_; held while a socket is shut down
  std::condition_variable wake_;
  bool stopping_ = false;
  std::unordered_set<Conn*> conns_;
  std::thread sweeper_;  // last: started once the members above exist
};

struct Server::Hooks {
  static Deadlines::Conn* ConnOf(MHD_Connection* conn) {
    const auto* info = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? static_cast<Deadlines::Conn*>(info->socket_context) : nullptr;
  }

  static void Connection(void* cls, MHD_Connection* conn, void** socket_context,
                         MHD_ConnectionNotificationCode toe) {
    auto* self = static_cast<Server*>(cls);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
      try {
        *socket_context = self->deadlines_->Opened(conn);
      } catch (...) {
        *socket_context = nullptr;  // no exception crosses into libmicrohttpd
      }
    } else if (*socket_context) {
      self->deadlines_->Closed(static_cast<Deadlines::Conn*>(*socket_context));
      *socket_context = nullptr;
    }
  }

  static void* UriLog(void* cls, const char* uri, MHD_Connection* conn) {
    auto* self = static_cast<Server*>(cls);
    self->in_flight_.fetch_add(1);
    if (auto* c = ConnOf(conn)) Deadlines::RequestLine(c);
    auto* st = new RequestState();
    std::string_view u(uri ? uri : "");
    size_t q = u.find('?');
    st->req.path = std::string(u.substr(0, q));
    if (q != std::string_view::npos) st->req.raw_query = std::string(u.substr(q + 1));
    return st;
  }

  static void Completed(void* cls, MHD_Connection* conn, void** con_cls,
                        MHD_RequestTerminationCode) {
    auto* self = static_cast<Server*>(cls);
    if (auto* c = ConnOf(conn)) self->deadlines_->Answered(c);
    delete static_cast<RequestState*>(*con_cls);
    *con_cls = nullptr;
    self->in_flight_.fetch_sub(1);
  }

  static MHD_Result Access(void* cls, MHD_Connection* conn, const char*, const char* method,
                           const char*, const char* upload_data, size_t* upload_data_size,
                           void** con_cls) {
    auto* self = static_cast<Server*>(cls);
    auto* st = static_cast<RequestState*>(*con_cls);
    if (!st) return MHD_NO;
    Request& req = st->req;
    try {
      if (!st->headers_seen) {
        st->headers_seen = true;
        req.method = method ? method : "";
        MHD_get_connection_values(conn, MHD_HEADER_KIND, CollectHeader, &req);
        if (auto* c = ConnOf(conn)) {
          Deadlines::HeadersIn(c);
          req.remote = c->peer;  // read once, when the connection was accepted
        } else {
          char host[INET6_ADDRSTRLEN];
          PeerText(conn, host);
          req.remote = host;
        }
        std::string_view cl = req.Header("content-length");
        if (!cl.empty() && std::strtoull(std::string(cl).c_str(), nullptr, 10) >
                               static_cast<unsigned long long>(self->cfg_.max_body_bytes)) {
          return Queue(conn, *self->log_, req, self->handler_.TooLarge(req));
        }
        return MHD_YES;
      }
      if (*upload_data_size != 0) {
        if (req.body.size() + *upload_data_size > static_cast<size_t>(self->cfg_.max_body_bytes)) {
          st->too_large = true;
        } else {
          req.body.append(upload_data, *upload_data_size);
        }
        *upload_data_size = 0;
        return MHD_YES;
      }
      if (st->too_large) return Queue(conn, *self->log_, req, self->handler_.TooLarge(req));
      req.query = ParseQuery(req.raw_query);
      std::string_view ctype = req.Header("content-type");
      if (req.method == "POST" && ctype.substr(0, 33) == "application/x-www-form-urlencoded") {
        req.form = ParseQuery(req.body);
      }
      return Queue(conn, *self->log_, req, self->handler_.Handle(req));
    } catch (...) {
      // No exception crosses into libmicrohttpd.
      Response r;
      r.status = 500;
      r.body = kServerError;
      return Queue(conn, *self->log_, req, r);
    }
  }
};

Server::Server(RequestHandler& handler, const Config& cfg, std::string host, int port)
    : handler_(handler), cfg_(cfg), host_(std::move(host)), listen_port_(port) {}

Server::~Server() {
  if (daemon_) MHD_stop_daemon(daemon_);
  deadlines_.reset();  // after the daemon: every connection is closed by now
  if (listen_fd_ >= 0) close(listen_fd_);
  if (log_) log_->Stop();
}

Status Server::Start() {
  const std::string where = host_ + ":" + std::to_string(listen_port_);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* res = nullptr;
  const std::string port = std::to_string(listen_port_);
  int rc = getaddrinfo(host_.c_str(), port.c_str(), &hints, &res);
  if (rc != 0) return Status::Invalid("cannot listen on " + where + ": " + gai_strerror(rc));
  int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol);
  if (fd < 0) {
    freeaddrinfo(res);
    return Status::Io("cannot listen on " + where + ": " + ErrnoText(errno));
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 511) != 0) {
    int err = errno;
    freeaddrinfo(res);
    close(fd);
    return Status::Io("cannot listen on " + where + ": " + ErrnoText(err));
  }
  freeaddrinfo(res);
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  listen_fd_ = fd;
  if (!log_) log_ = std::make_unique<AccessLog>(STDERR_FILENO);
  deadlines_ = std::make_unique<Deadlines>(cfg_.header_timeout_s);

  unsigned threads = cfg_.threads > 0 ? static_cast<unsigned>(cfg_.threads)
                                      : std::max(1u, std::thread::hardware_concurrency());
  // Poll mode with a thread pool: measured to hold up under many keep-alive
  // connections on two cores where a single epoll thread collapsed.
  const unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ITC;
  daemon_ = MHD_start_daemon(
      flags, 0, nullptr, nullptr, &Hooks::Access, this,  //
      MHD_OPTION_LISTEN_SOCKET, fd,                      //
      MHD_OPTION_THREAD_POOL_SIZE, threads,              //
      MHD_OPTION_CONNECTION_LIMIT, static_cast<unsigned>(cfg_.connection_limit),
      // A further connection from an address at its limit is closed at once.
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, static_cast<unsigned>(cfg_.connections_per_address),
      MHD_OPTION_CONNECTION_TIMEOUT, static_cast<unsigned>(cfg_.connection_timeout_s),
      // The request line and headers, plus room for libmicrohttpd's own
      // records and the response header. It clears this memory after each
      // request: 16 KiB served 12-18 % fewer requests than 10 KiB at 256
      // keep-alive connections (bench/http_bench.sh).
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, static_cast<size_t>(cfg_.max_header_bytes + 2048),
      MHD_OPTION_URI_LOG_CALLBACK, &Hooks::UriLog, this,       //
      MHD_OPTION_NOTIFY_COMPLETED, &Hooks::Completed, this,    //
      MHD_OPTION_NOTIFY_CONNECTION, &Hooks::Connection, this,  //
      MHD_OPTION_END);
  if (!daemon_) {
    deadlines_.reset();
    close(fd);
    listen_fd_ = -1;
    return Status::Io("cannot start the HTTP server on " + where);
  }
  listen_fd_ = -1;  // libmicrohttpd owns the socket now
  return Status::Ok();
}

void Server::Shutdown(int grace_s) {
  if (!daemon_) return;
  const MHD_socket fd = MHD_quiesce_daemon(daemon_);
  if (fd >= 0) {
    close(fd);
    listen_fd_ = -1;
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(grace_s);
  while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  MHD_stop_daemon(daemon_);
  daemon_ = nullptr;
  deadlines_.reset();
  if (log_) log_->Stop();  // every line of the requests just finished
}

}  // namespace shiori::gateway
