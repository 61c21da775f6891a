// End-to-end tests of the mail notices against real SMTP servers on 127.0.0.1:
// aiosmtpd's Mailbox handler (a maildir we read back) and a stub that answers
// 550. A hold becomes ready through the circulation functions on the demo
// library; the sender delivers its notice once, in ISO-2022-JP to docomo;
// retries after the server was down; fails on a 5xx; and resends once, no
// more, after a crash mid-send. Every wait is bounded.
#include "mail/mail.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <iconv.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "db/circ.h"
#include "db/demo.h"
#include "db/outbox.h"
#include "db/patron.h"
#include "db/rules.h"
#include "db/schema.h"
#include "db/sqlite.h"
#include "gateway/clock.h"
#include "gateway/config.h"
#include "tests/integration/browser.h"
#include "tests/mail_decode.h"

namespace shiori::test {
namespace {

// Debian's interpreter, which has python3-aiosmtpd (another python3 on PATH may not).
constexpr char kPython[] = "/usr/bin/python3";

bool FitsIso2022Jp(const std::string& utf8) {
  iconv_t cd = iconv_open("ISO-2022-JP", "UTF-8");
  std::string out(utf8.size() * 4 + 16, '\0');
  char* i = const_cast<char*>(utf8.data());
  size_t il = utf8.size();
  char* o = out.data();
  size_t ol = out.size();
  const bool ok = iconv(cd, &i, &il, &o, &ol) != static_cast<size_t>(-1);
  iconv_close(cd);
  return ok && out.find("\x1B(J") == std::string::npos;
}

// One message as stored in the maildir (line ends as the server wrote them).
struct Mail {
  std::map<std::string, std::string> headers;  // lower-case name -> unfolded value
  std::string body;                            // raw bytes, LF line ends
  std::string Subject() const {
    std::regex word("=\\?([A-Za-z0-9-]+)\\?B\\?([A-Za-z0-9+/=]+)\\?=");
    const std::string v = headers.at("subject");
    std::string out;
    for (auto it = std::sregex_iterator(v.begin(), v.end(), word); it != std::sregex_iterator();
         ++it) {
      out += Iconv(Unbase64((*it)[2]), (*it)[1].str().c_str());
    }
    return out;
  }
};

Mail ParseMail(std::string raw) {
  raw = std::regex_replace(raw, std::regex("\r\n"), "\n");
  Mail m;
  const size_t end = raw.find("\n\n");
  std::istringstream head(raw.substr(0, end));
  m.body = end == std::string::npos ? "" : raw.substr(end + 2);
  std::string line, last;
  while (std::getline(head, line)) {
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      m.headers[last] += line;
      continue;
    }
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    last = line.substr(0, colon);
    for (char& ch : last) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string v = line.substr(colon + 1);
    m.headers[last] = v.substr(
        v.find_first_not_of(' ') == std::string::npos ? v.size() : v.find_first_not_of(' '));
  }
  return m;
}

// A port on 127.0.0.1 that was free a moment ago.
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

// A Python SMTP server on 127.0.0.1:port, as a child process; stopped on destruction.
class SmtpServer {
 public:
  ~SmtpServer() { Stop(); }
  // Starts `python3 args...` and waits (at most 20 s) until the port accepts.
  bool Start(const std::vector<std::string>& args, int port, const std::string& log) {
    pid_ = fork();
    if (pid_ == 0) {
      int out = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      int in = open("/dev/null", O_RDONLY);
      dup2(in, 0);
      dup2(out, 1);
      dup2(out, 2);
      std::vector<char*> argv{const_cast<char*>(kPython)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(kPython, argv.data());
      _exit(127);
    }
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < until) {
      if (Accepts(port)) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return false;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // SIGTERM, then SIGKILL after 5 s.
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < until) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

class MailJourney : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg_ = gateway::DefaultConfig();
    auto c = db::Connection::Open(dir_.File("mail.db"));
    ASSERT_TRUE(c.ok()) << c.status().message();
    c_ = std::move(c).value();
    ASSERT_TRUE(db::Migrate(*c_).ok());
    db::PasswordHashing fast{1, 64 << 10};
    auto accounts = db::CreateDemoLibrary(*c_, cfg_.rules, today_, fast);
    ASSERT_TRUE(accounts.ok()) << accounts.status().message();

    auto kyoko = db::FindPatronByCard(*c_, "1000000011");
    ASSERT_TRUE(kyoko.ok() && kyoko->has_value());
    patron_ = (*kyoko)->id;
    ASSERT_EQ((*kyoko)->email, "kyoko.izumi@docomo.ne.jp");

    // A title on the shelf nobody waits for, whose title ISO-2022-JP carries as it is.
    auto s = c_->Prepare(
        "SELECT r.id, r.title || CASE WHEN ifnull(r.volume,'') = '' THEN '' ELSE ' ' || r.volume "
        "END FROM records r"
        " WHERE EXISTS (SELECT 1 FROM copies k WHERE k.record_id = r.id AND k.status = 'shelf')"
        " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id"
        "                 AND h.status IN ('waiting','ready'))"
        " AND NOT EXISTS (SELECT 1 FROM loans l JOIN copies k ON k.id = l.copy_id"
        "                 WHERE k.record_id = r.id AND l.returned_on IS NULL) ORDER BY r.id");
    ASSERT_TRUE(s.ok());
    int64_t record = 0;
    while (true) {
      auto r = s->Step();
      ASSERT_TRUE(r.ok());
      if (!*r) break;
      if (FitsIso2022Jp(s->Text(1))) {
        record = s->Int(0);
        break;
      }
    }
    ASSERT_GT(record, 0);

    // Reserved by mail at 中央図書館, then staff find the copy on the shelf:
    // the hold is ready and circ.cc queues the notice in the same transaction.
    auto placed = db::PlaceHolds(*c_, patron_, {record}, "chuo", "mail", "", cfg_.rules,
                                 "2026-12-26T10:00:00Z");
    ASSERT_TRUE(placed.ok()) << placed.status().message();
    ASSERT_EQ((*placed)[0].outcome, db::HoldOutcome::kPlaced) << (*placed)[0].message;
    auto waiting = db::PatronHolds(*c_, patron_, false);
    ASSERT_TRUE(waiting.ok());
    int64_t hold = 0;
    for (const auto& h : *waiting) hold = std::max(hold, h.hold_id);
    std::vector<std::string> log;
    ASSERT_TRUE(db::PullForHold(*c_, std::to_string(hold), today_, cfg_.rules, &log).ok());
    auto ready = db::PatronHolds(*c_, patron_, true);
    ASSERT_TRUE(ready.ok());
    for (const auto& h : *ready) {
      if (h.hold_id == hold) hold_ = h;
    }
    ASSERT_EQ(hold_.hold_id, hold);
    ASSERT_EQ(Int("SELECT count(*) FROM outbox WHERE status = 'pending'"), 1);

    port_ = FreePort();
    mc_.host = "127.0.0.1";
    mc_.port = port_;
    mc_.from = cfg_.mail.from;
    mc_.from_name = cfg_.mail.from_name;
    mc_.timeout_s = 5;
    mc_.site_url = "http://127.0.0.1:8080";
    maildir_ = dir_.File("maildir");
  }

