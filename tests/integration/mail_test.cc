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
#include <set>
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
  // The body as text: ISO-2022-JP 7bit or base64 UTF-8, as the sender wrote it.
  std::string Text() const {
    if (headers.count("content-transfer-encoding") &&
        headers.at("content-transfer-encoding") == "base64") {
      return Unbase64(body);
    }
    return Iconv(body, "ISO-2022-JP");
  }
  std::string To() const { return headers.count("to") ? headers.at("to") : ""; }
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

    // Reserved by mail at the branch of a copy on the shelf, then staff there
    // take it from the shelf: the hold is ready and circ.cc queues the notice
    // in the same transaction.
    const std::string barcode = Text("SELECT barcode FROM copies WHERE status = 'shelf'"
                                     " AND record_id = " + std::to_string(record) + " LIMIT 1");
    const std::string branch =
        Text("SELECT branch FROM copies WHERE barcode = '" + barcode + "'");
    auto placed = db::PlaceHolds(*c_, patron_, {record}, branch, "mail", "", cfg_.rules,
                                 "2026-12-26T10:00:00Z");
    ASSERT_TRUE(placed.ok()) << placed.status().message();
    ASSERT_EQ((*placed)[0].outcome, db::HoldOutcome::kPlaced) << (*placed)[0].message;
    auto waiting = db::PatronHolds(*c_, patron_, false);
    ASSERT_TRUE(waiting.ok());
    int64_t hold = 0;
    for (const auto& h : *waiting) hold = std::max(hold, h.hold_id);
    auto pulled = db::PullForHold(*c_, barcode, branch, today_, cfg_.rules);
    ASSERT_TRUE(pulled.ok()) << pulled.status().message();
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
    auto r = mail::SendPending(
        *c_, mc_, cfg_.rules.library_name, cfg_.rules, [now] { return now; },
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
  void WriteConfig(int interval_s, const std::string& more = "timeout = 5\n") {
    std::ofstream(dir_.File("shiori.toml"))
        << "[mail]\nsmtp_host = \"127.0.0.1\"\nsmtp_port = " << port_
        << "\nsite_url = \"http://127.0.0.1:8080\"\nsend_interval = " << interval_s << "\n"
        << more;
  }
  // The delivered messages to `to`.
  std::vector<Mail> DeliveredTo(const std::string& to) {
    std::vector<Mail> out;
    for (Mail& m : Delivered()) {
      if (m.To() == to) out.push_back(std::move(m));
    }
    return out;
  }
  // A hold by 1000000011 on another title on the shelf, waiting, contact mail; its id.
  std::string another_barcode_;  // a copy on the shelf for AnotherWaitingHold's title
  int64_t AnotherWaitingHold() {
    const int64_t record = Int(
        "SELECT r.id FROM records r WHERE EXISTS (SELECT 1 FROM copies k WHERE k.record_id = r.id"
        " AND k.status = 'shelf') AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.record_id = r.id"
        " AND h.status IN ('waiting','ready')) AND NOT EXISTS (SELECT 1 FROM loans l JOIN copies"
        " k ON k.id = l.copy_id WHERE k.record_id = r.id AND l.returned_on IS NULL)"
        " AND r.title NOT GLOB '*[^ -~ぁ-んァ-ヶ一-龠ー]*' ORDER BY r.id DESC LIMIT 1");
    EXPECT_GT(record, 0);
    // Picked up where a copy is on the shelf, so taking it from there makes
    // the hold ready at once.
    another_barcode_ = Text("SELECT barcode FROM copies WHERE status = 'shelf' AND record_id = " +
                            std::to_string(record) + " LIMIT 1");
    const std::string branch =
        Text("SELECT branch FROM copies WHERE barcode = '" + another_barcode_ + "'");
    auto placed = db::PlaceHolds(*c_, patron_, {record}, branch, "mail", "", cfg_.rules,
                                 "2026-12-26T10:30:00Z");
    EXPECT_TRUE(placed.ok() && (*placed)[0].outcome == db::HoldOutcome::kPlaced);
    return Int("SELECT max(id) FROM holds WHERE status = 'waiting' AND patron_id = " +
               std::to_string(patron_));
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

// Staff cancel a hold at the patron's request (`shiori hold cancel`): the
// patron, whose contact is mail, is told in Japanese, once.
TEST_F(ServerMail, AHoldCancelledAtTheCounterIsToldByMail) {
  ASSERT_TRUE(StartMailbox());
  const int64_t hold = AnotherWaitingHold();
  WriteConfig(1);
  c_.reset();
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1)) << "the ready hold's notice from the fixture";
  CommandResult cancel =
      RunShiori({"hold", "cancel", std::to_string(hold), "--db", dir_.File("mail.db")},
                {"SHIORI_TODAY=2026-12-26"});
  ASSERT_EQ(cancel.exit_code, 0) << cancel.err;
  ASSERT_TRUE(WaitFor(2)) << server.Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 2u);
  const Mail* told = nullptr;
  for (const auto& m : mails) {
    if (m.Subject() == "予約を取り消しました") told = &m;
  }
  ASSERT_NE(told, nullptr);
  EXPECT_NE(told->Text().find("順番は元に戻せません"), std::string::npos) << told->Text();
  EXPECT_NE(told->Text().find("/account/holds"), std::string::npos);
  CommandResult again =
      RunShiori({"hold", "cancel", std::to_string(hold), "--db", dir_.File("mail.db")},
                {"SHIORI_TODAY=2026-12-26"});
  EXPECT_NE(again.exit_code, 0);
  EXPECT_NE(again.err.find("終了しています"), std::string::npos) << again.err;
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
  ASSERT_TRUE(db::Checkout(*c_, "1000000022", barcode, "", today_, cfg_.rules).ok());
  auto placed = db::PlaceHolds(*c_, patron_, {record}, "noda", "mail", "", cfg_.rules,
                               "2026-12-26T11:00:00Z");
  ASSERT_TRUE(placed.ok());
  ASSERT_EQ((*placed)[0].outcome, db::HoldOutcome::kPlaced) << (*placed)[0].message;
  c_.reset();

  WriteConfig(3600);  // the server sends at start, then not again within the test
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1)) << "the notice already waiting goes out at start";
  CommandResult checkin =
      RunShiori({"circ", "checkin", barcode, "--branch", "noda", "--db", dir_.File("mail.db")},
                {"SHIORI_TODAY=2026-12-26"});
  ASSERT_EQ(checkin.exit_code, 0) << checkin.err;
  EXPECT_NE(checkin.out.find("取置"), std::string::npos) << checkin.out;
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

