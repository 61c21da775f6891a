// End-to-end tests of the server as a whole: the real `shiori` binary on a
// loopback port, its pages, maintenance switch, limits, shutdown, backup and
// start-up errors.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/integration/fixture.h"

namespace shiori::test {
namespace {

size_t CountLines(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

double SecondsSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

// A TCP connection to the server on 127.0.0.1 from the loopback address
// `from` (all of 127.0.0.0/8 is this machine's), or -1.
int Connect(int port, const char* from = "127.0.0.1") {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  inet_pton(AF_INET, from, &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(static_cast<uint16_t>(port));
  dst.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

// False once the server has closed the connection.
bool Send(int fd, const std::string& bytes) {
  return send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
}

// Everything the server sends until it closes the connection or `timeout_ms` pass.
std::string ReadAll(int fd, int timeout_ms) {
  std::string out;
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  char buf[4096];
  while (std::chrono::steady_clock::now() < until) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// Whether the server has closed `fd` (end of stream or reset), without waiting.
bool IsClosed(int fd) {
  char c;
  const ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
  return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

// One request as raw bytes on a new connection; the whole answer.
std::string Raw(int port, const std::string& request, const char* from = "127.0.0.1") {
  const int fd = Connect(port, from);
  if (fd < 0) return "";
  std::string reply = Send(fd, request) ? ReadAll(fd, 3000) : "";
  close(fd);
  return reply;
}

// One demo server shared by the tests that only read.
class DemoServer : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    ASSERT_TRUE(server_->Start({"--demo", "--db", dir_->File("demo.db"), "--config",
                                SHIORI_SOURCE_DIR "/conf/shiori.toml"}))
        << server_->startup_output();
  }
  static void TearDownTestSuite() {
    delete server_;
    delete dir_;
  }
  static TempDir* dir_;
  static Server* server_;
};
TempDir* DemoServer::dir_ = nullptr;
Server* DemoServer::server_ = nullptr;

TEST_F(DemoServer, TopPageHasTheSearchFormAndMainLinks) {
  HttpResponse r = server_->Get("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.Header("content-type"), "text/html; charset=UTF-8");
  EXPECT_NE(r.body.find("<title>出水市立図書館</title>"), std::string::npos);
  EXPECT_NE(r.body.find("<html lang=\"ja\">"), std::string::npos);
  EXPECT_NE(r.body.find("<form action=\"/search\" method=\"get\""), std::string::npos);
  EXPECT_NE(r.body.find("accesskey=\"1\""), std::string::npos) << "search field on key 1";
  EXPECT_NE(r.body.find(">利用照会"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/disclaimer\""), std::string::npos);
  EXPECT_NE(r.body.find("<meta charset=\"UTF-8\">"), std::string::npos) << "meta and header agree";
}

TEST_F(DemoServer, EveryPageLinksTheDisclaimerFromItsFooter) {
  for (const char* path : {"/", "/disclaimer", "/no-such-page"}) {
    SCOPED_TRACE(path);
    HttpResponse r = server_->Get(path);
    size_t footer = r.body.find("<footer>");
    ASSERT_NE(footer, std::string::npos);
    EXPECT_NE(r.body.find("href=\"/disclaimer\">ご注意（免責事項）</a>", footer),
              std::string::npos);
  }
}

TEST_F(DemoServer, DisclaimerPageQuotesTheGuide) {
  HttpResponse r = server_->Get("/disclaimer");
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("インターネットサービスを停止します"), std::string::npos);
  EXPECT_NE(r.body.find("図書館はその責を負いません"), std::string::npos);
}

TEST_F(DemoServer, UnknownPageIs404WithAHelpfulPage) {
  HttpResponse r = server_->Get("/no/such/page");
  EXPECT_EQ(r.status, 404);
  EXPECT_NE(r.body.find("ページが見つかりません"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/\""), std::string::npos) << "a way back to the search";
}

TEST_F(DemoServer, HeadAnswersLikeGetWithoutBody) {
  HttpResponse r = server_->Head("/");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.empty());
}

TEST_F(DemoServer, WrongMethodOnAKnownPageIs405WithTheMethodsItTakes) {
  HttpResponse r = server_->Post("/disclaimer", "a=b");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "GET, HEAD");
  struct Case {
    const char* method;
    const char* path;
    const char* allow;
  } cases[] = {
      {"PUT", "/disclaimer", "GET, HEAD"},     // a page to read only
      {"GET", "/account/login", "POST"},       // a form's target only
      {"PUT", "/account/login", "POST"},       // any other method alike
      {"DELETE", "/cart/add", "POST"},         // another form's target
      {"PUT", "/charset", "GET, HEAD, POST"},  // a page with its own form
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.method) + " " + c.path);
    const std::string reply =
        Raw(server_->port(), std::string(c.method) + " " + c.path +
                                 " HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n"
                                 "Connection: close\r\n\r\n");
    EXPECT_EQ(reply.rfind("HTTP/1.1 405", 0), 0u) << reply.substr(0, 200);
    EXPECT_NE(reply.find("\r\nAllow: " + std::string(c.allow) + "\r\n"), std::string::npos)
        << reply.substr(0, reply.find("\r\n\r\n"));
    EXPECT_NE(reply.find("この操作はできません"), std::string::npos);
  }
}

TEST_F(DemoServer, HealthzAnswersWhenTheDatabaseDoes) {
  HttpResponse r = server_->Get("/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\nmaintenance: off\n");
}

TEST_F(DemoServer, QueryValueIsEscapedBackIntoTheForm) {
  HttpResponse r = server_->Get("/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body.find("<script>"), std::string::npos);
  EXPECT_NE(r.body.find("value=\"&quot;&gt;&lt;script&gt;"), std::string::npos);
}

TEST_F(DemoServer, BodyOverTheLimitIs413) {
  HttpResponse r = server_->Post("/", std::string(20000, 'a'),
                                 {"Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(server_->Get("/").status, 200) << "the server keeps serving";
}

TEST_F(DemoServer, HugeHeadersAreRefused) {
  HttpResponse r = server_->Get("/", {"X-Filler: " + std::string(20000, 'x')});
  EXPECT_GE(r.status, 400);
  EXPECT_LT(r.status, 500);
  EXPECT_EQ(server_->Get("/").status, 200);
}

TEST_F(DemoServer, HeadersUpToTheLimitAreReadAndFarBeyondItRefused) {
  // max_header_bytes = 8192 (the default): a phone's long cookie-less
  // request and a big Cookie header still fit; 20 KB of headers do not.
  EXPECT_EQ(server_->Get("/", {"X-Pad: " + std::string(7000, 'a')}).status, 200);
  std::vector<std::string> many;  // 30 lines of 150 bytes: each line costs bookkeeping too
  for (int i = 0; i < 30; ++i)
    many.push_back("X-Pad-" + std::to_string(i) + ": " + std::string(140, 'b'));
  EXPECT_EQ(server_->Get("/", many).status, 200);
  EXPECT_EQ(server_->Get("/", {"Cookie: " + std::string(1500, 'c') + "=1; a=2; b=3"}).status, 200);
  const int refused = server_->Get("/", {"X-Pad: " + std::string(20000, 'a')}).status;
  EXPECT_EQ(refused, 431) << "Request Header Fields Too Large";
  EXPECT_EQ(server_->Get("/").status, 200) << "the server goes on";
}

TEST_F(DemoServer, AccessLogHasOneLinePerRequestWithoutQueryValues) {
  const std::string secret = "card1000000011pw";
  const size_t before = CountLines(server_->Stderr());
  HttpResponse r = server_->Get("/?q=" + secret + "&sid=abcdef0123456789");
  ASSERT_EQ(r.status, 200);
  std::string log;
  for (int i = 0; i < 100 && CountLines(log = server_->Stderr()) == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(CountLines(log), before + 1);
  EXPECT_EQ(log.find(secret), std::string::npos);
  EXPECT_EQ(log.find("abcdef0123456789"), std::string::npos);
  EXPECT_NE(log.find("GET /?q=&sid= 200 "), std::string::npos) << log;
}

// Whatever bytes a client puts in its method and path, the server's log
// stays one line per event, of bounded length, with no byte a terminal acts
// on: an operator reading it with `journalctl` or `tail` sees text.
TEST_F(DemoServer, ControlBytesFromAClientReachTheLogEscapedAndCut) {
  const size_t before = server_->Stderr().size();
  // A method that would recolour the terminal and set its title.
  const std::string hostile = "\x1b[31mX\x1b]0;pwn\x07";
  std::string reply =
      Raw(server_->port(),
          hostile + " /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 405", 0), 0u) << reply.substr(0, 200);
  // A 7 KB path of terminal controls, a backslash and a byte that is not
  // UTF-8, from a phone whose 5 KB budget the page for it goes over.
  std::string path = "/";
  while (path.size() < 7000) path += "\x1b[2J\x07\x7f\xc2\x9b\x01\\\xff\x41";
  reply =
      Raw(server_->port(), "GET " + path +
                               " HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: DoCoMo/1.0/N503i\r\n"
                               "Connection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 404", 0), 0u) << reply.substr(0, 200);
  std::string log;
  for (int i = 0; i < 100; ++i) {  // the access log is written within 50 ms
    log = server_->Stderr().substr(before);
    if (log.find(" 404 ") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_NE(log.find("\\x1b[31mX\\x1b]0;pwn\\x07 /healthz 405 "), std::string::npos) << log;
  EXPECT_NE(log.find("GET /\\x1b[2J\\x07\\x7f\\xc2\\x9b\\x01\\x5c\\xffA"), std::string::npos)
      << log;
  EXPECT_NE(log.find("...(+"), std::string::npos) << "the long path is cut, and says so";
  EXPECT_NE(log.find("shiori: /\\x1b[2J"), std::string::npos) << "the device budget's line too";
  EXPECT_NE(log.find(", over the device budget of 5120\n"), std::string::npos) << log;
  std::istringstream lines(log);
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    EXPECT_LE(line.size(), 400u) << line.substr(0, 100);
    for (unsigned char c : line) {
      ASSERT_TRUE(c >= 0x20 && c != 0x7f) << "byte " << int{c} << " in: " << line.substr(0, 100);
    }
  }
  EXPECT_GE(n, 2);
}

TEST_F(DemoServer, DemoLibraryIsCreatedWithAccountsPrinted) {
  const std::string db = dir_->File("demo.db");
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM records"), 300);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM branches"), 3);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM records r WHERE NOT EXISTS"
                     " (SELECT 1 FROM copies c WHERE c.record_id = r.id)"),
            0);
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM patrons"), 5);
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM loans WHERE due_on < date('now')"), 1);
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM loans WHERE renewals > 0"), 1);
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM holds WHERE status = 'waiting'"), 2);
  EXPECT_GE(QueryInt(db, "SELECT count(*) FROM holds WHERE status = 'ready'"), 1);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM patrons WHERE password_hash LIKE '%neko2026%'"), 0);
  const std::string& out = server_->startup_output();
  EXPECT_NE(out.find("1000000011 / neko2026"), std::string::npos) << out;
  EXPECT_NE(out.find("1000000044 / (none)"), std::string::npos) << out;
}

