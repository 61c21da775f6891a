// HTTPS as deployed: Debian's nginx, configured by the shipped
// conf/nginx-shiori.conf, in front of the real shiori on loopback, with a
// self-signed certificate made by the openssl command at the start. Clients
// speak TLS 1.2 only (the ガラホ's WebViews), TLS 1.3, plain HTTP (old
// keitai), and straight to shiori with forged X-Forwarded-* headers.
//
// nginx connects to shiori from 127.0.0.2 (the example's proxy_bind), the
// only address in trusted_proxies; the test's clients use 127.0.0.1 and, where
// the client's address matters, 127.0.0.3 to 127.0.0.5 (Linux routes all of
// 127/8 to loopback). Without /usr/sbin/nginx or openssl the tests fail:
// ./setup.sh test installs both (nginx-light, openssl).
#include <arpa/inet.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/browser.h"

namespace shiori::test {
namespace {

constexpr const char* kNginx = "/usr/sbin/nginx";
constexpr const char* kPc = "User-Agent: Mozilla/5.0 (Windows NT 10.0) Firefox/120.0";
// A ガラホ (AQUOS ケータイ SH-02L): Android 8.1 with a Chrome 67 WebView.
constexpr const char* kGaraho =
    "User-Agent: Mozilla/5.0 (Linux; Android 8.1.0; SH-02L Build/S5041; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/67.0.3396.87 Mobile Safari/537.36";

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// fork + exec of `argv` (argv[0] a path, or a name looked up in PATH) with
// stdout and stderr to `log`, in a process group of its own (nginx's workers
// with it), sent SIGTERM should the test process die first.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid != 0) return pid;
  setpgid(0, 0);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  int in = open("/dev/null", O_RDONLY);
  dup2(in, 0);
  dup2(out, 1);
  dup2(out, 2);
  execvp(args[0], args.data());
  dprintf(2, "%s: %s\n", args[0], std::strerror(errno));
  _exit(127);
}

// The exit status of `pid` within `seconds`; else its process group is killed and -1.
int Wait(pid_t pid, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(-pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

// Runs a command to completion (at most 60 s); its output goes to `log`.
int RunCommand(const std::vector<std::string>& argv, const std::string& log) {
  return Wait(Spawn(argv, log), 60);
}

// A port on 127.0.0.1 free right now (the kernel's choice for port 0).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// `text` with each `from` replaced by its `to`; a `from` that is not in the
// text is added to `missing`.
std::string Substituted(std::string text,
                        const std::vector<std::pair<std::string, std::string>>& subs,
                        std::vector<std::string>* missing) {
  for (const auto& [from, to] : subs) {
    size_t at = text.find(from);
    if (at == std::string::npos) missing->push_back(from);
    for (; at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  }
  return text;
}

// How a client connects: its TLS versions and ciphers, the certificate it
// trusts, and the local address it connects from.
struct Client {
  long tls = CURL_SSLVERSION_DEFAULT;  // CURLOPT_SSLVERSION: minimum | maximum
  std::string ciphers;                 // CURLOPT_SSL_CIPHER_LIST ("" : libcurl's)
  std::string ca;                      // the certificate trusted as CA
  std::string from = "127.0.0.1";      // local address
};

struct Answer {
  CURLcode code = CURLE_OK;
  std::string error;  // libcurl's words when code is not CURLE_OK
  HttpResponse http;
};

size_t OnBody(char* p, size_t size, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, size * n);
  return size * n;
}

size_t OnHeader(char* p, size_t size, size_t n, void* ud) {
  auto* r = static_cast<HttpResponse*>(ud);
  std::string line(p, size * n);
  const size_t colon = line.find(':');
  if (line.rfind("HTTP/", 0) == 0) {
    r->headers.clear();
  } else if (colon != std::string::npos) {
    std::string k = line.substr(0, colon);
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string v = line.substr(colon + 1);
    while (!v.empty() && v.front() == ' ') v.erase(0, 1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
    r->headers.emplace_back(k, v);
  }
  return size * n;
}

// One request (a POST when `body` is given), redirects not followed, at most 20 s.
Answer Fetch(const Client& c, const std::string& url, const std::vector<std::string>& headers,
             const std::string* body = nullptr) {
  Answer a;
  char error[CURL_ERROR_SIZE] = "";
  CURL* h = curl_easy_init();
  if (!h) return Answer{CURLE_FAILED_INIT, "curl_easy_init", {}};
  curl_slist* list = nullptr;
  for (const auto& x : headers) list = curl_slist_append(list, x.c_str());
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.http.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &a.http);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_INTERFACE, ("host!" + c.from).c_str());
  curl_easy_setopt(h, CURLOPT_SSLVERSION, c.tls);
  if (!c.ciphers.empty()) curl_easy_setopt(h, CURLOPT_SSL_CIPHER_LIST, c.ciphers.c_str());
  if (!c.ca.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, c.ca.c_str());
  if (body) {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  a.code = curl_easy_perform(h);
  a.error = error;
  if (a.code == CURLE_OK) curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.http.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(h);
  return a;
}

std::string SetCookie(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == "set-cookie" && v.rfind(name + "=", 0) == 0) return v;
  return "";
}

bool Secure(const std::string& set_cookie) {
  return set_cookie.find("; Secure") != std::string::npos;
}

// shiori and nginx in front of it, for the whole suite.
class HttpsProxy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir();
    server_ = new Server();
    const std::string conf = dir_->File("shiori.toml");
    std::ofstream(conf) << "[server]\n"
                           "trusted_proxies = [\"127.0.0.2\"]\n"
                           "connections_per_address = 0\n"
                           "[passwords]\n"
                           "source_max_failures = 3\n"
                           "source_window_minutes = 10\n";
    if (!server_->Start({"--demo", "--config", conf, "--db", dir_->File("s.db")})) {
      setup_error_ = "shiori did not start: " + server_->startup_output();
      return;
    }
    setup_error_ = StartNginx();
  }

