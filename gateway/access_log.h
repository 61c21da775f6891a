// The access log: one line per request on stderr, gathered per thread and
// written in batches, so that request threads neither take turns on the
// file nor pay a system call per request. And LogText, through which every
// piece of a request goes before it reaches a log line.
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

// Longest piece of a request that a log line carries, in bytes written (the
// cut marker comes on top): a path or a query's keys, a method.
constexpr size_t kLogPathBytes = 256;
constexpr size_t kLogMethodBytes = 32;

// `s` as one piece of a log line that cannot end the line, move the cursor,
// recolour or retitle a terminal, or be mistaken for other text. Written as
// \xNN (two lower-case hex digits), byte by byte: control bytes (0x00-0x1F)
// and DEL, the backslash itself (so every backslash in the output starts an
// escape), bytes that are not part of valid UTF-8, and the UTF-8 of the C1
// controls (U+0080-U+009F), the line and paragraph separators
// (U+2028-U+2029) and the bidirectional controls (U+200E-U+200F,
// U+202A-U+202E, U+2066-U+2069). Printable ASCII and every other character
// of valid UTF-8 are kept. At most `max_bytes` bytes of output, cut between
// characters or escapes; a cut piece ends with "...(+N bytes)", N being the
// input bytes left out. Never fails.
std::string LogText(std::string_view s, size_t max_bytes);

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