  int64_t Int(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return -1;
    auto r = s->Step();
    return r.ok() && *r ? s->Int(0) : -1;
  }
  std::string Text(const std::string& sql) {
    auto s = c_->Prepare(sql);
    EXPECT_TRUE(s.ok()) << sql;
    if (!s.ok()) return "";
    auto r = s->Step();
    return r.ok() && *r ? s->Text(0) : "";
  }

  bool StartMailbox() {
    return smtp_.Start({"-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + std::to_string(port_), "-c",
                        "aiosmtpd.handlers.Mailbox", maildir_},
                       port_, dir_.File("smtp.log"));
  }

  mail::SenderStats Send(int64_t now) {
    log_.clear();
    auto r = mail::SendPending(*c_, mc_, cfg_.rules.library_name, cfg_.rules, now,
                               gateway::SystemRandom(), &log_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : mail::SenderStats{};
  }

  // The messages in the maildir (new/), oldest first by name.
  std::vector<Mail> Delivered() {
    // In the order they arrived: by the time the sink wrote them (the names
    // sort by whole seconds only; within one second they do not sort).
    std::vector<std::pair<std::filesystem::file_time_type, std::string>> arrived;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(maildir_ + "/new", ec)) {
      arrived.emplace_back(std::filesystem::last_write_time(e.path(), ec), e.path());
    }
    std::sort(arrived.begin(), arrived.end());
    std::vector<std::string> files;
    for (auto& a : arrived) files.push_back(std::move(a.second));
    std::vector<Mail> out;
    for (const auto& f : files) {
      std::ifstream in(f, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      out.push_back(ParseMail(ss.str()));
    }
    return out;
  }

  std::string Logged() const {
    std::string all;
    for (const auto& l : log_) all += l + "\n";
    return all;
  }

  // The one delivered message is the notice of hold_, as 予約確保一覧 shows it.
  void ExpectTheNotice(const Mail& m) {
    EXPECT_EQ(m.headers.at("to"), "kyoko.izumi@docomo.ne.jp");
    EXPECT_EQ(m.headers.at("content-type"), "text/plain; charset=ISO-2022-JP");
    EXPECT_EQ(m.headers.at("content-transfer-encoding"), "7bit");
    EXPECT_EQ(m.Subject(), "予約資料のご用意ができました");
    const std::string body = Iconv(m.body, "ISO-2022-JP");
    const std::string title = hold_.volume.empty() ? hold_.title : hold_.title + " " + hold_.volume;
    EXPECT_NE(body.find(title), std::string::npos) << body;
    EXPECT_NE(body.find(hold_.branch_name), std::string::npos) << body;
    const std::string deadline = db::JapaneseDate(*db::Date::Parse(hold_.deadline));
    EXPECT_NE(body.find(deadline), std::string::npos) << deadline << "\n" << body;
    EXPECT_NE(body.find("利用者カードをお持ちください"), std::string::npos);
    EXPECT_NE(body.find("http://127.0.0.1:8080/account/ready"), std::string::npos);
  }

  TempDir dir_;
  gateway::Config cfg_;
  const db::Date today_ = *db::Date::Parse("2026-12-26");
  std::unique_ptr<db::Connection> c_;
  int64_t patron_ = 0;
  db::HoldLine hold_;
  int port_ = 0;
  mail::Settings mc_;
  std::string maildir_;
  SmtpServer smtp_;
  std::vector<std::string> log_;
  const int64_t now_ = 1798246800;  // 2026-12-26T01:00:00Z
};

TEST_F(MailJourney, HoldReadyNoticeReachesTheMailboxOnceInIso2022Jp) {
  ASSERT_TRUE(StartMailbox()) << dir_.File("smtp.log");
  mail::SenderStats s = Send(now_);
  EXPECT_EQ(s.sent, 1) << Logged();
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 1u);
  ExpectTheNotice(mails[0]);
  EXPECT_EQ(Text("SELECT status FROM outbox"), "sent");
  auto at = db::NoticeSentAt(*c_, hold_.hold_id);
  ASSERT_TRUE(at.ok());
  EXPECT_TRUE(at->has_value());

