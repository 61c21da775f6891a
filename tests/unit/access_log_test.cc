// The access log's batching: every line of every thread is written once and
// whole, an idle server's line appears without waiting for more, and Stop()
// leaves nothing behind.
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

}  // namespace
}  // namespace shiori::gateway
