// The access log: one line per request on stderr, gathered per thread and
// written in batches, so that request threads neither take turns on the
// file nor pay a system call per request.
#ifndef SHIORI_GATEWAY_ACCESS_LOG_H_
#define SHIORI_GATEWAY_ACCESS_LOG_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace shiori::gateway {

// Each request thread appends to a buffer of its own and writes it out with
// one write(2) when it holds kFlushBytes; a flusher thread writes every
// buffer that is not empty every kFlushMs. Measured with two pool threads
// (bench/http_bench.sh, LOG_CHECK=1): one write per line from each thread
// cost 9-24 % of the top page's req/s against logging to /dev/null; a writer
// thread woken per line cost as much. A line appears at most kFlushMs after
// its request; lines of different threads may appear out of order within
// that time; a process killed with SIGKILL loses at most that much. Stop()
// writes everything that is left.
class AccessLog {
 public:
  static constexpr size_t kFlushBytes = 16 << 10;
  static constexpr int kFlushMs = 50;

  explicit AccessLog(int fd);
  ~AccessLog();  // Stop()
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  // Appends `line` (which ends in '\n'). Thread-safe.
  void Append(std::string_view line);
  // Writes what is pending and ends the flusher. Idempotent; Append still
  // works after it and then writes at once.
  void Stop();

 private:
  struct Buffer {
    std::mutex mu;  // the owner thread per line, the flusher every kFlushMs
    std::string lines;
  };
  Buffer& Mine();
  void Flush(Buffer& b);
  void Run();

  const int fd_;
  const uint64_t serial_;  // unique in the process, never 0
  std::mutex mu_;          // buffers_, stopping_
  std::condition_variable stop_;
  std::vector<std::unique_ptr<Buffer>> buffers_;
  std::atomic<bool> stopping_{false};  // written under mu_, read by Append without it
  std::thread flusher_;
};

}  // namespace shiori::gateway

#endif  // SHIORI_GATEWAY_ACCESS_LOG_H_