TEST_F(DemoServer, BackupWhileServingGivesACompleteCopy) {
  const std::string copy = dir_->File("copy.db");
  CommandResult r = RunShiori({"backup", copy, "--db", dir_->File("demo.db")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(QueryInt(copy, "SELECT count(*) FROM records"),
            QueryInt(dir_->File("demo.db"), "SELECT count(*) FROM records"));
  EXPECT_EQ(QueryText(copy, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(QueryInt(copy, "SELECT count(*) FROM holds"),
            QueryInt(dir_->File("demo.db"), "SELECT count(*) FROM holds"));
  EXPECT_EQ(server_->Get("/healthz").status, 200);
}

// A storm of sessions (a crawler adding to carts) leaves a large file behind:
// `maintenance vacuum` takes the timed-out rows away and gives the space back.
TEST(Maintenance, VacuumRemovesTimedOutSessionsAndShrinksTheFile) {
  TempDir dir;
  const std::string db = dir.File("v.db");
  CommandResult init = RunShiori({"init", "--db", db});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(h,
                         "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
                         " WHERE i < 20000)"
                         " INSERT INTO sessions(token_hash, csrf, device, created_at, seen_at)"
                         " SELECT hex(randomblob(32)), hex(randomblob(16)), 'pc/-//', 1000, 1000"
                         " FROM n",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(h);
  const auto bytes = [&] {
    std::ifstream f(db, std::ios::binary | std::ios::ate);
    return static_cast<long long>(f.tellg());
  };
  const long long before = bytes();
  CommandResult v = RunShiori({"maintenance", "vacuum", "--db", db});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.out.find("20000 timed-out sessions removed"), std::string::npos) << v.out;
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM sessions"), 0);
  EXPECT_LT(bytes(), before / 2) << "the space is given back";
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM branches"), 3) << "nothing else is touched";
}

TEST(Maintenance, SwitchesThePublicServiceOffAndOn) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.Start({"--db", dir.File("m.db")})) << s.startup_output();
  ASSERT_EQ(s.Get("/").status, 200);

  CommandResult on = RunShiori({"maintenance", "on", "--db", dir.File("m.db")});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  // The server reads the switch at most once a second.
  HttpResponse r = s.Get("/");
  for (int i = 0; i < 30 && r.status == 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    r = s.Get("/");
  }
  EXPECT_EQ(r.status, 503);
  EXPECT_NE(r.body.find("サービスを停止しています"), std::string::npos);
  EXPECT_EQ(r.body.find("<a "), std::string::npos) << "the notice links nowhere";
  EXPECT_EQ(s.Get("/disclaimer").status, 503);
  EXPECT_EQ(s.Get("/no-such-page").status, 503);
  HttpResponse h = s.Get("/healthz");
  EXPECT_EQ(h.status, 200);
  EXPECT_EQ(h.body, "ok\nmaintenance: on\n");

  CommandResult off = RunShiori({"--db", dir.File("m.db"), "maintenance", "off"});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  int status = s.Get("/").status;
  for (int i = 0; i < 30 && status == 503; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = s.Get("/").status;
  }
  EXPECT_EQ(status, 200);
  EXPECT_EQ(s.Stop(SIGTERM), 0);
}

TEST(Shutdown, SigtermLetsTheRequestInFlightFinishThenExitsZero) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.Start({"--db", dir.File("s.db")})) << s.startup_output();
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(s.port()));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  // A slow client: headers and half the body now, the rest after SIGTERM.
  const std::string head =
      "POST /?q=slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
      "application/x-www-form-urlencoded\r\nContent-Length: 10\r\n\r\nq=ab";
  ASSERT_EQ(write(fd, head.data(), head.size()), static_cast<ssize_t>(head.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(s.pid(), SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string rest = "cdefgh";
  ASSERT_EQ(write(fd, rest.data(), rest.size()), static_cast<ssize_t>(rest.size()));
  std::string reply;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    reply.append(buf, static_cast<size_t>(n));
    if (reply.find("</html>") != std::string::npos) break;
  }
  close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 405", 0), 0u) << reply.substr(0, 200);
  EXPECT_NE(reply.find("</html>"), std::string::npos) << "the whole response arrived";
  EXPECT_EQ(s.Stop(SIGTERM), 0) << s.Stderr();
}

TEST(StartUp, BadConfigurationsAndBusyPortsExitWithOneLine) {
  TempDir dir;
  std::ofstream(dir.File("bad.toml")) << "[server]\nthreads = 2\n\n[loans]\nperiod_days = 0\n";
  std::ofstream(dir.File("unknown.toml")) << "[server]\nlisen = \"127.0.0.1:1\"\n";

  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{"serve", "--config", dir.File("missing.toml")}, "missing.toml"},
      {{"serve", "--config", dir.File("bad.toml")}, "bad.toml:5: loans.period_days"},
      {{"serve", "--config", dir.File("unknown.toml")},
       "unknown.toml:2: server.lisen: unknown key"},
      {{"serve", "--listen", "127.0.0.1"}, "HOST:PORT"},
      {{"frobnicate"}, "frobnicate"},
      {{}, "subcommand is required"},
      {{"maintenance", "maybe", "--db", dir.File("x.db")}, "maybe"},
      {{"maintenance", "on", "--db", dir.File("absent.db")},
       "absent.db: no such database file (create it with `shiori init`"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.expect);
    CommandResult r = RunShiori(c.args);
    EXPECT_NE(r.exit_code, 0);
    EXPECT_EQ(CountLines(r.err), 1u) << r.err;
    EXPECT_NE(r.err.find(c.expect), std::string::npos) << r.err;
  }

  // A port that is already taken.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  const std::string busy = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));
  CommandResult r = RunShiori({"serve", "--db", dir.File("p.db"), "--listen", busy});
  close(fd);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(CountLines(r.err), 1u) << r.err;
  EXPECT_NE(r.err.find("cannot listen on " + busy + ": Address already in use"), std::string::npos)
      << r.err;
}