  static std::string StartNginx() {
    const std::string log = dir_->File("commands.log");
    const std::string cert = dir_->File("cert.pem"), key = dir_->File("key.pem"),
                      dh = dir_->File("ffdhe2048.pem");
    if (RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                    "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1", "-addext",
                    "subjectAltName=IP:127.0.0.1"},
                   log) != 0 ||
        RunCommand({"openssl", "genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt",
                    "group:ffdhe2048", "-out", dh},
                   log) != 0) {
      return "openssl failed (apt-get install openssl; ./setup.sh test installs it):\n" +
             ReadAll(log);
    }
    ca_ = cert;
    http_port_ = FreePort();
    https_port_ = FreePort();
    while (https_port_ == http_port_) https_port_ = FreePort();

    // The shipped example, with only what the example's header names replaced.
    const std::string example = ReadAll(SHIORI_SOURCE_DIR "/conf/nginx-shiori.conf");
    std::vector<std::string> missing;
    const std::string site =
        Substituted(example,
                    {{"listen 80;", "listen 127.0.0.1:" + std::to_string(http_port_) + ";"},
                     {"listen 443 ssl http2;",
                      "listen 127.0.0.1:" + std::to_string(https_port_) + " ssl http2;"},
                     {"/etc/letsencrypt/live/opac.example.jp/fullchain.pem", cert},
                     {"/etc/letsencrypt/live/opac.example.jp/privkey.pem", key},
                     {"/etc/nginx/ffdhe2048.pem", dh},
                     {"127.0.0.1:8080", "127.0.0.1:" + std::to_string(server_->port())}},
                    &missing);
    if (example.empty() || !missing.empty()) {
      std::string m = "conf/nginx-shiori.conf lacks what the test replaces:";
      for (const auto& x : missing) m += " [" + x + "]";
      return m;
    }
    const std::string prefix = dir_->File("nginx");
    mkdir(prefix.c_str(), 0700);
    std::ofstream(prefix + "/shiori.conf") << site;
    // What Debian's /etc/nginx/nginx.conf gives the sites it includes, TLS 1.0
    // and 1.1 in its http-wide ssl_protocols among it; here with every file
    // in the prefix and in the foreground.
    std::ofstream main(prefix + "/nginx.conf");
    // As root, workers would run as nobody, shut out of the prefix (mode 0700).
    if (geteuid() == 0) main << "user root;\n";
    main << "daemon off;\nworker_processes 1;\npid " << prefix << "/nginx.pid;\n"
         << "error_log " << prefix << "/error.log info;\n"
         << "events { worker_connections 128; }\n"
         << "http {\n"
         << "  ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;\n"
         << "  ssl_prefer_server_ciphers on;\n"
         << "  access_log " << prefix << "/access.log;\n";
    for (const char* t : {"client_body", "proxy", "fastcgi", "uwsgi", "scgi"})
      main << "  " << t << "_temp_path " << prefix << "/" << t << ";\n";
    main << "  include " << prefix << "/shiori.conf;\n}\n";
    main.close();

    nginx_ =
        Spawn({kNginx, "-p", prefix, "-c", prefix + "/nginx.conf", "-e", prefix + "/error.log"},
              dir_->File("nginx.out"));
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < until) {
      if (Accepts(http_port_) && Accepts(https_port_)) return "";
      int status = 0;
      if (waitpid(nginx_, &status, WNOHANG) == nginx_) {
        nginx_ = -1;
        return std::string("nginx exited (") + kNginx +
               ": apt-get install nginx-light; ./setup.sh test installs it):\n" +
               ReadAll(dir_->File("nginx.out")) + ReadAll(prefix + "/error.log");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "nginx did not listen within 30 s:\n" + ReadAll(prefix + "/error.log");
  }

  static void TearDownTestSuite() {
    if (nginx_ > 0) {
      kill(nginx_, SIGTERM);  // nginx's fast shutdown: the master ends its workers
      Wait(nginx_, 10);
      nginx_ = -1;
    }
    delete server_;
    delete dir_;
  }

  void SetUp() override { ASSERT_EQ(setup_error_, ""); }

  static std::string Https(const std::string& path) {
    return "https://127.0.0.1:" + std::to_string(https_port_) + path;
  }
  static std::string Http(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(http_port_) + path;
  }
  static std::string Direct(const std::string& path) { return server_->Url(path); }
  static Client Tls12(const std::string& from = "127.0.0.1") {
    return Client{CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2, "", ca_, from};
  }
  static Client Tls13(const std::string& from = "127.0.0.1") {
    return Client{CURL_SSLVERSION_TLSv1_3, "", ca_, from};
  }

  // The login form at `base` (its CSRF token and the visitor cookie it set),
  // then the POST of `card` and `password`, from `c` with `extra` headers on both.
  static Answer Login(const Client& c, const std::string& base, const std::string& card,
                      const std::string& password, const std::vector<std::string>& extra) {
    std::vector<std::string> headers = {kPc};
    headers.insert(headers.end(), extra.begin(), extra.end());
    Answer form = Fetch(c, base + "/account", headers);
    std::smatch v, t;
    const std::string visitor = SetCookie(form.http, "v");
    EXPECT_TRUE(std::regex_search(visitor, v, std::regex("^v=([0-9a-f]{32})"))) << visitor;
    EXPECT_TRUE(std::regex_search(form.http.body, t, std::regex("name=\"_t\" value=\"([^\"]+)\"")));
    headers.push_back("Cookie: v=" + std::string(v[1]));
    const std::string body = "_t=" + std::string(t[1]) + "&card=" + card + "&password=" + password;
    return Fetch(c, base + "/account/login", headers, &body);
  }

  static TempDir* dir_;
  static Server* server_;
  static std::string setup_error_, ca_;
  static pid_t nginx_;
  static int http_port_, https_port_;
};
TempDir* HttpsProxy::dir_ = nullptr;
Server* HttpsProxy::server_ = nullptr;
std::string HttpsProxy::setup_error_, HttpsProxy::ca_;
pid_t HttpsProxy::nginx_ = -1;
int HttpsProxy::http_port_ = 0, HttpsProxy::https_port_ = 0;

