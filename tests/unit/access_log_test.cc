// The access log's batching: every line of every thread is written once and
// whole, an idle server's line appears without waiting for more, and Stop()
// leaves nothing behind. LogText: what a client sent reaches a log line
// escaped and bounded.
#include "gateway/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace shiori::gateway {
namespace {

class AccessLogFile : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/shiori-access-log-XXXXXX";
    fd_ = mkstemp(tmpl);
    ASSERT_GE(fd_, 0);
    path_ = tmpl;
  }
  void TearDown() override {
    close(fd_);
    unlink(path_.c_str());
  }
  std::vector<std::string> Lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
  }
  int fd_ = -1;
  std::string path_;
};

TEST_F(AccessLogFile, EveryLineOfManyThreadsIsWrittenOnceAndWhole) {
  constexpr int kThreads = 4, kLines = 20000;
  {
    AccessLog log(fd_);
    std::vector<std::thread> ts;
    for (int t = 0; t < kThreads; ++t) {
      ts.emplace_back([&log, t] {
        for (int i = 0; i < kLines; ++i) {
          log.Append("GET /search?q= 200 " + std::to_string(t) + "-" + std::to_string(i) + "\n");
        }
      });
    }
    for (auto& t : ts) t.join();
  }  // the destructor stops the log: what is left is written
  const auto lines = Lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  std::set<std::string> seen;
  for (const auto& l : lines) {
    ASSERT_EQ(l.rfind("GET /search?q= 200 ", 0), 0u) << "a line was cut or mixed: " << l;
    seen.insert(l);
  }
  EXPECT_EQ(seen.size(), lines.size()) << "a line was written twice";
}

TEST_F(AccessLogFile, AnIdleServersLineAppearsWithoutWaitingForMore) {
  AccessLog log(fd_);
  log.Append("GET / 200 3719 41us\n");
  std::vector<std::string> lines;
  for (int i = 0; i < 100 && (lines = Lines()).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(lines.size(), 1u) << "not written within a second, though the log was not stopped";
  EXPECT_EQ(lines[0], "GET / 200 3719 41us");
}

TEST_F(AccessLogFile, ALogBuiltWhereAnotherWasGetsABufferOfItsOwn) {
  // Each log in turn at the same address on this thread's stack.
  for (int i = 0; i < 3; ++i) {
    AccessLog log(fd_);
    log.Append("GET / 200 " + std::to_string(i) + "\n");
  }
  EXPECT_EQ(Lines(), (std::vector<std::string>{"GET / 200 0", "GET / 200 1", "GET / 200 2"}));
}

TEST_F(AccessLogFile, AfterStopLinesAreWrittenAtOnce) {
  AccessLog log(fd_);
  log.Stop();
  log.Append("GET /healthz 200 3 5us\n");
  EXPECT_EQ(Lines(), (std::vector<std::string>{"GET /healthz 200 3 5us"}));
}

struct LogTextCase {
  const char* what;
  std::string in;
  size_t max;
  std::string want;
};

const LogTextCase kLogTextCases[] = {
    {"a plain path", "/search", 256, "/search"},
    {"a terminal's colour and title sequences", "\x1b[31mX\x1b]0;pwn\x07", 256,
     "\\x1b[31mX\\x1b]0;pwn\\x07"},
    {"line ends, tab, NUL and DEL", std::string("a\r\nb\t\0\x7f", 7), 256,
     "a\\x0d\\x0ab\\x09\\x00\\x7f"},
    {"a backslash is escaped too, so every one starts an escape", "a\\x41", 256, "a\\x5cx41"},
    {"a space and printable ASCII stay", "GET /a b~", 256, "GET /a b~"},
    {"kanji and kana stay", "/猫のねこ", 256, "/猫のねこ"},
    {"a U+FFFD sent as itself stays", "\xef\xbf\xbd", 256, "\xef\xbf\xbd"},
    {"bytes that are not UTF-8", "\xff\xfe\x61", 256, "\\xff\\xfea"},
    {"a cut-off character", "\xe7\x8c", 256, "\\xe7\\x8c"},
    {"an overlong slash", "\xc0\xaf", 256, "\\xc0\\xaf"},
    {"a UTF-16 surrogate", "\xed\xa0\x80", 256, "\\xed\\xa0\\x80"},
    {"C1 control CSI", "\xc2\x9b\x32J", 256, "\\xc2\\x9b2J"},
    {"right-to-left override", "a\xe2\x80\xae\x62", 256, "a\\xe2\\x80\\xaeb"},
    {"line separator", "a\xe2\x80\xa8\x62", 256, "a\\xe2\\x80\\xa8b"},
    {"cut at the bound with the bytes left out", std::string(300, 'a'), 256,
     std::string(256, 'a') + "...(+44 bytes)"},
    {"an escape is never split", "ab\x01\x01", 7, "ab\\x01...(+1 bytes)"},
    {"a character is never split", "ab猫", 4, "ab...(+3 bytes)"},
    {"exactly the bound is not cut", "abcd", 4, "abcd"},
};

TEST(LogText, EscapesWhatATerminalWouldActOnAndCutsLongPieces) {
  for (const auto& c : kLogTextCases) {
    SCOPED_TRACE(c.what);
    EXPECT_EQ(LogText(c.in, c.max), c.want);
  }
}

TEST(LogText, NoByteOfAnyInputLeavesAControlByteOrALongLine) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (int rep = 0; rep < 40; ++rep) all += all.substr(0, 256);
  const std::string out = LogText(all, kLogPathBytes);
  EXPECT_LE(out.size(), kLogPathBytes + 32);
  for (unsigned char b : out) EXPECT_TRUE(b >= 0x20 && b != 0x7f) << static_cast<int>(b);
}

}  // namespace
}  // namespace shiori::gateway
