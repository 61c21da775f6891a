// The end-to-end fixture: child processes of the real binary and libcurl clients.
#include "tests/integration/fixture.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace shiori::test {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Makes `dir` a folder of empty files named by `sonames`: first in
// LD_LIBRARY_PATH, it makes the dynamic loader open the empty file and give up
// ("file too short"), as it does on a machine without the package.
std::string HidingFolder(const std::string& dir, const Hidden& sonames) {
  mkdir(dir.c_str(), 0700);
  for (const auto& soname : sonames) std::ofstream(dir + "/" + soname);
  return dir;
}

// fork + exec of SHIORI_BIN with stdout and stderr sent to files in `dir`
// (which must outlive the child).
pid_t Spawn(const std::vector<std::string>& args, const std::vector<std::string>& env,
            const std::string& out_path, const std::string& err_path, const Hidden& hidden,
            const std::string& dir, const std::string& in_path = "/dev/null") {
  std::vector<std::string> child_env = env;  // built before fork: the child only makes syscalls
  if (!hidden.empty()) {
    child_env.push_back("LD_LIBRARY_PATH=" + HidingFolder(dir + "/hidden", hidden));
  }
  pid_t pid = fork();
  if (pid != 0) return pid;
  int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  int in = open(in_path.c_str(), O_RDONLY);
  dup2(in, 0);
  dup2(out, 1);
  dup2(err, 2);
  for (const auto& e : child_env) putenv(const_cast<char*>(e.c_str()));
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(SHIORI_BIN));
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv(SHIORI_BIN, argv.data());
  _exit(127);
}

int WaitExit(pid_t pid, int timeout_s) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return -1;
}

size_t OnBody(char* p, size_t size, size_t n, void* ud) {
  static_cast<std::string*>(ud)->append(p, size * n);
  return size * n;
}

size_t OnHeader(char* p, size_t size, size_t n, void* ud) {
  auto* r = static_cast<HttpResponse*>(ud);
  std::string line(p, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    r->headers.clear();  // a new response (after 100 Continue)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string::npos) {
    std::string k = line.substr(0, colon);
    for (auto& c : k) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::string v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
    while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
    r->headers.emplace_back(k, v);
  }
  return size * n;
}

HttpResponse Request(const std::string& url, const char* method, const std::string* body,
                     const std::vector<std::string>& headers) {
  HttpResponse r;
  CURL* c = curl_easy_init();
  if (!c) return r;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, OnBody);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (std::strcmp(method, "HEAD") == 0) curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
  if (body) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body->size()));
  }
  if (curl_easy_perform(c) == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(c);
  return r;
}

}  // namespace

std::string QueryText(const std::string& db, const std::string& sql) {
  sqlite3* h = nullptr;
  std::string out;
  if (sqlite3_open_v2(db.c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(h, sql.c_str(), -1, &s, nullptr) == SQLITE_OK &&
        sqlite3_step(s) == SQLITE_ROW && sqlite3_column_text(s, 0)) {
      out = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    }
    sqlite3_finalize(s);
  }
  sqlite3_close(h);
  return out;
}

int64_t QueryInt(const std::string& db, const std::string& sql) {
  const std::string t = QueryText(db, sql);
  return t.empty() ? -1 : std::stoll(t);
}

std::string HttpResponse::Header(const std::string& lower_name) const {
  for (const auto& [k, v] : headers) {
    if (k == lower_name) return v;
  }
  return "";
}

TempDir::TempDir() {
  char tmpl[] = "/tmp/shiori-test-XXXXXX";
  path_ = mkdtemp(tmpl);
}

TempDir::~TempDir() {
  std::string cmd = "rm -rf '" + path_ + "'";
  if (std::system(cmd.c_str()) != 0) {
    // Leftovers in /tmp are harmless.
  }
}

CommandResult RunShiori(const std::vector<std::string>& args, const std::vector<std::string>& env,
                        const Hidden& hidden) {
  TempDir d;
  CommandResult r;
  pid_t pid = Spawn(args, env, d.File("out"), d.File("err"), hidden, d.path());
  r.exit_code = WaitExit(pid, 120);
  r.out = ReadFile(d.File("out"));
  r.err = ReadFile(d.File("err"));
  return r;
}

CommandResult RunShioriWithInput(const std::vector<std::string>& args, const std::string& input,
                                 const std::vector<std::string>& env) {
  TempDir d;
  std::ofstream(d.File("in"), std::ios::binary) << input;
  CommandResult r;
  pid_t pid = Spawn(args, env, d.File("out"), d.File("err"), {}, d.path(), d.File("in"));
  r.exit_code = WaitExit(pid, 120);
  r.out = ReadFile(d.File("out"));
  r.err = ReadFile(d.File("err"));
  return r;
}

Server::~Server() {
  if (pid_ > 0) Stop(SIGKILL);
}

bool Server::Start(const std::vector<std::string>& args, const std::vector<std::string>& env,
                   const Hidden& hidden) {
  std::vector<std::string> all = {"serve", "--listen", "127.0.0.1:0", "--staff-listen",
                                  "127.0.0.1:0"};
  all.insert(all.end(), args.begin(), args.end());
  stderr_path_ = logs_.File("err");
  pid_ = Spawn(all, env, logs_.File("out"), stderr_path_, hidden, logs_.path());
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  const std::string marker = "listening on http://127.0.0.1:";
  const std::string staff_marker = "staff pages on http://127.0.0.1:";
  while (std::chrono::steady_clock::now() < until) {
    std::string out = ReadFile(logs_.File("out"));
    size_t at = out.find(marker);
    size_t staff_at = out.find(staff_marker);
    if (at != std::string::npos && staff_at != std::string::npos &&
        out.find("/staff\n", staff_at) != std::string::npos) {
      port_ = std::atoi(out.c_str() + at + marker.size());
      staff_port_ = std::atoi(out.c_str() + staff_at + staff_marker.size());
      startup_ = out.substr(0, at);
      return port_ > 0 && staff_port_ > 0;
    }
    int status;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      startup_ = out + ReadFile(stderr_path_);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  startup_ = ReadFile(logs_.File("out")) + ReadFile(stderr_path_);
  return false;
}

std::string Server::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

std::string Server::StaffUrl(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(staff_port_) + path;
}

HttpResponse Server::Get(const std::string& path, const std::vector<std::string>& headers) const {
  return Request(Url(path), "GET", nullptr, headers);
}

HttpResponse Server::Head(const std::string& path, const std::vector<std::string>& headers) const {
  return Request(Url(path), "HEAD", nullptr, headers);
}

HttpResponse Server::Post(const std::string& path, const std::string& body,
                          const std::vector<std::string>& headers) const {
  return Request(Url(path), "POST", &body, headers);
}

HttpResponse Server::StaffGet(const std::string& path,
                              const std::vector<std::string>& headers) const {
  return Request(StaffUrl(path), "GET", nullptr, headers);
}

HttpResponse Server::StaffPost(const std::string& path, const std::string& body,
                               const std::vector<std::string>& headers) const {
  return Request(StaffUrl(path), "POST", &body, headers);
}

int Server::Stop(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  int code = WaitExit(pid_, 60);
  pid_ = -1;
  return code;
}

std::string Server::Stderr() const { return ReadFile(stderr_path_); }

}  // namespace shiori::test