// The ガラホ's TLS 1.2 and a current browser's TLS 1.3 both get the pages,
// and the cookies shiori sets over them are Secure.
TEST_F(HttpsProxy, TlsOneTwoAndOneThreeClientsGetThePagesAndSecureCookies) {
  for (const Client& c : {Tls12(), Tls13()}) {
    SCOPED_TRACE(c.tls == CURL_SSLVERSION_TLSv1_3 ? "TLS 1.3" : "TLS 1.2 only");
    Answer top = Fetch(c, Https("/"), {kGaraho});
    ASSERT_EQ(top.code, CURLE_OK) << top.error;
    EXPECT_EQ(top.http.status, 200);
    EXPECT_EQ(top.http.Header("content-type"), "text/html; charset=UTF-8");
    EXPECT_NE(top.http.body.find("出水市立図書館"), std::string::npos) << top.http.body;

    Answer search =
        Fetch(c, Https("/search?_c=" + Hex("表ソ") + "&q=" + Hex("坊っちゃん")), {kGaraho});
    ASSERT_EQ(search.code, CURLE_OK) << search.error;
    EXPECT_EQ(search.http.status, 200);
    EXPECT_EQ(search.http.Header("content-type"), "text/html; charset=UTF-8");
    EXPECT_NE(search.http.body.find(">坊っちゃん<"), std::string::npos) << search.http.body;

    Answer form = Fetch(c, Https("/account"), {kPc});
    ASSERT_EQ(form.code, CURLE_OK) << form.error;
    const std::string visitor = SetCookie(form.http, "v");
    EXPECT_TRUE(Secure(visitor)) << visitor;

    Answer login = Login(c, Https(""), "1000000033", "hon4649", {});
    ASSERT_EQ(login.code, CURLE_OK) << login.error;
    EXPECT_EQ(login.http.status, 303) << login.http.body;
    const std::string session = SetCookie(login.http, "sid");
    EXPECT_TRUE(Secure(session)) << session;
    std::smatch sid;
    ASSERT_TRUE(std::regex_search(session, sid, std::regex("^sid=([0-9a-f]{32})")));
    Answer loans = Fetch(c, Https("/account/loans"), {kPc, "Cookie: sid=" + std::string(sid[1])});
    EXPECT_EQ(loans.http.status, 200) << "the Secure cookie keeps the patron logged in";
  }
}