  s = Send(now_ + 600);
  EXPECT_EQ(s.sent + s.retried + s.failed, 0);
  EXPECT_EQ(Delivered().size(), 1u);
}

TEST_F(MailJourney, ServerDownThenUpDeliversOnceAfterTheBackoff) {
  mail::SenderStats s = Send(now_);  // nothing listens on the port
  EXPECT_EQ(s.sent, 0);
  EXPECT_EQ(s.retried, 1) << Logged();
  EXPECT_EQ(Text("SELECT status FROM outbox"), "pending");
  EXPECT_EQ(Int("SELECT next_try_at FROM outbox"), now_ + 60);
  EXPECT_NE(Text("SELECT last_error FROM outbox"), "");

  ASSERT_TRUE(StartMailbox());
  s = Send(now_ + 30);  // not due yet
  EXPECT_EQ(s.sent + s.retried, 0);
  EXPECT_TRUE(Delivered().empty());
  s = Send(now_ + 61);
  EXPECT_EQ(s.sent, 1) << Logged();
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 1u);
  ExpectTheNotice(mails[0]);
  EXPECT_EQ(Send(now_ + 3600).sent, 0);
  EXPECT_EQ(Delivered().size(), 1u);
}

TEST_F(MailJourney, A5xxFailsTheNoticeVisiblyInStatus) {
  ASSERT_TRUE(smtp_.Start({std::string(SHIORI_SOURCE_DIR) + "/tests/integration/smtp_5xx.py",
                           "127.0.0.1", std::to_string(port_)},
                          port_, dir_.File("smtp.log")));
  mail::SenderStats s = Send(now_);
  EXPECT_EQ(s.failed, 1) << Logged();
  EXPECT_EQ(s.sent + s.retried, 0);
  auto status = db::OutboxStatus(*c_);
  ASSERT_TRUE(status.ok());
  ASSERT_EQ(status->size(), 1u);
  EXPECT_EQ((*status)[0].status, "failed");
  EXPECT_EQ((*status)[0].card, "1000000011");
  EXPECT_NE((*status)[0].last_error.find("550 no such user"), std::string::npos)
      << (*status)[0].last_error;
  EXPECT_EQ(Send(now_ + 3600).failed, 0) << "a failed notice is not tried again";
}