// 新規パスワード登録 with the card, name and phone someone else may know and
// an address of theirs: the password is set, the address on file stays, and
// the one notice goes to that address. The form asks for no address.
TEST_F(ServerMail, RegistrationSetsOnlyAPasswordAndTellsTheAddressOnFile) {
  ASSERT_TRUE(StartMailbox());
  WriteConfig(1);
  c_.reset();
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1)) << "the hold's notice";
  Browser stranger(server, false);
  std::string form = stranger.Get("/account/register");
  EXPECT_EQ(form.find("name=\"email\""), std::string::npos) << form;
  long status = 0;
  std::string page = stranger.Post("/account/register",
                                   {{"card", "1000000011"},
                                    {"name", "いずみ きょうこ"},
                                    {"phone", "0996631111"},
                                    {"password", "Evil123"},
                                    {"password2", "Evil123"},
                                    {"email", "attacker@evil.example"}},
                                   &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(page.find("パスワードを登録しました"), std::string::npos) << page;
  const std::string db = dir_.File("mail.db");
  EXPECT_EQ(QueryText(db, "SELECT email FROM patrons WHERE card = '1000000011'"),
            "kyoko.izumi@docomo.ne.jp");
  ASSERT_TRUE(WaitFor(2)) << server.Stderr();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // another round: nothing more
  std::vector<Mail> mails = Delivered();
  ASSERT_EQ(mails.size(), 2u);
  for (const Mail& m : mails) EXPECT_EQ(m.To(), "kyoko.izumi@docomo.ne.jp");
  EXPECT_EQ(mails[1].Subject(), "パスワードの登録");
  EXPECT_NE(mails[1].Text().find("パスワードが\n登録されました"), std::string::npos)
      << mails[1].Text();
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM outbox WHERE to_address LIKE '%evil%'"), 0);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

// A new address: the page says where the confirmation went; the mail's link
// opens on a phone that keeps no cookie, asks for the login, comes back to
// the confirmation, and only its button makes the address the patron's and
// tells the old one.
TEST_F(ServerMail, ANewAddressIsUsedOnlyOnceConfirmedFromItsMailboxOnAPhoneWithoutCookies) {
  ASSERT_TRUE(StartMailbox());
  WriteConfig(1);
  c_.reset();
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1));
  const std::string db = dir_.File("mail.db");
  const std::string email_now = "SELECT email FROM patrons WHERE card = '1000000011'";
  const std::string fresh = "kyoko.new@ezweb.ne.jp";

  Browser pc(server, false);
  pc.Get("/account");
  long status = 0;
  pc.Post("/account/login", {{"card", "1000000011"}, {"password", "neko2026"}}, &status);
  ASSERT_EQ(status, 200);
  pc.Get("/account/email");
  std::string asked = pc.Post("/account/email", {{"email", fresh}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(asked.find("確認のメールを " + fresh + " に送りました"), std::string::npos) << asked;
  EXPECT_NE(asked.find("いまのアドレス: kyoko.izumi@docomo.ne.jp"), std::string::npos) << asked;
  EXPECT_NE(asked.find("再度手続きをしてください"), std::string::npos) << asked;
  EXPECT_EQ(QueryText(db, email_now), "kyoko.izumi@docomo.ne.jp");

  ASSERT_TRUE(WaitFor(2)) << server.Stderr();
  std::vector<Mail> confirmation = DeliveredTo(fresh);
  ASSERT_EQ(confirmation.size(), 1u);
  EXPECT_EQ(confirmation[0].Subject(), "メールアドレスの確認");
  // The link on one line of the carrier mail as sent, so a phone can open it.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      confirmation[0].body, m,
      std::regex("\nhttp://127\\.0\\.0\\.1:8080(/account/email/confirm\\?c=[a-z2-7]{20})\r?\n")))
      << confirmation[0].body;
  const std::string link = m[1];
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM outbox WHERE detail LIKE '%" +
                             link.substr(link.find('=') + 1) + "%'"),
            0)
      << "the code is not kept once the mail is sent";

  Browser phone(server, true);  // docomo: the session only in URLs
  std::string login = phone.Get(link, &status);
  EXPECT_EQ(status, 401);
  EXPECT_NE(login.find("ログインしてください"), std::string::npos) << login;
  std::string confirm =
      phone.Post("/account/login", {{"card", "1000000011"}, {"password", "neko2026"}}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(confirm.find("メールアドレスの確認"), std::string::npos) << confirm;
  EXPECT_NE(confirm.find(fresh), std::string::npos) << confirm;
  EXPECT_EQ(QueryText(db, email_now), "kyoko.izumi@docomo.ne.jp") << "opening it changes nothing";
  std::string done = phone.Post("/account/email/confirm", {}, &status);
  EXPECT_EQ(status, 200);
  EXPECT_NE(done.find("変更しました"), std::string::npos) << done;
  EXPECT_EQ(QueryText(db, email_now), fresh);

  ASSERT_TRUE(WaitFor(3)) << server.Stderr();
  std::vector<Mail> old = DeliveredTo("kyoko.izumi@docomo.ne.jp");
  ASSERT_EQ(old.size(), 2u) << "the hold's notice, then the change";
  EXPECT_EQ(old[1].Subject(), "メールアドレスの変更");
  EXPECT_NE(old[1].Text().find("変更されました"), std::string::npos) << old[1].Text();
  EXPECT_EQ(DeliveredTo(fresh).size(), 1u);
  phone.Get(link, &status);
  EXPECT_EQ(status, 410) << "a link works once";
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

// One session changing its address a hundred times as fast as it can, to
// one outside address and then to a hundred: the limits hold, each refusal
// says why in Japanese and changes nothing, and a hold's notice from the
// counter still goes out.
TEST_F(ServerMail, AHundredQuickAddressChangesQueueNoMoreThanTheLimit) {
  ASSERT_TRUE(StartMailbox());
  const int64_t hold = AnotherWaitingHold();
  WriteConfig(1);
  c_.reset();
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  ASSERT_TRUE(WaitFor(1));
  const std::string db = dir_.File("mail.db");
  Browser b(server, false);
  b.Get("/account");
  long status = 0;
  b.Post("/account/login", {{"card", "1000000011"}, {"password", "neko2026"}}, &status);
  ASSERT_EQ(status, 200);
  b.Get("/account/email");
  auto replay = [&](bool one_address, std::string* refusal) {
    int accepted = 0;
    for (int i = 0; i < 100; ++i) {
      const std::string to =
          one_address ? "victim@outside.example" : "v" + std::to_string(i) + "@outside.example";
      std::string page = b.Post("/account/email", {{"email", to}}, &status);
      if (status == 200) {
        ++accepted;
      } else {
        EXPECT_EQ(status, 429) << page;
        *refusal = page;
      }
    }
    return accepted;
  };
  const auto started = std::chrono::steady_clock::now();
  std::string refusal;
  EXPECT_EQ(replay(true, &refusal), 5) << "5 an hour to one address";
  EXPECT_NE(refusal.find("お知らせメールの送信が続いたため、しばらくこの手続きはできません。"
                         "1時間ほどたってから、もう一度お試しください。"),
            std::string::npos)
      << refusal;
  EXPECT_EQ(replay(false, &refusal), 5) << "10 an hour for one patron";
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ measured ] 200 address changes in %.2f s\n", seconds);
  EXPECT_LE(QueryInt(db, "SELECT count(*) FROM outbox WHERE kind != 'hold_ready'"), 10);
  EXPECT_LE(QueryInt(db, "SELECT count(*) FROM outbox WHERE to_address = 'victim@outside.example'"),
            5);
  EXPECT_EQ(QueryText(db, "SELECT address FROM email_changes"), "v4@outside.example")
      << "a refused change wrote nothing";
  EXPECT_EQ(QueryText(db, "SELECT email FROM patrons WHERE card = '1000000011'"),
            "kyoko.izumi@docomo.ne.jp");

  // Staff set a copy aside: the notice of the ready hold is never refused.
  CommandResult ready =
      RunShiori({"circ", "ready", another_barcode_, "--db", db}, {"SHIORI_TODAY=2026-12-26"});
  ASSERT_EQ(ready.exit_code, 0) << ready.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(3000));  // rounds of the sender
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM outbox WHERE status IN ('pending','sending')"), 0);
  EXPECT_EQ(QueryInt(db,
                     "SELECT count(*) FROM outbox WHERE kind = 'hold_ready'"
                     " AND status = 'sent' AND hold_id = " +
                         std::to_string(hold)),
            1);
  std::vector<Mail> mails = Delivered();
  EXPECT_LE(mails.size(), 12u) << "2 hold notices and at most 10 of the patron's own";
  EXPECT_LE(DeliveredTo("victim@outside.example").size(), 5u);
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