// TLS 1.0 and 1.1 are refused; the same client completes the handshake with a
// server that allows them (openssl s_server), so it did offer them.
TEST_F(HttpsProxy, TlsOneZeroAndOneOneAreRefused) {
  const int port = FreePort();
  const std::string log = dir_->File("s_server.log");
  pid_t old = Spawn({"openssl", "s_server", "-accept", "127.0.0.1:" + std::to_string(port), "-cert",
                     ca_, "-key", dir_->File("key.pem"), "-no_tls1_2", "-no_tls1_3", "-cipher",
                     "DEFAULT@SECLEVEL=0", "-www", "-quiet"},
                    log);
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!Accepts(port) && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  struct Case {
    const char* name;
    long version;
  } cases[] = {{"TLS 1.0", CURL_SSLVERSION_TLSv1_0 | CURL_SSLVERSION_MAX_TLSv1_0},
               {"TLS 1.1", CURL_SSLVERSION_TLSv1_1 | CURL_SSLVERSION_MAX_TLSv1_1}};
  for (const auto& k : cases) {
    SCOPED_TRACE(k.name);
    // OpenSSL 3 allows TLS below 1.2 only at security level 0.
    const Client c{k.version, "DEFAULT@SECLEVEL=0", ca_, "127.0.0.1"};
    Answer control = Fetch(c, "https://127.0.0.1:" + std::to_string(port) + "/", {});
    EXPECT_EQ(control.code, CURLE_OK) << control.error << "\n" << ReadAll(log);
    Answer refused = Fetch(c, Https("/"), {kPc});
    EXPECT_EQ(refused.code, CURLE_SSL_CONNECT_ERROR) << refused.error;
    EXPECT_EQ(refused.http.status, 0);
  }
  kill(old, SIGTERM);
  Wait(old, 10);
}

// Plain HTTP through nginx is served, for the handsets without TLS 1.2, and
// its cookies are never Secure, whatever X-Forwarded-Proto the client sends.
TEST_F(HttpsProxy, PlainHttpIsServedAndItsCookiesAreNotSecure) {
  const Client plain;
  Answer form = Fetch(plain, Http("/account"), {kPc, "X-Forwarded-Proto: https"});
  ASSERT_EQ(form.code, CURLE_OK) << form.error;
  EXPECT_EQ(form.http.status, 200);
  const std::string visitor = SetCookie(form.http, "v");
  ASSERT_NE(visitor, "");
  EXPECT_FALSE(Secure(visitor)) << visitor;

  // An i-mode phone gets its Shift_JIS page.
  Answer phone = Fetch(plain, Http("/"), {"User-Agent: DoCoMo/2.0 P903i(c100;TB;W24H12)"});
  ASSERT_EQ(phone.code, CURLE_OK) << phone.error;
  EXPECT_EQ(phone.http.status, 200);
  EXPECT_EQ(phone.http.Header("content-type"), "text/html; charset=Shift_JIS");
}