TEST_F(MailJourney, CrashMidSendIsSentOnceMoreAndLogged) {
  // As if the sender had claimed the row an hour ago and died before recording the outcome.
  ASSERT_TRUE(c_->Exec("UPDATE outbox SET status = 'sending', attempts = 1, sending_at = " +
                       std::to_string(now_ - 3600) + ", first_try_at = " +
                       std::to_string(now_ - 3600) + ", message_id = 'crash-1@izumi-library.jp'")
                  .ok());
  ASSERT_TRUE(StartMailbox());
  mail::SenderStats s = Send(now_);
  EXPECT_EQ(s.sent, 1);
  EXPECT_NE(Logged().find("outcome uncertain, sending once more"), std::string::npos) << Logged();
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 1u);
  ExpectTheNotice(mails[0]);
  EXPECT_EQ(mails[0].headers.at("message-id"), "<crash-1@izumi-library.jp>");

  s = Send(now_ + 3600);
  EXPECT_EQ(s.sent + s.retried + s.failed, 0);
  EXPECT_EQ(Delivered().size(), 1u);
  EXPECT_EQ(Text("SELECT status || '/' || resent_uncertain FROM outbox"), "sent/1");
}

// Through the real program: `shiori serve` with the SMTP sink in its
// configuration sends the notice itself; a server killed before sending
// sends it once after a restart.
class ServerMail : public MailJourney {
 protected:
  void WriteConfig(int interval_s) {
    std::ofstream(dir_.File("shiori.toml"))
        << "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = " << port_
        << "\nsite_url = \"http://127.0.0.1:8080\"\nsend_interval = " << interval_s
        << "\ntimeout = 5\n";
  }
  bool StartServer(Server& s) {
    return s.Start({"--db", dir_.File("mail.db"), "--config", dir_.File("shiori.toml")},
                   {"SHIORI_TODAY=2026-12-26"});
  }
  // Waits (at most 20 s) until the maildir holds `n` messages.
  bool WaitFor(size_t n) {
    for (int i = 0; i < 200; ++i) {
      if (Delivered().size() >= n) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }
};

TEST_F(ServerMail, TheRunningServerSendsTheNoticeOnce) {
  ASSERT_TRUE(StartMailbox());
  WriteConfig(1);
  c_.reset();  // the server and the staff commands use the file from here on
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1)) << server.Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // two more rounds of the sender
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 1u) << "sent once, not once a round";
  ExpectTheNotice(mails[0]);
  // 予約確保一覧 says when the notice went out, and shows the same deadline.
  Browser b(server, true);
  b.Get("/account");
  long status = 0;
  b.Post("/account/login", {{"card", "1000000011"}, {"password", "neko2026"}}, &status);
  ASSERT_EQ(status, 200);
  std::string ready = b.Get("/account/ready");
  EXPECT_NE(ready.find("お知らせメール送信"), std::string::npos) << ready;
  EXPECT_NE(ready.find(db::JapaneseDate(*db::Date::Parse(hold_.deadline))), std::string::npos);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