// The server's own sender and `shiori mail send-pending` at once, through an
// SMTP server that takes 2 s for each message: the server's run is well past
// a claim's lease (7 s) when send-pending starts beside it. Every notice is
// delivered once, none is left, both end well, and their lines show the card
// by its last four digits only.
TEST_F(ServerMail, TwoSendersThroughASlowServerDeliverEveryNoticeOnce) {
  for (int i = 1; i < 12; ++i) {  // 11 security notices to 11 addresses, and the hold's
    db::Transaction tx(*c_);
    ASSERT_TRUE(tx.begun().ok());
    ASSERT_TRUE(db::QueueNotice(*c_, "password_changed", patron_,
                                "n" + std::to_string(i) + "@example.jp", "pc", now_,
                                db::NoticeLimits{100, 100})
                    .ok());
    ASSERT_TRUE(tx.Commit().ok());
  }
  c_.reset();
  ASSERT_TRUE(smtp_.Start({std::string(SHIORI_SOURCE_DIR) + "/tests/integration/smtp_slow.py",
                           "127.0.0.1", std::to_string(port_), maildir_, "2"},
                          port_, dir_.File("smtp.log")));
  // A send takes at most 3 * timeout = 6 s; a claim is its sender's for 7 s.
  WriteConfig(1, "timeout = 2\nlease = 7\n");
  Server server;
  ASSERT_TRUE(StartServer(server)) << server.startup_output();
  const auto started = std::chrono::steady_clock::now();
  ASSERT_TRUE(WaitFor(4)) << "8 s into the server's run: longer than a lease";
  CommandResult other = RunShiori({"mail", "send-pending", "--config", dir_.File("shiori.toml"),
                                   "--db", dir_.File("mail.db")},
                                  {"SHIORI_TODAY=2026-12-26"});
  EXPECT_EQ(other.exit_code, 0) << other.out << other.err;
  const std::string db = dir_.File("mail.db");
  for (int i = 0; i < 300; ++i) {  // at most 30 s for the server to finish its part
    if (QueryInt(db, "SELECT count(*) FROM outbox WHERE status IN ('pending','sending')") == 0)
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("[ measured ] 12 notices at 2 s each by two senders in %.1f s\n", seconds);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM outbox WHERE status = 'sent'"), 12);
  EXPECT_EQ(QueryInt(db, "SELECT count(*) FROM outbox WHERE resent_uncertain = 1"), 0);
  std::vector<Mail> mails = Delivered();
  EXPECT_EQ(mails.size(), 12u);
  std::set<std::string> to, ids;
  for (const Mail& m : mails) {
    to.insert(m.To());
    ids.insert(m.headers.at("message-id"));
  }
  EXPECT_EQ(to.size(), 12u) << "each address once";
  EXPECT_EQ(ids.size(), 12u);
  EXPECT_NE(other.out.find(" sent,"), std::string::npos) << other.out;
  EXPECT_EQ(other.out.find("not recorded"), std::string::npos) << other.out;
  const std::string log = server.Stderr() + other.out + other.err;
  EXPECT_EQ(log.find("1000000011"), std::string::npos) << log;
  EXPECT_NE(log.find("card ...0011"), std::string::npos) << log;
  EXPECT_LT(seconds, 22.0) << "both senders worked at once";
  EXPECT_EQ(server.Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace shiori::test