// shiori reached straight, not through nginx (from 127.0.0.1, not listed in
// trusted_proxies): a forged X-Forwarded-Proto does not make cookies Secure.
TEST_F(HttpsProxy, ShioriReachedDirectlyIgnoresAForgedForwardedProto) {
  const Client direct;
  Answer form = Fetch(direct, Direct("/account"), {kPc, "X-Forwarded-Proto: https"});
  ASSERT_EQ(form.code, CURLE_OK) << form.error;
  EXPECT_EQ(form.http.status, 200);
  const std::string visitor = SetCookie(form.http, "v");
  ASSERT_NE(visitor, "");
  EXPECT_FALSE(Secure(visitor)) << visitor;
  Answer login = Login(direct, Direct(""), "1000000033", "hon4649", {"X-Forwarded-Proto: https"});
  EXPECT_EQ(login.http.status, 303);
  EXPECT_FALSE(Secure(SetCookie(login.http, "sid"))) << SetCookie(login.http, "sid");
}

// The limit on failed logins per client address (source_max_failures = 3
// here) counts the address nginx saw, and a forged X-Forwarded-For, sent
// straight to shiori or through nginx, changes nothing.
TEST_F(HttpsProxy, FailedLoginsCountTheAddressNginxSawNotAForgedOne) {
  const std::string wrong = "カード番号またはパスワードが違います";
  const std::string refused = "この接続元からの入力の誤りが多いため";
  int card = 2000000100;
  auto fail_three_times = [&](const Client& c, const std::string& base) {
    for (int i = 0; i < 3; ++i) {
      Answer a = Login(c, base, std::to_string(card++), "hon4649",
                       {"X-Forwarded-For: 203.0.113." + std::to_string(card % 200)});
      EXPECT_EQ(a.http.status, 403);
      EXPECT_NE(a.http.body.find(wrong), std::string::npos) << a.http.body;
    }
  };

  // Straight to shiori from 127.0.0.5, a new X-Forwarded-For each time.
  const Client direct{CURL_SSLVERSION_DEFAULT, "", "", "127.0.0.5"};
  fail_three_times(direct, Direct(""));
  Answer locked =
      Login(direct, Direct(""), "1000000033", "hon4649", {"X-Forwarded-For: 198.51.100.1"});
  EXPECT_EQ(locked.http.status, 403);
  EXPECT_NE(locked.http.body.find(refused), std::string::npos)
      << "the forged addresses did not escape the limit: " << locked.http.body;

  // Through nginx from 127.0.0.3: counted as 127.0.0.3, not as the proxy nor
  // the locked 127.0.0.5 it names.
  Answer other =
      Login(Tls12("127.0.0.3"), Https(""), "1000000033", "hon4649", {"X-Forwarded-For: 127.0.0.5"});
  EXPECT_EQ(other.http.status, 303) << other.http.body;
  fail_three_times(Tls12("127.0.0.3"), Https(""));
  Answer locked_too = Login(Tls12("127.0.0.3"), Https(""), "1000000033", "hon4649",
                            {"X-Forwarded-For: 198.51.100.2"});
  EXPECT_EQ(locked_too.http.status, 403);
  EXPECT_NE(locked_too.http.body.find(refused), std::string::npos)
      << "nginx replaced the forged addresses: " << locked_too.http.body;

  // Every request above reached shiori from nginx's 127.0.0.2: another
  // client of the same nginx still logs in.
  Answer next = Login(Tls13("127.0.0.4"), Https(""), "1000000033", "hon4649", {});
  EXPECT_EQ(next.http.status, 303) << next.http.body;
}

// The staff pages are not on the public site, over HTTPS or HTTP.
TEST_F(HttpsProxy, TheStaffPagesAreNotReachableThroughThePublicSite) {
  for (const std::string& url : {Https("/staff/login"), Http("/staff/login")}) {
    SCOPED_TRACE(url);
    Answer a = Fetch(Tls12(), url, {kPc});
    ASSERT_EQ(a.code, CURLE_OK) << a.error;
    EXPECT_EQ(a.http.status, 404);
  }
  Answer staff = Fetch(Client{}, server_->StaffUrl("/staff/login"), {kPc});
  EXPECT_EQ(staff.http.status, 200) << "while shiori's staff listener serves them";
}

}  // namespace
}  // namespace shiori::test