// A client that sends its headers a byte at a time (Slowloris) resets the
// idle timeout with every byte; header_timeout counts from the request's
// start however the bytes come.
TEST(SlowClients, HeadersTricklingInAreCutOffAtTheHeaderTimeout) {
  TempDir dir;
  std::ofstream(dir.File("s.toml")) << "[server]\nheader_timeout = 2\nconnection_timeout = 30\n";
  Server s;
  ASSERT_TRUE(s.Start({"--db", dir.File("s.db"), "--config", dir.File("s.toml")}))
      << s.startup_output();

  // Headers in three pieces well within the limit: served.
  int fd = Connect(s.port());
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Send(fd, "GET /healthz HTTP/1.1\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_TRUE(Send(fd, "Host: 127.0.0.1\r\nConnection: close\r\n"));
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  ASSERT_TRUE(Send(fd, "\r\n"));
  EXPECT_EQ(ReadAll(fd, 3000).rfind("HTTP/1.1 200", 0), 0u);
  close(fd);

  // A byte of a header every 100 ms: the client is still sending when the
  // server closes the connection, about 2 s after it opened.
  fd = Connect(s.port());
  ASSERT_GE(fd, 0);
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(Send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "));
  bool closed = false;
  while (!closed && SecondsSince(start) < 6) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    closed = !Send(fd, "a") || IsClosed(fd);
  }
  const double took = SecondsSince(start);
  close(fd);
  EXPECT_TRUE(closed) << "still open after 6 s of one byte every 100 ms";
  EXPECT_GE(took, 1.9);
  EXPECT_LE(took, 3.0) << "2 s and at most a sweep (250 ms) more";
  EXPECT_EQ(s.Get("/healthz").status, 200) << "the server goes on";
  EXPECT_NE(s.Stderr().find("shiori: closed 1 connection(s) whose request headers were not in "
                            "within 2 s (the first from 127.0.0.1)\n"),
            std::string::npos)
      << s.Stderr();
  EXPECT_EQ(s.Stop(SIGTERM), 0);
}

// Slow connections from one address take only that address's share, so
// another client is still served; once they are cut off, the first address
// is served again.
TEST(SlowClients, OneAddressHoldsOnlyItsShareOfConnections) {
  TempDir dir;
  std::ofstream(dir.File("s.toml")) << "[server]\nthreads = 2\nconnection_limit = 6\n"
                                       "connections_per_address = 3\nheader_timeout = 4\n";
  Server s;
  ASSERT_TRUE(s.Start({"--db", dir.File("s.db"), "--config", dir.File("s.toml")}))
      << s.startup_output();
  const std::string healthz =
      "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";

  // Six slow connections from 127.0.0.1, as many as the server takes in all.
  const auto start = std::chrono::steady_clock::now();
  std::vector<int> slow;
  for (int i = 0; i < 6; ++i) {
    const int fd = Connect(s.port());
    ASSERT_GE(fd, 0);
    Send(fd, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a");
    slow.push_back(fd);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  int refused = 0;
  for (int fd : slow) refused += IsClosed(fd);
  EXPECT_EQ(refused, 3) << "three held, the others closed at once";

  // Another address is served at once; the first one is not.
  EXPECT_EQ(Raw(s.port(), healthz, "127.0.0.2").rfind("HTTP/1.1 200", 0), 0u);
  EXPECT_EQ(Raw(s.port(), healthz, "127.0.0.1"), "") << "closed without an answer";
  ASSERT_LT(SecondsSince(start), 3.5) << "too slow to tell the limits apart";

  // Once header_timeout has cut the slow ones off, 127.0.0.1 is served again.
  std::string reply;
  while (reply.empty() && SecondsSince(start) < 8) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    reply = Raw(s.port(), healthz, "127.0.0.1");
  }
  EXPECT_EQ(reply.rfind("HTTP/1.1 200", 0), 0u) << reply;
  EXPECT_GE(SecondsSince(start), 3.9);
  for (int fd : slow) close(fd);
  EXPECT_EQ(s.Stop(SIGTERM), 0);
}

// What only import and mail use (YAZ, libxml2, libcurl with OpenSSL) is
// opened on first use: an idle server has none of it mapped, and starts and
// serves pages on a machine where none of it can be loaded.
TEST(LibrariesOnFirstUse, AnIdleServerMapsNoImportOrMailLibrary) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.Start({"--demo", "--db", dir.File("demo.db")})) << s.startup_output();
  EXPECT_EQ(s.Get("/search?q=%E7%8C%AB").status, 200);
  std::ifstream in("/proc/" + std::to_string(s.pid()) + "/maps");
  std::string line;
  int lines = 0;
  while (std::getline(in, line)) {
    ++lines;
    for (const char* lib :
         {"libyaz", "libxml2", "libxslt", "libcurl", "libcrypto", "libkrb5", "libldap"}) {
      EXPECT_EQ(line.find(lib), std::string::npos) << line;
    }
  }
  EXPECT_GT(lines, 0);
  EXPECT_EQ(s.Stop(SIGTERM), 0);
}

TEST(LibrariesOnFirstUse, TheServerServesWithoutYazLibxml2AndLibcurl) {
  TempDir dir;
  Server s;
  ASSERT_TRUE(s.Start({"--demo", "--db", dir.File("demo.db")}, {},
                      {"libyaz.so.5", "libxml2.so.2", "libcurl.so.4"}))
      << s.startup_output();
  EXPECT_EQ(s.Get("/").status, 200);
  EXPECT_EQ(s.Get("/search?q=%E7%8C%AB").status, 200);
  EXPECT_EQ(s.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace shiori::test