TEST_F(ServerMail, CheckinThenAKilledServerStillSendsTheNoticeOnce) {
  ASSERT_TRUE(StartMailbox());
  // A shelf copy lent to another patron, which 1000000011 reserves by mail.
  const std::string barcode = Text(
      "SELECT k.barcode FROM copies k JOIN records r ON r.id = k.record_id"
      " WHERE k.status = 'shelf'"
      " AND (SELECT count(*) FROM copies x WHERE x.record_id = r.id) = 1"
      " AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id)"
      " AND r.title NOT GLOB '*[^ -~ぁ-んァ-ヶ一-龠ー]*' ORDER BY r.id DESC LIMIT 1");
  ASSERT_FALSE(barcode.empty());
  const int64_t record = Int("SELECT record_id FROM copies WHERE barcode = '" + barcode + "'");
  std::vector<std::string> log;
  ASSERT_TRUE(db::Checkout(*c_, "1000000022", barcode, today_, cfg_.rules, &log).ok());
  auto placed = db::PlaceHolds(*c_, patron_, {record}, "noda", "mail", "", cfg_.rules,
                               "2026-12-26T11:00:00Z");
  ASSERT_TRUE(placed.ok());
  ASSERT_EQ((*placed)[0].outcome, db::HoldOutcome::kPlaced) << (*placed)[0].message;
  c_.reset();

  WriteConfig(3600);  // the server sends at start, then not again within the test
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1)) << "the notice already waiting goes out at start";
  CommandResult checkin = RunShiori({"circ", "checkin", barcode, "--db", dir_.File("mail.db")},
                                    {"SHIORI_TODAY=2026-12-26"});
  ASSERT_EQ(checkin.exit_code, 0) << checkin.err;
  EXPECT_NE(checkin.out.find("ready"), std::string::npos) << checkin.out;
  EXPECT_EQ(server.Stop(SIGKILL), 128 + SIGKILL) << "killed before it sends";
  EXPECT_EQ(Delivered().size(), 1u);

  Server again;
  ASSERT_TRUE(StartServer(again)) << again.startup_output();
  ASSERT_TRUE(WaitFor(2)) << again.Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 2u) << "the checked-in title's notice, once";
  const std::string body = Iconv(mails[1].body, "ISO-2022-JP");
  auto c = db::Connection::Open(dir_.File("mail.db"));
  ASSERT_TRUE(c.ok());
  auto ready = db::PatronHolds(**c, patron_, true);
  ASSERT_TRUE(ready.ok());
  bool found = false;
  for (const auto& h : *ready) {
    if (body.find(h.title) == std::string::npos) continue;
    found = true;
    EXPECT_NE(body.find("野田図書館"), std::string::npos) << body;
    EXPECT_NE(body.find(db::JapaneseDate(*db::Date::Parse(h.deadline))), std::string::npos)
        << body;
  }
  EXPECT_TRUE(found) << body;
  EXPECT_EQ(again.Stop(SIGTERM), 0);
}

// libcurl is opened on the first send: on a machine without it the server
// goes on serving, and the notice is kept as a failed attempt that says why,
// to be tried again.
TEST_F(ServerMail, WithoutLibcurlTheSendIsRecordedAsAFailedAttempt) {
  ASSERT_TRUE(StartMailbox());
  WriteConfig(1);
  c_.reset();
  Server server;
  ASSERT_TRUE(server.Start({"--db", dir_.File("mail.db"), "--config", dir_.File("shiori.toml")},
                           {"SHIORI_TODAY=2026-12-26"}, {"libcurl.so.4"}))
      << server.startup_output();
  const std::string db = dir_.File("mail.db");
  const std::string why = "cannot load libcurl.so.4 (libcurl4): ";
  for (int i = 0; i < 200; ++i) {  // at most 20 s for the sender's first round
    if (server.Stderr().find(why) != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(server.Stderr().find("will retry in 1 min: " + why), std::string::npos)
      << server.Stderr();
  EXPECT_EQ(QueryText(db, "SELECT status FROM outbox"), "pending");
  EXPECT_EQ(QueryInt(db, "SELECT attempts FROM outbox"), 1);
  EXPECT_EQ(QueryText(db, "SELECT last_error FROM outbox").rfind(why, 0), 0u)
      << QueryText(db, "SELECT last_error FROM outbox");
  EXPECT_EQ(server.Get("/healthz").status, 200) << "the server goes on";
  EXPECT_TRUE(Delivered().empty());
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace shiori::test
